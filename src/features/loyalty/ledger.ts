import { sql, type Selectable, type Transaction } from 'kysely';
import type { AppContext } from '../../platform/context.ts';
import type { DB } from '../../platform/db/schema.ts';
import { conflict, notFound } from '../../platform/http/errors.ts';
import { publishEvent } from '../../platform/jobs/registry.ts';
import type { EntryKind, LoyaltyAccountsTable, LoyaltyEntriesTable } from './tables.ts';

/**
 * The points ledger. Every change to an account is one or more appended entries, written in the
 * caller's transaction while it holds the account's row lock (`lockAccount`), so concurrent writers on
 * any number of processes are serialised per account and the balances kept on the account row always
 * equal the sums of the entries' deltas. Each entry is unique per (source, external_id, kind): appending
 * the same one again returns the first and changes nothing, which makes every event handler replayable.
 *
 * Three numbers per account: available points (the open lots' remaining points), pending points
 * (awarded but still inside the return window) and debt (points taken back after they were spent).
 * Debt is paid before anything becomes available again, so debt and available are never both positive.
 */

export type Trx = Transaction<DB>;
export type AccountRow = Selectable<LoyaltyAccountsTable>;
export type EntryRow = Selectable<LoyaltyEntriesTable>;

export interface EntryKey {
  source: string;
  externalId: string;
}

export interface EntryMeta {
  ref?: string | null;
  ruleKey?: string | null;
  reason?: string | null;
  actorId?: number | null;
}

export interface LotSpec {
  points: number;
  expiresAt: Date | null;
}

export interface LedgerResult {
  entry: EntryRow;
  /** True when the entry already existed: nothing changed. */
  replay: boolean;
}

const eventOfKind: Record<EntryKind, string> = {
  earn: 'points.earned',
  pending: 'points.pending',
  post: 'points.posted',
  void: 'points.voided',
  spend: 'points.spent',
  expire: 'points.expired',
  clawback: 'points.clawed_back',
  adjust: 'points.adjusted',
  merge_out: 'points.merged',
  merge_in: 'points.merged',
  return: 'points.returned',
};

export const insufficientPoints = () => conflict('There are not enough points available for that.', 'insufficient_points');

/** Takes the account's row lock for the rest of the transaction and returns its current state. */
export async function lockAccount(trx: Trx, accountId: number): Promise<AccountRow> {
  const row = await trx.selectFrom('loyalty_accounts').selectAll().where('id', '=', accountId).forUpdate().executeTakeFirst();
  if (!row) throw notFound('No such loyalty account.');
  return row;
}

export async function findEntry(trx: Trx, key: EntryKey, kind: EntryKind): Promise<EntryRow | undefined> {
  return trx.selectFrom('loyalty_entries').selectAll().where('source', '=', key.source).where('external_id', '=', key.externalId).where('kind', '=', kind).executeTakeFirst();
}

interface NewEntry extends EntryKey, EntryMeta {
  kind: EntryKind;
  points: number;
  deltaAvailable?: number;
  deltaPending?: number;
  deltaDebt?: number;
  pendingId?: number | null;
  dueAt?: Date | null;
}

/** Inserts the entry and applies its deltas to the (locked) account row and the in-memory copy. */
async function appendEntry(ctx: AppContext, trx: Trx, account: AccountRow, e: NewEntry, lifetimeEarned = 0): Promise<EntryRow> {
  const deltaAvailable = e.deltaAvailable ?? 0;
  const deltaPending = e.deltaPending ?? 0;
  const deltaDebt = e.deltaDebt ?? 0;
  const entry = await trx
    .insertInto('loyalty_entries')
    .values({
      account_id: account.id,
      kind: e.kind,
      source: e.source,
      external_id: e.externalId,
      ref: e.ref ?? null,
      rule_key: e.ruleKey ?? null,
      points: e.points,
      delta_available: deltaAvailable,
      delta_pending: deltaPending,
      delta_debt: deltaDebt,
      pending_id: e.pendingId ?? null,
      due_at: e.dueAt ?? null,
      reason: e.reason ?? null,
      actor_id: e.actorId ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  if (deltaAvailable || deltaPending || deltaDebt || lifetimeEarned) {
    const updated = await trx
      .updateTable('loyalty_accounts')
      .set((eb) => ({
        balance: eb('balance', '+', deltaAvailable),
        pending: eb('pending', '+', deltaPending),
        debt: eb('debt', '+', deltaDebt),
        lifetime_earned: eb('lifetime_earned', '+', lifetimeEarned),
        updated_at: new Date(),
      }))
      .where('id', '=', account.id)
      .returning(['balance', 'pending', 'debt', 'lifetime_earned'])
      .executeTakeFirstOrThrow();
    Object.assign(account, updated);
  }
  await publishEvent(trx, ctx.jobs, eventOfKind[e.kind], {
    accountId: account.id,
    userId: account.user_id,
    customerId: account.customer_id,
    entryId: entry.id,
    kind: e.kind,
    points: e.points,
    ref: e.ref ?? null,
    ruleKey: e.ruleKey ?? null,
    balance: account.balance,
  }, e.actorId ?? null);
  return entry;
}

/** Consumes open lots, those expiring first first, up to `points`; records the allocations. */
async function consumeLots(trx: Trx, accountId: number, entryId: number, points: number, onlyLotId?: number): Promise<number> {
  if (points <= 0) return 0;
  let query = trx
    .selectFrom('loyalty_lots')
    .select(['id', 'remaining'])
    .where('account_id', '=', accountId)
    .where('remaining', '>', 0)
    .orderBy(sql`expires_at asc nulls last`)
    .orderBy('id');
  if (onlyLotId !== undefined) query = query.where('id', '=', onlyLotId);
  const lots = await query.execute();
  let left = points;
  for (const lot of lots) {
    if (left === 0) break;
    const take = Math.min(lot.remaining, left);
    left -= take;
    await trx.insertInto('loyalty_allocations').values({ entry_id: entryId, lot_id: lot.id, points: take }).execute();
    await trx.updateTable('loyalty_lots').set((eb) => ({ remaining: eb('remaining', '-', take) })).where('id', '=', lot.id).execute();
  }
  return points - left;
}

async function creditLots(trx: Trx, accountId: number, entryId: number, lots: LotSpec[]): Promise<void> {
  for (const lot of lots) {
    if (lot.points <= 0) continue;
    await trx.insertInto('loyalty_lots').values({ account_id: accountId, entry_id: entryId, points: lot.points, remaining: lot.points, expires_at: lot.expiresAt }).execute();
  }
}

/** Debt is paid from the incoming lots that would expire first, so the member keeps the longest-lived points. */
function payDebtFromLots(lots: LotSpec[], debt: number): { paid: number; rest: LotSpec[] } {
  const sorted = [...lots].sort((a, b) => (a.expiresAt?.getTime() ?? Infinity) - (b.expiresAt?.getTime() ?? Infinity));
  let owed = debt;
  const rest: LotSpec[] = [];
  for (const lot of sorted) {
    const pay = Math.min(owed, lot.points);
    owed -= pay;
    if (lot.points - pay > 0) rest.push({ points: lot.points - pay, expiresAt: lot.expiresAt });
  }
  return { paid: debt - owed, rest };
}

export interface CreditInput extends EntryKey, EntryMeta {
  kind: 'earn' | 'adjust' | 'return';
  points: number;
  /** The lots the points form; one lot with `expiresAt` when omitted. */
  lots?: LotSpec[];
  expiresAt?: Date | null;
}

/** Adds available points (after paying any debt). `earn` counts towards lifetime earned. */
export async function credit(ctx: AppContext, trx: Trx, account: AccountRow, input: CreditInput): Promise<LedgerResult> {
  const existing = await findEntry(trx, input, input.kind);
  if (existing) return { entry: existing, replay: true };
  const lots = input.lots ?? [{ points: input.points, expiresAt: input.expiresAt ?? null }];
  const { paid, rest } = payDebtFromLots(lots, account.debt);
  const entry = await appendEntry(ctx, trx, account, { ...input, deltaAvailable: input.points - paid, deltaDebt: -paid }, input.kind === 'earn' ? input.points : 0);
  await creditLots(trx, account.id, entry.id, rest);
  return { entry, replay: false };
}

export interface DebitInput extends EntryKey, EntryMeta {
  kind: 'spend' | 'expire' | 'clawback' | 'adjust';
  points: number;
  /** A shortfall becomes debt instead of failing (refunds and corrections, never spending). */
  allowDebt: boolean;
  /** Consume only this lot (expiry). */
  lotId?: number;
}

/** Takes points from the lots expiring first; without `allowDebt` fails when they do not cover it. */
export async function debit(ctx: AppContext, trx: Trx, account: AccountRow, input: DebitInput): Promise<LedgerResult> {
  const existing = await findEntry(trx, input, input.kind);
  if (existing) return { entry: existing, replay: true };
  if (!input.allowDebt && input.lotId === undefined && account.balance < input.points) throw insufficientPoints();
  // The entry comes first so its allocations can reference it; its deltas are known before any lot is
  // touched because the open lots always sum to the available balance.
  const fromLots = input.lotId === undefined ? Math.min(account.balance, input.points) : input.points;
  const shortfall = input.points - fromLots;
  const entry = await appendEntry(ctx, trx, account, { ...input, deltaAvailable: -fromLots, deltaDebt: input.allowDebt ? shortfall : 0 });
  const consumed = await consumeLots(trx, account.id, entry.id, fromLots, input.lotId);
  if (consumed !== fromLots) throw new Error(`loyalty ledger: lots of account ${account.id} do not cover its balance (${consumed} of ${fromLots})`);
  return { entry, replay: false };
}

export interface PendingInput extends EntryKey, EntryMeta {
  points: number;
  dueAt: Date;
}

/** Records points that wait (e.g. for the return window) until a later `settlePending` posts or voids them. */
export async function addPending(ctx: AppContext, trx: Trx, account: AccountRow, input: PendingInput): Promise<LedgerResult> {
  const existing = await findEntry(trx, input, 'pending');
  if (existing) return { entry: existing, replay: true };
  const entry = await appendEntry(ctx, trx, account, { ...input, kind: 'pending', deltaPending: input.points, dueAt: input.dueAt });
  await trx.insertInto('loyalty_open_pending').values({ entry_id: entry.id, account_id: account.id, due_at: input.dueAt }).execute();
  return { entry, replay: false };
}

/**
 * Posts (the points become available, forming a lot) or voids a pending entry. Exactly once: the open
 * queue row is claimed by deleting it, and the unique index on `pending_id` backs that up. Returns null
 * when the entry was already settled.
 */
export async function settlePending(
  ctx: AppContext,
  trx: Trx,
  account: AccountRow,
  pending: EntryRow,
  outcome: 'post' | 'void',
  opts: { expiresAt?: Date | null; reason?: string; actorId?: number | null } = {},
): Promise<EntryRow | null> {
  if (pending.kind !== 'pending' || pending.account_id !== account.id) throw new Error('loyalty ledger: not a pending entry of this account');
  const claimed = await trx.deleteFrom('loyalty_open_pending').where('entry_id', '=', pending.id).returning('entry_id').executeTakeFirst();
  if (!claimed) return null;
  const base = { source: 'ledger', externalId: String(pending.id), ref: pending.ref, ruleKey: pending.rule_key, reason: opts.reason ?? null, actorId: opts.actorId ?? null, pendingId: pending.id, points: pending.points };
  if (outcome === 'void') return appendEntry(ctx, trx, account, { ...base, kind: 'void', deltaPending: -pending.points });
  const lots = [{ points: pending.points, expiresAt: opts.expiresAt ?? null }];
  const { paid, rest } = payDebtFromLots(lots, account.debt);
  const entry = await appendEntry(ctx, trx, account, { ...base, kind: 'post', deltaPending: -pending.points, deltaAvailable: pending.points - paid, deltaDebt: -paid }, pending.points);
  await creditLots(trx, account.id, entry.id, rest);
  return entry;
}

/** The unsettled pending entries about one thing (e.g. `order:42`), on any account. */
export async function openPendingFor(trx: Trx, ref: string): Promise<EntryRow[]> {
  return trx
    .selectFrom('loyalty_entries as e')
    .innerJoin('loyalty_open_pending as o', 'o.entry_id', 'e.id')
    .selectAll('e')
    .where('e.ref', '=', ref)
    .where('e.kind', '=', 'pending')
    .orderBy('e.id')
    .execute();
}

/**
 * Moves everything of account `from` into `into` (a store customer's account joining the member's):
 * lots keep their expiry, debt stays debt, pending entries are voided on `from` and pending again on
 * `into` with the same due date. Both rows must be locked by the caller, lower id first.
 */
export async function mergeAccounts(ctx: AppContext, trx: Trx, from: AccountRow, into: AccountRow): Promise<void> {
  const key = { source: 'merge', externalId: String(from.id) };
  if (await findEntry(trx, key, 'merge_out')) return;
  for (const pending of await trx.selectFrom('loyalty_entries as e').innerJoin('loyalty_open_pending as o', 'o.entry_id', 'e.id').selectAll('e').where('o.account_id', '=', from.id).orderBy('e.id').execute()) {
    await settlePending(ctx, trx, from, pending, 'void', { reason: `moved to account ${into.id}` });
    await addPending(ctx, trx, into, {
      source: 'merge',
      externalId: String(pending.id),
      points: pending.points,
      dueAt: pending.due_at ?? new Date(),
      ref: pending.ref,
      ruleKey: pending.rule_key,
      reason: `from account ${from.id}`,
    });
  }
  const lots = (await trx.selectFrom('loyalty_lots').select(['remaining', 'expires_at']).where('account_id', '=', from.id).where('remaining', '>', 0).execute()).map(
    (l) => ({ points: l.remaining, expiresAt: l.expires_at }),
  );
  const moved = from.balance;
  const movedDebt = from.debt;
  const out = await appendEntry(ctx, trx, from, { ...key, kind: 'merge_out', points: moved + movedDebt, deltaAvailable: -moved, deltaDebt: -movedDebt, reason: `merged into account ${into.id}` });
  await consumeLots(trx, from.id, out.id, moved);

  const incomingLifetime = from.lifetime_earned;
  if (movedDebt > 0) {
    const fromLots = Math.min(into.balance, movedDebt);
    const entry = await appendEntry(ctx, trx, into, { ...key, kind: 'merge_in', points: movedDebt, deltaAvailable: -fromLots, deltaDebt: movedDebt - fromLots, reason: `debt from account ${from.id}` }, incomingLifetime);
    await consumeLots(trx, into.id, entry.id, fromLots);
  } else {
    const { paid, rest } = payDebtFromLots(lots, into.debt);
    const entry = await appendEntry(ctx, trx, into, { ...key, kind: 'merge_in', points: moved, deltaAvailable: moved - paid, deltaDebt: -paid, reason: `from account ${from.id}` }, incomingLifetime);
    await creditLots(trx, into.id, entry.id, rest);
  }
  await trx.updateTable('loyalty_accounts').set({ merged_into: into.id, updated_at: new Date() }).where('id', '=', from.id).execute();
  from.merged_into = into.id;
}
