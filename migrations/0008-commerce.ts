import { sql, type Kysely } from 'kysely';

/**
 * Store data: customers, products, orders and refunds, arriving by Shopify webhooks, the REST API
 * or CSV import. Money is bigint minor units beside a currency code. Each record carries where it
 * came from (`source`) and its id there (`external_id`), unique per source, so a replay finds the
 * row it made the first time instead of making another.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table commerce_customers (
      id bigint generated always as identity primary key,
      source text not null check (source ~ '^[a-z][a-z0-9_]{0,31}$'),
      external_id text,
      email text,
      -- lower case, +tag removed, dots removed for Gmail: the same mailbox, for fraud checks
      email_normalized text,
      first_name text not null default '',
      last_name text not null default '',
      accepts_marketing boolean not null default false,
      address_line text not null default '',
      postcode text not null default '',
      country text not null default '',
      user_id bigint references users (id) on delete set null,
      linked_at timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create unique index commerce_customers_external on commerce_customers (source, external_id) where external_id is not null;
    create index commerce_customers_email on commerce_customers (lower(email));
    create index commerce_customers_email_normalized on commerce_customers (email_normalized);
    create index commerce_customers_user on commerce_customers (user_id);
    create index commerce_customers_address on commerce_customers (country, postcode, address_line);
    create index commerce_customers_created on commerce_customers (created_at desc, id desc);

    create table commerce_products (
      id bigint generated always as identity primary key,
      source text not null check (source ~ '^[a-z][a-z0-9_]{0,31}$'),
      external_id text,
      title text not null,
      handle text not null default '',
      url text,
      vendor text not null default '',
      product_type text not null default '',
      status text not null default 'active',
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create unique index commerce_products_external on commerce_products (source, external_id) where external_id is not null;
    create index commerce_products_created on commerce_products (created_at desc, id desc);
    create index commerce_products_handle on commerce_products (handle);

    create table commerce_product_variants (
      id bigint generated always as identity primary key,
      product_id bigint not null references commerce_products (id) on delete cascade,
      external_id text,
      sku text,
      title text not null default '',
      price_minor bigint not null check (price_minor >= 0),
      currency text not null check (currency ~ '^[A-Z]{3}$'),
      position integer not null default 0,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create unique index commerce_variants_external on commerce_product_variants (product_id, external_id) where external_id is not null;
    create index commerce_variants_product on commerce_product_variants (product_id, position, id);
    create index commerce_variants_sku on commerce_product_variants (sku) where sku is not null;
    create index commerce_variants_external_any on commerce_product_variants (external_id) where external_id is not null;

    create table commerce_product_images (
      id bigint generated always as identity primary key,
      product_id bigint not null references commerce_products (id) on delete cascade,
      url text not null,
      alt text not null default '',
      position integer not null default 0
    );
    create index commerce_images_product on commerce_product_images (product_id, position, id);

    create table commerce_orders (
      id bigint generated always as identity primary key,
      source text not null check (source ~ '^[a-z][a-z0-9_]{0,31}$'),
      external_id text not null,
      name text not null default '',
      customer_id bigint references commerce_customers (id) on delete set null,
      email text,
      currency text not null check (currency ~ '^[A-Z]{3}$'),
      subtotal_minor bigint not null check (subtotal_minor >= 0),
      shipping_minor bigint not null default 0 check (shipping_minor >= 0),
      tax_minor bigint not null default 0 check (tax_minor >= 0),
      discount_minor bigint not null default 0 check (discount_minor >= 0),
      total_minor bigint not null check (total_minor >= 0),
      refunded_minor bigint not null default 0 check (refunded_minor >= 0),
      financial_status text not null default 'pending',
      fulfillment_status text not null default 'unfulfilled',
      placed_at timestamptz not null,
      paid_at timestamptz,
      fulfilled_at timestamptz,
      cancelled_at timestamptz,
      cancel_reason text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      unique (source, external_id)
    );
    create index commerce_orders_customer on commerce_orders (customer_id, placed_at desc);
    create index commerce_orders_placed on commerce_orders (placed_at desc, id desc);
    create index commerce_orders_financial on commerce_orders (financial_status, placed_at desc, id desc);
    create index commerce_orders_fulfillment on commerce_orders (fulfillment_status, placed_at desc, id desc);
    create index commerce_orders_email on commerce_orders (lower(email));

    create table commerce_order_lines (
      id bigint generated always as identity primary key,
      order_id bigint not null references commerce_orders (id) on delete cascade,
      external_id text,
      product_id bigint references commerce_products (id) on delete set null,
      variant_id bigint references commerce_product_variants (id) on delete set null,
      sku text,
      title text not null,
      quantity integer not null check (quantity > 0),
      unit_price_minor bigint not null check (unit_price_minor >= 0),
      discount_minor bigint not null default 0 check (discount_minor >= 0),
      position integer not null default 0
    );
    create index commerce_order_lines_order on commerce_order_lines (order_id, position, id);
    create unique index commerce_order_lines_external on commerce_order_lines (order_id, external_id) where external_id is not null;
    create index commerce_order_lines_product on commerce_order_lines (product_id);
    create index commerce_order_lines_variant on commerce_order_lines (variant_id);

    create table commerce_refunds (
      id bigint generated always as identity primary key,
      order_id bigint not null references commerce_orders (id) on delete cascade,
      source text not null,
      external_id text,
      amount_minor bigint not null check (amount_minor >= 0),
      currency text not null check (currency ~ '^[A-Z]{3}$'),
      note text not null default '',
      refunded_at timestamptz not null default now(),
      created_at timestamptz not null default now()
    );
    create unique index commerce_refunds_external on commerce_refunds (source, external_id) where external_id is not null;
    create index commerce_refunds_order on commerce_refunds (order_id, refunded_at, id);
    create index commerce_refunds_created on commerce_refunds (created_at desc, id desc);

    create table commerce_refund_lines (
      id bigint generated always as identity primary key,
      refund_id bigint not null references commerce_refunds (id) on delete cascade,
      order_line_id bigint references commerce_order_lines (id) on delete set null,
      quantity integer not null check (quantity >= 0),
      amount_minor bigint not null default 0 check (amount_minor >= 0)
    );
    create index commerce_refund_lines_refund on commerce_refund_lines (refund_id);
    create index commerce_refund_lines_line on commerce_refund_lines (order_line_id);

    -- One row per webhook delivery id; a failed one may be tried again, any other outcome is final.
    create table commerce_webhook_deliveries (
      id bigint generated always as identity primary key,
      provider text not null,
      webhook_id text not null,
      topic text not null,
      shop_domain text,
      outcome text not null check (outcome in ('processing', 'processed', 'ignored', 'failed')),
      detail text not null default '',
      received_at timestamptz not null default now(),
      unique (provider, webhook_id)
    );
    create index commerce_webhook_deliveries_received on commerce_webhook_deliveries (received_at desc, id desc);

    -- A POST with an Idempotency-Key: the first successful response is kept and replayed.
    create table commerce_idempotency_keys (
      id bigint generated always as identity primary key,
      caller text not null,
      key text not null,
      method text not null,
      path text not null,
      request_hash text not null,
      response_status integer not null,
      response_body jsonb not null,
      created_at timestamptz not null default now(),
      unique (caller, key)
    );
    create index commerce_idempotency_keys_created on commerce_idempotency_keys (created_at);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop table commerce_idempotency_keys, commerce_webhook_deliveries, commerce_refund_lines, commerce_refunds,
      commerce_order_lines, commerce_orders, commerce_product_images, commerce_product_variants, commerce_products,
      commerce_customers
  `.execute(db);
}
