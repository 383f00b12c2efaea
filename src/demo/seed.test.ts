import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHearth, TestClient, type TestHearth } from '../../test/helpers.ts';
import { DEMO_ADMIN, seedDemo, seedDemoIfEmpty, seedDemoStore } from './seed.ts';
import { verifyPassword } from '../features/accounts/passwords.ts';

let first: TestHearth;
let second: TestHearth;
let third: TestHearth;

beforeAll(async () => {
  [first, second, third] = await Promise.all([createTestHearth(), createTestHearth(), createTestHearth()]);
});
afterAll(async () => {
  await Promise.all([first.close(), second.close(), third.close()]);
});

async function contentOf(t: TestHearth) {
  const topics = await t.ctx.db.selectFrom('topics').select(['title', 'body_md', 'kind', 'reply_count']).orderBy('id').execute();
  const replies = await t.ctx.db.selectFrom('replies').select(['body_md']).orderBy('id').execute();
  const users = await t.ctx.db.selectFrom('users').select(['display_name', 'username', 'role']).orderBy('id').execute();
  return { topics, replies, users };
}

describe('demo community', () => {
  it('is the same for the same seed, different for another, and realistic in size', async () => {
    const started = performance.now();
    const result = await seedDemo(first.ctx, { seed: 7, store: false });
    const elapsed = performance.now() - started;
    await seedDemo(second.ctx, { seed: 7, store: false });
    await seedDemo(third.ctx, { seed: 8, store: false });

    const a = await contentOf(first);
    const b = await contentOf(second);
    const c = await contentOf(third);
    expect(a.topics.map((x) => x.title)).toEqual(b.topics.map((x) => x.title));
    expect(a).toEqual(b);
    expect(c.topics.map((x) => x.title)).not.toEqual(a.topics.map((x) => x.title));

    expect(result.members).toBe(63);
    expect(result.topics).toBe(99);
    expect(result.replies).toBeGreaterThan(300);
    expect(result.replies).toBeLessThan(500);
    expect(a.users.filter((u) => u.role === 'moderator')).toHaveLength(2);
    expect(new Set(a.users.map((u) => u.display_name)).size).toBe(a.users.length);
    expect(a.topics.filter((x) => x.kind === 'announcement')).toHaveLength(7);
    expect(new Set(a.topics.map((x) => x.title)).size).toBe(99);
    // Fast enough for the first start (the target is under 3 s on PGlite; leave room for a busy CI machine).
    expect(elapsed).toBeLessThan(8000);
    first.ctx.log.info({ ms: Math.round(elapsed) }, 'demo seeded');
  });

  it('keeps counters and timestamps consistent with the replies', async () => {
    const db = first.ctx.db;
    const topics = await db.selectFrom('topics').selectAll().execute();
    const replies = await db.selectFrom('replies').selectAll().orderBy('created_at').orderBy('id').execute();
    for (const topic of topics) {
      const own = replies.filter((r) => r.topic_id === topic.id);
      expect(topic.reply_count).toBe(own.length);
      const last = own.at(-1);
      expect(topic.last_activity_at.getTime()).toBe((last?.created_at ?? topic.created_at).getTime());
      expect(topic.last_reply_user_id).toBe(last?.author_id ?? null);
      for (const r of own) expect(r.created_at.getTime()).toBeGreaterThan(topic.created_at.getTime());
      if (topic.accepted_reply_id !== null) {
        expect(topic.kind).toBe('question');
        const answer = own.find((r) => r.id === topic.accepted_reply_id);
        expect(answer?.author_id).not.toBe(topic.author_id);
        expect(topic.solved_at?.getTime()).toBeGreaterThanOrEqual(answer?.created_at.getTime() ?? Infinity);
      }
    }
    const solved = topics.filter((t) => t.accepted_reply_id !== null).length;
    expect(solved).toBeGreaterThan(10);
    expect(topics.filter((t) => t.pinned).map((t) => t.kind)).toEqual(['announcement']);
    const spaces = await db.selectFrom('spaces').select(['slug', 'topic_count', 'reply_count']).orderBy('position').execute();
    expect(spaces.map((s) => s.slug)).toEqual(['ask', 'trail-stories', 'gear-talk', 'product-ideas', 'announcements', 'care-repair', 'field-testers', 'summit-insiders']);
    expect(spaces.reduce((n, s) => n + s.topic_count, 0)).toBe(99);
    expect(spaces.reduce((n, s) => n + s.reply_count, 0)).toBe(replies.length);
  });

  it('signs in the demo admin with the documented password and leaves a restart alone', async () => {
    const admin = await first.ctx.db.selectFrom('users').select(['password_hash', 'role', 'display_name']).where('email', '=', DEMO_ADMIN.email).executeTakeFirstOrThrow();
    expect(admin.role).toBe('admin');
    expect(admin.display_name).toBe(DEMO_ADMIN.displayName);
    expect(await verifyPassword(admin.password_hash ?? '', DEMO_ADMIN.password)).toBe(true);
    expect(await seedDemoIfEmpty(first.ctx)).toBeNull();
    await expect(seedDemo(first.ctx, { seed: 7 })).rejects.toThrow(/already has members/);
  });

  it('shows a living home page: site name, spaces and latest topics', async () => {
    const res = await new TestClient(first.hearth).get('/');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<title>Juniper Community</title>');
    for (const name of ['Ask the Community', 'Trail Stories', 'Gear Talk', 'Product Ideas', 'Announcements', 'Care &amp; Repair']) expect(html).toContain(name);
    const latest = await first.ctx.db
      .selectFrom('topics')
      .innerJoin('spaces', 'spaces.id', 'topics.space_id')
      .select('topics.title')
      .where('spaces.visibility', '=', 'public')
      .orderBy('topics.last_activity_at', 'desc')
      .limit(3)
      .execute();
    for (const t of latest) expect(html).toContain(t.title.replace(/&/g, '&amp;').replace(/'/g, '&#39;'));
    expect(html).toContain('Solved');
    expect(html).not.toContain('Juniper Field Testers');
    expect(html).not.toContain('Summit Insiders');
  });

  it('keeps its private and exclusive spaces closed: only insiders write there, outsiders see nothing', async () => {
    const db = first.ctx.db;
    const closed = await db.selectFrom('spaces').select(['id', 'slug', 'visibility']).where('visibility', 'in', ['private', 'exclusive']).orderBy('position').execute();
    expect(closed.map((s) => [s.slug, s.visibility])).toEqual([
      ['field-testers', 'private'],
      ['summit-insiders', 'exclusive'],
    ]);
    const [testers, insiders] = closed;
    const members = await db.selectFrom('space_members').select('user_id').where('space_id', '=', testers?.id ?? 0).execute();
    expect(members).toHaveLength(8);
    const rule = await db.selectFrom('space_access_rules').select(['kind', 'config']).where('space_id', '=', insiders?.id ?? 0).executeTakeFirstOrThrow();
    expect(rule.kind).toBe('user_list');
    const staff = await db.selectFrom('users').select('id').where('role', 'in', ['moderator', 'admin']).execute();
    const allowedInTesters = new Set([...members.map((m) => m.user_id), ...staff.map((u) => u.id)]);
    const testerPosts = await db.selectFrom('topics').select(['author_id', 'title']).where('space_id', '=', testers?.id ?? 0).execute();
    expect(testerPosts).toHaveLength(5);
    for (const post of testerPosts) expect(allowedInTesters.has(post.author_id)).toBe(true);
    expect(await db.selectFrom('space_join_requests').select('status').where('space_id', '=', testers?.id ?? 0).execute()).toEqual([{ status: 'pending' }]);

    const anonymous = new TestClient(first.hearth);
    expect((await anonymous.get('/s/field-testers')).status).toBe(404);
    expect((await anonymous.get('/s/summit-insiders')).status).toBe(404);
    const secret = testerPosts[0]?.title ?? '';
    const feed = await (await anonymous.get('/api/v1/topics?limit=100')).json();
    expect(feed.items.map((x: { title: string }) => x.title)).not.toContain(secret);
  });

  it('records the history of the community in the event stream, without queueing work for it', async () => {
    const db = first.ctx.db;
    const names = await db.selectFrom('domain_events').select(['name', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('name').orderBy('name').execute();
    const replies = await db.selectFrom('replies').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const solved = await db.selectFrom('topics').select((eb) => eb.fn.countAll<number>().as('n')).where('accepted_reply_id', 'is not', null).executeTakeFirstOrThrow();
    expect(Object.fromEntries(names.map((r) => [r.name, Number(r.n)]))).toEqual({
      'answer.accepted': Number(solved.n),
      'reply.created': Number(replies.n),
      'topic.created': 99,
      'user.registered': 63,
    });
    const oldest = await db.selectFrom('domain_events').select('occurred_at').orderBy('occurred_at').executeTakeFirstOrThrow();
    expect(oldest.occurred_at.getTime()).toBeLessThan(Date.now() - 500 * 86_400_000);
    expect(await db.selectFrom('jobs').select('id').where('event_id', 'is not', null).execute()).toEqual([]);
  });

  it('fills the demo store: products, member and non-member customers, orders, refunds, and the points they earned', async () => {
    const result = await seedDemoStore(second.ctx, 7);
    const db = second.ctx.db;
    expect(result.products).toBe(15);
    expect(result.orders).toBeGreaterThan(150);
    expect(result.refunds).toBeGreaterThan(0);
    const customers = await db.selectFrom('commerce_customers').select(['user_id']).execute();
    const linked = customers.filter((c) => c.user_id !== null).length;
    expect(linked).toBeGreaterThan(30);
    expect(customers.length - linked).toBe(50);
    // Every paid order was recorded by loyalty as of the day it was paid.
    const paid = await db.selectFrom('commerce_orders').select('id').where('paid_at', 'is not', null).execute();
    const recorded = await db.selectFrom('loyalty_orders').select('order_id').execute();
    expect(recorded.length).toBe(paid.length);
    const kinds = await db.selectFrom('loyalty_entries').select('kind').distinct().execute();
    expect(kinds.map((k) => k.kind).sort()).toEqual(expect.arrayContaining(['expire', 'pending', 'post']));
    // Entries are dated when they happened, and the ledger is append-only again afterwards.
    const oldest = await db.selectFrom('loyalty_entries').select((eb) => eb.fn.min('created_at').as('at')).executeTakeFirstOrThrow();
    expect(new Date(oldest.at as Date).getTime()).toBeLessThan(Date.now() - 300 * 86_400_000);
    await expect(db.updateTable('loyalty_entries').set({ points: 1 }).execute()).rejects.toThrow(/append-only/);
    const member = await db
      .selectFrom('loyalty_accounts')
      .select(['balance', 'tier_id'])
      .where('user_id', 'is not', null)
      .where('merged_into', 'is', null)
      .orderBy('balance', 'desc')
      .executeTakeFirstOrThrow();
    expect(Number(member.balance)).toBeGreaterThan(200);
    expect(member.tier_id).not.toBeNull();
    // The same seeds (first and second hold the same community) give the same store.
    await seedDemoStore(first.ctx, 7);
    const totals = async (t: TestHearth) => (await t.ctx.db.selectFrom('commerce_orders').select(['name', 'total_minor']).orderBy('name').execute()).map((o) => `${o.name}:${o.total_minor}`);
    expect(await totals(first)).toEqual(await totals(second));
    // Two stores of 18 months each, order by order: about 15 s alone, several times that beside the rest of the suite.
  }, 180_000);
});
