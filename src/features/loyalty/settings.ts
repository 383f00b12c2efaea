import { z } from 'zod';
import type { Executor } from '../../platform/jobs/registry.ts';

/**
 * The program's settings, stored as one JSON row and read through this schema, so a missing or older
 * field falls back to its default. The defaults are the example program of PRODUCT.md ("the Stack"):
 * every 20 points saves £1, redemption from 200 points.
 */
export const programSettingsSchema = z.object({
  enabled: z.boolean().default(true),
  programName: z.string().trim().min(1).max(60).default('Points'),
  currency: z.string().regex(/^[A-Z]{3}$/, 'a three-letter ISO currency code').default('GBP'),
  /** Every `redeemStepPoints` points are worth `redeemStepValueMinor` minor units. */
  redeemStepPoints: z.number().int().min(1).max(100_000).default(20),
  redeemStepValueMinor: z.number().int().min(1).max(1_000_000).default(100),
  /** Redemption starts at this many points. */
  redeemMinimumPoints: z.number().int().min(0).max(10_000_000).default(200),
  /** Purchase points stay pending this many days (the return window); 0 posts them at once. */
  returnWindowDays: z.number().int().min(0).max(365).default(30),
  /**
   * Orders paid longer ago than this when their event arrives (an import of past orders) are recorded,
   * and count towards spend-based tiers, but earn nothing; 0 means any age earns.
   */
  maxOrderAgeDays: z.number().int().min(0).max(3650).default(60),
  /** Earned points expire this many months after they were earned; 0 means never. */
  expiryMonths: z.number().int().min(0).max(120).default(12),
  /** What tier thresholds measure, and over which period. */
  tierBasis: z.enum(['spend', 'points']).default('points'),
  tierPeriod: z.enum(['rolling12', 'calendar']).default('rolling12'),
  /** Days after the period's end before a member who no longer qualifies moves down. */
  tierGraceDays: z.number().int().min(0).max(365).default(30),
});

export type ProgramSettings = z.output<typeof programSettingsSchema>;

export const defaultProgramSettings: ProgramSettings = programSettingsSchema.parse({});

export async function loadProgramSettings(db: Executor): Promise<ProgramSettings> {
  const row = await db.selectFrom('loyalty_settings').select('settings').where('id', '=', 1).executeTakeFirst();
  const parsed = programSettingsSchema.safeParse(row?.settings ?? {});
  return parsed.success ? parsed.data : defaultProgramSettings;
}

export async function saveProgramSettings(db: Executor, settings: ProgramSettings, actorId: number | null): Promise<void> {
  await db
    .insertInto('loyalty_settings')
    .values({ id: 1, settings: JSON.stringify(settings), updated_by: actorId, updated_at: new Date() })
    .onConflict((oc) => oc.column('id').doUpdateSet({ settings: JSON.stringify(settings), updated_by: actorId, updated_at: new Date() }))
    .execute();
}

/** Minor units per major unit; ISO 4217 exponents other than 2 that a store is likely to use. */
const exponents: Record<string, number> = { JPY: 0, KRW: 0, VND: 0, CLP: 0, ISK: 0, HUF: 2, BHD: 3, KWD: 3, OMR: 3, JOD: 3, TND: 3 };

export function minorPerUnit(currency: string): number {
  return 10 ** (exponents[currency.toUpperCase()] ?? 2);
}

/** What `points` are worth when redeemed, in minor units (whole steps only). */
export function pointsValueMinor(settings: ProgramSettings, points: number): number {
  return Math.floor(Math.max(0, points) / settings.redeemStepPoints) * settings.redeemStepValueMinor;
}

export function formatMoney(minor: number, currency: string): string {
  const per = minorPerUnit(currency);
  const digits = Math.round(Math.log10(per));
  try {
    return new Intl.NumberFormat('en-GB', { style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits }).format(minor / per);
  } catch {
    return `${(minor / per).toFixed(digits)} ${currency}`;
  }
}
