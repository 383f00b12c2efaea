import type { ColumnType, Generated } from 'kysely';
import type { Json, NullableTimestamp, Timestamp } from '../../platform/db/platform-tables.ts';

/** Money columns are bigint in SQL; the drivers return int8 as a JavaScript number (exact to 2^53). */
type Minor = ColumnType<number, number | undefined, number>;

export interface CommerceCustomersTable {
  id: Generated<number>;
  source: string;
  external_id: string | null;
  email: string | null;
  email_normalized: string | null;
  first_name: ColumnType<string, string | undefined, string>;
  last_name: ColumnType<string, string | undefined, string>;
  accepts_marketing: ColumnType<boolean, boolean | undefined, boolean>;
  address_line: ColumnType<string, string | undefined, string>;
  postcode: ColumnType<string, string | undefined, string>;
  country: ColumnType<string, string | undefined, string>;
  user_id: number | null;
  linked_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CommerceProductsTable {
  id: Generated<number>;
  source: string;
  external_id: string | null;
  title: string;
  handle: ColumnType<string, string | undefined, string>;
  url: string | null;
  vendor: ColumnType<string, string | undefined, string>;
  product_type: ColumnType<string, string | undefined, string>;
  status: ColumnType<string, string | undefined, string>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CommerceProductVariantsTable {
  id: Generated<number>;
  product_id: number;
  external_id: string | null;
  sku: string | null;
  title: ColumnType<string, string | undefined, string>;
  price_minor: number;
  currency: string;
  position: ColumnType<number, number | undefined, number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CommerceProductImagesTable {
  id: Generated<number>;
  product_id: number;
  url: string;
  alt: ColumnType<string, string | undefined, string>;
  position: ColumnType<number, number | undefined, number>;
}

export const financialStatuses = ['pending', 'authorized', 'paid', 'partially_paid', 'partially_refunded', 'refunded', 'voided'] as const;
export type FinancialStatus = (typeof financialStatuses)[number];
export const fulfillmentStatuses = ['unfulfilled', 'partial', 'fulfilled'] as const;
export type FulfillmentStatus = (typeof fulfillmentStatuses)[number];

export interface CommerceOrdersTable {
  id: Generated<number>;
  source: string;
  external_id: string;
  name: ColumnType<string, string | undefined, string>;
  customer_id: number | null;
  email: string | null;
  currency: string;
  subtotal_minor: number;
  shipping_minor: Minor;
  tax_minor: Minor;
  discount_minor: Minor;
  total_minor: number;
  refunded_minor: Minor;
  financial_status: ColumnType<string, string | undefined, string>;
  fulfillment_status: ColumnType<string, string | undefined, string>;
  placed_at: Timestamp;
  paid_at: NullableTimestamp;
  fulfilled_at: NullableTimestamp;
  cancelled_at: NullableTimestamp;
  cancel_reason: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CommerceOrderLinesTable {
  id: Generated<number>;
  order_id: number;
  external_id: string | null;
  product_id: number | null;
  variant_id: number | null;
  sku: string | null;
  title: string;
  quantity: number;
  unit_price_minor: number;
  discount_minor: Minor;
  position: ColumnType<number, number | undefined, number>;
}

export interface CommerceRefundsTable {
  id: Generated<number>;
  order_id: number;
  source: string;
  external_id: string | null;
  amount_minor: number;
  currency: string;
  note: ColumnType<string, string | undefined, string>;
  refunded_at: Timestamp;
  created_at: Timestamp;
}

export interface CommerceRefundLinesTable {
  id: Generated<number>;
  refund_id: number;
  order_line_id: number | null;
  quantity: number;
  amount_minor: Minor;
}

export type WebhookOutcome = 'queued' | 'processing' | 'processed' | 'ignored' | 'failed';

export interface CommerceWebhookDeliveriesTable {
  id: Generated<number>;
  provider: string;
  webhook_id: string;
  topic: string;
  shop_domain: string | null;
  outcome: WebhookOutcome;
  detail: ColumnType<string, string | undefined, string>;
  received_at: Timestamp;
  /** The raw body while the delivery waits in the inbox; cleared once it is applied. */
  body: string | null;
  attempts: Generated<number>;
  next_attempt_at: Date | null;
  claimed_at: Date | null;
}

export interface CommerceIdempotencyKeysTable {
  id: Generated<number>;
  caller: string;
  key: string;
  method: string;
  path: string;
  request_hash: string;
  response_status: number;
  response_body: Json;
  created_at: Timestamp;
}

export interface CommerceTables {
  commerce_customers: CommerceCustomersTable;
  commerce_products: CommerceProductsTable;
  commerce_product_variants: CommerceProductVariantsTable;
  commerce_product_images: CommerceProductImagesTable;
  commerce_orders: CommerceOrdersTable;
  commerce_order_lines: CommerceOrderLinesTable;
  commerce_refunds: CommerceRefundsTable;
  commerce_refund_lines: CommerceRefundLinesTable;
  commerce_webhook_deliveries: CommerceWebhookDeliveriesTable;
  commerce_idempotency_keys: CommerceIdempotencyKeysTable;
}
