// Support deflection and the community's return: the assumptions are site settings the brand sets, and
// every figure shows the arithmetic it comes from.
import { sql } from 'kysely';
import { z } from 'zod';
import type { Executor } from '../../platform/jobs/registry.ts';
import type { DateRange } from './repo.ts';

export const roiSettingsSchema = z.object({
  /** What one support ticket costs (minor units). */
  costPerTicketMinor: z.number().int().min(0).max(10_000_000).default(600),
  /** Share of views of a solved question that would otherwise have become a ticket. */
  indirectDeflectionRate: z.number().min(0).max(1).default(0.05),
  /** Support questions a month, for the "what if" calculator. */
  supportQuestionsPerMonth: z.number().int().min(0).max(100_000_000).default(1000),
  /** The calculator's share of those answered in the community first. */
  whatIfShare: z.number().min(0).max(1).default(0.15),
  /** What the community and loyalty program cost a month (staff, software, rewards), minor units. */
  programCostPerMonthMinor: z.number().int().min(0).max(1_000_000_000).default(0),
  /** Gross margin on orders, for the margin from retention and referrals. */
  grossMargin: z.number().min(0).max(1).default(0.4),
});
export type RoiSettings = z.output<typeof roiSettingsSchema>;
const KEY = 'analytics.roi';

export async function loadRoiSettings(db: Executor): Promise<RoiSettings> {
  const row = await db.selectFrom('site_settings').select('value').where('key', '=', KEY).executeTakeFirst();
  const parsed = roiSettingsSchema.safeParse(row?.value ?? {});
  return parsed.success ? parsed.data : roiSettingsSchema.parse({});
}

export async function saveRoiSettings(db: Executor, settings: RoiSettings): Promise<void> {
  const value = JSON.stringify(settings);
  await db
    .insertInto('site_settings')
    .values({ key: KEY, value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: new Date() }))
    .execute();
}

export interface RoiInputs {
  accepted: number;
  solvedViews: number;
  orders: number;
  revenueMinor: number;
}

export async function roiInputs(db: Executor, range: DateRange): Promise<RoiInputs> {
  const r = await sql<RoiInputs>`
    select coalesce(sum(accepted), 0)::int as accepted, coalesce(sum(solved_views), 0)::int as "solvedViews",
      coalesce(sum(orders), 0)::int as orders, coalesce(sum(revenue_minor), 0)::bigint as "revenueMinor"
    from analytics_daily where day between ${range.from}::date and ${range.to}::date`.execute(db);
  return r.rows[0] ?? { accepted: 0, solvedViews: 0, orders: 0, revenueMinor: 0 };
}

export interface RetentionGap {
  memberCustomers: number;
  memberRate: number | null;
  otherRate: number | null;
  referrals: number;
}

export interface RoiFigures {
  days: number;
  directDeflections: number;
  indirectDeflections: number;
  supportSavingsMinor: number;
  averageOrderMinor: number;
  /** Extra repeat buyers among member customers, were they to repurchase at the non-members' rate instead. */
  extraRepeatBuyers: number;
  retentionMarginMinor: number;
  referralMarginMinor: number;
  programCostMinor: number;
  netMinor: number;
  roi: number | null;
  whatIf: { deflectedPerMonth: number; savingsPerMonthMinor: number; savingsPerYearMinor: number };
}

export function computeRoi(s: RoiSettings, inputs: RoiInputs, gap: RetentionGap, days: number): RoiFigures {
  const direct = inputs.accepted;
  const indirect = Math.round(inputs.solvedViews * s.indirectDeflectionRate);
  const savings = (direct + indirect) * s.costPerTicketMinor;
  const aov = inputs.orders > 0 ? Math.round(inputs.revenueMinor / inputs.orders) : 0;
  const lift = gap.memberRate !== null && gap.otherRate !== null ? Math.max(0, gap.memberRate - gap.otherRate) : 0;
  const extra = Math.round(lift * gap.memberCustomers);
  const retentionMargin = Math.round(extra * aov * s.grossMargin);
  const referralMargin = Math.round(gap.referrals * aov * s.grossMargin);
  const cost = Math.round((s.programCostPerMonthMinor * days) / 30);
  const net = savings + retentionMargin + referralMargin - cost;
  const deflectedPerMonth = Math.round(s.supportQuestionsPerMonth * s.whatIfShare);
  return {
    days,
    directDeflections: direct,
    indirectDeflections: indirect,
    supportSavingsMinor: savings,
    averageOrderMinor: aov,
    extraRepeatBuyers: extra,
    retentionMarginMinor: retentionMargin,
    referralMarginMinor: referralMargin,
    programCostMinor: cost,
    netMinor: net,
    roi: cost > 0 ? net / cost : null,
    whatIf: { deflectedPerMonth, savingsPerMonthMinor: deflectedPerMonth * s.costPerTicketMinor, savingsPerYearMinor: deflectedPerMonth * s.costPerTicketMinor * 12 },
  };
}
