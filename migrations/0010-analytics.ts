import { sql, type Kysely } from 'kysely';

/**
 * Analytics: fact and rollup tables built from the domain-event stream (never from another feature's
 * tables), and the per-member scores the nightly recompute writes. Pages read only these tables.
 *
 * - analytics_state: how far the rollup has read `domain_events` (its high-water mark), advanced in the
 *   same transaction as the upserts, so a batch is applied exactly once.
 * - facts: analytics_members, analytics_customers, analytics_customer_orders (one row per paid order, net
 *   of refunds), analytics_topics (one per topic: first response, accepted answer), analytics_member_days
 *   (member × day activity, visits included), analytics_terms (tag × day).
 * - rollups: analytics_daily (site × day), analytics_customer_scores (one row per member or store customer),
 *   analytics_persona_snapshots (member × month), analytics_models (the fitted parameters).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table analytics_state (
      name text primary key,
      last_event_id bigint not null default 0,
      updated_at timestamptz not null default now()
    );

    create table analytics_members (
      user_id bigint primary key,
      display_name text not null default '',
      username text not null default '',
      registered_at timestamptz,
      first_contribution_at timestamptz,
      referrals integer not null default 0,
      shares integer not null default 0,
      tier text
    );
    create index analytics_members_first_contribution on analytics_members (first_contribution_at) where first_contribution_at is not null;

    create table analytics_customers (
      customer_id bigint primary key,
      user_id bigint,
      email text,
      created_at timestamptz not null
    );
    create index analytics_customers_user on analytics_customers (user_id) where user_id is not null;

    create table analytics_customer_orders (
      order_id bigint primary key,
      customer_id bigint not null,
      user_id bigint,
      currency text not null,
      total_minor bigint not null,
      refunded_minor bigint not null default 0,
      paid_at timestamptz not null,
      cancelled_at timestamptz
    );
    create index analytics_customer_orders_customer on analytics_customer_orders (customer_id);
    create index analytics_customer_orders_user on analytics_customer_orders (user_id) where user_id is not null;
    create index analytics_customer_orders_paid on analytics_customer_orders (paid_at);

    create table analytics_member_days (
      user_id bigint not null,
      day date not null,
      visits integer not null default 0,
      topics integer not null default 0,
      questions integer not null default 0,
      replies integer not null default 0,
      answers_accepted integer not null default 0,
      reactions_given integer not null default 0,
      reactions_received integer not null default 0,
      primary key (user_id, day)
    );
    create index analytics_member_days_day on analytics_member_days (day, user_id);

    create table analytics_topics (
      topic_id bigint primary key,
      space_id bigint not null,
      author_id bigint not null,
      kind text not null,
      title text not null default '',
      public boolean not null default false,
      created_at timestamptz not null,
      first_response_at timestamptz,
      reply_count integer not null default 0,
      reaction_count integer not null default 0,
      views integer not null default 0,
      accepted_at timestamptz,
      deleted_at timestamptz
    );
    create index analytics_topics_created on analytics_topics (created_at);
    create index analytics_topics_unanswered on analytics_topics (created_at) where kind = 'question' and first_response_at is null and deleted_at is null;

    create table analytics_terms (
      day date not null,
      term text not null,
      uses integer not null default 0,
      primary key (day, term)
    );

    create table analytics_daily (
      day date primary key,
      dau integer not null default 0,
      mau integer not null default 0,
      new_members integer not null default 0,
      new_contributors integer not null default 0,
      topics integer not null default 0,
      questions integer not null default 0,
      replies integer not null default 0,
      accepted integer not null default 0,
      orders integer not null default 0,
      revenue_minor bigint not null default 0,
      refunds_minor bigint not null default 0,
      -- Page views of questions that had an accepted answer when viewed (indirect deflection).
      solved_views integer not null default 0
    );

    create table analytics_customer_scores (
      subject text primary key,
      user_id bigint,
      customer_id bigint,
      display_name text not null default '',
      email text,
      orders integer not null default 0,
      first_order_on date,
      last_order_on date,
      spend_minor bigint not null default 0,
      r smallint,
      f smallint,
      m smallint,
      segment text,
      p_alive double precision,
      p_alive_before double precision,
      expected_purchases_90d double precision,
      clv_12m_minor bigint,
      value_at_stake_minor bigint not null default 0,
      engagement_score double precision not null default 0,
      value_score double precision not null default 0,
      persona text,
      next_step text,
      insider_gap double precision,
      computed_at timestamptz not null
    );
    create index analytics_scores_user on analytics_customer_scores (user_id) where user_id is not null;
    create index analytics_scores_persona on analytics_customer_scores (persona, insider_gap);
    create index analytics_scores_segment on analytics_customer_scores (segment, spend_minor desc);
    create index analytics_scores_churn on analytics_customer_scores (value_at_stake_minor desc) where value_at_stake_minor > 0;
    create index analytics_scores_clv on analytics_customer_scores (clv_12m_minor desc nulls last);

    create table analytics_persona_snapshots (
      month date not null,
      user_id bigint not null,
      persona text not null,
      primary key (month, user_id)
    );

    -- Small aggregates of the score table, written by the recompute so pages need not group 100,000 rows.
    create table analytics_summaries (
      name text primary key,
      data jsonb not null,
      computed_at timestamptz not null
    );

    create table analytics_models (
      name text primary key,
      params jsonb not null,
      n integer not null,
      log_likelihood double precision,
      converged boolean not null,
      note text,
      computed_at timestamptz not null
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop table analytics_models, analytics_summaries, analytics_persona_snapshots, analytics_customer_scores, analytics_daily, analytics_terms,
      analytics_topics, analytics_member_days, analytics_customer_orders, analytics_customers, analytics_members, analytics_state
  `.execute(db);
}
