import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHearth, TestClient, type TestHearth } from '../../../test/helpers.ts';
import { createSession } from '../accounts/sessions.ts';
import type { Role } from '../accounts/tables.ts';
import { setReaction } from './reactions.ts';
import { createReply, createTopic, type Viewer } from './service.ts';
import type { SpaceVisibility } from './tables.ts';

let t: TestHearth;
let dataDir: string;
let userSeq = 0;
const publicUrl = 'http://localhost:3000';

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'hearth-engagement-'));
  t = await createTestHearth({ dataDir });
});
afterAll(async () => {
  await t.close();
  await rm(dataDir, { recursive: true, force: true });
});

interface Member {
  id: number;
  username: string;
  viewer: NonNullable<Viewer>;
  client: TestClient;
}

async function member(role: Role = 'member', name?: string): Promise<Member> {
  userSeq++;
  const username = name ?? `member-${userSeq}`;
  const displayName = `Member ${userSeq}`;
  const email = `e${userSeq}@example.com`;
  const row = await t.ctx.db
    .insertInto('users')
    .values({ email, display_name: displayName, username, password_hash: null, role, email_verified_at: new Date(), notification_prefs: JSON.stringify({}) })
    .returning('id')
    .executeTakeFirstOrThrow();
  const client = new TestClient(t.hearth);
  client.cookies.set('hearth_session', await createSession(t.ctx.db, row.id, {}));
  return { id: row.id, username, viewer: { id: row.id, email, displayName, username, role, emailVerified: true, avatarPath: null }, client };
}

async function space(slug: string, visibility: SpaceVisibility = 'public') {
  return t.ctx.db.insertInto('spaces').values({ slug, name: `Space ${slug}`, visibility }).returning(['id', 'slug']).executeTakeFirstOrThrow();
}

async function topicIn(slug: string, author: Member, title = 'A topic about tents', body = 'Opening post.') {
  return createTopic(t.ctx, author.viewer, { space: slug, kind: 'discussion', title, body, pinned: false });
}

async function events(name: string) {
  return t.ctx.db.selectFrom('domain_events').select(['payload', 'actor_id']).where('name', '=', name).orderBy('id').execute();
}

async function counts(topicId: number, spaceId: number) {
  const topic = await t.ctx.db.selectFrom('topics').select('reply_count').where('id', '=', topicId).executeTakeFirstOrThrow();
  const s = await t.ctx.db.selectFrom('spaces').select(['topic_count', 'reply_count']).where('id', '=', spaceId).executeTakeFirstOrThrow();
  return { topicReplies: topic.reply_count, spaceTopics: s.topic_count, spaceReplies: s.reply_count };
}

describe('replies with reply-to and quotes', () => {
  it('pre-fills the reply box from ?quote= and ?replyTo=, and shows "in reply to @name"', async () => {
    await space('quotes');
    const asker = await member();
    const helper = await member();
    const topic = await topicIn('quotes', asker);
    const { reply } = await createReply(t.ctx, helper.viewer, topic.id, { body: 'Use a **footprint**.\n\nIt saves the floor.' });

    const quoted = await (await asker.client.get(`${topic.url}?quote=${reply.id}`)).text();
    expect(quoted).toContain(`&gt; @${helper.username} wrote:\n&gt;\n&gt; Use a **footprint**.\n&gt;\n&gt; It saves the floor.`);
    expect(quoted).toContain(`<input type="hidden" name="replyTo" value="${reply.id}"/>`);
    expect(quoted).toContain(`Replying to <a href="/r/${reply.id}">@${helper.username}</a>`);

    const replyTo = await (await asker.client.get(`${topic.url}?replyTo=${reply.id}`)).text();
    expect(replyTo).toContain(`<input type="hidden" name="replyTo" value="${reply.id}"/>`);
    expect(replyTo).not.toContain('wrote:');
    // Each reply offers Reply and Quote links that work without JavaScript.
    expect(replyTo).toContain(`href="${topic.url}?replyTo=${reply.id}#reply-form"`);
    expect(replyTo).toContain(`href="${topic.url}?quote=${reply.id}#reply-form"`);

    const res = await asker.client.postForm(`/t/${topic.id}/replies`, { body: 'Thanks, ordering one.', replyTo: String(reply.id) });
    expect(res.status).toBe(303);
    const answer = await t.ctx.db.selectFrom('replies').select(['id', 'reply_to_id']).where('body_md', '=', 'Thanks, ordering one.').executeTakeFirstOrThrow();
    expect(answer.reply_to_id).toBe(reply.id);
    const page = await (await new TestClient(t.hearth).get(topic.url)).text();
    expect(page).toContain(`<a class="small muted reply-context" href="/r/${reply.id}">`);
    expect(page).toContain(`in reply to @${helper.username}`);

    const jump = await new TestClient(t.hearth).get(`/r/${reply.id}`);
    expect(jump.status).toBe(302);
    expect(jump.headers.get('location')).toBe(`${topic.url}#reply-${reply.id}`);
  });

  it('ignores a quote of a reply from another topic', async () => {
    await space('quotes-2');
    const author = await member();
    const first = await topicIn('quotes-2', author, 'First topic here');
    const second = await topicIn('quotes-2', author, 'Second topic here');
    const other = await member();
    const { reply } = await createReply(t.ctx, other.viewer, first.id, { body: 'Elsewhere.' });
    const html = await (await author.client.get(`${second.url}?quote=${reply.id}`)).text();
    expect(html).not.toContain('wrote:');
    expect(html).not.toContain('name="replyTo"');
  });
});

describe('editing with history', () => {
  it('keeps the previous version, marks the post edited and publishes topic.edited', async () => {
    const { id: spaceId } = await space('edits');
    const author = await member();
    const topic = await topicIn('edits', author, 'Tent for two people', 'Which one?');

    const form = await author.client.get(`/t/${topic.id}/edit`);
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('Which one?');

    const res = await author.client.postForm(`/t/${topic.id}/edit`, { title: 'Tent for two people and a dog', body: 'Which one fits a dog too?' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/t/${topic.id}/tent-for-two-people-and-a-dog`);
    const row = await t.ctx.db.selectFrom('topics').select(['title', 'body_html', 'edited_at']).where('id', '=', topic.id).executeTakeFirstOrThrow();
    expect(row.title).toBe('Tent for two people and a dog');
    expect(row.body_html).toBe('<p>Which one fits a dog too?</p>');
    expect(row.edited_at).not.toBeNull();
    const revisions = await t.ctx.db.selectFrom('post_revisions').selectAll().where('topic_id', '=', topic.id).execute();
    expect(revisions).toHaveLength(1);
    expect(revisions[0]).toMatchObject({ reply_id: null, editor_id: author.id, old_title: 'Tent for two people', old_body_md: 'Which one?' });
    const edited = (await events('topic.edited')).at(-1);
    expect(edited?.payload).toMatchObject({ topicId: topic.id, spaceId, authorId: author.id, editorId: author.id, titleChanged: true });

    const page = await (await new TestClient(t.hearth).get(`/t/${topic.id}/tent-for-two-people-and-a-dog`)).text();
    expect(page).toContain(`href="/t/${topic.id}/revisions"`);
    expect(page).toContain('edited <time');

    const history = await new TestClient(t.hearth).get(`/t/${topic.id}/revisions`);
    expect(history.status).toBe(200);
    const historyHtml = await history.text();
    expect(historyHtml).toContain('Version 2');
    expect(historyHtml).toContain('<h3>Tent for two people</h3>');
    expect(historyHtml).toContain('<p>Which one?</p>');
    const json = await (await new TestClient(t.hearth).get(`/api/v1/topics/${topic.id}/revisions`)).json();
    expect(json.items.map((v: { version: number; title: string; current: boolean }) => [v.version, v.title, v.current])).toEqual([
      [2, 'Tent for two people and a dog', true],
      [1, 'Tent for two people', false],
    ]);

    // Saving without a change writes no revision.
    await author.client.postForm(`/t/${topic.id}/edit`, { title: 'Tent for two people and a dog', body: 'Which one fits a dog too?' });
    expect(await t.ctx.db.selectFrom('post_revisions').select('id').where('topic_id', '=', topic.id).execute()).toHaveLength(1);
  });

  it('lets only the author and staff edit: others get 403', async () => {
    await space('edits-2');
    const author = await member();
    const stranger = await member();
    const moderator = await member('moderator');
    const topic = await topicIn('edits-2', author);
    const { reply } = await createReply(t.ctx, author.viewer, topic.id, { body: 'My own reply.' });

    expect((await stranger.client.get(`/t/${topic.id}/edit`)).status).toBe(403);
    expect((await stranger.client.postForm(`/t/${topic.id}/edit`, { title: 'Hijacked title', body: 'Hijacked.' })).status).toBe(403);
    expect((await stranger.client.postForm(`/r/${reply.id}/edit`, { body: 'Hijacked.' })).status).toBe(403);
    expect((await stranger.client.json('PATCH', `/api/v1/replies/${reply.id}`, { body: 'Hijacked.' })).status).toBe(403);
    expect((await new TestClient(t.hearth).postForm(`/r/${reply.id}/edit`, { body: 'Anonymous.' })).status).toBe(401);
    const unchanged = await t.ctx.db.selectFrom('replies').select('body_md').where('id', '=', reply.id).executeTakeFirstOrThrow();
    expect(unchanged.body_md).toBe('My own reply.');

    const res = await moderator.client.postForm(`/r/${reply.id}/edit`, { body: 'Edited by a moderator.' });
    expect(res.status).toBe(303);
    const revision = await t.ctx.db.selectFrom('post_revisions').selectAll().where('reply_id', '=', reply.id).executeTakeFirstOrThrow();
    expect(revision).toMatchObject({ topic_id: topic.id, editor_id: moderator.id, old_title: null, old_body_md: 'My own reply.' });
    expect((await events('reply.edited')).at(-1)?.payload).toMatchObject({ replyId: reply.id, topicId: topic.id, authorId: author.id, editorId: moderator.id });

    const api = await author.client.json('PATCH', `/api/v1/replies/${reply.id}`, { body: 'Back to my words.' });
    expect(api.status).toBe(200);
    const history = await (await new TestClient(t.hearth).get(`/api/v1/replies/${reply.id}/revisions`)).json();
    expect(history.items.map((v: { bodyMarkdown: string; editor: { id: number } }) => [v.bodyMarkdown, v.editor.id])).toEqual([
      ['Back to my words.', author.id],
      ['Edited by a moderator.', moderator.id],
      ['My own reply.', author.id],
    ]);
  });
});

describe('soft delete and restore', () => {
  it('hides a deleted reply from visitors and members, shows staff a placeholder with Restore, and keeps counts right', async () => {
    const { id: spaceId } = await space('deletes');
    const author = await member();
    const replier = await member();
    const moderator = await member('moderator');
    const topic = await topicIn('deletes', author);
    const { reply } = await createReply(t.ctx, replier.viewer, topic.id, { body: 'Regrettable words here.' });
    await createReply(t.ctx, author.viewer, topic.id, { body: 'A reply that stays.' });
    expect(await counts(topic.id, spaceId)).toEqual({ topicReplies: 2, spaceTopics: 1, spaceReplies: 2 });

    expect((await author.client.postForm(`/r/${reply.id}/delete`, {})).status).toBe(403);
    expect((await replier.client.postForm(`/r/${reply.id}/delete`, {})).status).toBe(303);
    // A second delete (double submit) changes nothing.
    await replier.client.postForm(`/r/${reply.id}/delete`, {});
    expect(await counts(topic.id, spaceId)).toEqual({ topicReplies: 1, spaceTopics: 1, spaceReplies: 1 });
    expect((await events('reply.deleted')).filter((e) => (e.payload as { replyId: number }).replyId === reply.id)).toHaveLength(1);

    const anonymous = await (await new TestClient(t.hearth).get(topic.url)).text();
    expect(anonymous).not.toContain('Regrettable words');
    expect(anonymous).toContain('A reply that stays.');
    const memberView = await (await author.client.get(topic.url)).text();
    expect(memberView).not.toContain('Regrettable words');
    const apiReplies = await (await author.client.get(`/api/v1/topics/${topic.id}/replies`)).json();
    expect(apiReplies.items.map((r: { body: string; bodyMarkdown: string }) => r.bodyMarkdown)).toEqual(['A reply that stays.']);
    expect((await author.client.get(`/r/${reply.id}`)).status).toBe(404);

    const staffView = await (await moderator.client.get(topic.url)).text();
    expect(staffView).toContain('Regrettable words');
    expect(staffView).toContain('Deleted');
    expect(staffView).toContain(`action="/r/${reply.id}/restore"`);

    expect((await replier.client.postForm(`/r/${reply.id}/restore`, {})).status).toBe(404);
    expect((await moderator.client.postForm(`/r/${reply.id}/restore`, {})).status).toBe(303);
    expect(await counts(topic.id, spaceId)).toEqual({ topicReplies: 2, spaceTopics: 1, spaceReplies: 2 });
    expect((await events('reply.restored')).at(-1)?.payload).toMatchObject({ replyId: reply.id, topicId: topic.id, authorId: replier.id, restoredById: moderator.id });
    expect(await (await new TestClient(t.hearth).get(topic.url)).text()).toContain('Regrettable words');
  });

  it('deletes and restores a topic with its space counts, 404 to everyone but staff meanwhile', async () => {
    const { id: spaceId } = await space('deletes-2');
    const author = await member();
    const moderator = await member('moderator');
    const topic = await topicIn('deletes-2', author, 'Topic to be removed');
    const other = await member();
    const { reply } = await createReply(t.ctx, other.viewer, topic.id, { body: 'One.' });
    await createReply(t.ctx, other.viewer, topic.id, { body: 'Two.' });
    expect(await counts(topic.id, spaceId)).toEqual({ topicReplies: 2, spaceTopics: 1, spaceReplies: 2 });

    expect((await other.client.postForm(`/t/${topic.id}/delete`, {})).status).toBe(403);
    const res = await author.client.postForm(`/t/${topic.id}/delete`, {});
    expect(res.status).toBe(303);
    expect(await counts(topic.id, spaceId)).toEqual({ topicReplies: 2, spaceTopics: 0, spaceReplies: 0 });
    expect((await events('topic.deleted')).at(-1)?.payload).toMatchObject({ topicId: topic.id, spaceId, authorId: author.id, deletedById: author.id });

    expect((await new TestClient(t.hearth).get(topic.url)).status).toBe(404);
    expect((await author.client.get(topic.url)).status).toBe(404);
    expect((await author.client.get(`/api/v1/topics/${topic.id}`)).status).toBe(404);
    expect((await other.client.get(`/r/${reply.id}`)).status).toBe(404);
    const spacePage = await (await author.client.get('/s/deletes-2')).text();
    expect(spacePage).not.toContain('Topic to be removed');
    const staffPage = await moderator.client.get(topic.url);
    expect(staffPage.status).toBe(200);
    expect(await staffPage.text()).toContain(`action="/t/${topic.id}/restore"`);

    expect((await moderator.client.json('POST', `/api/v1/topics/${topic.id}/restore`)).status).toBe(200);
    expect(await counts(topic.id, spaceId)).toEqual({ topicReplies: 2, spaceTopics: 1, spaceReplies: 2 });
    expect((await events('topic.restored')).at(-1)?.payload).toMatchObject({ topicId: topic.id, restoredById: moderator.id });
    expect((await new TestClient(t.hearth).get(topic.url)).status).toBe(200);
  });
});

describe('reactions', () => {
  it('toggles with a form, stays unique under a double submit, counts, and publishes events with the post author', async () => {
    const { id: spaceId } = await space('reactions');
    const author = await member();
    const fan = await member();
    const topic = await topicIn('reactions', author);
    const { reply } = await createReply(t.ctx, author.viewer, topic.id, { body: 'Likeable reply.' });

    const first = await fan.client.postForm(`/t/${topic.id}/reactions`, { replyId: String(reply.id), reaction: 'on:like' });
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe(`${topic.url}#reply-${reply.id}`);
    await fan.client.postForm(`/t/${topic.id}/reactions`, { replyId: String(reply.id), reaction: 'on:like' });
    // Two at once: the unique constraint settles it.
    await Promise.all([setReaction(t.ctx, fan.viewer, { topicId: topic.id, replyId: null }, 'heart', true), setReaction(t.ctx, fan.viewer, { topicId: topic.id, replyId: null }, 'heart', true)]);
    const rows = await t.ctx.db.selectFrom('reactions').select(['reply_id', 'kind', 'user_id']).where('topic_id', '=', topic.id).orderBy('id').execute();
    expect(rows).toEqual([
      { reply_id: reply.id, kind: 'like', user_id: fan.id },
      { reply_id: null, kind: 'heart', user_id: fan.id },
    ]);
    const added = (await events('reaction.added')).filter((e) => (e.payload as { topicId: number }).topicId === topic.id);
    expect(added.map((e) => e.payload)).toEqual([
      { topicId: topic.id, replyId: reply.id, spaceId, kind: 'like', userId: fan.id, postAuthorId: author.id },
      { topicId: topic.id, replyId: null, spaceId, kind: 'heart', userId: fan.id, postAuthorId: author.id },
    ]);

    const html = await (await fan.client.get(topic.url)).text();
    expect(html).toContain('aria-label="Like, 1"');
    expect(html).toContain(`value="off:like"`);
    expect(html).toContain('aria-label="Love, 1"');
    const anonymous = await (await new TestClient(t.hearth).get(topic.url)).text();
    expect(anonymous).toContain('<span class="reaction-count">1</span>');
    expect(anonymous).not.toContain('name="reaction"');

    // htmx gets just the bar back.
    const partial = await fan.client.request(`/t/${topic.id}/reactions`, {
      method: 'POST',
      body: new URLSearchParams({ replyId: String(reply.id), reaction: 'off:like', _csrf: fan.client.csrfToken }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: publicUrl, 'hx-request': 'true' },
    });
    expect(partial.status).toBe(200);
    const fragment = await partial.text();
    expect(fragment.startsWith('<form')).toBe(true);
    expect(fragment).toContain('value="on:like"');
    expect(fragment).not.toContain('<html');
    expect(await t.ctx.db.selectFrom('reactions').select('id').where('reply_id', '=', reply.id).execute()).toHaveLength(0);
    expect((await events('reaction.removed')).at(-1)?.payload).toMatchObject({ replyId: reply.id, kind: 'like', userId: fan.id, postAuthorId: author.id });

    // Removing what is not there publishes nothing.
    const removedBefore = (await events('reaction.removed')).length;
    await fan.client.postForm(`/t/${topic.id}/reactions`, { replyId: String(reply.id), reaction: 'off:like' });
    expect(await events('reaction.removed')).toHaveLength(removedBefore);

    expect((await author.client.postForm(`/t/${topic.id}/reactions`, { reaction: 'on:like' })).status).toBe(403);
    expect((await new TestClient(t.hearth).postForm(`/t/${topic.id}/reactions`, { reaction: 'on:like' })).status).toBe(401);
    expect((await fan.client.postForm(`/t/${topic.id}/reactions`, { reaction: 'on:thumbsdown' })).status).toBe(400);

    const api = await fan.client.json('PUT', `/api/v1/replies/${reply.id}/reactions/tada`);
    expect(api.status).toBe(200);
    const summary = await api.json();
    expect(summary.items.find((r: { kind: string }) => r.kind === 'tada')).toEqual({ kind: 'tada', count: 1, mine: true });
  });

  it('refuses reactions on a topic in a space the member cannot see', async () => {
    await space('reactions-private', 'private');
    const moderator = await member('moderator');
    const outsider = await member();
    const topic = await topicIn('reactions-private', moderator, 'Staff only matters');
    expect((await outsider.client.postForm(`/t/${topic.id}/reactions`, { reaction: 'on:like' })).status).toBe(404);
    expect((await outsider.client.get(`/api/v1/topics/${topic.id}/reactions`)).status).toBe(404);
  });
});

describe('bookmarks', () => {
  it('lists a member’s bookmarks, paginated, and drops those in a space that became hidden', async () => {
    const { id: insidersId } = await space('bookmarks-insiders', 'members');
    await space('bookmarks-open');
    const author = await member();
    const reader = await member();
    const hidden = await topicIn('bookmarks-insiders', author, 'Members only gear list');
    const open = await topicIn('bookmarks-open', author, 'Open trail report');
    const { reply } = await createReply(t.ctx, author.viewer, open.id, { body: 'A reply worth keeping.' });

    expect((await reader.client.postForm(`/t/${hidden.id}/bookmark`, { bookmark: 'on' })).status).toBe(303);
    await reader.client.postForm(`/t/${open.id}/bookmark`, { bookmark: 'on' });
    await reader.client.postForm(`/t/${open.id}/bookmark`, { bookmark: 'on' });
    await reader.client.postForm(`/t/${open.id}/bookmark`, { bookmark: 'on', replyId: String(reply.id) });
    expect(await t.ctx.db.selectFrom('bookmarks').select('id').where('user_id', '=', reader.id).execute()).toHaveLength(3);

    const first = await (await reader.client.get('/api/v1/bookmarks?limit=2')).json();
    expect(first.items.map((b: { topic: { id: number }; replyId: number | null }) => [b.topic.id, b.replyId])).toEqual([
      [open.id, reply.id],
      [open.id, null],
    ]);
    expect(first.items[0].url).toBe(`/r/${reply.id}`);
    expect(first.items[0].excerpt).toBe('A reply worth keeping.');
    const second = await (await reader.client.get(`/api/v1/bookmarks?limit=2&cursor=${encodeURIComponent(first.nextCursor)}`)).json();
    expect(second.items.map((b: { topic: { id: number } }) => b.topic.id)).toEqual([hidden.id]);
    expect(second.nextCursor).toBeNull();
    expect(await (await reader.client.get('/bookmarks')).text()).toContain('Members only gear list');

    // The space becomes private (staff only today): its content leaves the bookmarks, page and API.
    await t.ctx.db.updateTable('spaces').set({ visibility: 'private' }).where('id', '=', insidersId).execute();
    const page = await (await reader.client.get('/bookmarks')).text();
    expect(page).not.toContain('Members only gear list');
    expect(page).toContain('Open trail report');
    const api = await (await reader.client.get('/api/v1/bookmarks')).json();
    expect(api.items.map((b: { topic: { id: number } }) => b.topic.id)).toEqual([open.id, open.id]);

    // Unbookmarking, and the API's delete by id.
    await reader.client.postForm(`/t/${open.id}/bookmark`, { bookmark: 'off' });
    const left = await (await reader.client.get('/api/v1/bookmarks')).json();
    expect(left.items).toHaveLength(1);
    expect((await author.client.json('DELETE', `/api/v1/bookmarks/${left.items[0].id}`)).status).toBe(404);
    expect((await reader.client.json('DELETE', `/api/v1/bookmarks/${left.items[0].id}`)).status).toBe(200);
    expect((await (await reader.client.get('/api/v1/bookmarks')).json()).items).toEqual([]);

    expect((await new TestClient(t.hearth).get('/bookmarks')).status).toBe(303);
    expect((await reader.client.postForm(`/t/${hidden.id}/bookmark`, { bookmark: 'on' })).status).toBe(404);
  });
});

describe('image uploads', () => {
  async function upload(m: Member, bytes: Uint8Array, filename: string, path = '/api/v1/uploads'): Promise<Response> {
    await m.client.ensureCsrfToken();
    const form = new FormData();
    form.set('_csrf', m.client.csrfToken);
    form.set('alt', 'Camp at dusk');
    form.set('image', new Blob([new Uint8Array(bytes)], { type: 'image/png' }), filename);
    return m.client.request(path, { method: 'POST', body: form, headers: { origin: publicUrl } });
  }

  it('refuses a fake image and one larger than 8 MB', async () => {
    const uploader = await member();
    const fake = await upload(uploader, new TextEncoder().encode('<svg onload="alert(1)"></svg>'), 'photo.png');
    expect(fake.status).toBe(400);
    expect((await fake.json()).error.fields.image).toBe('That file is not a PNG, JPEG, WebP or GIF image.');
    // The right first bytes and nothing behind them.
    const header = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 1, 2, 3, 4]);
    const broken = await upload(uploader, header, 'broken.png');
    expect(broken.status).toBe(400);
    expect((await broken.json()).error.fields.image).toContain('could not be read');
    const large = new Uint8Array(8 * 1024 * 1024 + 1);
    large.set(header);
    const tooLarge = await upload(uploader, large, 'large.png');
    expect(tooLarge.status).toBe(400);
    expect((await tooLarge.json()).error.fields.image).toBe('That image is larger than 8 MB. Choose a smaller one.');
    expect(await t.ctx.db.selectFrom('uploads').select('id').where('owner_id', '=', uploader.id).execute()).toHaveLength(0);
    expect((await upload(await member(), header, 'x.png', '/upload')).status).toBe(400);
  });

  it('stores a real PNG with a thumbnail and records it', async () => {
    const uploader = await member();
    const png = await sharp({ create: { width: 1200, height: 800, channels: 3, background: '#2a7' } }).png().toBuffer();
    const res = await upload(uploader, png, 'camp.png');
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body.url).toMatch(new RegExp(`^/uploads/images/${uploader.id}/[0-9a-f]{24}\\.png$`));
    expect(body.thumbnailUrl).toBe(body.url.replace('.png', '-thumb.webp'));
    expect(body).toMatchObject({ contentType: 'image/png', width: 1200, height: 800 });
    expect(body.markdown).toBe(`[![Camp at dusk](${body.thumbnailUrl})](${body.url})`);

    const thumb = await readFile(join(dataDir, body.thumbnailUrl.replace('/uploads/', 'uploads/')));
    const meta = await sharp(thumb).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['webp', 640, 427]);
    const served = await new TestClient(t.hearth).get(body.url);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/png');
    const row = await t.ctx.db.selectFrom('uploads').selectAll().where('id', '=', body.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ owner_id: uploader.id, content_type: 'image/png', width: 1200, height: 800, size_bytes: body.sizeBytes });

    // The page for members without JavaScript hands back the Markdown to paste.
    const page = await upload(uploader, png, 'camp.png', '/upload');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('[![Camp at dusk](/uploads/images/');
    // The post renders the image: our uploads pass the sanitiser.
    await space('stories');
    const story = await createTopic(t.ctx, uploader.viewer, { space: 'stories', kind: 'story', title: 'Our camp by the lake', body: body.markdown, pinned: false });
    const html = await (await new TestClient(t.hearth).get(story.url)).text();
    expect(html).toContain(`<a href="${body.url}" rel="nofollow ugc noopener"><img src="${body.thumbnailUrl}" alt="Camp at dusk" /></a>`);
  });

  it('needs a signed-in member', async () => {
    const anonymous = new TestClient(t.hearth);
    await anonymous.ensureCsrfToken();
    const form = new FormData();
    form.set('image', new Blob([new Uint8Array([1, 2, 3])]), 'x.png');
    const res = await anonymous.request('/api/v1/uploads', { method: 'POST', body: form, headers: { origin: publicUrl, 'x-csrf-token': anonymous.csrfToken } });
    expect(res.status).toBe(401);
  });
});

describe('writing help', () => {
  it('previews Markdown through the sanitiser', async () => {
    const writer = await member();
    const res = await writer.client.json('POST', '/api/v1/markdown/preview', {
      markdown: '**Hi** <script>alert(1)</script> [x](javascript:alert(1)) ![i](http://evil.example/x.png) <img src=x onerror=alert(1)>',
    });
    expect(res.status).toBe(200);
    const { html } = await res.json();
    expect(html).toContain('<strong>Hi</strong>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script');
    // markdown-it refuses the javascript: link, so it stays text; raw HTML is shown as text too.
    expect(html).not.toContain('href="javascript');
    expect(html).toContain('[x](javascript:alert(1))');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<a');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect((await new TestClient(t.hearth).json('POST', '/api/v1/markdown/preview', { markdown: 'x' })).status).toBe(401);
    // Without the CSRF header a cookie-authenticated preview is refused.
    const noToken = await writer.client.request('/api/v1/markdown/preview', { method: 'POST', body: JSON.stringify({ markdown: 'x' }), headers: { 'content-type': 'application/json' } });
    expect(noToken.status).toBe(403);
  });

  it('suggests members to mention, and never one who cannot see the topic’s space', async () => {
    await space('mentions-private', 'private');
    await space('mentions-open');
    const moderator = await member('moderator', 'zeta-mod');
    const outsider = await member('member', 'zed-member');
    const privateTopic = await topicIn('mentions-private', moderator, 'Staff planning thread');
    const openTopic = await topicIn('mentions-open', moderator, 'Open planning thread');

    const everyone = await (await moderator.client.get('/api/v1/mentions?q=ze')).json();
    expect(everyone.items.map((m: { username: string }) => m.username)).toEqual(['zed-member', 'zeta-mod']);
    const inPrivate = await (await moderator.client.get(`/api/v1/mentions?q=%40ze&topicId=${privateTopic.id}`)).json();
    expect(inPrivate.items.map((m: { username: string }) => m.username)).toEqual(['zeta-mod']);
    const inOpen = await (await moderator.client.get(`/api/v1/mentions?q=ZE&topicId=${openTopic.id}`)).json();
    expect(inOpen.items.map((m: { username: string }) => m.username)).toEqual(['zed-member', 'zeta-mod']);
    // Display names match too, and LIKE wildcards are taken literally.
    const byName = await (await outsider.client.get('/api/v1/mentions?q=Member')).json();
    expect(byName.items.length).toBeGreaterThan(1);
    expect((await (await outsider.client.get('/api/v1/mentions?q=%25')).json()).items).toEqual([]);

    // The outsider cannot learn about the private topic through mentions either.
    expect((await outsider.client.get(`/api/v1/mentions?q=ze&topicId=${privateTopic.id}`)).status).toBe(404);
    expect((await new TestClient(t.hearth).get('/api/v1/mentions?q=ze')).status).toBe(401);
  });
});
