import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHearth, type TestHearth } from '../../../test/helpers.ts';
import { JobWorker } from '../../platform/jobs/worker.ts';
import { createApiKey } from './api-keys.ts';
import { Browser, createMember, linkPath } from './testing/browser.ts';
import { startSmtpSink, type SmtpSink } from './testing/smtp-sink.ts';

let t: TestHearth;
let sink: SmtpSink;
let dataDir: string;
const publicUrl = 'http://localhost:3000';

beforeAll(async () => {
  sink = await startSmtpSink();
  dataDir = await mkdtemp(join(tmpdir(), 'hearth-accounts-'));
  t = await createTestHearth({ smtpUrl: sink.url, dataDir });
});
afterAll(async () => {
  await t?.close();
  await sink?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const sendMail = () => new JobWorker(t.ctx).runDue();

async function signedIn(email: string, password = 'member password 1', displayName?: string): Promise<{ b: Browser; id: number; username: string }> {
  const member = await createMember(t, { email, password, displayName });
  const b = new Browser(t.hearth);
  expect((await b.signIn(email, password)).status).toBe(303);
  return { b, ...member };
}

async function userRow(id: number) {
  return t.ctx.db.selectFrom('users').select(['email', 'display_name', 'bio', 'avatar_path', 'notification_prefs', 'email_verified_at']).where('id', '=', id).executeTakeFirstOrThrow();
}

/** A valid 1×1 RGB PNG, built chunk by chunk. */
function tinyPng(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(1, 0);
  header.writeUInt32BE(1, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // truecolour
  const pixels = deflateSync(Buffer.from([0, 0xc2, 0x41, 0x0c]));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', pixels), chunk('IEND', Buffer.alloc(0))]);
}

function uploadAvatar(b: Browser, bytes: Uint8Array, filename: string, type: string): Promise<Response> {
  const form = new FormData();
  form.set('_csrf', b.csrfToken);
  form.set('avatar', new Blob([new Uint8Array(bytes)], { type }), filename);
  return b.request('/settings/avatar', { method: 'POST', body: form, headers: { origin: publicUrl } });
}

async function listFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
  } catch {
    return [];
  }
}

describe('settings pages', () => {
  it('sends visitors to sign in and back', async () => {
    const b = new Browser(t.hearth);
    const res = await b.get('/settings/account');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login?next=%2Fsettings%2Faccount');
  });

  it('shows every tab to a member', async () => {
    const { b } = await signedIn('tabs@example.com');
    for (const [path, text] of [
      ['/settings', 'Public profile'],
      ['/settings/account', 'Change password'],
      ['/settings/notifications', 'Activity digest'],
      ['/settings/sessions', 'This device'],
    ] as const) {
      const res = await b.get(path);
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html).toContain(text);
      expect(html).toContain('class="tabs"');
    }
  });

  it('refuses a profile change without the CSRF token', async () => {
    const { b, id } = await signedIn('csrf@example.com', 'member password 1', 'Carla Csrf');
    const missing = await b.request('/settings/profile', {
      method: 'POST',
      body: new URLSearchParams({ displayName: 'Hijacked' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: publicUrl },
    });
    expect(missing.status).toBe(403);
    const forged = await b.postForm('/settings/profile', { _csrf: 'forged', displayName: 'Hijacked' });
    expect(forged.status).toBe(403);
    expect((await userRow(id)).display_name).toBe('Carla Csrf');
  });

  it('saves the display name and bio, with a limit on the bio', async () => {
    const { b, id, username } = await signedIn('profile@example.com', 'member password 1', 'Pia Profile');
    const saved = await b.postForm('/settings/profile', { displayName: '  Pia P.  ', bio: 'Makes <b>bread</b>.\n\nLikes rye.' });
    expect(saved.status).toBe(303);
    const row = await userRow(id);
    expect(row.display_name).toBe('Pia P.');
    expect(row.bio).toBe('Makes <b>bread</b>.\n\nLikes rye.');

    const page = await new Browser(t.hearth).get(`/u/${username}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Pia P.');
    expect(html).toContain('Makes &lt;b&gt;bread&lt;/b&gt;.');
    expect(html).toContain('<p>Likes rye.</p>');

    const tooLong = await b.postForm('/settings/profile', { displayName: 'Pia P.', bio: 'x'.repeat(501) });
    expect(tooLong.status).toBe(400);
    expect(await tooLong.text()).toContain('Keep your bio to 500 characters.');
    expect((await userRow(id)).bio).toBe('Makes <b>bread</b>.\n\nLikes rye.');
  });

  it('saves notification preferences', async () => {
    const { b, id } = await signedIn('prefs@example.com');
    const before = await b.get('/api/v1/me');
    expect((await before.json()).notificationPrefs).toEqual({ emailOnMention: true, emailOnReply: true, digest: 'weekly' });
    const res = await b.postForm('/settings/notifications', { emailOnMention: 'on', digest: 'daily' });
    expect(res.status).toBe(303);
    expect((await userRow(id)).notification_prefs).toEqual({ emailOnMention: true, emailOnReply: false, digest: 'daily' });
    const page = await (await b.get('/settings/notifications')).text();
    expect(page).toMatch(/<option value="daily" selected/);
    const bad = await b.postForm('/settings/notifications', { digest: 'hourly' });
    expect(bad.status).toBe(400);
    expect((await userRow(id)).notification_prefs).toEqual({ emailOnMention: true, emailOnReply: false, digest: 'daily' });
  });
});

describe('avatars', () => {
  it('refuses a text file named .png and accepts a real PNG, served safely', async () => {
    const { b, id } = await signedIn('avatar@example.com', 'member password 1', 'Avi Avatar');
    await b.get('/settings');
    const uploads = join(dataDir, 'uploads');

    const fake = await uploadAvatar(b, Buffer.from('<script>alert(1)</script> not an image'), 'me.png', 'image/png');
    expect(fake.status).toBe(400);
    expect(await fake.text()).toContain('That file is not a PNG, JPEG, WebP or GIF image.');
    expect((await userRow(id)).avatar_path).toBeNull();
    expect(await listFiles(uploads)).toEqual([]);

    const png = tinyPng();
    // The name and declared type say nothing: a real PNG called .txt is accepted as a PNG.
    const ok = await uploadAvatar(b, png, 'photo.txt', 'text/plain');
    expect(ok.status).toBe(303);
    const path = (await userRow(id)).avatar_path ?? '';
    expect(path).toMatch(new RegExp(`^/uploads/avatars/${id}/[0-9a-f]{24}\\.png$`));

    const served = await new Browser(t.hearth).get(path);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(served.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await served.arrayBuffer()).equals(png)).toBe(true);
    expect(await (await b.get('/settings')).text()).toContain(`src="${path}"`);

    // A second upload replaces the first file.
    const second = await uploadAvatar(b, png, 'again.png', 'image/png');
    expect(second.status).toBe(303);
    const secondPath = (await userRow(id)).avatar_path ?? '';
    expect(secondPath).not.toBe(path);
    expect((await new Browser(t.hearth).get(path)).status).toBe(404);
    expect(await listFiles(uploads)).toHaveLength(1);

    const removed = await b.postForm('/settings/avatar/remove', {});
    expect(removed.status).toBe(303);
    expect((await userRow(id)).avatar_path).toBeNull();
    expect((await new Browser(t.hearth).get(secondPath)).status).toBe(404);
    expect(await listFiles(uploads)).toEqual([]);
  });

  it('refuses an image over 2 MB', async () => {
    const { b, id } = await signedIn('bigavatar@example.com');
    await b.get('/settings');
    const big = Buffer.concat([tinyPng(), Buffer.alloc(2 * 1024 * 1024)]);
    const res = await uploadAvatar(b, big, 'big.png', 'image/png');
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('larger than 2 MB');
    expect((await userRow(id)).avatar_path).toBeNull();
  });

  it('accepts an image between the default body limit and 2 MB', async () => {
    const { b, id } = await signedIn('midavatar@example.com');
    await b.get('/settings');
    const mid = Buffer.concat([tinyPng(), Buffer.alloc(1536 * 1024)]);
    const res = await uploadAvatar(b, mid, 'mid.png', 'image/png');
    expect(res.status).toBe(303);
    expect((await userRow(id)).avatar_path).toMatch(/\.png$/);
  });
});

describe('changing email and password', () => {
  it('changes the email only after the new address is confirmed', async () => {
    const { b, id } = await signedIn('old-address@example.com', 'member password 1', 'Eve Email');
    await b.get('/settings/account');

    const wrong = await b.postForm('/settings/email', { email: 'new-address@example.com', currentPassword: 'not my password' });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain('That is not your current password.');

    const taken = await createMember(t, { email: 'taken@example.com', password: 'member password 1' });
    expect(taken.id).toBeGreaterThan(0);
    const dup = await b.postForm('/settings/email', { email: 'Taken@example.com', currentPassword: 'member password 1' });
    expect(dup.status).toBe(400);
    expect(await dup.text()).toContain('Another account already uses this email address.');

    const asked = await b.postForm('/settings/email', { email: 'New-Address@example.com', currentPassword: 'member password 1' });
    expect(asked.status).toBe(303);
    expect((await userRow(id)).email).toBe('old-address@example.com');
    expect(await (await b.get('/settings/account')).text()).toContain('new-address@example.com');

    await sendMail();
    const mails = sink.to('new-address@example.com');
    expect(mails).toHaveLength(1);
    expect(mails[0]?.subject).toBe('Confirm your new email for Hearth Community');
    expect(sink.to('old-address@example.com')).toHaveLength(0);
    // Signing in still uses the old address until the link is followed.
    expect((await new Browser(t.hearth).signIn('new-address@example.com', 'member password 1')).status).toBe(401);

    const link = linkPath(mails[0]?.text ?? '', publicUrl, '/verify-email');
    const confirmed = await b.get(link);
    expect(confirmed.status).toBe(303);
    expect(confirmed.headers.get('location')).toBe('/settings/account');
    expect((await userRow(id)).email).toBe('new-address@example.com');
    const me = await b.get('/api/v1/me');
    expect((await me.json()).email).toBe('new-address@example.com');

    await sendMail();
    const notice = sink.to('old-address@example.com');
    expect(notice).toHaveLength(1);
    expect(notice[0]?.text).toContain('new-address@example.com');

    expect((await new Browser(t.hearth).signIn('new-address@example.com', 'member password 1')).status).toBe(303);
    expect((await new Browser(t.hearth).signIn('old-address@example.com', 'member password 1')).status).toBe(401);
    expect((await b.get(link)).status).toBe(400);
  });

  it('changes the password and signs out the other sessions', async () => {
    const { b, id } = await signedIn('pw@example.com', 'member password 1');
    const other = new Browser(t.hearth);
    expect((await other.signIn('pw@example.com', 'member password 1')).status).toBe(303);
    await b.get('/settings/account');

    const wrong = await b.postForm('/settings/password', { currentPassword: 'nope nope nope', newPassword: 'member password 2' });
    expect(wrong.status).toBe(400);
    const weak = await b.postForm('/settings/password', { currentPassword: 'member password 1', newPassword: 'short' });
    expect(weak.status).toBe(400);
    expect(await weak.text()).toContain('Use at least 10 characters.');
    expect((await other.get('/api/v1/me')).status).toBe(200);

    const res = await b.postForm('/settings/password', { currentPassword: 'member password 1', newPassword: 'member password 2' });
    expect(res.status).toBe(303);
    expect((await b.get('/api/v1/me')).status).toBe(200);
    expect((await other.get('/api/v1/me')).status).toBe(401);
    const sessions = await t.ctx.db.selectFrom('sessions').select('id').where('user_id', '=', id).execute();
    expect(sessions).toHaveLength(1);
    expect((await new Browser(t.hearth).signIn('pw@example.com', 'member password 2')).status).toBe(303);
  });
});

describe('sessions', () => {
  it('lists sessions, revokes one, and signs out everywhere else keeping only the current one', async () => {
    const { b, id } = await signedIn('sessions@example.com');
    const phone = new Browser(t.hearth, 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1');
    const work = new Browser(t.hearth, 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36');
    const tablet = new Browser(t.hearth);
    for (const device of [phone, work, tablet]) expect((await device.signIn('sessions@example.com', 'member password 1')).status).toBe(303);

    const page = await b.get('/settings/sessions');
    const html = await page.text();
    expect(html).toContain('Safari on iOS');
    expect(html).toContain('Chrome on Windows');
    expect(html).toContain(phone.ip);
    expect(html.match(/This device/g)).toHaveLength(1);

    const api = await b.get('/api/v1/me/sessions');
    const items: Array<{ id: number; current: boolean; device: string }> = (await api.json()).items;
    expect(items).toHaveLength(4);
    expect(items.filter((s) => s.current)).toHaveLength(1);

    // Another member cannot end these sessions.
    const stranger = await signedIn('stranger-sessions@example.com');
    const phoneSession = items.find((s) => s.device === 'Safari on iOS');
    await stranger.b.get('/settings/sessions');
    expect((await stranger.b.postForm(`/settings/sessions/${phoneSession?.id}/revoke`, {})).status).toBe(404);
    expect((await phone.get('/api/v1/me')).status).toBe(200);

    const revoked = await b.postForm(`/settings/sessions/${phoneSession?.id}/revoke`, {});
    expect(revoked.status).toBe(303);
    expect((await phone.get('/api/v1/me')).status).toBe(401);
    expect((await work.get('/api/v1/me')).status).toBe(200);

    const everywhere = await b.postForm('/settings/sessions/revoke-others', {});
    expect(everywhere.status).toBe(303);
    expect((await work.get('/api/v1/me')).status).toBe(401);
    expect((await tablet.get('/api/v1/me')).status).toBe(401);
    expect((await b.get('/api/v1/me')).status).toBe(200);
    const left = await t.ctx.db.selectFrom('sessions').select('id').where('user_id', '=', id).execute();
    const current = items.find((s) => s.current);
    expect(left.map((s) => s.id)).toEqual([current?.id]);
    expect((await stranger.b.get('/api/v1/me')).status).toBe(200);
  });
});

describe('profiles and the JSON API', () => {
  it('shows public profiles with a staff badge, and 404 for unknown members', async () => {
    const admin = await createMember(t, { email: 'staff@example.com', password: 'member password 1', displayName: 'Sam Staff', role: 'admin' });
    const page = await new Browser(t.hearth).get(`/u/${admin.username}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Sam Staff');
    expect(html).toContain('>Admin<');
    expect(html).toContain('"@type":"ProfilePage"');

    const json = await t.hearth.app.request(`/api/v1/users/${admin.username}`);
    expect(json.status).toBe(200);
    const body = await json.json();
    expect(body).toMatchObject({ username: admin.username, displayName: 'Sam Staff', role: 'admin', avatarUrl: null });
    expect(body).not.toHaveProperty('email');

    expect((await new Browser(t.hearth).get('/u/nobody-here')).status).toBe(404);
    const missing = await t.hearth.app.request('/api/v1/users/nobody-here');
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe('not_found');
  });

  it('answers /api/v1/me only when authenticated', async () => {
    const res = await t.hearth.app.request('/api/v1/me');
    expect(res.status).toBe(401);
    expect((await res.json()).error.code).toBe('unauthorized');
  });

  it('lets a write key update the profile, refuses a read-only key, and rejects malformed JSON', async () => {
    const member = await createMember(t, { email: 'apikey@example.com', password: 'member password 1', displayName: 'Kai Key' });
    const readKey = await createApiKey(t.ctx.db, { name: 'read only', scopes: ['read'], createdBy: member.id });
    const writeKey = await createApiKey(t.ctx.db, { name: 'writer', scopes: ['read', 'write'], createdBy: member.id });
    const call = (key: string, method: string, body?: string) =>
      t.hearth.app.request('/api/v1/me', { method, body, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' } });

    const me = await call(readKey.key, 'GET');
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ id: member.id, displayName: 'Kai Key' });

    const refused = await call(readKey.key, 'PATCH', JSON.stringify({ displayName: 'Nope' }));
    expect(refused.status).toBe(403);
    expect((await refused.json()).error.code).toBe('forbidden');
    expect((await userRow(member.id)).display_name).toBe('Kai Key');

    const malformed = await call(writeKey.key, 'PATCH', '{"displayName": ');
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).error.code).toBe('invalid_json');

    const unknownField = await call(writeKey.key, 'PATCH', JSON.stringify({ role: 'admin' }));
    expect(unknownField.status).toBe(400);
    expect((await unknownField.json()).error.code).toBe('validation_failed');

    const tooLong = await call(writeKey.key, 'PATCH', JSON.stringify({ bio: 'y'.repeat(501) }));
    expect(tooLong.status).toBe(400);
    expect((await tooLong.json()).error.fields.bio).toContain('500');

    const updated = await call(writeKey.key, 'PATCH', JSON.stringify({ displayName: 'Kai K.', bio: 'Hello from the API' }));
    expect(updated.status).toBe(200);
    expect(await updated.json()).toMatchObject({ displayName: 'Kai K.', bio: 'Hello from the API', role: 'member' });
    expect((await userRow(member.id)).display_name).toBe('Kai K.');
  });

  it('documents the account endpoints in the OpenAPI document', async () => {
    const doc = await (await t.hearth.app.request('/api/v1/openapi.json')).json();
    expect(Object.keys(doc.paths['/api/v1/me'])).toEqual(expect.arrayContaining(['get', 'patch']));
    expect(doc.paths['/api/v1/users/{username}'].get.security).toEqual([]);
    expect(doc.paths['/api/v1/me'].patch.security[0]).toEqual({ bearerAuth: ['write'] });
  });
});
