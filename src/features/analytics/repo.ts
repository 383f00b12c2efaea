// Dashboard reads: rollup and score tables only, each query bounded by the date range or a limit.
import { sql } from 'kysely';
import type { Executor } from '../../platform/jobs/registry.ts';

export interface DateRange {
  /** YYYY-MM-DD, inclusive. */
  from: string;
  to: string;
}

export interface DailyPoint {
  day: string;
  dau: number;
  mau: number;
  new_members: number;
  new_contributors: number;
  topics: number;
  replies: number;
  accepted: number;
  orders: number;
  revenue_minor: number;
}

export async function dailySeries(db: Executor, range: DateRange): Promise<DailyPoint[]> {
  const r = await sql<DailyPoint>`
    select day::text as day, dau, mau, new_members, new_contributors, topics, replies, accepted, orders, revenue_minor
    from analytics_daily where day between ${range.from}::date and ${range.to}::date order by day`.execute(db);
  return r.rows;
}

export interface QuestionStats {
  questions: number;
  answered: number;
  solved: number;
  median_first_response_seconds: number | null;
}

export async function questionStats(db: Executor, range: DateRange): Promise<QuestionStats> {
  const r = await sql<QuestionStats>`
    select count(*)::int as questions,
      (count(*) filter (where first_response_at is not null))::int as answered,
      (count(*) filter (where accepted_at is not null))::int as solved,
      percentile_cont(0.5) within group (order by extract(epoch from first_response_at - created_at)) filter (where first_response_at is not null) as median_first_response_seconds
    from analytics_topics
    where kind = 'question' and deleted_at is null and created_at >= ${range.from}::date and created_at < ${range.to}::date + 1`.execute(db);
  return r.rows[0] ?? { questions: 0, answered: 0, solved: 0, median_first_response_seconds: null };
}

export interface ContributorStats {
  active: number;
  contributors: number;
  posts: number;
  superuser_posts: number;
  superusers: number;
}

/** Active members and contributors in the range; superusers are the top 1% of contributors by posts (at least one). */
export async function contributorStats(db: Executor, range: DateRange): Promise<ContributorStats> {
  const r = await sql<ContributorStats>`
    with m as (
      select user_id, sum(topics + replies) as posts from analytics_member_days
      where day between ${range.from}::date and ${range.to}::date group by user_id
    ),
    c as (select posts, row_number() over (order by posts desc) as rank, count(*) over () as n from m where posts > 0)
    select (select count(*) from m)::int as active, (select count(*) from c)::int as contributors,
      coalesce((select sum(posts) from c), 0)::int as posts,
      coalesce((select sum(posts) from c where rank <= greatest(1, ceil(n * 0.01))), 0)::int as superuser_posts,
      coalesce((select count(*) from c where rank <= greatest(1, ceil(n * 0.01))), 0)::int as superusers`.execute(db);
  return r.rows[0] ?? { active: 0, contributors: 0, posts: 0, superuser_posts: 0, superusers: 0 };
}

export interface ContributorRow {
  user_id: number;
  display_name: string;
  username: string;
  topics: number;
  replies: number;
  accepted: number;
  reactions_received: number;
}

export async function topContributors(db: Executor, range: DateRange, limit: number): Promise<ContributorRow[]> {
  const r = await sql<ContributorRow>`
    with m as (
      select user_id, sum(topics)::int as topics, sum(replies)::int as replies, sum(answers_accepted)::int as accepted, sum(reactions_received)::int as reactions_received
      from analytics_member_days where day between ${range.from}::date and ${range.to}::date group by user_id
      having sum(topics + replies + answers_accepted) > 0
    )
    select m.*, coalesce(a.display_name, 'Member ' || m.user_id) as display_name, coalesce(a.username, '') as username
    from m left join analytics_members a on a.user_id = m.user_id
    order by m.replies + m.topics + 5 * m.accepted + m.reactions_received desc, m.user_id limit ${limit}`.execute(db);
  return r.rows;
}

export interface TopicRow {
  topic_id: number;
  title: string;
  public: boolean;
  kind: string;
  created_at: Date;
  reply_count: number;
  reaction_count: number;
  solved: boolean;
}

export async function trendingTopics(db: Executor, range: DateRange, limit: number): Promise<TopicRow[]> {
  const r = await sql<TopicRow>`
    select topic_id, title, public, kind, created_at, reply_count, reaction_count, accepted_at is not null as solved
    from analytics_topics
    where deleted_at is null and created_at >= ${range.from}::date and created_at < ${range.to}::date + 1
    order by reply_count + reaction_count desc, created_at desc limit ${limit}`.execute(db);
  return r.rows;
}

export async function unansweredQuestions(db: Executor, limit: number): Promise<TopicRow[]> {
  const r = await sql<TopicRow>`
    select topic_id, title, public, kind, created_at, reply_count, reaction_count, false as solved
    from analytics_topics
    where kind = 'question' and first_response_at is null and deleted_at is null
    order by created_at limit ${limit}`.execute(db);
  return r.rows;
}

export interface TermRow {
  term: string;
  uses: number;
  previous: number;
}

/** Tags used most in the range, with their use in the period of equal length before it. */
export async function trendingTerms(db: Executor, range: DateRange, limit: number): Promise<TermRow[]> {
  const r = await sql<TermRow>`
    with span as (select ${range.to}::date - ${range.from}::date + 1 as days),
    cur as (select term, sum(uses)::int as uses from analytics_terms where day between ${range.from}::date and ${range.to}::date group by term),
    prev as (select term, sum(uses)::int as uses from analytics_terms, span where day between ${range.from}::date - span.days and ${range.from}::date - 1 group by term)
    select cur.term, cur.uses, coalesce(prev.uses, 0) as previous from cur left join prev on prev.term = cur.term
    order by cur.uses - coalesce(prev.uses, 0) desc, cur.uses desc, cur.term limit ${limit}`.execute(db);
  return r.rows;
}

export async function readSummary(db: Executor, name: string): Promise<{ data: unknown; computedAt: Date } | null> {
  const row = await db.selectFrom('analytics_summaries').select(['data', 'computed_at']).where('name', '=', name).executeTakeFirst();
  return row ? { data: row.data, computedAt: row.computed_at } : null;
}

export async function readModels(db: Executor) {
  return db.selectFrom('analytics_models').select(['name', 'params', 'n', 'log_likelihood', 'converged', 'note', 'computed_at']).orderBy('name').execute();
}

export interface TransitionRow {
  from_persona: string;
  to_persona: string;
  members: number;
}

export async function personaTransitions(db: Executor, fromMonth: string, toMonth: string): Promise<TransitionRow[]> {
  const r = await sql<TransitionRow>`
    select p.persona as from_persona, c.persona as to_persona, count(*)::int as members
    from analytics_persona_snapshots p join analytics_persona_snapshots c on c.user_id = p.user_id and c.month = ${toMonth}::date
    where p.month = ${fromMonth}::date group by 1, 2`.execute(db);
  return r.rows;
}


export interface ScoreListRow {
  subject: string;
  user_id: number | null;
  customer_id: number | null;
  display_name: string;
  email: string | null;
  orders: number;
  last_order_on: string | null;
  spend_minor: number;
  r: number | null;
  f: number | null;
  m: number | null;
  segment: string | null;
  p_alive: number | null;
  p_alive_before: number | null;
  expected_purchases_90d: number | null;
  clv_12m_minor: number | null;
  value_at_stake_minor: number;
  engagement_score: number;
  value_score: number;
  persona: string | null;
  next_step: string | null;
  insider_gap: number | null;
}

const scoreColumns = sql`subject, user_id, customer_id, display_name, email, orders, last_order_on::text as last_order_on, spend_minor, r, f, m, segment,
  p_alive, p_alive_before, expected_purchases_90d, clv_12m_minor, value_at_stake_minor, engagement_score, value_score, persona, next_step, insider_gap`;

export async function closestToInsider(db: Executor, limit: number): Promise<ScoreListRow[]> {
  const r = await sql<ScoreListRow>`select ${scoreColumns} from analytics_customer_scores where persona = 'Supporters' order by insider_gap, subject limit ${limit}`.execute(db);
  return r.rows;
}

/** Members whose P(alive) fell, by value at stake; keyset after (value, subject). */
export async function churnRisk(db: Executor, opts: { limit: number; after?: { value: number; subject: string } }): Promise<ScoreListRow[]> {
  const after = opts.after ? sql`and (value_at_stake_minor, subject) < (${opts.after.value}, ${opts.after.subject})` : sql``;
  const r = await sql<ScoreListRow>`
    select ${scoreColumns} from analytics_customer_scores where value_at_stake_minor > 0 ${after}
    order by value_at_stake_minor desc, subject desc limit ${opts.limit}`.execute(db);
  return r.rows;
}

export async function topByLifetimeValue(db: Executor, opts: { limit: number; segment?: string }): Promise<ScoreListRow[]> {
  const where = opts.segment ? sql`where segment = ${opts.segment}` : sql`where clv_12m_minor is not null`;
  const order = opts.segment ? sql`order by spend_minor desc, subject` : sql`order by clv_12m_minor desc nulls last, subject`;
  const r = await sql<ScoreListRow>`select ${scoreColumns} from analytics_customer_scores ${where} ${order} limit ${opts.limit}`.execute(db);
  return r.rows;
}

export async function rollupState(db: Executor): Promise<{ lastEventId: number; updatedAt: Date | null; latestEventId: number }> {
  const state = await db.selectFrom('analytics_state').select(['last_event_id', 'updated_at']).where('name', '=', 'rollup').executeTakeFirst();
  const latest = await db.selectFrom('domain_events').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst();
  return { lastEventId: state?.last_event_id ?? 0, updatedAt: state?.updated_at ?? null, latestEventId: Number(latest?.id ?? 0) };
}
