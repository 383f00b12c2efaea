import { z } from 'zod';
import type { CodeKind, RewardKind } from './tables.ts';
import { rewardKinds } from './tables.ts';
import { formatMoney } from './settings.ts';

/**
 * What each kind of reward gives, how an administrator defines one, and how it reads to a member.
 *
 * Discount kinds issue a code a checkout validates and consumes: `fixed` (points buy an amount off),
 * `incremental` (every step of points is an amount off), `percentage` (a percent off, with an optional
 * minimum order and largest discount), `free_shipping` (optionally capped) and `free_product` (a store
 * product or variant). Access kinds take effect when redeemed and issue no code: `space_access` opens an
 * exclusive space (for good, or for some days) and `early_access` opens an early-access window of some
 * days, optionally with a space of its own (drops, seasonal sales).
 */

export const rewardKindLabels: Record<RewardKind, string> = {
  fixed: 'Amount off',
  incremental: 'Amount off per points',
  percentage: 'Percentage off',
  free_shipping: 'Free shipping',
  free_product: 'Free product',
  space_access: 'Exclusive space',
  early_access: 'Early access',
};

export const accessKinds: ReadonlySet<RewardKind> = new Set(['space_access', 'early_access']);

export function isAccessKind(kind: RewardKind): boolean {
  return accessKinds.has(kind);
}

export function codeKindOf(kind: RewardKind): CodeKind {
  if (kind === 'percentage') return 'percent_off';
  if (kind === 'free_shipping') return 'free_shipping';
  if (kind === 'free_product') return 'free_product';
  return 'amount_off';
}

const money = (max: number) => z.number().int().min(1).max(max);

/**
 * A reward as the API and the admin form define it. Fields another kind uses are ignored (stored empty);
 * a field the kind needs and lacks is refused with a message naming it.
 */
export const rewardInput = z
  .object({
    name: z.string().trim().min(1, 'Give the reward a name.').max(80, 'Keep the name under 80 characters.'),
    kind: z.enum(rewardKinds, { error: `Choose a kind: ${rewardKinds.join(', ')}.` }),
    enabled: z.boolean().default(true),
    points: z.number({ error: 'Give the points it costs.' }).int().min(1, 'It costs at least 1 point.').max(10_000_000).describe('the cost; for incremental rewards, the step'),
    valueMinor: money(100_000_000).nullable().optional().describe('fixed: the amount off; incremental: the amount off per step (minor units)'),
    minPoints: z.number().int().min(0).max(10_000_000).default(0).describe('incremental: redemption starts at'),
    maxPoints: z.number().int().min(1).max(100_000_000).nullable().default(null).describe('incremental: the most redeemed at once'),
    codeValidDays: z.number().int().min(1, 'A code is valid for at least 1 day.').max(3650).default(90),
    percentOff: z.number().int().min(1, 'Give a percentage from 1 to 100.').max(100, 'Give a percentage from 1 to 100.').nullable().optional().describe('percentage: the percent off'),
    minOrderMinor: z.number().int().min(0).max(100_000_000).nullable().optional().describe('percentage, free shipping, free product: the smallest order the code applies to (minor units)'),
    maxDiscountMinor: money(100_000_000).nullable().optional().describe('percentage: the largest discount; free shipping: the most shipping it covers (minor units)'),
    productId: z.number().int().positive().nullable().optional().describe('free product: the product (Hearth id)'),
    variantId: z.number().int().positive().nullable().optional().describe('free product: one variant of it'),
    sku: z.string().trim().max(120).nullable().optional().describe('free product: or a variant by SKU'),
    spaceId: z.number().int().positive().nullable().optional().describe('space access: the exclusive space; early access: an optional space to open'),
    accessDays: z.number().int().min(1, 'Access lasts at least 1 day.').max(3650).nullable().optional().describe('early access: the window in days; space access: how long, or empty for good'),
  })
  .superRefine((r, ctx) => {
    const need = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    switch (r.kind) {
      case 'fixed':
        if (!r.valueMinor) need('valueMinor', 'Give the amount off in minor units, e.g. 500 for £5.');
        break;
      case 'incremental':
        if (!r.valueMinor) need('valueMinor', 'Give the amount off per step of points in minor units, e.g. 100 for £1.');
        if (r.maxPoints !== null && r.maxPoints < Math.max(r.minPoints, r.points)) need('maxPoints', 'The maximum must be at least the minimum.');
        break;
      case 'percentage':
        if (!r.percentOff) need('percentOff', 'Give the percentage off, from 1 to 100.');
        break;
      case 'free_product':
        if (!r.productId && !r.variantId && !r.sku) need('productId', 'Name the product: its id, or a variant’s SKU.');
        break;
      case 'space_access':
        if (!r.spaceId) need('spaceId', 'Choose the exclusive space the reward opens.');
        break;
      case 'early_access':
        if (!r.accessDays) need('accessDays', 'Give the length of the early-access window in days.');
        break;
      case 'free_shipping':
        break;
    }
  });

export type RewardInput = z.output<typeof rewardInput>;

/** What a discount gives, as a reward or a code carries it. */
export interface Benefit {
  kind: CodeKind;
  valueMinor: number;
  percentOff: number | null;
  minOrderMinor: number | null;
  maxDiscountMinor: number | null;
  productTitle: string | null;
}

/** "10% off orders of £40 or more, up to £20", for members and checkouts alike. */
export function describeBenefit(b: Benefit, currency: string): string {
  const min = b.minOrderMinor ? ` on orders of ${formatMoney(b.minOrderMinor, currency)} or more` : '';
  switch (b.kind) {
    case 'amount_off':
      return `${formatMoney(b.valueMinor, currency)} off${min}`;
    case 'percent_off':
      return `${b.percentOff ?? 0}% off${min}${b.maxDiscountMinor ? `, up to ${formatMoney(b.maxDiscountMinor, currency)}` : ''}`;
    case 'free_shipping':
      return `Free shipping${min}${b.maxDiscountMinor ? ` (up to ${formatMoney(b.maxDiscountMinor, currency)})` : ''}`;
    case 'free_product':
      return `A free ${b.productTitle ?? 'product'}${min}`;
  }
}

export interface DescribableReward {
  kind: RewardKind;
  points: number;
  value_minor: number;
  min_points: number;
  percent_off: number | null;
  min_order_minor: number | null;
  max_discount_minor: number | null;
  product_title: string | null;
  access_days: number | null;
}

/** The reward in a line a member reads: what it costs and what it gives. */
export function describeReward(r: DescribableReward, currency: string, opts: { redeemMinimumPoints: number; spaceName?: string | null }): string {
  const cost = `${r.points.toLocaleString('en')} points`;
  const days = r.access_days ? `${r.access_days} ${r.access_days === 1 ? 'day' : 'days'}` : null;
  switch (r.kind) {
    case 'incremental':
      return `every ${r.points.toLocaleString('en')} points is ${formatMoney(r.value_minor, currency)} off, from ${Math.max(r.min_points, opts.redeemMinimumPoints).toLocaleString('en')} points`;
    case 'space_access':
      return `${cost} for access to ${opts.spaceName ?? 'an exclusive space'}${days ? ` for ${days}` : ''}`;
    case 'early_access':
      return `${cost} for ${days ?? 'a window'} of early access${opts.spaceName ? `, including ${opts.spaceName}` : ''}`;
    default:
      return `${cost} for ${lowerFirst(describeBenefit(rewardBenefit(r), currency))}`;
  }
}

function lowerFirst(text: string): string {
  return text.startsWith('Free') || text.startsWith('A free') ? text.charAt(0).toLowerCase() + text.slice(1) : text;
}

export function rewardBenefit(r: DescribableReward): Benefit {
  return {
    kind: codeKindOf(r.kind),
    valueMinor: r.kind === 'fixed' || r.kind === 'incremental' ? r.value_minor : 0,
    percentOff: r.percent_off,
    minOrderMinor: r.min_order_minor,
    maxDiscountMinor: r.max_discount_minor,
    productTitle: r.product_title,
  };
}
