import { randomInt } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { AppContext } from '../../platform/context.ts';
import { badRequest, conflict, notFound, validationFailed } from '../../platform/http/errors.ts';
import { publishEvent } from '../../platform/jobs/registry.ts';
import { ensureUserAccount } from './accounts.ts';
import { invalidateSpaceAccess } from '../community/access.ts';
import { credit, debit, lockAccount, type AccountRow, type Trx } from './ledger.ts';
import { codeKindOf, describeBenefit, isAccessKind, type Benefit } from './reward-kinds.ts';
import { loadProgramSettings } from './settings.ts';
import type { CodeStatus, LoyaltyAccessGrantsTable, LoyaltyCodesTable, LoyaltyRewardsTable } from './tables.ts';

/**
 * Rewards and redemption through the built-in store adapter: redeeming a discount reward spends points
 * and issues a unique code kept here (its kind and what it gives copied from the reward); a checkout
 * validates and consumes it through the API. An unused code can be returned until its date, and its
 * points come back with the expiry dates they had; past its date it expires without them. Access rewards
 * (see reward-kinds.ts) issue no code: they grant access at once.
 *
 * A Shopify adapter would, at redemption, create a price rule and discount code through the Admin API
 * (`POST /admin/api/{version}/price_rules.json`, then `.../discount_codes.json`), store the returned ids
 * beside the code, and on return delete the code; consumption arrives as an `orders/paid` webhook whose
 * `discount_codes` name the code. It is not built: this is its shape.
 */

export type RewardRow = Selectable<LoyaltyRewardsTable>;
export type CodeRow = Selectable<LoyaltyCodesTable>;
export type GrantRow = Selectable<LoyaltyAccessGrantsTable>;

const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

function newCode(): string {
  let s = '';
  for (let i = 0; i < 10; i++) s += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return `HX-${s.slice(0, 5)}-${s.slice(5)}`;
}

export async function listRewards(db: AppContext['db'], opts: { enabledOnly: boolean }): Promise<RewardRow[]> {
  let q = db.selectFrom('loyalty_rewards').selectAll().orderBy('id').limit(100);
  if (opts.enabledOnly) q = q.where('enabled', '=', true);
  return q.execute();
}

/** Points and value of redeeming `reward`, with `points` chosen by the member for incremental rewards. */
export function quoteReward(reward: RewardRow, points: number | undefined): { points: number; valueMinor: number } {
  if (reward.kind === 'fixed') return { points: reward.points, valueMinor: reward.value_minor };
  // Percentages, free shipping and free products are worth what the order makes them; access has no money value.
  if (reward.kind !== 'incremental') return { points: reward.points, valueMinor: 0 };
  const chosen = points ?? reward.min_points;
  if (chosen < Math.max(reward.min_points, reward.points)) throw validationFailed({ points: `Redeem at least ${Math.max(reward.min_points, reward.points)} points.` });
  if (chosen % reward.points !== 0) throw validationFailed({ points: `Redeem points in steps of ${reward.points}.` });
  if (reward.max_points !== null && chosen > reward.max_points) throw validationFailed({ points: `Redeem at most ${reward.max_points} points at once.` });
  return { points: chosen, valueMinor: (chosen / reward.points) * reward.value_minor };
}

/** What redeeming gave: a discount code for a checkout, or access that works at once. */
export type Redemption = { type: 'code'; code: CodeRow; grant: null } | { type: 'access'; code: null; grant: GrantRow };

export async function redeemReward(ctx: AppContext, userId: number, input: { rewardId: number; points?: number }): Promise<Redemption> {
  const redemption = await ctx.db.transaction().execute(async (trx): Promise<Redemption> => {
    const settings = await loadProgramSettings(trx);
    if (!settings.enabled) throw conflict('The points program is paused.', 'program_paused');
    const reward = await trx.selectFrom('loyalty_rewards').selectAll().where('id', '=', input.rewardId).where('enabled', '=', true).executeTakeFirst();
    if (!reward) throw notFound('No such reward.');
    const quote = quoteReward(reward, input.points);
    // The program's minimum is that of points-for-money ("every 20 points is £1, from 200 points");
    // a fixed reward ("£5 off for 100 points") states its own price.
    if (reward.kind === 'incremental' && quote.points < settings.redeemMinimumPoints) throw validationFailed({ points: `Redemption starts at ${settings.redeemMinimumPoints} points.` });
    const account = await lockAccount(trx, await ensureUserAccount(trx, userId));
    if (isAccessKind(reward.kind)) return { type: 'access', code: null, grant: await grantAccess(ctx, trx, account, userId, reward, quote.points) };
    const code = await trx
      .insertInto('loyalty_codes')
      .values({
        code: newCode(),
        account_id: account.id,
        reward_id: reward.id,
        points: quote.points,
        value_minor: quote.valueMinor,
        currency: settings.currency,
        kind: codeKindOf(reward.kind),
        percent_off: reward.kind === 'percentage' ? reward.percent_off : null,
        min_order_minor: reward.min_order_minor,
        max_discount_minor: reward.kind === 'percentage' || reward.kind === 'free_shipping' ? reward.max_discount_minor : null,
        product_id: reward.kind === 'free_product' ? reward.product_id : null,
        variant_id: reward.kind === 'free_product' ? reward.variant_id : null,
        product_sku: reward.kind === 'free_product' ? reward.product_sku : null,
        product_title: reward.kind === 'free_product' ? reward.product_title : null,
        expires_at: new Date(Date.now() + reward.code_valid_days * 86_400_000),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await debit(ctx, trx, account, { source: 'code', externalId: String(code.id), kind: 'spend', points: quote.points, allowDebt: false, ref: `code:${code.id}`, reason: reward.name, actorId: userId });
    return { type: 'code', code, grant: null };
  });
  // The member's kept answers about which spaces they may enter are stale now.
  if (redemption.grant) invalidateSpaceAccess();
  return redemption;
}

/**
 * Access rewards work at once: the grant admits the member to the reward's space through the
 * `loyalty_reward` access rule, and an early-access grant makes `hasEarlyAccess` true, until it ends.
 * One grant of a reward at a time: a second redemption while the first lasts would only cost points.
 */
async function grantAccess(ctx: AppContext, trx: Trx, account: AccountRow, userId: number, reward: RewardRow, points: number): Promise<GrantRow> {
  const now = new Date();
  const held = await trx
    .selectFrom('loyalty_access_grants')
    .select('ends_at')
    .where('user_id', '=', userId)
    .where('reward_id', '=', reward.id)
    .where((eb) => eb.or([eb('ends_at', 'is', null), eb('ends_at', '>', now)]))
    .executeTakeFirst();
  if (held) throw conflict(held.ends_at ? `You already have this until ${held.ends_at.toISOString().slice(0, 10)}.` : 'You already have this access.', 'access_already_held');
  const grant = await trx
    .insertInto('loyalty_access_grants')
    .values({
      account_id: account.id,
      user_id: userId,
      reward_id: reward.id,
      reward_name: reward.name,
      space_id: reward.space_id,
      early_access: reward.kind === 'early_access',
      points,
      starts_at: now,
      ends_at: reward.access_days ? new Date(now.getTime() + reward.access_days * 86_400_000) : null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await debit(ctx, trx, account, { source: 'access', externalId: String(grant.id), kind: 'spend', points, allowDebt: false, ref: `access:${grant.id}`, reason: reward.name, actorId: userId });
  await publishEvent(trx, ctx.jobs, 'reward.access_granted', { grantId: grant.id, accountId: account.id, userId, rewardId: reward.id, spaceId: grant.space_id, earlyAccess: grant.early_access, endsAt: grant.ends_at?.toISOString() ?? null }, userId);
  return grant;
}

/** A member's access grants, newest first (ended ones too, so the member sees what they had). */
export async function listGrants(db: AppContext['db'], userId: number): Promise<GrantRow[]> {
  return db.selectFrom('loyalty_access_grants').selectAll().where('user_id', '=', userId).orderBy('id', 'desc').limit(50).execute();
}

export function grantActive(grant: Pick<GrantRow, 'ends_at'>, now = new Date()): boolean {
  return grant.ends_at === null || grant.ends_at.getTime() > now.getTime();
}

export async function listCodes(db: AppContext['db'], accountId: number): Promise<CodeRow[]> {
  return db.selectFrom('loyalty_codes').selectAll().where('account_id', '=', accountId).orderBy('id', 'desc').limit(50).execute();
}

function usable(code: CodeRow, now: Date): boolean {
  return code.status === 'issued' && code.expires_at.getTime() > now.getTime();
}

export interface CodeValidation extends Benefit {
  code: string;
  valid: boolean;
  status: CodeStatus;
  /** Why a code that exists cannot be used on this order: `used`, `returned`, `expired` or `below_minimum`. */
  reason: string | null;
  currency: string;
  freeShipping: boolean;
  product: { productId: number; variantId: number | null; sku: string | null; title: string | null } | null;
  /** Given the order's subtotal: the discount the code makes on it (free products and shipping: 0). */
  discountMinor: number | null;
  description: string;
  expiresAt: Date;
}

export function codeBenefit(code: CodeRow): Benefit {
  return { kind: code.kind, valueMinor: code.value_minor, percentOff: code.percent_off, minOrderMinor: code.min_order_minor, maxDiscountMinor: code.max_discount_minor, productTitle: code.product_title };
}

/** What a code takes off an order of `subtotalMinor`: never more than the order. */
export function discountOn(code: Pick<CodeRow, 'kind' | 'value_minor' | 'percent_off' | 'max_discount_minor'>, subtotalMinor: number): number {
  if (code.kind === 'amount_off') return Math.min(code.value_minor, subtotalMinor);
  if (code.kind === 'percent_off') {
    const off = Math.floor((subtotalMinor * (code.percent_off ?? 0)) / 100);
    return Math.min(off, code.max_discount_minor ?? off, subtotalMinor);
  }
  return 0;
}

/**
 * For a checkout: whether the code can be used now (on an order of `subtotalMinor`, when given), its
 * kind and what it gives: an amount off, a percent (with its minimum order and cap), free shipping or a
 * product.
 */
export async function validateCode(ctx: AppContext, codeText: string, opts: { subtotalMinor?: number } = {}): Promise<CodeValidation> {
  const code = await ctx.db.selectFrom('loyalty_codes').selectAll().where('code', '=', codeText.trim().toUpperCase()).executeTakeFirst();
  if (!code) throw notFound('No such code.');
  const now = new Date();
  const status: CodeStatus = code.status === 'issued' && !usable(code, now) ? 'expired' : code.status;
  const belowMinimum = opts.subtotalMinor !== undefined && code.min_order_minor !== null && opts.subtotalMinor < code.min_order_minor;
  const valid = usable(code, now) && !belowMinimum;
  const benefit = codeBenefit(code);
  return {
    code: code.code,
    valid,
    status,
    reason: status !== 'issued' ? status : belowMinimum ? 'below_minimum' : null,
    ...benefit,
    currency: code.currency,
    freeShipping: code.kind === 'free_shipping',
    product: code.kind === 'free_product' && code.product_id !== null ? { productId: code.product_id, variantId: code.variant_id, sku: code.product_sku, title: code.product_title } : null,
    discountMinor: opts.subtotalMinor === undefined ? null : discountOn(code, opts.subtotalMinor),
    description: describeBenefit(benefit, code.currency),
    expiresAt: code.expires_at,
  };
}

/** For a checkout: uses the code once; a second use is refused. */
export async function consumeCode(ctx: AppContext, codeText: string, usedRef: string): Promise<CodeRow> {
  return ctx.db.transaction().execute(async (trx) => {
    const code = await trx.selectFrom('loyalty_codes').selectAll().where('code', '=', codeText.trim().toUpperCase()).forUpdate().executeTakeFirst();
    if (!code) throw notFound('No such code.');
    if (code.status === 'used' && code.used_ref === usedRef) return code;
    if (!usable(code, new Date())) throw conflict('This code cannot be used: it was used, returned or has expired.', 'code_not_usable');
    const used = await trx.updateTable('loyalty_codes').set({ status: 'used', used_at: new Date(), used_ref: usedRef }).where('id', '=', code.id).returningAll().executeTakeFirstOrThrow();
    await publishEvent(trx, ctx.jobs, 'reward.code_used', { codeId: code.id, accountId: code.account_id, kind: code.kind, valueMinor: code.value_minor, currency: code.currency, usedRef });
    return used;
  });
}

/** The member gives back an unused code: it stops working and its points return with their old expiry dates. */
export async function returnCode(ctx: AppContext, userId: number, codeId: number): Promise<CodeRow> {
  return ctx.db.transaction().execute(async (trx) => {
    const accountId = await ensureUserAccount(trx, userId);
    const account = await lockAccount(trx, accountId);
    const code = await trx.selectFrom('loyalty_codes').selectAll().where('id', '=', codeId).where('account_id', '=', accountId).forUpdate().executeTakeFirst();
    if (!code) throw notFound('No such code.');
    if (code.status !== 'issued') throw badRequest('Only an unused code can be returned.', 'code_not_returnable');
    if (!usable(code, new Date())) throw badRequest('This code has expired: an expired code does not give its points back.', 'code_not_returnable');
    const spent = await trx
      .selectFrom('loyalty_entries as e')
      .innerJoin('loyalty_allocations as a', 'a.entry_id', 'e.id')
      .innerJoin('loyalty_lots as l', 'l.id', 'a.lot_id')
      .select(['a.points', 'l.expires_at'])
      .where('e.source', '=', 'code')
      .where('e.external_id', '=', String(code.id))
      .where('e.kind', '=', 'spend')
      .execute();
    const lots = spent.map((s) => ({ points: s.points, expiresAt: s.expires_at }));
    await credit(ctx, trx, account, { source: 'code', externalId: String(code.id), kind: 'return', points: code.points, lots: lots.length ? lots : undefined, ref: `code:${code.id}`, reason: 'code returned', actorId: userId });
    return trx.updateTable('loyalty_codes').set({ status: 'returned' }).where('id', '=', code.id).returningAll().executeTakeFirstOrThrow();
  });
}

const EXPIRE_BATCH = 500;

/**
 * Marks issued codes past their date `expired` and publishes `reward.code_expired` for each, in the
 * same transaction, so each code expires once however many nodes run the job.
 *
 * The points do not come back. Smile.io does not refund expired codes either: the member chose to spend
 * the points and held the code for its whole life; refunding would let codes be parked for free. Until
 * its date a member can still return an unused code for its points (`returnCode`).
 */
export async function expireDueCodes(ctx: AppContext, now = new Date()): Promise<number> {
  let expired = 0;
  for (;;) {
    const rows = await ctx.db.transaction().execute(async (trx) => {
      const due = await trx
        .updateTable('loyalty_codes')
        .set({ status: 'expired', expired_at: now })
        .where('id', 'in', (eb) => eb.selectFrom('loyalty_codes').select('id').where('status', '=', 'issued').where('expires_at', '<=', now).orderBy('expires_at').limit(EXPIRE_BATCH).forUpdate().skipLocked())
        .where('status', '=', 'issued')
        .returning(['id', 'account_id', 'kind', 'points', 'value_minor', 'currency', 'expires_at'])
        .execute();
      for (const c of due) {
        await publishEvent(trx, ctx.jobs, 'reward.code_expired', { codeId: c.id, accountId: c.account_id, kind: c.kind, points: c.points, valueMinor: c.value_minor, currency: c.currency, expiresAt: c.expires_at.toISOString() });
      }
      return due;
    });
    expired += rows.length;
    if (rows.length < EXPIRE_BATCH) return expired;
  }
}
