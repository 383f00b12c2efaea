import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHearth, type TestHearth } from '../../../test/helpers.ts';
import { AppError } from '../../platform/http/errors.ts';
import { findUserAccountId } from './accounts.ts';
import { awardPointsForOrder, expireDueLots, orderPaidPayload, postDuePending, refundCreatedPayload, takeBackPointsForCancellation, takeBackPointsForRefund } from './earning.ts';
import { redeemReward } from './rewards.ts';
import { makeMember, orderPaid } from './testing.ts';

let t: TestHearth;

beforeAll(async () => {
  t = await createTestHearth();
});

afterAll(async () => {
  await t.close();
});

type Step =
  | { op: 'pay'; pounds: number }
  | { op: 'refund'; order: number; percent: number }
  | { op: 'cancel'; order: number }
  | { op: 'redeem'; steps: number }
  | { op: 'post' }
  | { op: 'expire' };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('pay' as const), pounds: fc.integer({ min: 1, max: 400 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('refund' as const), order: fc.nat(10), percent: fc.integer({ min: 1, max: 100 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('cancel' as const), order: fc.nat(10) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('redeem' as const), steps: fc.integer({ min: 10, max: 30 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('post' as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('expire' as const) }) },
);

let ids = 0;
const DAY = 86_400_000;

/**
 * Plays the store's and the member's side of a sequence against one fresh member, delivering each
 * store event `copies` times, and returns the account's final numbers.
 */
async function play(steps: Step[], copies: (i: number) => number) {
  const m = await makeMember(t);
  const customerId = 2_000_000 + ++ids;
  const orders: Array<{ id: number; total: number; refunded: number }> = [];
  // Time moves forward by steps that post or expire, so later orders are paid "later".
  let clock = Date.now();
  let i = 0;
  for (const step of steps) {
    i++;
    const times = copies(i);
    switch (step.op) {
      case 'pay': {
        const payload = orderPaidPayload.parse(orderPaid({ orderId: 3_000_000 + ++ids, customerId, userId: m.id, subtotalMinor: step.pounds * 100, paidAt: new Date(clock) }));
        orders.push({ id: payload.orderId, total: payload.totalMinor, refunded: 0 });
        for (let k = 0; k < times; k++) await awardPointsForOrder(t.ctx, payload, new Date(clock));
        break;
      }
      case 'refund': {
        const order = orders[step.order % Math.max(1, orders.length)];
        if (!order || order.refunded >= order.total) break;
        const amount = Math.max(1, Math.min(order.total - order.refunded, Math.round((order.total * step.percent) / 100)));
        order.refunded += amount;
        const payload = refundCreatedPayload.parse({
          refundId: 4_000_000 + ++ids,
          orderId: order.id,
          customerId,
          userId: m.id,
          amountMinor: amount,
          orderTotalMinor: order.total,
          refundedTotalMinor: order.refunded,
          full: order.refunded >= order.total,
        });
        for (let k = 0; k < times; k++) await takeBackPointsForRefund(t.ctx, payload);
        break;
      }
      case 'cancel': {
        const order = orders[step.order % Math.max(1, orders.length)];
        if (!order) break;
        for (let k = 0; k < times; k++) await takeBackPointsForCancellation(t.ctx, order.id);
        break;
      }
      case 'redeem': {
        try {
          await redeemReward(t.ctx, m.id, { rewardId: 1, points: step.steps * 20 });
        } catch (err) {
          if (!(err instanceof AppError) || err.code !== 'insufficient_points') throw err;
        }
        break;
      }
      case 'post': {
        clock += 31 * DAY;
        for (let k = 0; k < times; k++) await postDuePending(t.ctx, new Date(clock));
        break;
      }
      case 'expire': {
        clock += 370 * DAY;
        for (let k = 0; k < times; k++) await expireDueLots(t.ctx, new Date(clock));
        break;
      }
    }
  }
  const accountId = await findUserAccountId(t.ctx.db, m.id);
  if (accountId === null) return { balance: 0, pending: 0, debt: 0, lifetime: 0, entries: 0 };
  const a = await t.ctx.db.selectFrom('loyalty_accounts').selectAll().where('id', '=', accountId).executeTakeFirstOrThrow();
  const sums = await t.ctx.db
    .selectFrom('loyalty_entries')
    .select([sql<string>`coalesce(sum(delta_available), 0)`.as('available'), sql<string>`coalesce(sum(delta_pending), 0)`.as('pending'), sql<string>`coalesce(sum(delta_debt), 0)`.as('debt'), sql<string>`count(*)`.as('n')])
    .where('account_id', '=', accountId)
    .executeTakeFirstOrThrow();
  const lots = await t.ctx.db.selectFrom('loyalty_lots').select(sql<string>`coalesce(sum(remaining), 0)`.as('r')).where('account_id', '=', accountId).executeTakeFirstOrThrow();
  expect(a.balance).toBeGreaterThanOrEqual(0);
  expect(a.balance).toBe(Number(sums.available));
  expect(a.balance).toBe(Number(lots.r));
  expect(a.pending).toBe(Number(sums.pending));
  expect(a.debt).toBe(Number(sums.debt));
  expect(a.debt === 0 || a.balance === 0).toBe(true);
  // Each order's points never exceed what it first earned, and a fully refunded or cancelled order keeps none.
  const perOrder = await t.ctx.db.selectFrom('loyalty_orders').select(['order_id', 'points_awarded', 'points_current', 'refunded_minor', 'total_minor']).where('account_id', '=', accountId).execute();
  for (const o of perOrder) expect(o.points_current).toBeLessThanOrEqual(o.points_awarded);
  return { balance: a.balance, pending: a.pending, debt: a.debt, lifetime: a.lifetime_earned, entries: Number(sums.n) };
}

describe('order events, replayed', () => {
  it('random sequences of paid, refunded, cancelled, redeemed, posted and expired: every delivery count ends the same, invariants hold', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 14 }), fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 14, maxLength: 14 }), async (steps, copies) => {
        const once = await play(steps, () => 1);
        const many = await play(steps, (i) => copies[i - 1] ?? 1);
        expect(many).toEqual(once);
      }),
      { numRuns: Number(process.env.LOYALTY_PROPERTY_RUNS ?? 20) },
    );
  }, 600_000);
});
