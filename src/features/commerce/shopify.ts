import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import { AppError, badRequest, fromZodError, serviceUnavailable, unauthorized } from '../../platform/http/errors.ts';
import { type CustomerInput, upsertCustomerIn, type Trx } from './customers.ts';
import { MoneyError, toMinorUnits } from './money.ts';
import { createRefundIn, upsertOrderIn, type OrderInput, type RefundInput } from './orders.ts';
import { upsertProductIn, type ProductInput } from './products.ts';
import * as repo from './repo.ts';

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
  // Shopify retries a failed delivery, by which time orders/create will have arrived.
  if (!order) throw new AppError('order_unknown', 409, `Order ${r.order_id} is not known yet; the refund can be delivered again once it is.`);
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

/** Applies one webhook's business change inside the caller's transaction; returns a line for the log. */
async function applyTopic(ctx: AppContext, trx: Trx, topic: string, body: unknown, shopDomain: string | null): Promise<string> {
  switch (topic) {
    case 'orders/create':
    case 'orders/updated':
    case 'orders/paid':
    case 'orders/fulfilled':
    case 'orders/cancelled': {
      const { order, created, transitions } = await upsertOrderIn(ctx, trx, toOrderInput(topic, parse(orderPayload, body)));
      return `order ${order.externalId}${created ? ' created' : ''}${transitions.length ? `; ${transitions.join(', ')}` : ''}`;
    }
    case 'refunds/create':
      return applyRefund(ctx, trx, parse(refundPayload, body));
    case 'customers/create':
    case 'customers/update': {
      const { customer, created } = await upsertCustomerIn(ctx, trx, toCustomerInput(parse(customerPayload, body)));
      return `customer ${customer.externalId ?? customer.id} ${created ? 'created' : 'updated'}`;
    }
    case 'products/create':
    case 'products/update': {
      const { product, created, changed } = await upsertProductIn(ctx, trx, toProductInput(parse(productPayload, body), ctx.config.storeCurrency, shopDomain));
      return `product ${product.externalId ?? product.id} ${created ? 'created' : changed ? 'updated' : 'unchanged'}`;
    }
    default:
      throw new Error(`unhandled topic ${topic}`);
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
  outcome: 'processed' | 'duplicate' | 'ignored';
  detail: string;
}

/**
 * One delivery: verified, deduplicated by its webhook id, applied. The delivery row and the
 * business change commit together, so a crash between them cannot leave one without the other;
 * a concurrent second delivery of the same id waits on the row's unique key and then finds it.
 * A delivery that fails is recorded as failed and may be delivered again.
 */
export async function receiveShopifyWebhook(ctx: AppContext, d: ShopifyDelivery): Promise<DeliveryResult> {
  const secret = ctx.config.shopifyWebhookSecret;
  if (!secret) throw serviceUnavailable('Shopify webhooks are not set up on this server: set SHOPIFY_WEBHOOK_SECRET to the app’s signing secret.');
  if (!verifyShopifyHmac(secret, d.rawBody, d.hmac)) throw unauthorized('The X-Shopify-Hmac-Sha256 signature does not match the body.');
  if (!d.webhookId) throw badRequest('The X-Shopify-Webhook-Id header is missing.', 'webhook_id_missing');
  if (!d.topic) throw badRequest('The X-Shopify-Topic header is missing.', 'topic_missing');
  const topic = d.topic;
  const webhookId = d.webhookId.slice(0, 200);
  const shopDomain = d.shopDomain?.slice(0, 255) ?? null;
  const known = shopifyTopics.some((known) => known === topic);

  try {
    return await ctx.db.transaction().execute(async (trx): Promise<DeliveryResult> => {
      const claimed = await trx
        .insertInto('commerce_webhook_deliveries')
        .values({ provider: SHOPIFY, webhook_id: webhookId, topic: topic.slice(0, 100), shop_domain: shopDomain, outcome: 'processing' })
        .onConflict((oc) =>
          oc
            .columns(['provider', 'webhook_id'])
            .doUpdateSet({ outcome: 'processing', received_at: new Date(), detail: '' })
            .where('commerce_webhook_deliveries.outcome', '=', 'failed'),
        )
        .returning('id')
        .executeTakeFirst();
      if (!claimed) return { status: 200, outcome: 'duplicate', detail: `delivery ${webhookId} was already received` };
      let detail: string;
      let outcome: 'processed' | 'ignored';
      if (!known) {
        outcome = 'ignored';
        detail = `topic ${topic} is not one Hearth uses`;
      } else {
        let body: unknown;
        try {
          body = JSON.parse(quoteLargeIntegers(Buffer.from(d.rawBody).toString('utf8')));
        } catch {
          throw badRequest('The webhook body is not valid JSON.', 'invalid_json');
        }
        detail = await applyTopic(ctx, trx, topic, body, shopDomain);
        outcome = 'processed';
      }
      await trx.updateTable('commerce_webhook_deliveries').set({ outcome, detail: detail.slice(0, 1000) }).where('id', '=', claimed.id).execute();
      return { status: 200, outcome, detail };
    });
  } catch (err) {
    const message = err instanceof AppError ? err.message : 'internal error';
    if (!(err instanceof AppError)) ctx.log.error({ err, topic, webhookId }, 'shopify webhook failed');
    await ctx.db
      .insertInto('commerce_webhook_deliveries')
      .values({ provider: SHOPIFY, webhook_id: webhookId, topic: topic.slice(0, 100), shop_domain: shopDomain, outcome: 'failed', detail: message.slice(0, 1000) })
      .onConflict((oc) =>
        oc
          .columns(['provider', 'webhook_id'])
          .doUpdateSet({ outcome: 'failed', detail: message.slice(0, 1000), received_at: new Date() })
          .where('commerce_webhook_deliveries.outcome', 'in', ['failed', 'processing']),
      )
      .execute()
      .catch((e: unknown) => ctx.log.error({ err: e }, 'could not record a failed webhook delivery'));
    throw err;
  }
}
