import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHearth, TestClient, type TestHearth } from '../../../test/helpers.ts';
import { publishEvent } from '../../platform/jobs/registry.ts';
import { JobWorker } from '../../platform/jobs/worker.ts';
import { createApiKey } from '../accounts/api-keys.ts';
import { createSession, SESSION_COOKIE } from '../accounts/sessions.ts';
import type { Role } from '../accounts/tables.ts';

let t: TestHearth;
let writeKey: string;
let readOnlyKey: string;
let communityKey: string;
let adminId: number;
let memberId: number;

async function createUser(email: string, role: Role, verified: boolean): Promise<number> {
  const username = email.split('@')[0]?.replace(/[^a-z0-9]/gi, '') ?? 'user';
  const row = await t.ctx.db
    .insertInto('users')
    .values({ email, display_name: username, username, role, email_verified_at: verified ? new Date() : null, notification_prefs: JSON.stringify({}) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

beforeAll(async () => {
  t = await createTestHearth();
  adminId = await createUser('owner@shop.example', 'admin', true);
  memberId = await createUser('member@shop.example', 'member', true);
  writeKey = (await createApiKey(t.ctx.db, { name: 'store', scopes: ['commerce:read', 'commerce:write'], createdBy: adminId })).key;
  readOnlyKey = (await createApiKey(t.ctx.db, { name: 'reports', scopes: ['commerce:read'], createdBy: adminId })).key;
  communityKey = (await createApiKey(t.ctx.db, { name: 'forum bot', scopes: ['read', 'write'], createdBy: adminId })).key;
});
afterAll(async () => {
  await t.close();
});

function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, key = writeKey) {
  return t.hearth.app.request(path, {
    method,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
  });
}

async function eventsNamed(name: string) {
  return t.ctx.db.selectFrom('domain_events').select('payload').where('name', '=', name).orderBy('id').execute();
}

const orderFor = (externalId: string, extra: Record<string, unknown> = {}) => ({
  externalId,
  currency: 'GBP',
  email: 'buyer@example.com',
  placedAt: '2025-04-01T12:00:00Z',
  shippingMinor: 395,
  taxMinor: 0,
  lines: [
    { sku: 'MUG-1', title: 'Mug', quantity: 2, unitPriceMinor: 1250 },
    { title: 'Tea', quantity: 1, unitPriceMinor: 500, discountMinor: 100 },
  ],
  ...extra,
});

describe('orders API', () => {
  it('creates an order with computed totals and publishes order.created', async () => {
    const res = await call('POST', '/api/v1/orders', orderFor('A-1', { paidAt: '2025-04-01T12:01:00Z' }));
    expect(res.status).toBe(201);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ source: 'api', externalId: 'A-1', currency: 'GBP', subtotalMinor: 2900, shippingMinor: 395, totalMinor: 3295, financialStatus: 'paid', paidAt: '2025-04-01T12:01:00.000Z' });
    expect(body.lines).toHaveLength(2);
    expect(body.customer).toMatchObject({ email: 'buyer@example.com', source: 'api' });
    const created = await eventsNamed('order.created');
    expect(created.at(-1)?.payload).toMatchObject({ orderId: body.id, subtotalMinor: 2900, totalMinor: 3295, placedAt: '2025-04-01T12:00:00.000Z' });
    expect((await eventsNamed('order.paid')).at(-1)?.payload).toMatchObject({ orderId: body.id, paidAt: '2025-04-01T12:01:00.000Z', totalMinor: 3295 });
  });

  it('replays the stored response for the same Idempotency-Key and body, and refuses another body with 409', async () => {
    const body = orderFor('IDEM-1');
    const first = await call('POST', '/api/v1/orders', body, { 'idempotency-key': 'key-1' });
    const firstJson = await first.json();
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const ordersBefore = await t.ctx.db.selectFrom('commerce_orders').select('id').execute();
    const eventsBefore = (await eventsNamed('order.created')).length;

    // Same key, same body (keys in another order): the same status and body again, nothing new.
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    for (const again of [body, reordered]) {
      const res = await call('POST', '/api/v1/orders', again, { 'idempotency-key': 'key-1' });
      expect(res.status).toBe(201);
      expect(res.headers.get('idempotent-replayed')).toBe('true');
      expect(await res.json()).toEqual(firstJson);
    }
    expect(await t.ctx.db.selectFrom('commerce_orders').select('id').execute()).toEqual(ordersBefore);
    expect((await eventsNamed('order.created')).length).toBe(eventsBefore);

    const other = await call('POST', '/api/v1/orders', { ...body, shippingMinor: 0 }, { 'idempotency-key': 'key-1' });
    expect(other.status).toBe(409);
    expect(((await other.json()) as { error: { code: string } }).error.code).toBe('idempotency_key_reused');
    // The same key on another endpoint is another request too.
    const elsewhere = await call('POST', '/api/v1/customers', { email: 'x@example.com' }, { 'idempotency-key': 'key-1' });
    expect(elsewhere.status).toBe(409);
  });

  it('concurrent requests with one Idempotency-Key create one order', async () => {
    const results = await Promise.all(Array.from({ length: 5 }, () => call('POST', '/api/v1/orders', orderFor('IDEM-RACE'), { 'idempotency-key': 'race-key' })));
    expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    const ids = new Set(await Promise.all(results.map(async (r) => ((await r.json()) as { id: number }).id)));
    expect(ids.size).toBe(1);
    expect(await t.ctx.db.selectFrom('commerce_orders').select('id').where('external_id', '=', 'IDEM-RACE').execute()).toHaveLength(1);
  });

  it('answers invalid input with 400 and a message per field', async () => {
    const res = await call('POST', '/api/v1/orders', { externalId: 'BAD', currency: 'pounds', placedAt: 'yesterday', lines: [{ title: 'x', quantity: 0, unitPriceMinor: -5 }] });
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { code: string; fields: Record<string, string> } };
    expect(error.code).toBe('validation_failed');
    expect(Object.keys(error.fields).sort()).toEqual(['currency', 'lines.0.quantity', 'lines.0.unitPriceMinor', 'placedAt']);
    expect(error.fields.currency).toBe('Use a three-letter ISO 4217 code such as GBP.');
  });

  it('needs the commerce scopes or an admin session', async () => {
    expect((await t.hearth.app.request('/api/v1/orders')).status).toBe(401);
    expect((await call('GET', '/api/v1/orders', undefined, {}, communityKey)).status).toBe(403);
    expect((await call('GET', '/api/v1/orders', undefined, {}, readOnlyKey)).status).toBe(200);
    expect((await call('POST', '/api/v1/orders', orderFor('RO-1'), {}, readOnlyKey)).status).toBe(403);
    const member = new TestClient(t.hearth);
    member.cookies.set(SESSION_COOKIE, await createSession(t.ctx.db, memberId, {}));
    expect((await member.get('/api/v1/orders')).status).toBe(403);
    const admin = new TestClient(t.hearth);
    admin.cookies.set(SESSION_COOKIE, await createSession(t.ctx.db, adminId, {}));
    expect((await admin.get('/api/v1/orders')).status).toBe(200);
  });

  it('lists orders newest first with a cursor, and filters them', async () => {
    for (const [i, day] of ['2024-01-01', '2024-01-02', '2024-01-03'].entries()) {
      await call('POST', '/api/v1/orders', orderFor(`PAGE-${i}`, { placedAt: `${day}T00:00:00Z`, source: 'pager' }));
    }
    const first = (await (await call('GET', '/api/v1/orders?source=pager&limit=2')).json()) as { items: Array<{ externalId: string }>; nextCursor: string | null };
    expect(first.items.map((o) => o.externalId)).toEqual(['PAGE-2', 'PAGE-1']);
    expect(first.nextCursor).not.toBeNull();
    const second = (await (await call('GET', `/api/v1/orders?source=pager&limit=2&cursor=${first.nextCursor}`)).json()) as { items: Array<{ externalId: string }>; nextCursor: string | null };
    expect(second.items.map((o) => o.externalId)).toEqual(['PAGE-0']);
    expect(second.nextCursor).toBeNull();
    const byExternal = (await (await call('GET', '/api/v1/orders?source=pager&externalId=PAGE-1')).json()) as { items: Array<{ externalId: string }> };
    expect(byExternal.items.map((o) => o.externalId)).toEqual(['PAGE-1']);
  });

  it('marks an order paid, fulfilled and cancelled once each', async () => {
    const order = (await (await call('POST', '/api/v1/orders', orderFor('T-1'))).json()) as { id: number };
    const paidBefore = (await eventsNamed('order.paid')).length;
    for (let i = 0; i < 2; i++) expect((await call('POST', `/api/v1/orders/${order.id}/paid`, { at: '2025-04-02T00:00:00Z' })).status).toBe(200);
    const fulfilled = await call('POST', `/api/v1/orders/${order.id}/fulfilled`, {});
    expect(((await fulfilled.json()) as { fulfillmentStatus: string }).fulfillmentStatus).toBe('fulfilled');
    const cancelled = (await (await call('POST', `/api/v1/orders/${order.id}/cancel`, { reason: 'fraud' })).json()) as { cancelledAt: string | null; paidAt: string };
    expect(cancelled.cancelledAt).not.toBeNull();
    expect(cancelled.paidAt).toBe('2025-04-02T00:00:00.000Z');
    expect((await eventsNamed('order.paid')).length).toBe(paidBefore + 1);
    expect((await call('POST', '/api/v1/orders/999999/paid', {})).status).toBe(404);
  });
});

describe('refunds API', () => {
  it('records a partial then a full refund and refuses more than the order total', async () => {
    const order = (await (await call('POST', '/api/v1/orders', orderFor('R-1', { paidAt: '2025-04-01T12:00:00Z' }))).json()) as { id: number; totalMinor: number; lines: Array<{ id: number }> };
    expect(order.totalMinor).toBe(3295);
    const partial = await call('POST', '/api/v1/refunds', { orderId: order.id, amountMinor: 1250, lines: [{ orderLineId: order.lines[0]?.id, quantity: 1, amountMinor: 1250 }] }, { 'idempotency-key': 'refund-1' });
    expect(partial.status).toBe(201);
    const partialAgain = await call('POST', '/api/v1/refunds', { orderId: order.id, amountMinor: 1250, lines: [{ orderLineId: order.lines[0]?.id, quantity: 1, amountMinor: 1250 }] }, { 'idempotency-key': 'refund-1' });
    expect(await partialAgain.json()).toEqual(await partial.json());
    const tooMuch = await call('POST', '/api/v1/refunds', { orderId: order.id, amountMinor: 2046 });
    expect(tooMuch.status).toBe(409);
    expect(((await tooMuch.json()) as { error: { code: string } }).error.code).toBe('refund_exceeds_order');
    const tooMany = await call('POST', '/api/v1/refunds', { orderId: order.id, amountMinor: 0, lines: [{ orderLineId: order.lines[0]?.id, quantity: 2 }] });
    expect(tooMany.status).toBe(400);
    const rest = await call('POST', '/api/v1/refunds', { orderId: order.id, amountMinor: 2045, note: 'all of it' });
    expect(rest.status).toBe(201);

    const payloads = (await eventsNamed('refund.created')).map((e) => e.payload).filter((p) => (p as { orderId: number }).orderId === order.id);
    expect(payloads).toEqual([
      expect.objectContaining({ amountMinor: 1250, refundedTotalMinor: 1250, orderTotalMinor: 3295, full: false, currency: 'GBP' }),
      expect.objectContaining({ amountMinor: 2045, refundedTotalMinor: 3295, orderTotalMinor: 3295, full: true }),
    ]);
    const after = (await (await call('GET', `/api/v1/orders/${order.id}`)).json()) as { refundedMinor: number; financialStatus: string; refunds: unknown[] };
    expect(after).toMatchObject({ refundedMinor: 3295, financialStatus: 'refunded' });
    expect(after.refunds).toHaveLength(2);
  });
});

describe('customers, products and linking', () => {
  it('links a new customer to the member who confirmed that email', async () => {
    const res = await call('POST', '/api/v1/customers', { email: 'Member@Shop.example', firstName: 'Mem' });
    const customer = (await res.json()) as { id: number; userId: number | null };
    expect(res.status).toBe(200);
    expect(customer.userId).toBe(memberId);
    expect((await eventsNamed('customer.created')).at(-1)?.payload).toEqual({ customerId: customer.id, userId: memberId, email: 'Member@Shop.example' });
    expect((await eventsNamed('customer.linked')).at(-1)?.payload).toEqual({ customerId: customer.id, userId: memberId });
  });

  it('links existing customers when a member confirms their email, once', async () => {
    const late = await createUser('late@shop.example', 'member', false);
    const order = (await (await call('POST', '/api/v1/orders', orderFor('L-1', { email: 'LATE@shop.example' }))).json()) as { customer: { id: number; userId: number | null } };
    expect(order.customer.userId).toBeNull();
    // What accounts does when the confirmation link is followed.
    await t.ctx.db.transaction().execute(async (trx) => {
      await trx.updateTable('users').set({ email_verified_at: new Date() }).where('id', '=', late).execute();
      await publishEvent(trx, t.ctx.jobs, 'user.email_verified', { userId: late }, late);
    });
    const worker = new JobWorker(t.ctx);
    const drain = async () => {
      for (let i = 0; i < 50 && (await worker.runDue()) > 0; i++);
    };
    await drain();
    const linkJob = await t.ctx.db.selectFrom('jobs').select(['state', 'last_error']).where('kind', '=', 'commerce.linkCustomersOnEmailVerified').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(linkJob).toEqual({ state: 'done', last_error: null });
    const linked = (await (await call('GET', `/api/v1/customers/${order.customer.id}`)).json()) as { userId: number | null; linkedAt: string | null };
    expect(linked.userId).toBe(late);
    expect(linked.linkedAt).not.toBeNull();
    const linkedEvents = (await eventsNamed('customer.linked')).filter((e) => (e.payload as { userId: number }).userId === late);
    expect(linkedEvents.map((e) => e.payload)).toEqual([{ customerId: order.customer.id, userId: late }]);
    // A replayed event finds nothing left to link.
    await publishEvent(t.ctx.db, t.ctx.jobs, 'user.email_verified', { userId: late }, late);
    await drain();
    expect((await eventsNamed('customer.linked')).filter((e) => (e.payload as { userId: number }).userId === late)).toHaveLength(1);
    // Orders placed after the link carry the member.
    await call('POST', '/api/v1/orders', orderFor('L-2', { email: 'late@shop.example' }));
    expect((await eventsNamed('order.created')).at(-1)?.payload).toMatchObject({ customerId: order.customer.id, userId: late });
  });

  it('creates and updates a product by its external id', async () => {
    const body = { externalId: 'P-1', title: 'Mug', url: 'https://shop.example/mug', variants: [{ sku: 'MUG-1', priceMinor: 1250, currency: 'gbp' }], images: [{ url: 'https://shop.example/mug.png' }] };
    const created = (await (await call('POST', '/api/v1/products', body)).json()) as { id: number; variants: Array<{ sku: string; priceMinor: number; currency: string }> };
    expect(created.variants).toEqual([expect.objectContaining({ sku: 'MUG-1', priceMinor: 1250, currency: 'GBP' })]);
    const updated = (await (await call('POST', '/api/v1/products', { ...body, title: 'Big mug' })).json()) as { id: number; title: string };
    expect(updated).toMatchObject({ id: created.id, title: 'Big mug' });
    const list = (await (await call('GET', '/api/v1/products?sku=MUG-1')).json()) as { items: Array<{ id: number }> };
    expect(list.items.map((p) => p.id)).toEqual([created.id]);
    const events = (await t.ctx.db.selectFrom('domain_events').select(['name', 'payload']).where('name', 'like', 'product.%').execute()).map((e) => [e.name, e.payload]);
    expect(events).toEqual([
      ['product.created', { productId: created.id }],
      ['product.updated', { productId: created.id }],
    ]);
  });

  it('describes the store endpoints in the OpenAPI document', async () => {
    const doc = (await (await t.hearth.app.request('/api/v1/openapi.json')).json()) as { paths: Record<string, Record<string, { security: unknown }>> };
    for (const path of ['/api/v1/orders', '/api/v1/orders/{id}', '/api/v1/orders/{id}/paid', '/api/v1/refunds', '/api/v1/customers', '/api/v1/products/{id}']) expect(doc.paths[path]).toBeDefined();
    expect(doc.paths['/api/v1/orders']?.post?.security).toEqual([{ bearerAuth: ['commerce:write'] }, { cookieAuth: [] }]);
  });
});

describe('admin store pages', () => {
  it('shows orders, an order, customers, products, import and webhooks to an admin only', async () => {
    const admin = new TestClient(t.hearth);
    admin.cookies.set(SESSION_COOKIE, await createSession(t.ctx.db, adminId, {}));
    const order = await t.ctx.db.selectFrom('commerce_orders').select(['id', 'customer_id']).where('external_id', '=', 'R-1').executeTakeFirstOrThrow();
    const list = await admin.get('/admin/store?financialStatus=refunded');
    expect(list.status).toBe(200);
    const html = await list.text();
    expect(html).toContain('#R-1');
    expect(html).not.toContain('#A-1');
    const detail = await (await admin.get(`/admin/store/orders/${order.id}`)).text();
    expect(detail).toContain('£32.95');
    expect(detail).toContain('all of it');
    for (const path of ['/admin/store/customers', `/admin/store/customers/${order.customer_id}`, '/admin/store/products', '/admin/store/import', '/admin/store/webhooks']) {
      expect((await admin.get(path)).status).toBe(200);
    }
    expect((await t.hearth.app.request('/admin/store')).status).toBe(303);
    const member = new TestClient(t.hearth);
    member.cookies.set(SESSION_COOKIE, await createSession(t.ctx.db, memberId, {}));
    expect((await member.get('/admin/store')).status).toBe(403);
  });
});

describe('housekeeping', () => {
  it('forgets Idempotency-Keys after a day and webhook deliveries after 30 days', async () => {
    const { pruneCommerceRecords } = await import('./service.ts');
    const old = new Date(Date.now() - 2 * 86400_000);
    await t.ctx.db.insertInto('commerce_idempotency_keys').values({ caller: 'user:1', key: 'old', method: 'POST', path: '/api/v1/orders', request_hash: 'x', response_status: 201, response_body: '{}', created_at: old }).execute();
    await t.ctx.db.insertInto('commerce_webhook_deliveries').values({ provider: 'shopify', webhook_id: 'recent', topic: 'orders/create', outcome: 'processed', received_at: old }).execute();
    await t.ctx.db.insertInto('commerce_webhook_deliveries').values({ provider: 'shopify', webhook_id: 'ancient', topic: 'orders/create', outcome: 'processed', received_at: new Date(Date.now() - 31 * 86400_000) }).execute();
    const pruned = await pruneCommerceRecords(t.ctx);
    expect(pruned).toEqual({ keys: 1, deliveries: 1 });
    expect(await t.ctx.db.selectFrom('commerce_idempotency_keys').select('key').where('key', '=', 'old').execute()).toEqual([]);
    expect((await t.ctx.db.selectFrom('commerce_webhook_deliveries').select('webhook_id').execute()).map((d) => d.webhook_id)).toEqual(['recent']);
  });
});
