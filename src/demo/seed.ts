import { sql } from 'kysely';
import type { AppContext } from '../platform/context.ts';
import { conflict } from '../platform/http/errors.ts';
import type { Executor } from '../platform/jobs/registry.ts';
import { renderMarkdown } from '../platform/markdown/index.ts';
import { loadSiteSettings, saveSiteSettings } from '../platform/settings/index.ts';
import { createAdmin } from '../features/accounts/service.ts';
import { hashPassword } from '../features/accounts/passwords.ts';
import type { Role } from '../features/accounts/tables.ts';
import { slugify } from '../features/community/service.ts';
import type { TopicKind } from '../features/community/tables.ts';
import * as content from './content.ts';
import { Random } from './random.ts';
import { seedStore, type StoreSeedResult } from './store.ts';
import { demoTopicTags } from './demo-tags.ts';
import { insertTopicTags, recountTags } from '../features/community/tags.ts';

export interface SeedResult {
  members: number;
  topics: number;
  replies: number;
  /** Store orders, from the demo store's customers. */
  orders: number;
  adminEmail: string;
  adminPassword: string;
  /** Every other demo account signs in with this password. */
  memberPassword: string;
}

export const DEMO_ADMIN = { email: 'admin@demo.hearth.local', password: 'hearth-demo-admin', displayName: 'Maya Okafor' };
export const DEMO_MEMBER_PASSWORD = 'hearth-demo-member';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const MINUTE = 60_000;
const DEMO_MEMBERS = 60;

interface Person {
  id: number;
  displayName: string;
  firstName: string;
  role: Role;
  joinedAt: number;
}

interface PlannedReply {
  authorId: number;
  bodyMd: string;
  at: number;
  /** A reply that answers the question (a candidate for acceptance). */
  answers: boolean;
}

interface PlannedTopic {
  spaceSlug: string;
  kind: TopicKind;
  title: string;
  bodyMd: string;
  author: Person;
  pinned: boolean;
  at: number;
  replies: PlannedReply[];
  acceptedIndex: number | null;
  solvedAt: number | null;
  views: number;
}

type Vars = Record<'p' | 'p2' | 'place' | 'month' | 'name', string>;

function fill(template: string, vars: Vars): string {
  return template.replace(/\{(p2|p|place|month|name)\}/g, (_m, key: keyof Vars) => vars[key]);
}

function usernameOf(displayName: string, taken: Set<string>): string {
  const base = displayName
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}-${i}`;
  taken.add(name);
  return name;
}

/** The people of the demo: two moderators and DEMO_MEMBERS members with distinct names and join dates. */
function planPeople(rng: Random, now: number): Array<Omit<Person, 'id'> & { bio: string }> {
  const people: Array<Omit<Person, 'id'> & { bio: string }> = content.staff.map((s, i) => ({
    displayName: s.displayName,
    firstName: s.displayName.split(' ')[0] ?? s.displayName,
    role: 'moderator',
    joinedAt: now - (520 - i * 20) * DAY,
    bio: s.bio,
  }));
  const used = new Set(people.map((p) => p.displayName));
  const firstNames = rng.shuffle(content.firstNames);
  for (let i = 0; people.length < DEMO_MEMBERS + content.staff.length; i++) {
    const first = firstNames[i % firstNames.length] ?? 'Sam';
    const name = `${first} ${rng.pick(content.lastNames)}`;
    if (used.has(name)) continue;
    used.add(name);
    people.push({
      displayName: name,
      firstName: first,
      role: 'member',
      // Joined over the last ~18 months, more of them recently as the community grew.
      joinedAt: now - Math.round((5 + 535 * Math.pow(rng.next(), 1.3)) * DAY + rng.int(0, DAY)),
      bio: rng.pick(content.bios),
    });
  }
  return people;
}

function paragraphs(rng: Random, pool: readonly string[], count: number, vars: Vars): string[] {
  return rng.sample(pool, Math.min(count, pool.length)).map((p) => fill(p, vars));
}

function composeTopicBody(rng: Random, kind: TopicKind, spaceSlug: string, vars: Vars): string {
  const parts = content.bodyParts[kind];
  const opener = fill(rng.pick(spaceSlug === 'product-ideas' ? content.ideaOpeners : parts.openers), vars);
  const out = [opener, ...paragraphs(rng, parts.details, rng.int(1, 2), vars)];
  if (kind === 'question' && rng.chance(0.4)) {
    out.push(`What I have tried so far:\n\n${rng.sample(['re-reading the size guide', 'asking in the shop', 'checking the care label', 'searching this forum', 'watching the setup video'], rng.int(2, 3)).map((s) => `- ${s}`).join('\n')}`);
  }
  if (kind === 'story' && rng.chance(0.6)) {
    out.push(`Kit that earned its place:\n\n${rng.sample(content.products, 3).map((p) => `- **${p}**`).join('\n')}`);
  }
  out.push(fill(rng.pick(parts.closers), vars));
  return out.join('\n\n');
}

/** One or two paragraphs, preferring ones not yet used in this topic so a thread does not repeat itself. */
function composeReply(rng: Random, pool: readonly string[], vars: Vars, used: Set<string>): string {
  const fresh = pool.filter((p) => !used.has(p));
  const chosen = rng.sample(fresh.length ? fresh : pool, rng.chance(0.35) ? 2 : 1);
  for (const p of chosen) used.add(p);
  return chosen.map((p) => fill(p, vars)).join('\n\n');
}

function answerTheme(title: string): content.AnswerTheme {
  return content.answerThemes.find((t) => t.pattern.test(title))?.theme ?? 'general';
}

/** Someone who had joined a day before `at`, favouring the most active members. */
function pickAuthor(rng: Random, byActivity: Person[], at: number, exceptId?: number): Person | undefined {
  const eligible = byActivity.filter((p) => p.joinedAt < at - DAY && p.id !== exceptId);
  return eligible.length ? rng.pickSkewed(eligible, 1.8) : undefined;
}

function planTopics(rng: Random, now: number, admin: Person, staff: Person[], members: Person[], insiders: Map<string, Person[]>): PlannedTopic[] {
  const everyone = rng.shuffle(members);
  const team = [admin, ...staff];
  const topics: PlannedTopic[] = [];
  for (const space of content.spaces) {
    // In a closed space only its insiders (and staff) write.
    const inside = insiders.get(space.slug);
    const byActivity = inside ? everyone.filter((p) => inside.some((i) => i.id === p.id)) : everyone;
    const titleTemplates = rng.sample(content.titles[space.slug] ?? [], space.slug === 'announcements' ? space.topics - 1 : space.topics);
    const entries = titleTemplates.map((template) => ({ template, welcome: false }));
    if (space.slug === 'announcements') entries.unshift({ template: content.welcomeTitle, welcome: true });
    for (const { template, welcome } of entries) {
      const vars: Vars = { p: '', p2: '', place: rng.pick(content.places), month: rng.pick(content.months), name: '' };
      const title = fill(
        template.replace(/\{(p|pack|tent|down|sleep|jacket|wear|shoes|zip)\}/g, (_m, category: content.ProductCategory | 'p') =>
          rng.pick(category === 'p' ? content.products : content.catalogue[category]),
        ),
        vars,
      );
      // The product the title names is the one the body and replies talk about.
      vars.p = content.products.find((product) => title.includes(product)) ?? rng.pick(content.products);
      vars.p2 = rng.pick(content.products.filter((x) => x !== vars.p));
      const kind = space.defaultKind;
      const at = welcome ? now - 500 * DAY : now - Math.round((0.2 + 330 * Math.pow(rng.next(), 1.4)) * DAY);
      const author = kind === 'announcement' ? (welcome ? admin : rng.pick(team)) : (pickAuthor(rng, byActivity, at) ?? rng.pick(staff));
      const bodyMd = welcome ? content.welcomeBody : composeTopicBody(rng, kind, space.slug, vars);
      vars.name = author.firstName;
      const topic: PlannedTopic = {
        spaceSlug: space.slug,
        kind,
        title,
        bodyMd,
        author,
        pinned: welcome,
        at,
        replies: [],
        acceptedIndex: null,
        solvedAt: null,
        views: 0,
      };
      planReplies(rng, now, topic, vars, byActivity, staff, space.slug);
      topics.push(topic);
    }
  }
  return topics;
}

function planReplies(rng: Random, now: number, topic: PlannedTopic, vars: Vars, byActivity: Person[], staff: Person[], spaceSlug: string): void {
  const wanted =
    topic.pinned ? 8
    : topic.kind === 'question' ? rng.int(1, 7)
    : topic.kind === 'story' ? rng.int(1, 6)
    : topic.kind === 'announcement' ? rng.int(2, 7)
    : rng.int(2, 9);
  let at = topic.at;
  const used = new Set<string>();
  for (let i = 0; i < wanted; i++) {
    at += i === 0 ? rng.int(10 * MINUTE, 8 * HOUR) : Math.round(Math.pow(rng.next(), 2) * 3 * DAY) + 5 * MINUTE;
    if (at > now - MINUTE) break;
    const answered = topic.replies.some((r) => r.answers);
    let author: Person | undefined;
    let pool: readonly string[];
    let answers = false;
    if (topic.kind === 'question' && answered && rng.chance(0.2)) {
      author = topic.author;
      pool = content.replyParts.thanks;
    } else if ((topic.kind === 'question' || spaceSlug === 'product-ideas') && rng.chance(0.2)) {
      author = rng.pick(staff);
      pool = topic.kind === 'question' ? content.replyParts.staff : content.replyParts.staffIdea;
      answers = topic.kind === 'question';
    } else {
      author = pickAuthor(rng, byActivity, at, topic.author.id);
      pool =
        topic.kind === 'question' ? content.answers[answerTheme(topic.title)]
        : topic.kind === 'story' ? content.replyParts.story
        : topic.kind === 'announcement' ? content.replyParts.announcement
        : spaceSlug === 'product-ideas' ? content.replyParts.idea
        : content.replyParts.discussion;
      answers = topic.kind === 'question';
    }
    if (!author || (author.id === topic.author.id && pool !== content.replyParts.thanks)) continue;
    topic.replies.push({ authorId: author.id, bodyMd: composeReply(rng, pool, { ...vars, name: topic.author.firstName }, used), at, answers });
  }
  const candidates = topic.replies.map((r, i) => (r.answers ? i : -1)).filter((i) => i >= 0);
  if (topic.kind === 'question' && candidates.length > 0 && rng.chance(0.65)) {
    const index = rng.chance(0.5) ? (candidates[0] ?? 0) : rng.pick(candidates);
    topic.acceptedIndex = index;
    const reply = topic.replies[index];
    if (reply) topic.solvedAt = Math.min(now - MINUTE, reply.at + rng.int(1, 48) * HOUR);
  }
  topic.views = rng.int(15, 60) + topic.replies.length * rng.int(20, 70);
}

async function insertPeople(trx: Executor, people: Array<Omit<Person, 'id'> & { bio: string }>, passwordHash: string, taken: Set<string>): Promise<Person[]> {
  const rows = people.map((p) => {
    const username = usernameOf(p.displayName, taken);
    return {
      email: `${username}@demo.hearth.local`,
      display_name: p.displayName,
      username,
      password_hash: passwordHash,
      role: p.role,
      email_verified_at: new Date(p.joinedAt + 5 * MINUTE),
      bio: p.bio,
      notification_prefs: JSON.stringify({}),
      created_at: new Date(p.joinedAt),
      updated_at: new Date(p.joinedAt),
    };
  });
  const inserted = await trx.insertInto('users').values(rows).returning(['id', 'email']).execute();
  const idByEmail = new Map(inserted.map((r) => [r.email, r.id]));
  return people.map((p, i) => {
    const id = idByEmail.get(rows[i]?.email ?? '');
    if (id === undefined) throw new Error('demo member was not inserted');
    return { ...p, id };
  });
}

/** The members inside each closed demo space: its `insiders` longest-standing members. */
function closedSpaceInsiders(members: Person[]): Map<string, Person[]> {
  const senior = [...members].sort((a, b) => a.joinedAt - b.joinedAt || a.id - b.id);
  const inside = new Map<string, Person[]>();
  for (const s of content.spaces) if (s.visibility && s.insiders) inside.set(s.slug, senior.slice(0, s.insiders));
  return inside;
}

/**
 * Builds the demo community of Juniper Outdoor Co.: the same seed always gives the same members,
 * spaces, topics and replies (timestamps are relative to now). Everything is written in one
 * transaction with multi-row inserts, so it takes about a second on the embedded database.
 */
export async function seedDemo(ctx: AppContext, opts: { seed: number; store?: boolean }): Promise<SeedResult> {
  const existing = await ctx.db.selectFrom('users').select('id').limit(1).executeTakeFirst();
  if (existing) throw conflict('The database already has members; the demo community only seeds an empty one.', 'not_empty');
  const rng = new Random(opts.seed);
  const now = Math.floor(Date.now() / MINUTE) * MINUTE;
  const memberHash = await hashPassword(DEMO_MEMBER_PASSWORD);

  // The admin goes through the accounts service (its own transaction); the rest is one transaction,
  // and if that fails the admin is removed again so the database is left empty, as it was.
  const adminRow = await createAdmin(ctx, DEMO_ADMIN);
  const counts = await ctx.db
    .transaction()
    .execute((trx) => seedContent(trx, rng, now, adminRow.id, memberHash))
    .catch(async (err: unknown) => {
      await ctx.db.deleteFrom('users').where('id', '=', adminRow.id).execute();
      throw err;
    });

  ctx.site = await loadSiteSettings(ctx.db);
  const store = opts.store === false ? null : await seedDemoStore(ctx, opts.seed);
  return { ...counts, orders: store?.orders ?? 0, adminEmail: DEMO_ADMIN.email, adminPassword: DEMO_ADMIN.password, memberPassword: DEMO_MEMBER_PASSWORD };
}

/**
 * The demo store (products, customers, eighteen months of orders) and the points they earned. It takes
 * a few seconds on the embedded database, so a first `hearth start` runs it after the server is up.
 */
export async function seedDemoStore(ctx: AppContext, seed: number): Promise<StoreSeedResult> {
  const now = Math.floor(Date.now() / MINUTE) * MINUTE;
  const members = await ctx.db.selectFrom('users').select(['id', 'email', 'display_name', 'created_at']).where((eb) => eb.or([eb('role', '=', 'member'), eb('email', '=', DEMO_ADMIN.email)])).orderBy('id').execute();
  return seedStore(
    ctx,
    new Random(seed * 7919 + 1),
    now,
    members.map((u) => ({ id: u.id, email: u.email, displayName: u.display_name, joinedAt: u.created_at.getTime(), regular: u.email === DEMO_ADMIN.email })),
  );
}

async function seedContent(trx: Executor, rng: Random, now: number, adminId: number, memberHash: string): Promise<{ members: number; topics: number; replies: number }> {
  await saveSiteSettings(trx, content.site);
  const admin: Person = { id: adminId, displayName: DEMO_ADMIN.displayName, firstName: 'Maya', role: 'admin', joinedAt: now - 540 * DAY };
  await trx
    .updateTable('users')
    .set({ created_at: new Date(admin.joinedAt), bio: 'Community lead at Juniper Outdoor Co. Happiest above the tree line.' })
    .where('id', '=', admin.id)
    .execute();
  const taken = new Set<string>([(await trx.selectFrom('users').select('username').where('id', '=', admin.id).executeTakeFirstOrThrow()).username]);
  const people = await insertPeople(trx, planPeople(rng, now), memberHash, taken);
  const staff = people.filter((p) => p.role === 'moderator');
  const members = people.filter((p) => p.role === 'member');

  const spaceRows = await trx
    .insertInto('spaces')
    .values(
      content.spaces.map((s, i) => ({
        slug: s.slug,
        name: s.name,
        description: s.description,
        icon: s.icon,
        color: s.color,
        position: i,
        visibility: s.visibility ?? 'public',
        default_kind: s.defaultKind,
        created_at: new Date(now - 540 * DAY),
      })),
    )
    .returning(['id', 'slug'])
    .execute();
  const spaceIdBySlug = new Map(spaceRows.map((r) => [r.slug, r.id]));
  const insiders = closedSpaceInsiders(members);
  await seedSpaceAccess(trx, now, spaceIdBySlug, insiders, members);

  const planned = planTopics(rng, now, admin, staff, members, insiders).sort((a, b) => a.at - b.at);
  const topicRows = await trx
    .insertInto('topics')
    .values(
      planned.map((t) => {
        const last = t.replies.at(-1);
        return {
          space_id: spaceIdBySlug.get(t.spaceSlug) ?? 0,
          author_id: t.author.id,
          kind: t.kind,
          title: t.title,
          slug: slugify(t.title),
          body_md: t.bodyMd,
          body_html: renderMarkdown(t.bodyMd),
          pinned: t.pinned,
          reply_count: t.replies.length,
          view_count: t.views,
          last_activity_at: new Date(last?.at ?? t.at),
          last_reply_user_id: last?.authorId ?? null,
          created_at: new Date(t.at),
          updated_at: new Date(t.at),
        };
      }),
    )
    .returning(['id', 'title'])
    .execute();
  const topicIdByTitle = new Map(topicRows.map((r) => [r.title, r.id]));
  await insertTopicTags(trx, planned.map((t) => ({ topicId: topicIdByTitle.get(t.title) ?? 0, slugs: demoTopicTags(t.title, t.spaceSlug) })));
  await recountTags(trx);

  const replyValues = planned.flatMap((t) =>
    t.replies.map((r) => ({
      topic_id: topicIdByTitle.get(t.title) ?? 0,
      author_id: r.authorId,
      body_md: r.bodyMd,
      body_html: renderMarkdown(r.bodyMd),
      created_at: new Date(r.at),
      updated_at: new Date(r.at),
    })),
  );
  const replyRows = replyValues.length ? await trx.insertInto('replies').values(replyValues).returning(['id', 'topic_id', 'created_at']).execute() : [];
  const replyIdByKey = new Map(replyRows.map((r) => [`${r.topic_id}:${r.created_at.getTime()}`, r.id]));

  const accepted = planned.flatMap((t) => {
    const reply = t.acceptedIndex === null ? undefined : t.replies[t.acceptedIndex];
    const topicId = topicIdByTitle.get(t.title);
    const replyId = reply && topicId ? replyIdByKey.get(`${topicId}:${reply.at}`) : undefined;
    return topicId && replyId && t.solvedAt ? [sql`(${topicId}::bigint, ${replyId}::bigint, ${new Date(t.solvedAt).toISOString()}::timestamptz)`] : [];
  });
  if (accepted.length) {
    await sql`update topics set accepted_reply_id = v.reply_id, solved_at = v.solved_at
      from (values ${sql.join(accepted)}) as v (topic_id, reply_id, solved_at) where topics.id = v.topic_id`.execute(trx);
  }

  await recordHistory(trx, [admin, ...people], planned, spaceIdBySlug, topicIdByTitle, replyIdByKey);

  for (const space of content.spaces) {
    const inSpace = planned.filter((t) => t.spaceSlug === space.slug);
    await trx
      .updateTable('spaces')
      .set({ topic_count: inSpace.length, reply_count: inSpace.reduce((n, t) => n + t.replies.length, 0) })
      .where('slug', '=', space.slug)
      .execute();
  }
  return { members: people.length + 1, topics: planned.length, replies: replyValues.length };
}

/**
 * The event stream the demo community would have produced (members joining, topics, replies, accepted
 * answers), written into `domain_events` at the times they happened, so analytics has history to roll
 * up. Only the stream: no subscriber runs for the past, so nobody is notified or mailed about it.
 */
async function recordHistory(
  trx: Executor,
  people: Person[],
  planned: PlannedTopic[],
  spaceIdBySlug: Map<string, number>,
  topicIdByTitle: Map<string, number>,
  replyIdByKey: Map<string, number>,
): Promise<void> {
  const events: Array<{ name: string; payload: string; actor_id: number; occurred_at: Date }> = [];
  const add = (name: string, payload: Record<string, unknown>, actor: number, at: number) => events.push({ name, payload: JSON.stringify(payload), actor_id: actor, occurred_at: new Date(at) });
  for (const p of people) add('user.registered', { userId: p.id }, p.id, p.joinedAt);
  for (const t of planned) {
    const topicId = topicIdByTitle.get(t.title);
    const spaceId = spaceIdBySlug.get(t.spaceSlug);
    if (!topicId || !spaceId) continue;
    add('topic.created', { topicId, spaceId, authorId: t.author.id, kind: t.kind, tags: demoTopicTags(t.title, t.spaceSlug) }, t.author.id, t.at);
    t.replies.forEach((r, i) => {
      const replyId = replyIdByKey.get(`${topicId}:${r.at}`);
      if (!replyId) return;
      add('reply.created', { replyId, topicId, authorId: r.authorId, topicAuthorId: t.author.id }, r.authorId, r.at);
      if (i === t.acceptedIndex && t.solvedAt) add('answer.accepted', { topicId, replyId, answererId: r.authorId, askerId: t.author.id }, t.author.id, t.solvedAt);
    });
  }
  events.sort((a, b) => a.occurred_at.getTime() - b.occurred_at.getTime());
  for (let i = 0; i < events.length; i += 500) await trx.insertInto('domain_events').values(events.slice(i, i + 500)).execute();
}

/**
 * Who is inside the closed spaces: a private space's insiders are its members (the most senior is also
 * its moderator, and one outsider's request to join waits); an exclusive space admits its insiders by
 * a `user_list` access rule.
 */
async function seedSpaceAccess(trx: Executor, now: number, spaceIdBySlug: Map<string, number>, insiders: Map<string, Person[]>, members: Person[]): Promise<void> {
  for (const space of content.spaces) {
    const spaceId = spaceIdBySlug.get(space.slug);
    const inside = insiders.get(space.slug);
    if (spaceId === undefined || !inside?.length) continue;
    if (space.visibility === 'exclusive') {
      await trx
        .insertInto('space_access_rules')
        .values({ space_id: spaceId, kind: 'user_list', config: JSON.stringify({ userIds: inside.map((p) => p.id) }), created_at: new Date(now - 300 * DAY) })
        .execute();
      continue;
    }
    await trx
      .insertInto('space_members')
      .values(inside.map((p) => ({ space_id: spaceId, user_id: p.id, created_at: new Date(Math.max(p.joinedAt, now - 300 * DAY)) })))
      .execute();
    const [lead] = inside;
    if (lead) await trx.insertInto('space_moderators').values({ space_id: spaceId, user_id: lead.id, created_at: new Date(now - 300 * DAY) }).execute();
    const applicant = members.find((m) => !inside.some((i) => i.id === m.id));
    if (applicant) {
      await trx
        .insertInto('space_join_requests')
        .values({ space_id: spaceId, user_id: applicant.id, message: 'I hike most weekends and would love to test prototypes.', created_at: new Date(now - 2 * DAY) })
        .execute();
    }
  }
}

/** Seeds only a database with no members, so restarting never duplicates the demo. */
export async function seedDemoIfEmpty(ctx: AppContext, opts: { store?: boolean } = {}): Promise<SeedResult | null> {
  const any = await ctx.db.selectFrom('users').select('id').limit(1).executeTakeFirst();
  if (any) return null;
  return seedDemo(ctx, { seed: 1, ...opts });
}
