import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHearth, type TestHearth } from '../../../test/helpers.ts';
import { upsertProductIn } from '../commerce/products.ts';
import { canSeeSpace } from '../community/service.ts';
import { createSpace, getSpaceForAdmin } from '../community/space-admin.ts';
import { spaceInput } from '../community/space-admin-schema.ts';
import { expireDueCodes } from './rewards.ts';
import { hasEarlyAccess } from './service.ts';
import { makeMember, type LoyaltyTestMember } from './testing.ts';

let t: TestHearth;
let admin: LoyaltyTestMember;
let mug: { productId: number; variantId: number };

beforeAll(async () => {
  t = await createTestHearth();
  admin = await makeMember(t, 'admin');
  await admin.client.get('/admin/loyalty');
  const { product } = await t.ctx.db.transaction().execute((trx) =>
    upsertProductIn(t.ctx, trx, {
      source: 'shopify',
      externalId: 'p-mug',
      title: 'Travel mug',
      variants: [
        { externalId: 'v-blk', sku: 'MUG-BLK', title: 'Black', priceMinor: 1800, currency: 'GBP' },
        { externalId: 'v-red', sku: 'MUG-RED', title: 'Red', priceMinor: 1800, currency: 'GBP' },
      ],
      images: [],
    }),
  );
  const red = product.variants.find((v) => v.sku === 'MUG-RED');
  if (!red) throw new Error('variant missing');
  mug = { productId: product.id, variantId: red.id };
});

afterAll(async () => {
  await t.close();
});

const adminActor = () => ({ user: admin.user, apiScopes: null, ip: null });

/** A member holding `points` available points (an administrator's adjustment). */
async function memberWith(points: number): Promise<LoyaltyTestMember> {
  const m = await makeMember(t);
  const res = await admin.client.json('POST', `/api/v1/loyalty/members/${m.id}/adjustments`, { points, reason: 'Test balance' });
  expect(res.status).toBe(201);
  await m.client.get('/points');
  return m;
}

async function addReward(body: Record<string, unknown>) {
  const res = await admin.client.json('POST', '/api/v1/loyalty/admin/rewards', body);
  return { status: res.status, body: await res.json() };
}

async function balanceOf(m: LoyaltyTestMember): Promise<number> {
  return (await (await m.client.get('/api/v1/loyalty/me')).json()).balance;
}

async function redeem(m: LoyaltyTestMember, rewardId: number, body: Record<string, unknown> = {}) {
  const res = await m.client.json('POST', `/api/v1/loyalty/rewards/${rewardId}/redeem`, body);
  return { status: res.status, body: await res.json() };
}

async function validate(code: string, subtotalMinor?: number) {
  const res = await admin.client.get(`/api/v1/loyalty/codes/${code}${subtotalMinor === undefined ? '' : `?subtotalMinor=${subtotalMinor}`}`);
  expect(res.status).toBe(200);
  return res.json();
}

describe('discount rewards: each kind redeems and validates with its values', () => {
  it('a fixed amount off', async () => {
    const reward = await addReward({ name: '£5 off', kind: 'fixed', points: 100, valueMinor: 500 });
    expect(reward.status).toBe(201);
    expect(reward.body).toMatchObject({ kind: 'fixed', points: 100, valueMinor: 500, percentOff: null, description: '100 points for £5.00 off' });
    const m = await memberWith(1000);
    const { status, body: code } = await redeem(m, reward.body.id);
    expect(status).toBe(201);
    expect(code).toMatchObject({ type: 'code', kind: 'amount_off', points: 100, valueMinor: 500, status: 'issued', description: '£5.00 off' });
    expect(await balanceOf(m)).toBe(900);
    expect(await validate(code.code, 300)).toMatchObject({ valid: true, kind: 'amount_off', valueMinor: 500, freeShipping: false, product: null, discountMinor: 300 });
  });

  it('a percentage off with a minimum order and a largest discount', async () => {
    const reward = await addReward({ name: '10% off', kind: 'percentage', points: 300, percentOff: 10, minOrderMinor: 4000, maxDiscountMinor: 2000, codeValidDays: 30 });
    expect(reward.status).toBe(201);
    expect(reward.body).toMatchObject({ kind: 'percentage', percentOff: 10, minOrderMinor: 4000, maxDiscountMinor: 2000, valueMinor: 0, description: '300 points for 10% off on orders of £40.00 or more, up to £20.00' });
    const m = await memberWith(400);
    const { body: code } = await redeem(m, reward.body.id);
    expect(code).toMatchObject({ type: 'code', kind: 'percent_off', points: 300, valueMinor: 0, percentOff: 10, minOrderMinor: 4000, maxDiscountMinor: 2000 });
    expect(await balanceOf(m)).toBe(100);
    expect(new Date(code.expiresAt).getTime() - Date.now()).toBeGreaterThan(29.9 * 86_400_000);

    expect(await validate(code.code)).toMatchObject({ valid: true, status: 'issued', reason: null, kind: 'percent_off', percentOff: 10, discountMinor: null });
    expect(await validate(code.code, 3999)).toMatchObject({ valid: false, status: 'issued', reason: 'below_minimum', discountMinor: 399 });
    expect(await validate(code.code, 8000)).toMatchObject({ valid: true, discountMinor: 800 });
    expect(await validate(code.code, 50_000)).toMatchObject({ valid: true, discountMinor: 2000 });

    const used = await admin.client.json('POST', `/api/v1/loyalty/codes/${code.code}/consume`, { orderRef: 'order-77' });
    expect(await used.json()).toMatchObject({ status: 'used', kind: 'percent_off' });
    expect(await validate(code.code, 8000)).toMatchObject({ valid: false, reason: 'used' });
  });

  it('free shipping, capped', async () => {
    const reward = await addReward({ name: 'Free delivery', kind: 'free_shipping', points: 200, maxDiscountMinor: 995 });
    expect(reward.body).toMatchObject({ kind: 'free_shipping', maxDiscountMinor: 995, description: '200 points for free shipping (up to £9.95)' });
    const m = await memberWith(200);
    const { body: code } = await redeem(m, reward.body.id);
    expect(code).toMatchObject({ kind: 'free_shipping', maxDiscountMinor: 995, valueMinor: 0 });
    expect(await validate(code.code, 2500)).toMatchObject({ valid: true, kind: 'free_shipping', freeShipping: true, maxDiscountMinor: 995, discountMinor: 0, product: null, description: 'Free shipping (up to £9.95)' });
    expect(await balanceOf(m)).toBe(0);
  });

  it('a free product, by SKU or by product id and variant', async () => {
    const bySku = await addReward({ name: 'A free black mug', kind: 'free_product', points: 250, sku: 'MUG-BLK' });
    expect(bySku.status).toBe(201);
    expect(bySku.body.product).toMatchObject({ productId: mug.productId, sku: 'MUG-BLK', title: 'Travel mug (Black)' });
    expect(bySku.body.description).toBe('250 points for a free Travel mug (Black)');
    const byId = await addReward({ name: 'A free red mug', kind: 'free_product', points: 250, productId: mug.productId, variantId: mug.variantId });
    expect(byId.body.product).toEqual({ productId: mug.productId, variantId: mug.variantId, sku: 'MUG-RED', title: 'Travel mug (Red)' });

    const m = await memberWith(600);
    const { body: code } = await redeem(m, byId.body.id);
    expect(code).toMatchObject({ type: 'code', kind: 'free_product', product: { productId: mug.productId, variantId: mug.variantId, sku: 'MUG-RED' } });
    expect(await validate(code.code, 1000)).toMatchObject({ valid: true, kind: 'free_product', freeShipping: false, product: { productId: mug.productId, variantId: mug.variantId, sku: 'MUG-RED', title: 'Travel mug (Red)' }, discountMinor: 0 });
    expect(await balanceOf(m)).toBe(350);
  });
});

describe('access rewards take effect on redeem', () => {
  it('an exclusive space: the reward adds the access rule, redeeming admits the member, once', async () => {
    const space = await createSpace(t.ctx, adminActor(), spaceInput.parse({ slug: 'makers-room', name: 'Makers room', visibility: 'exclusive' }));
    const reward = await addReward({ name: 'Makers room pass', kind: 'space_access', points: 500, spaceId: space.id });
    expect(reward.status).toBe(201);
    expect(reward.body).toMatchObject({ kind: 'space_access', spaceId: space.id, accessDays: null });
    const rules = (await getSpaceForAdmin(t.ctx, adminActor(), space.id)).rules;
    expect(rules).toEqual([expect.objectContaining({ kind: 'loyalty_reward', config: { rewardId: reward.body.id } })]);
    // Saving it again does not add a second rule.
    await admin.client.json('PUT', `/api/v1/loyalty/admin/rewards/${reward.body.id}`, { name: 'Makers room pass', kind: 'space_access', points: 500, spaceId: space.id });
    expect((await getSpaceForAdmin(t.ctx, adminActor(), space.id)).rules).toHaveLength(1);

    const m = await memberWith(1200);
    const other = await memberWith(1200);
    expect(await canSeeSpace(t.ctx, { ...m.user }, { id: space.id, visibility: 'exclusive' })).toBe(false);
    const { status, body } = await redeem(m, reward.body.id);
    expect(status).toBe(201);
    expect(body).toMatchObject({ type: 'access', access: { rewardName: 'Makers room pass', earlyAccess: false, endsAt: null, active: true, space: { id: space.id, name: 'Makers room', url: '/s/makers-room' } } });
    expect(await balanceOf(m)).toBe(700);
    expect(await canSeeSpace(t.ctx, { ...m.user }, { id: space.id, visibility: 'exclusive' })).toBe(true);
    expect(await canSeeSpace(t.ctx, { ...other.user }, { id: space.id, visibility: 'exclusive' })).toBe(false);

    const again = await redeem(m, reward.body.id);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('access_already_held');
    expect(await balanceOf(m)).toBe(700);

    const mine = await (await m.client.get('/api/v1/loyalty/me/access')).json();
    expect(mine.items).toHaveLength(1);
    const page = await (await m.client.get('/points')).text();
    expect(page).toContain('Your access');
    expect(page).toContain('href="/s/makers-room"');
    // No code was issued for it.
    expect((await (await m.client.get('/api/v1/loyalty/me/codes')).json()).items).toEqual([]);
  });

  it('an early-access window of some days, with its space', async () => {
    const drops = await createSpace(t.ctx, adminActor(), spaceInput.parse({ slug: 'early-drops', name: 'Early drops', visibility: 'exclusive' }));
    const reward = await addReward({ name: 'Early access week', kind: 'early_access', points: 300, accessDays: 7, spaceId: drops.id });
    expect(reward.body).toMatchObject({ kind: 'early_access', accessDays: 7, spaceId: drops.id, description: '300 points for 7 days of early access' });
    const m = await memberWith(300);
    expect(await hasEarlyAccess(t.ctx, m.id)).toBe(false);
    const { body } = await redeem(m, reward.body.id);
    expect(body.type).toBe('access');
    expect(body.access.earlyAccess).toBe(true);
    const days = (new Date(body.access.endsAt).getTime() - new Date(body.access.startsAt).getTime()) / 86_400_000;
    expect(days).toBe(7);
    expect(await hasEarlyAccess(t.ctx, m.id)).toBe(true);
    expect(await hasEarlyAccess(t.ctx, m.id, new Date(Date.now() + 8 * 86_400_000))).toBe(false);
    expect(await canSeeSpace(t.ctx, { ...m.user }, { id: drops.id, visibility: 'exclusive' })).toBe(true);
    expect(await balanceOf(m)).toBe(0);
  });
});

describe('reward definitions are checked per kind', () => {
  it('refuses what a kind needs and lacks, with a message under the field', async () => {
    const open = await createSpace(t.ctx, adminActor(), spaceInput.parse({ slug: 'open-chat', name: 'Open chat', visibility: 'public' }));
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ kind: 'fixed' }, 'valueMinor', /amount off/],
      [{ kind: 'incremental' }, 'valueMinor', /per step/],
      [{ kind: 'percentage' }, 'percentOff', /percentage off, from 1 to 100/],
      [{ kind: 'percentage', percentOff: 150 }, 'percentOff', /from 1 to 100/],
      [{ kind: 'free_product' }, 'productId', /Name the product/],
      [{ kind: 'free_product', sku: 'NOPE-1' }, 'sku', /No store product variant has the SKU “NOPE-1”/],
      [{ kind: 'free_product', productId: 999_999 }, 'productId', /No store product has id 999999/],
      [{ kind: 'space_access' }, 'spaceId', /Choose the exclusive space/],
      [{ kind: 'space_access', spaceId: open.id }, 'spaceId', /only an exclusive space admits members by rule/],
      [{ kind: 'space_access', spaceId: 987_654 }, 'spaceId', /no such space/],
      [{ kind: 'early_access' }, 'accessDays', /length of the early-access window/],
      [{ kind: 'bogus' }, 'kind', /Choose a kind/],
      [{ kind: 'fixed', valueMinor: 100, points: 0 }, 'points', /at least 1 point/],
    ];
    for (const [fields, field, message] of cases) {
      const res = await addReward({ name: 'Broken', points: 100, ...fields });
      expect(res.status, JSON.stringify(fields)).toBe(400);
      expect(res.body.error.fields?.[field], JSON.stringify(fields)).toMatch(message);
    }
    const names = (await (await admin.client.get('/api/v1/loyalty/admin/rewards')).json()).items.map((r: { name: string }) => r.name);
    expect(names).not.toContain('Broken');
  });

  it('the admin form shows every kind and puts the message beside the field', async () => {
    const page = await (await admin.client.get('/admin/loyalty')).text();
    for (const label of ['Amount off', 'Percentage off', 'Free shipping', 'Free product', 'Exclusive space', 'Early access']) expect(page).toContain(`>${label}</option>`);
    const bad = await admin.client.postForm('/admin/loyalty/rewards', { name: 'Half off', kind: 'percentage', points: '100', percentOff: '', codeValidDays: '30', enabled: 'on' });
    expect(bad.status).toBe(400);
    const html = await bad.text();
    expect(html).toContain('Give the percentage off, from 1 to 100.');
    expect(html).toContain('value="Half off"');
    const notNumber = await admin.client.postForm('/admin/loyalty/rewards', { name: 'X', kind: 'fixed', points: 'lots', valueMinor: '100' });
    expect(notNumber.status).toBe(400);
    expect(await notNumber.text()).toContain('Give a whole number.');
    const good = await admin.client.postForm('/admin/loyalty/rewards', { name: 'Half off', kind: 'percentage', points: '100', percentOff: '50', maxDiscountMinor: '1000', codeValidDays: '30', enabled: 'on' });
    expect(good.status).toBe(303);
    const rewards = (await (await admin.client.get('/api/v1/loyalty/admin/rewards')).json()).items;
    expect(rewards).toContainEqual(expect.objectContaining({ name: 'Half off', kind: 'percentage', percentOff: 50, maxDiscountMinor: 1000, minOrderMinor: null }));
  });
});

describe('codes expire', () => {
  it('the job expires exactly the due codes, once, without giving points back; the member sees it', async () => {
    const reward = await addReward({ name: '£1 off', kind: 'fixed', points: 20, valueMinor: 100 });
    const m = await memberWith(200);
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push((await redeem(m, reward.body.id)).body);
    expect(await balanceOf(m)).toBe(140);
    const [due1, due2, later] = codes;
    const past = new Date(Date.now() - 60_000);
    await t.ctx.db.updateTable('loyalty_codes').set({ expires_at: past }).where('id', 'in', [due1.id, due2.id]).execute();

    // Past its date but not yet marked, a code can neither be used nor returned.
    expect((await m.client.json('POST', `/api/v1/loyalty/me/codes/${due1.id}/return`)).status).toBe(400);
    expect((await admin.client.json('POST', `/api/v1/loyalty/codes/${due1.code}/consume`, { orderRef: 'late' })).status).toBe(409);

    const before = await t.ctx.db.selectFrom('loyalty_codes').select('id').where('status', '=', 'issued').where('expires_at', '<=', new Date()).execute();
    const expired = await expireDueCodes(t.ctx);
    expect(expired).toBe(before.length);
    expect(expired).toBeGreaterThanOrEqual(2);
    expect(await expireDueCodes(t.ctx)).toBe(0);

    const rows = await t.ctx.db.selectFrom('loyalty_codes').select(['id', 'status', 'expired_at']).where('id', 'in', [due1.id, due2.id, later.id]).orderBy('id').execute();
    expect(rows.map((r) => r.status)).toEqual(['expired', 'expired', 'issued']);
    expect(rows[0]?.expired_at).toBeInstanceOf(Date);
    const events = await t.ctx.db.selectFrom('domain_events').select('payload').where('name', '=', 'reward.code_expired').execute();
    const expiredIds = events.map((e) => (e.payload as { codeId: number }).codeId);
    expect(expiredIds.filter((id) => id === due1.id || id === due2.id).sort()).toEqual([due1.id, due2.id].sort());
    expect(new Set(expiredIds).size).toBe(expiredIds.length);

    // Smile.io's rule: an expired code keeps its points spent. An unexpired one still comes back.
    expect(await balanceOf(m)).toBe(140);
    expect((await m.client.json('POST', `/api/v1/loyalty/me/codes/${due2.id}/return`)).status).toBe(400);
    expect(await (await m.client.json('POST', `/api/v1/loyalty/me/codes/${later.id}/return`)).json()).toMatchObject({ status: 'returned' });
    expect(await balanceOf(m)).toBe(160);

    expect(await validate(due1.code)).toMatchObject({ valid: false, status: 'expired', reason: 'expired' });
    const mine = (await (await m.client.get('/api/v1/loyalty/me/codes')).json()).items;
    expect(mine.filter((c: { status: string }) => c.status === 'expired')).toHaveLength(2);
    const page = await (await m.client.get('/points')).text();
    expect(page.match(/>Expired</g)).toHaveLength(2);
    expect(page).toContain('an expired code does not give its points back');
  });
});
