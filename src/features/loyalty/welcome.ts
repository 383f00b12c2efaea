import { randomInt } from 'node:crypto';
import type { AppContext } from '../../platform/context.ts';
import { publishEvent } from '../../platform/jobs/registry.ts';
import { ensureUserAccount } from './accounts.ts';
import type { Trx } from './ledger.ts';
import type { CodeRow } from './rewards.ts';
import { loadProgramSettings } from './settings.ts';

/**
 * Codes given rather than bought: a referred friend's welcome reward, a referrer's store credit. They
 * live with redeemed codes in `loyalty_codes` (so a checkout validates and consumes them the same way)
 * but cost no points, so no ledger entry is written.
 */

const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

function newGiftCode(): string {
  let s = '';
  for (let i = 0; i < 10; i++) s += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return `HG-${s.slice(0, 5)}-${s.slice(5)}`;
}

export interface GiftCodeInput {
  userId: number;
  valueMinor: number;
  validDays: number;
  /** Why it was given, e.g. `referral:12:welcome`; carried on the `reward.code_issued` event. */
  reason: string;
}

/**
 * Issues a code worth `valueMinor` (in the program's currency) to the member, in the caller's
 * transaction. The caller makes it happen once (e.g. by storing the returned id on its own row).
 */
export async function issueGiftCode(ctx: AppContext, trx: Trx, input: GiftCodeInput, now = new Date()): Promise<CodeRow> {
  const settings = await loadProgramSettings(trx);
  const accountId = await ensureUserAccount(trx, input.userId);
  const code = await trx
    .insertInto('loyalty_codes')
    .values({ code: newGiftCode(), account_id: accountId, reward_id: null, points: 0, value_minor: input.valueMinor, currency: settings.currency, expires_at: new Date(now.getTime() + input.validDays * 86_400_000) })
    .returningAll()
    .executeTakeFirstOrThrow();
  await publishEvent(trx, ctx.jobs, 'reward.code_issued', { codeId: code.id, accountId, userId: input.userId, valueMinor: code.value_minor, currency: code.currency, reason: input.reason });
  return code;
}

/** Codes by id, for a feature that keeps the ids of the codes it issued. */
export async function findCodesByIds(db: AppContext['db'], ids: number[]): Promise<CodeRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('loyalty_codes').selectAll().where('id', 'in', ids).execute();
}

/** The points program's currency and return window, for features whose rewards follow it. */
export async function programTerms(db: AppContext['db'] | Trx): Promise<{ currency: string; returnWindowDays: number; enabled: boolean }> {
  const s = await loadProgramSettings(db);
  return { currency: s.currency, returnWindowDays: s.returnWindowDays, enabled: s.enabled };
}
