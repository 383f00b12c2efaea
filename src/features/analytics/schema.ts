import { z } from 'zod';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date like 2026-01-31');

/** Date range of a dashboard: defaults to the last 30 days; at most 400 days. */
export const rangeQuery = z.object({ from: isoDate.optional(), to: isoDate.optional() });
export const monthQuery = z.object({ month: z.string().regex(/^\d{4}-\d{2}$/, 'a month like 2026-01').optional() });
export const churnQuery = z.object({ cursor: z.string().max(200).optional(), limit: z.coerce.number().int().min(1).max(200).default(50) });

export const rangeSchema = z.object({ from: z.string(), to: z.string() });

export const healthSchema = z
  .object({
    range: rangeSchema,
    dau: z.number().describe('mean daily active members over the range'),
    mau: z.number().int().describe('members active in the 30 days ending on the last day'),
    stickiness: z.number().nullable().describe('DAU / MAU'),
    newMembers: z.number().int(),
    newContributors: z.number().int().describe('members whose first post, reply or reaction fell in the range'),
    activeMembers: z.number().int(),
    contributors: z.number().int(),
    contributorRatio: z.number().nullable().describe('contributors / active members'),
    superuserShare: z.number().nullable().describe('share of posts written by the top 1% of contributors'),
    questions: z.number().int(),
    answeredShare: z.number().nullable(),
    solvedShare: z.number().nullable(),
    medianFirstResponseSeconds: z.number().nullable(),
    series: z.array(z.object({ day: z.string(), dau: z.number().int(), mau: z.number().int(), newContributors: z.number().int(), topics: z.number().int(), replies: z.number().int() })),
    topContributors: z.array(z.object({ userId: z.number().int(), displayName: z.string(), username: z.string(), topics: z.number().int(), replies: z.number().int(), accepted: z.number().int(), reactionsReceived: z.number().int() })),
    trendingTopics: z.array(z.object({ topicId: z.number().int(), title: z.string(), kind: z.string(), replies: z.number().int(), reactions: z.number().int(), solved: z.boolean(), createdAt: z.string() })),
    trendingTerms: z.array(z.object({ term: z.string(), uses: z.number().int(), previous: z.number().int() })),
    unanswered: z.array(z.object({ topicId: z.number().int(), title: z.string(), createdAt: z.string() })),
  })
  .meta({ id: 'AnalyticsHealth' });

const personaName = z.enum(['Drifters', 'Lurkers', 'Supporters', 'Insiders']);

export const personasSchema = z
  .object({
    computedAt: z.string().nullable(),
    settings: z.object({ windowDays: z.number().int(), drifterBelow: z.number(), insiderEngagement: z.number(), insiderValue: z.number() }),
    split: z.array(z.object({ persona: personaName, members: z.number().int(), share: z.number(), benchmark: z.number(), rule: z.string() })),
    engagementDefinition: z.string(),
    valueDefinition: z.string(),
    transitions: z.object({ from: z.string().nullable(), to: z.string().nullable(), cells: z.array(z.object({ from: z.string(), to: z.string(), members: z.number().int() })) }),
    closestToInsiders: z.array(z.object({ userId: z.number().int().nullable(), displayName: z.string(), engagement: z.number(), value: z.number(), gap: z.number().nullable(), nextStep: z.string().nullable() })),
  })
  .meta({ id: 'AnalyticsPersonas' });

const scoreItem = z.object({
  subject: z.string().describe('`m<userId>` for a member, `c<customerId>` for a store customer without an account'),
  userId: z.number().int().nullable(),
  customerId: z.number().int().nullable(),
  displayName: z.string(),
  email: z.string().nullable(),
  orders: z.number().int(),
  lastOrderOn: z.string().nullable(),
  spendMinor: z.number().int(),
  rfm: z.string().nullable().describe('R, F and M scores, e.g. "545"'),
  segment: z.string().nullable(),
  probabilityAlive: z.number().nullable(),
  probabilityAliveBefore: z.number().nullable().describe('P(alive) 30 days earlier, from the history up to then'),
  expectedPurchases90d: z.number().nullable(),
  lifetimeValue12mMinor: z.number().int().nullable(),
  valueAtStakeMinor: z.number().int(),
  persona: z.string().nullable(),
});

export const customersSchema = z
  .object({
    computedAt: z.string().nullable(),
    currency: z.string(),
    totals: z.object({ customers: z.number().int(), members: z.number().int(), spendMinor: z.number().int(), lifetimeValue12mMinor: z.number().int() }),
    models: z.array(z.object({ name: z.string(), params: z.record(z.string(), z.number()), n: z.number().int(), logLikelihood: z.number().nullable(), converged: z.boolean(), note: z.string().nullable() })),
    segments: z.array(z.object({ segment: z.string(), definition: z.string(), suggestedAction: z.string(), customers: z.number().int(), spendMinor: z.number().int(), lifetimeValue12mMinor: z.number().int(), meanProbabilityAlive: z.number().nullable() })),
    topCustomers: z.array(scoreItem),
  })
  .meta({ id: 'AnalyticsCustomers' });

export const churnSchema = z
  .object({ computedAt: z.string().nullable(), currency: z.string(), items: z.array(scoreItem), nextCursor: z.string().nullable() })
  .meta({ id: 'AnalyticsChurn' });

export const recomputeResultSchema = z.object({ events: z.number().int(), scored: z.number().int(), ms: z.number().int() });

export const retentionSchema = z
  .object({
    computedAt: z.string().nullable(),
    caveat: z.string(),
    groups: z.array(
      z.object({
        dimension: z.enum(['membership', 'persona', 'tier', 'referred', 'referrer']),
        group: z.string(),
        customers: z.number().int().describe('customers with at least one order (the sample size)'),
        repeaters: z.number().int(),
        repurchaseRate: z.number(),
        low: z.number().describe('95% Wilson interval, lower bound'),
        high: z.number(),
      }),
    ),
    curves: z.array(z.object({ group: z.string(), points: z.array(z.object({ month: z.number().int(), rate: z.number().nullable(), customers: z.number().int() })) })),
    cohorts: z.array(z.object({ cohort: z.string(), group: z.string(), customers: z.number().int(), retention: z.array(z.number().nullable()) })),
  })
  .meta({ id: 'AnalyticsRetention' });

export const roiQuery = rangeQuery.extend({
  questions: z.coerce.number().int().min(0).max(100_000_000).optional().describe('what-if: support questions a month (default: the setting)'),
  share: z.coerce.number().min(0).max(100).optional().describe('what-if: percent answered in the community first'),
});

export const roiSchema = z
  .object({
    range: rangeSchema,
    currency: z.string(),
    settings: z.object({
      costPerTicketMinor: z.number().int(),
      indirectDeflectionRate: z.number(),
      supportQuestionsPerMonth: z.number().int(),
      whatIfShare: z.number(),
      programCostPerMonthMinor: z.number().int(),
      grossMargin: z.number(),
    }),
    directDeflections: z.number().int().describe('accepted answers in the range'),
    solvedViews: z.number().int().describe('views of questions with an accepted answer'),
    indirectDeflections: z.number().int(),
    supportSavingsMinor: z.number().int(),
    averageOrderMinor: z.number().int(),
    memberRepurchaseRate: z.number().nullable(),
    otherRepurchaseRate: z.number().nullable(),
    extraRepeatBuyers: z.number().int(),
    retentionMarginMinor: z.number().int(),
    referrals: z.number().int(),
    referralMarginMinor: z.number().int(),
    programCostMinor: z.number().int(),
    netMinor: z.number().int(),
    roi: z.number().nullable(),
    whatIf: z.object({ questionsPerMonth: z.number().int(), share: z.number(), deflectedPerMonth: z.number().int(), savingsPerMonthMinor: z.number().int(), savingsPerYearMinor: z.number().int() }),
  })
  .meta({ id: 'AnalyticsRoi' });
