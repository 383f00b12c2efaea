import { z } from 'zod';
import { referralSettingsSchema } from './settings.ts';
import { referralStatuses } from './tables.ts';

/** zod schemas of the referrals API and forms: requests, and responses as the OpenAPI document shows them. */

export const idParams = z.object({ id: z.coerce.number().int().positive() });

const personSchema = z.object({ id: z.number(), displayName: z.string(), username: z.string() }).nullable();

export const referralSchema = z
  .object({
    id: z.number(),
    status: z.enum(referralStatuses),
    statusLabel: z.string(),
    via: z.enum(['link', 'code']),
    flags: z.array(z.string()).describe('fraud checks that flagged it (administrators only; empty for members)'),
    referrer: personSchema,
    friend: personSchema,
    orderId: z.number().nullable().describe("the friend's first paid order"),
    orderMinor: z.number().nullable().describe('what of it counts towards the minimum: goods after discounts, without shipping or tax'),
    currency: z.string().nullable(),
    qualifiedAt: z.string().nullable(),
    completeAfter: z.string().nullable().describe('when the return window of the first order closes'),
    completedAt: z.string().nullable(),
    closedReason: z.string().nullable(),
    reviewedAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'Referral' });

export const programSchema = z
  .object({
    enabled: z.boolean(),
    code: z.string().describe("the member's referral code"),
    link: z.string().describe('the link to share; it opens the landing page and remembers the referrer'),
    shareText: z.string(),
    shareLinks: z.array(z.object({ label: z.string(), href: z.string() })).describe('email, WhatsApp, X and Facebook share links'),
    currency: z.string(),
    friendRewardMinor: z.number().describe("the friend's welcome code value"),
    referrerCreditMinor: z.number().describe("the referrer's store credit per completed referral"),
    referrerPoints: z.number().describe("the referrer's points per completed referral"),
    minimumOrderMinor: z.number(),
    returnWindowDays: z.number(),
    counts: z.record(z.string(), z.number()).describe('the referrals made, by status'),
    referredBy: z
      .object({
        referrer: personSchema,
        status: z.enum(referralStatuses),
        welcomeCode: z.object({ code: z.string(), valueMinor: z.number(), currency: z.string(), expiresAt: z.string(), status: z.string() }).nullable(),
      })
      .nullable(),
    canClaim: z.boolean().describe("whether the member may still enter a friend's code"),
  })
  .meta({ id: 'ReferralProgram' });

export const settingsSchema = referralSettingsSchema.extend({ referrerPoints: z.number(), currency: z.string(), returnWindowDays: z.number().describe('from the loyalty program') }).meta({ id: 'ReferralSettings' });

export const adminListQuery = z.object({
  status: z.enum(referralStatuses).optional().describe('only referrals in this state; `review` is the review queue'),
  cursor: z.string().max(500).optional().describe('opaque cursor from a previous page'),
  limit: z.coerce.number().int().min(1).max(100).default(25).describe('items per page, 1–100'),
});

const formInt = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const formBool = z.preprocess((v) => v === 'on' || v === 'true' || v === true, z.boolean());

/** Money in the form is typed in major units (40 or 12.50); the route turns it into minor units of the currency. */
const formMoney = (max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+(\.\d{1,3})?$/, 'An amount such as 40 or 12.50.')
    .transform(Number)
    .pipe(z.number().min(0).max(max, `At most ${max.toLocaleString('en')}.`));

export const settingsForm = z.object({
  enabled: formBool,
  minimumOrder: formMoney(1_000_000),
  friendReward: formMoney(100_000),
  referrerCredit: formMoney(100_000),
  referrerPoints: formInt(0, 1_000_000),
  codeValidDays: formInt(1, 3650),
  claimWindowDays: formInt(1, 365),
  maxPerIp: formInt(1, 1000),
  ipWindowHours: formInt(1, 24 * 90),
  maxPerReferrer: formInt(1, 10_000),
  referrerWindowDays: formInt(1, 365),
});
