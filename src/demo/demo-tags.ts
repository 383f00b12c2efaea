/**
 * Tags for the demo's topics, read from their titles (and a default per space), so every topic has one
 * to three without drawing from the seed's random stream: the rest of the demo stays as it was.
 */
const keywordTags: Array<[RegExp, string]> = [
  [/\b(tent|shelter|tarp|pole)s?\b/i, 'tents'],
  [/\b(sleeping|quilt|down|bag)\b/i, 'sleeping-bags'],
  [/\b(jacket|shell|rain|waterproof)/i, 'rain-gear'],
  [/\b(boot|shoe|sock|blister)s?\b/i, 'footwear'],
  [/\b(pack|backpack|hip ?belt)s?\b/i, 'backpacks'],
  [/\b(stove|cook|coffee|snack|food)/i, 'camp-kitchen'],
  [/\b(zip|zipper|repair|fix|patch|broke|tear|seam)/i, 'repair'],
  [/\b(wash|clean|care|proof|dry)/i, 'care'],
  [/\b(size|sizing|fit)s?\b/i, 'sizing'],
  [/\b(return|warranty|order|shipping|delivery)s?\b/i, 'orders'],
  [/\b(winter|snow|cold|frost)/i, 'winter'],
  [/\b(kid|family|dog)s?\b/i, 'family'],
  [/\b(trail|hike|route|summit|ridge|loop)s?\b/i, 'trips'],
];

const spaceTags: Record<string, string> = {
  ask: 'help',
  'trail-stories': 'trip-report',
  'gear-talk': 'gear',
  'product-ideas': 'ideas',
  announcements: 'news',
  'care-repair': 'repair',
  'field-testers': 'testing',
  'summit-insiders': 'insiders',
};

export function demoTopicTags(title: string, spaceSlug: string): string[] {
  const found = keywordTags.filter(([pattern]) => pattern.test(title)).map(([, tag]) => tag);
  const fallback = spaceTags[spaceSlug] ?? 'community';
  return [...new Set([...found, fallback])].slice(0, 3);
}
