import { sql, type Kysely } from 'kysely';

/**
 * Referrals ("refer a friend"): one code per member, the clicks on their link, the members known to be
 * new (from `user.registered`, so a member who joined before the link was followed is never a referred
 * friend), and the referrals themselves with their state, the fraud flags that sent one to review, and
 * the codes issued for them. The program's settings are one JSON row, as loyalty's are.
 *
 * A referral moves pending → qualified (the friend's first paid order reached the minimum) → completed
 * (the return window closed without a refund), or to review (a fraud check flagged it) where an
 * administrator approves or rejects it, or to cancelled (the first order was under the minimum, was
 * refunded or cancelled). Each friend is referred at most once (unique friend_user_id).
 *
 * Loyalty codes may now cost 0 points: the friend's welcome code and the referrer's credit are given.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table referral_settings (
      id smallint primary key default 1 check (id = 1),
      settings jsonb not null default '{}',
      updated_by bigint references users (id) on delete set null,
      updated_at timestamptz not null default now()
    );
    insert into referral_settings (id) values (1);

    create table referral_codes (
      user_id bigint primary key references users (id) on delete cascade,
      code text not null check (code ~ '^[A-Z0-9]{4,16}$'),
      created_at timestamptz not null default now()
    );
    create unique index referral_codes_code on referral_codes (code);

    -- A visit to /r/CODE. The browser keeps the token; only its hash and a keyed hash of the address are stored.
    create table referral_clicks (
      id bigint generated always as identity primary key,
      referrer_user_id bigint not null references users (id) on delete cascade,
      token_hash text not null,
      ip_hash text not null,
      created_at timestamptz not null default now()
    );
    create unique index referral_clicks_token on referral_clicks (token_hash);
    create index referral_clicks_ip on referral_clicks (ip_hash, created_at);

    create table referral_new_members (
      user_id bigint primary key references users (id) on delete cascade,
      registered_at timestamptz not null
    );

    create table referrals (
      id bigint generated always as identity primary key,
      referrer_user_id bigint not null references users (id) on delete cascade,
      friend_user_id bigint not null references users (id) on delete cascade,
      click_id bigint references referral_clicks (id) on delete set null,
      via text not null check (via in ('link', 'code')),
      ip_hash text not null,
      status text not null default 'pending' check (status in ('pending', 'qualified', 'review', 'completed', 'rejected', 'cancelled')),
      -- Fraud checks that flagged it, e.g. ["same_email", "ip_limit"]; any sends a qualifying order to review.
      flags jsonb not null default '[]',
      order_id bigint,
      order_minor bigint check (order_minor >= 0),
      currency text check (currency ~ '^[A-Z]{3}$'),
      qualified_at timestamptz,
      complete_after timestamptz,
      completed_at timestamptz,
      closed_reason text,
      reviewed_by bigint references users (id) on delete set null,
      reviewed_at timestamptz,
      welcome_code_id bigint,
      referrer_code_id bigint,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      check (referrer_user_id <> friend_user_id)
    );
    create unique index referrals_friend on referrals (friend_user_id);
    create index referrals_referrer on referrals (referrer_user_id, created_at desc, id desc);
    create index referrals_ip on referrals (ip_hash, created_at);
    create index referrals_order on referrals (order_id) where order_id is not null;
    create index referrals_status on referrals (status, created_at desc, id desc);
    create index referrals_due on referrals (complete_after) where status = 'qualified';

    -- Welcome codes and referrer credit are loyalty codes given rather than bought with points.
    alter table loyalty_codes drop constraint loyalty_codes_points_check;
    alter table loyalty_codes add constraint loyalty_codes_points_check check (points >= 0);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table loyalty_codes drop constraint loyalty_codes_points_check;
    alter table loyalty_codes add constraint loyalty_codes_points_check check (points > 0) not valid;
    drop table if exists referrals;
    drop table if exists referral_new_members;
    drop table if exists referral_clicks;
    drop table if exists referral_codes;
    drop table if exists referral_settings;
  `.execute(db);
}
