// Data generator for benchmarks: fills the configured database (DATABASE_URL, or the embedded one in
// DATA_DIR) with members, topics and replies, deterministically from --seed.
//   npm run bench:gen -- --members 10000 --topics 50000 --posts 500000 [--orders N] [--seed 1]
// Rows go in as multi-row INSERTs of a few thousand rows each (one statement, so one transaction).
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { loadConfig } from '../src/config.ts';
import { openDatabase, type Database } from '../src/platform/db/index.ts';
import { hashPassword } from '../src/features/accounts/passwords.ts';
import type { TopicKind } from '../src/features/community/tables.ts';
import * as content from '../src/demo/content.ts';
import { Random } from '../src/demo/random.ts';
import { insertTopicTags, recountTags } from '../src/features/community/tags.ts';

const { values } = parseArgs({
  options: {
    members: { type: 'string', default: '0' },
    topics: { type: 'string', default: '0' },
    posts: { type: 'string', default: '0' },
    orders: { type: 'string' },
    seed: { type: 'string', default: '1' },
  },
});

function count(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) {
    process.stderr.write(`--${name} must be a whole number, got ${text}\n`);
    process.exit(2);
  }
  return n;
}

const wanted = { members: count('members', values.members), topics: count('topics', values.topics), posts: count('posts', values.posts) };
const seed = count('seed', values.seed);
if (wanted.members + wanted.topics + wanted.posts === 0 && values.orders === undefined) {
  process.stderr.write('usage: npm run bench:gen -- --members N --topics N --posts N [--orders N] [--seed S]\n');
  process.exit(2);
}
const DAY = 86_400_000;
const now = Date.now();

/** A progress bar on stderr, redrawn at most a few times a second. */
function progress(label: string, total: number) {
  let lastDraw = 0;
  const started = performance.now();
  const draw = (done: number) => {
    const width = 30;
    const filled = Math.round((done / Math.max(total, 1)) * width);
    process.stderr.write(`\r${label.padEnd(8)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round((done / Math.max(total, 1)) * 100)).padStart(3)}%  ${done.toLocaleString('en')}/${total.toLocaleString('en')}`);
  };
  return {
    update(done: number) {
      if (performance.now() - lastDraw < 200 && done < total) return;
      lastDraw = performance.now();
      draw(done);
    },
    finish(): number {
      draw(total);
      const seconds = (performance.now() - started) / 1000;
      process.stderr.write(`  ${Math.round(total / Math.max(seconds, 0.001)).toLocaleString('en')} rows/s\n`);
      return seconds;
    },
  };
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Bodies are plain paragraphs, so their HTML is what the markdown renderer would give, without its cost. */
function paragraphsToHtml(paragraphs: string[]): string {
  return paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n');
}

function fillVars(rng: Random, template: string): string {
  return template
    .replace(/\{(p2|p)\}/g, () => rng.pick(content.products))
    .replace(/\{(pack|tent|down|sleep|jacket|wear|shoes|zip)\}/g, (_m, category: content.ProductCategory) => rng.pick(content.catalogue[category]))
    .replace(/\{place\}/g, () => rng.pick(content.places))
    .replace(/\{month\}/g, () => rng.pick(content.months))
    .replace(/\{name\}/g, () => rng.pick(content.firstNames));
}

async function ensureSpaces(db: Database): Promise<Array<{ id: number; kind: TopicKind; slug: string }>> {
  const existing = await db.selectFrom('spaces').select(['id', 'default_kind', 'slug']).where('visibility', '=', 'public').orderBy('position').execute();
  if (existing.length) return existing.map((s) => ({ id: s.id, kind: s.default_kind, slug: s.slug }));
  const rows = await db
    .insertInto('spaces')
    .values(content.spaces.map((s, i) => ({ slug: s.slug, name: s.name, description: s.description, icon: s.icon, color: s.color, position: i, default_kind: s.defaultKind })))
    .returning(['id', 'default_kind', 'slug'])
    .execute();
  return rows.map((s) => ({ id: s.id, kind: s.default_kind, slug: s.slug }));
}

async function generateMembers(db: Database, rng: Random, total: number): Promise<number[]> {
  if (total === 0) return [];
  const marker = `bench-${seed}-0@bench.hearth.local`;
  if (await db.selectFrom('users').select('id').where('email', '=', marker).executeTakeFirst()) {
    throw new Error(`This database already holds bench members for --seed ${seed}; use another seed or a fresh database.`);
  }
  const passwordHash = await hashPassword('hearth-bench-member');
  const bar = progress('members', total);
  const ids: number[] = [];
  const batch = 4000;
  for (let start = 0; start < total; start += batch) {
    const rows = [];
    for (let i = start; i < Math.min(total, start + batch); i++) {
      const joined = new Date(now - rng.int(1, 730) * DAY - rng.int(0, DAY));
      const name = `${rng.pick(content.firstNames)} ${rng.pick(content.lastNames)}`;
      rows.push({
        email: `bench-${seed}-${i}@bench.hearth.local`,
        display_name: name,
        username: `bench-${seed}-${i}`,
        password_hash: passwordHash,
        email_verified_at: joined,
        bio: rng.pick(content.bios),
        notification_prefs: '{}',
        created_at: joined,
        updated_at: joined,
      });
    }
    const inserted = await db.insertInto('users').values(rows).returning('id').execute();
    for (const r of inserted) ids.push(r.id);
    bar.update(ids.length);
  }
  bar.finish();
  return ids;
}

async function generateTopics(db: Database, rng: Random, total: number, authors: number[]): Promise<Array<{ id: number; at: number; authorId: number }>> {
  if (total === 0) return [];
  const spaces = await ensureSpaces(db);
  const bar = progress('topics', total);
  const topics: Array<{ id: number; at: number; authorId: number }> = [];
  const batch = 2000;
  for (let start = 0; start < total; start += batch) {
    const rows = [];
    const meta: Array<{ at: number; authorId: number }> = [];
    for (let i = start; i < Math.min(total, start + batch); i++) {
      const space = rng.pick(spaces);
      const templates = content.titles[space.slug] ?? content.titles['gear-talk'] ?? ['Topic'];
      const title = fillVars(rng, rng.pick(templates));
      const parts = content.bodyParts[space.kind];
      const paragraphs = [rng.pick(parts.openers), ...rng.sample(parts.details, 2), rng.pick(parts.closers)].map((p) => fillVars(rng, p));
      const at = now - rng.int(60_000, 365 * DAY);
      const authorId = rng.pickSkewed(authors, 1.5);
      meta.push({ at, authorId });
      rows.push({
        space_id: space.id,
        author_id: authorId,
        kind: space.kind,
        title,
        slug: title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80) || 'topic',
        body_md: paragraphs.join('\n\n'),
        body_html: paragraphsToHtml(paragraphs),
        view_count: rng.int(5, 2000),
        last_activity_at: new Date(at),
        created_at: new Date(at),
        updated_at: new Date(at),
      });
    }
    const inserted = await db.insertInto('topics').values(rows).returning('id').execute();
    inserted.forEach((r, k) => {
      const m = meta[k];
      if (m) topics.push({ id: r.id, ...m });
    });
    bar.update(topics.length);
  }
  bar.finish();
  return topics;
}

const generatedTags = ['tent', 'sleeping-bag', 'rain-jacket', 'boots', 'stove', 'backpack', 'navigation', 'camping', 'hiking', 'repair', 'waterproofing', 'winter', 'trail-running', 'kids', 'sizing', 'returns'];

/** One to three tags per new topic, from their own random stream so the other rows stay as they were. */
async function tagTopics(db: Database, topics: Array<{ id: number }>): Promise<void> {
  const rng = new Random(seed + 7);
  await insertTopicTags(
    db,
    topics.map((t) => ({ topicId: t.id, slugs: rng.sample(generatedTags, rng.int(1, 3)) })),
  );
}

async function generateReplies(db: Database, rng: Random, total: number, topics: Array<{ id: number; at: number; authorId: number }>, authors: number[]): Promise<void> {
  if (total === 0) return;
  const pools = [...Object.values(content.answers), content.replyParts.discussion, content.replyParts.story, content.replyParts.idea];
  const bar = progress('replies', total);
  const batch = 5000;
  let done = 0;
  for (let start = 0; start < total; start += batch) {
    const rows = [];
    for (let i = start; i < Math.min(total, start + batch); i++) {
      const topic = rng.pick(topics);
      // Most replies come within days of the topic, a few much later.
      const at = Math.min(now - 1000, topic.at + Math.round(Math.pow(rng.next(), 3) * 60 * DAY) + rng.int(60_000, 3_600_000));
      const paragraphs = [fillVars(rng, rng.pick(rng.pick(pools)))];
      rows.push({
        topic_id: topic.id,
        author_id: rng.pick(authors),
        body_md: paragraphs.join('\n\n'),
        body_html: paragraphsToHtml(paragraphs),
        created_at: new Date(at),
        updated_at: new Date(at),
      });
    }
    await db.insertInto('replies').values(rows).execute();
    done += rows.length;
    bar.update(done);
  }
  bar.finish();
}

/** Counters, last activity and accepted answers follow from the rows, as the service would have kept them. */
async function finishCounters(db: Database, firstReplyId: number): Promise<void> {
  process.stderr.write('counters and statistics…\n');
  await sql`
    update topics t set
      reply_count = t.reply_count + s.n,
      last_activity_at = greatest(t.last_activity_at, s.last_at),
      last_reply_user_id = s.last_user
    from (
      select distinct on (topic_id) topic_id, count(*) over (partition by topic_id) as n, created_at as last_at, author_id as last_user
      from replies where id >= ${firstReplyId}
      order by topic_id, created_at desc, id desc
    ) s
    where t.id = s.topic_id`.execute(db);
  // Every other question with an answer from someone else gets its first such reply accepted.
  await sql`
    update topics t set accepted_reply_id = r.id, solved_at = r.created_at + interval '1 hour'
    from (
      select distinct on (r.topic_id) r.topic_id, r.id, r.created_at
      from replies r join topics q on q.id = r.topic_id
      where r.id >= ${firstReplyId} and q.kind = 'question' and r.author_id <> q.author_id
      order by r.topic_id, r.created_at, r.id
    ) r
    where t.id = r.topic_id and t.accepted_reply_id is null and t.id % 2 = 0`.execute(db);
  await sql`
    update spaces s set topic_count = c.topics, reply_count = c.replies
    from (select space_id, count(*)::int as topics, coalesce(sum(reply_count), 0)::int as replies from topics where deleted_at is null group by space_id) c
    where s.id = c.space_id`.execute(db);
  await recountTags(db);
  await sql`analyze`.execute(db);
}

async function main(): Promise<void> {
  if (values.orders !== undefined) {
    process.stderr.write('note: --orders is skipped: orders will be generated once the commerce feature (and its tables) exists.\n');
  }
  const config = loadConfig(process.env);
  const database = await openDatabase({ dataDir: config.dataDir, databaseUrl: config.databaseUrl, sharedBuffers: config.pgliteSharedBuffers, poolSize: 2 });
  const db = database.db;
  const started = performance.now();
  try {
    process.stderr.write(`Generating into ${config.databaseUrl ? 'PostgreSQL' : `the embedded database in ${config.dataDir}`} (seed ${seed})\n`);
    const rng = new Random(seed);
    let authors = await generateMembers(db, rng, wanted.members);
    if (authors.length === 0 && wanted.topics + wanted.posts > 0) {
      authors = (await db.selectFrom('users').select('id').orderBy('id').limit(100_000).execute()).map((r) => r.id);
      if (authors.length === 0) throw new Error('No members to write topics: pass --members N.');
    }
    let topics = await generateTopics(db, rng, wanted.topics, authors);
    await tagTopics(db, topics);
    if (topics.length === 0 && wanted.posts > 0) {
      topics = (await db.selectFrom('topics').select(['id', 'created_at', 'author_id']).orderBy('id').limit(200_000).execute()).map((t) => ({ id: t.id, at: t.created_at.getTime(), authorId: t.author_id }));
      if (topics.length === 0) throw new Error('No topics to reply to: pass --topics N.');
    }
    const before = await db.selectFrom('replies').select((eb) => eb.fn.max('id').as('max')).executeTakeFirst();
    await generateReplies(db, rng, wanted.posts, topics, authors);
    await finishCounters(db, Number(before?.max ?? 0) + 1);
    const seconds = (performance.now() - started) / 1000;
    const rows = wanted.members + wanted.topics + wanted.posts;
    process.stdout.write(
      `Generated ${wanted.members.toLocaleString('en')} members, ${wanted.topics.toLocaleString('en')} topics, ${wanted.posts.toLocaleString('en')} replies in ${seconds.toFixed(1)} s (${Math.round(rows / seconds).toLocaleString('en')} rows/s).\n`,
    );
  } finally {
    await database.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`\nbench:gen failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
