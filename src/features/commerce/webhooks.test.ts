import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestHearth, TestClient, type TestHearth } from '../../../test/helpers.ts';
import { createSession, SESSION_COOKIE } from '../accounts/sessions.ts';
import { shopifyCustomer, shopifyOrder, shopifyProduct, shopifyRefund } from '../../../test/fixtures/commerce/shopify.ts';
import { processQueuedWebhooks, quoteLargeIntegers, signShopifyBody } from './shopify.ts';

const SECRET = 'shpss_test_secret_0123456789';
let t: TestHearth;
let deliveries = 0;

beforeAll(async () => {
  t = await createTestHearth({ shopifyWebhookSecret: SECRET });
});
afterAll(async () => {
  await t.close();
});

async function wipe() {
  await t.ctx.db.deleteFrom('commerce_webhook_deliveries').execute();
  await t.ctx.db.deleteFrom('commerce_refunds').execute();
  await t.ctx.db.deleteFrom('commerce_orders').execute();
  await t.ctx.db.deleteFrom('commerce_customers').execute();
  await t.ctx.db.deleteFrom('commerce_products').execute();
  await t.ctx.db.deleteFrom('jobs').execute();
  await t.ctx.db.deleteFrom('domain_events').execute();
}
beforeEach(wipe);

/** Posts a delivery, then (unless `apply` is false) runs the inbox as the worker would. */
async function deliver(topic: string, body: unknown, opts: { webhookId?: string; hmac?: string | null; raw?: string; apply?: boolean } = {}) {
  const raw = opts.raw ?? JSON.stringify(body);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-shopify-topic': topic,
    'x-shopify-webhook-id': opts.webhookId ?? `wh-${++deliveries}`,
    'x-shopify-shop-domain': 'hearth-test.myshopify.com',
    'x-shopify-api-version': '2025-01',
  };
  if (opts.hmac !== null) headers['x-shopify-hmac-sha256'] = opts.hmac ?? signShopifyBody(SECRET, raw);
  const res = await t.hearth.app.request('/webhooks/shopify', { method: 'POST', body: raw, headers });
  if (opts.apply !== false) await processQueuedWebhooks(t.ctx);
  return res;
}

async function delivery(webhookId: string) {
  return t.ctx.db.selectFrom('commerce_webhook_deliveries').selectAll().where('webhook_id', '=', webhookId).executeTakeFirstOrThrow();
}

/** An hour later: every retry that was waiting is due. */
const later = () => new Date(Date.now() + 3600_000);

async function events(name?: string) {
  let q = t.ctx.db.selectFrom('domain_events').select(['name', 'payload']).orderBy('id');
  if (name) q = q.where('name', '=', name);
  return q.execute();
}

async function counts() {
  const n = async (table: 'commerce_orders' | 'commerce_customers' | 'commerce_refunds' | 'commerce_order_lines' | 'commerce_products' | 'commerce_webhook_deliveries' | 'domain_events') =>
    Number((await t.ctx.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  return {
    orders: await n('commerce_orders'),
    customers: await n('commerce_customers'),
    lines: await n('commerce_order_lines'),
    refunds: await n('commerce_refunds'),
    products: await n('commerce_products'),
    deliveries: await n('commerce_webhook_deliveries'),
    events: await n('domain_events'),
  };
}

describe('Shopify webhooks', () => {
  it('records an order once when the same delivery arrives five times, and publishes each event once', async () => {
    const order = shopifyOrder({ financial_status: 'paid' });
    const statuses: number[] = [];
    const outcomes: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await deliver('orders/create', order, { webhookId: 'b5f1-same-delivery' });
      statuses.push(res.status);
      outcomes.push(((await res.json()) as { outcome: string }).outcome);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    expect(outcomes).toEqual(['queued', 'duplicate', 'duplicate', 'duplicate', 'duplicate']);
    expect(await delivery('b5f1-same-delivery')).toMatchObject({ outcome: 'processed', body: null, attempts: 1 });

    const row = await t.ctx.db.selectFrom('commerce_orders').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      source: 'shopify',
      external_id: '820982911946154500',
      name: '#9999',
      currency: 'GBP',
      subtotal_minor: 4500,
      shipping_minor: 0,
      tax_minor: 795,
      discount_minor: 500,
      total_minor: 4795,
      financial_status: 'paid',
    });
    expect(row.paid_at?.toISOString()).toBe('2025-03-02T15:00:00.000Z');
    expect(row.placed_at.toISOString()).toBe('2025-03-02T15:00:00.000Z');
    const lines = await t.ctx.db.selectFrom('commerce_order_lines').selectAll().where('order_id', '=', row.id).orderBy('position').execute();
    expect(lines.map((l) => [l.sku, l.quantity, l.unit_price_minor, l.discount_minor])).toEqual([
      ['IPOD2008PINK', 2, 1250, 0],
      ['MUG-1', 1, 2500, 500],
    ]);

    expect(await counts()).toMatchObject({ orders: 1, customers: 1, lines: 2, deliveries: 1 });
    const published = await events();
    expect(published.map((e) => e.name)).toEqual(['customer.created', 'order.created', 'order.paid']);
    const customer = await t.ctx.db.selectFrom('commerce_customers').selectAll().executeTakeFirstOrThrow();
    expect(customer).toMatchObject({ external_id: '115310627314723950', email: 'jon@example.com', first_name: 'Jon', last_name: 'Snow', accepts_marketing: true, country: 'CA', postcode: 'H0H 0H0' });
    expect(published[1]?.payload).toEqual({
      orderId: row.id,
      customerId: customer.id,
      userId: null,
      currency: 'GBP',
      subtotalMinor: 4500,
      shippingMinor: 0,
      taxMinor: 795,
      discountMinor: 500,
      totalMinor: 4795,
      placedAt: '2025-03-02T15:00:00.000Z',
    });
    expect(published[2]?.payload).toMatchObject({ orderId: row.id, totalMinor: 4795, paidAt: '2025-03-02T15:00:00.000Z' });
  });

  it('applies each state change once, whatever order and however often the topics arrive', async () => {
    const order = shopifyOrder();
    await deliver('orders/create', order);
    await deliver('orders/paid', { ...order, financial_status: 'paid', updated_at: '2025-03-02T11:00:00-05:00' });
    // A different delivery id for the same news (Shopify's retries after a timeout look like this too).
    await deliver('orders/paid', { ...order, financial_status: 'paid', updated_at: '2025-03-02T11:00:00-05:00' });
    const fulfilled = { ...order, financial_status: 'paid', fulfillment_status: 'fulfilled', fulfillments: [{ id: 1, status: 'success', created_at: '2025-03-03T09:00:00Z' }] };
    await deliver('orders/fulfilled', fulfilled);
    await deliver('orders/fulfilled', fulfilled);
    await deliver('orders/cancelled', { ...fulfilled, cancelled_at: '2025-03-04T08:00:00Z', cancel_reason: 'customer' });
    await deliver('orders/cancelled', { ...fulfilled, cancelled_at: '2025-03-04T08:00:00Z', cancel_reason: 'customer' });

    expect((await events()).map((e) => e.name)).toEqual(['customer.created', 'order.created', 'order.paid', 'order.fulfilled', 'order.cancelled']);
    const row = await t.ctx.db.selectFrom('commerce_orders').selectAll().executeTakeFirstOrThrow();
    expect(row.paid_at?.toISOString()).toBe('2025-03-02T16:00:00.000Z');
    expect(row.fulfilled_at?.toISOString()).toBe('2025-03-03T09:00:00.000Z');
    expect(row.cancelled_at?.toISOString()).toBe('2025-03-04T08:00:00.000Z');
    expect(row.cancel_reason).toBe('customer');
    const fulfilledEvent = await events('order.fulfilled');
    expect(fulfilledEvent[0]?.payload).toEqual({ orderId: row.id, customerId: row.customer_id, userId: null, fulfilledAt: '2025-03-03T09:00:00.000Z' });
    const cancelledEvent = await events('order.cancelled');
    expect(cancelledEvent[0]?.payload).toEqual({ orderId: row.id, customerId: row.customer_id, userId: null, cancelledAt: '2025-03-04T08:00:00.000Z' });
  });

  it('an orders/paid that arrives before orders/create creates the order and marks it paid', async () => {
    const order = shopifyOrder({ financial_status: 'paid' });
    await deliver('orders/paid', order);
    await deliver('orders/create', { ...order, financial_status: 'pending' });
    expect((await events()).map((e) => e.name)).toEqual(['customer.created', 'order.created', 'order.paid']);
    expect((await t.ctx.db.selectFrom('commerce_orders').select('financial_status').executeTakeFirstOrThrow()).financial_status).toBe('paid');
  });

  it('refuses a bad or missing signature with 401 and changes nothing', async () => {
    const order = shopifyOrder();
    const raw = JSON.stringify(order);
    const before = await counts();
    const wrongSecret = await deliver('orders/create', order, { hmac: signShopifyBody('another-secret', raw) });
    expect(wrongSecret.status).toBe(401);
    expect(((await wrongSecret.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    // The body changed after signing: one cent more.
    const tampered = await deliver('orders/create', null, { raw: raw.replace('"47.95"', '"47.96"'), hmac: signShopifyBody(SECRET, raw) });
    expect(tampered.status).toBe(401);
    expect((await deliver('orders/create', order, { hmac: null })).status).toBe(401);
    expect((await deliver('orders/create', order, { hmac: 'not base64 at all!' })).status).toBe(401);
    expect(await counts()).toEqual(before);
    expect(before).toMatchObject({ orders: 0, deliveries: 0, events: 0 });
  });

  it('answers 503 with a clear message when no secret is configured', async () => {
    t.ctx.config.shopifyWebhookSecret = undefined;
    try {
      const res = await deliver('orders/create', shopifyOrder());
      expect(res.status).toBe(503);
      expect(((await res.json()) as { error: { message: string } }).error.message).toContain('SHOPIFY_WEBHOOK_SECRET');
      expect(await counts()).toMatchObject({ orders: 0, deliveries: 0, events: 0 });
    } finally {
      t.ctx.config.shopifyWebhookSecret = SECRET;
    }
  });

  it('records a partial then a full refund, with cumulative totals, each once', async () => {
    const order = shopifyOrder({ financial_status: 'paid' });
    await deliver('orders/create', order);
    const partial = shopifyRefund(order.id);
    for (let i = 0; i < 3; i++) expect((await deliver('refunds/create', partial, { webhookId: 'refund-delivery-1' })).status).toBe(200);
    // The same refund under another delivery id is recognised by the refund's own id.
    expect((await deliver('refunds/create', partial)).status).toBe(200);
    const rest = shopifyRefund(order.id, {
      id: 509562970,
      refund_line_items: [
        { id: 104689540, quantity: 1, line_item_id: 866550311766439000, subtotal: '12.50', total_tax: '0.00' },
        { id: 104689541, quantity: 1, line_item_id: 141249953214522980, subtotal: '20.00', total_tax: '2.95' },
      ],
      transactions: [
        { id: 1, kind: 'refund', status: 'success', amount: '35.45', currency: 'GBP' },
        { id: 2, kind: 'refund', status: 'failure', amount: '35.45', currency: 'GBP' },
      ],
    });
    expect((await deliver('refunds/create', rest)).status).toBe(200);

    const refundEvents = await events('refund.created');
    const orderRow = await t.ctx.db.selectFrom('commerce_orders').selectAll().executeTakeFirstOrThrow();
    expect(refundEvents.map((e) => e.payload)).toEqual([
      expect.objectContaining({ orderId: orderRow.id, currency: 'GBP', amountMinor: 1250, orderTotalMinor: 4795, refundedTotalMinor: 1250, full: false, userId: null, createdAt: '2025-03-05T17:00:00.000Z' }),
      expect.objectContaining({ orderId: orderRow.id, amountMinor: 3545, orderTotalMinor: 4795, refundedTotalMinor: 4795, full: true }),
    ]);
    expect(orderRow).toMatchObject({ refunded_minor: 4795, financial_status: 'refunded' });
    const refundLines = await t.ctx.db.selectFrom('commerce_refund_lines').select(['quantity', 'amount_minor']).orderBy('id').execute();
    expect(refundLines).toEqual([
      { quantity: 1, amount_minor: 1250 },
      { quantity: 1, amount_minor: 1250 },
      { quantity: 1, amount_minor: 2295 },
    ]);
  });

  it('a refund that arrives before its order waits in the inbox and is applied once the order is in', async () => {
    const order = shopifyOrder({ financial_status: 'paid' });
    const early = await deliver('refunds/create', shopifyRefund(order.id), { webhookId: 'early-refund' });
    expect(early.status).toBe(200);
    expect(((await early.json()) as { outcome: string }).outcome).toBe('queued');
    const waiting = await delivery('early-refund');
    expect(waiting).toMatchObject({ outcome: 'queued', attempts: 1 });
    expect(waiting.detail).toContain('is not known yet');
    expect(waiting.next_attempt_at?.getTime()).toBeGreaterThan(Date.now());
    expect(await counts()).toMatchObject({ refunds: 0, events: 0 });
    // Shopify delivering it again changes nothing while it waits.
    const again = await deliver('refunds/create', shopifyRefund(order.id), { webhookId: 'early-refund' });
    expect(((await again.json()) as { outcome: string }).outcome).toBe('duplicate');
    // The store admin sees it waiting, and when it is tried next.
    const admin = await t.ctx.db
      .insertInto('users')
      .values({ email: 'owner@webhooks.example', display_name: 'Owner', username: 'webhookowner', role: 'admin', email_verified_at: new Date(), notification_prefs: JSON.stringify({}) })
      .returning('id')
      .executeTakeFirstOrThrow();
    const browser = new TestClient(t.hearth);
    browser.cookies.set(SESSION_COOKIE, await createSession(t.ctx.db, admin.id, {}));
    const page = await (await browser.get('/admin/store/webhooks')).text();
    expect(page).toContain('retrying');
    expect(page).toContain(`next at <time datetime="${waiting.next_attempt_at?.toISOString() ?? ''}">`);

    await deliver('orders/create', order);
    expect((await delivery('early-refund')).outcome).toBe('queued');
    expect(await processQueuedWebhooks(t.ctx, { now: later() })).toEqual({ processed: 1, retrying: 0, failed: 0 });
    expect(await delivery('early-refund')).toMatchObject({ outcome: 'processed', attempts: 2, body: null });
    expect((await events('refund.created')).length).toBe(1);
  });

  it('a delivery that never applies is marked failed after its retries, and a new delivery of it is queued again', async () => {
    const refund = shopifyRefund(4_444_444);
    await deliver('refunds/create', refund, { webhookId: 'orphan-refund' });
    for (let attempt = 2; attempt <= 8; attempt++) await processQueuedWebhooks(t.ctx, { now: later() });
    expect(await delivery('orphan-refund')).toMatchObject({ outcome: 'failed', attempts: 8 });
    expect(await processQueuedWebhooks(t.ctx, { now: later() })).toEqual({ processed: 0, retrying: 0, failed: 0 });
    const redelivered = await deliver('refunds/create', refund, { webhookId: 'orphan-refund', apply: false });
    expect(((await redelivered.json()) as { outcome: string }).outcome).toBe('queued');
    expect(await delivery('orphan-refund')).toMatchObject({ outcome: 'queued', attempts: 0 });
  });

  it('deliveries arriving together are stored together and each applied once', async () => {
    const orders = Array.from({ length: 20 }, (_, i) => shopifyOrder({ id: 7_000_000 + i, name: `#G${i}`, financial_status: 'paid' }));
    // A process enqueues the wake-up job once per 250 ms slot: start in a slot the earlier tests did not use.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const results = await Promise.all(orders.map((o) => deliver('orders/paid', o, { apply: false })));
    expect(results.map((r) => r.status)).toEqual(orders.map(() => 200));
    expect((await t.ctx.db.selectFrom('commerce_webhook_deliveries').select('outcome').execute()).map((d) => d.outcome)).toEqual(orders.map(() => 'queued'));
    // The deliveries woke the inbox job.
    expect((await t.ctx.db.selectFrom('jobs').select('kind').where('kind', '=', 'commerce.processWebhooks').execute()).length).toBeGreaterThan(0);
    expect(await processQueuedWebhooks(t.ctx)).toEqual({ processed: 20, retrying: 0, failed: 0 });
    expect(await counts()).toMatchObject({ orders: 20, deliveries: 20 });
    expect((await events('order.paid')).length).toBe(20);
  });

  it('new orders applied together end exactly as the same deliveries applied one at a time', async () => {
    const customerY = { id: 7_064_055_069_303, email: 'ygritte@example.com', first_name: 'Ygritte', last_name: 'Wildling' };
    const known = shopifyOrder({ id: 7_100_000, name: '#K' });
    const customerZ = { id: 7_064_055_069_309, email: 'sam@example.com', first_name: 'Sam', last_name: 'Tarly' };
    const knownZ = shopifyOrder({ id: 7_100_010, name: '#Z', customer: customerZ, email: customerZ.email });
    const story: Array<[string, unknown]> = [
      ['orders/paid', shopifyOrder({ id: 7_100_001, name: '#A', financial_status: 'paid' })],
      ['orders/create', shopifyOrder({ id: 7_100_002, name: '#B' })],
      ['orders/fulfilled', shopifyOrder({ id: 7_100_001, name: '#A', financial_status: 'paid', fulfillment_status: 'fulfilled', updated_at: '2025-03-03T10:00:00-05:00' })],
      ['orders/cancelled', shopifyOrder({ id: 7_100_003, name: '#C', financial_status: 'paid', cancelled_at: '2025-03-03T12:00:00-05:00', cancel_reason: 'customer', customer: customerY, email: customerY.email })],
      ['orders/paid', { ...known, financial_status: 'paid', updated_at: '2025-03-02T11:00:00-05:00' }],
      ['refunds/create', shopifyRefund(7_100_001)],
      ['customers/update', shopifyCustomer({ id: customerY.id, email: customerY.email, first_name: 'Ygritte', last_name: 'Free Folk' })],
      // Jon, after deliveries about him that are not applied together (#A fulfilled, #K paid): applied after them.
      ['orders/create', shopifyOrder({ id: 7_100_004, name: '#D', customer: { ...shopifyOrder().customer, last_name: 'Targaryen' } })],
      // Sam, known: unchanged by #E, changed by #F, both applied together: the change is written.
      ['orders/create', shopifyOrder({ id: 7_100_005, name: '#E', customer: customerZ, email: customerZ.email })],
      ['orders/create', shopifyOrder({ id: 7_100_006, name: '#F', customer: { ...customerZ, last_name: 'Tarly of Horn Hill' }, email: customerZ.email })],
    ];
    const run = async (limit: number) => {
      await wipe();
      await deliver('orders/create', known);
      await deliver('orders/create', knownZ);
      for (const [topic, body] of story) await deliver(topic, body, { apply: false });
      const pass = await processQueuedWebhooks(t.ctx, { limit, lanes: 1 });
      const orders = await t.ctx.db.selectFrom('commerce_orders').selectAll().orderBy('external_id').execute();
      const customers = await t.ctx.db.selectFrom('commerce_customers').selectAll().orderBy('external_id').execute();
      const orderOf = new Map(orders.map((o) => [o.id, `order ${o.external_id}`]));
      const customerOf = new Map(customers.map((c) => [c.id, `customer ${c.external_id ?? ''}`]));
      const lines = await t.ctx.db.selectFrom('commerce_order_lines').selectAll().orderBy('order_id').orderBy('position').execute();
      const published = await events();
      const stripIds = (p: unknown) => Object.fromEntries(Object.entries(p as Record<string, unknown>).map(([k, v]) => [k, k === 'orderId' ? orderOf.get(Number(v)) : k === 'customerId' ? customerOf.get(Number(v)) : k === 'refundId' ? typeof v : v]));
      return {
        pass,
        orders: orders.map(({ id: _id, customer_id, created_at: _c, updated_at: _u, ...o }) => ({ ...o, customer: customerOf.get(customer_id ?? 0) ?? null })),
        customers: customers.map(({ id: _id, created_at: _c, updated_at: _u, ...c }) => c),
        lines: lines.map(({ id: _id, order_id, ...l }) => ({ ...l, order: orderOf.get(order_id) ?? '' })).sort((a, b) => a.order.localeCompare(b.order) || a.position - b.position),
        events: published.map((e) => `${e.name} ${JSON.stringify(stripIds(e.payload))}`).sort(),
        // Where Ygritte (the new customer of #C) is announced relative to #A's creation.
        ygritteBeforeA:
          published.findIndex((e) => e.name === 'customer.created' && customerOf.get(Number((e.payload as { customerId: number }).customerId)) === `customer ${customerY.id}`) <
          published.findIndex((e) => e.name === 'order.created' && orderOf.get(Number((e.payload as { orderId: number }).orderId)) === 'order 7100001'),
        deliveries: (await t.ctx.db.selectFrom('commerce_webhook_deliveries').select(['topic', 'outcome', 'detail']).orderBy('id').execute()),
      };
    };
    const alone = await run(1);
    const together = await run(100);
    expect(together.pass).toEqual({ processed: 10, retrying: 0, failed: 0 });
    expect(together.orders).toEqual(alone.orders);
    expect(together.customers).toEqual(alone.customers);
    expect(together.lines).toEqual(alone.lines);
    expect(together.events).toEqual(alone.events);
    expect(together.deliveries).toEqual(alone.deliveries);
    // Applied together, #C's new customer is announced with the batch, before #A; one at a time, after it.
    expect(alone.ygritteBeforeA).toBe(false);
    expect(together.ygritteBeforeA).toBe(true);
    expect(together.orders.map((o) => [o.name, o.financial_status, o.fulfillment_status, o.cancelled_at !== null])).toEqual([
      ['#K', 'paid', 'unfulfilled', false],
      ['#A', 'partially_refunded', 'fulfilled', false],
      ['#B', 'pending', 'unfulfilled', false],
      ['#C', 'paid', 'unfulfilled', true],
      ['#D', 'pending', 'unfulfilled', false],
      ['#E', 'pending', 'unfulfilled', false],
      ['#F', 'pending', 'unfulfilled', false],
      ['#Z', 'pending', 'unfulfilled', false],
    ]);
    expect(together.customers.map((c) => c.last_name)).toEqual(['Targaryen', 'Free Folk', 'Tarly of Horn Hill']);
  });

  it('a delivery stored after its slot’s wake-up job already ran still wakes the inbox, in the next slot', async () => {
    const wakeJobs = () => t.ctx.db.selectFrom('jobs').select('id').where('kind', '=', 'commerce.processWebhooks').where('state', '=', 'queued').execute();
    // Start just after a slot boundary, so both deliveries land in one 250 ms slot (on a slow machine they may
    // not, and then the second wakes the inbox at once: the test holds either way).
    await new Promise((resolve) => setTimeout(resolve, 250 - (Date.now() % 250) + 5));
    await deliver('orders/create', shopifyOrder({ id: 7_300_001, name: '#W1' }), { apply: false });
    expect((await wakeJobs()).length).toBeGreaterThan(0);
    // The worker takes that job and empties the inbox before the next delivery arrives.
    await processQueuedWebhooks(t.ctx);
    await t.ctx.db.updateTable('jobs').set({ state: 'done' }).where('kind', '=', 'commerce.processWebhooks').execute();
    await deliver('orders/create', shopifyOrder({ id: 7_300_002, name: '#W2' }), { apply: false });
    await new Promise((resolve) => setTimeout(resolve, 300));
    // A wake-up left over from an earlier test may add one more; none at all is the failure.
    expect((await wakeJobs()).length).toBeGreaterThan(0);
  });

  it('concurrent duplicates of one delivery create one order', async () => {
    const order = shopifyOrder({ financial_status: 'paid' });
    const results = await Promise.all(Array.from({ length: 5 }, () => deliver('orders/create', order, { webhookId: 'concurrent' })));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(await counts()).toMatchObject({ orders: 1, customers: 1, deliveries: 1 });
    expect((await events()).map((e) => e.name)).toEqual(['customer.created', 'order.created', 'order.paid']);
  });

  it('different deliveries of one new order at the same moment create it once', async () => {
    const order = shopifyOrder({ financial_status: 'paid' });
    const topics = ['orders/create', 'orders/paid', 'orders/updated', 'orders/create', 'orders/paid'];
    const results = await Promise.all(topics.map((topic) => deliver(topic, order)));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(await counts()).toMatchObject({ orders: 1, customers: 1, lines: 2, deliveries: 5 });
    expect((await events()).map((e) => e.name)).toEqual(['customer.created', 'order.created', 'order.paid']);
  });

  it('customers/create then customers/update updates the same customer and publishes only real changes', async () => {
    await deliver('customers/create', shopifyCustomer());
    await deliver('customers/update', shopifyCustomer());
    await deliver('customers/update', shopifyCustomer({ last_name: 'Normanby', email: 'Bob.N+shop@Gmail.com' }));
    const rows = await t.ctx.db.selectFrom('commerce_customers').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ external_id: '706405506930370000', last_name: 'Normanby', email: 'Bob.N+shop@Gmail.com', email_normalized: 'bobn@gmail.com', address_line: '1 Rue des Carrieres, Suite 1234' });
    const published = await events();
    expect(published.map((e) => e.name)).toEqual(['customer.created', 'customer.updated']);
    expect(published[1]?.payload).toEqual({ customerId: rows[0]?.id, userId: null, email: 'Bob.N+shop@Gmail.com' });
  });

  it('products/create and products/update keep variants, prices and images; order lines link to them', async () => {
    await deliver('products/create', shopifyProduct());
    await deliver('products/update', shopifyProduct());
    await deliver('products/update', shopifyProduct({ variants: [{ id: 808950810, title: 'Pink', price: '11.00', sku: 'IPOD2008PINK' }] }));
    expect((await events()).map((e) => e.name)).toEqual(['product.created', 'product.updated']);
    const product = await t.ctx.db.selectFrom('commerce_products').selectAll().executeTakeFirstOrThrow();
    expect(product).toMatchObject({ external_id: '632910392', title: 'IPod Nano - 8GB', url: 'https://hearth-test.myshopify.com/products/ipod-nano', vendor: 'Apple' });
    const variants = await t.ctx.db.selectFrom('commerce_product_variants').select(['sku', 'price_minor', 'currency']).execute();
    expect(variants).toEqual([{ sku: 'IPOD2008PINK', price_minor: 1100, currency: 'GBP' }]);
    const images = await t.ctx.db.selectFrom('commerce_product_images').select('url').execute();
    expect(images.map((i) => i.url)).toEqual(['https://cdn.shopify.com/s/files/1/0006/9093/3842/products/ipod-nano.png']);
    await deliver('orders/create', shopifyOrder());
    const line = await t.ctx.db.selectFrom('commerce_order_lines').selectAll().where('sku', '=', 'IPOD2008PINK').executeTakeFirstOrThrow();
    expect(line.product_id).toBe(product.id);
  });

  it('large orders applied together keep every line and its product link', async () => {
    await deliver('products/create', shopifyProduct());
    const lineItems = (n: number) =>
      Array.from({ length: 150 }, (_, i) => ({ id: 9_000_000 + n * 1000 + i, variant_id: i % 2 ? 808950810 : 49148385, product_id: 632910392, sku: i % 2 ? 'IPOD2008PINK' : 'IPOD2008RED', title: 'IPod', name: 'IPod', quantity: 1, price: '1.00', total_discount: '0.00' }));
    for (let n = 0; n < 3; n++) await deliver('orders/create', shopifyOrder({ id: 7_200_000 + n, name: `#L${n}`, line_items: lineItems(n), subtotal_price: '150.00', total_price: '150.00', total_tax: '0.00', total_discounts: '0.00' }), { apply: false });
    expect(await processQueuedWebhooks(t.ctx)).toEqual({ processed: 3, retrying: 0, failed: 0 });
    const lines = await t.ctx.db.selectFrom('commerce_order_lines').select(['sku', 'variant_id', 'product_id', 'position']).execute();
    expect(lines).toHaveLength(450);
    const product = await t.ctx.db.selectFrom('commerce_products').select('id').executeTakeFirstOrThrow();
    expect(lines.every((l) => l.product_id === product.id && l.variant_id !== null)).toBe(true);
    expect(new Set(lines.map((l) => l.position)).size).toBe(150);
  });

  it('converts yen orders without decimals', async () => {
    await deliver('orders/create', shopifyOrder({ currency: 'JPY', subtotal_price: '3000', total_price: '3300', total_tax: '300', total_discounts: '0', line_items: [{ id: 1, quantity: 2, price: '1500.00', title: 'Tea', sku: 'TEA' }], total_shipping_price_set: null }));
    const row = await t.ctx.db.selectFrom('commerce_orders').select(['currency', 'subtotal_minor', 'total_minor', 'tax_minor']).executeTakeFirstOrThrow();
    expect(row).toEqual({ currency: 'JPY', subtotal_minor: 3000, total_minor: 3300, tax_minor: 300 });
  });

  it('acknowledges topics it does not use without changing anything', async () => {
    const res = await deliver('app/uninstalled', { id: 1 });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { outcome: string }).outcome).toBe('ignored');
    expect(await counts()).toMatchObject({ orders: 0, deliveries: 1, events: 0 });
  });

  it('a signed but malformed order is refused with 400 and recorded as failed', async () => {
    const res = await deliver('orders/create', { id: 5, currency: 'GBP' });
    expect(res.status).toBe(400);
    expect(await counts()).toMatchObject({ orders: 0, events: 0, deliveries: 1 });
    expect((await t.ctx.db.selectFrom('commerce_webhook_deliveries').select('outcome').executeTakeFirstOrThrow()).outcome).toBe('failed');
  });
});

describe('quoteLargeIntegers', () => {
  it('keeps 64-bit ids exact and leaves strings and small numbers alone', () => {
    const text = '{"id":820982911946154508,"price":12.5,"n":42,"note":"a: 1234567890123456789,","big_float":1234567890123456.5,"ids":[9007199254740993]}';
    expect(JSON.parse(quoteLargeIntegers(text))).toEqual({ id: '820982911946154508', price: 12.5, n: 42, note: 'a: 1234567890123456789,', big_float: 1234567890123456.5, ids: ['9007199254740993'] });
  });
});
