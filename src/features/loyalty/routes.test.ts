import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHearth, type TestHearth } from '../../../test/helpers.ts';
import { JobWorker } from '../../platform/jobs/worker.ts';
import { canSeeSpace } from '../community/service.ts';
import { addAccessRule, createSpace } from '../community/space-admin.ts';
import { spaceInput } from '../community/space-admin-schema.ts';
import { drainJobs, makeMember, orderPaid, publish, type LoyaltyTestMember } from './testing.ts';

let t: TestHearth;
let admin: LoyaltyTestMember;
let worker: JobWorker;

beforeAll(async () => {
  t = await createTestHearth();
  worker = new JobWorker(t.ctx);
  admin = await makeMember(t, 'admin');
  await admin.client.get('/admin/loyalty');
});

afterAll(async () => {
  await t.close();
});

const adminActor = () => ({ user: admin.user, apiScopes: null, ip: null });

describe('program settings', () => {
  it('configures the example program exactly: every 20 points saves £1, redemption from 200, 200 for a referral', async () => {
    const settings = await admin.client.json('PUT', '/api/v1/loyalty/settings', {
      programName: 'Stack points',
      currency: 'GBP',
      redeemStepPoints: 20,
      redeemStepValueMinor: 100,
      redeemMinimumPoints: 200,
      returnWindowDays: 0,
      expiryMonths: 12,
      tierBasis: 'points',
      tierPeriod: 'rolling12',
      tierGraceDays: 30,
    });
    expect(settings.status).toBe(200);
    const referral = await admin.client.json('PUT', '/api/v1/loyalty/rules/referral', { enabled: true, points: 200, dailyCap: null, lifetimeCap: null });
    expect(await referral.json()).toMatchObject({ key: 'referral', points: 200 });

    const preview = await admin.client.get('/admin/loyalty/preview?orderMajor=40&points=300');
    const html = await preview.text();
    expect(html).toContain('300 points are worth <strong>£15.00</strong>');
    expect(html).toContain('200 = £10.00 · 300 = £15.00 · 500 = £25.00');

    const page = await admin.client.get('/admin/loyalty');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Earning rules');

    const audit = await t.ctx.db.selectFrom('audit_log').select('action').where('action', 'like', 'loyalty.%').execute();
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['loyalty.settings_changed', 'loyalty.rule_changed']));

    // A member cannot change the program.
    const member = await makeMember(t);
    await member.client.get('/points');
    expect((await member.client.json('PUT', '/api/v1/loyalty/settings', { redeemStepPoints: 1 })).status).toBe(403);
  });

  it('the referral rule pays 200 points once per referral', async () => {
    const m = await makeMember(t);
    await publish(t, 'referral.completed', { referralId: 31, referrerUserId: m.id });
    await publish(t, 'referral.completed', { referralId: 31, referrerUserId: m.id });
    await drainJobs(worker);
    await m.client.get('/points');
    expect(await (await m.client.get('/api/v1/loyalty/me', { accept: 'application/json' })).json()).toMatchObject({ balance: 200, balanceValueMinor: 1000 });
  });
});

describe('the member points page and redemption', () => {
  it('shows balance, value, history; redeems a code a checkout validates and consumes; an unused code comes back', async () => {
    const m = await makeMember(t);
    await publish(t, 'order.paid', orderPaid({ customerId: 4242, userId: m.id, subtotalMinor: 50_000 }));
    await drainJobs(worker);

    const page = await m.client.get('/points');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('500 points, worth £25.00');
    expect(html).toContain('Ways to earn');

    const history = await (await m.client.get('/api/v1/loyalty/me/entries?limit=1')).json();
    expect(history.items).toHaveLength(1);
    expect(history.items[0]).toMatchObject({ kind: 'earn', points: 500 });

    const tooFew = await m.client.json('POST', '/api/v1/loyalty/rewards/1/redeem', { points: 100 });
    expect(tooFew.status).toBe(400);
    const redeemed = await m.client.json('POST', '/api/v1/loyalty/rewards/1/redeem', { points: 300 });
    expect(redeemed.status).toBe(201);
    const code = await redeemed.json();
    expect(code).toMatchObject({ points: 300, valueMinor: 1500, status: 'issued' });

    // Members cannot validate or consume codes; a checkout with an admin key (here an admin) can.
    expect((await m.client.get(`/api/v1/loyalty/codes/${code.code}`)).status).toBe(403);
    expect(await (await admin.client.get(`/api/v1/loyalty/codes/${code.code}`)).json()).toMatchObject({ valid: true, valueMinor: 1500 });

    const second = await (await m.client.json('POST', '/api/v1/loyalty/rewards/1/redeem', { points: 200 })).json();
    expect(await (await m.client.get('/api/v1/loyalty/me')).json()).toMatchObject({ balance: 0 });

    const used = await admin.client.json('POST', `/api/v1/loyalty/codes/${code.code}/consume`, { orderRef: 'checkout-1' });
    expect(await used.json()).toMatchObject({ status: 'used' });
    expect((await admin.client.json('POST', `/api/v1/loyalty/codes/${code.code}/consume`, { orderRef: 'checkout-2' })).status).toBe(409);
    expect((await m.client.json('POST', `/api/v1/loyalty/me/codes/${code.id}/return`)).status).toBe(400);

    expect(await (await m.client.json('POST', `/api/v1/loyalty/me/codes/${second.id}/return`)).json()).toMatchObject({ status: 'returned' });
    expect(await (await m.client.get('/api/v1/loyalty/me')).json()).toMatchObject({ balance: 200 });
    expect(await (await admin.client.get(`/api/v1/loyalty/codes/${second.code}`)).json()).toMatchObject({ valid: false, status: 'returned' });
  });

  it('sends a visitor who is not signed in to sign in', async () => {
    const res = await t.hearth.app.request('/points');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toContain('/login?next=%2Fpoints');
  });
});

describe('admin forms', () => {
  it('save settings, a rule, a tier and a reward from the admin page', async () => {
    const settings = await admin.client.postForm('/admin/loyalty/settings', {
      enabled: 'on',
      programName: 'Stack points',
      currency: 'gbp',
      redeemStepPoints: '20',
      redeemStepValueMinor: '100',
      redeemMinimumPoints: '200',
      orderMajor: '40',
      points: '200',
      returnWindowDays: '0',
      maxOrderAgeDays: '60',
      expiryMonths: '12',
      tierBasis: 'points',
      tierPeriod: 'rolling12',
      tierGraceDays: '30',
    });
    expect(settings.status).toBe(303);
    const bad = await admin.client.postForm('/admin/loyalty/settings', { programName: '', currency: 'pounds' });
    expect(bad.status).toBe(400);

    expect((await admin.client.postForm('/admin/loyalty/rules/share', { enabled: 'on', points: '15', dailyCap: '45', lifetimeCap: '' })).status).toBe(303);
    expect((await admin.client.postForm('/admin/loyalty/tiers', { name: 'Bronze', threshold: '50', multiplierPct: '100' })).status).toBe(303);
    expect((await admin.client.postForm('/admin/loyalty/rewards', { name: '£5 off', kind: 'fixed', points: '100', valueMinor: '500', minPoints: '0', codeValidDays: '30', enabled: 'on' })).status).toBe(303);
    const rules = await (await admin.client.get('/api/v1/loyalty/rules')).json();
    expect(rules.items).toContainEqual(expect.objectContaining({ key: 'share', points: 15, dailyCap: 45, lifetimeCap: null }));
    const rewards = await (await admin.client.get('/api/v1/loyalty/admin/rewards')).json();
    expect(rewards.items).toContainEqual(expect.objectContaining({ name: '£5 off', kind: 'fixed', points: 100, valueMinor: 500 }));
    const page = await (await admin.client.get('/admin/loyalty')).text();
    expect(page).toContain('Bronze');
    expect(page).toContain('hx-get="/admin/loyalty/preview"');
  });
});

describe('admin: a member\'s ledger and manual adjustments', () => {
  it('adjusts with a reason, audited; taking back more than available becomes debt', async () => {
    const m = await makeMember(t);
    const plus = await admin.client.json('POST', `/api/v1/loyalty/members/${m.id}/adjustments`, { points: 40, reason: 'Goodwill for a late parcel' });
    expect(plus.status).toBe(201);
    const minus = await admin.client.json('POST', `/api/v1/loyalty/members/${m.id}/adjustments`, { points: -100, reason: 'Duplicate award' });
    expect(minus.status).toBe(201);
    const ledger = await (await admin.client.get(`/api/v1/loyalty/members/${m.id}`)).json();
    expect(ledger).toMatchObject({ balance: 0, debt: 60 });
    expect(ledger.entries.items.map((e: { reason: string }) => e.reason)).toEqual(['Duplicate award', 'Goodwill for a late parcel']);
    const audit = await t.ctx.db.selectFrom('audit_log').select(['action', 'subject']).where('action', '=', 'loyalty.points_adjusted').where('subject', '=', `user:${m.id}`).execute();
    expect(audit).toHaveLength(2);
    expect((await admin.client.json('POST', `/api/v1/loyalty/members/${m.id}/adjustments`, { points: 5, reason: '' })).status).toBe(400);

    const csv = await admin.client.get(`/admin/loyalty/members/${m.id}/ledger.csv`);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const text = await csv.text();
    expect(text.split('\n')[0]).toContain('id,created_at,kind,points');
    expect(text).toContain('Goodwill for a late parcel');
    expect((await m.client.get(`/admin/loyalty/members/${m.id}/ledger.csv`)).status).toBe(403);

    const page = await admin.client.get(`/admin/loyalty/members/${m.id}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Duplicate award');
  });
});

describe('tiers and exclusive spaces', () => {
  it('a space can require a loyalty tier through the community access rules', async () => {
    const gold = await (await admin.client.json('POST', '/api/v1/loyalty/tiers', { name: 'Gold', threshold: 1000, multiplierPct: 125, earlyAccess: true })).json();
    expect(gold).toMatchObject({ name: 'Gold' });
    const space = await createSpace(t.ctx, adminActor(), spaceInput.parse({ slug: 'gold-lounge', name: 'Gold lounge', visibility: 'exclusive' }));
    await addAccessRule(t.ctx, adminActor(), space.id, 'loyalty_tier', 'gold');

    const m = await makeMember(t);
    expect(await canSeeSpace(t.ctx, { ...m.user }, { id: space.id, visibility: 'exclusive' })).toBe(false);
    await publish(t, 'order.paid', orderPaid({ customerId: 4343, userId: m.id, subtotalMinor: 100_000 }));
    await drainJobs(worker);
    expect(await canSeeSpace(t.ctx, { ...m.user }, { id: space.id, visibility: 'exclusive' })).toBe(true);
  });

  it('lists the loyalty endpoints in the OpenAPI document', async () => {
    const doc = await (await t.hearth.app.request('/api/v1/openapi.json')).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/loyalty/me', '/api/v1/loyalty/me/entries', '/api/v1/loyalty/actions', '/api/v1/loyalty/members/{userId}/adjustments', '/api/v1/loyalty/codes/{code}/consume']));
  });
});
