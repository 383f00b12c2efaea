import { sql } from 'kysely';
import type { AppContext } from '../../platform/context.ts';
import { publishEvent } from '../../platform/jobs/registry.ts';
import { invalidateSpaceAccess } from '../community/access.ts';
import type { AccountRow, Trx } from './ledger.ts';
import type { ProgramSettings } from './settings.ts';

/**
 * Tiers: a member qualifies by spend (minor units, net of refunds) or points earned (net of points taken
 * back) over a rolling 12 months or the calendar year. Moving up happens at once; moving down only when
 * the tier is reviewed, at the end of its period plus a grace, and only if the member qualified neither in
 * the period that ended nor in the trailing window. Spending points never demotes: it is not measured.
 */

export interface Tier {
  id: number;
  name: string;
  threshold: number;
  multiplierPct: number;
  earlyAccess: boolean;
}

export async function listTiers(db: Trx | AppContext['db']): Promise<Tier[]> {
  const rows = await db.selectFrom('loyalty_tiers').selectAll().orderBy('threshold').execute();
  return rows.map((r) => ({ id: r.id, name: r.name, threshold: r.threshold, multiplierPct: r.multiplier_pct, earlyAccess: r.early_access }));
}

export async function tierMultiplierPct(db: Trx | AppContext['db'], tierId: number | null): Promise<number> {
  if (tierId === null) return 100;
  const row = await db.selectFrom('loyalty_tiers').select('multiplier_pct').where('id', '=', tierId).executeTakeFirst();
  return row?.multiplier_pct ?? 100;
}

const DAY = 86_400_000;

function addMonths(at: Date, months: number): Date {
  const d = new Date(at);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d;
}

/** When the qualifying period that contains `at` ends. */
export function periodEnd(settings: ProgramSettings, at: Date, since: Date): Date {
  if (settings.tierPeriod === 'calendar') return new Date(Date.UTC(at.getUTCFullYear() + 1, 0, 1));
  let end = addMonths(since, 12);
  while (end.getTime() <= at.getTime()) end = addMonths(end, 12);
  return end;
}

/** Start of the qualifying window that ends at `end`. */
function windowStart(settings: ProgramSettings, end: Date): Date {
  if (settings.tierPeriod === 'calendar') return new Date(Date.UTC(new Date(end.getTime() - 1).getUTCFullYear(), 0, 1));
  return addMonths(end, -12);
}

/** What the tier thresholds measure for this account between `from` and `to`. */
export async function qualifyingAmount(trx: Trx | AppContext['db'], settings: ProgramSettings, account: Pick<AccountRow, 'id'>, from: Date, to: Date | null): Promise<number> {
  return (await qualifyingAmounts(trx, settings, [account.id], from, to)).get(account.id) ?? 0;
}

/**
 * The same for several accounts in one query: each account's history is its own and that of the accounts
 * merged into it.
 */
export async function qualifyingAmounts(trx: Trx | AppContext['db'], settings: ProgramSettings, accountIds: number[], from: Date, to: Date | null): Promise<Map<number, number>> {
  const amounts = new Map<number, number>();
  if (accountIds.length === 0) return amounts;
  const family = sql<boolean>`(a.id = any(${accountIds}::bigint[]) or a.merged_into = any(${accountIds}::bigint[]))`;
  // An account asked about is its own owner even if it was merged since; the others are merged into one asked about.
  const owner = sql<number>`case when a.id = any(${accountIds}::bigint[]) then a.id else a.merged_into end`;
  if (settings.tierBasis === 'spend') {
    const rows = await trx
      .selectFrom('loyalty_orders as o')
      .innerJoin('loyalty_accounts as a', 'a.id', 'o.account_id')
      .select([owner.as('account_id'), sql<string>`coalesce(sum(o.eligible_minor * greatest(o.total_minor - o.refunded_minor, 0) / nullif(o.total_minor, 0)), 0)`.as('amount')])
      .where(family)
      .where('o.paid_at', '>=', from)
      .$if(to !== null, (q) => q.where('o.paid_at', '<', to ?? from))
      .groupBy(sql`1`)
      .execute();
    for (const r of rows) amounts.set(Number(r.account_id), Math.floor(Number(r.amount)));
    return amounts;
  }
  const rows = await trx
    .selectFrom('loyalty_entries as e')
    .innerJoin('loyalty_accounts as a', 'a.id', 'e.account_id')
    .select([owner.as('account_id'), sql<string>`coalesce(sum(case when e.kind in ('earn', 'post') then e.points when e.kind = 'clawback' then -e.points else 0 end), 0)`.as('amount')])
    .where(family)
    .where('e.kind', 'in', ['earn', 'post', 'clawback'])
    .where('e.created_at', '>=', from)
    .$if(to !== null, (q) => q.where('e.created_at', '<', to ?? from))
    .groupBy(sql`1`)
    .execute();
  for (const r of rows) amounts.set(Number(r.account_id), Math.max(0, Number(r.amount)));
  return amounts;
}

function tierFor(tiers: Tier[], amount: number): Tier | null {
  let found: Tier | null = null;
  for (const t of tiers) if (t.threshold <= amount) found = t;
  return found;
}

async function changeTier(ctx: AppContext, trx: Trx, account: AccountRow, from: Tier | null, to: Tier | null, reviewAt: Date | null, now: Date): Promise<void> {
  await trx.updateTable('loyalty_accounts').set({ tier_id: to?.id ?? null, tier_since: to ? now : null, tier_review_at: reviewAt, updated_at: now }).where('id', '=', account.id).execute();
  account.tier_id = to?.id ?? null;
  account.tier_since = to ? now : null;
  account.tier_review_at = reviewAt;
  await publishEvent(trx, ctx.jobs, 'tier.changed', {
    accountId: account.id,
    userId: account.user_id,
    customerId: account.customer_id,
    fromTierId: from?.id ?? null,
    fromTier: from?.name ?? null,
    toTierId: to?.id ?? null,
    toTier: to?.name ?? null,
    direction: (to?.threshold ?? -1) > (from?.threshold ?? -1) ? 'up' : 'down',
  });
  // Exclusive spaces may admit by tier: answers kept by the community's access cache are stale now.
  invalidateSpaceAccess();
}

/** After earning: moves the (locked) account up at once when it now qualifies for a higher tier. */
export async function upgradeTierIfQualified(ctx: AppContext, trx: Trx, account: AccountRow, settings: ProgramSettings, now = new Date()): Promise<void> {
  await upgradeTiersIfQualified(ctx, trx, [account], settings, now);
}

/** The same for several locked accounts, with one read of the tiers and one of what the accounts qualify with. */
export async function upgradeTiersIfQualified(ctx: AppContext, trx: Trx, accounts: AccountRow[], settings: ProgramSettings, now = new Date(), tierList?: Tier[]): Promise<void> {
  const tiers = tierList ?? (await listTiers(trx));
  if (tiers.length === 0 || accounts.length === 0) return;
  // No upper bound: what was just written in this transaction is stamped with the transaction's start,
  // which may be later than `now` taken before it began.
  const amounts = await qualifyingAmounts(trx, settings, accounts.map((a) => a.id), windowStart(settings, now), null);
  for (const account of accounts) {
    const current = tiers.find((t) => t.id === account.tier_id) ?? null;
    const target = tierFor(tiers, amounts.get(account.id) ?? 0);
    if (!target || (current && target.threshold <= current.threshold)) continue;
    await changeTier(ctx, trx, account, current, target, new Date(periodEnd(settings, now, now).getTime() + settings.tierGraceDays * DAY), now);
  }
}

/**
 * At or after the review date: keeps the tier for another period when the member qualified in the period
 * that ended or in the trailing window, otherwise moves them to the tier they do qualify for.
 */
export async function reviewTier(ctx: AppContext, trx: Trx, account: AccountRow, settings: ProgramSettings, now = new Date()): Promise<'kept' | 'changed' | 'not_due'> {
  if (!account.tier_review_at || account.tier_review_at.getTime() > now.getTime()) return 'not_due';
  const tiers = await listTiers(trx);
  const current = tiers.find((t) => t.id === account.tier_id) ?? null;
  const endedAt = new Date(account.tier_review_at.getTime() - settings.tierGraceDays * DAY);
  const [ended, trailing] = await Promise.all([
    qualifyingAmount(trx, settings, account, windowStart(settings, endedAt), endedAt),
    qualifyingAmount(trx, settings, account, windowStart(settings, now), null),
  ]);
  const target = tierFor(tiers, Math.max(ended, trailing));
  const nextReview = (since: Date) => new Date(periodEnd(settings, now, since).getTime() + settings.tierGraceDays * DAY);
  if (current && target && target.threshold >= current.threshold) {
    const reviewAt = nextReview(account.tier_since ?? now);
    await trx.updateTable('loyalty_accounts').set({ tier_review_at: reviewAt }).where('id', '=', account.id).execute();
    account.tier_review_at = reviewAt;
    if (target.id === current.id) return 'kept';
  }
  if (target?.id === current?.id) return 'kept';
  await changeTier(ctx, trx, account, current, target, target ? nextReview(now) : null, now);
  return 'changed';
}
