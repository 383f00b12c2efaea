// Retention: repurchase rates by group (members against store customers without an account, by persona, by
// loyalty tier, referrers against not) with Wilson 95% intervals, and monthly cohort retention curves.
// Written by the recompute into analytics_summaries; the page reads that one row.
import { sql } from 'kysely';
import type { Executor } from '../../platform/jobs/registry.ts';

export interface RateRow {
  dimension: string;
  group: string;
  customers: number;
  repeaters: number;
}

export interface CohortRow {
  cohort: string;
  member: boolean;
  k: number;
  customers: number;
}

export interface RetentionSummary {
  rates: RateRow[];
  cohorts: CohortRow[];
}

/** Wilson score interval for a proportion at 95%: honest for small groups and rates near 0 or 1. */
export function wilson(successes: number, n: number, z = 1.959964): { low: number; high: number } | null {
  if (n <= 0) return null;
  const p = successes / n;
  const denom = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denom;
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

export async function computeRetention(db: Executor, asOf: Date): Promise<RetentionSummary> {
  const rates = await sql<RateRow>`
    with s as (
      select sc.orders, sc.user_id is not null as member, sc.persona, m.tier, coalesce(m.referrals, 0) > 0 as referrer, coalesce(m.referred, false) as referred
      from analytics_customer_scores sc left join analytics_members m on m.user_id = sc.user_id
      where sc.orders > 0
    )
    select 'membership' as dimension, case when member then 'Community members' else 'Store customers without an account' end as "group",
      count(*)::int as customers, (count(*) filter (where orders >= 2))::int as repeaters from s group by 2
    union all
    select 'persona', persona, count(*)::int, (count(*) filter (where orders >= 2))::int from s where persona is not null group by 2
    union all
    select 'tier', coalesce(tier, 'No tier'), count(*)::int, (count(*) filter (where orders >= 2))::int from s where member group by 2
    union all
    select 'referrer', case when referrer then 'Referred a friend' else 'Never referred' end, count(*)::int, (count(*) filter (where orders >= 2))::int
    from s where member group by 2
    union all
    select 'referred', case when referred then 'Joined through a referral' else 'Not referred' end, count(*)::int, (count(*) filter (where orders >= 2))::int
    from s where member group by 2`.execute(db);
  const cohorts = await sql<CohortRow>`
    with o as (
      select case when user_id is not null then 'm' || user_id else 'c' || customer_id end as subject, user_id is not null as member,
        date_trunc('month', paid_at at time zone 'UTC') as month
      from analytics_customer_orders where cancelled_at is null and total_minor > refunded_minor and paid_at < ${asOf.toISOString()}::timestamptz
    ),
    f as (select subject, bool_or(member) as member, min(month) as cohort from o group by subject),
    a as (
      select distinct o.subject, f.member, f.cohort,
        ((extract(year from o.month) - extract(year from f.cohort)) * 12 + extract(month from o.month) - extract(month from f.cohort))::int as k
      from o join f on f.subject = o.subject
      where f.cohort >= date_trunc('month', ${asOf.toISOString()}::timestamptz at time zone 'UTC') - interval '12 months'
    )
    select to_char(cohort, 'YYYY-MM') as cohort, member, k, count(*)::int as customers from a group by 1, 2, 3 order by 1, 2, 3`.execute(db);
  return { rates: rates.rows, cohorts: cohorts.rows };
}
