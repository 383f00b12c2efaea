import { createHmac, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import { AppError, badRequest, fromZodError, serviceUnavailable, unauthorized } from '../../platform/http/errors.ts';
import { customerKey, type CustomerInput, upsertCustomerIn, type Trx } from './customers.ts';
import { MoneyError, toMinorUnits } from './money.ts';
import { createRefundIn, insertNewOrdersIn, upsertOrderIn, validateOrderInput, type OrderInput, type RefundInput } from './orders.ts';
import { upsertProductIn, type ProductInput } from './products.ts';
import { enqueueJob } from '../../platform/jobs/registry.ts';
import { backoffMs } from '../../platform/jobs/worker.ts';
import * as repo from './repo.ts';
import { claimQueuedDeliveries, PROCESS_WEBHOOKS_JOB, writeDelivery, type ClaimedDelivery } from './webhook-inbox.ts';

export const SHOPIFY = 'shopify';

export const shopifyTopics = [
  'orders/create',
  'orders/updated',
  'orders/paid',
  'orders/fulfilled',
  'orders/cancelled',
  'refunds/create',
  'customers/create',
  'customers/update',
  'products/create',
  'products/update',
] as const;

/**
 * Shopify signs the raw body: base64 of its HMAC-SHA256 with the app's secret. Compared in constant
 * time over the decoded bytes, so neither the length nor the content leaks through timing.
 */
export function verifyShopifyHmac(secret: string, rawBody: Uint8Array, header: string | undefined): boolean {
  if (!header) return false;
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  const sent = Buffer.from(header.trim(), 'base64');
  if (sent.length !== expected.length) return false;
  return timingSafeEqual(sent, expected);
}

export function signShopifyBody(secret: string, rawBody: string | Uint8Array): string {
  return createHmac('sha256', secret).update(rawBody).digest('base64');
}

/**
 * Shopify ids are 64-bit integers sent as JSON numbers; past 2^53 JSON.parse would round them, and
 * two orders could share an id. Integers of 16 digits or more outside strings are quoted before
 * parsing, so every id arrives exactly, as text.
 */
export function quoteLargeIntegers(json: string): string {
  let out = '';
  let i = 0;
  let inString = false;
  while (i < json.length) {
    const ch = json[i] ?? '';
    if (inString) {
      out += ch;
      if (ch === '\\') {
        out += json[i + 1] ?? '';
        i += 2;
        continue;
      }
      if (ch === '"') inString = false;
      i++;
      continue;
    }
    if (ch === '"') {
      inString = true;
      out += ch;
      i++;
      continue;
    }
    if (ch >= '0' && ch <= '9') {
      let j = i;
      while (j < json.length && /[0-9]/.test(json[j] ?? '')) j++;
      const next = json[j] ?? '';
      const digits = json.slice(i, j);
      const prev = out.at(-1) ?? '';
      out += digits.length >= 16 && next !== '.' && next !== 'e' && next !== 'E' && prev !== '-' ? `"${digits}"` : digits;
      i = j;
      continue;
    }
    out += ch;
    i++;
  }
  return out;
}

// ------------------------------------------------------------------------------------------ payloads

const id = z.union([z.number(), z.string()]).transform((v) => String(v));
const money = z.union([z.string(), z.number()]);
const optionalText = z
  .string()
  .nullish()
  .transform((v) => v ?? undefined);
const time = z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'not a date');

const moneySet = z.object({ shop_money: z.object({ amount: money, currency_code: z.string().optional() }) }).passthrough();

const address = z
  .object({ address1: optionalText, address2: optionalText, zip: optionalText, country_code: optionalText, country: optionalText })
  .passthrough()
  .nullish();

const customerPayload = z
  .object({
    id,
    email: z.string().nullish(),
    first_name: z.string().nullish(),
    last_name: z.string().nullish(),
    accepts_marketing: z.boolean().nullish(),
    email_marketing_consent: z.object({ state: z.string().nullish() }).passthrough().nullish(),
    default_address: address,
  })
  .passthrough();

const lineItem = z
  .object({
    id,
    variant_id: id.nullish(),
    product_id: id.nullish(),
    sku: z.string().nullish(),
    title: z.string().nullish(),
    name: z.string().nullish(),
    quantity: z.number().int(),
    price: money,
    total_discount: money.nullish(),
  })
  .passthrough();

const orderPayload = z
  .object({
    id,
    name: z.string().nullish(),
    email: z.string().nullish(),
    contact_email: z.string().nullish(),
    currency: z.string(),
    created_at: time,
    processed_at: time.nullish(),
    updated_at: time.nullish(),
    cancelled_at: time.nullish(),
    cancel_reason: z.string().nullish(),
    financial_status: z.string().nullish(),
    fulfillment_status: z.string().nullish(),
    subtotal_price: money,
    total_price: money,
    total_tax: money.nullish(),
    total_discounts: money.nullish(),
    total_shipping_price_set: moneySet.nullish(),
    shipping_lines: z.array(z.object({ price: money }).passthrough()).nullish(),
    line_items: z.array(lineItem),
    customer: customerPayload.nullish(),
    billing_address: address,
    shipping_address: address,
    fulfillments: z.array(z.object({ created_at: time.nullish(), status: z.string().nullish() }).passthrough()).nullish(),
  })
  .passthrough();

const refundPayload = z
  .object({
    id,
    order_id: id,
    created_at: time,
    processed_at: time.nullish(),
    note: z.string().nullish(),
    refund_line_items: z
      .array(z.object({ id: id.nullish(), line_item_id: id, quantity: z.number().int(), subtotal: money.nullish(), total_tax: money.nullish() }).passthrough())
      .default([]),
    transactions: z.array(z.object({ kind: z.string(), status: z.string().nullish(), amount: money, currency: z.string().nullish() }).passthrough()).default([]),
  })
  .passthrough();

const productPayload = z
  .object({
    id,
    title: z.string(),
    handle: z.string().nullish(),
    vendor: z.string().nullish(),
    product_type: z.string().nullish(),
    status: z.string().nullish(),
    variants: z.array(z.object({ id, sku: z.string().nullish(), title: z.string().nullish(), price: money }).passthrough()).default([]),
    images: z.array(z.object({ src: z.string(), alt: z.string().nullish() }).passthrough()).default([]),
  })
  .passthrough();

function parse<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const result = schema.safeParse(body);
  if (!result.success) throw fromZodError(result.error);
  return result.data;
}

function minor(value: string | number | null | undefined, currency: string, field: string): number {
  if (value === null || value === undefined) return 0;
  try {
    const n = toMinorUnits(value, currency);
    if (n < 0) throw new MoneyError(`${String(value)} is negative`);
    return n;
  } catch (err) {
    if (err instanceof MoneyError) throw new AppError('validation_failed', 400, `${field}: ${err.message}`, { [field]: err.message });
    throw err;
  }
}

function toCustomerInput(c: z.output<typeof customerPayload>): CustomerInput {
  const marketing = c.email_marketing_consent?.state ? c.email_marketing_consent.state === 'subscribed' : (c.accepts_marketing ?? undefined);
  const a = c.default_address;
  return {
    source: SHOPIFY,
    externalId: c.id,
    email: c.email ?? null,
    firstName: c.first_name ?? '',
    lastName: c.last_name ?? '',
    acceptsMarketing: marketing ?? false,
    addressLine: a ? [a.address1, a.address2].filter(Boolean).join(', ') : undefined,
    postcode: a?.zip,
    country: a?.country_code ?? a?.country,
  };
}

const PAID_STATES = new Set(['paid', 'partially_refunded', 'refunded']);

export function toOrderInput(topic: string, o: z.output<typeof orderPayload>): OrderInput {
  const currency = o.currency.toUpperCase();
  const shipping = o.total_shipping_price_set
    ? minor(o.total_shipping_price_set.shop_money.amount, currency, 'total_shipping_price_set')
    : (o.shipping_lines ?? []).reduce((sum, l) => sum + minor(l.price, currency, 'shipping_lines.price'), 0);
  const updatedAt = new Date(o.updated_at ?? o.created_at);
  const placedAt = new Date(o.processed_at ?? o.created_at);
  const paid = topic === 'orders/paid' || PAID_STATES.has(o.financial_status ?? '');
  const fulfilled = topic === 'orders/fulfilled' || o.fulfillment_status === 'fulfilled';
  const fulfilmentTimes = (o.fulfillments ?? []).flatMap((f) => (f.created_at ? [Date.parse(f.created_at)] : []));
  const customer = o.customer ? toCustomerInput(o.customer) : null;
  const email = o.email || o.contact_email || customer?.email || null;
  if (customer && !customer.email && email) customer.email = email;
  const address = o.billing_address ?? o.shipping_address;
  if (customer && address && !customer.addressLine) {
    customer.addressLine = [address.address1, address.address2].filter(Boolean).join(', ');
    customer.postcode = address.zip;
    customer.country = address.country_code ?? address.country;
  }
  return {
    source: SHOPIFY,
    externalId: o.id,
    name: o.name ?? '',
    customer,
    email,
    currency,
    subtotalMinor: minor(o.subtotal_price, currency, 'subtotal_price'),
    shippingMinor: shipping,
    taxMinor: minor(o.total_tax, currency, 'total_tax'),
    discountMinor: minor(o.total_discounts, currency, 'total_discounts'),
    totalMinor: minor(o.total_price, currency, 'total_price'),
    placedAt,
    financialStatus: o.financial_status ?? undefined,
    fulfillmentStatus: o.fulfillment_status ?? undefined,
    lines: o.line_items.map((l) => ({
      externalId: l.id,
      sku: l.sku || null,
      title: l.title ?? l.name ?? '',
      quantity: l.quantity,
      unitPriceMinor: minor(l.price, currency, 'line_items.price'),
      discountMinor: minor(l.total_discount, currency, 'line_items.total_discount'),
      variantExternalId: l.variant_id ?? null,
    })),
    // A payment's own time is not in the order payload: the update that reported it stands in.
    paidAt: paid ? (topic === 'orders/paid' ? updatedAt : placedAt) : null,
    fulfilledAt: fulfilled ? (fulfilmentTimes.length > 0 ? new Date(Math.max(...fulfilmentTimes)) : updatedAt) : null,
    cancelledAt: o.cancelled_at ? new Date(o.cancelled_at) : null,
    cancelReason: o.cancel_reason ?? null,
  };
}

function toProductInput(p: z.output<typeof productPayload>, currency: string, shopDomain: string | null): ProductInput {
  return {
    source: SHOPIFY,
    externalId: p.id,
    title: p.title,
    handle: p.handle ?? '',
    url: shopDomain && p.handle ? `https://${shopDomain}/products/${p.handle}` : null,
    vendor: p.vendor ?? '',
    productType: p.product_type ?? '',
    status: p.status ?? 'active',
    variants: p.variants.map((v) => ({ externalId: v.id, sku: v.sku || null, title: v.title ?? '', priceMinor: minor(v.price, currency, 'variants.price'), currency })),
    images: p.images.map((i) => ({ url: i.src, alt: i.alt ?? '' })),
  };
}

async function applyRefund(ctx: AppContext, trx: Trx, r: z.output<typeof refundPayload>): Promise<string> {
  const order = await repo.findOrderRow(trx, { source: SHOPIFY, externalId: r.order_id });
  // The inbox tries again with backoff, by which time orders/create will have arrived.
  if (!order) throw new AppError('order_unknown', 409, `Order ${r.order_id} is not known yet; the refund is tried again until it is.`);
  const amount = r.transactions
    .filter((t) => t.kind === 'refund' && (t.status ?? 'success') === 'success')
    .reduce((sum, t) => sum + minor(t.amount, order.currency, 'transactions.amount'), 0);
  const input: RefundInput = {
    orderId: order.id,
    source: SHOPIFY,
    externalId: r.id,
    amountMinor: amount,
    note: r.note ?? '',
    refundedAt: new Date(r.processed_at ?? r.created_at),
    lines: r.refund_line_items.map((l) => ({
      lineExternalId: l.line_item_id,
      quantity: l.quantity,
      amountMinor: minor(l.subtotal, order.currency, 'refund_line_items.subtotal') + minor(l.total_tax, order.currency, 'refund_line_items.total_tax'),
    })),
  };
  const { created } = await createRefundIn(ctx, trx, input);
  return created ? `refund ${r.id} recorded` : `refund ${r.id} already recorded`;
}

/** A delivery's payload, parsed and converted for its topic: what the check at the door and applying share. */
type Decoded =
  | { kind: 'order'; input: OrderInput }
  | { kind: 'refund'; refund: z.output<typeof refundPayload> }
  | { kind: 'customer'; input: CustomerInput }
  | { kind: 'product'; input: ProductInput };

/** Parses and checks a payload without the database; throws a 400 naming the field when it is bad. */
function decodeTopic(ctx: AppContext, topic: string, body: unknown, shopDomain: string | null): Decoded {
  switch (topic) {
    case 'orders/create':
    case 'orders/updated':
    case 'orders/paid':
    case 'orders/fulfilled':
    case 'orders/cancelled': {
      const input = toOrderInput(topic, parse(orderPayload, body));
      validateOrderInput(input);
      return { kind: 'order', input };
    }
    case 'refunds/create':
      return { kind: 'refund', refund: parse(refundPayload, body) };
    case 'customers/create':
    case 'customers/update':
      return { kind: 'customer', input: toCustomerInput(parse(customerPayload, body)) };
    case 'products/create':
    case 'products/update':
      return { kind: 'product', input: toProductInput(parse(productPayload, body), ctx.config.storeCurrency, shopDomain) };
    default:
      throw new Error(`unhandled topic ${topic}`);
  }
}

/** Applies one webhook's business change inside the caller's transaction; returns a line for the log. */
async function applyTopic(ctx: AppContext, trx: Trx, decoded: Decoded): Promise<string> {
  switch (decoded.kind) {
    case 'order': {
      const { order, created, transitions } = await upsertOrderIn(ctx, trx, decoded.input);
      return `order ${order.externalId}${created ? ' created' : ''}${transitions.length ? `; ${transitions.join(', ')}` : ''}`;
    }
    case 'refund':
      return applyRefund(ctx, trx, decoded.refund);
    case 'customer': {
      const { customer, created } = await upsertCustomerIn(ctx, trx, decoded.input);
      return `customer ${customer.externalId ?? customer.id} ${created ? 'created' : 'updated'}`;
    }
    case 'product': {
      const { product, created, changed } = await upsertProductIn(ctx, trx, decoded.input);
      return `product ${product.externalId ?? product.id} ${created ? 'created' : changed ? 'updated' : 'unchanged'}`;
    }
  }
}

export interface ShopifyDelivery {
  topic: string | undefined;
  webhookId: string | undefined;
  shopDomain: string | undefined;
  hmac: string | undefined;
  rawBody: Uint8Array;
}

export interface DeliveryResult {
  status: 200;
  /** `queued`: stored and applied shortly by the inbox worker (`processQueuedWebhooks`). */
  outcome: 'queued' | 'duplicate' | 'ignored';
  detail: string;
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(quoteLargeIntegers(text));
  } catch {
    throw badRequest('The webhook body is not valid JSON.', 'invalid_json');
  }
}

/**
 * One delivery: verified, checked, and stored in the inbox (deduplicated by its webhook id) before the
 * answer, so a delivery Shopify was told is received is never lost; it is applied by the inbox worker.
 * A delivery that is refused is recorded as failed, and may be delivered again.
 */
export async function receiveShopifyWebhook(ctx: AppContext, d: ShopifyDelivery): Promise<DeliveryResult> {
  const secret = ctx.config.shopifyWebhookSecret;
  if (!secret) throw serviceUnavailable('Shopify webhooks are not set up on this server: set SHOPIFY_WEBHOOK_SECRET to the app’s signing secret.');
  if (!verifyShopifyHmac(secret, d.rawBody, d.hmac)) throw unauthorized('The X-Shopify-Hmac-Sha256 signature does not match the body.');
  if (!d.webhookId) throw badRequest('The X-Shopify-Webhook-Id header is missing.', 'webhook_id_missing');
  if (!d.topic) throw badRequest('The X-Shopify-Topic header is missing.', 'topic_missing');
  const topic = d.topic.slice(0, 100);
  const webhookId = d.webhookId.slice(0, 200);
  const shopDomain = d.shopDomain?.slice(0, 255) ?? null;
  const delivery = { webhookId, topic, shopDomain };

  if (!shopifyTopics.some((known) => known === topic)) {
    const detail = `topic ${topic} is not one Hearth uses`;
    const stored = await writeDelivery(ctx, { ...delivery, outcome: 'ignored', detail, body: null });
    return stored ? { status: 200, outcome: 'ignored', detail } : duplicate(webhookId);
  }
  const text = Buffer.from(d.rawBody).toString('utf8');
  try {
    decodeTopic(ctx, topic, parseBody(text), shopDomain);
  } catch (err) {
    if (err instanceof AppError) await writeDelivery(ctx, { ...delivery, outcome: 'failed', detail: err.message.slice(0, 1000), body: null }).catch((e: unknown) => ctx.log.error({ err: e }, 'could not record a refused webhook delivery'));
    throw err;
  }
  const stored = await writeDelivery(ctx, { ...delivery, outcome: 'queued', detail: '', body: text });
  return stored ? { status: 200, outcome: 'queued', detail: `delivery ${webhookId} queued` } : duplicate(webhookId);
}

function duplicate(webhookId: string): DeliveryResult {
  return { status: 200, outcome: 'duplicate', detail: `delivery ${webhookId} was already received` };
}

/** Applies one stored delivery in its own transaction; returns the line recorded as its detail. */
async function applyDelivery(ctx: AppContext, d: ClaimedDelivery, decoded: Decoded | null): Promise<string> {
  return ctx.db.transaction().execute(async (trx) => {
    // Not decodable: decoded again here, to fail with the error that names the field.
    const detail = (await applyTopic(ctx, trx, decoded ?? decodeTopic(ctx, d.topic, parseBody(d.body ?? ''), d.shop_domain))).slice(0, 1000);
    await trx.updateTable('commerce_webhook_deliveries').set({ outcome: 'processed', detail, body: null, claimed_at: null, next_attempt_at: null }).where('id', '=', d.id).execute();
    return detail;
  });
}

/** Which customer a delivery is about, to keep deliveries about one customer in order. */
function customerOfDelivery(decoded: Decoded): string | null {
  const c = decoded.kind === 'order' ? (decoded.input.customer ?? (decoded.input.email ? { source: decoded.input.source, email: decoded.input.email } : null)) : decoded.kind === 'customer' ? decoded.input : null;
  if (!c) return null;
  return c.externalId ? customerKey(c) : `email:${c.email?.trim().toLowerCase() ?? ''}`;
}

/** A claimed delivery with its payload decoded once for both ways of applying it; null when it does not decode. */
interface DecodedDelivery {
  d: ClaimedDelivery;
  decoded: Decoded | null;
}

function decodeDelivery(ctx: AppContext, d: ClaimedDelivery): DecodedDelivery {
  try {
    return { d, decoded: decodeTopic(ctx, d.topic, parseBody(d.body ?? ''), d.shop_domain) };
  } catch {
    return { d, decoded: null }; // applied one by one, where its error is recorded
  }
}

/**
 * The claimed deliveries that create an order not known yet (the bulk of a store's traffic), applied
 * together in one transaction by `insertNewOrdersIn`; returns the deliveries left to apply one by one.
 * Applied together means applied first, so a delivery joins only if no earlier one left out touches its
 * order or its customer, and none joins after a product change (its lines may name the product). Left
 * out: the other topics, orders already known, later deliveries of an order, and all of them should the
 * batch fail (then each meets its own error, as it would have alone).
 */
async function applyNewOrders(ctx: AppContext, decoded: DecodedDelivery[]): Promise<DecodedDelivery[]> {
  const orderIds = [...new Set(decoded.flatMap(({ decoded: x }) => (x?.kind === 'order' ? [x.input.externalId] : [])))];
  if (orderIds.length < 2) return decoded;
  try {
    const applied = await ctx.db.transaction().execute(async (trx) => {
      const known = await trx.selectFrom('commerce_orders').select('external_id').where('source', '=', SHOPIFY).where('external_id', 'in', orderIds).execute();
      const takenOrders = new Set(known.map((r) => r.external_id));
      const heldCustomers = new Set<string>();
      let afterProduct = false;
      const batch: Array<{ d: ClaimedDelivery; input: OrderInput }> = [];
      for (const { d, decoded: x } of decoded) {
        if (!x) continue;
        const customer = customerOfDelivery(x);
        const order = x.kind === 'order' ? x.input.externalId : x.kind === 'refund' ? x.refund.order_id : null;
        if (x.kind === 'order' && !afterProduct && !takenOrders.has(x.input.externalId) && !(customer && heldCustomers.has(customer))) {
          batch.push({ d, input: x.input });
        } else if (customer) heldCustomers.add(customer);
        if (order) takenOrders.add(order);
        if (x.kind === 'product') afterProduct = true;
      }
      if (batch.length < 2) return new Set<number>();
      const created = await insertNewOrdersIn(ctx, trx, batch.map((c) => c.input));
      const done = batch.filter((c) => created.has(c.input.externalId));
      if (done.length > 0) {
        const details = done.map(({ input }) => {
          const transitions = [input.paidAt && 'paid', input.fulfilledAt && 'fulfilled', input.cancelledAt && 'cancelled'].filter(Boolean);
          return `order ${input.externalId} created${transitions.length ? `; ${transitions.join(', ')}` : ''}`.slice(0, 1000);
        });
        await sql`
          update commerce_webhook_deliveries d set outcome = 'processed', detail = t.detail, body = null, claimed_at = null, next_attempt_at = null
          from unnest(${done.map((c) => c.d.id)}::bigint[], ${details}::text[]) as t(id, detail)
          where d.id = t.id`.execute(trx);
      }
      return new Set(done.map((c) => c.d.id));
    });
    return decoded.filter(({ d }) => !applied.has(d.id));
  } catch (err) {
    ctx.log.warn({ err, deliveries: decoded.length }, 'applying new orders together failed; applying them one by one');
    return decoded;
  }
}

/** Attempts before a delivery that keeps failing is marked failed (about 21 minutes of backoff). */
const MAX_ATTEMPTS = 8;
const RETRY_BASE_MS = 5000;

export interface InboxPass {
  processed: number;
  retrying: number;
  failed: number;
}

/**
 * Applies the inbox's due deliveries, oldest first, each in its own transaction, several side by side
 * on PostgreSQL (deliveries of one order meet on its row, as they would arriving at once). One that
 * cannot be applied yet, such as a refund for an order still on its way, is retried with backoff;
 * after `MAX_ATTEMPTS`, or at once for a payload that can never apply, it is marked failed.
 * Runs passes until nothing is due or `budgetMs` has passed (then it enqueues the job to go on).
 */
export async function processQueuedWebhooks(ctx: AppContext, opts: { now?: Date; limit?: number; budgetMs?: number; lanes?: number } = {}): Promise<InboxPass> {
  const totals: InboxPass = { processed: 0, retrying: 0, failed: 0 };
  // Deliveries applied side by side (one at a time keeps the order they arrived in, as on PGlite).
  const lanes = opts.lanes ?? (ctx.database.kind === 'postgres' ? Math.max(1, ctx.config.jobConcurrency) : 1);
  const started = Date.now();
  for (;;) {
    const claimed = await claimQueuedDeliveries(ctx, opts.limit ?? 100, opts.now ?? new Date());
    if (claimed.length === 0) break;
    const rest = await applyNewOrders(ctx, claimed.map((d) => decodeDelivery(ctx, d)));
    totals.processed += claimed.length - rest.length;
    let next = 0;
    const lane = async () => {
      for (let r = rest[next++]; r; r = rest[next++]) {
        const { d } = r;
        try {
          await applyDelivery(ctx, d, r.decoded);
          totals.processed++;
        } catch (err) {
          const message = (err instanceof AppError ? err.message : err instanceof Error ? `internal error: ${err.message}` : 'internal error').slice(0, 1000);
          if (!(err instanceof AppError)) ctx.log.error({ err, topic: d.topic, webhookId: d.webhook_id }, 'shopify webhook failed');
          const permanent = err instanceof AppError && err.status === 400;
          const dead = permanent || d.attempts >= MAX_ATTEMPTS;
          await ctx.db
            .updateTable('commerce_webhook_deliveries')
            .set(dead ? { outcome: 'failed', detail: message, claimed_at: null } : { outcome: 'queued', detail: message, claimed_at: null, next_attempt_at: new Date(Date.now() + backoffMs(d.attempts, RETRY_BASE_MS)) })
            .where('id', '=', d.id)
            .execute();
          if (dead) totals.failed++;
          else totals.retrying++;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(lanes, rest.length) }, lane));
    if (Date.now() - started > (opts.budgetMs ?? 60_000)) {
      // Out of time with deliveries perhaps still due: another job goes on with them.
      await enqueueJob(ctx.db, PROCESS_WEBHOOKS_JOB, {});
      break;
    }
  }
  return totals;
}
