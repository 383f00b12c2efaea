import type { TopicKind } from '../features/community/tables.ts';

/**
 * The demo brand, Juniper Outdoor Co., and the fragments its community's posts are composed from.
 * Placeholders: {p} and {p2} a product, {place} a destination, {month} a month, {name} the person
 * being answered.
 */

export const site = {
  siteName: 'Juniper Community',
  tagline: 'Trail-tested advice, stories and ideas from the people who wear Juniper Outdoor Co. gear.',
  brandColor: '#2f6b4f',
};

export const firstNames = [
  'Aisha', 'Ben', 'Carmen', 'Dmitri', 'Elena', 'Farah', 'Gabriel', 'Hana', 'Ines', 'Jamal', 'Kenji', 'Lena', 'Mateo', 'Nadia',
  'Oliver', 'Priya', 'Quentin', 'Rosa', 'Samir', 'Tess', 'Uma', 'Viktor', 'Wen', 'Ximena', 'Yusuf', 'Zoe', 'Amara', 'Bruno',
  'Chloe', 'Diego', 'Emeka', 'Freya', 'Grace', 'Hamza', 'Ingrid', 'Jonas', 'Kalani', 'Leila', 'Marcus', 'Noor', 'Owen',
  'Paloma', 'Rahul', 'Siobhan', 'Tomás', 'Valentina', 'Wiremu', 'Yara', 'Anders', 'Beatriz', 'Callum', 'Dalia', 'Eitan',
  'Fatima', 'Gus', 'Hiroshi', 'Isla', 'Joaquín', 'Kwame', 'Lucía', 'Mei', 'Niamh', 'Oskar', 'Ruth',
];

export const lastNames = [
  'Adeyemi', 'Bergström', 'Castillo', 'Dubois', 'Eriksen', 'Fernandes', 'García', 'Haddad', 'Ivanova', 'Jensen', 'Kaur',
  'Lindqvist', 'Murphy', 'Nakamura', 'Okonkwo', 'Petrov', 'Quinn', 'Rossi', 'Schmidt', 'Tanaka', 'Usman', 'Varga', 'Walsh',
  'Xu', 'Yilmaz', 'Zhang', 'Abernathy', 'Banerjee', 'Chen', 'Delgado', 'Esposito', 'Fitzgerald', 'Gonzaga', 'Hughes', 'Iyer',
  'Johansson', 'Kowalski', 'Larsen', 'Mendoza', 'Novak', "O'Brien", 'Park', 'Reyes', 'Sato', 'Thompson', 'Van der Berg',
  'Wójcik', 'Young', 'Alvarez', 'Moreau', 'Nkosi', 'Ortega', 'Patel', 'Svensson',
];

export const bios = [
  'Weekend hiker, weekday spreadsheet wrangler.',
  'Chasing sunrises and the perfect trail mix ratio.',
  'Section-hiking the Pacific Crest Trail, one summer at a time.',
  'Dad of two small hikers. We go slow and stop for every beetle.',
  'Ultralight curious, comfort committed.',
  'Mountain leader in training. Ask me about map and compass.',
  'Trail runner, occasional fell racer, permanent snack enthusiast.',
  'I fix things: zips, seams, and sometimes my own bad decisions.',
  'Wild camper in the Scottish Highlands. Midge veteran.',
  'Climbing, canyoning, and writing about both.',
  'Former park ranger. Leave no trace, always.',
  'Photographer who carries too many lenses up too many hills.',
  'Bikepacker learning to love walking again.',
  'New to the outdoors and loving every wet minute.',
  'Gear nerd. I own a scale that measures to the gram.',
  '',
  '',
];

export const staff = [
  { displayName: 'Tomás Herrera', bio: 'Community moderator at Juniper. Ask me anything about fit and sizing.' },
  { displayName: 'Priya Raman', bio: 'Moderator and repair-programme lead. Nothing is beyond saving.' },
];

export interface DemoSpace {
  slug: string;
  name: string;
  description: string;
  icon: string;
  color: string;
  defaultKind: TopicKind;
  topics: number;
  /** A closed space: private (members invited) or exclusive (an access rule lists its members). */
  visibility?: 'private' | 'exclusive';
  /** How many of the longest-standing members are inside a closed space; only they post there. */
  insiders?: number;
}

export const spaces: DemoSpace[] = [
  {
    slug: 'ask',
    name: 'Ask the Community',
    description: 'Sizing, fit, gear choices and orders: ask, and members and the Juniper team answer.',
    icon: 'message',
    color: '#2563eb',
    defaultKind: 'question',
    topics: 26,
  },
  {
    slug: 'trail-stories',
    name: 'Trail Stories',
    description: 'Trip reports, first nights out and the adventures your gear came home from.',
    icon: 'book',
    color: '#16a34a',
    defaultKind: 'story',
    topics: 14,
  },
  {
    slug: 'gear-talk',
    name: 'Gear Talk',
    description: 'Kit lists, comparisons and honest long-term reviews.',
    icon: 'users',
    color: '#7c3aed',
    defaultKind: 'discussion',
    topics: 17,
  },
  {
    slug: 'product-ideas',
    name: 'Product Ideas',
    description: 'Tell us what to make next. The design team reads every idea.',
    icon: 'lightbulb',
    color: '#d97706',
    defaultKind: 'discussion',
    topics: 12,
  },
  {
    slug: 'announcements',
    name: 'Announcements',
    description: 'News from the Juniper team: launches, events and programme updates.',
    icon: 'bell',
    color: '#dc2626',
    defaultKind: 'announcement',
    topics: 7,
  },
  {
    slug: 'care-repair',
    name: 'Care & Repair',
    description: 'Washing, reproofing, patching and our lifetime repair programme.',
    icon: 'settings',
    color: '#0d9488',
    defaultKind: 'question',
    topics: 14,
  },
  {
    slug: 'field-testers',
    name: 'Juniper Field Testers',
    description: 'Invited testers try prototypes before launch and tell the design team the truth. Private: ask to join.',
    icon: 'shield',
    color: '#4d7c0f',
    defaultKind: 'discussion',
    topics: 5,
    visibility: 'private',
    insiders: 8,
  },
  {
    slug: 'summit-insiders',
    name: 'Summit Insiders',
    description: 'Early looks and straight talk with the Juniper team, for the members who have been here longest.',
    icon: 'star',
    color: '#b45309',
    defaultKind: 'discussion',
    topics: 4,
    visibility: 'exclusive',
    insiders: 5,
  },
];

/** The catalogue, by category, so a title only ever pairs a tent question with a tent. */
export const catalogue = {
  pack: ['Ridgeline 45 backpack', 'Ridgeline 28 daypack'],
  tent: ['Cedar 2P tent', 'Cedar UL 1P tent'],
  down: ['Aspen 800 down jacket', 'Basin 20° sleeping bag'],
  sleep: ['Basin 20° sleeping bag'],
  jacket: ['Aspen 800 down jacket', 'Talus 3L rain shell'],
  wear: ['Talus 3L rain shell', 'Aspen 800 down jacket', 'Drift merino base layer'],
  shoes: ['Switchback trail runners', 'Summit Mid boots'],
  zip: ['Talus 3L rain shell', 'Aspen 800 down jacket', 'Basin 20° sleeping bag', 'Cedar 2P tent', 'Ridgeline 45 backpack'],
} as const;

export type ProductCategory = keyof typeof catalogue;

export const products = [
  'Ridgeline 45 backpack', 'Ridgeline 28 daypack', 'Cedar 2P tent', 'Cedar UL 1P tent', 'Talus 3L rain shell',
  'Aspen 800 down jacket', 'Basin 20° sleeping bag', 'Switchback trail runners', 'Summit Mid boots', 'Ember canister stove',
  'Drift merino base layer', 'Canyon trekking poles', 'Lumen 400 headlamp', 'Fjell softshell trousers', 'Meadow camp chair',
];

export const places = [
  'the Lake District', 'the Cairngorms', 'Snowdonia', 'the John Muir Trail', 'the Dolomites', 'Glacier National Park',
  'the Pacific Crest Trail', 'Torres del Paine', 'the West Highland Way', 'the Tour du Mont Blanc', 'the Lofoten Islands',
  'the Blue Mountains', 'Mount Rainier', 'the Pyrenees', 'the Wicklow Way', 'Banff',
];

export const months = ['March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November'];

/**
 * Titles per space; each is used at most once per seed. {pack}, {tent}, {down}, {sleep}, {jacket},
 * {wear}, {shoes} and {zip} become a product of that category, {p} any product.
 */
export const titles: Record<string, string[]> = {
  ask: [
    'Does the {wear} run true to size?',
    'Cedar 2P or Cedar UL 1P for a first long-distance hike?',
    'How waterproof is the Talus 3L rain shell in sustained rain?',
    'Is the {sleep} warm enough for {place} in {month}?',
    'Can I fit a bear canister in the Ridgeline 45 backpack?',
    'What is the real-world weight of the {tent}?',
    'Order shipped to my old address: what should I do?',
    'Sizing help: between a medium and a large in the {wear}',
    'Does the {pack} work with a 2 L hydration bladder?',
    'Best sleeping pad to pair with the {sleep}?',
    'Are the {shoes} OK for wide feet?',
    'How do I pitch the {tent} in strong wind?',
    'Will the {wear} be restocked in sage green?',
    'Can I use the {pack} for ski touring?',
    'How long does an exchange usually take?',
    'Layering advice for {place} in early spring',
    'First overnight trip next month: what am I forgetting?',
    'Does the warranty cover a torn hip belt on the {pack}?',
    'Packing list for {place}: too much?',
    'Which fuel canisters fit the Ember canister stove?',
    'How breathable is the Talus 3L rain shell on steep climbs?',
    'Are there kids’ sizes for the {wear}?',
    'Can the Cedar UL 1P tent be pitched with trekking poles only?',
    'Discount code did not apply at checkout',
    'Is the {pack} carry-on friendly?',
    'Good beginner route in {place} for a family?',
    'Is the Aspen 800 down jacket warm enough as a sleeping layer?',
    'Do points or gift cards work on sale items?',
  ],
  'care-repair': [
    'How do I wash the {down} without ruining it?',
    'Reproofing the Talus 3L rain shell: which spray do you use?',
    'Zipper on my {zip} keeps splitting',
    'Seam tape peeling on an old Talus 3L rain shell',
    'Best way to store the {down} over winter?',
    'Small burn hole in my {jacket}: patch it or send it in?',
    'Can the Summit Mid boots be resoled?',
    'Hip belt buckle snapped on the {pack}',
    'Getting pine sap off the {tent}',
    'Cracked pole section on the {tent}: where do I get a spare?',
    'My base layer smells after a week on trail. Help!',
    'Does the repair programme cover delamination?',
    'Down clumping in the {down} after a wash',
    'Velcro on the Talus 3L rain shell cuffs has stopped gripping',
    'How do I re-thread the drawcord on the {jacket}?',
    'DIY patch or professional repair for a torn tent fly?',
  ],
  'trail-stories': [
    'Five days in {place} with the {pack}',
    'My first solo night out, in {place}',
    'Caught in a hailstorm in {place}',
    'Trip report: {place} in the shoulder season',
    'What 1,000 miles did to my {shoes}',
    'A father–daughter weekend in {place}',
    'Sunrise from the summit: {place}',
    'The {pack} that survived a river crossing',
    'Hiking {place} with my dog',
    'Learning to navigate with map and compass in {place}',
    'Wild camping in {place}: the good, the wet and the midges',
    'Our hiking club’s first winter camp',
    'Thirty years of hiking, one new pair of boots',
    'Back on the trail after knee surgery',
    'Finishing {place} in the rain, and loving it',
    'A week of hut-to-hut walking in {place}',
  ],
  'gear-talk': [
    'What is in your day pack this summer?',
    'Ultralight vs comfort: where do you draw the line?',
    'The one piece of gear you would never leave behind',
    'Is merino really worth the price?',
    'Trail runners or boots for rocky terrain?',
    'Show us your camp kitchen setup',
    'Best budget upgrades for a beginner kit',
    'How do you weigh and track your gear?',
    'The {p}, six months in: honest thoughts',
    'Sleeping warm: quilts vs mummy bags',
    'Do you carry a stove on day hikes?',
    'Headlamp brightness: how many lumens is enough?',
    'Favourite trail snacks, ranked',
    'Gear you regret buying',
    'Packing cubes: yes or no?',
    'Waterproof socks: game changer or gimmick?',
    'Cedar 2P vs Cedar UL 1P: which would you choose?',
    'How do you pack a tent in the rain?',
  ],
  'field-testers': [
    'Prototype report: the {tent} v2 after three wet weekends',
    'Test batch of the {wear}: sizing notes',
    'Hip belt redesign on the {pack}: first impressions',
    'Field test log for {place} in {month}',
    'Which prototype zips failed first?',
    'Cold-night test of the {sleep} prototype',
  ],
  'summit-insiders': [
    'Preview: next spring colours, tell us honestly',
    'Behind the scenes at the {place} photo shoot',
    'Should we bring back the original {p}?',
    'Insider Q&A with the design team, {month}',
    'What would make the repair programme better for you?',
  ],
  'product-ideas': [
    'Idea: a hip-belt pocket big enough for a phone',
    'Please make the {wear} in a tall fit',
    'Idea: a repair kit that ships with every tent',
    'A women’s-specific version of the {pack}?',
    'Bring back the old olive colourway',
    'Idea: a gear-rental programme for first-timers',
    'A recycled-fabric option for the {wear}',
    'Idea: trade-in credit for worn-out boots',
    'A lighter version of the {tent} for fastpacking',
    'Idea: a detachable hood on the {jacket}',
    'A kids’ range, please!',
    'Idea: community trail clean-up days',
    'Idea: a bigger vestibule on the {tent}',
  ],
  announcements: [
    'Spring collection drops next week: first look for members',
    'Our lifetime repair programme now covers the EU',
    'Community guidelines, updated',
    'Meet the team behind the Cedar tent',
    'Holiday shipping dates and the extended returns window',
    'We listened: tall sizes are coming this autumn',
    'Join our trail clean-up weekend',
  ],
};

/** Which answers suit a question, by words in its title; the first match wins, `general` otherwise. */
export const answerThemes: Array<{ theme: AnswerTheme; pattern: RegExp }> = [
  { theme: 'order', pattern: /order|exchange|discount|points|gift card|restocked/i },
  { theme: 'care', pattern: /wash|reproof|zip|seam|store|burn|resole|buckle|sap|pole section|smells|delamination|clumping|velcro|drawcord|patch/i },
  { theme: 'fit', pattern: /size|sizing|wide feet|kids/i },
  { theme: 'weather', pattern: /waterproof|warm|breathable|layering|wind/i },
  { theme: 'camp', pattern: /tent|pitch|pad|canister|fuel|trekking poles/i },
];

export type AnswerTheme = 'order' | 'care' | 'fit' | 'weather' | 'camp' | 'general';

export const answers: Record<AnswerTheme, string[]> = {
  order: [
    'Contact support with your order number and a photo. In my experience they sort it within a couple of days.',
    'Exchanges took about a week for me: three days for them to receive it, and the new size shipped the same day.',
    'The code only applies to full-price items, which caught me out too. Support honoured it when I asked.',
    'If the parcel has not left the warehouse yet they can still change things. Use the chat, it is much faster than email.',
    'Points work on sale items, but the member discount does not stack with other codes.',
  ],
  care: [
    'I use a technical wash on a cool cycle, then tumble dry on low with a couple of clean tennis balls. It brings the loft and the water repellency back.',
    'Adhesive repair patches work well for small holes. Round the corners so they do not peel, and press them on while warm.',
    'Send it in. The repair team did a far neater job on my {p} than I ever could, and it came back in under two weeks.',
    'Warm soapy water and a soft brush, then rinse well. For sap, a little hand sanitiser on a cloth lifts it before washing.',
    'Store it loose, not compressed: a big cotton sack or a hanger in a dry cupboard. Months in a stuff sack kill the loft.',
    'Clean the zip teeth, rub them with a candle, then gently squeeze the slider with pliers. If it still splits, the slider needs replacing, and the repair programme does that.',
    'Check the care label first. Mine said 30 °C and no softener, and ignoring the softener part is what ruined my first shell.',
  ],
  fit: [
    'It runs slightly small, so I went up a size and it is perfect with a fleece underneath.',
    'I am usually between sizes too and went with the smaller one. The cut is generous through the body.',
    'Order both and send one back: returns are free for members and it is the only way to be sure.',
    'I have wide feet and it was fine after a short break-in. Try the lacing trick that skips the second eyelet.',
  ],
  weather: [
    'Short answer: yes. I used it in {place} in {month} with two days of solid rain and stayed dry, although the cuffs wetted out a little.',
    'Open the pit zips before you start sweating, not after. It copes with steep climbs far better that way.',
    'For {place} at that time of year I would take a warm mid layer, a proper shell and spare socks in a dry bag. Conditions change quickly.',
    'I sleep cold and I was fine down to about freezing with a warm hat. Below that, add a liner.',
  ],
  camp: [
    'Peg the two windward corners first, then the pole, then the rest. Guy out everything if the forecast says more than 30 km/h.',
    'Any standard screw-thread canister fits: the 100 g and 230 g sizes both sit fine inside the pot.',
    'I would pair it with a pad rated R 4 or above for anything outside summer. The ground steals more heat than the air.',
    'Measured mine on a kitchen scale: about 60 g more than listed, which seems fair once you add the stuff sacks.',
  ],
  general: [
    'Great question. Start small: one night close to the car, so you learn what you actually need.',
    'Write a list, pack it, then take out a third. Everyone brings too much the first time, me included.',
    'I did exactly this last year and it was fine. The main thing is a good shell and dry socks.',
    'Loosen everything, put the hip belt on your hip bones first, then tighten the shoulders and finally the load lifters. It makes a huge difference.',
  ],
};

export const welcomeTitle = 'Welcome to the Juniper Community: start here';

export const welcomeBody = `Welcome! This is the home of everyone who hikes, camps and wanders in Juniper gear, and of the team that makes it.

## How it works

- **Ask the Community** is for questions. When an answer solves yours, mark it as accepted so the next person finds it fast.
- **Trail Stories** is for trip reports, big and small. First overnights count.
- **Gear Talk** is for comparisons, kit lists and honest long-term reviews.
- **Product Ideas** goes straight to our design team. We read every one.
- **Care & Repair** covers washing, reproofing and our lifetime repair programme.

## A few ground rules

Be kind, be specific, and share what you actually know. Sales posts and affiliate links are removed.

See you on the trail,
the Juniper team`;

/** Paragraph pools for topic bodies, by kind (ideas use the discussion pools). */
export const bodyParts: Record<TopicKind, { openers: string[]; details: string[]; closers: string[] }> = {
  question: {
    openers: [
      'I picked up the {p} last month and I am planning to take it to {place} in {month}.',
      'Long-time customer, first post here. I am weighing up the {p} for a trip to {place}.',
      'Quick one before I commit: I am heading to {place} in {month} with a friend who has never camped before.',
      'I have had my {p} for about two years and love it, but something has started to bother me.',
      'Our family is planning our first multi-day trip, to {place}, and I am trying to get the kit right.',
      'I have read the product page twice and still cannot work this out.',
    ],
    details: [
      'For context, I am 178 cm, usually a medium, and I run warm. I mostly hike in mixed weather with long climbs.',
      'I have tried adjusting the straps and following the guide on the website, but it still is not quite right after a few hours.',
      'The forecast there can swing from sunshine to sideways rain in an hour, so I would rather over-prepare than be miserable.',
      'My current setup is the {p2} plus a cheap foam pad, which has been fine for summer but I am not sure it will cut it.',
      'Budget is not unlimited, so I would rather buy once and buy well than replace things next season.',
      'I have seen mixed reviews elsewhere, so I would love to hear from people who have used it on a real trip, not just around the block.',
      'The main things I care about are staying dry, not carrying too much weight, and sleeping reasonably well.',
    ],
    closers: [
      'Any advice appreciated!',
      'Has anyone dealt with this before?',
      'Thanks in advance, this community has already saved me from a few bad purchases.',
      'Happy to share photos if that helps.',
      'What would you do in my place?',
    ],
  },
  discussion: {
    openers: [
      'Curious how everyone here approaches this.',
      'This came up around the campfire last weekend and we could not agree, so I am bringing it here.',
      'I have been hiking for about ten years and my answer to this keeps changing.',
      'Spring is here and I am rethinking my whole setup.',
      'After a season with the {p}, I have opinions, and I want to hear yours.',
    ],
    details: [
      'For me it depends a lot on the trip: a day in {place} is very different from a week on the {place} trail.',
      'I used to carry everything "just in case". These days I carry less, but I have been caught out once or twice.',
      'Weight matters, but so does being comfortable enough to actually enjoy the view at the top.',
      'The {p} changed how I think about this, mostly for the better, though it is not perfect.',
      'I keep a spreadsheet of every item and its weight, which my partner finds hilarious.',
      'What surprised me most was how much difference small things make: a better sit pad, a warmer hat, a lighter mug.',
    ],
    closers: [
      'What is your take?',
      'Tell me I am not the only one.',
      'Would love to see your lists.',
      'Convince me either way!',
    ],
  },
  story: {
    openers: [
      'We finally did it: {place}, four of us, and the {p} came along for the ride.',
      'I have been meaning to write this up since {month}.',
      'This was my first trip alone, and I was more nervous than I like to admit.',
      'Some trips go exactly to plan. This was not one of them.',
      'Short version: best week of my year.',
    ],
    details: [
      'Day one started in thick fog. We could barely see the next cairn, so we slowed right down and took the compass out more than once.',
      'By the second evening the cloud lifted and we had the whole valley to ourselves, with the light going gold on the ridges.',
      'The wind picked up overnight and I spent a good hour listening to the tent flex, but everything held and I stayed dry.',
      'A local shepherd pointed us to a spring that is not on the map, which saved us a long detour for water.',
      'My feet were the real heroes: no blisters in 80 km, which has never happened before.',
      'We met a couple in their seventies doing the same route faster than us. Goals.',
      'The last descent was steep and loose, and I was very glad of the {p} by then.',
    ],
    closers: [
      'Already planning the next one.',
      'If anyone is thinking about {place}, go. Just pack for rain.',
      'Thanks to everyone here whose advice went into my packing list.',
      'Happy to answer questions about the route.',
    ],
  },
  announcement: {
    openers: [
      'Hello everyone, some news from the Juniper team.',
      'We have been working on this for a long time and we are very happy to finally share it.',
      'Thank you for all the feedback over the last few months: it shaped this directly.',
    ],
    details: [
      'Members of the community get early access, 48 hours before everyone else. Watch your inbox.',
      'The details are on our help pages, and the team will be answering questions in this thread all week.',
      'This started as an idea in the Product Ideas space, and your votes moved it up our list.',
      'We will keep improving it, so tell us what works and what does not.',
    ],
    closers: ['See you on the trail,\nthe Juniper team', 'Questions welcome below.', 'Thanks for being part of this.'],
  },
};

export const ideaOpeners = [
  'I love the {p}, but one thing would make it perfect.',
  'Small idea, big difference, I think.',
  'I have been using the {p} for a year and keep wishing for this.',
];

/** Reply pools by what the reply is. */
export const replyParts: Record<'discussion' | 'story' | 'idea' | 'announcement' | 'thanks' | 'staff' | 'staffIdea', string[]> = {
  discussion: [
    'Great question. For me the answer is a good sit pad: costs nothing, weighs nothing, makes every break better.',
    'I am firmly in the comfort camp. I would rather carry an extra kilo and sleep well.',
    'Trail runners, every time, unless there is snow. My ankles got stronger once I stopped relying on stiff boots.',
    'Merino for base layers, synthetic for everything else. Merino socks especially.',
    'I tried going ultralight and ended up cold and grumpy. Somewhere in the middle works for me.',
    'Counterpoint: packing cubes are just extra weight. Stuff sacks in different colours do the same job.',
    'I keep a simple list in my notes app and tick it off before every trip. Saved me from forgetting the stove more than once.',
    'The {p} is the one thing I would buy again without hesitation.',
    'Honestly, a flask of hot tea beats any gadget I own.',
    'I regret my first tent: heavy, fiddly, and the fly never sat right. Learned a lot though.',
  ],
  story: [
    'What a trip! Thanks for writing it up, I have added {place} to my list.',
    'That fog on day one sounds properly eerie. Glad it cleared for you.',
    'Love this. My first solo night was a mess too, and I have been hooked ever since.',
    'How did you find water on the second half? That is what worries me about that route.',
    'This is exactly the kind of post I joined for. More please!',
    'The bit about the shepherd made me smile. The best tips never make it into guidebooks.',
    'Which month would you recommend for a first-timer?',
  ],
  idea: [
    '+1, I would buy this tomorrow.',
    'Yes please. I have been bodging this with a carabiner and a dry bag for years.',
    'Great idea, as long as it does not add much weight.',
    'I would add: make it repairable, with spare parts sold separately.',
    'This would be brilliant for taller hikers like me.',
    'Not sure about this one, it sounds like it could snag on branches. Maybe as an optional add-on?',
  ],
  announcement: [
    'Brilliant news, thank you!',
    'Really glad to see this. The repair programme is why I keep buying from you.',
    'Will this be available outside the UK and US?',
    'Love that community ideas end up in the product.',
    'Count me in for the clean-up weekend!',
    'Thank you for listening, {name}.',
  ],
  thanks: [
    'Thank you, that did the trick!',
    'That is really helpful, thanks everyone.',
    'Update: I tried this and it worked perfectly. Marking it as the answer.',
    'Exactly what I needed to know. Thank you!',
  ],
  staff: [
    'Hi {name}, thanks for asking! The advice above is spot on. If anything is still unclear, message our support team and we will help you choose.',
    'Hi {name}, good question. Our product team tested the {p} for exactly this, and the short answer is yes, with the caveats mentioned above.',
    'Good news, {name}: if it ever comes to a repair, it is covered by our lifetime repair programme. Start one from your account page and we send a prepaid label.',
  ],
  staffIdea: [
    'Thanks for the idea, {name}! I have passed it to the design team, and I will update this thread when I hear back.',
    'Love this, {name}. It has come up a few times, so it is on the list for next season’s review.',
  ],
};
