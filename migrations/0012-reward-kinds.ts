import { sql, type Kysely } from 'kysely';

/**
 * More reward kinds: a percentage off (with an optional minimum order and largest discount), free
 * shipping, a free product (a store product or variant, kept by id with its SKU and title as they were
 * when the reward was saved), and access rewards: entry to an exclusive space, and an early-access
 * window of some days. Codes carry what they give, copied from the reward when issued, so changing a
 * reward never changes a code already in a member's hands. Codes past their date are marked `expired` by
 * a job; access rewards leave a grant instead of a code.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table loyalty_rewards drop constraint loyalty_rewards_kind_check;
    alter table loyalty_rewards drop constraint loyalty_rewards_value_minor_check;
    alter table loyalty_rewards
      add column percent_off smallint check (percent_off between 1 and 100),
      add column min_order_minor integer check (min_order_minor >= 0),
      add column max_discount_minor integer check (max_discount_minor > 0),
      -- No foreign keys into commerce or community: those are other features' tables. A product or space
      -- deleted later leaves a reward that a checkout or an access rule no longer honours.
      add column product_id bigint,
      add column variant_id bigint,
      add column product_sku text,
      add column product_title text,
      add column space_id bigint,
      add column access_days integer check (access_days > 0),
      add constraint loyalty_rewards_kind_check
        check (kind in ('fixed', 'incremental', 'percentage', 'free_shipping', 'free_product', 'space_access', 'early_access')),
      add constraint loyalty_rewards_value_minor_check check (value_minor >= 0),
      add constraint loyalty_rewards_kind_fields check (
        case kind
          when 'fixed' then value_minor > 0
          when 'incremental' then value_minor > 0
          when 'percentage' then percent_off is not null
          when 'free_product' then product_id is not null
          when 'space_access' then space_id is not null
          when 'early_access' then access_days is not null
          else true
        end
      );

    alter table loyalty_codes drop constraint loyalty_codes_value_minor_check;
    alter table loyalty_codes drop constraint loyalty_codes_status_check;
    alter table loyalty_codes
      add column kind text not null default 'amount_off' check (kind in ('amount_off', 'percent_off', 'free_shipping', 'free_product')),
      add column percent_off smallint check (percent_off between 1 and 100),
      add column min_order_minor integer check (min_order_minor >= 0),
      add column max_discount_minor integer check (max_discount_minor > 0),
      add column product_id bigint,
      add column variant_id bigint,
      add column product_sku text,
      add column product_title text,
      add column expired_at timestamptz,
      add constraint loyalty_codes_value_minor_check check (value_minor >= 0),
      add constraint loyalty_codes_status_check check (status in ('issued', 'used', 'returned', 'expired'));
    -- What the expiry job reads: issued codes by their date.
    create index loyalty_codes_due on loyalty_codes (expires_at) where status = 'issued';

    -- Access bought with points: entry to a space and/or early access, from starts_at until ends_at
    -- (null: for good). Read by member on each signed-in request (the access rule), hence the index.
    create table loyalty_access_grants (
      id bigint generated always as identity primary key,
      account_id bigint not null references loyalty_accounts (id),
      user_id bigint not null references users (id) on delete cascade,
      reward_id bigint references loyalty_rewards (id) on delete set null,
      reward_name text not null,
      space_id bigint,
      early_access boolean not null default false,
      points integer not null check (points > 0),
      starts_at timestamptz not null default now(),
      ends_at timestamptz,
      created_at timestamptz not null default now(),
      check (ends_at is null or ends_at > starts_at)
    );
    create index loyalty_access_grants_user on loyalty_access_grants (user_id, reward_id, ends_at);
    create index loyalty_access_grants_account on loyalty_access_grants (account_id, id);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop table loyalty_access_grants;
    drop index loyalty_codes_due;
    delete from loyalty_codes where kind <> 'amount_off' or value_minor = 0;
    update loyalty_codes set status = 'issued' where status = 'expired';
    alter table loyalty_codes drop constraint loyalty_codes_status_check;
    alter table loyalty_codes drop constraint loyalty_codes_value_minor_check;
    alter table loyalty_codes
      drop column kind, drop column percent_off, drop column min_order_minor, drop column max_discount_minor, drop column product_id,
      drop column variant_id, drop column product_sku, drop column product_title, drop column expired_at,
      add constraint loyalty_codes_value_minor_check check (value_minor > 0),
      add constraint loyalty_codes_status_check check (status in ('issued', 'used', 'returned'));
    delete from loyalty_rewards where kind not in ('fixed', 'incremental');
    alter table loyalty_rewards drop constraint loyalty_rewards_kind_fields;
    alter table loyalty_rewards drop constraint loyalty_rewards_kind_check;
    alter table loyalty_rewards drop constraint loyalty_rewards_value_minor_check;
    alter table loyalty_rewards
      drop column percent_off, drop column min_order_minor, drop column max_discount_minor, drop column product_id, drop column variant_id,
      drop column product_sku, drop column product_title, drop column space_id, drop column access_days,
      add constraint loyalty_rewards_kind_check check (kind in ('fixed', 'incremental')),
      add constraint loyalty_rewards_value_minor_check check (value_minor > 0);
  `.execute(db);
}
