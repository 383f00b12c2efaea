import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession } from '../../src/features/accounts/sessions.ts';
import { createReply, createTopic } from '../../src/features/community/service.ts';
import { topicViewCounter } from '../../src/features/community/view-counter.ts';
import { createTestHearth, TestClient, type TestHearth } from '../helpers.ts';

let t: TestHearth;
let topicUrl = '';
let topicId = 0;
let author: { id: number; email: string; displayName: string; username: string; role: 'member'; emailVerified: boolean; avatarPath: null };
let authorClient: TestClient;

beforeAll(async () => {
  t = await createTestHearth({ pageCacheSeconds: 30 });
  await t.ctx.db.insertInto('spaces').values({ slug: 'help', name: 'Help', description: 'Ask', visibility: 'public', default_kind: 'question' }).execute();
  const user = await t.ctx.db
    .insertInto('users')
    .values({ email: 'asker@example.com', display_name: 'Asker', username: 'asker', password_hash: null, role: 'member', email_verified_at: new Date(), notification_prefs: JSON.stringify({}) })
    .returning('id')
    .executeTakeFirstOrThrow();
  author = { id: user.id, email: 'asker@example.com', displayName: 'Asker', username: 'asker', role: 'member', emailVerified: true, avatarPath: null };
  authorClient = new TestClient(t.hearth);
  authorClient.cookies.set('hearth_session', await createSession(t.ctx.db, user.id, {}));
  const topic = await createTopic(t.ctx, author, { space: 'help', kind: 'question', title: 'Which tent pegs hold in sand?', body: 'Looking for pegs that hold on a beach.', pinned: false });
  topicUrl = topic.url;
  topicId = topic.id;
});
afterAll(async () => {
  await t.close();
});

async function views(): Promise<number> {
  await topicViewCounter(t.ctx).flush();
  const row = await t.ctx.db.selectFrom('topics').select('view_count').where('id', '=', topicId).executeTakeFirstOrThrow();
  return Number(row.view_count);
}

describe('anonymous page cache', () => {
  it('serves a signed-out page from memory, compressed, with the same headers, and still counts the view', async () => {
    const before = await views();
    const first = await t.hearth.app.request(topicUrl, { headers: { 'accept-encoding': 'gzip' } });
    expect(first.status).toBe(200);
    expect(first.headers.get('x-page-cache')).toBeNull();
    const html = gunzipSync(Buffer.from(await first.arrayBuffer())).toString('utf8');
    expect(html).toContain('Which tent pegs hold in sand?');
    expect(html).not.toContain('name="_csrf"');
    expect(html).not.toContain('csrf-token');

    const second = await t.hearth.app.request(topicUrl, { headers: { 'accept-encoding': 'gzip' } });
    expect(second.headers.get('x-page-cache')).toBe('hit');
    expect(second.headers.get('content-encoding')).toBe('gzip');
    expect(second.headers.get('content-security-policy')).toBe(first.headers.get('content-security-policy'));
    expect(second.headers.get('cache-control')).toBe('private, max-age=60');
    expect(second.headers.getSetCookie()).toEqual([]);
    // app.request() does not decompress: the cached copy is gzip of the same page.
    expect(gunzipSync(Buffer.from(await second.arrayBuffer())).toString('utf8')).toBe(html);
    expect(await views()).toBe(before + 2);
  });

  it('never serves a cached copy to a signed-in member, and keeps pages with a form token out', async () => {
    await t.hearth.app.request(topicUrl);
    const member = await authorClient.get(topicUrl);
    expect(member.headers.get('x-page-cache')).toBeNull();
    expect(await member.text()).toContain('csrf-token');
    await t.hearth.app.request('/login');
    const login = await t.hearth.app.request('/login');
    expect(login.headers.get('x-page-cache')).toBeNull();
    expect(await login.text()).toContain('name="_csrf"');
  });

  it('keys copies by theme, and drops them all when this process changes something', async () => {
    await t.hearth.app.request(topicUrl);
    const dark = await t.hearth.app.request(topicUrl, { headers: { cookie: 'hearth_theme=dark' } });
    expect(dark.headers.get('x-page-cache')).toBeNull();
    expect(await dark.text()).toContain('data-theme="dark"');
    expect((await t.hearth.app.request(topicUrl, { headers: { cookie: 'hearth_theme=dark' } })).headers.get('x-page-cache')).toBe('hit');

    // A reply posted through the site (a POST) shows to the next signed-out visitor at once.
    const posted = await authorClient.postForm(`/t/${topicId}/replies`, { body: 'Sand pegs with a wide blade hold best.' });
    expect(posted.status).toBe(303);
    const afterPost = await t.hearth.app.request(topicUrl);
    expect(afterPost.headers.get('x-page-cache')).toBeNull();
    expect(await afterPost.text()).toContain('Sand pegs with a wide blade hold best.');

    // So does one made by a service call that publishes a domain event (a job, the CLI in this process).
    expect((await t.hearth.app.request(topicUrl)).headers.get('x-page-cache')).toBe('hit');
    await createReply(t.ctx, author, topicId, { body: 'Or bury a stuff sack full of sand.' });
    const afterEvent = await t.hearth.app.request(topicUrl);
    expect(afterEvent.headers.get('x-page-cache')).toBeNull();
    expect(await afterEvent.text()).toContain('Or bury a stuff sack full of sand.');
  });

  it('lets a signed-out visitor switch theme without a token, but only from this site', async () => {
    const ok = await t.hearth.app.request('/theme', {
      method: 'POST',
      body: new URLSearchParams({ theme: 'dark', return: '/' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost:3000' },
    });
    expect(ok.status).toBe(303);
    expect(ok.headers.getSetCookie().some((c) => c.startsWith('hearth_theme=dark'))).toBe(true);
    const forged = await t.hearth.app.request('/theme', {
      method: 'POST',
      body: new URLSearchParams({ theme: 'dark', return: '/' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
    });
    expect(forged.status).toBe(403);
    // A signed-in member's switch still needs the token.
    const member = await t.hearth.app.request('/theme', {
      method: 'POST',
      body: new URLSearchParams({ theme: 'dark', return: '/' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost:3000', cookie: `hearth_session=${authorClient.cookies.get('hearth_session') ?? ''}` },
    });
    expect(member.status).toBe(403);
  });
});
