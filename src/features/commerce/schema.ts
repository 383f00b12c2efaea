import { z } from 'zod';

/** Schemas of the store API (/api/v1/orders, /refunds, /customers, /products) and its OpenAPI document. */

const minor = (what: string) => z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).describe(`${what}, in minor units of the currency (pence, cents; yen as is)`);
const currency = z
  .string()
  .regex(/^[A-Za-z]{3}$/, 'Use a three-letter ISO 4217 code such as GBP.')
  .transform((v) => v.toUpperCase())
  .describe('ISO 4217 code, e.g. GBP');
const source = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,31}$/, 'Use lower-case letters, digits and _ (e.g. api, shopify, woocommerce).')
  .default('api')
  .describe('where the record comes from; external ids are unique per source');
const externalId = z.string().trim().min(1).max(200);
const isoTime = z.iso.datetime({ offset: true, error: 'Use an ISO 8601 date and time, e.g. 2025-03-01T10:00:00Z.' });
const id = z.coerce.number({ error: 'The id is a positive number.' }).int('The id is a positive number.').positive('The id is a positive number.');

export const idParams = z.object({ id: id.describe('Hearth id') });

// ------------------------------------------------------------------------------------------ customers

export const customerBody = z
  .strictObject({
    source,
    externalId: externalId.optional().describe('the customer id in the source; with it, a second call updates the same customer'),
    email: z.email('Give a valid email address.').max(254).optional(),
    firstName: z.string().max(200).optional(),
    lastName: z.string().max(200).optional(),
    acceptsMarketing: z.boolean().optional(),
    addressLine: z.string().max(500).optional(),
    postcode: z.string().max(40).optional(),
    country: z.string().max(80).optional().describe('ISO 3166 code or name'),
  })
  .refine((v) => v.externalId !== undefined || v.email !== undefined, { message: 'Give an email or an externalId.', path: ['email'] })
  .meta({ id: 'CustomerInput' });

export const customerSchema = z
  .object({
    id: z.number().int(),
    source: z.string(),
    externalId: z.string().nullable(),
    email: z.string().nullable(),
    firstName: z.string(),
    lastName: z.string(),
    acceptsMarketing: z.boolean(),
    addressLine: z.string(),
    postcode: z.string(),
    country: z.string(),
    userId: z.number().int().nullable().describe('the community member linked by verified email'),
    linkedAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Customer' });

export const customersQuery = z.object({
  cursor: z.string().max(500).optional().describe('opaque cursor from a previous page'),
  limit: z.coerce.number().int().min(1).max(100).default(25).describe('items per page, 1–100'),
  email: z.string().max(254).optional().describe('exact address (case-insensitive, +tags ignored)'),
  linked: z.enum(['true', 'false']).optional().transform((v) => (v === undefined ? undefined : v === 'true')).describe('only customers linked (or not) to a member'),
});

// ------------------------------------------------------------------------------------------ products

const variantBody = z.strictObject({
  externalId: externalId.optional(),
  sku: z.string().trim().min(1).max(100).optional(),
  title: z.string().max(200).optional(),
  priceMinor: minor('price'),
  currency,
});

export const productBody = z
  .strictObject({
    source,
    externalId: externalId.optional().describe('the product id in the source; with it, a second call updates the same product'),
    title: z.string().trim().min(1, 'Give the product a title.').max(300),
    handle: z.string().max(200).optional(),
    url: z.url().max(2000).optional(),
    vendor: z.string().max(200).optional(),
    productType: z.string().max(200).optional(),
    status: z.enum(['active', 'draft', 'archived']).optional(),
    variants: z.array(variantBody).max(250).default([]),
    images: z.array(z.strictObject({ url: z.url().max(2000), alt: z.string().max(500).optional() })).max(50).default([]),
  })
  .meta({ id: 'ProductInput' });

export const productSchema = z
  .object({
    id: z.number().int(),
    source: z.string(),
    externalId: z.string().nullable(),
    title: z.string(),
    handle: z.string(),
    url: z.string().nullable(),
    vendor: z.string(),
    productType: z.string(),
    status: z.string(),
    variants: z.array(z.object({ id: z.number().int(), externalId: z.string().nullable(), sku: z.string().nullable(), title: z.string(), priceMinor: z.number().int(), currency: z.string() })),
    images: z.array(z.object({ url: z.string(), alt: z.string() })),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Product' });

export const productsQuery = z.object({
  cursor: z.string().max(500).optional().describe('opaque cursor from a previous page'),
  limit: z.coerce.number().int().min(1).max(100).default(25).describe('items per page, 1–100'),
  sku: z.string().max(100).optional().describe('only products with a variant of this SKU'),
});

// ------------------------------------------------------------------------------------------ orders

const lineBody = z.strictObject({
  externalId: externalId.optional(),
  sku: z.string().trim().min(1).max(100).optional(),
  variantExternalId: externalId.optional().describe('the variant id in the source, to link a known product'),
  title: z.string().max(300).default(''),
  quantity: z.number().int().min(1).max(1_000_000),
  unitPriceMinor: minor('unit price'),
  discountMinor: minor('discount on the line').default(0),
});

export const orderBody = z
  .strictObject({
    source,
    externalId: externalId.describe('the order id in the source; a second call with it returns the same order'),
    name: z.string().max(100).optional().describe('the number customers see, e.g. #1001'),
    customer: customerBody.optional().describe('who bought it; or give only email'),
    email: z.email().max(254).optional(),
    currency,
    subtotalMinor: minor('sum of lines after line discounts').optional(),
    shippingMinor: minor('shipping').default(0),
    taxMinor: minor('tax').default(0),
    discountMinor: minor('order discounts').default(0),
    totalMinor: minor('what the customer paid').optional(),
    placedAt: isoTime.describe('when the order was placed, ISO 8601'),
    lines: z.array(lineBody).min(1, 'An order needs at least one line.').max(500),
    paidAt: isoTime.optional().describe('set when the order is already paid'),
    fulfilledAt: isoTime.optional(),
    cancelledAt: isoTime.optional(),
    cancelReason: z.string().max(200).optional(),
  })
  .meta({ id: 'OrderInput' });

export const transitionBody = z
  .strictObject({
    at: isoTime.optional().describe('when it happened; now by default'),
    reason: z.string().max(200).optional().describe('why (cancellations)'),
  })
  .meta({ id: 'OrderTransition' });

const lineSchema = z.object({
  id: z.number().int(),
  externalId: z.string().nullable(),
  productId: z.number().int().nullable(),
  variantId: z.number().int().nullable(),
  sku: z.string().nullable(),
  title: z.string(),
  quantity: z.number().int(),
  unitPriceMinor: z.number().int(),
  discountMinor: z.number().int(),
});

export const refundSchema = z
  .object({
    id: z.number().int(),
    orderId: z.number().int(),
    source: z.string(),
    externalId: z.string().nullable(),
    amountMinor: z.number().int(),
    currency: z.string(),
    note: z.string(),
    refundedAt: z.string(),
    lines: z.array(z.object({ orderLineId: z.number().int().nullable(), quantity: z.number().int(), amountMinor: z.number().int() })),
  })
  .meta({ id: 'Refund' });

export const orderSummarySchema = z
  .object({
    id: z.number().int(),
    source: z.string(),
    externalId: z.string(),
    name: z.string(),
    customerId: z.number().int().nullable(),
    email: z.string().nullable(),
    currency: z.string(),
    subtotalMinor: z.number().int(),
    shippingMinor: z.number().int(),
    taxMinor: z.number().int(),
    discountMinor: z.number().int(),
    totalMinor: z.number().int(),
    refundedMinor: z.number().int(),
    financialStatus: z.string(),
    fulfillmentStatus: z.string(),
    placedAt: z.string(),
    paidAt: z.string().nullable(),
    fulfilledAt: z.string().nullable(),
    cancelledAt: z.string().nullable(),
  })
  .meta({ id: 'OrderSummary' });

export const orderSchema = orderSummarySchema
  .extend({ lines: z.array(lineSchema), refunds: z.array(refundSchema), customer: customerSchema.nullable() })
  .meta({ id: 'Order' });

export const ordersQuery = z.object({
  cursor: z.string().max(500).optional().describe('opaque cursor from a previous page'),
  limit: z.coerce.number().int().min(1).max(100).default(25).describe('items per page, 1–100'),
  financialStatus: z.string().max(40).optional().describe('e.g. pending, paid, partially_refunded, refunded'),
  fulfillmentStatus: z.string().max(40).optional().describe('unfulfilled, partial or fulfilled'),
  customerId: z.coerce.number().int().positive().optional(),
  source: z.string().max(32).optional(),
  externalId: z.string().max(200).optional().describe('with source: the order of that id'),
  email: z.string().max(254).optional(),
  cancelled: z.enum(['true', 'false']).optional().transform((v) => (v === undefined ? undefined : v === 'true')),
});

export const refundBody = z
  .strictObject({
    orderId: z.number().int().positive(),
    source,
    externalId: externalId.optional().describe('the refund id in the source; a second call with it records nothing new'),
    amountMinor: minor('amount refunded'),
    note: z.string().max(1000).optional(),
    refundedAt: isoTime.optional(),
    lines: z
      .array(z.strictObject({ orderLineId: z.number().int().positive(), quantity: z.number().int().min(0), amountMinor: minor('amount for this line').optional() }))
      .max(500)
      .default([]),
  })
  .meta({ id: 'RefundInput' });
