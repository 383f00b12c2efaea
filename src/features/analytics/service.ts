// Analytics for administrators: every function checks the actor first, then reads rollups only.
import type { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import { recordAudit } from '../../platform/audit/index.ts';
import { badRequest, validationFailed } from '../../platform/http/errors.ts';
import { decodeCursor, encodeCursor } from '../../platform/http/pagination.ts';
import { requireAdmin, type Actor } from '../admin/service.ts';
import { RFM_SEGMENTS } from './models/rfm.ts';
import {
  ENGAGEMENT_DEFINITION,
  loadPersonaSettings,
  PERSONA_BENCHMARK,
  PERSONAS,
  personaRules,
  personaSettingsSchema,
  savePersonaSettings,
  VALUE_DEFINITION,
  type PersonaSettings,
} from './personas.ts';
import { runRecompute } from './recompute.ts';
import * as repo from './repo.ts';
import { runRollup } from './rollup.ts';
import { previousMonth, readHealthPreset, readPersonaMovement } from './snapshots.ts';
import { wilson, type RetentionSummary } from './retention.ts';
import { computeRoi, loadRoiSettings, roiInputs, roiSettingsSchema, saveRoiSettings, type RoiSettings } from './roi.ts';
import type { churnSchema, customersSchema, healthSchema, personasSchema, retentionSchema, roiSchema } from './schema.ts';

export type Health = z.input<typeof healthSchema>;
export type Personas = z.input<typeof personasSchema>;
export type Customers = z.input<typeof customersSchema>;
export type Churn = z.input<typeof churnSchema>;
export type Retention = z.input<typeof retentionSchema>;
export type Roi = z.input<typeof roiSchema>;

export async function getRoi(ctx: AppContext, actor: Actor, input: { from?: string; to?: string; questions?: number; share?: number }): Promise<Roi> {
  requireAdmin(actor);
  const range = resolveRange(input);
  const [saved, inputs, retention, { currency, totals }] = await Promise.all([loadRoiSettings(ctx.db), roiInputs(ctx.db, range), repo.readSummary(ctx.db, 'retention'), currencyOf(ctx)]);
  // The calculator's two inputs can be tried without saving them.
  const settings: RoiSettings = { ...saved, supportQuestionsPerMonth: input.questions ?? saved.supportQuestionsPerMonth, whatIfShare: input.share !== undefined ? input.share / 100 : saved.whatIfShare };
  const rates = ((retention?.data ?? { rates: [] }) as RetentionSummary).rates.filter((r) => r.dimension === 'membership');
  const members = rates.find((r) => r.group === 'Community members');
  const others = rates.find((r) => r.group !== 'Community members');
  const rate = (r: { customers: number; repeaters: number } | undefined) => (r && r.customers > 0 ? r.repeaters / r.customers : null);
  const referrals = num(totals.referrals);
  const days = Math.round((Date.parse(`${range.to}T00:00:00Z`) - Date.parse(`${range.from}T00:00:00Z`)) / MS_PER_DAY) + 1;
  const f = computeRoi(settings, inputs, { memberCustomers: members?.customers ?? 0, memberRate: rate(members), otherRate: rate(others), referrals }, days);
  return {
    range,
    currency,
    settings,
    directDeflections: f.directDeflections,
    solvedViews: inputs.solvedViews,
    indirectDeflections: f.indirectDeflections,
    supportSavingsMinor: f.supportSavingsMinor,
    averageOrderMinor: f.averageOrderMinor,
    memberRepurchaseRate: rate(members),
    otherRepurchaseRate: rate(others),
    extraRepeatBuyers: f.extraRepeatBuyers,
    retentionMarginMinor: f.retentionMarginMinor,
    referrals,
    referralMarginMinor: f.referralMarginMinor,
    programCostMinor: f.programCostMinor,
    netMinor: f.netMinor,
    roi: f.roi,
    whatIf: { questionsPerMonth: settings.supportQuestionsPerMonth, share: settings.whatIfShare, ...f.whatIf },
  };
}

export async function updateRoiSettings(ctx: AppContext, actor: Actor, input: Record<string, unknown>): Promise<RoiSettings> {
  const { actorId } = requireAdmin(actor);
  const parsed = roiSettingsSchema.safeParse(input);
  if (!parsed.success) {
    const fields: Record<string, string> = {};
    for (const issue of parsed.error.issues) fields[String(issue.path[0] ?? 'form')] = issue.message;
    throw validationFailed(fields);
  }
  await saveRoiSettings(ctx.db, parsed.data);
  await recordAudit(ctx.db, { actorId, action: 'analytics.roi_settings', subject: 'analytics', detail: parsed.data, ip: actor.ip });
  return parsed.data;
}

export const RETENTION_CAVEAT =
  'These are comparisons, not causes: members who join a community may have been loyal customers anyway. Groups are compared as they are, without controlling for anything else; read the sample sizes and intervals before the rates.';

const MONTHS = 13;
const groupOf = (member: boolean) => (member ? 'Community members' : 'Store customers without an account');

export async function getRetention(ctx: AppContext, actor: Actor): Promise<Retention> {
  requireAdmin(actor);
  const summary = await repo.readSummary(ctx.db, 'retention');
  const data = (summary?.data ?? { rates: [], cohorts: [] }) as RetentionSummary;
  const dimensions = ['membership', 'persona', 'tier', 'referred', 'referrer'] as const;
  const groups = data.rates
    .filter((r): r is typeof r & { dimension: (typeof dimensions)[number] } => (dimensions as readonly string[]).includes(r.dimension))
    .map((r) => {
      const ci = wilson(r.repeaters, r.customers) ?? { low: 0, high: 0 };
      return { dimension: r.dimension, group: r.group, customers: r.customers, repeaters: r.repeaters, repurchaseRate: r.customers > 0 ? r.repeaters / r.customers : 0, low: ci.low, high: ci.high };
    })
    .sort((a, b) => dimensions.indexOf(a.dimension) - dimensions.indexOf(b.dimension) || b.customers - a.customers);
  // Cohorts by first-order month; a month's share is of the cohort's first-month customers.
  const byCohort = new Map<string, { cohort: string; member: boolean; counts: number[] }>();
  for (const row of data.cohorts) {
    const key = `${row.cohort}|${row.member}`;
    let c = byCohort.get(key);
    if (!c) {
      c = { cohort: row.cohort, member: row.member, counts: new Array<number>(MONTHS).fill(0) };
      byCohort.set(key, c);
    }
    if (row.k >= 0 && row.k < MONTHS) c.counts[row.k] = row.customers;
  }
  const asOf = summary?.computedAt ?? new Date();
  const monthsSince = (cohort: string) => {
    const [y, m] = cohort.split('-').map(Number);
    return (asOf.getUTCFullYear() - (y ?? 0)) * 12 + asOf.getUTCMonth() + 1 - (m ?? 0);
  };
  const cohorts = [...byCohort.values()].map((c) => {
    const size = c.counts[0] ?? 0;
    const elapsed = monthsSince(c.cohort);
    return { cohort: c.cohort, group: groupOf(c.member), customers: size, retention: c.counts.map((n, k) => (k <= elapsed && size > 0 ? n / size : null)) };
  });
  // Pooled curves: at month k, the cohorts old enough to have one.
  const curves = [true, false].map((member) => {
    const mine = [...byCohort.values()].filter((c) => c.member === member);
    const points = Array.from({ length: MONTHS }, (_, k) => {
      const eligible = mine.filter((c) => monthsSince(c.cohort) >= k);
      const base = eligible.reduce((s, c) => s + (c.counts[0] ?? 0), 0);
      const kept = eligible.reduce((s, c) => s + (c.counts[k] ?? 0), 0);
      return { month: k, rate: base > 0 ? kept / base : null, customers: base };
    });
    return { group: groupOf(member), points };
  });
  return { computedAt: summary?.computedAt.toISOString() ?? null, caveat: RETENTION_CAVEAT, groups, curves, cohorts };
}

const MS_PER_DAY = 86_400_000;
const MAX_RANGE_DAYS = 400;

/** The range asked for, or the last 30 days; refused when reversed or longer than 400 days. */
export function resolveRange(input: { from?: string; to?: string }, now = new Date()): repo.DateRange {
  const to = input.to ?? now.toISOString().slice(0, 10);
  const toMs = Date.parse(`${to}T00:00:00Z`);
  const from = input.from ?? new Date(toMs - 29 * MS_PER_DAY).toISOString().slice(0, 10);
  const fromMs = Date.parse(`${from}T00:00:00Z`);
  if (Number.isNaN(toMs) || Number.isNaN(fromMs)) throw validationFailed({ from: 'Use real dates like 2026-01-31.' });
  if (fromMs > toMs) throw validationFailed({ from: 'The start must be on or before the end.' });
  if ((toMs - fromMs) / MS_PER_DAY + 1 > MAX_RANGE_DAYS) throw validationFailed({ from: `Choose at most ${MAX_RANGE_DAYS} days.` });
  return { from, to };
}

const share = (part: number, whole: number) => (whole > 0 ? part / whole : null);

export async function getHealth(ctx: AppContext, actor: Actor, input: { from?: string; to?: string }): Promise<Health> {
  requireAdmin(actor);
  const range = resolveRange(input);
  // The preset ranges (the last 7, 30, 90 or 365 days) are precomputed after each rollup; others are counted now.
  const preset = await readHealthPreset(ctx.db, range);
  const [series, questions, contributors, top, topics, terms, unanswered] = await Promise.all([
    repo.dailySeries(ctx.db, range),
    repo.questionStats(ctx.db, range),
    preset ? preset.contributors : repo.contributorStats(ctx.db, range),
    preset ? preset.top : repo.topContributors(ctx.db, range, 10),
    repo.trendingTopics(ctx.db, range, 10),
    repo.trendingTerms(ctx.db, range, 15),
    repo.unansweredQuestions(ctx.db, 15),
  ]);
  const days = series.length;
  const dau = days > 0 ? series.reduce((s, p) => s + p.dau, 0) / days : 0;
  const meanMau = days > 0 ? series.reduce((s, p) => s + p.mau, 0) / days : 0;
  const last = series[series.length - 1];
  const titleOf = (t: repo.TopicRow) => (t.public ? t.title || `Topic ${t.topic_id}` : `Topic ${t.topic_id} (restricted space)`);
  return {
    range,
    dau: Math.round(dau * 10) / 10,
    mau: last?.mau ?? 0,
    stickiness: meanMau > 0 ? dau / meanMau : null,
    newMembers: series.reduce((s, p) => s + p.new_members, 0),
    newContributors: series.reduce((s, p) => s + p.new_contributors, 0),
    activeMembers: contributors.active,
    contributors: contributors.contributors,
    contributorRatio: share(contributors.contributors, contributors.active),
    superuserShare: share(contributors.superuser_posts, contributors.posts),
    questions: questions.questions,
    answeredShare: share(questions.answered, questions.questions),
    solvedShare: share(questions.solved, questions.questions),
    medianFirstResponseSeconds: questions.median_first_response_seconds === null ? null : Math.round(Number(questions.median_first_response_seconds)),
    series: series.map((p) => ({ day: p.day, dau: p.dau, mau: p.mau, newContributors: p.new_contributors, topics: p.topics, replies: p.replies })),
    topContributors: top.map((c) => ({ userId: c.user_id, displayName: c.display_name, username: c.username, topics: c.topics, replies: c.replies, accepted: c.accepted, reactionsReceived: c.reactions_received })),
    trendingTopics: topics.map((t) => ({ topicId: t.topic_id, title: titleOf(t), kind: t.kind, replies: t.reply_count, reactions: t.reaction_count, solved: t.solved, createdAt: t.created_at.toISOString() })),
    trendingTerms: terms.map((t) => ({ term: t.term, uses: t.uses, previous: t.previous })),
    unanswered: unanswered.map((t) => ({ topicId: t.topic_id, title: titleOf(t), createdAt: t.created_at.toISOString() })),
  };
}

export async function getPersonas(ctx: AppContext, actor: Actor, input: { month?: string }): Promise<Personas> {
  requireAdmin(actor);
  const [settings, summary, movement, closest] = await Promise.all([loadPersonaSettings(ctx.db), repo.readSummary(ctx.db, 'personas'), readPersonaMovement(ctx.db), repo.closestToInsider(ctx.db, 20)]);
  const counts = new Map<string, number>();
  for (const p of Array.isArray(summary?.data) ? (summary.data as Array<{ persona?: unknown; members?: unknown }>) : []) {
    if (typeof p.persona === 'string' && typeof p.members === 'number') counts.set(p.persona, p.members);
  }
  const total = [...counts.values()].reduce((s, n) => s + n, 0);
  const rules = personaRules(settings);
  // The latest movement is precomputed at each recompute; an earlier month is counted now.
  const toMonth = input.month ?? movement?.to ?? null;
  const fromMonth = toMonth ? previousMonth(toMonth) : null;
  const cells = movement && toMonth === movement.to ? movement.cells : toMonth && fromMonth ? await repo.personaTransitions(ctx.db, `${fromMonth}-01`, `${toMonth}-01`) : [];
  return {
    computedAt: summary?.computedAt.toISOString() ?? null,
    settings,
    split: PERSONAS.map((persona) => ({ persona, members: counts.get(persona) ?? 0, share: total > 0 ? (counts.get(persona) ?? 0) / total : 0, benchmark: PERSONA_BENCHMARK[persona] / 100, rule: rules[persona] })),
    engagementDefinition: ENGAGEMENT_DEFINITION,
    valueDefinition: VALUE_DEFINITION,
    transitions: { from: fromMonth, to: toMonth, cells: cells.map((c) => ({ from: c.from_persona, to: c.to_persona, members: c.members })) },
    closestToInsiders: closest.map((s) => ({ userId: s.user_id, displayName: s.display_name, engagement: s.engagement_score, value: s.value_score, gap: s.insider_gap, nextStep: s.next_step })),
  };
}

/** Changes the persona thresholds; they apply from the next recompute. */
export async function updatePersonaSettings(ctx: AppContext, actor: Actor, input: Record<string, unknown>): Promise<PersonaSettings> {
  const { actorId } = requireAdmin(actor);
  const parsed = personaSettingsSchema.safeParse(input);
  if (!parsed.success) {
    const fields: Record<string, string> = {};
    for (const issue of parsed.error.issues) fields[String(issue.path[0] ?? 'form')] = issue.message;
    throw validationFailed(fields);
  }
  if (parsed.data.insiderEngagement < parsed.data.drifterBelow) throw validationFailed({ insiderEngagement: 'The Insider engagement threshold must be at least the Drifter threshold.' });
  await savePersonaSettings(ctx.db, parsed.data);
  await recordAudit(ctx.db, { actorId, action: 'analytics.persona_settings', subject: 'analytics', detail: parsed.data, ip: actor.ip });
  return parsed.data;
}

interface Totals {
  referrals?: unknown;
  currency?: unknown;
  customers?: unknown;
  members?: unknown;
  spend_minor?: unknown;
  clv_minor?: unknown;
}

const num = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : 0);

async function currencyOf(ctx: AppContext): Promise<{ currency: string; totals: Totals; computedAt: Date | null }> {
  const totals = await repo.readSummary(ctx.db, 'totals');
  const data = (totals?.data ?? {}) as Totals;
  return { currency: typeof data.currency === 'string' ? data.currency : 'GBP', totals: data, computedAt: totals?.computedAt ?? null };
}

function scoreJson(s: repo.ScoreListRow) {
  return {
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
export type ScoreItem = ReturnType<typeof scoreJson>;

export async function getCustomers(ctx: AppContext, actor: Actor): Promise<Customers> {
  requireAdmin(actor);
  const [{ currency, totals, computedAt }, segmentsSummary, models, top] = await Promise.all([currencyOf(ctx), repo.readSummary(ctx.db, 'segments'), repo.readModels(ctx.db), repo.topByLifetimeValue(ctx.db, { limit: 20 })]);
  const bySegment = new Map<string, Record<string, unknown>>();
  for (const s of Array.isArray(segmentsSummary?.data) ? (segmentsSummary.data as Array<Record<string, unknown>>) : []) {
    if (typeof s.segment === 'string') bySegment.set(s.segment, s);
  }
  return {
    computedAt: computedAt?.toISOString() ?? null,
    currency,
    totals: { customers: num(totals.customers), members: num(totals.members), spendMinor: num(totals.spend_minor), lifetimeValue12mMinor: num(totals.clv_minor) },
    models: models.map((m) => {
      const params: Record<string, number> = {};
      if (m.params && typeof m.params === 'object') for (const [k, v] of Object.entries(m.params)) if (typeof v === 'number') params[k] = v;
      return { name: m.name, params, n: m.n, logLikelihood: m.log_likelihood, converged: m.converged, note: m.note };
    }),
    segments: RFM_SEGMENTS.map((seg) => {
      const s = bySegment.get(seg.name);
      return {
        segment: seg.name,
        definition: seg.definition,
        suggestedAction: seg.suggestedAction,
        customers: num(s?.customers),
        spendMinor: num(s?.spend_minor),
        lifetimeValue12mMinor: num(s?.clv_minor),
        meanProbabilityAlive: s?.p_alive === null || s?.p_alive === undefined ? null : num(s.p_alive),
      };
    }),
    topCustomers: top.map(scoreJson),
  };
}

function churnCursor(cursor: string | undefined): { value: number; subject: string } | undefined {
  const values = decodeCursor(cursor, 2);
  if (!values) return undefined;
  const [value, subject] = values;
  if (typeof value !== 'number' || typeof subject !== 'string') throw badRequest('The cursor is not valid; use the nextCursor of a previous page.', 'invalid_cursor');
  return { value, subject };
}

export async function getChurnRisk(ctx: AppContext, actor: Actor, input: { cursor?: string; limit: number }): Promise<Churn> {
  requireAdmin(actor);
  const { currency, computedAt } = await currencyOf(ctx);
  const rows = await repo.churnRisk(ctx.db, { limit: input.limit + 1, after: churnCursor(input.cursor) });
  const items = rows.slice(0, input.limit);
  const last = items[items.length - 1];
  return {
    computedAt: computedAt?.toISOString() ?? null,
    currency,
    items: items.map(scoreJson),
    nextCursor: rows.length > input.limit && last ? encodeCursor([last.value_at_stake_minor, last.subject]) : null,
  };
}

/** Every churn-risk row, page by page, for the CSV export. */
export async function* allChurnRisk(ctx: AppContext, actor: Actor): AsyncGenerator<ScoreItem> {
  requireAdmin(actor);
  let after: { value: number; subject: string } | undefined;
  for (;;) {
    const rows = await repo.churnRisk(ctx.db, { limit: 1000, after });
    for (const r of rows) yield scoreJson(r);
    const last = rows[rows.length - 1];
    if (rows.length < 1000 || !last) return;
    after = { value: last.value_at_stake_minor, subject: last.subject };
  }
}

/** Runs the rollup and the recompute now (Admin → Analytics "Recompute now", the CLI, the nightly job). */
export async function recomputeNow(ctx: AppContext, actor: Actor | null): Promise<{ events: number; scored: number; ms: number }> {
  if (actor) {
    const { actorId } = requireAdmin(actor);
    await recordAudit(ctx.db, { actorId, action: 'analytics.recompute', subject: 'analytics', detail: {}, ip: actor.ip });
  }
  const started = performance.now();
  const rollup = await runRollup(ctx, { settleSeconds: actor ? 5 : 30 });
  const result = await runRecompute(ctx);
  return { events: rollup.events, scored: result.scored, ms: Math.round(performance.now() - started) };
}

export async function getRollupState(ctx: AppContext, actor: Actor) {
  requireAdmin(actor);
  return repo.rollupState(ctx.db);
}
