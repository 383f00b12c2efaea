import type { z } from 'zod';
import type { Customer, Order, OrderSummary, Product, Refund } from './repo.ts';
import type { customerSchema, orderSchema, orderSummarySchema, productSchema, refundSchema } from './schema.ts';

// JSON shapes of the store API: dates as ISO 8601 strings.

const iso = (d: Date) => d.toISOString();
const isoOrNull = (d: Date | null) => (d ? d.toISOString() : null);

export function customerJson(c: Customer): z.input<typeof customerSchema> {
  return {
    id: c.id,
    source: c.source,
    externalId: c.externalId,
    email: c.email,
    firstName: c.firstName,
    lastName: c.lastName,
    acceptsMarketing: c.acceptsMarketing,
    addressLine: c.addressLine,
    postcode: c.postcode,
    country: c.country,
    userId: c.userId,
    linkedAt: isoOrNull(c.linkedAt),
    createdAt: iso(c.createdAt),
    updatedAt: iso(c.updatedAt),
  };
}

export function productJson(p: Product): z.input<typeof productSchema> {
  return {
    id: p.id,
    source: p.source,
    externalId: p.externalId,
    title: p.title,
    handle: p.handle,
    url: p.url,
    vendor: p.vendor,
    productType: p.productType,
    status: p.status,
    variants: p.variants.map((v) => ({ id: v.id, externalId: v.externalId, sku: v.sku, title: v.title, priceMinor: v.priceMinor, currency: v.currency })),
    images: p.images.map((i) => ({ url: i.url, alt: i.alt })),
    createdAt: iso(p.createdAt),
    updatedAt: iso(p.updatedAt),
  };
}

export function refundJson(r: Refund): z.input<typeof refundSchema> {
  return {
    id: r.id,
    orderId: r.orderId,
    source: r.source,
    externalId: r.externalId,
    amountMinor: r.amountMinor,
    currency: r.currency,
    note: r.note,
    refundedAt: iso(r.refundedAt),
    lines: r.lines,
  };
}

export function orderSummaryJson(o: OrderSummary): z.input<typeof orderSummarySchema> {
  return {
    id: o.id,
    source: o.source,
    externalId: o.externalId,
    name: o.name,
    customerId: o.customerId,
    email: o.email,
    currency: o.currency,
    subtotalMinor: o.subtotalMinor,
    shippingMinor: o.shippingMinor,
    taxMinor: o.taxMinor,
    discountMinor: o.discountMinor,
    totalMinor: o.totalMinor,
    refundedMinor: o.refundedMinor,
    financialStatus: o.financialStatus,
    fulfillmentStatus: o.fulfillmentStatus,
    placedAt: iso(o.placedAt),
    paidAt: isoOrNull(o.paidAt),
    fulfilledAt: isoOrNull(o.fulfilledAt),
    cancelledAt: isoOrNull(o.cancelledAt),
  };
}

export function orderJson(o: Order): z.input<typeof orderSchema> {
  return {
    ...orderSummaryJson(o),
    lines: o.lines.map((l) => ({ ...l })),
    refunds: o.refunds.map(refundJson),
    customer: o.customer ? customerJson(o.customer) : null,
  };
}
