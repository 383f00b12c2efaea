import type { Selectable } from 'kysely';
import type { AppContext } from '../../platform/context.ts';
import { conflict, notFound, validationFailed, type FieldErrors } from '../../platform/http/errors.ts';
import { toPage, type Page } from '../../platform/http/pagination.ts';
import { publishEvent, publishEvents, type EventToPublish, type Executor } from '../../platform/jobs/registry.ts';
import { requireCommerce, type CommerceActor } from './access.ts';
import { customerKey, unchangedCustomers, upsertCustomerIn, type CustomerInput, type Trx } from './customers.ts';
import * as repo from './repo.ts';
import type { Order, OrderSummary, Refund } from './repo.ts';
import type { CommerceOrdersTable } from './tables.ts';

export interface OrderLineInput {
  externalId?: string | null;
  sku?: string | null;
  title: string;
  quantity: number;
  unitPriceMinor: number;
  discountMinor?: number;
  /** The store's variant id, to link the line to a known product. */
  variantExternalId?: string | null;
}

export interface OrderInput {
  source: string;
  externalId: string;
  name?: string;
  /** Who bought it; an order with neither customer nor email has no customer. */
  customer?: CustomerInput | null;
  email?: string | null;
  currency: string;
  subtotalMinor: number;
  shippingMinor: number;
  taxMinor: number;
  discountMinor: number;
  totalMinor: number;
  placedAt: Date;
  lines: OrderLineInput[];
  /** The store's own words for the payment and shipping state, kept for display. */
  financialStatus?: string;
  fulfillmentStatus?: string;
  /** Set when the order is (already) paid, fulfilled or cancelled: each is applied once. */
  paidAt?: Date | null;
  fulfilledAt?: Date | null;
  cancelledAt?: Date | null;
  cancelReason?: string | null;
}

export interface RefundInput {
  orderId: number;
  source: string;
  externalId?: string | null;
  amountMinor: number;
  note?: string;
  refundedAt?: Date;
  lines: Array<{ orderLineId?: number; lineExternalId?: string; quantity: number; amountMinor?: number }>;
}

type OrderRow = Selectable<CommerceOrdersTable>;

const CURRENCY = /^[A-Z]{3}$/;

function checkAmount(fields: FieldErrors, name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) fields[name] ??= 'Must be a whole number of minor units, 0 or more.';
}

export function validateOrderInput(input: OrderInput): void {
  const fields: FieldErrors = {};
  if (!input.externalId.trim()) fields.externalId = 'An order needs its id in the store.';
  if (!CURRENCY.test(input.currency)) fields.currency = 'Use a three-letter ISO 4217 code such as GBP.';
  checkAmount(fields, 'subtotalMinor', input.subtotalMinor);
  checkAmount(fields, 'shippingMinor', input.shippingMinor);
  checkAmount(fields, 'taxMinor', input.taxMinor);
  checkAmount(fields, 'discountMinor', input.discountMinor);
  checkAmount(fields, 'totalMinor', input.totalMinor);
  if (Number.isNaN(input.placedAt.getTime())) fields.placedAt = 'Not a valid date and time.';
  input.lines.forEach((l, i) => {
    if (!Number.isInteger(l.quantity) || l.quantity < 1) fields[`lines.${i}.quantity`] = 'Must be a whole number, 1 or more.';
    checkAmount(fields, `lines.${i}.unitPriceMinor`, l.unitPriceMinor);
    if (l.discountMinor !== undefined) checkAmount(fields, `lines.${i}.discountMinor`, l.discountMinor);
    if (!l.title.trim() && !l.sku) fields[`lines.${i}.title`] = 'A line needs a title or a SKU.';
  });
  if (Object.keys(fields).length > 0) throw validationFailed(fields);
}

// ------------------------------------------------------------------------------------------ events

async function userOf(trx: Executor, customerId: number | null): Promise<number | null> {
  if (customerId === null) return null;
  const c = await trx.selectFrom('commerce_customers').select('user_id').where('id', '=', customerId).executeTakeFirst();
  return c?.user_id ?? null;
}

/** `userId` may be passed when known, saving a query on the hot path of webhooks. */
async function orderEventPayload(trx: Executor, o: OrderRow, userId?: number | null) {
  return {
    orderId: o.id,
    customerId: o.customer_id,
    userId: userId === undefined ? await userOf(trx, o.customer_id) : userId,
    currency: o.currency,
    subtotalMinor: o.subtotal_minor,
    shippingMinor: o.shipping_minor,
    taxMinor: o.tax_minor,
    discountMinor: o.discount_minor,
    totalMinor: o.total_minor,
    placedAt: o.placed_at.toISOString(),
  };
}

/** Financial states that a payment moves on to `paid`. */
const UNPAID_STATES = ['pending', 'authorized', 'partially_paid'];

/** Compares texts by code unit: the one order every writer takes keys in, so batches cannot deadlock. */
function byKey(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The columns an order is inserted with, whether alone or in a batch. */
function newOrderRow(input: OrderInput, customer: { id: number; email: string | null } | null) {
  return {
    source: input.source,
    external_id: input.externalId,
    name: input.name ?? '',
    customer_id: customer?.id ?? null,
    email: input.email ?? customer?.email ?? null,
    currency: input.currency,
    subtotal_minor: input.subtotalMinor,
    shipping_minor: input.shippingMinor,
    tax_minor: input.taxMinor,
    discount_minor: input.discountMinor,
    total_minor: input.totalMinor,
    financial_status: input.financialStatus ?? 'pending',
    fulfillment_status: input.fulfillmentStatus ?? 'unfulfilled',
    placed_at: input.placedAt,
  };
}

const LINE_CHUNK = 400;

/**
 * Inserts order lines, linked to the products whose variants they name. In chunks: a variant lookup
 * reads at most 1,000 candidates, and a statement takes at most 65,535 parameters.
 */
async function insertOrderLines(trx: Trx, lines: Array<{ orderId: number; line: OrderLineInput; position: number }>): Promise<void> {
  for (let from = 0; from < lines.length; from += LINE_CHUNK) {
    const chunk = lines.slice(from, from + LINE_CHUNK);
    const variants = await repo.findVariants(
      trx,
      chunk.map(({ line }) => ({ externalId: line.variantExternalId, sku: line.sku })),
    );
    await trx
      .insertInto('commerce_order_lines')
      .values(
        chunk.map(({ orderId, line, position }, n) => ({
          order_id: orderId,
          external_id: line.externalId ?? null,
          product_id: variants[n]?.productId ?? null,
          variant_id: variants[n]?.id ?? null,
          sku: line.sku ?? null,
          title: line.title.trim() || line.sku || '',
          quantity: line.quantity,
          unit_price_minor: line.unitPriceMinor,
          discount_minor: line.discountMinor ?? 0,
          position,
        })),
      )
      .execute();
  }
}

// ------------------------------------------------------------------------------------------ transitions

/** Marks an order paid once; a second call (a replay, a later webhook) changes and publishes nothing. */
export async function markPaidIn(ctx: AppContext, trx: Trx, orderId: number, paidAt: Date, actor: number | null = null, userId?: number | null): Promise<OrderRow | null> {
  const row = await trx
    .updateTable('commerce_orders')
    .set((eb) => ({
      paid_at: paidAt,
      financial_status: eb.case().when('financial_status', 'in', UNPAID_STATES).then('paid').else(eb.ref('financial_status')).end(),
      updated_at: new Date(),
    }))
    .where('id', '=', orderId)
    .where('paid_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
  if (!row) return null;
  await publishEvent(trx, ctx.jobs, 'order.paid', { ...(await orderEventPayload(trx, row, userId)), paidAt: paidAt.toISOString() }, actor);
  return row;
}

export async function markFulfilledIn(ctx: AppContext, trx: Trx, orderId: number, fulfilledAt: Date, actor: number | null = null, userId?: number | null): Promise<OrderRow | null> {
  const row = await trx
    .updateTable('commerce_orders')
    .set({ fulfilled_at: fulfilledAt, fulfillment_status: 'fulfilled', updated_at: new Date() })
    .where('id', '=', orderId)
    .where('fulfilled_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
  if (!row) return null;
  await publishEvent(
    trx,
    ctx.jobs,
    'order.fulfilled',
    { orderId: row.id, customerId: row.customer_id, userId: userId === undefined ? await userOf(trx, row.customer_id) : userId, fulfilledAt: fulfilledAt.toISOString() },
    actor,
  );
  return row;
}

export async function markCancelledIn(
  ctx: AppContext,
  trx: Trx,
  orderId: number,
  cancelledAt: Date,
  reason: string | null,
  actor: number | null = null,
  userId?: number | null,
): Promise<OrderRow | null> {
  const row = await trx
    .updateTable('commerce_orders')
    .set({ cancelled_at: cancelledAt, cancel_reason: reason, updated_at: new Date() })
    .where('id', '=', orderId)
    .where('cancelled_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
  if (!row) return null;
  await publishEvent(
    trx,
    ctx.jobs,
    'order.cancelled',
    { orderId: row.id, customerId: row.customer_id, userId: userId === undefined ? await userOf(trx, row.customer_id) : userId, cancelledAt: cancelledAt.toISOString() },
    actor,
  );
  return row;
}

// ------------------------------------------------------------------------------------------ orders

/**
 * Records an order, found by its id at the source: the first time it is created with its lines
 * (`order.created`); every time, the paid, fulfilled and cancelled states it reports are applied,
 * each at most once. Amounts and lines of a known order are kept as first recorded, since the
 * events already published carry them.
 */
export async function upsertOrderIn(ctx: AppContext, trx: Trx, input: OrderInput, actor: number | null = null): Promise<{ order: OrderSummary; created: boolean; transitions: string[] }> {
  validateOrderInput(input);
  let row = await repo.findOrderRow(trx, { source: input.source, externalId: input.externalId }, true);
  const transitions: string[] = [];

  const customerInput: CustomerInput | null = input.customer ?? (input.email ? { source: input.source, email: input.email } : null);
  let inserted: OrderRow | undefined;
  let userId: number | null | undefined;
  if (!row) {
    const customer = customerInput ? (await upsertCustomerIn(ctx, trx, customerInput, actor)).customer : null;
    userId = customer?.userId ?? null;
    inserted = await trx
      .insertInto('commerce_orders')
      .values(newOrderRow(input, customer))
      // Two deliveries of one new order at once (orders/create and orders/paid): the second waits
      // for the first to commit, inserts nothing, and goes on as for a known order.
      .onConflict((oc) => oc.columns(['source', 'external_id']).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!inserted) row = await repo.findOrderRow(trx, { source: input.source, externalId: input.externalId }, true);
  }
  const created = inserted !== undefined;
  if (inserted) {
    row = inserted;
    const orderId = row.id;
    await insertOrderLines(trx, input.lines.map((line, position) => ({ orderId, line, position })));
    await publishEvent(trx, ctx.jobs, 'order.created', await orderEventPayload(trx, row, userId), actor);
  } else if (row) {
    const patch: { financial_status?: string; fulfillment_status?: string; customer_id?: number } = {};
    // Deliveries can arrive out of order: a late "pending" must not undo a payment or a refund.
    const regress = row.paid_at !== null && UNPAID_STATES.includes(input.financialStatus ?? '');
    if (input.financialStatus && input.financialStatus !== row.financial_status && row.refunded_minor === 0 && !regress) patch.financial_status = input.financialStatus;
    if (input.fulfillmentStatus && input.fulfillmentStatus !== row.fulfillment_status && !row.fulfilled_at) patch.fulfillment_status = input.fulfillmentStatus;
    if (row.customer_id === null && customerInput) patch.customer_id = (await upsertCustomerIn(ctx, trx, customerInput, actor)).customer.id;
    else if (input.customer && row.customer_id !== null) await upsertCustomerIn(ctx, trx, input.customer, actor);
    if (Object.keys(patch).length > 0) {
      row = await trx
        .updateTable('commerce_orders')
        .set({ ...patch, updated_at: new Date() })
        .where('id', '=', row.id)
        .returningAll()
        .executeTakeFirstOrThrow();
    }
  }

  if (!row) throw new Error(`order ${input.source}/${input.externalId} is neither inserted nor found`);
  const orderId = row.id;
  // Replays reach here too and must stay cheap: nothing below runs unless a state is new.
  const needsPaid = input.paidAt && row.paid_at === null;
  const needsFulfilled = input.fulfilledAt && row.fulfilled_at === null;
  const needsCancelled = input.cancelledAt && row.cancelled_at === null;
  if ((needsPaid || needsFulfilled || needsCancelled) && userId === undefined) userId = await userOf(trx, row.customer_id);
  const apply = async (name: string, change: Promise<OrderRow | null>) => {
    const changed = await change;
    if (!changed) return;
    row = changed;
    transitions.push(name);
  };
  if (needsPaid && input.paidAt) await apply('paid', markPaidIn(ctx, trx, orderId, input.paidAt, actor, userId));
  if (needsFulfilled && input.fulfilledAt) await apply('fulfilled', markFulfilledIn(ctx, trx, orderId, input.fulfilledAt, actor, userId));
  if (needsCancelled && input.cancelledAt) await apply('cancelled', markCancelledIn(ctx, trx, orderId, input.cancelledAt, input.cancelReason ?? null, actor, userId));
  return { order: repo.toOrderSummary(row), created, transitions };
}

/**
 * `upsertOrderIn` for many orders not known yet, set-based: the same rows and events as recording each in
 * turn, in a handful of statements for all of them (customers known and unchanged are read together; others
 * go through `upsertCustomerIn`). An order that exists by the time it is inserted (another delivery got
 * there first) is left out; the external ids of the ones created are returned, and the caller applies
 * the others one by one.
 */
export async function insertNewOrdersIn(ctx: AppContext, trx: Trx, inputs: OrderInput[], actor: number | null = null): Promise<Set<string>> {
  if (inputs.length === 0) return new Set();
  for (const input of inputs) validateOrderInput(input);
  const customerInputs = inputs.map((input): CustomerInput | null => input.customer ?? (input.email ? { source: input.source, email: input.email } : null));
  const known = await unchangedCustomers(trx, customerInputs.filter((c): c is CustomerInput => c !== null));
  const customers: Array<{ id: number; userId: number | null; email: string | null } | null> = inputs.map(() => null);
  // New and changed customers are written in the order of their keys, so two batches sharing some cannot deadlock.
  const inOrder = customerInputs
    .flatMap((c, i) => (c ? [{ c, i, key: customerKey(c), order: `${customerKey(c)}\u0000${c.email?.trim().toLowerCase() ?? ''}` }] : []))
    .sort((a, b) => byKey(a.order, b.order));
  for (const { c, i, key } of inOrder) customers[i] = known.get(key) ?? (await upsertCustomerIn(ctx, trx, c, actor)).customer;

  const now = new Date();
  // Inserted in the order of their ids, so two batches with orders in common cannot deadlock on them.
  const keyOf = (input: OrderInput) => `${input.source}\u0000${input.externalId}`;
  const order = inputs.map((_, i) => i).sort((a, b) => byKey(keyOf(inputs[a] as OrderInput), keyOf(inputs[b] as OrderInput)));
  const rows = await trx
    .insertInto('commerce_orders')
    .values(
      order.map((i) => {
        const input = inputs[i] as OrderInput;
        const row = newOrderRow(input, customers[i] ?? null);
        // Inserted in the states the one-at-a-time path reaches by marking it paid, fulfilled or cancelled.
        return {
          ...row,
          financial_status: input.paidAt && UNPAID_STATES.includes(row.financial_status) ? 'paid' : row.financial_status,
          fulfillment_status: input.fulfilledAt ? 'fulfilled' : row.fulfillment_status,
          paid_at: input.paidAt ?? null,
          fulfilled_at: input.fulfilledAt ?? null,
          cancelled_at: input.cancelledAt ?? null,
          cancel_reason: input.cancelledAt ? (input.cancelReason ?? null) : null,
          updated_at: now,
        };
      }),
    )
    .onConflict((oc) => oc.columns(['source', 'external_id']).doNothing())
    .returningAll()
    .execute();
  const rowOf = new Map(rows.map((r) => [`${r.source}\u0000${r.external_id}`, r]));
  // The same order twice in `inputs`: the first is created, the second is left to the caller.
  const made = inputs.flatMap((input, i) => {
    const row = rowOf.get(keyOf(input));
    rowOf.delete(keyOf(input));
    return row ? [{ input, row, userId: customers[i]?.userId ?? null }] : [];
  });

  await insertOrderLines(trx, made.flatMap(({ input, row }) => input.lines.map((line, position) => ({ orderId: row.id, line, position }))));

  // The events recording each in turn publishes, in the same order.
  const events: EventToPublish[] = [];
  for (const { row, userId } of made) {
    const base = { orderId: row.id, customerId: row.customer_id, userId };
    events.push({ name: 'order.created', payload: await orderEventPayload(trx, row, userId), actorId: actor });
    if (row.paid_at) events.push({ name: 'order.paid', payload: { ...(await orderEventPayload(trx, row, userId)), paidAt: row.paid_at.toISOString() }, actorId: actor });
    if (row.fulfilled_at) events.push({ name: 'order.fulfilled', payload: { ...base, fulfilledAt: row.fulfilled_at.toISOString() }, actorId: actor });
    if (row.cancelled_at) events.push({ name: 'order.cancelled', payload: { ...base, cancelledAt: row.cancelled_at.toISOString() }, actorId: actor });
  }
  await publishEvents(trx, ctx.jobs, events);
  return new Set(made.map(({ input }) => input.externalId));
}

// ------------------------------------------------------------------------------------------ refunds

/**
 * Records a refund against an order, partial or full. A refund with an id at its source is
 * recorded once. The order is locked while the refunded total is checked and raised, so two
 * concurrent refunds can never together refund more than the order's total.
 */
export async function createRefundIn(ctx: AppContext, trx: Trx, input: RefundInput, actor: number | null = null): Promise<{ refund: Refund; created: boolean }> {
  const order = await repo.findOrderRow(trx, { id: input.orderId }, true);
  if (!order) throw notFound(`There is no order ${input.orderId}.`);
  if (input.externalId) {
    const existing = await trx.selectFrom('commerce_refunds').select('id').where('source', '=', input.source).where('external_id', '=', input.externalId).executeTakeFirst();
    if (existing) return { refund: await refundById(trx, existing.id), created: false };
  }
  const fields: FieldErrors = {};
  checkAmount(fields, 'amountMinor', input.amountMinor);
  if (Object.keys(fields).length > 0) throw validationFailed(fields);
  const refundable = order.total_minor - order.refunded_minor;
  if (input.amountMinor > refundable) {
    throw conflict(`The refund of ${input.amountMinor} is more than the ${refundable} (minor units of ${order.currency}) still refundable on this order.`, 'refund_exceeds_order');
  }

  const lines = await trx.selectFrom('commerce_order_lines').select(['id', 'external_id', 'quantity']).where('order_id', '=', order.id).execute();
  const refundedQty = await trx
    .selectFrom('commerce_refund_lines as rl')
    .innerJoin('commerce_refunds as r', 'r.id', 'rl.refund_id')
    .select(['rl.order_line_id', (eb) => eb.fn.sum<number>('rl.quantity').as('qty')])
    .where('r.order_id', '=', order.id)
    .groupBy('rl.order_line_id')
    .execute();
  const resolved: Array<{ orderLineId: number | null; quantity: number; amountMinor: number }> = [];
  input.lines.forEach((l, i) => {
    const line = l.orderLineId !== undefined ? lines.find((x) => x.id === l.orderLineId) : lines.find((x) => x.external_id === l.lineExternalId);
    if (!line) {
      fields[`lines.${i}`] = 'This line is not part of the order.';
      return;
    }
    const already = Number(refundedQty.find((q) => q.order_line_id === line.id)?.qty ?? 0);
    if (!Number.isInteger(l.quantity) || l.quantity < 0 || l.quantity + already > line.quantity) {
      fields[`lines.${i}.quantity`] = `At most ${line.quantity - already} more of this line can be refunded.`;
    }
    resolved.push({ orderLineId: line.id, quantity: l.quantity, amountMinor: l.amountMinor ?? 0 });
  });
  if (Object.keys(fields).length > 0) throw validationFailed(fields);

  const refundedAt = input.refundedAt ?? new Date();
  const refund = await trx
    .insertInto('commerce_refunds')
    .values({ order_id: order.id, source: input.source, external_id: input.externalId ?? null, amount_minor: input.amountMinor, currency: order.currency, note: input.note ?? '', refunded_at: refundedAt })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (resolved.length > 0) {
    await trx
      .insertInto('commerce_refund_lines')
      .values(resolved.map((l) => ({ refund_id: refund.id, order_line_id: l.orderLineId, quantity: l.quantity, amount_minor: l.amountMinor })))
      .execute();
  }
  const refundedTotal = order.refunded_minor + input.amountMinor;
  const full = refundedTotal >= order.total_minor;
  await trx
    .updateTable('commerce_orders')
    .set({ refunded_minor: refundedTotal, financial_status: full ? 'refunded' : refundedTotal > 0 ? 'partially_refunded' : order.financial_status, updated_at: new Date() })
    .where('id', '=', order.id)
    .execute();
  await publishEvent(
    trx,
    ctx.jobs,
    'refund.created',
    {
      refundId: refund.id,
      orderId: order.id,
      customerId: order.customer_id,
      userId: await userOf(trx, order.customer_id),
      currency: order.currency,
      amountMinor: input.amountMinor,
      orderTotalMinor: order.total_minor,
      refundedTotalMinor: refundedTotal,
      full,
      createdAt: refundedAt.toISOString(),
    },
    actor,
  );
  return { refund: await refundById(trx, refund.id), created: true };
}

async function refundById(db: Executor, id: number): Promise<Refund> {
  const row = await db.selectFrom('commerce_refunds').select('order_id').where('id', '=', id).executeTakeFirstOrThrow();
  const order = await repo.findOrderRow(db, { id: row.order_id });
  if (!order) throw notFound();
  const full = await repo.loadOrder(db, order);
  const refund = full.refunds.find((r) => r.id === id);
  if (!refund) throw notFound();
  return refund;
}

// ------------------------------------------------------------------------------------------ reading

export async function getOrder(ctx: AppContext, actor: CommerceActor, id: number, db: Executor = ctx.db): Promise<Order> {
  requireCommerce(actor, 'read');
  const row = await repo.findOrderRow(db, { id });
  if (!row) throw notFound(`There is no order ${id}.`);
  return repo.loadOrder(db, row);
}

export interface OrderListQuery {
  cursor?: string;
  limit: number;
  financialStatus?: string;
  fulfillmentStatus?: string;
  customerId?: number;
  source?: string;
  externalId?: string;
  email?: string;
  cancelled?: boolean;
}

export async function listOrders(ctx: AppContext, actor: CommerceActor, query: OrderListQuery): Promise<Page<OrderSummary>> {
  requireCommerce(actor, 'read');
  let q = ctx.db
    .selectFrom('commerce_orders')
    .selectAll()
    .select(repo.timeText('placed_at').as('placed_text'))
    .orderBy('placed_at', 'desc')
    .orderBy('id', 'desc')
    .limit(query.limit + 1);
  const older = repo.olderThan(query.cursor, 'placed_at', 'id');
  if (older) q = q.where(older);
  if (query.financialStatus) q = q.where('financial_status', '=', query.financialStatus);
  if (query.fulfillmentStatus) q = q.where('fulfillment_status', '=', query.fulfillmentStatus);
  if (query.customerId !== undefined) q = q.where('customer_id', '=', query.customerId);
  if (query.source) q = q.where('source', '=', query.source);
  if (query.externalId) q = q.where('external_id', '=', query.externalId);
  const email = query.email?.trim().toLowerCase();
  if (email) q = q.where((eb) => eb(eb.fn('lower', ['email']), '=', email));
  if (query.cancelled !== undefined) q = q.where('cancelled_at', query.cancelled ? 'is not' : 'is', null);
  const page = toPage(await q.execute(), query.limit, (r) => [r.placed_text, r.id]);
  return { items: page.items.map(repo.toOrderSummary), nextCursor: page.nextCursor };
}

// ------------------------------------------------------------------------------------------ API actions

export async function createOrder(ctx: AppContext, actor: CommerceActor, trx: Trx, input: OrderInput, by: number | null) {
  requireCommerce(actor, 'write');
  return upsertOrderIn(ctx, trx, input, by);
}

export type OrderTransition = 'paid' | 'fulfilled' | 'cancelled';

export async function transitionOrder(
  ctx: AppContext,
  actor: CommerceActor,
  trx: Trx,
  orderId: number,
  transition: OrderTransition,
  at: Date,
  by: number | null,
  reason: string | null = null,
): Promise<boolean> {
  requireCommerce(actor, 'write');
  const order = await repo.findOrderRow(trx, { id: orderId }, true);
  if (!order) throw notFound(`There is no order ${orderId}.`);
  const changed =
    transition === 'paid' ? await markPaidIn(ctx, trx, orderId, at, by) : transition === 'fulfilled' ? await markFulfilledIn(ctx, trx, orderId, at, by) : await markCancelledIn(ctx, trx, orderId, at, reason, by);
  return changed !== null;
}

export async function createRefund(ctx: AppContext, actor: CommerceActor, trx: Trx, input: RefundInput, by: number | null) {
  requireCommerce(actor, 'write');
  return createRefundIn(ctx, trx, input, by);
}
