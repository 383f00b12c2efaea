import type { AppContext } from '../../platform/context.ts';
import { toPage, type Page } from '../../platform/http/pagination.ts';
import { actorId, requireCommerce, type CommerceActor } from './access.ts';
import { upsertCustomerIn, type CustomerInput, type Trx } from './customers.ts';
import { upsertProductIn, type ProductInput } from './products.ts';
import * as repo from './repo.ts';
import type { WebhookDelivery } from './repo.ts';

/**
 * Store data: customers, products, orders and refunds. The rules live in one file per record
 * (customers.ts, products.ts, orders.ts), the three ways in beside them (shopify.ts for webhooks,
 * routes.tsx for the REST API with idempotency.ts, csv-import.ts); this file gathers them.
 */
export { getCustomer, linkCustomersToMember, listCustomers, normalizeEmail } from './customers.ts';
export { getProduct, listProducts } from './products.ts';
export { createOrder, createRefund, getOrder, listOrders, transitionOrder } from './orders.ts';
export { receiveShopifyWebhook } from './shopify.ts';
export { importCsv } from './csv-import.ts';
export { requireCommerce };
export { upsertCustomerIn, upsertProductIn };

export async function listWebhookDeliveries(ctx: AppContext, actor: CommerceActor, query: { cursor?: string; limit: number }): Promise<Page<WebhookDelivery>> {
  requireCommerce(actor, 'read');
  let q = ctx.db
    .selectFrom('commerce_webhook_deliveries')
    .selectAll()
    .select(repo.timeText('received_at').as('received_text'))
    .orderBy('received_at', 'desc')
    .orderBy('id', 'desc')
    .limit(query.limit + 1);
  const older = repo.olderThan(query.cursor, 'received_at', 'id');
  if (older) q = q.where(older);
  const page = toPage(await q.execute(), query.limit, (r) => [r.received_text, r.id]);
  return { items: page.items.map(repo.toDelivery), nextCursor: page.nextCursor };
}

/** A customer's orders for their admin page: the newest first. */
export async function listCustomerOrders(ctx: AppContext, actor: CommerceActor, customerId: number, limit = 50): Promise<repo.OrderSummary[]> {
  requireCommerce(actor, 'read');
  const rows = await ctx.db.selectFrom('commerce_orders').selectAll().where('customer_id', '=', customerId).orderBy('placed_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  return rows.map(repo.toOrderSummary);
}

/** The API's create-or-update of a customer (by externalId, else email). */
export async function saveCustomer(ctx: AppContext, actor: CommerceActor, trx: Trx, input: CustomerInput) {
  requireCommerce(actor, 'write');
  return upsertCustomerIn(ctx, trx, input, actorId(actor));
}

/** The API's create-or-update of a product (by externalId). */
export async function saveProduct(ctx: AppContext, actor: CommerceActor, trx: Trx, input: ProductInput) {
  requireCommerce(actor, 'write');
  return upsertProductIn(ctx, trx, input, actorId(actor));
}

/** How long a stored Idempotency-Key response is replayed: a day, as payment APIs commonly do. */
export const IDEMPOTENCY_KEY_HOURS = 24;
/** Shopify retries a delivery for 48 hours; ids are kept well beyond that to recognise them. */
export const WEBHOOK_DELIVERY_DAYS = 30;

/** Daily: forgets old Idempotency-Keys and webhook deliveries, so both tables stay small. */
export async function pruneCommerceRecords(ctx: AppContext, now = new Date()): Promise<{ keys: number; deliveries: number }> {
  const keys = await ctx.db
    .deleteFrom('commerce_idempotency_keys')
    .where('created_at', '<', new Date(now.getTime() - IDEMPOTENCY_KEY_HOURS * 3600_000))
    .executeTakeFirst();
  const deliveries = await ctx.db
    .deleteFrom('commerce_webhook_deliveries')
    .where('received_at', '<', new Date(now.getTime() - WEBHOOK_DELIVERY_DAYS * 86400_000))
    .where('outcome', 'not in', ['queued', 'processing'])
    .executeTakeFirst();
  return { keys: Number(keys.numDeletedRows), deliveries: Number(deliveries.numDeletedRows) };
}
