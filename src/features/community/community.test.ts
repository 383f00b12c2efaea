import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHearth, TestClient, type TestHearth } from '../../../test/helpers.ts';
import { createSession } from '../accounts/sessions.ts';
import type { Role } from '../accounts/tables.ts';
import { createTopic, type Viewer } from './service.ts';
import type { SpaceVisibility, TopicKind } from './tables.ts';
import { TopicViewCounter, topicViewCounter } from './view-counter.ts';
import { communityFeature } from './feature.ts';

let t: TestHearth;
let userSeq = 0;

beforeAll(async () => {
  t = await createTestHearth();
});
afterAll(async () => {
  await t.close();
});

interface Member {
  id: number;
  viewer: NonNullable<Viewer>;
  client: TestClient;
}

async function member(role: Role = 'member', verified = true): Promise<Member> {
  userSeq++;
  const name = `Member ${userSeq}`;
  const row = await t.ctx.db
    .insertInto('users')
    .values({
      email: `m${userSeq}@example.com`,
      display_name: name,
      username: `member-${userSeq}`,
      password_hash: null,
      role,
      email_verified_at: verified ? new Date() : null,
      notification_prefs: JSON.stringify({}),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const client = new TestClient(t.hearth);
  client.cookies.set('hearth_session', await createSession(t.ctx.db, row.id, {}));
  const viewer = { id: row.id, email: `m${userSeq}@example.com`, displayName: name, username: `member-${userSeq}`, role, emailVerified: verified, avatarPath: null };
  return { id: row.id, viewer, client };
}

async function space(slug: string, visibility: SpaceVisibility = 'public', defaultKind: TopicKind = 'discussion') {
  return t.ctx.db
    .insertInto('spaces')
    .values({ slug, name: `Space ${slug}`, description: `About ${slug}`, visibility, default_kind: defaultKind })
    .returning(['id', 'slug'])
    .executeTakeFirstOrThrow();
}

async function count(table: 'topics' | 'replies' | 'domain_events', where?: { column: 'name'; value: string }): Promise<number> {
  let q = t.ctx.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n'));
  if (where) q = q.where(sql.ref(where.column), '=', where.value);
  const row = await q.executeTakeFirstOrThrow();
  return Number(row.n);
}

function locationOf(res: Response): string {
  return res.headers.get('location') ?? '';
}

describe('visibility', () => {
  it('hides a members-only space and its topics from anonymous visitors, everywhere', async () => {
    await space('insiders', 'members');
    await space('open-talk', 'public');
    const author = await member();
    const hidden = await createTopic(t.ctx, author.viewer, { space: 'insiders', kind: 'discussion', title: 'Secret sample sale for members', body: 'Members only.', pinned: false });
    const visible = await createTopic(t.ctx, author.viewer, { space: 'open-talk', kind: 'discussion', title: 'Favourite trail snacks', body: 'Go.', pinned: false });

    const anonymous = new TestClient(t.hearth);
    expect((await anonymous.get(hidden.url)).status).toBe(404);
    expect((await anonymous.get('/s/insiders')).status).toBe(404);
    const home = await (await anonymous.get('/')).text();
    expect(home).toContain('Favourite trail snacks');
    expect(home).not.toContain('Secret sample sale');
    expect(home).not.toContain('Space insiders');

    const spaces = await (await anonymous.get('/api/v1/spaces')).json();
    expect(spaces.items.map((s: { slug: string }) => s.slug)).toEqual(['open-talk']);
    expect((await anonymous.get('/api/v1/spaces/insiders/topics')).status).toBe(404);
    expect((await anonymous.get(`/api/v1/topics/${hidden.id}`)).status).toBe(404);
    expect((await anonymous.get(`/api/v1/topics/${visible.id}`)).status).toBe(200);
    const latest = await (await anonymous.get('/api/v1/topics')).json();
    expect(latest.items.map((x: { id: number }) => x.id)).toEqual([visible.id]);
    expect((await anonymous.get(`/t/${hidden.id}`)).status).toBe(404);

    const reader = await member();
    const page = await reader.client.get(hidden.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Secret sample sale for members');
    const memberHome = await (await reader.client.get('/')).text();
    expect(memberHome).toContain('Secret sample sale');
    const memberSpaces = await (await reader.client.get('/api/v1/spaces')).json();
    expect(memberSpaces.items.map((s: { slug: string }) => s.slug)).toContain('insiders');
    const memberLatest = await (await reader.client.get('/api/v1/topics')).json();
    expect(memberLatest.items.map((x: { id: number }) => x.id)).toEqual([visible.id, hidden.id]);
  });
});

describe('creating topics', () => {
  it('writes the topic, the space count and a topic.created event together, and redirects to the topic', async () => {
    const { id: spaceId } = await space('gear');
    const author = await member();
    const eventsBefore = await count('domain_events', { column: 'name', value: 'topic.created' });
    const res = await author.client.postForm('/new', { space: 'gear', kind: 'question', title: 'Which stove for winter camping?', body: 'Thinking **gas** vs liquid fuel.' });
    expect(res.status).toBe(303);
    const topic = await t.ctx.db.selectFrom('topics').selectAll().where('title', '=', 'Which stove for winter camping?').executeTakeFirstOrThrow();
    expect(locationOf(res)).toBe(`/t/${topic.id}/which-stove-for-winter-camping`);
    expect(topic.kind).toBe('question');
    expect(topic.author_id).toBe(author.id);
    expect(topic.body_html).toBe('<p>Thinking <strong>gas</strong> vs liquid fuel.</p>');
    const event = await t.ctx.db.selectFrom('domain_events').selectAll().where('name', '=', 'topic.created').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(event.payload).toEqual({ topicId: topic.id, spaceId, authorId: author.id, kind: 'question' });
    expect(event.actor_id).toBe(author.id);
    expect(await count('domain_events', { column: 'name', value: 'topic.created' })).toBe(eventsBefore + 1);
    const row = await t.ctx.db.selectFrom('spaces').select('topic_count').where('id', '=', spaceId).executeTakeFirstOrThrow();
    expect(row.topic_count).toBe(1);

    const page = await author.client.get(locationOf(res));
    const html = await page.text();
    expect(html).toContain('Which stove for winter camping?');
    expect(html).toContain('<strong>gas</strong>');
  });

  it('writes no topic when the event cannot be written', async () => {
    await space('atomic');
    const author = await member();
    const before = await count('topics');
    await sql`alter table domain_events rename to domain_events_away`.execute(t.ctx.db);
    try {
      await expect(createTopic(t.ctx, author.viewer, { space: 'atomic', kind: 'discussion', title: 'This should roll back', body: 'x', pinned: false })).rejects.toThrow();
    } finally {
      await sql`alter table domain_events_away rename to domain_events`.execute(t.ctx.db);
    }
    expect(await count('topics')).toBe(before);
    const spaceRow = await t.ctx.db.selectFrom('spaces').select('topic_count').where('slug', '=', 'atomic').executeTakeFirstOrThrow();
    expect(spaceRow.topic_count).toBe(0);
  });

  it('refuses malformed input with field errors and writes nothing', async () => {
    await space('strict');
    await space('news', 'public', 'announcement');
    const author = await member();
    const topicsBefore = await count('topics');
    const eventsBefore = await count('domain_events');

    const emptyTitle = await author.client.postForm('/new', { space: 'strict', kind: 'discussion', title: '   ', body: 'Body' });
    expect(emptyTitle.status).toBe(400);
    const emptyHtml = await emptyTitle.text();
    expect(emptyHtml).toContain('Give your topic a title.');
    expect(emptyHtml).toContain('Body');

    const unknownKind = await author.client.postForm('/new', { space: 'strict', kind: 'rant', title: 'A proper title', body: 'Body' });
    expect(unknownKind.status).toBe(400);
    expect(await unknownKind.text()).toContain('Choose a question, discussion, story or announcement.');

    const announcement = await author.client.postForm('/new', { space: 'strict', kind: 'announcement', title: 'Big news everyone', body: 'Body' });
    expect(announcement.status).toBe(403);
    expect(await announcement.text()).toContain('Only moderators can post announcements; choose another kind.');

    const staffSpace = await author.client.postForm('/new', { space: 'news', kind: 'discussion', title: 'Not an announcement', body: 'Body' });
    expect(staffSpace.status).toBe(403);

    const api = await author.client.json('POST', '/api/v1/topics', { space: 'strict', kind: 'rant', title: '', body: '' });
    expect(api.status).toBe(400);
    const error = (await api.json()).error;
    expect(error.code).toBe('validation_failed');
    expect(Object.keys(error.fields).sort()).toEqual(['body', 'kind', 'title']);

    const apiAnnouncement = await author.client.json('POST', '/api/v1/topics', { space: 'strict', kind: 'announcement', title: 'Big news everyone', body: 'Body' });
    expect(apiAnnouncement.status).toBe(403);
    expect((await apiAnnouncement.json()).error.fields).toEqual({ kind: 'Only moderators can post announcements; choose another kind.' });

    const unverified = await member('member', false);
    const unverifiedRes = await unverified.client.json('POST', '/api/v1/topics', { space: 'strict', kind: 'discussion', title: 'Hello there all', body: 'Body' });
    expect(unverifiedRes.status).toBe(403);

    const anonymous = new TestClient(t.hearth);
    expect((await anonymous.json('POST', '/api/v1/topics', { space: 'strict', kind: 'discussion', title: 'Hello there all', body: 'Body' })).status).toBe(401);

    expect(await count('topics')).toBe(topicsBefore);
    expect(await count('domain_events')).toBe(eventsBefore);

    const moderator = await member('moderator');
    const ok = await moderator.client.json('POST', '/api/v1/topics', { space: 'news', kind: 'announcement', title: 'Spring sale starts Monday', body: 'Body', pinned: true });
    expect(ok.status).toBe(201);
    const created = await ok.json();
    expect(created.kind).toBe('announcement');
    expect(created.pinned).toBe(true);
  });
});

describe('replies and accepted answers', () => {
  it('posts a reply, updating the topic and publishing reply.created', async () => {
    await space('help', 'public', 'question');
    const asker = await member();
    const helper = await member();
    const topic = await createTopic(t.ctx, asker.viewer, { space: 'help', kind: 'question', title: 'Tent zipper keeps splitting', body: 'Any fix?', pinned: false });

    const empty = await helper.client.postForm(`/t/${topic.id}/replies`, { body: '  ' });
    expect(empty.status).toBe(400);
    expect(await empty.text()).toContain('Write your reply first.');
    expect(await count('replies')).toBe(0);

    const res = await helper.client.postForm(`/t/${topic.id}/replies`, { body: 'Squeeze the slider gently with pliers.' });
    expect(res.status).toBe(303);
    const reply = await t.ctx.db.selectFrom('replies').selectAll().where('topic_id', '=', topic.id).executeTakeFirstOrThrow();
    expect(locationOf(res)).toBe(`${topic.url}#reply-${reply.id}`);
    const row = await t.ctx.db.selectFrom('topics').select(['reply_count', 'last_reply_user_id', 'last_activity_at']).where('id', '=', topic.id).executeTakeFirstOrThrow();
    expect(row.reply_count).toBe(1);
    expect(row.last_reply_user_id).toBe(helper.id);
    expect(row.last_activity_at.getTime()).toBe(reply.created_at.getTime());
    const event = await t.ctx.db.selectFrom('domain_events').selectAll().where('name', '=', 'reply.created').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(event.payload).toMatchObject({ replyId: reply.id, topicId: topic.id, authorId: helper.id, topicAuthorId: asker.id });
  });

  it('lets only the asker or a moderator accept an answer, and marks the question solved', async () => {
    const asker = await member();
    const helper = await member();
    const bystander = await member();
    const moderator = await member('moderator');
    const topic = await createTopic(t.ctx, asker.viewer, { space: 'help', kind: 'question', title: 'Best way to reproof a jacket?', body: 'It wets out.', pinned: false });
    await helper.client.postForm(`/t/${topic.id}/replies`, { body: 'Wash it, then tumble dry low.' });
    await moderator.client.postForm(`/t/${topic.id}/replies`, { body: 'Spray-on DWR works too.' });
    const [first, second] = await t.ctx.db.selectFrom('replies').select(['id', 'author_id']).where('topic_id', '=', topic.id).orderBy('id').execute();
    if (!first || !second) throw new Error('replies missing');

    const refused = await bystander.client.postForm(`/t/${topic.id}/accept`, { replyId: String(first.id) });
    expect(refused.status).toBe(403);
    const refusedApi = await bystander.client.json('POST', `/api/v1/topics/${topic.id}/accept`, { replyId: first.id });
    expect(refusedApi.status).toBe(403);
    expect((await refusedApi.json()).error.code).toBe('forbidden');
    expect(await count('domain_events', { column: 'name', value: 'answer.accepted' })).toBe(0);

    const pageForBystander = await (await bystander.client.get(topic.url)).text();
    expect(pageForBystander).not.toContain('Accept as answer');
    const pageForAsker = await (await asker.client.get(topic.url)).text();
    expect(pageForAsker).toContain('Accept as answer');

    const accepted = await asker.client.postForm(`/t/${topic.id}/accept`, { replyId: String(first.id) });
    expect(accepted.status).toBe(303);
    const row = await t.ctx.db.selectFrom('topics').select(['accepted_reply_id', 'solved_at']).where('id', '=', topic.id).executeTakeFirstOrThrow();
    expect(row.accepted_reply_id).toBe(first.id);
    expect(row.solved_at).toBeInstanceOf(Date);
    const event = await t.ctx.db.selectFrom('domain_events').selectAll().where('name', '=', 'answer.accepted').executeTakeFirstOrThrow();
    expect(event.payload).toMatchObject({ topicId: topic.id, replyId: first.id, answererId: helper.id, askerId: asker.id, acceptedById: asker.id });

    const page = await (await new TestClient(t.hearth).get(topic.url)).text();
    expect(page).toContain('Solved');
    expect(page).toContain('Accepted answer');

    const byModerator = await moderator.client.json('POST', `/api/v1/topics/${topic.id}/accept`, { replyId: second.id });
    expect(byModerator.status).toBe(200);
    const json = await byModerator.json();
    expect(json.acceptedReplyId).toBe(second.id);
    expect(json.solved).toBe(true);
    expect(json.replies.items.find((r: { id: number }) => r.id === second.id).accepted).toBe(true);

    const discussion = await createTopic(t.ctx, asker.viewer, { space: 'help', kind: 'discussion', title: 'Not a question at all', body: 'Chat.', pinned: false });
    const notQuestion = await asker.client.json('POST', `/api/v1/topics/${discussion.id}/accept`, { replyId: first.id });
    expect(notQuestion.status).toBe(400);
  });
});

describe('pagination and canonical URLs', () => {
  it('returns every topic of a space exactly once across cursor pages, newest activity first', async () => {
    const { id: spaceId } = await space('paged');
    const author = await member();
    const base = Date.parse('2025-01-01T00:00:00Z');
    // Several topics share a timestamp, so the id must break ties; microseconds exercise the cursor's precision.
    const rows = Array.from({ length: 57 }, (_, i) => ({
      space_id: spaceId,
      author_id: author.id,
      kind: 'discussion' as const,
      title: `Paged topic ${i}`,
      slug: `paged-topic-${i}`,
      body_md: 'x',
      body_html: '<p>x</p>',
      last_activity_at: sql<Date>`${new Date(base + Math.floor(i / 3) * 1000).toISOString()}::timestamptz + ${`${i % 2} microseconds`}::interval`,
    }));
    await t.ctx.db.insertInto('topics').values(rows).execute();

    const anonymous = new TestClient(t.hearth);
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await anonymous.get(`/api/v1/spaces/paged/topics?limit=10${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      const page: { items: Array<{ id: number }>; nextCursor: string | null } = await res.json();
      seen.push(...page.items.map((x) => x.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(6);
    expect(seen).toHaveLength(57);
    expect(new Set(seen).size).toBe(57);
    const expected = await t.ctx.db.selectFrom('topics').select('id').where('space_id', '=', spaceId).orderBy('last_activity_at', 'desc').orderBy('id', 'desc').execute();
    expect(seen).toEqual(expected.map((r) => r.id));

    const first = await (await anonymous.get('/s/paged')).text();
    const next = /href="(\/s\/paged\?cursor=[^"]+)"/.exec(first)?.[1];
    expect(next).toBeDefined();
    const second = await anonymous.get((next ?? '').replace(/&amp;/g, '&'));
    expect(second.status).toBe(200);
    expect((await anonymous.get('/api/v1/spaces/paged/topics?cursor=garbage')).status).toBe(400);
  });

  it('redirects a wrong or missing slug to the canonical topic URL', async () => {
    const author = await member();
    const topic = await createTopic(t.ctx, author.viewer, { space: 'gear', kind: 'discussion', title: 'Trekking poles: worth it?', body: 'Discuss.', pinned: false });
    const anonymous = new TestClient(t.hearth);
    const wrong = await anonymous.get(`/t/${topic.id}/old-title`);
    expect(wrong.status).toBe(301);
    expect(locationOf(wrong)).toBe('/t/' + topic.id + '/trekking-poles-worth-it');
    const bare = await anonymous.get(`/t/${topic.id}`);
    expect(bare.status).toBe(301);
    expect(locationOf(bare)).toBe(topic.url);
    expect((await anonymous.get('/t/999999/nothing')).status).toBe(404);
  });
});

describe('replies on later pages and the API document', () => {
  it('sends the author of a reply to the page of replies that holds it', async () => {
    const asker = await member();
    const helper = await member();
    const topic = await createTopic(t.ctx, asker.viewer, { space: 'gear', kind: 'discussion', title: 'Long thread about socks', body: 'Socks.', pinned: false });
    const base = Date.parse('2025-03-01T00:00:00Z');
    await t.ctx.db
      .insertInto('replies')
      .values(Array.from({ length: 50 }, (_, i) => ({ topic_id: topic.id, author_id: helper.id, body_md: `Reply ${i}`, body_html: `<p>Reply ${i}</p>`, created_at: new Date(base + i * 1000) })))
      .execute();
    const res = await asker.client.postForm(`/t/${topic.id}/replies`, { body: 'Number fifty-one, on page two.' });
    expect(res.status).toBe(303);
    const to = locationOf(res);
    expect(to).toMatch(new RegExp(`^${topic.url}\\?cursor=[^#]+#reply-\\d+$`));
    const page = await (await asker.client.get(to.split('#')[0] ?? '')).text();
    expect(page).toContain('Number fifty-one, on page two.');
    expect(page).not.toContain('<p>Reply 0</p>');
    const first = await (await asker.client.get(topic.url)).text();
    expect(first).toContain('<p>Reply 0</p>');
    expect(first).not.toContain('Number fifty-one');
  });

  it('filters a space by kind and documents every community endpoint', async () => {
    const anonymous = new TestClient(t.hearth);
    const questions = await (await anonymous.get('/api/v1/spaces/help/topics?kind=question&limit=100')).json();
    expect(questions.items.length).toBeGreaterThan(0);
    expect(new Set(questions.items.map((x: { kind: string }) => x.kind))).toEqual(new Set(['question']));
    expect((await anonymous.get('/api/v1/spaces/help/topics?kind=rant')).status).toBe(400);
    const page = await (await anonymous.get('/s/help?kind=question')).text();
    expect(page).not.toContain('Not a question at all');
    expect(page).toContain('Best way to reproof a jacket?');

    const doc = await (await anonymous.get('/api/v1/openapi.json')).json();
    for (const path of ['/api/v1/spaces', '/api/v1/spaces/{slug}/topics', '/api/v1/topics', '/api/v1/topics/{id}', '/api/v1/topics/{id}/replies', '/api/v1/topics/{id}/accept']) {
      expect(doc.paths[path], path).toBeDefined();
    }
    expect(Object.keys(doc.paths['/api/v1/topics']).sort()).toEqual(['get', 'post']);
    expect(doc.paths['/api/v1/topics'].post.security).toEqual([{ bearerAuth: ['write'] }, { cookieAuth: [] }]);
  });
});

describe('view counting', () => {
  it('buffers views in memory and writes them in one batch', async () => {
    const author = await member();
    const topic = await createTopic(t.ctx, author.viewer, { space: 'gear', kind: 'story', title: 'Three days on the ridge', body: 'It rained.', pinned: false });
    const other = await createTopic(t.ctx, author.viewer, { space: 'gear', kind: 'story', title: 'A night under the stars', body: 'Clear.', pinned: false });
    const anonymous = new TestClient(t.hearth);
    const counter = topicViewCounter(t.ctx);
    await counter.flush();
    for (let i = 0; i < 3; i++) expect((await anonymous.get(topic.url)).status).toBe(200);
    await anonymous.get(other.url);
    const viewsOf = async (id: number) => (await t.ctx.db.selectFrom('topics').select('view_count').where('id', '=', id).executeTakeFirstOrThrow()).view_count;
    expect(await viewsOf(topic.id)).toBe(0);
    expect(counter.pendingViews).toBe(4);

    await counter.flush();
    expect(await viewsOf(topic.id)).toBe(3);
    expect(await viewsOf(other.id)).toBe(1);
    expect(counter.pendingViews).toBe(0);

    // Many waiting views are written at once, without waiting for the timer.
    const eager = new TopicViewCounter(t.ctx, { flushAfterMs: 60_000, flushAtViews: 3 });
    eager.record(other.id);
    eager.record(other.id);
    expect(await viewsOf(other.id)).toBe(1);
    eager.record(other.id);
    await eager.flush();
    expect(await viewsOf(other.id)).toBe(4);
    await eager.close();

    // Shutdown writes what is still buffered.
    await anonymous.get(topic.url);
    await communityFeature.close?.(t.ctx);
    expect(await viewsOf(topic.id)).toBe(4);
  });
});
