// CSV export of every dashboard table: the same service functions the pages use, or the score table
// streamed in keyset pages for the long lists.
import { sql } from 'kysely';
import type { AppContext } from '../../platform/context.ts';
import { notFound } from '../../platform/http/errors.ts';
import { requireAdmin, type Actor } from '../admin/service.ts';
import * as repo from './repo.ts';
import { allChurnRisk, getCustomers, getHealth, getPersonas, getRetention, getRoi, resolveRange, type ScoreItem } from './service.ts';

type Cell = string | number | boolean | null | undefined;

/** One CSV line (RFC 4180); text that a spreadsheet would run as a formula is prefixed with an apostrophe. */
export function csvLine(cells: Cell[]): string {
  return (
    cells
      .map((cell) => {
        if (cell === null || cell === undefined) return '';
        if (typeof cell !== 'string') return String(cell);
        const safe = /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
        return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
      })
      .join(',') + '\r\n'
  );
}

export const EXPORTS = ['daily', 'contributors', 'terms', 'topics', 'unanswered', 'personas', 'transitions', 'closest-supporters', 'members', 'segments', 'customers', 'churn', 'repurchase', 'cohorts', 'roi'] as const;
export type ExportName = (typeof EXPORTS)[number];

const scoreHead = ['subject', 'user_id', 'customer_id', 'name', 'email', 'orders', 'last_order_on', 'spend_minor', 'rfm', 'segment', 'p_alive', 'p_alive_30_days_ago', 'expected_orders_90d', 'clv_12m_minor', 'value_at_stake_minor', 'persona'];
const scoreCells = (s: ScoreItem): Cell[] => [
  s.subject,
  s.userId,
  s.customerId,
  s.displayName,
  s.email,
  s.orders,
  s.lastOrderOn,
  s.spendMinor,
  s.rfm,
  s.segment,
  s.probabilityAlive === null ? null : s.probabilityAlive.toFixed(4),
  s.probabilityAliveBefore === null ? null : s.probabilityAliveBefore.toFixed(4),
  s.expectedPurchases90d === null ? null : s.expectedPurchases90d.toFixed(4),
  s.lifetimeValue12mMinor,
  s.valueAtStakeMinor,
  s.persona,
];

async function* allScores(ctx: AppContext, where: 'members' | 'customers'): AsyncGenerator<ScoreItem> {
  let after = '';
  for (;;) {
    const filter = where === 'members' ? sql`user_id is not null` : sql`orders > 0`;
    const rows = await sql<repo.ScoreListRow & { engagement_score: number; value_score: number }>`
      select subject, user_id, customer_id, display_name, email, orders, last_order_on::text as last_order_on, spend_minor, r, f, m, segment,
        p_alive, p_alive_before, expected_purchases_90d, clv_12m_minor, value_at_stake_minor, engagement_score, value_score, persona, next_step, insider_gap
      from analytics_customer_scores where ${filter} and subject > ${after} order by subject limit 2000`.execute(ctx.db);
    for (const s of rows.rows) {
      yield {
        subject: s.subject,
        userId: s.user_id,
        customerId: s.customer_id,
        displayName: s.display_name,
        email: s.email,
        orders: s.orders,
        lastOrderOn: s.last_order_on,
        spendMinor: s.spend_minor,
        rfm: s.r !== null && s.f !== null && s.m !== null ? `${s.r}${s.f}${s.m}` : null,
        segment: s.segment,
        probabilityAlive: s.p_alive,
        probabilityAliveBefore: s.p_alive_before,
        expectedPurchases90d: s.expected_purchases_90d,
        lifetimeValue12mMinor: s.clv_12m_minor,
        valueAtStakeMinor: s.value_at_stake_minor,
        persona: s.persona,
      };
    }
    const last = rows.rows[rows.rows.length - 1];
    if (rows.rows.length < 2000 || !last) return;
    after = last.subject;
  }
}

/** The lines of one export; the first yield runs the permission check, so a refused request sends no CSV header. */
export async function* exportCsv(ctx: AppContext, actor: Actor, name: string, query: { from?: string; to?: string; month?: string }): AsyncGenerator<string> {
  requireAdmin(actor);
  switch (name) {
    case 'daily': {
      const rows = await repo.dailySeries(ctx.db, resolveRange(query));
      yield csvLine(['day', 'dau', 'mau', 'new_members', 'new_contributors', 'topics', 'replies', 'accepted_answers', 'orders', 'revenue_minor']);
      for (const r of rows) yield csvLine([r.day, r.dau, r.mau, r.new_members, r.new_contributors, r.topics, r.replies, r.accepted, r.orders, r.revenue_minor]);
      return;
    }
    case 'contributors':
    case 'terms':
    case 'topics':
    case 'unanswered': {
      const h = await getHealth(ctx, actor, query);
      if (name === 'contributors') {
        yield csvLine(['user_id', 'name', 'username', 'topics', 'replies', 'accepted_answers', 'reactions_received']);
        for (const m of h.topContributors) yield csvLine([m.userId, m.displayName, m.username, m.topics, m.replies, m.accepted, m.reactionsReceived]);
      } else if (name === 'terms') {
        yield csvLine(['term', 'uses', 'uses_period_before']);
        for (const t of h.trendingTerms) yield csvLine([t.term, t.uses, t.previous]);
      } else if (name === 'topics') {
        yield csvLine(['topic_id', 'title', 'kind', 'replies', 'reactions', 'solved', 'created_at']);
        for (const t of h.trendingTopics) yield csvLine([t.topicId, t.title, t.kind, t.replies, t.reactions, t.solved, t.createdAt]);
      } else {
        yield csvLine(['topic_id', 'title', 'created_at']);
        for (const t of h.unanswered) yield csvLine([t.topicId, t.title, t.createdAt]);
      }
      return;
    }
    case 'personas':
    case 'transitions':
    case 'closest-supporters': {
      const p = await getPersonas(ctx, actor, { month: query.month });
      if (name === 'personas') {
        yield csvLine(['persona', 'members', 'share', 'benchmark', 'rule']);
        for (const x of p.split) yield csvLine([x.persona, x.members, x.share.toFixed(4), x.benchmark.toFixed(2), x.rule]);
      } else if (name === 'transitions') {
        yield csvLine(['from_month', 'to_month', 'from_persona', 'to_persona', 'members']);
        for (const x of p.transitions.cells) yield csvLine([p.transitions.from, p.transitions.to, x.from, x.to, x.members]);
      } else {
        yield csvLine(['user_id', 'name', 'engagement', 'value', 'gap', 'next_step']);
        for (const x of p.closestToInsiders) yield csvLine([x.userId, x.displayName, x.engagement, x.value, x.gap, x.nextStep]);
      }
      return;
    }
    case 'segments': {
      const k = await getCustomers(ctx, actor);
      yield csvLine(['segment', 'customers', 'spend_minor', 'clv_12m_minor', 'mean_p_alive', 'definition', 'suggested_action']);
      for (const s of k.segments) yield csvLine([s.segment, s.customers, s.spendMinor, s.lifetimeValue12mMinor, s.meanProbabilityAlive === null ? null : s.meanProbabilityAlive.toFixed(4), s.definition, s.suggestedAction]);
      return;
    }
    case 'members':
    case 'customers': {
      yield csvLine(scoreHead);
      for await (const s of allScores(ctx, name)) yield csvLine(scoreCells(s));
      return;
    }
    case 'churn': {
      yield csvLine(scoreHead);
      for await (const s of allChurnRisk(ctx, actor)) yield csvLine(scoreCells(s));
      return;
    }
    case 'repurchase': {
      const r = await getRetention(ctx, actor);
      yield csvLine(['dimension', 'group', 'customers', 'repeat_buyers', 'repurchase_rate', 'ci95_low', 'ci95_high']);
      for (const g of r.groups) yield csvLine([g.dimension, g.group, g.customers, g.repeaters, g.repurchaseRate.toFixed(4), g.low.toFixed(4), g.high.toFixed(4)]);
      return;
    }
    case 'cohorts': {
      const r = await getRetention(ctx, actor);
      yield csvLine(['cohort', 'group', 'customers', ...Array.from({ length: 13 }, (_, k) => `month_${k}`)]);
      for (const row of r.cohorts) yield csvLine([row.cohort, row.group, row.customers, ...row.retention.map((x) => (x === null ? null : x.toFixed(4)))]);
      return;
    }
    case 'roi': {
      const r = await getRoi(ctx, actor, query);
      yield csvLine(['from', 'to', 'currency', 'direct_deflections', 'solved_views', 'indirect_deflections', 'support_savings_minor', 'retention_margin_minor', 'referral_margin_minor', 'program_cost_minor', 'net_minor', 'roi']);
      yield csvLine([r.range.from, r.range.to, r.currency, r.directDeflections, r.solvedViews, r.indirectDeflections, r.supportSavingsMinor, r.retentionMarginMinor, r.referralMarginMinor, r.programCostMinor, r.netMinor, r.roi === null ? null : r.roi.toFixed(4)]);
      return;
    }
    default:
      throw notFound('There is no such export.');
  }
}
