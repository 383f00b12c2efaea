import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AppContext } from '../../platform/context.ts';
import { findCustomerByStoreId } from '../commerce/lookups.ts';
import { findUserAccountId } from './accounts.ts';
import { listRewards } from './rewards.ts';
import { describeRewardsFor, pointsSummaryOfAccount, waysToEarn } from './service.ts';
import { formatMoney, loadProgramSettings } from './settings.ts';

/**
 * The storefront widget's data. The store's server proves which customer is signed in the way Smile.io
 * and Shopify app proxies do: it renders the customer's store id beside HMAC-SHA256(WIDGET_SECRET, id)
 * in hex, and this side recomputes the digest and compares in constant time. The id alone reveals
 * nothing; a digest cannot be made without the secret.
 */

export type DigestCheck = 'ok' | 'bad' | 'unconfigured';

export function widgetDigest(secret: string, customerId: string): string {
  return createHmac('sha256', secret).update(customerId, 'utf8').digest('hex');
}

export function checkWidgetDigest(secret: string | undefined, customerId: string, digest: string): DigestCheck {
  if (!secret) return 'unconfigured';
  const expected = Buffer.from(widgetDigest(secret, customerId), 'hex');
  const given = /^[0-9a-fA-F]{64}$/.test(digest) ? Buffer.from(digest, 'hex') : Buffer.alloc(0);
  // Lengths differ only for a malformed digest, which says nothing about the secret.
  if (given.length !== expected.length) return 'bad';
  return timingSafeEqual(given, expected) ? 'ok' : 'bad';
}

export interface WidgetData {
  program: { name: string; currency: string; redeemUrl: string; joinUrl: string; signInUrl: string };
  customer: {
    balance: number;
    balanceValueMinor: number;
    balanceValue: string;
    pending: number;
    tier: { name: string } | null;
    nextTier: { name: string; toGo: string } | null;
  } | null;
  rewards: Array<{ id: number; name: string; points: number; description: string; redeemable: boolean }>;
  waysToEarn: Array<{ label: string; points: number; description: string }>;
}

/** The loyalty account a store customer's points are in (their member's once linked); null when none yet. */
async function accountOfStoreCustomer(ctx: AppContext, storeId: string): Promise<number | null> {
  const customer = await findCustomerByStoreId(ctx, storeId);
  if (!customer) return null;
  if (customer.userId !== null) {
    const id = await findUserAccountId(ctx.db, customer.userId);
    if (id !== null) return id;
  }
  const row = await ctx.db.selectFrom('loyalty_accounts').select(['id', 'merged_into']).where('customer_id', '=', customer.id).executeTakeFirst();
  return row ? (row.merged_into ?? row.id) : null;
}

/** What the widget shows: the program for everyone, and the customer's points when `storeId` is verified. */
export async function widgetData(ctx: AppContext, storeId: string | null): Promise<WidgetData> {
  const base = ctx.config.publicUrl;
  const [settings, ways, rows] = await Promise.all([loadProgramSettings(ctx.db), waysToEarn(ctx), listRewards(ctx.db, { enabledOnly: true })]);
  const rewards = await describeRewardsFor(ctx, null, rows);
  const program = { name: settings.programName, currency: settings.currency, redeemUrl: `${base}/points`, joinUrl: `${base}/signup`, signInUrl: `${base}/login?next=%2Fpoints` };
  const waysOut = ways.map((w) => ({ label: w.label, points: w.points, description: w.description }));
  if (storeId === null) return { program, customer: null, rewards: rewards.map((r) => ({ id: r.id, name: r.name, points: r.minPoints, description: r.description, redeemable: false })), waysToEarn: waysOut };
  const summary = await pointsSummaryOfAccount(ctx, await accountOfStoreCustomer(ctx, storeId));
  const toGo = (n: number) => (summary.tierProgress.basis === 'spend' ? formatMoney(n, settings.currency) : `${n.toLocaleString('en')} points`);
  return {
    program,
    customer: {
      balance: summary.balance,
      balanceValueMinor: summary.balanceValueMinor,
      balanceValue: formatMoney(summary.balanceValueMinor, settings.currency),
      pending: summary.pending,
      tier: summary.tier ? { name: summary.tier.name } : null,
      nextTier: summary.nextTier && summary.tierProgress.needed !== null ? { name: summary.nextTier.name, toGo: toGo(summary.tierProgress.needed) } : null,
    },
    rewards: rewards.map((r) => ({ id: r.id, name: r.name, points: r.minPoints, description: r.description, redeemable: settings.enabled && summary.balance >= r.minPoints })),
    waysToEarn: waysOut,
  };
}
