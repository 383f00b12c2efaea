import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHearth, TestClient, type TestHearth } from '../../../test/helpers.ts';
import { SEARCH_WINDOWS } from '../community/search-repo.ts';

/**
 * Search over ids spread across every window of SEARCH_WINDOWS (rows inserted with chosen ids), in a
 * database of its own: the windows start from the newest ids, which must be the large ones from the
 * first search on.
 */

let t: TestHearth;
let anonymous: TestClient;
const NEWEST_TOPIC = SEARCH_WINDOWS.topics[2] + 10_000;
const NEWEST_REPLY = SEARCH_WINDOWS.replies[2] + 100_000;

async function topic(id: number, space: 'open' | 'closed', title: string, body: string): Promise<void> {
  await sql`
    insert into topics (id, space_id, author_id, kind, title, slug, body_md, body_html)
    overriding system value
    select ${id}, s.id, u.id, 'discussion', ${title}, ${`t-${id}`}, ${body}, ${`<p>${body}</p>`}
    from spaces s, users u where s.slug = ${space} and u.username = 'windows'`.execute(t.ctx.db);
}

/** Replies by id, each on the topic `topicId`. */
async function replies(ids: number[], topicId: number, body: string): Promise<void> {
  await sql`
    insert into replies (id, topic_id, author_id, body_md, body_html)
    overriding system value
    select i, ${topicId}, u.id, ${body}, ${`<p>${body}</p>`}
    from unnest(${sql.val(ids)}::bigint[]) as i, users u where u.username = 'windows'`.execute(t.ctx.db);
}

async function search(q: string): Promise<Array<{ topicId: number; replyId: number | null }>> {
  const res = await anonymous.get(`/api/v1/search?q=${encodeURIComponent(q)}&limit=50`, { accept: 'application/json' });
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: Array<{ topicId: number; replyId: number | null }> }).items;
}

beforeAll(async () => {
  t = await createTestHearth();
  anonymous = new TestClient(t.hearth);
  await t.ctx.db.insertInto('spaces').values([
    { slug: 'open', name: 'Open', visibility: 'public', default_kind: 'discussion' },
    { slug: 'closed', name: 'Closed', visibility: 'private', default_kind: 'discussion' },
  ]).execute();
  await t.ctx.db.insertInto('users').values({ email: 'w@example.com', display_name: 'Windows', username: 'windows', password_hash: null, role: 'member', email_verified_at: new Date(), notification_prefs: JSON.stringify({}) }).execute();
  // Topics in the newest window, in the middle ones and in the oldest (the rest of the table).
  await topic(NEWEST_TOPIC, 'open', 'Newest topic about the aardvark', 'Nothing else.');
  await topic(NEWEST_TOPIC - SEARCH_WINDOWS.topics[0] - 5, 'open', 'Second window topic', 'An okapi was seen.');
  await topic(3, 'open', 'Oldest topic', 'An okapi and a narwhal.');
  await topic(NEWEST_TOPIC - 1, 'closed', 'Hidden newest topic', 'A narwhal, hidden.');
  // Replies: one old match for a rare word; many hidden matches of a word among the newest replies,
  // and a few visible ones of it further back, which must not be crowded out by the hidden ones.
  await replies([NEWEST_REPLY], NEWEST_TOPIC, 'The newest reply.');
  await replies([7], 3, 'An old reply mentioning the quetzal.');
  await replies(Array.from({ length: 450 }, (_, i) => NEWEST_REPLY - 1 - i), NEWEST_TOPIC - 1, 'Hidden talk of the wombat.');
  await replies([NEWEST_REPLY - SEARCH_WINDOWS.replies[0] - 10], NEWEST_TOPIC, 'A visible wombat.');
  await replies([NEWEST_REPLY - SEARCH_WINDOWS.replies[1] - 10], NEWEST_TOPIC - SEARCH_WINDOWS.topics[0] - 5, 'A visible wombat.');
  await replies([11], 3, 'A visible wombat.');
});
afterAll(async () => {
  await t.close();
});

describe('search windows', () => {
  it('finds a rare word in every window, down to the oldest posts', async () => {
    const okapi = await search('okapi');
    expect(new Set(okapi.map((h) => h.topicId))).toEqual(new Set([NEWEST_TOPIC - SEARCH_WINDOWS.topics[0] - 5, 3]));
    expect((await search('quetzal')).map((h) => h.replyId)).toEqual([7]);
    const narwhal = await search('narwhal');
    expect(narwhal.map((h) => h.topicId)).toEqual([3]);
  });

  it('never lets hidden replies take the places of visible ones', async () => {
    const wombat = await search('wombat');
    expect(new Set(wombat.map((h) => h.replyId))).toEqual(new Set([NEWEST_REPLY - SEARCH_WINDOWS.replies[0] - 10, NEWEST_REPLY - SEARCH_WINDOWS.replies[1] - 10, 11]));
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from replies where search_vector @@ to_tsquery('english', 'wombat')`.execute(t.ctx.db);
    expect(rows[0]?.n).toBe(453);
  });

  it('runs on PostgreSQL connections without JIT or parallel workers, which cost more than a search', async () => {
    if (t.ctx.database.kind !== 'postgres') return;
    const { rows } = await sql<{ jit: string; workers: string }>`select current_setting('jit') as jit, current_setting('max_parallel_workers_per_gather') as workers`.execute(t.ctx.db);
    expect(rows[0]).toEqual({ jit: 'off', workers: '0' });
  });
});
