import type { AppContext } from '../../platform/context.ts';
import { lockAccount, mergeAccounts, type Trx } from './ledger.ts';

/**
 * Which account points go to. A member's account is keyed by user id; a store customer without a
 * community account yet gets one keyed by customer id, merged into the member's when the two are linked.
 * A merged account stays as a redirect (`merged_into`), so a later event naming only the customer still
 * lands in the member's account.
 */

export async function ensureUserAccount(trx: Trx, userId: number): Promise<number> {
  await trx.insertInto('loyalty_accounts').values({ user_id: userId }).onConflict((oc) => oc.column('user_id').doNothing()).execute();
  const row = await trx.selectFrom('loyalty_accounts').select('id').where('user_id', '=', userId).executeTakeFirstOrThrow();
  return row.id;
}

/** The account a store customer's points go to: their member's, once linked, or their own. */
export async function ensureCustomerAccount(trx: Trx, customerId: number): Promise<number> {
  await trx.insertInto('loyalty_accounts').values({ customer_id: customerId }).onConflict((oc) => oc.column('customer_id').doNothing()).execute();
  const row = await trx.selectFrom('loyalty_accounts').select(['id', 'merged_into']).where('customer_id', '=', customerId).executeTakeFirstOrThrow();
  return row.merged_into ?? row.id;
}

export async function findUserAccountId(trx: Trx | AppContext['db'], userId: number): Promise<number | null> {
  const row = await trx.selectFrom('loyalty_accounts').select('id').where('user_id', '=', userId).executeTakeFirst();
  return row?.id ?? null;
}

/**
 * Links a store customer to a member: the customer's account, if it has points, is merged into the
 * member's (a ledger-visible move that keeps every point, lot expiry, pending entry and debt). Idempotent.
 * A customer already linked to another member stays with that member: moving points between two people
 * is an administrator's decision, not an event's.
 */
export async function linkCustomer(ctx: AppContext, trx: Trx, customerId: number, userId: number): Promise<number> {
  const memberId = await ensureUserAccount(trx, userId);
  const existing = await trx.selectFrom('loyalty_accounts').select(['id', 'merged_into']).where('customer_id', '=', customerId).executeTakeFirst();
  if (!existing) {
    await trx.insertInto('loyalty_accounts').values({ customer_id: customerId, merged_into: memberId }).onConflict((oc) => oc.column('customer_id').doNothing()).execute();
    const row = await trx.selectFrom('loyalty_accounts').select(['id', 'merged_into']).where('customer_id', '=', customerId).executeTakeFirstOrThrow();
    if (row.merged_into !== null) return row.merged_into;
    return mergeInto(ctx, trx, row.id, memberId);
  }
  if (existing.merged_into !== null) {
    // Points already with the other member stay there; what names this member from now on is theirs.
    if (existing.merged_into !== memberId) ctx.log.warn({ customerId, userId, linkedTo: existing.merged_into }, 'loyalty: customer already linked to another member; not moved');
    return memberId;
  }
  if (existing.id === memberId) return memberId;
  return mergeInto(ctx, trx, existing.id, memberId);
}

async function mergeInto(ctx: AppContext, trx: Trx, fromId: number, intoId: number): Promise<number> {
  // Lower id first, the order every writer takes two account locks in, so two merges cannot deadlock.
  const [first, second] = fromId < intoId ? [fromId, intoId] : [intoId, fromId];
  const a = await lockAccount(trx, first);
  const b = await lockAccount(trx, second);
  const from = a.id === fromId ? a : b;
  const into = a.id === fromId ? b : a;
  if (from.merged_into !== null) return from.merged_into;
  await mergeAccounts(ctx, trx, from, into);
  await trx.updateTable('loyalty_orders').set({ account_id: into.id }).where('account_id', '=', from.id).execute();
  await trx.updateTable('loyalty_codes').set({ account_id: into.id }).where('account_id', '=', from.id).execute();
  return into.id;
}

/** The account of an order's buyer, linking customer and member when the order names both. */
export async function accountForBuyer(ctx: AppContext, trx: Trx, buyer: { customerId: number; userId: number | null }): Promise<number> {
  if (buyer.userId !== null) return linkCustomer(ctx, trx, buyer.customerId, buyer.userId);
  return ensureCustomerAccount(trx, buyer.customerId);
}
