import { randomInt } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { AppContext } from '../../platform/context.ts';
import { badRequest, conflict, notFound, validationFailed } from '../../platform/http/errors.ts';
import { publishEvent } from '../../platform/jobs/registry.ts';
import { ensureUserAccount } from './accounts.ts';
import { credit, debit, lockAccount } from './ledger.ts';
import { loadProgramSettings } from './settings.ts';
import type { LoyaltyCodesTable, LoyaltyRewardsTable } from './tables.ts';

/**
 * Rewards and redemption through the built-in store adapter: redeeming spends points and issues a unique
 * discount code kept here; a checkout validates and consumes it through the API. An unused code can be
 * returned, and its points come back with the expiry dates they had.
 *
 * A Shopify adapter would, at redemption, create a price rule and discount code through the Admin API
 * (`POST /admin/api/{version}/price_rules.json`, then `.../discount_codes.json`), store the returned ids
 * beside the code, and on return delete the code; consumption arrives as an `orders/paid` webhook whose
 * `discount_codes` name the code. It is not built: this is its shape.
 */

export type RewardRow = Selectable<LoyaltyRewardsTable>;
export type CodeRow = Selectable<LoyaltyCodesTable>;

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
  const chosen = points ?? reward.min_points;
  if (chosen < Math.max(reward.min_points, reward.points)) throw validationFailed({ points: `Redeem at least ${Math.max(reward.min_points, reward.points)} points.` });
  if (chosen % reward.points !== 0) throw validationFailed({ points: `Redeem points in steps of ${reward.points}.` });
  if (reward.max_points !== null && chosen > reward.max_points) throw validationFailed({ points: `Redeem at most ${reward.max_points} points at once.` });
  return { points: chosen, valueMinor: (chosen / reward.points) * reward.value_minor };
}

export async function redeemReward(ctx: AppContext, userId: number, input: { rewardId: number; points?: number }): Promise<CodeRow> {
  return ctx.db.transaction().execute(async (trx) => {
    const settings = await loadProgramSettings(trx);
    if (!settings.enabled) throw conflict('The points program is paused.', 'program_paused');
    const reward = await trx.selectFrom('loyalty_rewards').selectAll().where('id', '=', input.rewardId).where('enabled', '=', true).executeTakeFirst();
    if (!reward) throw notFound('No such reward.');
    const quote = quoteReward(reward, input.points);
    if (quote.points < settings.redeemMinimumPoints) throw validationFailed({ points: `Redemption starts at ${settings.redeemMinimumPoints} points.` });
    const account = await lockAccount(trx, await ensureUserAccount(trx, userId));
    const code = await trx
      .insertInto('loyalty_codes')
      .values({ code: newCode(), account_id: account.id, reward_id: reward.id, points: quote.points, value_minor: quote.valueMinor, currency: settings.currency, expires_at: new Date(Date.now() + reward.code_valid_days * 86_400_000) })
      .returningAll()
      .executeTakeFirstOrThrow();
    await debit(ctx, trx, account, { source: 'code', externalId: String(code.id), kind: 'spend', points: quote.points, allowDebt: false, ref: `code:${code.id}`, reason: reward.name, actorId: userId });
    return code;
  });
}

export async function listCodes(db: AppContext['db'], accountId: number): Promise<CodeRow[]> {
  return db.selectFrom('loyalty_codes').selectAll().where('account_id', '=', accountId).orderBy('id', 'desc').limit(50).execute();
}

function usable(code: CodeRow, now: Date): boolean {
  return code.status === 'issued' && code.expires_at.getTime() > now.getTime();
}

/** For a checkout: whether the code can be used now, and what it is worth. */
export async function validateCode(ctx: AppContext, codeText: string): Promise<{ code: string; valid: boolean; status: string; valueMinor: number; currency: string; expiresAt: Date }> {
  const code = await ctx.db.selectFrom('loyalty_codes').selectAll().where('code', '=', codeText.trim().toUpperCase()).executeTakeFirst();
  if (!code) throw notFound('No such code.');
  const now = new Date();
  const status = code.status === 'issued' && !usable(code, now) ? 'expired' : code.status;
  return { code: code.code, valid: usable(code, now), status, valueMinor: code.value_minor, currency: code.currency, expiresAt: code.expires_at };
}

/** For a checkout: uses the code once; a second use is refused. */
export async function consumeCode(ctx: AppContext, codeText: string, usedRef: string): Promise<CodeRow> {
  return ctx.db.transaction().execute(async (trx) => {
    const code = await trx.selectFrom('loyalty_codes').selectAll().where('code', '=', codeText.trim().toUpperCase()).forUpdate().executeTakeFirst();
    if (!code) throw notFound('No such code.');
    if (code.status === 'used' && code.used_ref === usedRef) return code;
    if (!usable(code, new Date())) throw conflict('This code cannot be used: it was used, returned or has expired.', 'code_not_usable');
    const used = await trx.updateTable('loyalty_codes').set({ status: 'used', used_at: new Date(), used_ref: usedRef }).where('id', '=', code.id).returningAll().executeTakeFirstOrThrow();
    await publishEvent(trx, ctx.jobs, 'reward.code_used', { codeId: code.id, accountId: code.account_id, valueMinor: code.value_minor, currency: code.currency, usedRef });
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
