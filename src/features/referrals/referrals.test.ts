import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHearth, TestClient, type TestHearth } from '../../../test/helpers.ts';
import { enqueueJob } from '../../platform/jobs/registry.ts';
import { JobWorker } from '../../platform/jobs/worker.ts';
import { createApiKey } from '../accounts/api-keys.ts';
import { createSession } from '../accounts/sessions.ts';
import type { Role } from '../accounts/tables.ts';
import { drainJobs, publish } from '../loyalty/testing.ts';
import { completeDueReferrals } from './service.ts';

let t: TestHearth;
let worker: JobWorker;
let admin: Member;
let storeKey: string;

interface Member {
  id: number;
  email: string;
  name: string;
  client: TestClient;
}

let seq = 0;
let ipSeq = 0;
/** A fresh client address per call, so only the tests about addresses share one. */
const freshIp = () => `10.1.${Math.floor(++ipSeq / 250)}.${ipSeq % 250}`;

/** A confirmed member with a session; `registered` publishes `user.registered` and `user.email_verified` as sign-up does. */
async function makeUser(opts: { email?: string; role?: Role; registered?: boolean; client?: TestClient } = {}): Promise<Member> {
  seq++;
  const username = `rf-${process.pid}-${seq}`;
  const email = opts.email ?? `${username}@example.com`;
  const name = `Friend ${seq}`;
  const row = await t.ctx.db
    .insertInto('users')
    .values({ email, display_name: name, username, password_hash: null, role: opts.role ?? 'member', email_verified_at: new Date(), notification_prefs: '{}' })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (opts.registered ?? true) {
    await publish(t, 'user.registered', { userId: row.id });
    await publish(t, 'user.email_verified', { userId: row.id });
  }
  await drainJobs(worker);
  const client = opts.client ?? new TestClient(t.hearth);
  client.cookies.set('hearth_session', await createSession(t.ctx.db, row.id, {}));
  return { id: row.id, email, name, client };
}

async function codeOf(m: Member): Promise<string> {
  const res = await m.client.get('/api/v1/referrals/me', { accept: 'application/json' });
  expect(res.status).toBe(200);
  return ((await res.json()) as { code: string }).code;
}

/** A visitor follows the link, then joins and signs in on the same browser: the first page attaches them. */
async function referViaLink(referrer: Member, opts: { email?: string; ip?: string } = {}): Promise<Member> {
  const code = await codeOf(referrer);
  const browser = new TestClient(t.hearth);
  const ip = opts.ip ?? freshIp();
  const landing = await browser.get(`/invite/${code}`, { 'x-forwarded-for': ip });
  expect(landing.status).toBe(200);
  const friend = await makeUser({ email: opts.email, client: browser });
  const page = await browser.get('/refer', { 'x-forwarded-for': ip });
  expect(page.status).toBe(200);
  await drainJobs(worker);
  return friend;
}

function store(method: string, path: string, body: unknown) {
  return t.hearth.app.request(path, { method, body: JSON.stringify(body), headers: { authorization: `Bearer ${storeKey}`, 'content-type': 'application/json' } });
}

let orderSeq = 0;
async function placeOrder(email: string, opts: { minor: number; paidAt?: Date; placedAt?: Date; shippingMinor?: number; address?: { addressLine: string; postcode: string } }): Promise<{ id: number; paidAt: Date }> {
  const paidAt = opts.paidAt ?? new Date();
  const res = await store('POST', '/api/v1/orders', {
    externalId: `RF-${process.pid}-${++orderSeq}`,
    currency: 'GBP',
    customer: { source: 'api', email, ...(opts.address ?? {}) },
    placedAt: (opts.placedAt ?? paidAt).toISOString(),
    paidAt: paidAt.toISOString(),
    shippingMinor: opts.shippingMinor ?? 0,
    taxMinor: 0,
    lines: [{ title: 'Walking boots', quantity: 1, unitPriceMinor: opts.minor }],
  });
  expect(res.status).toBe(201);
  await drainJobs(worker);
  return { id: ((await res.json()) as { id: number }).id, paidAt };
}

async function referralOf(friend: Member) {
  return t.ctx.db.selectFrom('referrals').selectAll().where('friend_user_id', '=', friend.id).executeTakeFirstOrThrow();
}

async function events(name: string, referralId: number) {
  const rows = await t.ctx.db.selectFrom('domain_events').select('payload').where('name', '=', name).orderBy('id').execute();
  return rows.map((r) => r.payload as Record<string, unknown>).filter((p) => p.referralId === referralId);
}

async function setSettings(patch: Record<string, unknown>) {
  const current = (await (await admin.client.get('/api/v1/referrals/settings')).json()) as Record<string, unknown>;
  const { currency: _c, returnWindowDays: _r, ...rest } = current;
  const res = await admin.client.json('PUT', '/api/v1/referrals/settings', { ...rest, ...patch });
  expect(res.status).toBe(200);
}

beforeAll(async () => {
  t = await createTestHearth();
  worker = new JobWorker(t.ctx);
  admin = await makeUser({ role: 'admin', registered: false });
  storeKey = (await createApiKey(t.ctx.db, { name: 'store', scopes: ['commerce:read', 'commerce:write'], createdBy: admin.id })).key;
});

afterAll(async () => {
  await t.close();
});

const DAY = 86_400_000;

describe('the happy path', () => {
  it('link → welcome code → first order of £45 → qualified → completed after the return window: £10 credit and 200 points', async () => {
    const referrer = await makeUser();
    const me = (await (await referrer.client.get('/api/v1/referrals/me')).json()) as Record<string, unknown> & { code: string; link: string; shareLinks: Array<{ label: string; href: string }> };
    expect(me.code).toMatch(/^[A-Z0-9]{8}$/);
    expect(me).toMatchObject({ link: `http://localhost:3000/invite/${me.code}`, friendRewardMinor: 500, referrerCreditMinor: 1000, referrerPoints: 200, minimumOrderMinor: 4000, returnWindowDays: 30, canClaim: true, referredBy: null });
    expect(me.shareLinks.map((s) => s.label)).toEqual(['Email', 'WhatsApp', 'X', 'Facebook']);
    expect(me.shareLinks[1]?.href).toBe(`https://wa.me/?text=${encodeURIComponent(`Join me at ${t.ctx.site.siteName} and get £5.00 off your first order. ${me.link}`)}`);
    // The same code every time.
    expect(await codeOf(referrer)).toBe(me.code);

    const page = await (await referrer.client.get('/refer')).text();
    expect(page).toContain(me.link);
    expect(page).toContain('https://www.facebook.com/sharer/sharer.php?u=' + encodeURIComponent(me.link));
    expect(page).toContain('No referrals yet');

    // The friend's browser follows the link: a landing page that is never cached, and a cookie.
    const browser = new TestClient(t.hearth);
    const landing = await browser.get(`/invite/${me.code.toLowerCase()}`, { 'x-forwarded-for': '203.0.113.7' });
    expect(landing.status).toBe(200);
    expect(landing.headers.get('cache-control')).toBe('private, no-store');
    const landingHtml = await landing.text();
    expect(landingHtml).toContain(`${referrer.name} invited you`);
    expect(landingHtml).toContain('£5.00 off your first order');
    expect(landingHtml).toContain('href="/signup"');
    expect(browser.cookies.get('hearth_ref')).toBeTruthy();
    const click = await t.ctx.db.selectFrom('referral_clicks').selectAll().where('referrer_user_id', '=', referrer.id).executeTakeFirstOrThrow();
    expect(click.ip_hash).toMatch(/^[0-9a-f]{32}$/);
    expect(click.ip_hash).not.toContain('203');

    // They join, confirm and sign in on that browser: the first page attaches them and drops the cookie.
    const friend = await makeUser({ client: browser });
    const friendPage = await browser.get('/refer', { 'x-forwarded-for': '203.0.113.7' });
    expect(friendPage.status).toBe(200);
    expect(browser.cookies.has('hearth_ref')).toBe(false);
    const referral = await referralOf(friend);
    expect(referral).toMatchObject({ referrer_user_id: referrer.id, status: 'pending', via: 'link', click_id: click.id, flags: [] });
    expect(await events('referral.created', referral.id)).toEqual([{ referralId: referral.id, referrerUserId: referrer.id, friendUserId: friend.id, via: 'link', status: 'pending', flags: [] }]);

    // The friend's welcome code: £5, usable at a checkout like any loyalty code.
    const friendMe = (await (await friend.client.get('/api/v1/referrals/me')).json()) as { referredBy: { status: string; welcomeCode: { code: string; valueMinor: number; status: string } }; canClaim: boolean };
    expect(friendMe.canClaim).toBe(false);
    expect(friendMe.referredBy).toMatchObject({ status: 'pending', welcomeCode: { valueMinor: 500, status: 'issued' } });
    expect(await (await friend.client.get('/refer')).text()).toContain(friendMe.referredBy.welcomeCode.code);
    expect(await (await admin.client.get(`/api/v1/loyalty/codes/${friendMe.referredBy.welcomeCode.code}`)).json()).toMatchObject({ valid: true, valueMinor: 500, currency: 'GBP' });

    const list = (await (await referrer.client.get('/api/v1/referrals/me/referrals')).json()) as { items: Array<Record<string, unknown>> };
    expect(list.items).toEqual([expect.objectContaining({ id: referral.id, status: 'pending', friend: { id: friend.id, displayName: friend.name, username: expect.any(String) }, flags: [] })]);

    // First order: £45 of goods and £4.95 shipping; the minimum counts the goods.
    const order = await placeOrder(friend.email, { minor: 4500, shippingMinor: 495 });
    const qualified = await referralOf(friend);
    expect(qualified).toMatchObject({ status: 'qualified', order_id: order.id, order_minor: 4500, currency: 'GBP' });
    expect(qualified.complete_after?.getTime()).toBe(order.paidAt.getTime() + 30 * DAY);
    expect(await events('referral.qualified', referral.id)).toHaveLength(1);
    expect(await (await referrer.client.get('/refer')).text()).toContain('Ordered, waiting for the return window');

    // Not before the window closes…
    expect(await completeDueReferrals(t.ctx, new Date(order.paidAt.getTime() + 29 * DAY))).toBe(0);
    // …then the scheduled job completes it.
    await t.ctx.db.updateTable('referrals').set({ complete_after: new Date(Date.now() - 1000) }).where('id', '=', referral.id).execute();
    await enqueueJob(t.ctx.db, 'referrals.completeDue', {});
    await drainJobs(worker);
    const completed = await referralOf(friend);
    expect(completed.status).toBe('completed');
    const [done] = await events('referral.completed', referral.id);
    expect(done).toMatchObject({ referralId: referral.id, referrerUserId: referrer.id, friendUserId: friend.id, orderId: order.id, orderMinor: 4500, currency: 'GBP', referrerCreditMinor: 1000 });

    // Loyalty's referral rule paid the points; the credit is a £10 code in the referrer's codes.
    const entries = (await (await referrer.client.get('/api/v1/loyalty/me/entries')).json()) as { items: Array<{ ruleKey: string | null; points: number; ref: string | null }> };
    expect(entries.items.filter((e) => e.ruleKey === 'referral')).toEqual([expect.objectContaining({ points: 200, ref: `referral:${referral.id}` })]);
    const codes = (await (await referrer.client.get('/api/v1/loyalty/me/codes')).json()) as { items: Array<{ valueMinor: number; status: string; points: number }> };
    expect(codes.items).toEqual([expect.objectContaining({ valueMinor: 1000, status: 'issued', points: 0 })]);
    const after = (await (await referrer.client.get('/api/v1/referrals/me')).json()) as { counts: Record<string, number> };
    expect(after.counts).toMatchObject({ completed: 1, pending: 0 });
  });
});

describe('fraud checks', () => {
  it('self-referral: your own link sends you to your page, your own code is refused', async () => {
    const member = await makeUser();
    const code = await codeOf(member);
    const own = await member.client.get(`/invite/${code}`);
    expect(own.status).toBe(303);
    expect(own.headers.get('location')).toBe('/refer');
    const claim = await member.client.json('POST', '/api/v1/referrals/claim', { code });
    expect(claim.status).toBe(400);
    expect(await claim.json()).toMatchObject({ error: { code: 'self_referral', message: 'You cannot use your own referral code.' } });
    expect(await t.ctx.db.selectFrom('referrals').select('id').where('referrer_user_id', '=', member.id).execute()).toEqual([]);
  });

  it('the same mailbox once +tags and Gmail dots are removed goes to review, without a welcome code', async () => {
    const referrer = await makeUser({ email: `jane.doe.${process.pid}@gmail.com` });
    const friend = await referViaLink(referrer, { email: `JaneDoe${process.pid}+deals@googlemail.com` });
    const r = await referralOf(friend);
    expect(r).toMatchObject({ status: 'review', flags: ['same_email'], welcome_code_id: null });
    expect(await events('referral.flagged', r.id)).toEqual([{ referralId: r.id, referrerUserId: referrer.id, friendUserId: friend.id, flags: ['same_email'], orderId: null }]);
    const queue = (await (await admin.client.get('/api/v1/referrals?status=review')).json()) as { items: Array<{ id: number; flags: string[] }> };
    expect(queue.items.find((i) => i.id === r.id)?.flags).toEqual(['same_email']);
    // The member sees it is being checked, not which check.
    const mine = (await (await referrer.client.get('/api/v1/referrals/me/referrals')).json()) as { items: Array<Record<string, unknown>> };
    expect(mine.items[0]).toMatchObject({ status: 'review', statusLabel: 'Being checked', flags: [] });
  });

  it('an order to the referrer’s address goes to review', async () => {
    const referrer = await makeUser();
    expect((await store('POST', '/api/v1/customers', { source: 'api', email: referrer.email, addressLine: '1 High Street', postcode: 'AB1 2CD' })).status).toBeLessThan(300);
    const friend = await referViaLink(referrer);
    await placeOrder(friend.email, { minor: 5000, address: { addressLine: '1 high street.', postcode: 'ab12cd' } });
    const r = await referralOf(friend);
    expect(r).toMatchObject({ status: 'review', flags: ['same_address'], order_minor: 5000 });
    expect((await events('referral.flagged', r.id))[0]).toMatchObject({ flags: ['same_address'] });
  });

  it('too many referrals from one address in the window: the one over the limit is flagged', async () => {
    await setSettings({ maxPerIp: 2, ipWindowHours: 24 });
    const ip = '198.51.100.77';
    const friends = [];
    for (const referrer of [await makeUser(), await makeUser(), await makeUser()]) friends.push(await referViaLink(referrer, { ip }));
    const states = await Promise.all(friends.map(referralOf));
    expect(states.map((s) => [s.status, s.flags])).toEqual([
      ['pending', []],
      ['pending', []],
      ['review', ['ip_limit']],
    ]);
    await setSettings({ maxPerIp: 3 });
  });

  it('too many referrals by one member in the window: the one over the limit is flagged', async () => {
    await setSettings({ maxPerReferrer: 2, referrerWindowDays: 30 });
    const referrer = await makeUser();
    const friends = [await referViaLink(referrer), await referViaLink(referrer), await referViaLink(referrer)];
    const states = await Promise.all(friends.map(referralOf));
    expect(states.map((s) => [s.status, s.flags])).toEqual([
      ['pending', []],
      ['pending', []],
      ['review', ['referrer_limit']],
    ]);
    await setSettings({ maxPerReferrer: 10 });
  });

  it('a friend who bought before is not a new customer: review', async () => {
    const referrer = await makeUser();
    const email = `returning-${process.pid}@example.com`;
    // An order from before they joined the community (no member to link it to then).
    await placeOrder(email, { minor: 2000, paidAt: new Date(Date.now() - 200 * DAY) });
    const friend = await referViaLink(referrer, { email });
    expect((await referralOf(friend)).status).toBe('pending');
    await placeOrder(email, { minor: 6000 });
    expect(await referralOf(friend)).toMatchObject({ status: 'review', flags: ['existing_customer'] });
  });

  it('a member who joined before following a link is not referred', async () => {
    const referrer = await makeUser();
    const old = await makeUser({ registered: false });
    const res = await old.client.get(`/invite/${await codeOf(referrer)}`);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
    const claim = await old.client.json('POST', '/api/v1/referrals/claim', { code: await codeOf(referrer) });
    expect(claim.status).toBe(409);
    expect(await claim.json()).toMatchObject({ error: { code: 'not_a_new_member' } });
    expect(await t.ctx.db.selectFrom('referrals').select('id').where('friend_user_id', '=', old.id).execute()).toEqual([]);
  });
});

describe('the review queue', () => {
  it('approving a flagged order qualifies it; rejecting ends it; both audited with the reason', async () => {
    const referrer = await makeUser();
    expect((await store('POST', '/api/v1/customers', { source: 'api', email: referrer.email, addressLine: '9 Mill Lane', postcode: 'ZZ9 9ZZ' })).status).toBeLessThan(300);
    const a = await referViaLink(referrer);
    const b = await referViaLink(referrer);
    await placeOrder(a.email, { minor: 4000, address: { addressLine: '9 Mill Lane', postcode: 'ZZ9 9ZZ' } });
    await placeOrder(b.email, { minor: 4000, address: { addressLine: '9 Mill Lane', postcode: 'ZZ9 9ZZ' } });
    const ra = await referralOf(a);
    const rb = await referralOf(b);
    expect([ra.status, rb.status]).toEqual(['review', 'review']);

    const page = await admin.client.get('/admin/referrals');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Same address as the referrer');
    expect(html).toContain(`/admin/referrals/${ra.id}/approve`);

    const noReason = await admin.client.json('POST', `/api/v1/referrals/${ra.id}/approve`, { reason: '' });
    expect(noReason.status).toBe(400);
    expect(await noReason.json()).toMatchObject({ error: { fields: { reason: 'Give a reason of at least 3 characters.' } } });

    const approved = await admin.client.json('POST', `/api/v1/referrals/${ra.id}/approve`, { reason: 'Flatmates, checked by phone' });
    expect(approved.status).toBe(200);
    expect(await approved.json()).toMatchObject({ id: ra.id, status: 'qualified', flags: ['same_address'] });
    expect(await events('referral.qualified', ra.id)).toHaveLength(1);
    expect((await admin.client.json('POST', `/api/v1/referrals/${ra.id}/approve`, { reason: 'again' })).status).toBe(409);

    // The form on the admin page works the same way.
    const rejected = await admin.client.postForm(`/admin/referrals/${rb.id}/reject`, { reason: 'Same household ordering twice', status: 'review' });
    expect(rejected.status).toBe(303);
    expect(rejected.headers.get('location')).toBe('/admin/referrals?status=review');
    expect(await referralOf(b)).toMatchObject({ status: 'rejected', closed_reason: 'Same household ordering twice', reviewed_by: admin.id });
    expect(await events('referral.rejected', rb.id)).toEqual([{ referralId: rb.id, referrerUserId: referrer.id, friendUserId: b.id, reason: 'Same household ordering twice' }]);

    const audit = await t.ctx.db.selectFrom('audit_log').select(['action', 'subject', 'detail', 'actor_id']).where('subject', 'in', [`referral:${ra.id}`, `referral:${rb.id}`]).orderBy('id').execute();
    expect(audit).toEqual([
      { action: 'referral.approved', subject: `referral:${ra.id}`, detail: { reason: 'Flatmates, checked by phone', flags: ['same_address'], status: 'qualified' }, actor_id: admin.id },
      { action: 'referral.rejected', subject: `referral:${rb.id}`, detail: { reason: 'Same household ordering twice', flags: ['same_address'], from: 'review' }, actor_id: admin.id },
    ]);
  });

  it('approving a referral flagged on joining releases the welcome code', async () => {
    const referrer = await makeUser({ email: `sam.ple.${process.pid}@gmail.com` });
    const friend = await referViaLink(referrer, { email: `sample${process.pid}@gmail.com` });
    const r = await referralOf(friend);
    expect(r).toMatchObject({ status: 'review', welcome_code_id: null });
    expect(await (await admin.client.json('POST', `/api/v1/referrals/${r.id}/approve`, { reason: 'Different people, same provider' })).json()).toMatchObject({ status: 'pending' });
    const now = await referralOf(friend);
    expect(now.welcome_code_id).not.toBeNull();
    // Reviewed once: the first order now qualifies.
    await placeOrder(friend.email, { minor: 4200 });
    expect((await referralOf(friend)).status).toBe('qualified');
  });
});

describe('orders that do not count', () => {
  it('a refund within the return window ends the referral; nothing completes', async () => {
    const referrer = await makeUser();
    const friend = await referViaLink(referrer);
    const order = await placeOrder(friend.email, { minor: 6000 });
    expect((await referralOf(friend)).status).toBe('qualified');
    // A partial refund that leaves £50 keeps it.
    expect((await store('POST', '/api/v1/refunds', { orderId: order.id, source: 'api', amountMinor: 1000 })).status).toBe(201);
    await drainJobs(worker);
    expect((await referralOf(friend)).status).toBe('qualified');
    // Refunding the rest ends it.
    expect((await store('POST', '/api/v1/refunds', { orderId: order.id, source: 'api', amountMinor: 5000 })).status).toBe(201);
    await drainJobs(worker);
    const r = await referralOf(friend);
    expect(r).toMatchObject({ status: 'cancelled', closed_reason: 'The first order was refunded within the return window.' });
    await completeDueReferrals(t.ctx, new Date(Date.now() + 60 * DAY));
    expect((await referralOf(friend)).status).toBe('cancelled');
    expect(await events('referral.completed', r.id)).toEqual([]);
    expect(await events('referral.cancelled', r.id)).toHaveLength(1);
  });

  it('a first order under the minimum ends the referral; a later bigger order does not revive it', async () => {
    const referrer = await makeUser();
    const friend = await referViaLink(referrer);
    await placeOrder(friend.email, { minor: 3999 });
    expect(await referralOf(friend)).toMatchObject({ status: 'cancelled', order_minor: 3999, closed_reason: 'The first order was under the minimum of £40.00.' });
    await placeOrder(friend.email, { minor: 9000 });
    expect((await referralOf(friend)).status).toBe('cancelled');
  });
});

describe('replays', () => {
  it('redelivered events change nothing and publish nothing twice', async () => {
    const referrer = await makeUser();
    const friend = await referViaLink(referrer);
    const order = await placeOrder(friend.email, { minor: 4500 });
    const r = await referralOf(friend);
    const paid = await t.ctx.db.selectFrom('domain_events').select(['name', 'payload']).where('name', '=', 'order.paid').orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
    expect(paid.payload).toMatchObject({ orderId: order.id });
    await publish(t, 'order.paid', paid.payload as Record<string, unknown>);
    await publish(t, 'user.registered', { userId: friend.id });
    await publish(t, 'user.email_verified', { userId: friend.id });
    await drainJobs(worker);
    expect(await referralOf(friend)).toEqual(r);
    expect(await events('referral.qualified', r.id)).toHaveLength(1);

    await t.ctx.db.updateTable('referrals').set({ complete_after: new Date(Date.now() - 1000) }).where('id', '=', r.id).execute();
    expect(await completeDueReferrals(t.ctx)).toBeGreaterThanOrEqual(1);
    await completeDueReferrals(t.ctx);
    expect((await referralOf(friend)).status).toBe('completed');
    const [completed, ...more] = await events('referral.completed', r.id);
    expect(more).toEqual([]);
    // The referral.completed event delivered twice (the test publishes it again) pays the points once.
    await publish(t, 'referral.completed', completed ?? {});
    await drainJobs(worker);
    const entries = (await (await referrer.client.get('/api/v1/loyalty/me/entries')).json()) as { items: Array<{ ruleKey: string | null; points: number }> };
    expect(entries.items.filter((e) => e.ruleKey === 'referral').map((e) => e.points)).toEqual([200]);
    // A refund after completion, or a replayed one, changes nothing.
    await publish(t, 'refund.created', { refundId: 999_999, orderId: order.id, amountMinor: 4500, orderTotalMinor: 4500, refundedTotalMinor: 4500, full: true });
    await drainJobs(worker);
    expect((await referralOf(friend)).status).toBe('completed');
    expect(await events('referral.completed', r.id)).toHaveLength(2);
    const credit = await t.ctx.db.selectFrom('domain_events').select('payload').where('name', '=', 'reward.code_issued').execute();
    expect(credit.filter((e) => (e.payload as { reason: string }).reason === `referral:${r.id}:credit`)).toHaveLength(1);
    expect(credit.filter((e) => (e.payload as { reason: string }).reason === `referral:${r.id}:welcome`)).toHaveLength(1);
  });
});

describe('codes typed by hand', () => {
  it('a new member enters a friend’s code on the referral page; bad codes get clear messages', async () => {
    const referrer = await makeUser();
    const friend = await makeUser();
    const page = await (await friend.client.get('/refer')).text();
    expect(page).toContain('Did a friend refer you?');

    const bad = await friend.client.json('POST', '/api/v1/referrals/claim', { code: 'no!' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'validation_failed', fields: { code: 'A referral code is 4 to 16 letters and digits.' } } });
    const unknown = await friend.client.json('POST', '/api/v1/referrals/claim', { code: 'ZZZZZZZZ' });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ error: { fields: { code: 'No member has that referral code.' } } });

    const res = await friend.client.postForm('/refer/claim', { code: ` ${(await codeOf(referrer)).toLowerCase()} ` });
    expect(res.status).toBe(303);
    expect(await referralOf(friend)).toMatchObject({ referrer_user_id: referrer.id, via: 'code', status: 'pending' });
    const again = await friend.client.json('POST', '/api/v1/referrals/claim', { code: await codeOf(referrer) });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ error: { code: 'already_referred' } });
  });
});

describe('access', () => {
  it('members see only their own referrals; only administrators review or configure', async () => {
    const referrer = await makeUser();
    const friend = await referViaLink(referrer);
    const r = await referralOf(friend);
    const other = await makeUser();
    expect(await (await other.client.get('/api/v1/referrals/me/referrals')).json()).toEqual({ items: [], nextCursor: null });
    expect((await other.client.get(`/api/v1/referrals/${r.id}`)).status).toBe(403);
    expect((await other.client.get('/api/v1/referrals?status=review')).status).toBe(403);
    expect((await other.client.json('POST', `/api/v1/referrals/${r.id}/reject`, { reason: 'not mine to judge' })).status).toBe(403);
    expect((await other.client.json('PUT', '/api/v1/referrals/settings', { minimumOrderMinor: 1 })).status).toBe(403);
    expect((await other.client.get('/admin/referrals')).status).toBe(403);
    expect((await referrer.client.json('POST', `/api/v1/referrals/${r.id}/approve`, { reason: 'approve my own' })).status).toBe(403);
    expect((await referralOf(friend)).status).toBe('pending');

    const anonymous = await t.hearth.app.request('/refer');
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toBe('/login?next=%2Frefer');
    expect((await t.hearth.app.request('/api/v1/referrals/me')).status).toBe(401);
    expect((await t.hearth.app.request('/invite/NOSUCHCODE')).status).toBe(404);
  });
});

describe('settings and the API document', () => {
  it('the admin form saves amounts in the currency and the referrer points in loyalty; bad values are refused', async () => {
    const form = await admin.client.postForm('/admin/referrals/settings', {
      enabled: 'on',
      minimumOrder: '50',
      friendReward: '7.50',
      referrerCredit: '12',
      referrerPoints: '300',
      codeValidDays: '60',
      claimWindowDays: '14',
      maxPerIp: '3',
      ipWindowHours: '24',
      maxPerReferrer: '10',
      referrerWindowDays: '30',
    });
    expect(form.status).toBe(303);
    expect(await (await admin.client.get('/api/v1/referrals/settings')).json()).toMatchObject({ minimumOrderMinor: 5000, friendRewardMinor: 750, referrerCreditMinor: 1200, referrerPoints: 300, claimWindowDays: 14, currency: 'GBP' });
    expect(await (await admin.client.get('/api/v1/loyalty/rules')).json()).toMatchObject({ items: expect.arrayContaining([expect.objectContaining({ key: 'referral', points: 300, enabled: true })]) });

    const badForm = await admin.client.postForm('/admin/referrals/settings', { enabled: 'on', minimumOrder: 'forty', friendReward: '5', referrerCredit: '10', referrerPoints: '200', codeValidDays: '90', claimWindowDays: '30', maxPerIp: '3', ipWindowHours: '24', maxPerReferrer: '10', referrerWindowDays: '30' });
    expect(badForm.status).toBe(400);
    expect(await badForm.text()).toContain('An amount such as 40 or 12.50.');

    const bad = await admin.client.json('PUT', '/api/v1/referrals/settings', { minimumOrderMinor: -1 });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'validation_failed', fields: { minimumOrderMinor: expect.stringContaining('>=0') } } });
    await setSettings({ minimumOrderMinor: 4000, friendRewardMinor: 500, referrerCreditMinor: 1000, referrerPoints: 200, claimWindowDays: 30, codeValidDays: 90 });

    const audit = await t.ctx.db.selectFrom('audit_log').select('action').where('action', '=', 'referral.settings_changed').execute();
    expect(audit.length).toBeGreaterThanOrEqual(2);

    const doc = (await (await t.hearth.app.request('/api/v1/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
    for (const path of ['/api/v1/referrals/me', '/api/v1/referrals/me/referrals', '/api/v1/referrals/claim', '/api/v1/referrals', '/api/v1/referrals/{id}', '/api/v1/referrals/{id}/approve', '/api/v1/referrals/{id}/reject', '/api/v1/referrals/settings']) {
      expect(doc.paths[path], path).toBeDefined();
    }
    expect(Object.keys(doc.paths['/api/v1/referrals/settings'] ?? {})).toEqual(['get', 'put']);
  });
});
