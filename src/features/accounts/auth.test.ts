import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHearth, type TestHearth } from '../../../test/helpers.ts';
import { hashToken } from '../../platform/crypto/tokens.ts';
import { AppError } from '../../platform/http/errors.ts';
import { JobWorker } from '../../platform/jobs/worker.ts';
import { createAdmin } from './service.ts';
import { Browser, createMember, linkPath } from './testing/browser.ts';
import { startSmtpSink, type SmtpSink } from './testing/smtp-sink.ts';

let t: TestHearth;
let sink: SmtpSink;
const publicUrl = 'http://localhost:3000';

beforeAll(async () => {
  sink = await startSmtpSink();
  t = await createTestHearth({ smtpUrl: sink.url });
});
afterAll(async () => {
  await t?.close();
  await sink?.close();
});

const sendMail = () => new JobWorker(t.ctx).runDue();

async function countRows(table: 'users' | 'email_tokens' | 'mail_messages' | 'sessions'): Promise<number> {
  const row = await t.ctx.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

async function sessionsOf(userId: number): Promise<number> {
  const row = await t.ctx.db.selectFrom('sessions').select((eb) => eb.fn.countAll<number>().as('n')).where('user_id', '=', userId).executeTakeFirstOrThrow();
  return Number(row.n);
}

describe('first-run setup', () => {
  it('creates the first admin and signs them in, then disappears', async () => {
    const b = new Browser(t.hearth);
    const page = await b.get('/setup');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Set up your community');

    const weak = await b.postForm('/setup', { email: 'owner@example.com', displayName: 'Olu Owner', password: 'short' });
    expect(weak.status).toBe(400);
    expect(await weak.text()).toContain('Use at least 10 characters.');

    const res = await b.postForm('/setup', { email: 'Owner@Example.com', displayName: 'Olu Owner', password: 'a long admin password' });
    expect(res.status).toBe(303);
    expect(b.cookies.get('hearth_session')).toBeTruthy();
    const me = await b.get('/api/v1/me');
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ email: 'owner@example.com', role: 'admin', emailVerified: true, displayName: 'Olu Owner' });

    const again = new Browser(t.hearth);
    expect((await again.get('/setup')).status).toBe(404);
    expect((await again.postForm('/setup', { email: 'late@example.com', displayName: 'Late', password: 'another long password' })).status).toBe(404);
    const admins = await t.ctx.db.selectFrom('users').select('email').where('role', '=', 'admin').execute();
    expect(admins.map((a) => a.email)).toEqual(['owner@example.com']);
  });
});

describe('createAdmin (the CLI and demo seed)', () => {
  it('creates a verified admin with a generated password that signs in, and refuses a duplicate', async () => {
    const created = await createAdmin(t.ctx, { email: 'CLI-Admin@Example.com', displayName: 'Cli Admin' });
    expect(created.email).toBe('cli-admin@example.com');
    expect(created.generatedPassword?.length).toBeGreaterThanOrEqual(16);
    const b = new Browser(t.hearth);
    expect((await b.signIn('cli-admin@example.com', created.generatedPassword ?? '')).status).toBe(303);
    expect((await (await b.get('/api/v1/me')).json()).role).toBe('admin');

    const duplicate = await createAdmin(t.ctx, { email: 'cli-admin@EXAMPLE.com', displayName: 'Again', password: 'long enough password' }).catch((err: unknown) => err);
    expect(duplicate).toBeInstanceOf(AppError);
    expect(duplicate instanceof AppError && duplicate.code).toBe('email_taken');
    const short = await createAdmin(t.ctx, { email: 'short@example.com', displayName: 'Short', password: 'short' }).catch((err: unknown) => err);
    expect(short instanceof AppError && short.fields?.password).toBe('Use at least 10 characters.');
  });
});

describe('sign-up, confirmation and sign-in', () => {
  it('signs up, receives the confirmation email over SMTP, follows it, signs in and reads /api/v1/me', async () => {
    const b = new Browser(t.hearth);
    const form = await b.get('/signup');
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('name="displayName"');

    const res = await b.postForm('/signup', { email: 'Ada@Example.com', displayName: 'Ada Lovelace', password: 'correct horse battery' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/check-inbox');
    // Signing up does not sign in.
    expect(b.cookies.has('hearth_session')).toBe(false);
    const inbox = await b.get('/check-inbox');
    expect(await inbox.text()).toContain('Check your inbox');

    const user = await t.ctx.db.selectFrom('users').select(['id', 'email', 'email_verified_at', 'username']).where('email', '=', 'ada@example.com').executeTakeFirstOrThrow();
    expect(user.email_verified_at).toBeNull();
    expect(user.username).toBe('ada-lovelace');
    // An unconfirmed account has no public profile yet.
    expect((await b.get('/u/ada-lovelace')).status).toBe(404);

    expect(await sendMail()).toBeGreaterThan(0);
    const mails = sink.to('ada@example.com');
    expect(mails).toHaveLength(1);
    const mail = mails[0];
    expect(mail?.subject).toBe('Confirm your email for Hearth Community');
    expect(mail?.html).toContain('Confirm my email');
    const link = linkPath(mail?.text ?? '', publicUrl, '/verify-email');
    const token = new URL(link, publicUrl).searchParams.get('token') ?? '';

    // Only the token's hash is stored, and it lasts a day.
    const stored = await t.ctx.db.selectFrom('email_tokens').selectAll().where('user_id', '=', user.id).execute();
    expect(stored).toHaveLength(1);
    expect(stored[0]?.token_hash).toBe(hashToken(token));
    expect(stored[0]?.token_hash).not.toBe(token);
    const ttlHours = ((stored[0]?.expires_at.getTime() ?? 0) - Date.now()) / 3600_000;
    expect(ttlHours).toBeGreaterThan(23.9);
    expect(ttlHours).toBeLessThanOrEqual(24);

    const verified = await b.get(link);
    expect(verified.status).toBe(303);
    expect(verified.headers.get('location')).toBe('/login');
    const loginPage = await b.get('/login');
    expect(await loginPage.text()).toContain('Your email is confirmed');
    const row = await t.ctx.db.selectFrom('users').select('email_verified_at').where('id', '=', user.id).executeTakeFirstOrThrow();
    expect(row.email_verified_at).toBeInstanceOf(Date);
    expect((await b.get('/u/ada-lovelace')).status).toBe(200);

    // The link works once.
    const reused = await b.get(link);
    expect(reused.status).toBe(400);
    const reusedHtml = await reused.text();
    expect(reusedHtml).toContain('already been used');
    expect(reusedHtml).toContain('action="/verify-email/resend"');

    const signedIn = await b.signIn('ADA@example.com', 'correct horse battery', '/settings');
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toBe('/settings');
    const cookie = signedIn.headers.getSetCookie().find((c) => c.startsWith('hearth_session='));
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Max-Age=2592000/);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Secure/i);

    const me = await b.get('/api/v1/me');
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ id: user.id, email: 'ada@example.com', displayName: 'Ada Lovelace', emailVerified: true, role: 'member', username: 'ada-lovelace' });

    const registered = await t.ctx.db.selectFrom('domain_events').select('name').where('actor_id', '=', user.id).orderBy('id').execute();
    expect(registered.map((e) => e.name)).toEqual(['user.registered', 'user.email_verified']);

    const out = await b.postForm('/logout', {});
    expect(out.status).toBe(303);
    expect(await sessionsOf(user.id)).toBe(0);
    expect((await b.get('/api/v1/me')).status).toBe(401);
  });

  it('redirects only to local paths after signing in', async () => {
    await createMember(t, { email: 'nextcheck@example.com', password: 'next check password' });
    for (const [next, expected] of [
      ['//evil.example/x', '/'],
      ['https://evil.example/', '/'],
      ['/\\evil.example', '/'],
      ['/u/someone?tab=1', '/u/someone?tab=1'],
    ] as const) {
      const b = new Browser(t.hearth);
      const res = await b.signIn('nextcheck@example.com', 'next check password', next);
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe(expected);
    }
  });

  it('refuses a second account with the same email in any letter case', async () => {
    const b = new Browser(t.hearth);
    expect((await b.postForm('/signup', { email: 'dup@example.com', displayName: 'First Dup', password: 'first password here' })).status).toBe(303);
    const users = await countRows('users');
    const again = await b.postForm('/signup', { email: 'DUP@Example.COM', displayName: 'Second Dup', password: 'second password here' });
    expect(again.status).toBe(409);
    const html = await again.text();
    expect(html).toContain('An account already uses this email address');
    expect(html).toContain('class="field-error"');
    expect(html).toContain('value="DUP@Example.COM"');
    expect(await countRows('users')).toBe(users);
  });

  it('shows an inline error for a weak password and writes nothing', async () => {
    const before = { users: await countRows('users'), tokens: await countRows('email_tokens'), mail: await countRows('mail_messages') };
    const b = new Browser(t.hearth);
    const res = await b.postForm('/signup', { email: 'weak@example.com', displayName: 'Weak Pass', password: 'short' });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toMatch(/<p class="field-error" id="password-error">.*Use at least 10 characters\./s);
    expect(html).toContain('value="weak@example.com"');
    expect(html).not.toContain('value="short"');
    expect({ users: await countRows('users'), tokens: await countRows('email_tokens'), mail: await countRows('mail_messages') }).toEqual(before);
  });

  it('respects the allowSignups site setting', async () => {
    t.ctx.site.allowSignups = false;
    try {
      const b = new Browser(t.hearth);
      const page = await b.get('/signup');
      expect(page.status).toBe(403);
      expect(await page.text()).toContain('Sign-ups are closed');
      const users = await countRows('users');
      const res = await b.postForm('/signup', { email: 'closed@example.com', displayName: 'Closed', password: 'a fine password' });
      expect(res.status).toBe(403);
      expect(await countRows('users')).toBe(users);
    } finally {
      t.ctx.site.allowSignups = true;
    }
  });

  it('refuses to sign in an unconfirmed account and offers a new link', async () => {
    const b = new Browser(t.hearth);
    await b.postForm('/signup', { email: 'pending@example.com', displayName: 'Pat Pending', password: 'pending password' });
    const user = await t.ctx.db.selectFrom('users').select('id').where('email', '=', 'pending@example.com').executeTakeFirstOrThrow();

    const res = await b.signIn('pending@example.com', 'pending password');
    expect(res.status).toBe(403);
    const html = await res.text();
    expect(html).toContain('Confirm your email address before signing in');
    expect(html).toContain('action="/verify-email/resend"');
    expect(b.cookies.has('hearth_session')).toBe(false);
    expect(await sessionsOf(user.id)).toBe(0);

    // With the wrong password the answer is the generic one, so the state of an account is not revealed.
    const wrong = await b.signIn('pending@example.com', 'not the password');
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('Email or password is incorrect.');

    await sendMail();
    expect(sink.to('pending@example.com')).toHaveLength(1);
    // A resend a moment later is skipped; one after the cool-down is sent.
    await b.postForm('/verify-email/resend', { email: 'pending@example.com' });
    await sendMail();
    expect(sink.to('pending@example.com')).toHaveLength(1);
    await t.ctx.db.updateTable('email_tokens').set({ created_at: new Date(Date.now() - 5 * 60_000) }).where('user_id', '=', user.id).execute();
    const resent = await b.postForm('/verify-email/resend', { email: 'pending@example.com' });
    const unknown = await b.postForm('/verify-email/resend', { email: 'nobody@example.com' });
    expect(resent.status).toBe(303);
    expect(unknown.status).toBe(303);
    expect(unknown.headers.get('location')).toBe(resent.headers.get('location'));
    await sendMail();
    expect(sink.to('pending@example.com')).toHaveLength(2);
    expect(sink.to('nobody@example.com')).toHaveLength(0);

    // An expired link gets a clear page with the resend form.
    await t.ctx.db.updateTable('email_tokens').set({ expires_at: new Date(Date.now() - 1000) }).where('user_id', '=', user.id).execute();
    const expired = await b.get(linkPath(sink.to('pending@example.com')[1]?.text ?? '', publicUrl, '/verify-email'));
    expect(expired.status).toBe(400);
    const expiredHtml = await expired.text();
    expect(expiredHtml).toContain('This link has expired.');
    expect(expiredHtml).toContain('Send a new link');
  });

  it('locks an account for 15 minutes after 5 wrong passwords, even against the right one', async () => {
    const member = await createMember(t, { email: 'locky@example.com', password: 'the right password' });
    const b = new Browser(t.hearth);
    for (let i = 1; i <= 4; i++) {
      const res = await b.signIn('locky@example.com', `wrong password ${i}`);
      expect(res.status).toBe(401);
      expect(await res.text()).toContain('Email or password is incorrect.');
    }
    const fifth = await b.signIn('locky@example.com', 'wrong password 5');
    expect(fifth.status).toBe(429);
    const row = await t.ctx.db.selectFrom('users').select(['locked_until', 'failed_logins']).where('id', '=', member.id).executeTakeFirstOrThrow();
    const lockMinutes = ((row.locked_until?.getTime() ?? 0) - Date.now()) / 60_000;
    expect(lockMinutes).toBeGreaterThan(14.9);
    expect(lockMinutes).toBeLessThanOrEqual(15);

    const right = await b.signIn('locky@example.com', 'the right password');
    expect(right.status).toBe(429);
    const html = await right.text();
    expect(html).toContain('locked for 15 more minutes');
    expect(html).toContain('wait');
    expect(b.cookies.has('hearth_session')).toBe(false);
    expect(await sessionsOf(member.id)).toBe(0);

    // Once the lock has passed the right password works and the count starts again.
    await t.ctx.db.updateTable('users').set({ locked_until: new Date(Date.now() - 1000), failed_logins: 3 }).where('id', '=', member.id).execute();
    const after = await b.signIn('locky@example.com', 'the right password');
    expect(after.status).toBe(303);
    const reset = await t.ctx.db.selectFrom('users').select(['failed_logins']).where('id', '=', member.id).executeTakeFirstOrThrow();
    expect(reset.failed_logins).toBe(0);
  });

  it('gives an unknown email the same answer as a wrong password', async () => {
    const b = new Browser(t.hearth);
    const res = await b.signIn('no-such-member@example.com', 'whatever password');
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('Email or password is incorrect.');
  });

  it('resets a forgotten password by email and signs out every old session', async () => {
    const member = await createMember(t, { email: 'forgetful@example.com', password: 'old password one', displayName: 'Fay Forgetful' });
    const laptop = new Browser(t.hearth);
    const phone = new Browser(t.hearth);
    expect((await laptop.signIn('forgetful@example.com', 'old password one')).status).toBe(303);
    expect((await phone.signIn('forgetful@example.com', 'old password one')).status).toBe(303);
    expect(await sessionsOf(member.id)).toBe(2);

    const visitor = new Browser(t.hearth);
    const asked = await visitor.postForm('/forgot-password', { email: 'Forgetful@example.com' });
    const unknown = await new Browser(t.hearth).postForm('/forgot-password', { email: 'stranger@example.com' });
    expect(asked.status).toBe(303);
    expect(unknown.status).toBe(303);
    expect(unknown.headers.get('location')).toBe(asked.headers.get('location'));
    expect(unknown.headers.getSetCookie().find((c) => c.startsWith('hearth_flash='))?.split(';')[0]).toBe(
      asked.headers.getSetCookie().find((c) => c.startsWith('hearth_flash='))?.split(';')[0],
    );

    await sendMail();
    const mails = sink.to('forgetful@example.com');
    expect(mails).toHaveLength(1);
    expect(mails[0]?.subject).toBe('Reset your password');
    expect(sink.to('stranger@example.com')).toHaveLength(0);
    const link = linkPath(mails[0]?.text ?? '', publicUrl, '/reset-password');
    const token = new URL(link, publicUrl).searchParams.get('token') ?? '';
    const stored = await t.ctx.db.selectFrom('email_tokens').select(['expires_at', 'purpose']).where('token_hash', '=', hashToken(token)).executeTakeFirstOrThrow();
    expect(stored.purpose).toBe('reset');
    expect((stored.expires_at.getTime() - Date.now()) / 60_000).toBeGreaterThan(59);

    const form = await visitor.get(link);
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('Choose a new password');

    const weak = await visitor.postForm('/reset-password', { token, password: 'tiny' });
    expect(weak.status).toBe(400);
    expect(await weak.text()).toContain('Use at least 10 characters.');

    const done = await visitor.postForm('/reset-password', { token, password: 'brand new password' });
    expect(done.status).toBe(303);
    expect(visitor.cookies.get('hearth_session')).toBeTruthy();
    expect((await laptop.get('/api/v1/me')).status).toBe(401);
    expect((await phone.get('/api/v1/me')).status).toBe(401);
    const me = await visitor.get('/api/v1/me');
    expect(me.status).toBe(200);
    expect((await me.json()).email).toBe('forgetful@example.com');
    expect(await sessionsOf(member.id)).toBe(1);

    expect((await new Browser(t.hearth).signIn('forgetful@example.com', 'old password one')).status).toBe(401);
    expect((await new Browser(t.hearth).signIn('forgetful@example.com', 'brand new password')).status).toBe(303);

    const reused = await new Browser(t.hearth).get(link);
    expect(reused.status).toBe(400);
    expect(await reused.text()).toContain('already been used');
    const reusedPost = await new Browser(t.hearth).postForm('/reset-password', { token, password: 'third new password' });
    expect(reusedPost.status).toBe(400);
    expect((await new Browser(t.hearth).signIn('forgetful@example.com', 'third new password')).status).toBe(401);
  });

  it('confirms an unverified address when its password is reset', async () => {
    const b = new Browser(t.hearth);
    await b.postForm('/signup', { email: 'late-confirm@example.com', displayName: 'Late Confirm', password: 'first password ok' });
    await sendMail();
    await b.postForm('/forgot-password', { email: 'late-confirm@example.com' });
    await sendMail();
    const reset = sink.to('late-confirm@example.com').find((m) => m.subject === 'Reset your password');
    const link = linkPath(reset?.text ?? '', publicUrl, '/reset-password');
    const token = new URL(link, publicUrl).searchParams.get('token') ?? '';
    expect((await b.postForm('/reset-password', { token, password: 'second password ok' })).status).toBe(303);
    const row = await t.ctx.db.selectFrom('users').select('email_verified_at').where('email', '=', 'late-confirm@example.com').executeTakeFirstOrThrow();
    expect(row.email_verified_at).toBeInstanceOf(Date);
  });
});
