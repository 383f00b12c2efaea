import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHearth, TestClient, type TestHearth } from '../../../test/helpers.ts';
import { JobWorker } from '../../platform/jobs/worker.ts';
import { startSmtpSink, type SmtpSink } from '../accounts/testing/smtp-sink.ts';
import { acceptAnswer, createReply, createTopic } from '../community/service.ts';
import { sendDigests } from './digest.ts';
import { MAX_MENTIONS_PER_POST, parseMentions } from './mentions.ts';
import { drainJobs, makeMember, makeSpace, sseReader, type TestMember } from './testing.ts';
import { unsubscribeToken } from './unsubscribe.ts';

let t: TestHearth;
let sink: SmtpSink;
let worker: JobWorker;

beforeAll(async () => {
  sink = await startSmtpSink();
  t = await createTestHearth({ smtpUrl: sink.url });
  worker = new JobWorker(t.ctx);
});
afterAll(async () => {
  await t.close();
  await sink.close();
});

async function notificationsOf(userId: number) {
  return t.ctx.db.selectFrom('notifications').selectAll().where('recipient_id', '=', userId).orderBy('id').execute();
}

async function mailsTo(address: string) {
  return t.ctx.db.selectFrom('mail_messages').selectAll().where('to_address', '=', address).orderBy('id').execute();
}

/** A header of a received message, unfolded (long headers arrive split over lines). */
function headerOf(raw: string | undefined, name: string): string {
  const head = (raw ?? '').split(/\r?\n\r?\n/)[0] ?? '';
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  const line = unfolded.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  const value = line ? line.slice(name.length + 1).trim() : '';
  // RFC 2047 encoded words (nodemailer encodes subjects with quotes); adjacent ones join without the space.
  return value.replace(/\?=\s+=\?/g, '?==?').replace(/=\?utf-8\?([BQ])\?([^?]*)\?=/gi, (_m, kind: string, text: string) =>
    kind.toUpperCase() === 'B'
      ? Buffer.from(text, 'base64').toString('utf8')
      : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_h, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8'),
  );
}

async function topicIn(author: TestMember, space: string, title: string, body = 'Some details here.', kind: 'question' | 'discussion' = 'discussion') {
  return createTopic(t.ctx, author.viewer, { space, kind, title, body, pinned: false });
}

describe('mentions', () => {
  it('finds @usernames in the Markdown source but not in code, links or email addresses', () => {
    const source = [
      'Hi @ana and @Bob-Smith, see `@not-code` and mail me at jo@example.com.',
      '',
      '```',
      '@decorator',
      '```',
      '',
      '    @indented-code',
      '',
      '[@linked](https://example.com) and @ana again, and @carl.',
    ].join('\n');
    expect(parseMentions(source)).toEqual(['ana', 'bob-smith', 'carl']);
  });

  it(`keeps at most ${MAX_MENTIONS_PER_POST} per post`, () => {
    const many = Array.from({ length: 15 }, (_, i) => `@user${i}`).join(' ');
    expect(parseMentions(many)).toHaveLength(MAX_MENTIONS_PER_POST);
  });
});

describe('notifying about replies', () => {
  it('notifies the topic author once even when the event is handled twice, and auto-follows the replier', async () => {
    await makeSpace(t, 'replies-once');
    const asker = await makeMember(t, 'member', { emailOnReply: false });
    const helper = await makeMember(t);
    const topic = await topicIn(asker, 'replies-once', 'How do I wax my skis?');
    const { reply } = await createReply(t.ctx, helper.viewer, topic.id, { body: 'Warm the wax first.' });
    await drainJobs(worker);

    const first = await notificationsOf(asker.id);
    expect(first.map((n) => ({ kind: n.kind, actor: n.actor_id, reply: n.reply_id, topic: n.topic_id }))).toEqual([
      { kind: 'reply_to_topic', actor: helper.id, reply: reply.id, topic: topic.id },
    ]);
    expect(await notificationsOf(helper.id)).toEqual([]);

    // Events are delivered at least once: run the notification job again, as a retry would.
    const job = await t.ctx.db.selectFrom('jobs').select('id').where('kind', '=', 'notifications.notifyReply').orderBy('id', 'desc').executeTakeFirstOrThrow();
    await t.ctx.db.updateTable('jobs').set({ state: 'queued', run_at: new Date() }).where('id', '=', job.id).execute();
    expect(await drainJobs(worker)).toBe(1);
    expect(await notificationsOf(asker.id)).toHaveLength(1);
    // The asker turned reply emails off: nothing was queued.
    expect(await mailsTo(asker.email)).toEqual([]);

    const follows = await t.ctx.db.selectFrom('follows').select(['user_id', 'target_kind', 'target_id']).where('target_id', '=', topic.id).orderBy('user_id').execute();
    expect(follows).toEqual([
      { user_id: asker.id, target_kind: 'topic', target_id: topic.id },
      { user_id: helper.id, target_kind: 'topic', target_id: topic.id },
    ]);

    // A third member replying to the helper's reply: the helper hears "replied to you", the asker "new reply" once more.
    const third = await makeMember(t);
    await createReply(t.ctx, third.viewer, topic.id, { body: 'Also scrape it after.', replyTo: reply.id });
    await drainJobs(worker);
    expect((await notificationsOf(helper.id)).map((n) => n.kind)).toEqual(['reply_to_reply']);
    expect((await notificationsOf(asker.id)).map((n) => n.kind)).toEqual(['reply_to_topic', 'reply_to_topic']);
  });

  it('does not notify about a mention in a private space the member cannot see, by notification or email', async () => {
    await makeSpace(t, 'staff-room', 'private');
    const moderator = await makeMember(t, 'moderator');
    const outsider = await makeMember(t);
    const colleague = await makeMember(t, 'moderator');
    const topic = await topicIn(moderator, 'staff-room', 'Planning the spring sale', `Loop in @${outsider.username} and @${colleague.username}?`);
    await createReply(t.ctx, moderator.viewer, topic.id, { body: `Really, @${outsider.username} should know.` });
    await drainJobs(worker);

    expect(await notificationsOf(outsider.id)).toEqual([]);
    expect(await mailsTo(outsider.email)).toEqual([]);
    expect(sink.to(outsider.email)).toEqual([]);
    // A member who may see the space is told, and mailed.
    expect((await notificationsOf(colleague.id)).map((n) => n.kind)).toEqual(['mention']);
    const mail = sink.to(colleague.email);
    expect(mail).toHaveLength(1);
    expect(headerOf(mail[0]?.raw, 'Subject')).toBe(`${moderator.viewer.displayName} mentioned you in "Planning the spring sale"`);
  });

  it('mentions in a public topic reach the member with an email carrying one-click unsubscribe headers', async () => {
    await makeSpace(t, 'mention-public');
    const author = await makeMember(t);
    const friend = await makeMember(t);
    await topicIn(author, 'mention-public', 'Trip report from the ridge', `Thanks @${friend.username} for the tip! And \`@${author.username}\` is code.`);
    await drainJobs(worker);
    expect((await notificationsOf(friend.id)).map((n) => n.kind)).toEqual(['mention']);
    const [mail] = sink.to(friend.email);
    expect(headerOf(mail?.raw, 'List-Unsubscribe')).toMatch(/^<http:\/\/localhost:3000\/unsubscribe\?token=\d+\.mention\.[\w-]+>, <mailto:community@hearth\.local\?subject=unsubscribe%20\d+\.mention\.[\w-]+>$/);
    expect(headerOf(mail?.raw, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    expect(mail?.text).toContain(`http://localhost:3000/unsubscribe?token=${encodeURIComponent(unsubscribeToken(t.config, friend.id, 'mention'))}`);
  });
});

describe('accepted answers', () => {
  it('tells the answerer in the app and by email at the SMTP sink', async () => {
    await makeSpace(t, 'help-desk', 'public', 'question');
    const asker = await makeMember(t);
    const answerer = await makeMember(t);
    const topic = await topicIn(asker, 'help-desk', 'Tent zipper keeps splitting', 'It opens behind the slider.', 'question');
    const { reply } = await createReply(t.ctx, answerer.viewer, topic.id, { body: 'Squeeze the slider gently with pliers.' });
    await drainJobs(worker);
    await acceptAnswer(t.ctx, asker.viewer, topic.id, reply.id);
    await drainJobs(worker);

    const notes = await notificationsOf(answerer.id);
    expect(notes.map((n) => ({ kind: n.kind, actor: n.actor_id, reply: n.reply_id }))).toEqual([{ kind: 'answer_accepted', actor: asker.id, reply: reply.id }]);
    const mail = sink.to(answerer.email);
    expect(mail.map((m) => headerOf(m.raw, 'Subject'))).toEqual(['Your answer was accepted: "Tent zipper keeps splitting"']);
    expect(mail[0]?.text).toContain(`http://localhost:3000${topic.url}#reply-${reply.id}`);
    expect(headerOf(mail[0]?.raw, 'List-Unsubscribe')).toMatch(/^<http:\/\/localhost:3000\/unsubscribe\?token=\d+\.reply\./);

    // The answerer's page, bell and API agree.
    const page = await (await answerer.client.get('/notifications')).text();
    expect(page).toContain('accepted your answer to');
    expect(page).toContain('Tent zipper keeps splitting');
    expect(page).toContain('aria-label="Notifications, 1 unread"');
    const api = await (await answerer.client.get('/api/v1/notifications')).json();
    expect(api.items.map((n: { kind: string; read: boolean; url: string }) => [n.kind, n.read, n.url])).toEqual([['answer_accepted', false, `${topic.url}#reply-${reply.id}`]]);

    const open = await answerer.client.get(`/notifications/${notes[0]?.id}/open`);
    expect(open.status).toBe(303);
    expect(open.headers.get('location')).toBe(`${topic.url}#reply-${reply.id}`);
    expect((await (await answerer.client.get('/api/v1/notifications/unread-count')).json()).unread).toBe(0);
    expect(await (await answerer.client.get('/')).text()).toContain('aria-label="Notifications, 0 unread"');
  });
});

describe('the notifications page and API', () => {
  it('pages with a cursor, marks one and all read, and refuses visitors', async () => {
    await makeSpace(t, 'busy');
    const owner = await makeMember(t);
    const chatty = await makeMember(t);
    const topic = await topicIn(owner, 'busy', 'Post your summit photos');
    // One at a time: a worker batch runs its jobs in no particular order.
    for (let i = 0; i < 5; i++) {
      await createReply(t.ctx, chatty.viewer, topic.id, { body: `Photo number ${i}` });
      await drainJobs(worker);
    }

    const first = await (await owner.client.get('/api/v1/notifications?limit=2')).json();
    expect(first.items).toHaveLength(2);
    expect(first.items[0].excerpt).toBe('Photo number 4');
    const second = await (await owner.client.get(`/api/v1/notifications?limit=2&cursor=${first.nextCursor}`)).json();
    expect(second.items.map((n: { excerpt: string }) => n.excerpt)).toEqual(['Photo number 2', 'Photo number 1']);

    const marked = await owner.client.json('POST', '/api/v1/notifications/read', { ids: [first.items[0].id] });
    expect(await marked.json()).toEqual({ marked: 1, unread: 4 });
    const unreadOnly = await (await owner.client.get('/api/v1/notifications?unread=true')).json();
    expect(unreadOnly.items).toHaveLength(4);

    const all = await owner.client.postForm('/notifications/read', { all: 'true' });
    expect(all.status).toBe(303);
    expect((await (await owner.client.get('/api/v1/notifications/unread-count')).json()).unread).toBe(0);
    // Another member cannot mark someone else's notifications.
    expect(await (await chatty.client.json('POST', '/api/v1/notifications/read', { ids: [first.items[1].id] })).json()).toEqual({ marked: 0, unread: 0 });

    const anonymous = new TestClient(t.hearth);
    expect((await anonymous.get('/api/v1/notifications')).status).toBe(401);
    const page = await anonymous.get('/notifications');
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/login?next=%2Fnotifications');
    expect(await (await anonymous.get('/')).text()).not.toContain('Notifications,');

    const doc = await (await anonymous.get('/api/v1/openapi.json')).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/notifications', '/api/v1/notifications/read', '/api/v1/follows']));
    expect(Object.keys(doc.paths['/api/v1/follows'])).toEqual(['get', 'put', 'delete']);
  });
});

describe('follows', () => {
  it('follows a space from its page, hears of new topics there, and manages follows', async () => {
    const { id: spaceId } = await makeSpace(t, 'trail-news');
    const fan = await makeMember(t);
    const poster = await makeMember(t);
    const spacePage = await (await fan.client.get('/s/trail-news')).text();
    expect(spacePage).toContain('aria-label="Follow Space trail-news"');
    const res = await fan.client.postForm('/follows', { kind: 'space', target: 'trail-news', action: 'follow', return: '/s/trail-news' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/s/trail-news');
    expect(await (await fan.client.get('/s/trail-news')).text()).toContain('Following');

    const topic = await topicIn(poster, 'trail-news', 'The north trail is open again');
    await drainJobs(worker);
    const notes = await notificationsOf(fan.id);
    expect(notes.map((n) => [n.kind, n.topic_id, n.space_id])).toEqual([['new_topic', topic.id, spaceId]]);

    const following = await (await fan.client.get('/notifications/following')).text();
    expect(following).toContain('Space trail-news');
    const api = await (await fan.client.get('/api/v1/follows')).json();
    expect(api.items.map((f: { kind: string; id: number; name: string }) => [f.kind, f.id, f.name])).toEqual([['space', spaceId, 'Space trail-news']]);

    // The API: follow a topic, unfollow the space; both idempotent.
    const put = await fan.client.json('PUT', '/api/v1/follows', { kind: 'topic', target: topic.id });
    expect((await put.json()).target.name).toBe('The north trail is open again');
    expect((await fan.client.json('PUT', '/api/v1/follows', { kind: 'topic', target: topic.id })).status).toBe(200);
    const del = await fan.client.json('DELETE', '/api/v1/follows?kind=space&target=trail-news');
    expect(await del.json()).toMatchObject({ following: false });
    const after = await (await fan.client.get('/api/v1/follows')).json();
    expect(after.items.map((f: { kind: string }) => f.kind)).toEqual(['topic']);
  });

  it('cannot follow what the member may not see', async () => {
    const { id } = await makeSpace(t, 'vault', 'private');
    const member = await makeMember(t);
    const res = await member.client.json('PUT', '/api/v1/follows', { kind: 'space', target: 'vault' });
    expect(res.status).toBe(404);
    expect((await member.client.json('PUT', '/api/v1/follows', { kind: 'space', target: id })).status).toBe(404);
    expect(await t.ctx.db.selectFrom('follows').select('id').where('user_id', '=', member.id).execute()).toEqual([]);
  });
});

describe('digests', () => {
  it('sends one email per member per period with the followed spaces news, and nothing on a rerun', async () => {
    await makeSpace(t, 'digest-open');
    await makeSpace(t, 'digest-secret', 'private');
    const daily = await makeMember(t, 'member', { digest: 'daily' });
    const weekly = await makeMember(t, 'member', { digest: 'weekly' });
    const poster = await makeMember(t, 'moderator');
    for (const m of [daily, weekly]) {
      await m.client.postForm('/follows', { kind: 'space', target: 'digest-open', action: 'follow' });
    }
    // A follow of a private space made while it was visible (e.g. before losing access) must not leak it.
    const secret = await t.ctx.db.selectFrom('spaces').select('id').where('slug', '=', 'digest-secret').executeTakeFirstOrThrow();
    await t.ctx.db.insertInto('follows').values({ user_id: daily.id, target_kind: 'space', target_id: secret.id }).execute();
    await topicIn(poster, 'digest-open', 'Weekend cleanup crew wanted');
    await topicIn(poster, 'digest-open', 'New maps at the shop');
    await topicIn(poster, 'digest-secret', 'Confidential pricing plans');
    await drainJobs(worker);

    const slot = new Date(Date.now() + 60_000);
    expect(await sendDigests(t.ctx, 'daily', slot)).toBe(1);
    expect(await sendDigests(t.ctx, 'daily', slot)).toBe(0);
    await drainJobs(worker);
    const mails = sink.to(daily.email).filter((m) => m.subject.includes('digest'));
    expect(mails).toHaveLength(1);
    expect(mails[0]?.text).toContain('Weekend cleanup crew wanted');
    expect(mails[0]?.text).toContain('New maps at the shop');
    expect(mails[0]?.text).not.toContain('Confidential');
    expect(headerOf(mails[0]?.raw, 'List-Unsubscribe')).toMatch(/^<http:\/\/localhost:3000\/unsubscribe\?token=\d+\.digest\./);
    // The weekly member is not in the daily run; the weekly run sends theirs, once.
    expect(sink.to(weekly.email).filter((m) => m.subject.includes('digest'))).toEqual([]);
    expect(await sendDigests(t.ctx, 'weekly', slot)).toBe(1);
    expect(await sendDigests(t.ctx, 'weekly', slot)).toBe(0);
    const rows = await t.ctx.db.selectFrom('digest_deliveries').select(['user_id', 'period_key', 'topic_count']).where('user_id', 'in', [daily.id, weekly.id]).orderBy('user_id').execute();
    expect(rows).toEqual([
      { user_id: daily.id, period_key: `daily:${slot.toISOString().slice(0, 10)}`, topic_count: 2 },
      { user_id: weekly.id, period_key: `weekly:${slot.toISOString().slice(0, 10)}`, topic_count: 2 },
    ]);
  });
});

describe('unsubscribe links', () => {
  it('asks on GET, unsubscribes on a one-click POST without cookies or CSRF token, and refuses a forged token', async () => {
    const member = await makeMember(t);
    const token = unsubscribeToken(t.config, member.id, 'mention');
    const prefsOf = async () => (await t.ctx.db.selectFrom('users').select('notification_prefs').where('id', '=', member.id).executeTakeFirstOrThrow()).notification_prefs;

    const confirm = await t.hearth.app.request(`/unsubscribe?token=${encodeURIComponent(token)}`);
    expect(confirm.status).toBe(200);
    expect(await confirm.text()).toContain(member.email);
    expect(await prefsOf()).toEqual({});

    const forged = `${member.id}.mention.${'A'.repeat(43)}`;
    const refused = await t.hearth.app.request(`/unsubscribe?token=${encodeURIComponent(forged)}`, {
      method: 'POST',
      body: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(refused.status).toBe(400);
    const otherUser = unsubscribeToken(t.config, member.id, 'digest').replace(`${member.id}.`, `${member.id + 1}.`);
    expect((await t.hearth.app.request(`/unsubscribe?token=${encodeURIComponent(otherUser)}`)).status).toBe(400);
    expect(await prefsOf()).toEqual({});

    const oneClick = await t.hearth.app.request(`/unsubscribe?token=${encodeURIComponent(token)}`, {
      method: 'POST',
      body: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://mail.example.net' },
    });
    expect(oneClick.status).toBe(200);
    expect(await prefsOf()).toEqual({ emailOnMention: false, emailOnReply: true, digest: 'weekly' });

    // The exemption is that one path: other POSTs without a token are still refused.
    const other = await t.hearth.app.request('/follows', { method: 'POST', body: 'kind=space&target=x&action=follow', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(other.status).toBe(403);

    // A mention now makes a notification but no email.
    await makeSpace(t, 'quiet');
    const author = await makeMember(t);
    await topicIn(author, 'quiet', 'Anyone up for a night hike?', `@${member.username} you in?`);
    await drainJobs(worker);
    expect((await notificationsOf(member.id)).map((n) => n.kind)).toEqual(['mention']);
    expect(await mailsTo(member.email)).toEqual([]);
  });
});

describe('live updates (SSE)', () => {
  it('streams a new reply, rendered, to a topic page and stops listening when the client leaves', async () => {
    await makeSpace(t, 'live-talk');
    const author = await makeMember(t);
    const replier = await makeMember(t);
    const topic = await topicIn(author, 'live-talk', 'Live from the summit');
    await drainJobs(worker);

    const page = await (await t.hearth.app.request(topic.url)).text();
    expect(page).toContain(`data-live-topic="${topic.id}"`);
    expect(page).toContain('build/live.js');

    const res = await t.hearth.app.request(`/live?topic=${topic.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const events = sseReader(res);
    expect((await events.next()).event).toBe('ready');
    expect(t.ctx.realtime.listenerCount(`topic:${topic.id}`)).toBe(1);

    const { reply } = await createReply(t.ctx, replier.viewer, topic.id, { body: 'The view is **unreal**.' });
    await drainJobs(worker);
    const event = await events.next();
    expect(event.event).toBe('reply');
    const data = JSON.parse(event.data);
    expect(data.id).toBe(reply.id);
    expect(data.author).toBe(replier.viewer.displayName);
    expect(data.html).toContain(`id="reply-${reply.id}"`);
    expect(data.html).toContain('<strong>unreal</strong>');

    await events.close();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(t.ctx.realtime.listenerCount(`topic:${topic.id}`)).toBe(0);
  });

  it('refuses to stream a topic the viewer may not see', async () => {
    await makeSpace(t, 'live-members', 'members');
    const author = await makeMember(t);
    const topic = await topicIn(author, 'live-members', 'Members-only live thread');
    expect((await t.hearth.app.request(`/live?topic=${topic.id}`)).status).toBe(404);
    const res = await author.client.get(`/live?topic=${topic.id}`);
    expect(res.status).toBe(200);
    await res.body?.cancel();
    expect((await t.hearth.app.request('/live/me')).status).toBe(401);
  });

  it('streams the unread count to the signed-in member', async () => {
    await makeSpace(t, 'live-bell');
    const owner = await makeMember(t);
    const other = await makeMember(t);
    const topic = await topicIn(owner, 'live-bell', 'Ring my bell');
    await drainJobs(worker);
    const res = await owner.client.get('/live/me');
    const events = sseReader(res);
    expect((await events.next()).event).toBe('ready');
    expect(JSON.parse((await events.next()).data)).toEqual({ unread: 0, label: '0', ariaLabel: 'Notifications, 0 unread' });
    await createReply(t.ctx, other.viewer, topic.id, { body: 'Ding!' });
    await drainJobs(worker);
    const update = await events.next();
    expect(update.event).toBe('count');
    expect(JSON.parse(update.data)).toEqual({ unread: 1, label: '1', ariaLabel: 'Notifications, 1 unread' });
    await events.close();
  });
});
