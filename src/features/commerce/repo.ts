import { sql, type Expression, type Selectable, type SqlBool } from 'kysely';
import type { Executor } from '../../platform/jobs/registry.ts';
import { badRequest } from '../../platform/http/errors.ts';
import { decodeCursor } from '../../platform/http/pagination.ts';
import type {
  CommerceCustomersTable,
  CommerceOrderLinesTable,
  CommerceOrdersTable,
  CommerceProductImagesTable,
  CommerceProductsTable,
  CommerceProductVariantsTable,
  CommerceRefundsTable,
  CommerceWebhookDeliveriesTable,
} from './tables.ts';

// ------------------------------------------------------------------------------------------ shapes

export interface Customer {
  id: number;
  source: string;
  externalId: string | null;
  email: string | null;
  emailNormalized: string | null;
  firstName: string;
  lastName: string;
  acceptsMarketing: boolean;
  addressLine: string;
  postcode: string;
  country: string;
  userId: number | null;
  linkedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface Variant {
  id: number;
  externalId: string | null;
  sku: string | null;
  title: string;
  priceMinor: number;
  currency: string;
  position: number;
}

export interface ProductImage {
  url: string;
  alt: string;
  position: number;
}

export interface Product {
  id: number;
  source: string;
  externalId: string | null;
  title: string;
  handle: string;
  url: string | null;
  vendor: string;
  productType: string;
  status: string;
  createdAt: Date;
  updatedAt: Date;
  variants: Variant[];
  images: ProductImage[];
}

export interface OrderSummary {
  id: number;
  source: string;
  externalId: string;
  name: string;
  customerId: number | null;
  email: string | null;
  currency: string;
  subtotalMinor: number;
  shippingMinor: number;
  taxMinor: number;
  discountMinor: number;
  totalMinor: number;
  refundedMinor: number;
  financialStatus: string;
  fulfillmentStatus: string;
  placedAt: Date;
  paidAt: Date | null;
  fulfilledAt: Date | null;
  cancelledAt: Date | null;
  cancelReason: string | null;
  createdAt: Date;
}

export interface OrderLine {
  id: number;
  externalId: string | null;
  productId: number | null;
  variantId: number | null;
  sku: string | null;
  title: string;
  quantity: number;
  unitPriceMinor: number;
  discountMinor: number;
}

export interface Refund {
  id: number;
  orderId: number;
  source: string;
  externalId: string | null;
  amountMinor: number;
  currency: string;
  note: string;
  refundedAt: Date;
  createdAt: Date;
  lines: Array<{ orderLineId: number | null; quantity: number; amountMinor: number }>;
}

export interface Order extends OrderSummary {
  lines: OrderLine[];
  refunds: Refund[];
  customer: Customer | null;
}

export interface WebhookDelivery {
  id: number;
  provider: string;
  webhookId: string;
  topic: string;
  shopDomain: string | null;
  outcome: string;
  detail: string;
  receivedAt: Date;
  /** Times the inbox has tried to apply it, and when it tries again while queued after a failure. */
  attempts: number;
  nextAttemptAt: Date | null;
}

// ------------------------------------------------------------------------------------------ mappers

export function toCustomer(r: Selectable<CommerceCustomersTable>): Customer {
  return {
    id: r.id,
    source: r.source,
    externalId: r.external_id,
    email: r.email,
    emailNormalized: r.email_normalized,
    firstName: r.first_name,
    lastName: r.last_name,
    acceptsMarketing: r.accepts_marketing,
    addressLine: r.address_line,
    postcode: r.postcode,
    country: r.country,
    userId: r.user_id,
    linkedAt: r.linked_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function toOrderSummary(r: Selectable<CommerceOrdersTable>): OrderSummary {
  return {
    id: r.id,
    source: r.source,
    externalId: r.external_id,
    name: r.name,
    customerId: r.customer_id,
    email: r.email,
    currency: r.currency,
    subtotalMinor: r.subtotal_minor,
    shippingMinor: r.shipping_minor,
    taxMinor: r.tax_minor,
    discountMinor: r.discount_minor,
    totalMinor: r.total_minor,
    refundedMinor: r.refunded_minor,
    financialStatus: r.financial_status,
    fulfillmentStatus: r.fulfillment_status,
    placedAt: r.placed_at,
    paidAt: r.paid_at,
    fulfilledAt: r.fulfilled_at,
    cancelledAt: r.cancelled_at,
    cancelReason: r.cancel_reason,
    createdAt: r.created_at,
  };
}

function toVariant(r: Selectable<CommerceProductVariantsTable>): Variant {
  return { id: r.id, externalId: r.external_id, sku: r.sku, title: r.title, priceMinor: r.price_minor, currency: r.currency, position: r.position };
}

function toImage(r: Selectable<CommerceProductImagesTable>): ProductImage {
  return { url: r.url, alt: r.alt, position: r.position };
}

function toProduct(r: Selectable<CommerceProductsTable>, variants: Variant[], images: ProductImage[]): Product {
  return {
    id: r.id,
    source: r.source,
    externalId: r.external_id,
    title: r.title,
    handle: r.handle,
    url: r.url,
    vendor: r.vendor,
    productType: r.product_type,
    status: r.status,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    variants,
    images,
  };
}

function toLine(r: Selectable<CommerceOrderLinesTable>): OrderLine {
  return {
    id: r.id,
    externalId: r.external_id,
    productId: r.product_id,
    variantId: r.variant_id,
    sku: r.sku,
    title: r.title,
    quantity: r.quantity,
    unitPriceMinor: r.unit_price_minor,
    discountMinor: r.discount_minor,
  };
}

function toRefund(r: Selectable<CommerceRefundsTable>, lines: Refund['lines']): Refund {
  return {
    id: r.id,
    orderId: r.order_id,
    source: r.source,
    externalId: r.external_id,
    amountMinor: r.amount_minor,
    currency: r.currency,
    note: r.note,
    refundedAt: r.refunded_at,
    createdAt: r.created_at,
    lines,
  };
}

export function toDelivery(r: Selectable<CommerceWebhookDeliveriesTable>): WebhookDelivery {
  return { id: r.id, provider: r.provider, webhookId: r.webhook_id, topic: r.topic, shopDomain: r.shop_domain, outcome: r.outcome, detail: r.detail, receivedAt: r.received_at, attempts: r.attempts, nextAttemptAt: r.next_attempt_at };
}

// ------------------------------------------------------------------------------------------ cursors

/**
 * Keyset condition for lists ordered newest first by (a timestamp, id). The cursor keeps the
 * timestamp as PostgreSQL's own text, with microseconds, which a JavaScript Date would lose.
 */
export function olderThan(cursor: string | undefined, timeColumn: string, idColumn: string): Expression<SqlBool> | undefined {
  const after = decodeCursor(cursor, 2);
  if (!after) return undefined;
  const [time, id] = after;
  if (typeof time !== 'string' || typeof id !== 'number' || !Number.isInteger(id) || !/^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d{1,6})?([+-]\d\d(:?\d\d)?|Z)?$/.test(time)) {
    throw badRequest('The cursor is not valid; use the nextCursor of a previous page.', 'invalid_cursor');
  }
  return sql<SqlBool>`(${sql.ref(timeColumn)}, ${sql.ref(idColumn)}) < (${time}::timestamptz, ${id})`;
}

export const timeText = (column: string) => sql<string>`${sql.ref(column)}::text`;

// ------------------------------------------------------------------------------------------ customers

export async function findCustomerById(db: Executor, id: number): Promise<Customer | null> {
  const r = await db.selectFrom('commerce_customers').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toCustomer(r) : null;
}

export async function findCustomerByExternalId(db: Executor, source: string, externalId: string): Promise<Customer | null> {
  const r = await db.selectFrom('commerce_customers').selectAll().where('source', '=', source).where('external_id', '=', externalId).forUpdate().executeTakeFirst();
  return r ? toCustomer(r) : null;
}

/** The customer an email address belongs to when no external id is known: the earliest with it. */
export async function findCustomerByEmail(db: Executor, email: string, opts: { withoutExternalId?: boolean } = {}): Promise<Customer | null> {
  let q = db.selectFrom('commerce_customers').selectAll();
  if (opts.withoutExternalId) q = q.where('external_id', 'is', null);
  const r = await q
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
    .orderBy('id')
    .limit(1)
    .forUpdate()
    .executeTakeFirst();
  return r ? toCustomer(r) : null;
}

/**
 * The member whose confirmed address this is. Accounts offers no lookup by email, so this one
 * read of `users` (by its unique lower(email) index) stands in for it.
 */
export async function findVerifiedUserIdByEmail(db: Executor, email: string): Promise<number | null> {
  const r = await db
    .selectFrom('users')
    .select('id')
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
    .where('email_verified_at', 'is not', null)
    .executeTakeFirst();
  return r?.id ?? null;
}

// ------------------------------------------------------------------------------------------ products

export async function loadProducts(db: Executor, rows: Array<Selectable<CommerceProductsTable>>): Promise<Product[]> {
  const ids = rows.map((r) => r.id);
  if (ids.length === 0) return [];
  const [variants, images] = await Promise.all([
    db.selectFrom('commerce_product_variants').selectAll().where('product_id', 'in', ids).orderBy('product_id').orderBy('position').orderBy('id').execute(),
    db.selectFrom('commerce_product_images').selectAll().where('product_id', 'in', ids).orderBy('product_id').orderBy('position').orderBy('id').execute(),
  ]);
  return rows.map((r) =>
    toProduct(
      r,
      variants.filter((v) => v.product_id === r.id).map(toVariant),
      images.filter((i) => i.product_id === r.id).map(toImage),
    ),
  );
}

export async function findProductById(db: Executor, id: number): Promise<Product | null> {
  const r = await db.selectFrom('commerce_products').selectAll().where('id', '=', id).executeTakeFirst();
  if (!r) return null;
  const [product] = await loadProducts(db, [r]);
  return product ?? null;
}

/**
 * Variants for many order lines in one query: by the store's variant id, else by SKU (the newest
 * variant carrying it). Returns one entry per ref, null where nothing matches.
 */
export async function findVariants(db: Executor, refs: Array<{ externalId?: string | null; sku?: string | null }>): Promise<Array<{ id: number; productId: number } | null>> {
  const externalIds = [...new Set(refs.flatMap((r) => (r.externalId ? [r.externalId] : [])))];
  const skus = [...new Set(refs.flatMap((r) => (r.sku ? [r.sku] : [])))];
  if (externalIds.length === 0 && skus.length === 0) return refs.map(() => null);
  const rows = await db
    .selectFrom('commerce_product_variants')
    .select(['id', 'product_id', 'external_id', 'sku'])
    .where((eb) => eb.or([...(externalIds.length ? [eb('external_id', 'in', externalIds)] : []), ...(skus.length ? [eb('sku', 'in', skus)] : [])]))
    .orderBy('id', 'desc')
    .limit(1000)
    .execute();
  return refs.map((r) => {
    const hit = (r.externalId ? rows.find((v) => v.external_id === r.externalId) : undefined) ?? (r.sku ? rows.find((v) => v.sku === r.sku) : undefined);
    return hit ? { id: hit.id, productId: hit.product_id } : null;
  });
}

// ------------------------------------------------------------------------------------------ orders

export async function findOrderRow(db: Executor, where: { id: number } | { source: string; externalId: string }, lock = false) {
  let q = db.selectFrom('commerce_orders').selectAll();
  q = 'id' in where ? q.where('id', '=', where.id) : q.where('source', '=', where.source).where('external_id', '=', where.externalId);
  if (lock) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function loadOrder(db: Executor, row: Selectable<CommerceOrdersTable>): Promise<Order> {
  const [lines, refunds, customer] = await Promise.all([
    db.selectFrom('commerce_order_lines').selectAll().where('order_id', '=', row.id).orderBy('position').orderBy('id').execute(),
    db.selectFrom('commerce_refunds').selectAll().where('order_id', '=', row.id).orderBy('refunded_at').orderBy('id').execute(),
    row.customer_id === null ? Promise.resolve(null) : findCustomerById(db, row.customer_id),
  ]);
  const refundLines =
    refunds.length === 0
      ? []
      : await db
          .selectFrom('commerce_refund_lines')
          .selectAll()
          .where(
            'refund_id',
            'in',
            refunds.map((r) => r.id),
          )
          .orderBy('id')
          .execute();
  return {
    ...toOrderSummary(row),
    lines: lines.map(toLine),
    refunds: refunds.map((r) =>
      toRefund(
        r,
        refundLines.filter((l) => l.refund_id === r.id).map((l) => ({ orderLineId: l.order_line_id, quantity: l.quantity, amountMinor: l.amount_minor })),
      ),
    ),
    customer,
  };
}
