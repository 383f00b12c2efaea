import { z } from 'zod';
import { programSettingsSchema } from './settings.ts';
import { codeKinds, rewardKinds } from './tables.ts';

/** zod schemas of the loyalty API: requests, and responses as they appear in the OpenAPI document. */

const tierSchema = z.object({ id: z.number(), name: z.string(), threshold: z.number(), multiplierPct: z.number(), earlyAccess: z.boolean() }).meta({ id: 'LoyaltyTier' });

export const pointsSummarySchema = z
  .object({
    accountId: z.number().nullable(),
    programName: z.string(),
    balance: z.number().describe('available points'),
    balanceValueMinor: z.number().describe('what the available points are worth when redeemed, in minor units'),
    currency: z.string(),
    pending: z.number().describe('points waiting for the return window to close'),
    debt: z.number().describe('points taken back after they were spent; future earning pays this first'),
    lifetimeEarned: z.number(),
    nextExpiry: z.object({ points: z.number(), at: z.string() }).nullable(),
    expiringSoon: z.number().describe('points expiring within 30 days'),
    tier: tierSchema.nullable(),
    nextTier: tierSchema.nullable(),
    tierProgress: z.object({ basis: z.enum(['spend', 'points']), amount: z.number(), needed: z.number().nullable() }),
    tierReviewAt: z.string().nullable(),
    birthday: z.object({ month: z.number(), day: z.number() }).nullable(),
    canRedeem: z.boolean(),
    redeemMinimumPoints: z.number(),
  })
  .meta({ id: 'PointsSummary' });

export const ledgerLineSchema = z
  .object({
    id: z.number(),
    kind: z.string(),
    points: z.number(),
    deltaAvailable: z.number(),
    deltaPending: z.number(),
    deltaDebt: z.number(),
    description: z.string(),
    ref: z.string().nullable(),
    ruleKey: z.string().nullable(),
    reason: z.string().nullable(),
    dueAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'PointsEntry' });

export const wayToEarnSchema = z.object({ key: z.string(), label: z.string(), points: z.number(), description: z.string() });

export const rewardSchema = z
  .object({
    id: z.number(),
    name: z.string(),
    kind: z.enum(rewardKinds),
    enabled: z.boolean(),
    points: z.number(),
    valueMinor: z.number(),
    minPoints: z.number(),
    maxPoints: z.number().nullable(),
    codeValidDays: z.number(),
    percentOff: z.number().nullable(),
    minOrderMinor: z.number().nullable(),
    maxDiscountMinor: z.number().nullable(),
    product: z.object({ productId: z.number(), variantId: z.number().nullable(), sku: z.string().nullable(), title: z.string().nullable() }).nullable(),
    spaceId: z.number().nullable(),
    accessDays: z.number().nullable(),
    description: z.string().describe('what it costs and gives, as a member reads it'),
  })
  .meta({ id: 'LoyaltyReward' });

const productRef = z.object({ productId: z.number(), variantId: z.number().nullable(), sku: z.string().nullable(), title: z.string().nullable() });

export const codeSchema = z
  .object({
    id: z.number(),
    code: z.string(),
    kind: z.enum(codeKinds).describe('amount_off, percent_off, free_shipping or free_product'),
    points: z.number(),
    valueMinor: z.number().describe('amount_off: the amount off; otherwise 0'),
    percentOff: z.number().nullable(),
    minOrderMinor: z.number().nullable(),
    maxDiscountMinor: z.number().nullable(),
    product: productRef.nullable(),
    description: z.string(),
    currency: z.string(),
    status: z.enum(['issued', 'used', 'returned', 'expired']),
    expiresAt: z.string(),
    expiredAt: z.string().nullable(),
    usedAt: z.string().nullable(),
  })
  .meta({ id: 'DiscountCode' });

export const accessGrantSchema = z
  .object({
    id: z.number(),
    rewardName: z.string(),
    earlyAccess: z.boolean(),
    space: z.object({ id: z.number(), name: z.string(), url: z.string() }).nullable(),
    startsAt: z.string(),
    endsAt: z.string().nullable().describe('null: for good'),
    active: z.boolean(),
  })
  .meta({ id: 'AccessGrant' });

export const redemptionSchema = z
  .object({
    type: z.enum(['code', 'access']).describe('code: a discount code for the checkout; access: access that works now'),
    code: codeSchema.nullable(),
    access: accessGrantSchema.nullable(),
  })
  .meta({ id: 'Redemption' });

export const codeValidationSchema = z
  .object({
    code: z.string(),
    valid: z.boolean(),
    status: z.enum(['issued', 'used', 'returned', 'expired']),
    reason: z.string().nullable().describe('why it cannot be used: used, returned, expired or below_minimum'),
    kind: z.enum(codeKinds),
    valueMinor: z.number().describe('amount_off: the amount off'),
    percentOff: z.number().nullable().describe('percent_off: the percent off the order'),
    minOrderMinor: z.number().nullable().describe('the smallest order it applies to'),
    maxDiscountMinor: z.number().nullable().describe('percent_off: the largest discount; free_shipping: the most shipping it covers'),
    freeShipping: z.boolean(),
    product: productRef.nullable().describe('free_product: the product (or variant) to add free'),
    discountMinor: z.number().nullable().describe('with ?subtotalMinor=: what the code takes off that order'),
    description: z.string(),
    currency: z.string(),
    expiresAt: z.string(),
  })
  .meta({ id: 'DiscountCodeValidation' });

export const validateQuery = z.object({ subtotalMinor: z.coerce.number().int().min(0).max(1_000_000_000).optional().describe('the order\'s subtotal in minor units, to check the minimum order and work out the discount') });

export const ruleSchema = z
  .object({ key: z.string(), enabled: z.boolean(), points: z.number(), dailyCap: z.number().nullable(), lifetimeCap: z.number().nullable(), config: z.unknown() })
  .meta({ id: 'EarningRule' });

export const settingsSchema = programSettingsSchema.meta({ id: 'LoyaltySettings' });

export const redeemBody = z.object({ points: z.number().int().positive().optional().describe('for incremental rewards: how many points to redeem') });
export const idParams = z.object({ id: z.coerce.number().int().positive() });
export const userIdParams = z.object({ userId: z.coerce.number().int().positive() });
export const ruleKeyParams = z.object({ key: z.string().max(40) });
export const codeParams = z.object({ code: z.string().min(4).max(40) });
export const consumeBody = z.object({ orderRef: z.string().min(1).max(200).describe('the checkout or order the code was used on') });
export const okSchema = z.object({ ok: z.boolean() });
export const actionResultSchema = z.object({ awarded: z.number(), replay: z.boolean() });

export { tierSchema };

// Forms (strings from the browser).

const formInt = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const formBool = z.preprocess((v) => v === 'on' || v === 'true' || v === true, z.boolean());
const formOptionalInt = (min: number, max: number) => z.preprocess((v) => (v === '' || v === undefined ? null : v), z.coerce.number().int().min(min).max(max).nullable());

export const settingsForm = z.object({
  enabled: formBool,
  programName: z.string().trim().min(1).max(60),
  currency: z.string().trim().toUpperCase().regex(/^[A-Z]{3}$/, 'a three-letter ISO currency code'),
  redeemStepPoints: formInt(1, 100_000),
  redeemStepValueMinor: formInt(1, 1_000_000),
  redeemMinimumPoints: formInt(0, 10_000_000),
  returnWindowDays: formInt(0, 365),
  maxOrderAgeDays: formInt(0, 3650),
  expiryMonths: formInt(0, 120),
  tierBasis: z.enum(['spend', 'points']),
  tierPeriod: z.enum(['rolling12', 'calendar']),
  tierGraceDays: formInt(0, 365),
});

export const ruleForm = z.object({
  enabled: formBool,
  points: formInt(0, 1_000_000),
  dailyCap: formOptionalInt(1, 10_000_000),
  lifetimeCap: formOptionalInt(1, 100_000_000),
  includeShipping: formBool.optional(),
  includeTax: formBool.optional(),
  networks: z.string().max(500).optional(),
});

export const tierForm = z.object({
  name: z.string().trim().min(1).max(60),
  threshold: formInt(0, 1_000_000_000_000),
  multiplierPct: formInt(100, 1000),
  earlyAccess: formBool,
});

/** An empty box is "not given"; anything else must be a whole number. */
const formNumber = z.preprocess((v) => (v === '' || v === undefined ? null : v), z.coerce.number({ error: 'Give a whole number.' }).int('Give a whole number.').nullable());

export const rewardForm = z.object({
  name: z.string().default(''),
  kind: z.string().default(''),
  points: formNumber,
  valueMinor: formNumber,
  minPoints: formNumber,
  codeValidDays: formNumber,
  percentOff: formNumber,
  minOrderMinor: formNumber,
  maxDiscountMinor: formNumber,
  productId: formNumber,
  sku: z.string().trim().max(120).optional(),
  spaceId: formNumber,
  accessDays: formNumber,
  enabled: formBool,
});

export const adjustForm = z.object({ points: z.coerce.number().int(), reason: z.string() });
export const birthdayForm = z.object({ month: z.string(), day: z.string() });
export const redeemForm = z.object({ rewardId: z.coerce.number().int().positive(), points: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().positive().optional()) });
export const previewQuery = z.object({
  orderMajor: z.coerce.number().min(0).max(1_000_000).default(40),
  points: z.coerce.number().int().min(0).max(10_000_000).optional(),
  redeemStepPoints: z.coerce.number().int().min(1).max(100_000).optional(),
  redeemStepValueMinor: z.coerce.number().int().min(1).max(1_000_000).optional(),
  redeemMinimumPoints: z.coerce.number().int().min(0).max(10_000_000).optional(),
  currency: z.string().regex(/^[A-Za-z]{3}$/).optional(),
});
