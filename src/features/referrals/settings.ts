import { z } from 'zod';
import type { Executor } from '../../platform/jobs/registry.ts';

/**
 * The referral program's settings, one JSON row read through this schema so a missing field takes its
 * default. The defaults are the example program of PRODUCT.md: the friend gets £5 off their first order,
 * the referrer £10 of store credit (and the loyalty `referral` rule's points) once the friend's first
 * order of at least £40 is past the return window. The currency is the points program's.
 */
export const referralSettingsSchema = z.object({
  enabled: z.boolean().default(true),
  /** The friend's first order must reach this, in minor units, counting goods after discounts (not shipping or tax). */
  minimumOrderMinor: z.number().int().min(0).max(100_000_000).default(4000),
  /** The friend's welcome code; 0 gives none. */
  friendRewardMinor: z.number().int().min(0).max(10_000_000).default(500),
  /** The referrer's store credit (a code) when a referral completes; 0 gives none (points still come from the loyalty rule). */
  referrerCreditMinor: z.number().int().min(0).max(10_000_000).default(1000),
  /** How long issued codes can be used. */
  codeValidDays: z.number().int().min(1).max(3650).default(90),
  /** A friend can be attached to a referral this many days after joining (link or code). */
  claimWindowDays: z.number().int().min(1).max(365).default(30),
  /** Referrals from one network address: more than `maxPerIp` within `ipWindowHours` are flagged. */
  maxPerIp: z.number().int().min(1).max(1000).default(3),
  ipWindowHours: z.number().int().min(1).max(24 * 90).default(24),
  /** Referrals by one member: more than `maxPerReferrer` within `referrerWindowDays` are flagged. */
  maxPerReferrer: z.number().int().min(1).max(10_000).default(10),
  referrerWindowDays: z.number().int().min(1).max(365).default(30),
});

export type ReferralSettings = z.output<typeof referralSettingsSchema>;

export const defaultReferralSettings: ReferralSettings = referralSettingsSchema.parse({});

export async function loadReferralSettings(db: Executor): Promise<ReferralSettings> {
  const row = await db.selectFrom('referral_settings').select('settings').where('id', '=', 1).executeTakeFirst();
  const parsed = referralSettingsSchema.safeParse(row?.settings ?? {});
  return parsed.success ? parsed.data : defaultReferralSettings;
}

export async function saveReferralSettings(db: Executor, settings: ReferralSettings, actorId: number | null): Promise<void> {
  const json = JSON.stringify(settings);
  await db
    .insertInto('referral_settings')
    .values({ id: 1, settings: json, updated_by: actorId, updated_at: new Date() })
    .onConflict((oc) => oc.column('id').doUpdateSet({ settings: json, updated_by: actorId, updated_at: new Date() }))
    .execute();
}
