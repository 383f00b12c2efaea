// The nightly recompute: from the fact tables to one score row per member or store customer (RFM,
// BG/NBD + Gamma-Gamma predictions, persona, churn risk), the month's persona snapshot and the daily
// active-member figures. Aggregation is SQL; the models run in TypeScript over the per-customer summary.
import { sql } from 'kysely';
import type { AppContext } from '../../platform/context.ts';
import type { Executor } from '../../platform/jobs/registry.ts';
import { bgnbdProbabilityAlive, fitBgnbd, type BgnbdParams } from './models/bgnbd.ts';
import { fitGammaGamma, type GammaGammaParams } from './models/gamma-gamma.ts';
import { predictCustomer, type CustomerPrediction } from './models/predict.ts';
import { scoreRfm } from './models/rfm.ts';
import { computeRetention } from './retention.ts';
import { refreshHealthPresets, refreshPersonaMovement } from './snapshots.ts';
import { assignPersona, loadPersonaSettings, type PersonaSettings } from './personas.ts';

export const CLV_MONTHS = 12;
export const MONTHLY_DISCOUNT_RATE = 0.01;
export const FORECAST_DAYS = 90;
/** P(alive) is compared with its value this many days earlier (same model, the history up to then). */
export const CHURN_LOOKBACK_DAYS = 30;
const MS_PER_DAY = 86_400_000;
const WRITE_BATCH = 5000;

export interface RecomputeOptions {
  /** The scoring date (default now): the calibration end of the models and "today" of RFM and personas. */
  asOf?: Date;
  /** Days of analytics_daily refreshed (DAU/MAU), ending at asOf. */
  dailyDays?: number;
}

export interface RecomputeResult {
  customers: number;
  members: number;
  scored: number;
  model: { bgnbd: BgnbdParams | null; gammaGamma: GammaGammaParams | null; note: string | null };
  ms: { summary: number; fit: number; predict: number; write: number; daily: number; total: number };
}

interface CustomerRow {
  subject: string;
  user_id: number | null;
  customer_id: number | null;
  email: string | null;
  days: number;
  orders: number;
  first_day: number;
  last_day: number;
  total_minor: number;
  repeat_minor: number;
  days_before: number;
  last_before: number | null;
}

interface EngagementRow {
  user_id: number;
  active_days: number;
  reads: number;
  follows: number;
  posts: number;
  accepted: number;
  received: number;
  given: number;
}

/** Money in minor units as a bigint column holds it; a model's runaway value (outside ±10^13) is dropped, not stored. */
const safeMinor = (x: number) => (Number.isFinite(x) && Math.abs(x) < 1e13 ? Math.round(x) : null);
const finiteOrNull = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? x : null);
const dayNumberOf = (d: Date) => Math.floor(d.getTime() / MS_PER_DAY);
const isoDay = (day: number) => new Date(day * MS_PER_DAY).toISOString().slice(0, 10);

/** Per-customer summary from the paid orders, net of refunds; a member's store customers count as one. */
async function loadCustomerSummaries(db: Executor, asOfDay: number): Promise<CustomerRow[]> {
  const end = isoDay(asOfDay + 1);
  const before = isoDay(asOfDay - CHURN_LOOKBACK_DAYS);
  const result = await sql<CustomerRow>`
    with o as (
      select case when user_id is not null then 'm' || user_id else 'c' || customer_id end as subject,
        user_id, customer_id, (paid_at at time zone 'UTC')::date as day, total_minor - refunded_minor as net
      from analytics_customer_orders
      where cancelled_at is null and total_minor > refunded_minor and paid_at < ${end}::date
    ),
    d as (
      select subject, day, sum(net) as amount, count(*) as orders, max(user_id) as user_id, max(customer_id) as customer_id,
        min(day) over (partition by subject) as first_day
      from o group by subject, day
    )
    select d.subject, max(d.user_id)::bigint as user_id, max(d.customer_id)::bigint as customer_id,
      (select max(c.email) from analytics_customers c where c.customer_id = max(d.customer_id)) as email,
      count(*)::int as days, sum(d.orders)::int as orders,
      (min(d.day) - date '1970-01-01')::int as first_day, (max(d.day) - date '1970-01-01')::int as last_day,
      sum(d.amount)::bigint as total_minor, coalesce(sum(d.amount) filter (where d.day > d.first_day), 0)::bigint as repeat_minor,
      (count(*) filter (where d.day <= ${before}::date))::int as days_before,
      (max(d.day) filter (where d.day <= ${before}::date) - date '1970-01-01')::int as last_before
    from d group by d.subject`.execute(db);
  return result.rows;
}

async function loadEngagement(db: Executor, asOfDay: number, windowDays: number): Promise<EngagementRow[]> {
  const result = await sql<EngagementRow>`
    select user_id, count(*)::int as active_days, sum(reads)::int as reads, sum(follows)::int as follows, sum(topics + replies)::int as posts, sum(answers_accepted)::int as accepted,
      sum(reactions_received)::int as received, sum(reactions_given)::int as given
    from analytics_member_days
    where day > ${isoDay(asOfDay - windowDays)}::date and day <= ${isoDay(asOfDay)}::date
    group by user_id`.execute(db);
  return result.rows;
}

interface Fitted {
  bgnbd: BgnbdParams | null;
  gammaGamma: GammaGammaParams | null;
  note: string | null;
  bgnbdFit?: { n: number; logLikelihood: number; converged: boolean };
  ggFit?: { n: number; logLikelihood: number; converged: boolean };
}

/** Fits BG/NBD (in weeks) and Gamma-Gamma (in major units); a model that cannot be fitted leaves its predictions empty, with the reason. */
function fitModels(customers: CustomerRow[], asOfDay: number): Fitted {
  const n = customers.length;
  const repeaters = customers.filter((c) => c.days > 1).length;
  if (n < 20 || repeaters < 5) return { bgnbd: null, gammaGamma: null, note: `Too little order history to fit the models (${n} customers, ${repeaters} with repeat purchases; at least 20 and 5 are needed).` };
  const frequency = new Float64Array(n);
  const recency = new Float64Array(n);
  const T = new Float64Array(n);
  const monetary = new Float64Array(n);
  customers.forEach((c, i) => {
    frequency[i] = c.days - 1;
    recency[i] = (c.last_day - c.first_day) / 7;
    T[i] = (asOfDay - c.first_day) / 7;
    monetary[i] = c.days > 1 ? c.repeat_minor / 100 / (c.days - 1) : 0;
  });
  const notes: string[] = [];
  let bgnbd: BgnbdParams | null = null;
  let gammaGamma: GammaGammaParams | null = null;
  const out: Fitted = { bgnbd: null, gammaGamma: null, note: null };
  try {
    const fit = fitBgnbd({ frequency, recency, T });
    out.bgnbdFit = { n: fit.n, logLikelihood: fit.logLikelihood, converged: fit.converged };
    if (fit.converged) bgnbd = fit.params;
    else notes.push(`BG/NBD did not converge (stopped at r ${fit.params.r.toPrecision(4)}, α ${fit.params.alpha.toPrecision(4)}, a ${fit.params.a.toPrecision(4)}, b ${fit.params.b.toPrecision(4)}).`);
  } catch (err) {
    notes.push(`BG/NBD could not be fitted: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    const fit = fitGammaGamma({ frequency, monetaryValue: monetary });
    out.ggFit = { n: fit.n, logLikelihood: fit.logLikelihood, converged: fit.converged };
    if (fit.converged && fit.params.q > 1) gammaGamma = fit.params;
    else notes.push(`Gamma-Gamma did not converge to a usable fit (p ${fit.params.p.toPrecision(4)}, q ${fit.params.q.toPrecision(4)}, v ${fit.params.v.toPrecision(4)}).`);
  } catch (err) {
    notes.push(`Gamma-Gamma could not be fitted: ${err instanceof Error ? err.message : String(err)}`);
  }
  return { ...out, bgnbd, gammaGamma, note: notes.length > 0 ? notes.join(' ') : null };
}

interface ScoreRow {
  subject: string;
  user_id: number | null;
  customer_id: number | null;
  display_name: string;
  email: string | null;
  orders: number;
  first_order_on: string | null;
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

function buildScores(customers: CustomerRow[], engagement: EngagementRow[], members: Array<{ user_id: number; display_name: string; referrals: number; shares: number }>, fitted: Fitted, asOfDay: number, settings: PersonaSettings): ScoreRow[] {
  const rfm = scoreRfm(customers.map((c) => ({ id: c.subject, recencyDays: Math.max(0, asOfDay - c.last_day), frequency: c.days, monetary: c.total_minor })));
  const rfmBySubject = new Map(rfm.map((s) => [s.id, s]));
  const engagementByUser = new Map(engagement.map((e) => [e.user_id, e]));
  const memberById = new Map(members.map((m) => [m.user_id, m]));
  const predictions = new Map<string, CustomerPrediction>();
  const rows: ScoreRow[] = [];
  const seenUsers = new Set<number>();

  const predictionFor = (c: CustomerRow): CustomerPrediction | null => {
    if (!fitted.bgnbd || !fitted.gammaGamma) return null;
    const x = c.days - 1;
    const mv = x > 0 ? c.repeat_minor / 100 / x : 0;
    const key = `${x}|${c.last_day - c.first_day}|${asOfDay - c.first_day}|${mv}`;
    let p = predictions.get(key);
    if (!p) {
      p = predictCustomer({ kind: 'bgnbd', params: fitted.bgnbd }, fitted.gammaGamma, { id: c.subject, frequency: x, recency: (c.last_day - c.first_day) / 7, T: (asOfDay - c.first_day) / 7, monetaryValue: mv }, {
        horizon: FORECAST_DAYS / 7,
        months: CLV_MONTHS,
        monthlyDiscountRate: MONTHLY_DISCOUNT_RATE,
        timeUnit: 'week',
      });
      predictions.set(key, p);
    }
    return p;
  };

  const personaOf = (userId: number, orders: number, spendMinor: number, predictedMinor: number) => {
    const e = engagementByUser.get(userId);
    const m = memberById.get(userId);
    return assignPersona(
      { visitDays: e?.active_days ?? 0, reads: e?.reads ?? 0, follows: e?.follows ?? 0, posts: e?.posts ?? 0, acceptedAnswers: e?.accepted ?? 0, reactionsReceived: e?.received ?? 0, reactionsGiven: e?.given ?? 0 },
      { orders, spend: spendMinor / 100, predicted: predictedMinor / 100, referrals: m?.referrals ?? 0, shares: m?.shares ?? 0 },
      settings,
    );
  };

  for (const c of customers) {
    const s = rfmBySubject.get(c.subject);
    const p = predictionFor(c);
    let pBefore: number | null = null;
    if (fitted.bgnbd && c.days_before > 0 && c.last_before !== null) {
      const beforeDay = asOfDay - CHURN_LOOKBACK_DAYS;
      pBefore = bgnbdProbabilityAlive(fitted.bgnbd, { frequency: c.days_before - 1, recency: (c.last_before - c.first_day) / 7, T: (beforeDay - c.first_day) / 7 });
    }
    if (pBefore !== null && !Number.isFinite(pBefore)) pBefore = null;
    const clvMinor = p ? safeMinor(p.lifetimeValue * 100) : null;
    const ifActive = p && clvMinor !== null ? clvMinor / Math.max(p.probabilityAlive, 0.01) : 0;
    const atStakeRaw = p && pBefore !== null && pBefore > p.probabilityAlive ? Math.round((pBefore - p.probabilityAlive) * ifActive) : 0;
    const atStake = safeMinor(atStakeRaw) ?? 0;
    const persona = c.user_id !== null ? personaOf(c.user_id, c.orders, c.total_minor, clvMinor ?? 0) : null;
    if (c.user_id !== null) seenUsers.add(c.user_id);
    rows.push({
      subject: c.subject,
      user_id: c.user_id,
      customer_id: c.customer_id,
      display_name: (c.user_id !== null ? memberById.get(c.user_id)?.display_name : undefined) ?? c.email ?? `Customer ${c.customer_id ?? ''}`,
      email: c.email,
      orders: c.orders,
      first_order_on: isoDay(c.first_day),
      last_order_on: isoDay(c.last_day),
      spend_minor: c.total_minor,
      r: s?.r ?? null,
      f: s?.f ?? null,
      m: s?.m ?? null,
      segment: s?.segment ?? null,
      p_alive: finiteOrNull(p?.probabilityAlive),
      p_alive_before: pBefore,
      expected_purchases_90d: finiteOrNull(p?.expectedPurchases),
      clv_12m_minor: clvMinor,
      value_at_stake_minor: atStake,
      engagement_score: persona?.engagement ?? 0,
      value_score: persona?.value ?? 0,
      persona: persona?.persona ?? null,
      next_step: persona?.nextStep ?? null,
      insider_gap: persona?.insiderGap ?? null,
    });
  }
  // Members who have never bought still have a persona.
  for (const m of members) {
    if (seenUsers.has(m.user_id)) continue;
    const persona = personaOf(m.user_id, 0, 0, 0);
    rows.push({
      subject: `m${m.user_id}`,
      user_id: m.user_id,
      customer_id: null,
      display_name: m.display_name,
      email: null,
      orders: 0,
      first_order_on: null,
      last_order_on: null,
      spend_minor: 0,
      r: null,
      f: null,
      m: null,
      segment: null,
      p_alive: null,
      p_alive_before: null,
      expected_purchases_90d: null,
      clv_12m_minor: null,
      value_at_stake_minor: 0,
      engagement_score: persona.engagement,
      value_score: persona.value,
      persona: persona.persona,
      next_step: persona.nextStep,
      insider_gap: persona.insiderGap,
    });
  }
  return rows;
}

async function writeScores(db: Executor, rows: ScoreRow[], computedAt: Date): Promise<void> {
  await sql`delete from analytics_customer_scores`.execute(db);
  const at = computedAt.toISOString();
  for (let i = 0; i < rows.length; i += WRITE_BATCH) {
    const part = rows.slice(i, i + WRITE_BATCH);
    await sql`
      insert into analytics_customer_scores (subject, user_id, customer_id, display_name, email, orders, first_order_on, last_order_on, spend_minor,
        r, f, m, segment, p_alive, p_alive_before, expected_purchases_90d, clv_12m_minor, value_at_stake_minor, engagement_score, value_score,
        persona, next_step, insider_gap, computed_at)
      select t.*, ${at}::timestamptz from jsonb_to_recordset(${JSON.stringify(part)}::jsonb) as t(subject text, user_id bigint, customer_id bigint,
        display_name text, email text, orders int, first_order_on date, last_order_on date, spend_minor bigint, r smallint, f smallint, m smallint,
        segment text, p_alive double precision, p_alive_before double precision, expected_purchases_90d double precision, clv_12m_minor bigint,
        value_at_stake_minor bigint, engagement_score double precision, value_score double precision, persona text, next_step text,
        insider_gap double precision)`.execute(db);
  }
}

/**
 * DAU and MAU for each day of the range. MAU counts members active on any of the 30 days ending that
 * day: each member-day opens a 30-day window, and overlapping windows of one member are merged (a window
 * starts where the previous one ended), so a running sum of window starts and ends gives the distinct count.
 */
async function refreshDaily(db: Executor, fromDay: number, toDay: number): Promise<void> {
  const from = isoDay(fromDay);
  const to = isoDay(toDay);
  await sql`
    with days as (select generate_series(${from}::date - 30, ${to}::date, interval '1 day')::date as day),
    a as (
      select user_id, day, lag(day) over (partition by user_id order by day) as prev
      from analytics_member_days where day between ${from}::date - 29 and ${to}::date
    ),
    iv as (select case when prev is null or prev + 30 <= day then day else prev + 30 end as s, day + 30 as e from a),
    deltas as (select d, sum(c) as c from (select s as d, 1 as c from iv union all select e, -1 from iv) x group by d),
    mau as (select days.day, sum(coalesce(deltas.c, 0)) over (order by days.day) as n from days left join deltas on deltas.d = days.day),
    dau as (select day, count(*) as n from analytics_member_days where day between ${from}::date and ${to}::date group by day)
    insert into analytics_daily (day, dau, mau)
    select mau.day, coalesce(dau.n, 0), mau.n from mau left join dau on dau.day = mau.day where mau.day >= ${from}::date
    on conflict (day) do update set dau = excluded.dau, mau = excluded.mau`.execute(db);
}

async function saveModels(db: Executor, fitted: Fitted, computedAt: Date): Promise<void> {
  const rows = [
    { name: 'bgnbd', params: fitted.bgnbd ?? {}, n: fitted.bgnbdFit?.n ?? 0, ll: fitted.bgnbdFit?.logLikelihood ?? null, converged: fitted.bgnbd !== null },
    { name: 'gamma-gamma', params: fitted.gammaGamma ?? {}, n: fitted.ggFit?.n ?? 0, ll: fitted.ggFit?.logLikelihood ?? null, converged: fitted.gammaGamma !== null },
  ];
  for (const r of rows) {
    const values = { name: r.name, params: JSON.stringify(r.params), n: r.n, log_likelihood: r.ll !== null && Number.isFinite(r.ll) ? r.ll : null, converged: r.converged, note: fitted.note, computed_at: computedAt };
    await db.insertInto('analytics_models').values(values).onConflict((oc) => oc.column('name').doUpdateSet(values)).execute();
  }
}

/** Per segment and per persona: counts, spend, predicted value, mean P(alive). */
async function writeSummaries(db: Executor, computedAt: Date): Promise<void> {
  await sql`
    insert into analytics_summaries (name, data, computed_at)
    select 'segments', coalesce(jsonb_agg(s order by s.customers desc), '[]'::jsonb), ${computedAt.toISOString()}::timestamptz from (
      select segment, count(*)::int as customers, sum(spend_minor)::bigint as spend_minor, coalesce(sum(clv_12m_minor), 0)::bigint as clv_minor,
        avg(p_alive) as p_alive, avg(orders)::float8 as orders
      from analytics_customer_scores where segment is not null group by segment
    ) s
    union all
    select 'personas', coalesce(jsonb_agg(p), '[]'::jsonb), ${computedAt.toISOString()}::timestamptz from (
      select persona, count(*)::int as members, avg(engagement_score)::float8 as engagement, avg(value_score)::float8 as value,
        sum(spend_minor)::bigint as spend_minor, coalesce(sum(clv_12m_minor), 0)::bigint as clv_minor
      from analytics_customer_scores where persona is not null group by persona
    ) p
    union all
    select 'totals', jsonb_build_object('scored', count(*), 'customers', count(*) filter (where orders > 0), 'members', count(*) filter (where user_id is not null),
      'spend_minor', coalesce(sum(spend_minor), 0), 'clv_minor', coalesce(sum(clv_12m_minor), 0), 'at_risk', count(*) filter (where value_at_stake_minor > 0),
      'at_stake_minor', coalesce(sum(value_at_stake_minor), 0),
      'currency', (select currency from analytics_customer_orders group by currency order by count(*) desc limit 1),
      'referrals', (select coalesce(sum(referrals), 0) from analytics_members)),
      ${computedAt.toISOString()}::timestamptz
    from analytics_customer_scores
    on conflict (name) do update set data = excluded.data, computed_at = excluded.computed_at`.execute(db);
}

/**
 * Between nightly recomputes (after each scheduled rollup): today's and yesterday's DAU and MAU, and the
 * health page's preset ranges, so the dashboards show today's activity within minutes.
 */
export async function refreshRecent(ctx: AppContext, now = new Date()): Promise<void> {
  const today = dayNumberOf(now);
  await refreshDaily(ctx.db, today - 1, today);
  await refreshHealthPresets(ctx.db, now);
}

/** The whole recompute, one transaction for the score table so pages never see it half written. */
export async function runRecompute(ctx: AppContext, options: RecomputeOptions = {}): Promise<RecomputeResult> {
  const started = performance.now();
  const asOf = options.asOf ?? new Date();
  const asOfDay = dayNumberOf(asOf);
  const settings = await loadPersonaSettings(ctx.db);

  let t = performance.now();
  const customers = await loadCustomerSummaries(ctx.db, asOfDay);
  const engagement = await loadEngagement(ctx.db, asOfDay, settings.windowDays);
  const members = await ctx.db.selectFrom('analytics_members').select(['user_id', 'display_name', 'referrals', 'shares']).execute();
  const summaryMs = performance.now() - t;

  t = performance.now();
  const fitted = fitModels(customers, asOfDay);
  const fitMs = performance.now() - t;

  t = performance.now();
  const rows = buildScores(customers, engagement, members, fitted, asOfDay, settings);
  const predictMs = performance.now() - t;

  t = performance.now();
  const month = isoDay(asOfDay).slice(0, 8) + '01';
  await ctx.db.transaction().execute(async (trx) => {
    await writeScores(trx, rows, asOf);
    await saveModels(trx, fitted, asOf);
    await sql`delete from analytics_persona_snapshots where month = ${month}::date`.execute(trx);
    await sql`
      insert into analytics_persona_snapshots (month, user_id, persona)
      select ${month}::date, user_id, persona from analytics_customer_scores where user_id is not null and persona is not null
      on conflict (month, user_id) do update set persona = excluded.persona`.execute(trx);
    await writeSummaries(trx, asOf);
    await refreshPersonaMovement(trx);
    const retention = await computeRetention(trx, asOf);
    await trx
      .insertInto('analytics_summaries')
      .values({ name: 'retention', data: JSON.stringify(retention), computed_at: asOf })
      .onConflict((oc) => oc.column('name').doUpdateSet({ data: JSON.stringify(retention), computed_at: asOf }))
      .execute();
  });
  const writeMs = performance.now() - t;

  t = performance.now();
  await refreshDaily(ctx.db, asOfDay - (options.dailyDays ?? 400) + 1, asOfDay);
  await refreshHealthPresets(ctx.db, asOf);
  const dailyMs = performance.now() - t;

  const round = (x: number) => Math.round(x);
  return {
    customers: customers.length,
    members: members.length,
    scored: rows.length,
    model: { bgnbd: fitted.bgnbd, gammaGamma: fitted.gammaGamma, note: fitted.note },
    ms: { summary: round(summaryMs), fit: round(fitMs), predict: round(predictMs), write: round(writeMs), daily: round(dailyMs), total: round(performance.now() - started) },
  };
}
