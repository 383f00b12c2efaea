import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHearth, type TestHearth } from '../../../test/helpers.ts';
import { JobWorker } from '../../platform/jobs/worker.ts';
import { findUserAccountId } from './accounts.ts';
import { awardBirthdays, awardPointsForOrder, awardPointsForOrders, orderPaidPayload, postDuePending, refundCreatedPayload, reviewDueTiers, takeBackPointsForCancellation, takeBackPointsForRefund } from './earning.ts';
import { redeemReward } from './rewards.ts';
import { loadProgramSettings, saveProgramSettings } from './settings.ts';
import { drainJobs, makeMember, orderPaid, publish } from './testing.ts';

let t: TestHearth;
let worker: JobWorker;
let customerSeq = 5000;

beforeAll(async () => {
  t = await createTestHearth();
  worker = new JobWorker(t.ctx, { backoffBaseMs: 1 });
});

afterAll(async () => {
  await t.close();
});

async function accountOf(userId: number) {
  const id = await findUserAccountId(t.ctx.db, userId);
  if (id === null) throw new Error('no account');
  return t.ctx.db.selectFrom('loyalty_accounts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

async function events(name: string): Promise<unknown[]> {
  const rows = await t.ctx.db.selectFrom('domain_events').select('payload').where('name', '=', name).orderBy('id').execute();
  return rows.map((r) => r.payload);
}

async function setSettings(changes: Partial<Awaited<ReturnType<typeof loadProgramSettings>>>) {
  await saveProgramSettings(t.ctx.db, { ...(await loadProgramSettings(t.ctx.db)), ...changes }, null);
}

describe('earning from orders', () => {
  it('an order.paid delivered five times earns once, pending until the return window closes', async () => {
    const m = await makeMember(t);
    const order = orderPaid({ customerId: ++customerSeq, userId: m.id, subtotalMinor: 4599, shippingMinor: 499, taxMinor: 920 });
    for (let i = 0; i < 5; i++) await publish(t, 'order.paid', order);
    await drainJobs(worker);
    let account = await accountOf(m.id);
    // £45.99 of goods earns 45 points; shipping and tax are excluded by default.
    expect(account).toMatchObject({ balance: 0, pending: 45, lifetime_earned: 0 });
    expect(await t.ctx.db.selectFrom('loyalty_entries').select('kind').where('account_id', '=', account.id).where('ref', '=', `order:${order.orderId}`).execute()).toHaveLength(1);

    // Nothing is due yet; once the 30-day window has passed, the posting job makes them available, once.
    expect(await postDuePending(t.ctx)).toBe(0);
    const later = new Date(Date.now() + 31 * 86_400_000);
    expect(await postDuePending(t.ctx, later)).toBeGreaterThanOrEqual(1);
    expect(await postDuePending(t.ctx, later)).toBe(0);
    account = await accountOf(m.id);
    expect(account).toMatchObject({ balance: 45, pending: 0, lifetime_earned: 45 });
    expect((await events('points.posted')).length).toBeGreaterThanOrEqual(1);
  });

  it('a cancelled order voids its pending points exactly once', async () => {
    const m = await makeMember(t);
    const order = orderPaid({ customerId: ++customerSeq, userId: m.id, subtotalMinor: 10_000 });
    await publish(t, 'order.paid', order);
    await drainJobs(worker);
    expect(await accountOf(m.id)).toMatchObject({ pending: 100 });
    for (let i = 0; i < 3; i++) await publish(t, 'order.cancelled', { orderId: order.orderId, customerId: order.customerId, userId: m.id, cancelledAt: new Date().toISOString() });
    await drainJobs(worker);
    expect(await accountOf(m.id)).toMatchObject({ balance: 0, pending: 0 });
    const voids = await t.ctx.db.selectFrom('loyalty_entries').select('id').where('account_id', '=', (await accountOf(m.id)).id).where('kind', '=', 'void').execute();
    expect(voids).toHaveLength(1);
  });

  it('events out of order: a cancellation before the payment means no points; a refund before it waits for it', async () => {
    const m = await makeMember(t);
    const cancelled = orderPaid({ customerId: ++customerSeq, userId: m.id, subtotalMinor: 10_000 });
    await takeBackPointsForCancellation(t.ctx, cancelled.orderId);
    await awardPointsForOrder(t.ctx, orderPaidPayload.parse(cancelled));
    expect(await accountOf(m.id)).toMatchObject({ balance: 0, pending: 0 });

    const refunded = orderPaid({ customerId: ++customerSeq, userId: m.id, subtotalMinor: 10_000 });
    const refund = refundCreatedPayload.parse({ refundId: 77_100, orderId: refunded.orderId, amountMinor: 10_000, orderTotalMinor: 10_000, refundedTotalMinor: 10_000, full: true, createdAt: new Date().toISOString() });
    await expect(takeBackPointsForRefund(t.ctx, refund)).rejects.toThrow(/before its payment/);
    await awardPointsForOrder(t.ctx, orderPaidPayload.parse(refunded));
    await takeBackPointsForRefund(t.ctx, refund);
    expect(await accountOf(m.id)).toMatchObject({ balance: 0, pending: 0 });
    // An old refund of an order from before the program is ignored rather than retried for ever.
    await takeBackPointsForRefund(t.ctx, refundCreatedPayload.parse({ ...refund, refundId: 77_101, orderId: 999_999, createdAt: '2020-01-01T00:00:00Z' }));
  });

  it('a refund after the points were spent records a debt that the next earning pays off', async () => {
    await setSettings({ returnWindowDays: 0 });
    try {
      const m = await makeMember(t);
      const customerId = ++customerSeq;
      const order = orderPaid({ customerId, userId: m.id, subtotalMinor: 30_000 });
      await publish(t, 'order.paid', order);
      await drainJobs(worker);
      expect(await accountOf(m.id)).toMatchObject({ balance: 300 });
      await redeemReward(t.ctx, m.id, { rewardId: 1, points: 200 });
      expect(await accountOf(m.id)).toMatchObject({ balance: 100 });

      const refund = { refundId: 77_001, orderId: order.orderId, customerId, userId: m.id, currency: 'GBP', amountMinor: 30_000, orderTotalMinor: 30_000, refundedTotalMinor: 30_000, full: true, createdAt: new Date().toISOString() };
      for (let i = 0; i < 5; i++) await publish(t, 'refund.created', refund);
      await drainJobs(worker);
      expect(await accountOf(m.id)).toMatchObject({ balance: 0, debt: 200 });

      await publish(t, 'order.paid', orderPaid({ customerId, userId: m.id, subtotalMinor: 25_000 }));
      await drainJobs(worker);
      expect(await accountOf(m.id)).toMatchObject({ balance: 50, debt: 0 });
    } finally {
      await setSettings({ returnWindowDays: 30 });
    }
  });

  it('a partial refund keeps points in proportion, and a store customer joins the member later without losing any', async () => {
    await setSettings({ returnWindowDays: 0 });
    try {
      const customerId = ++customerSeq;
      const order = orderPaid({ customerId, userId: null, subtotalMinor: 20_000 });
      await publish(t, 'customer.created', { customerId, userId: null, email: 'guest@example.com' });
      await publish(t, 'order.paid', order);
      await publish(t, 'refund.created', { refundId: 77_002, orderId: order.orderId, customerId, userId: null, currency: 'GBP', amountMinor: 5_000, orderTotalMinor: 20_000, refundedTotalMinor: 5_000, full: false, createdAt: new Date().toISOString() });
      await drainJobs(worker);
      const m = await makeMember(t);
      for (let i = 0; i < 2; i++) await publish(t, 'customer.linked', { customerId, userId: m.id });
      await drainJobs(worker);
      expect(await accountOf(m.id)).toMatchObject({ balance: 150, debt: 0 });
      // Later orders naming only the customer land with the member.
      await publish(t, 'order.paid', orderPaid({ customerId, userId: null, subtotalMinor: 1_000 }));
      await drainJobs(worker);
      expect(await accountOf(m.id)).toMatchObject({ balance: 160 });
    } finally {
      await setSettings({ returnWindowDays: 30 });
    }
  });
});

describe('earning rules', () => {
  it('sign-up, an accepted answer and a story earn once each; a self-accepted answer earns nothing', async () => {
    const m = await makeMember(t);
    await publish(t, 'user.registered', { userId: m.id });
    await publish(t, 'user.email_verified', { userId: m.id });
    await publish(t, 'answer.accepted', { topicId: 1, replyId: 501, answererId: m.id, askerId: m.id + 1000, acceptedById: 1, previousReplyId: null });
    await publish(t, 'answer.accepted', { topicId: 1, replyId: 501, answererId: m.id, askerId: m.id + 1000, acceptedById: 1, previousReplyId: null });
    await publish(t, 'answer.accepted', { topicId: 2, replyId: 502, answererId: m.id, askerId: m.id, acceptedById: m.id, previousReplyId: null });
    await publish(t, 'topic.created', { topicId: 9001, spaceId: 1, authorId: m.id, kind: 'story' });
    await publish(t, 'topic.created', { topicId: 9002, spaceId: 1, authorId: m.id, kind: 'question' });
    await drainJobs(worker);
    expect(await accountOf(m.id)).toMatchObject({ balance: 50 + 25 + 10 });
  });

  it('an unconfirmed sign-up earns nothing until the address is confirmed', async () => {
    const row = await t.ctx.db
      .insertInto('users')
      .values({ email: 'unconfirmed@example.com', display_name: 'Unconfirmed', username: 'unconfirmed-ly', password_hash: null, email_verified_at: null, notification_prefs: '{}' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await publish(t, 'user.registered', { userId: row.id });
    await drainJobs(worker);
    expect(await findUserAccountId(t.ctx.db, row.id)).toBeNull();
    await t.ctx.db.updateTable('users').set({ email_verified_at: new Date() }).where('id', '=', row.id).execute();
    await publish(t, 'user.email_verified', { userId: row.id });
    await drainJobs(worker);
    expect(await accountOf(row.id)).toMatchObject({ balance: 50 });
  });

  it('moving the accepted answer takes the points from the previous answer; accepting it again earns again', async () => {
    const a = await makeMember(t);
    const b = await makeMember(t);
    const asker = a.id + b.id + 5000;
    const accept = (replyId: number, answererId: number, previousReplyId: number | null) => publish(t, 'answer.accepted', { topicId: 77, replyId, answererId, askerId: asker, acceptedById: asker, previousReplyId });
    await accept(801, a.id, null);
    await drainJobs(worker);
    expect(await accountOf(a.id)).toMatchObject({ balance: 25 });
    await accept(802, b.id, 801);
    await drainJobs(worker);
    expect(await accountOf(a.id)).toMatchObject({ balance: 0 });
    expect(await accountOf(b.id)).toMatchObject({ balance: 25 });
    await accept(801, a.id, 802);
    await drainJobs(worker);
    expect(await accountOf(a.id)).toMatchObject({ balance: 25 });
    expect(await accountOf(b.id)).toMatchObject({ balance: 0 });
    // A redelivered acceptance changes nothing.
    const job = await t.ctx.db.selectFrom('jobs').select(['id']).where('kind', '=', 'loyalty.awardAcceptedAnswer').orderBy('id', 'desc').executeTakeFirstOrThrow();
    await t.ctx.db.updateTable('jobs').set({ state: 'queued', run_at: new Date() }).where('id', '=', job.id).execute();
    await drainJobs(worker);
    expect(await accountOf(a.id)).toMatchObject({ balance: 25 });
    expect(await accountOf(b.id)).toMatchObject({ balance: 0 });
  });

  it('daily and lifetime caps hold, social follow earns once per network', async () => {
    const m = await makeMember(t);
    for (let i = 0; i < 5; i++) await publish(t, 'review.published', { reviewId: 600 + i, userId: m.id });
    await drainJobs(worker);
    // 50 points a review, capped at 150 a day.
    expect(await accountOf(m.id)).toMatchObject({ balance: 150 });

    expect((await m.client.get('/points')).status).toBe(200);
    const follow = (network: string) => m.client.json('POST', '/api/v1/loyalty/actions', { kind: 'social_follow', network });
    expect(await (await follow('instagram')).json()).toMatchObject({ awarded: 25 });
    expect(await (await follow('instagram')).json()).toMatchObject({ awarded: 0, replay: true });
    expect((await follow('myspace')).status).toBe(400);
    expect(await accountOf(m.id)).toMatchObject({ balance: 175 });
  });

  it('birthday earns once a year, and not within 30 days of setting it', async () => {
    const m = await makeMember(t);
    const today = new Date();
    expect((await m.client.get('/points')).status).toBe(200);
    const res = await m.client.json('PUT', '/api/v1/loyalty/me/birthday', { month: today.getUTCMonth() + 1, day: today.getUTCDate() });
    expect(res.status).toBe(200);
    await awardBirthdays(t.ctx, today);
    expect(await accountOf(m.id)).toMatchObject({ balance: 0 });
    const nextYear = new Date(Date.UTC(today.getUTCFullYear() + 1, today.getUTCMonth(), Math.min(today.getUTCDate(), 28), 8));
    await t.ctx.db.updateTable('loyalty_accounts').set({ birthday_day: nextYear.getUTCDate() }).where('user_id', '=', m.id).execute();
    await awardBirthdays(t.ctx, nextYear);
    await awardBirthdays(t.ctx, nextYear);
    expect(await accountOf(m.id)).toMatchObject({ balance: 100 });
  });
});

describe('tiers', () => {
  it('move up at once, down only after the period and its grace, and spending never demotes', async () => {
    await setSettings({ returnWindowDays: 0, tierBasis: 'points', tierPeriod: 'rolling12', tierGraceDays: 30 });
    const silver = await t.ctx.db.insertInto('loyalty_tiers').values({ name: 'Silver', threshold: 100, multiplier_pct: 100 }).returning('id').executeTakeFirstOrThrow();
    const gold = await t.ctx.db.insertInto('loyalty_tiers').values({ name: 'Gold', threshold: 500, multiplier_pct: 150, early_access: true }).returning('id').executeTakeFirstOrThrow();
    try {
      const m = await makeMember(t);
      const customerId = ++customerSeq;
      const order = orderPaid({ customerId, userId: m.id, subtotalMinor: 60_000 });
      await publish(t, 'order.paid', order);
      await drainJobs(worker);
      let account = await accountOf(m.id);
      expect(account).toMatchObject({ balance: 600, tier_id: gold.id });
      expect(await events('tier.changed')).toContainEqual(expect.objectContaining({ userId: m.id, toTier: 'Gold', direction: 'up' }));

      // Gold multiplies: 100 points of shopping earn 150.
      await publish(t, 'order.paid', orderPaid({ customerId, userId: m.id, subtotalMinor: 10_000 }));
      await drainJobs(worker);
      expect(await accountOf(m.id)).toMatchObject({ balance: 750 });

      // Spending is not earning: still Gold.
      await redeemReward(t.ctx, m.id, { rewardId: 1, points: 700 });
      expect(await accountOf(m.id)).toMatchObject({ balance: 50, tier_id: gold.id });

      // A refund takes most points back: below Gold's threshold, but Gold holds until the review.
      await publish(t, 'refund.created', { refundId: 77_010, orderId: order.orderId, customerId, userId: m.id, currency: 'GBP', amountMinor: 60_000, orderTotalMinor: 60_000, refundedTotalMinor: 60_000, full: true, createdAt: new Date().toISOString() });
      await drainJobs(worker);
      account = await accountOf(m.id);
      expect(account).toMatchObject({ tier_id: gold.id, debt: 550 });
      const reviewAt = account.tier_review_at;
      if (!reviewAt) throw new Error('a tier has a review date');
      expect(reviewAt.getTime()).toBeGreaterThan(Date.now() + 365 * 86_400_000);

      await reviewDueTiers(t.ctx, new Date(reviewAt.getTime() - 86_400_000));
      expect(await accountOf(m.id)).toMatchObject({ tier_id: gold.id });
      await reviewDueTiers(t.ctx, new Date(reviewAt.getTime() + 60_000));
      account = await accountOf(m.id);
      // What the member earned over the period no longer reaches Gold.
      expect([silver.id, null]).toContain(account.tier_id);
      expect(await events('tier.changed')).toContainEqual(expect.objectContaining({ userId: m.id, fromTier: 'Gold', direction: 'down' }));
    } finally {
      await t.ctx.db.updateTable('loyalty_accounts').set({ tier_id: null, tier_review_at: null }).execute();
      await t.ctx.db.deleteFrom('loyalty_tiers').execute();
      await setSettings({ returnWindowDays: 30 });
    }
  });
});

describe('earning from orders in batches', () => {
  /** What the ledger holds about some customers' orders, with ids replaced by each order's place in the list. */
  async function ledgerOf(customerIds: number[], orderIds: number[]) {
    const accounts = await t.ctx.db.selectFrom('loyalty_accounts').selectAll().where('customer_id', 'in', customerIds).orderBy('customer_id').execute();
    const entries = await t.ctx.db
      .selectFrom('loyalty_entries')
      .select(['kind', 'points', 'delta_pending', 'delta_available', 'rule_key', 'ref', 'due_at'])
      .where('account_id', 'in', accounts.map((a) => a.id))
      .orderBy('id')
      .execute();
    const orders = await t.ctx.db.selectFrom('loyalty_orders').select(['order_id', 'eligible_minor', 'total_minor', 'points_awarded', 'points_current']).where('order_id', 'in', orderIds).execute();
    const place = (orderId: number) => orderIds.indexOf(orderId);
    const pendingRows = await t.ctx.db.selectFrom('loyalty_open_pending').select('account_id').where('account_id', 'in', accounts.map((a) => a.id)).execute();
    return {
      accounts: accounts.map((a) => ({ customer: customerIds.indexOf(a.customer_id ?? 0), balance: a.balance, pending: a.pending, lifetime: a.lifetime_earned, tier: a.tier_id })),
      entries: entries
        .map((e) => ({ ...e, ref: `order #${place(Number(e.ref?.slice('order:'.length)))}`, due_at: e.due_at?.toISOString() ?? null }))
        .sort((a, b) => a.ref.localeCompare(b.ref)),
      orders: orders.map((o) => ({ ...o, order_id: place(Number(o.order_id)) })).sort((a, b) => a.order_id - b.order_id),
      openPending: pendingRows.length,
    };
  }

  it('a batch of orders earns exactly what the same orders earn one at a time', async () => {
    await setSettings({ returnWindowDays: 14, tierBasis: 'spend', tierPeriod: 'rolling12' });
    const gold = await t.ctx.db.insertInto('loyalty_tiers').values({ name: 'Batch gold', threshold: 50_000, multiplier_pct: 200 }).returning('id').executeTakeFirstOrThrow();
    try {
      const paidAt = new Date(Date.now() - 3_600_000);
      // Two copies of one story, on different customers and orders: one told to the batch, one order at a time.
      const story = async () => {
        const customers = [++customerSeq, ++customerSeq, ++customerSeq, ++customerSeq, ++customerSeq];
        const [plain, twice, goldBuyer, cancelledBuyer, oldBuyer] = customers as [number, number, number, number, number];
        const o = (customerId: number, subtotalMinor: number, extra: Partial<Parameters<typeof orderPaid>[0]> = {}) => orderPaidPayload.parse(orderPaid({ customerId, userId: null, subtotalMinor, paidAt, ...extra }));
        const orders = [
          o(plain, 4599, { shippingMinor: 499, taxMinor: 920 }),
          o(twice, 2000),
          o(twice, 3000),
          // Crosses the tier threshold on spend: upgraded in the same transaction.
          o(goldBuyer, 60_000),
          o(cancelledBuyer, 9000),
          o(oldBuyer, 9000, { paidAt: new Date(Date.now() - 400 * 86_400_000) }),
        ];
        // Before the batch: the cancellation arrived first, and the gold buyer earned once already.
        await takeBackPointsForCancellation(t.ctx, orders[4]?.orderId ?? 0);
        const earlier = o(goldBuyer, 1000);
        await awardPointsForOrder(t.ctx, earlier);
        return { customers, orders: [...orders, earlier], batch: [...orders, earlier, orders[0] as (typeof orders)[number]] };
      };
      const one = await story();
      const batched = await story();
      for (const order of one.batch) await awardPointsForOrder(t.ctx, order);
      const eventsBefore = (await events('points.pending')).length;
      await awardPointsForOrders(t.ctx, batched.batch);
      // One points.pending per order that earned: plain, twice ×2, gold (the earlier order already had its own).
      expect((await events('points.pending')).length - eventsBefore).toBe(4);
      const expected = await ledgerOf(one.customers, one.orders.map((x) => x.orderId));
      const actual = await ledgerOf(batched.customers, batched.orders.map((x) => x.orderId));
      expect(actual).toEqual(expected);
      expect(expected.accounts[2]).toMatchObject({ tier: gold.id });
      expect(expected.accounts[0]).toMatchObject({ pending: 45 });
      // Replayed as a batch again, nothing changes.
      await awardPointsForOrders(t.ctx, batched.batch);
      expect(await ledgerOf(batched.customers, batched.orders.map((x) => x.orderId))).toEqual(expected);
    } finally {
      await t.ctx.db.deleteFrom('loyalty_tiers').where('id', '=', gold.id).execute();
      await setSettings({ returnWindowDays: 30, tierBasis: 'points' });
    }
  });
});

describe('earning from orders under concurrent workers', () => {
  it('order.paid events, some delivered twice, drained by two workers at once: every order recorded once, every point once', async () => {
    const customers = Array.from({ length: 40 }, () => ++customerSeq);
    // Three orders per customer, so batches meet accounts they share with the other worker's batches.
    const orders = customers.flatMap((customerId, i) => [1, 2, 3].map((k) => orderPaid({ customerId, userId: null, subtotalMinor: 1000 * k + i * 100 })));
    for (const order of orders) await publish(t, 'order.paid', order);
    for (const order of orders.filter((_, i) => i % 7 === 0)) await publish(t, 'order.paid', order);
    const workers = [new JobWorker(t.ctx, { concurrency: 3, batchSize: 40 }), new JobWorker(t.ctx, { concurrency: 3, batchSize: 40 })];
    await Promise.all(workers.map((w) => drainJobs(w)));
    expect(await t.ctx.db.selectFrom('jobs').select('state').where('kind', '=', 'loyalty.awardPointsForOrder').where('state', '<>', 'done').execute()).toEqual([]);

    const orderIds = orders.map((o) => o.orderId);
    const recorded = await t.ctx.db.selectFrom('loyalty_orders').select(['order_id', 'points_awarded']).where('order_id', 'in', orderIds).execute();
    expect(recorded).toHaveLength(orders.length);
    const entries = await t.ctx.db.selectFrom('loyalty_entries').select(['external_id', 'points']).where('source', '=', 'order').where('external_id', 'in', orderIds.map(String)).execute();
    expect(entries).toHaveLength(orders.length);
    // Each order earns a point per pound of its subtotal; the accounts hold exactly the sum of their entries.
    expect(entries.map((e) => e.points).sort((a, b) => a - b)).toEqual(orders.map((o) => Math.floor(o.subtotalMinor / 100)).sort((a, b) => a - b));
    const accounts = await t.ctx.db.selectFrom('loyalty_accounts').select(['customer_id', 'pending', 'balance']).where('customer_id', 'in', customers).execute();
    expect(accounts).toHaveLength(customers.length);
    for (const a of accounts) {
      const own = orders.filter((o) => o.customerId === a.customer_id).reduce((sum, o) => sum + Math.floor(o.subtotalMinor / 100), 0);
      expect({ customer: a.customer_id, pending: a.pending, balance: a.balance }).toEqual({ customer: a.customer_id, pending: own, balance: 0 });
    }
  });
});
