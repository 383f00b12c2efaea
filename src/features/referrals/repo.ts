import { sql, type Selectable } from 'kysely';
import type { Executor } from '../../platform/jobs/registry.ts';
import type { ReferralsTable, ReferralStatus } from './tables.ts';

/** Kysely queries of the referrals feature, nothing else. */

export type ReferralRow = Selectable<ReferralsTable>;

export async function findCodeOfUser(db: Executor, userId: number): Promise<string | null> {
  const row = await db.selectFrom('referral_codes').select('code').where('user_id', '=', userId).executeTakeFirst();
  return row?.code ?? null;
}

/** Inserts the code unless the member has one or the code is taken; returns whether it was inserted. */
export async function insertCode(db: Executor, userId: number, code: string): Promise<boolean> {
  const inserted = await db
    .insertInto('referral_codes')
    .values({ user_id: userId, code })
    .onConflict((oc) => oc.doNothing())
    .returning('user_id')
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function findReferrerByCode(db: Executor, code: string): Promise<number | null> {
  const row = await db.selectFrom('referral_codes').select('user_id').where('code', '=', code).executeTakeFirst();
  return row?.user_id ?? null;
}

export async function insertClick(db: Executor, click: { referrerUserId: number; tokenHash: string; ipHash: string }): Promise<number> {
  const row = await db.insertInto('referral_clicks').values({ referrer_user_id: click.referrerUserId, token_hash: click.tokenHash, ip_hash: click.ipHash }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function findClick(db: Executor, tokenHash: string) {
  return db.selectFrom('referral_clicks').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
}

export async function noteNewMember(db: Executor, userId: number, registeredAt: Date): Promise<void> {
  await db.insertInto('referral_new_members').values({ user_id: userId, registered_at: registeredAt }).onConflict((oc) => oc.column('user_id').doNothing()).execute();
}

export async function findNewMember(db: Executor, userId: number): Promise<{ registered_at: Date } | undefined> {
  return db.selectFrom('referral_new_members').select('registered_at').where('user_id', '=', userId).executeTakeFirst();
}

export async function findReferral(db: Executor, id: number, opts: { forUpdate?: boolean } = {}): Promise<ReferralRow | undefined> {
  let q = db.selectFrom('referrals').selectAll().where('id', '=', id);
  if (opts.forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function findReferralOfFriend(db: Executor, friendUserId: number, opts: { forUpdate?: boolean } = {}): Promise<ReferralRow | undefined> {
  let q = db.selectFrom('referrals').selectAll().where('friend_user_id', '=', friendUserId);
  if (opts.forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function findReferralOfOrder(db: Executor, orderId: number): Promise<ReferralRow | undefined> {
  return db.selectFrom('referrals').selectAll().where('order_id', '=', orderId).forUpdate().executeTakeFirst();
}

export async function countReferralsFromIp(db: Executor, ipHash: string, since: Date): Promise<number> {
  const row = await db.selectFrom('referrals').select(sql<string>`count(*)`.as('n')).where('ip_hash', '=', ipHash).where('created_at', '>=', since).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function countReferralsBy(db: Executor, referrerUserId: number, since: Date): Promise<number> {
  const row = await db.selectFrom('referrals').select(sql<string>`count(*)`.as('n')).where('referrer_user_id', '=', referrerUserId).where('created_at', '>=', since).executeTakeFirstOrThrow();
  return Number(row.n);
}

export interface NewReferral {
  referrerUserId: number;
  friendUserId: number;
  clickId: number | null;
  via: 'link' | 'code';
  ipHash: string;
  status: ReferralStatus;
  flags: string[];
}

/** Inserts the referral; undefined when the friend already has one (a concurrent attach). */
export async function insertReferral(db: Executor, r: NewReferral): Promise<ReferralRow | undefined> {
  return db
    .insertInto('referrals')
    .values({ referrer_user_id: r.referrerUserId, friend_user_id: r.friendUserId, click_id: r.clickId, via: r.via, ip_hash: r.ipHash, status: r.status, flags: JSON.stringify(r.flags) })
    .onConflict((oc) => oc.column('friend_user_id').doNothing())
    .returningAll()
    .executeTakeFirst();
}

export type ReferralPatch = Partial<{
  status: ReferralStatus;
  flags: string[];
  order_id: number;
  order_minor: number;
  currency: string;
  qualified_at: Date;
  complete_after: Date;
  completed_at: Date;
  closed_reason: string | null;
  reviewed_by: number | null;
  reviewed_at: Date;
  welcome_code_id: number;
  referrer_code_id: number;
}>;

export async function updateReferral(db: Executor, id: number, patch: ReferralPatch): Promise<ReferralRow> {
  const { flags, ...rest } = patch;
  return db
    .updateTable('referrals')
    .set({ ...rest, ...(flags ? { flags: JSON.stringify(flags) } : {}), updated_at: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function dueForCompletion(db: Executor, now: Date, limit: number): Promise<number[]> {
  const rows = await db.selectFrom('referrals').select('id').where('status', '=', 'qualified').where('complete_after', '<=', now).orderBy('complete_after').orderBy('id').limit(limit).execute();
  return rows.map((r) => r.id);
}

/** Newest first, keyset on (created_at, id) with PostgreSQL's own microsecond text in the cursor. */
export async function listReferrals(db: Executor, filter: { referrerUserId?: number; status?: ReferralStatus; before?: { createdText: string; id: number } }, limit: number) {
  let q = db
    .selectFrom('referrals')
    .selectAll()
    .select(sql<string>`created_at::text`.as('created_text'))
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1);
  if (filter.referrerUserId !== undefined) q = q.where('referrer_user_id', '=', filter.referrerUserId);
  if (filter.status) q = q.where('status', '=', filter.status);
  const before = filter.before;
  if (before) q = q.where(sql<boolean>`(created_at, id) < (${before.createdText}::timestamptz, ${before.id})`);
  return q.execute();
}

export async function countByStatus(db: Executor, filter: { referrerUserId?: number }): Promise<Record<string, number>> {
  let q = db.selectFrom('referrals').select(['status', sql<string>`count(*)`.as('n')]).groupBy('status');
  if (filter.referrerUserId !== undefined) q = q.where('referrer_user_id', '=', filter.referrerUserId);
  const rows = await q.execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}
