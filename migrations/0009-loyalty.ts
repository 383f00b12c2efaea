import { sql, type Kysely } from 'kysely';

/**
 * Loyalty: accounts, an append-only points ledger (entries), the lots earned points form (with their
 * expiry) and which entries consumed them (allocations), admin-configurable earning rules, tiers,
 * rewards and the discount codes redemption issues.
 *
 * The ledger follows TigerBeetle: an entry is never updated or deleted (a trigger refuses it), each is
 * unique per (source, external_id, kind) so a replayed event changes nothing, a pending entry is
 * settled (posted or voided) by exactly one later entry (unique pending_id), and the balances kept on
 * the account row are declared never negative. Those balances are a cache of the ledger, changed only
 * in the transaction that appends the entry, under the account's row lock.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- One row: the program's settings as JSON, validated by the loyalty feature's zod schema.
    create table loyalty_settings (
      id smallint primary key default 1 check (id = 1),
      settings jsonb not null default '{}',
      updated_by bigint references users (id) on delete set null,
      updated_at timestamptz not null default now()
    );
    insert into loyalty_settings (id) values (1);

    create table loyalty_tiers (
      id bigint generated always as identity primary key,
      name text not null check (length(name) between 1 and 60),
      -- Minor units of spend, or points earned, over the qualifying period (the program's tier basis).
      threshold bigint not null check (threshold >= 0),
      multiplier_pct integer not null default 100 check (multiplier_pct between 100 and 1000),
      early_access boolean not null default false,
      created_at timestamptz not null default now()
    );
    create unique index loyalty_tiers_threshold on loyalty_tiers (threshold);
    create unique index loyalty_tiers_name on loyalty_tiers (lower(name));

    -- A member's account (user_id), or a store customer's who has no community account yet
    -- (customer_id); the latter is merged into the member's when the two are linked, and then only
    -- redirects (merged_into). An erased member's account stays, keyed by nothing, so the ledger stays whole.
    create table loyalty_accounts (
      id bigint generated always as identity primary key,
      user_id bigint unique references users (id) on delete set null,
      customer_id bigint unique,
      merged_into bigint references loyalty_accounts (id),
      balance bigint not null default 0 check (balance >= 0),
      pending bigint not null default 0 check (pending >= 0),
      debt bigint not null default 0 check (debt >= 0),
      lifetime_earned bigint not null default 0 check (lifetime_earned >= 0),
      -- Debt is paid before anything becomes available, so both are never positive together.
      check (debt = 0 or balance = 0),
      tier_id bigint references loyalty_tiers (id) on delete set null,
      tier_since timestamptz,
      -- When the tier is next reviewed for a downgrade (period end plus grace).
      tier_review_at timestamptz,
      birthday_month smallint check (birthday_month between 1 and 12),
      birthday_day smallint check (birthday_day between 1 and 31),
      birthday_set_at timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create index loyalty_accounts_merged on loyalty_accounts (merged_into) where merged_into is not null;
    create index loyalty_accounts_birthday on loyalty_accounts (birthday_month, birthday_day) where birthday_month is not null;
    create index loyalty_accounts_review on loyalty_accounts (tier_review_at) where tier_review_at is not null;

    create table loyalty_entries (
      id bigint generated always as identity primary key,
      account_id bigint not null references loyalty_accounts (id),
      kind text not null check (kind in ('earn', 'pending', 'post', 'void', 'spend', 'expire', 'clawback', 'adjust', 'merge_out', 'merge_in', 'return')),
      source text not null check (length(source) between 1 and 60),
      external_id text not null check (length(external_id) between 1 and 200),
      -- What the entry is about, e.g. order:42, so an order's entries can be found together.
      ref text,
      rule_key text,
      points bigint not null check (points >= 0),
      -- The entry's effect on the account's available points, pending points and debt.
      delta_available bigint not null default 0,
      delta_pending bigint not null default 0,
      delta_debt bigint not null default 0,
      pending_id bigint references loyalty_entries (id),
      due_at timestamptz,
      reason text,
      -- No foreign key: erasing a member must not have to rewrite the ledger (entries cannot be updated).
      actor_id bigint,
      created_at timestamptz not null default now(),
      unique (source, external_id, kind)
    );
    create unique index loyalty_entries_settles on loyalty_entries (pending_id) where pending_id is not null;
    create index loyalty_entries_account on loyalty_entries (account_id, id);
    create index loyalty_entries_ref on loyalty_entries (ref, kind) where ref is not null;
    create index loyalty_entries_rule on loyalty_entries (account_id, rule_key, created_at) where rule_key is not null;

    create function loyalty_entries_immutable() returns trigger language plpgsql as $$
    begin
      raise exception 'loyalty_entries is append-only: write a correcting entry instead';
    end $$;
    create trigger loyalty_entries_no_change before update or delete on loyalty_entries
      for each row execute function loyalty_entries_immutable();

    -- Pending entries not yet settled, by when they fall due: the queue the posting job reads.
    create table loyalty_open_pending (
      entry_id bigint primary key references loyalty_entries (id),
      account_id bigint not null references loyalty_accounts (id),
      due_at timestamptz not null
    );
    create index loyalty_open_pending_due on loyalty_open_pending (due_at);

    -- Earned points, each lot with its expiry; remaining is what allocations have not consumed.
    create table loyalty_lots (
      id bigint generated always as identity primary key,
      account_id bigint not null references loyalty_accounts (id),
      entry_id bigint not null references loyalty_entries (id),
      points bigint not null check (points > 0),
      remaining bigint not null check (remaining >= 0 and remaining <= points),
      expires_at timestamptz,
      created_at timestamptz not null default now()
    );
    create index loyalty_lots_open on loyalty_lots (account_id, expires_at, id) where remaining > 0;
    create index loyalty_lots_expiring on loyalty_lots (expires_at) where remaining > 0 and expires_at is not null;

    create table loyalty_allocations (
      entry_id bigint not null references loyalty_entries (id),
      lot_id bigint not null references loyalty_lots (id),
      points bigint not null check (points > 0),
      primary key (entry_id, lot_id)
    );
    create index loyalty_allocations_lot on loyalty_allocations (lot_id);

    -- The facts of a paid order as its events told them, for refunds and spend-based tiers.
    create table loyalty_orders (
      order_id bigint primary key,
      account_id bigint not null references loyalty_accounts (id),
      currency text not null,
      eligible_minor bigint not null check (eligible_minor >= 0),
      total_minor bigint not null check (total_minor >= 0),
      refunded_minor bigint not null default 0,
      points_awarded bigint not null default 0,
      points_current bigint not null default 0,
      paid_at timestamptz not null
    );
    create index loyalty_orders_account on loyalty_orders (account_id, paid_at);

    -- Orders cancelled before their payment reached loyalty (events handled out of order): they earn nothing.
    create table loyalty_cancelled_orders (
      order_id bigint primary key,
      cancelled_at timestamptz not null default now()
    );

    create table loyalty_rules (
      key text primary key,
      enabled boolean not null default true,
      -- Points per action, or per currency unit for the purchase rule.
      points integer not null check (points >= 0),
      daily_cap integer check (daily_cap > 0),
      lifetime_cap integer check (lifetime_cap > 0),
      config jsonb not null default '{}',
      updated_at timestamptz not null default now()
    );
    insert into loyalty_rules (key, points, daily_cap, lifetime_cap, config) values
      ('purchase', 1, null, null, '{"includeShipping": false, "includeTax": false}'),
      ('signup', 50, null, null, '{}'),
      ('birthday', 100, null, null, '{}'),
      ('social_follow', 25, null, null, '{"networks": ["instagram", "tiktok", "facebook", "x", "youtube", "pinterest"]}'),
      ('share', 10, 30, null, '{}'),
      ('review', 50, 150, null, '{}'),
      ('answer_accepted', 25, 100, null, '{}'),
      ('story', 10, 30, null, '{}'),
      ('idea_submitted', 10, 30, null, '{}'),
      ('event_attended', 25, null, null, '{}'),
      ('referral', 200, null, null, '{}');

    create table loyalty_rewards (
      id bigint generated always as identity primary key,
      name text not null check (length(name) between 1 and 80),
      kind text not null check (kind in ('fixed', 'incremental')),
      enabled boolean not null default true,
      -- fixed: cost in points and value in minor units; incremental: value per step of points, from min_points.
      points integer not null check (points > 0),
      value_minor integer not null check (value_minor > 0),
      min_points integer not null default 0 check (min_points >= 0),
      max_points integer check (max_points > 0),
      code_valid_days integer not null default 90 check (code_valid_days > 0),
      created_at timestamptz not null default now()
    );

    create table loyalty_codes (
      id bigint generated always as identity primary key,
      code text not null unique,
      account_id bigint not null references loyalty_accounts (id),
      reward_id bigint references loyalty_rewards (id) on delete set null,
      points integer not null check (points > 0),
      value_minor integer not null check (value_minor > 0),
      currency text not null,
      status text not null default 'issued' check (status in ('issued', 'used', 'returned')),
      expires_at timestamptz not null,
      used_at timestamptz,
      used_ref text,
      created_at timestamptz not null default now()
    );
    create index loyalty_codes_account on loyalty_codes (account_id, id);

    -- The example program's reward: every 20 points is £1 off, from 200 points.
    insert into loyalty_rewards (name, kind, points, value_minor, min_points) values ('Money off your next order', 'incremental', 20, 100, 200);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop table loyalty_codes, loyalty_rewards, loyalty_rules, loyalty_cancelled_orders, loyalty_orders, loyalty_allocations, loyalty_lots,
      loyalty_open_pending, loyalty_entries, loyalty_accounts, loyalty_tiers, loyalty_settings;
    drop function loyalty_entries_immutable();
  `.execute(db);
}
