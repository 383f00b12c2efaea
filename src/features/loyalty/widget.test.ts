import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHearth, type TestHearth } from '../../../test/helpers.ts';
import { createApiKey } from '../accounts/api-keys.ts';
import { makeMember, type LoyaltyTestMember } from './testing.ts';
import { widgetDigest } from './widget.ts';

const SECRET = 'widget-secret-for-tests-0123456789';

let t: TestHearth;
let unsigned: TestHearth;
let admin: LoyaltyTestMember;
let member: LoyaltyTestMember;

beforeAll(async () => {
  [t, unsigned] = await Promise.all([createTestHearth({ widgetSecret: SECRET }), createTestHearth()]);
  admin = await makeMember(t, 'admin');
  member = await makeMember(t);
  const key = (await createApiKey(t.ctx.db, { name: 'store', scopes: ['commerce:read', 'commerce:write'], createdBy: admin.id })).key;
  const res = await t.hearth.app.request('/api/v1/customers', {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ source: 'shopify', externalId: '7781', email: member.user.email, firstName: 'Widget' }),
  });
  // Customers are upserted by their store id: 200, created or updated.
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ externalId: '7781', userId: member.id });
  expect((await admin.client.json('POST', `/api/v1/loyalty/members/${member.id}/adjustments`, { points: 340, reason: 'Widget test' })).status).toBe(201);
  expect((await admin.client.json('POST', '/api/v1/loyalty/admin/rewards', { name: '£5 off', kind: 'fixed', points: 100, valueMinor: 500 })).status).toBe(201);
  expect((await admin.client.json('POST', '/api/v1/loyalty/admin/rewards', { name: '£25 off', kind: 'fixed', points: 500, valueMinor: 2500 })).status).toBe(201);
});

afterAll(async () => {
  await Promise.all([t.close(), unsigned.close()]);
});

const customer = (app: TestHearth, query: string) => app.hearth.app.request(`/widget/v1/customer${query}`, { headers: { origin: 'https://shop.example' } });

describe('the storefront widget', () => {
  it('serves its script to other origins', async () => {
    const res = await t.hearth.app.request('/widget/hearth-loyalty.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    const script = await res.text();
    expect(script).toContain("customElements.define('hearth-loyalty'");
    // Text goes in as text: the script never writes HTML from data.
    expect(script).not.toContain('innerHTML');
  });

  it('shows a signed customer their balance, its worth, and the rewards within reach', async () => {
    const res = await customer(t, `?customer=7781&digest=${widgetDigest(SECRET, '7781')}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    const data = await res.json();
    // The example program: every 20 points is £1.
    expect(data.customer).toMatchObject({ balance: 340, balanceValueMinor: 1700, balanceValue: '£17.00', pending: 0 });
    expect(data.rewards).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: '£5 off', points: 100, redeemable: true }),
        expect.objectContaining({ name: '£25 off', points: 500, redeemable: false }),
      ]),
    );
    expect(data.program).toMatchObject({ redeemUrl: 'http://localhost:3000/points' });
  });

  it('refuses a digest that does not match, and an unknown customer shows zeros', async () => {
    const forged = await customer(t, `?customer=7782&digest=${widgetDigest(SECRET, '7781')}`);
    expect(forged.status).toBe(401);
    expect(await forged.json()).toMatchObject({ error: { code: 'bad_digest' } });
    expect((await customer(t, '?customer=7781&digest=zz')).status).toBe(401);
    expect((await customer(t, '?customer=7781')).status).toBe(400);
    const stranger = await (await customer(t, `?customer=9999&digest=${widgetDigest(SECRET, '9999')}`)).json();
    expect(stranger.customer).toMatchObject({ balance: 0 });
  });

  it('without a customer shows the program to everyone; without a secret a signed customer gets 503', async () => {
    const open = await customer(t, '');
    expect(open.status).toBe(200);
    expect(open.headers.get('cache-control')).toBe('public, max-age=60');
    const data = await open.json();
    expect(data.customer).toBeNull();
    expect(data.rewards.map((r: { name: string }) => r.name)).toEqual(expect.arrayContaining(['£5 off', '£25 off']));
    const off = await customer(unsigned, `?customer=7781&digest=${widgetDigest(SECRET, '7781')}`);
    expect(off.status).toBe(503);
    expect(await off.json()).toMatchObject({ error: { code: 'widget_not_configured' } });
  });

  it('gives administrators a page with a live example and the snippet to paste', async () => {
    const res = await admin.client.get('/admin/loyalty/widget');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(`<hearth-loyalty customer="7781" digest="${widgetDigest(SECRET, '7781')}">`);
    expect(html).toContain('hmac_sha256');
    expect((await member.client.get('/admin/loyalty/widget')).status).toBe(403);
  });
});
