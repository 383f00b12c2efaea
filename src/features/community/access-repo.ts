import { sql } from 'kysely';
import type { Executor } from '../../platform/jobs/registry.ts';
import type { Role } from '../accounts/tables.ts';
import type { JoinRequestStatus } from './tables.ts';

/** Kysely queries for space membership, space moderators and access rules; the rules live in access.ts. */

export interface AccessRuleRow {
  id: number;
  spaceId: number;
  kind: string;
  config: unknown;
}

export interface AccessProfileRow {
  joinedAt: Date;
  memberOf: number[];
  moderates: number[];
  /** Every rule of every exclusive space: few, and each member is judged against all of them. */
  rules: AccessRuleRow[];
}

/**
 * Everything that decides which private and exclusive spaces one member may enter, in one round trip.
 * `json_agg` keeps ids as JSON numbers on both drivers.
 */
export async function loadAccessProfile(db: Executor, userId: number): Promise<AccessProfileRow | undefined> {
  const result = await sql<{ joined_at: Date; member_of: number[]; moderates: number[]; rules: AccessRuleRow[] }>`
    select
      u.created_at as joined_at,
      coalesce((select json_agg(m.space_id) from space_members m where m.user_id = u.id), '[]'::json) as member_of,
      coalesce((select json_agg(sm.space_id) from space_moderators sm where sm.user_id = u.id), '[]'::json) as moderates,
      coalesce(
        (select json_agg(json_build_object('id', r.id, 'spaceId', r.space_id, 'kind', r.kind, 'config', r.config) order by r.id)
           from space_access_rules r join spaces s on s.id = r.space_id
          where s.visibility = 'exclusive'),
        '[]'::json
      ) as rules
    from users u
    where u.id = ${userId}
  `.execute(db);
  const row = result.rows[0];
  if (!row) return undefined;
  return { joinedAt: new Date(row.joined_at), memberOf: row.member_of, moderates: row.moderates, rules: row.rules };
}

// Members of a space.

export interface SpacePersonRow {
  user_id: number;
  username: string;
  display_name: string;
  avatar_path: string | null;
  created_at: Date;
}

export function listSpaceMembers(db: Executor, spaceId: number, limit: number): Promise<SpacePersonRow[]> {
  return db
    .selectFrom('space_members')
    .innerJoin('users', 'users.id', 'space_members.user_id')
    .select(['space_members.user_id', 'users.username', 'users.display_name', 'users.avatar_path', 'space_members.created_at'])
    .where('space_members.space_id', '=', spaceId)
    .orderBy('users.display_name')
    .orderBy('users.id')
    .limit(limit)
    .execute();
}

export async function countSpaceMembers(db: Executor, spaceId: number): Promise<number> {
  const row = await db
    .selectFrom('space_members')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('space_id', '=', spaceId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** True when the row was added, false when the member was already there. */
export async function addSpaceMember(db: Executor, spaceId: number, userId: number, addedBy: number | null): Promise<boolean> {
  const rows = await db
    .insertInto('space_members')
    .values({ space_id: spaceId, user_id: userId, added_by: addedBy })
    .onConflict((oc) => oc.columns(['space_id', 'user_id']).doNothing())
    .returning('user_id')
    .execute();
  return rows.length > 0;
}

export async function removeSpaceMember(db: Executor, spaceId: number, userId: number): Promise<boolean> {
  const result = await db.deleteFrom('space_members').where('space_id', '=', spaceId).where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function isSpaceMember(db: Executor, spaceId: number, userId: number): Promise<boolean> {
  const row = await db.selectFrom('space_members').select('user_id').where('space_id', '=', spaceId).where('user_id', '=', userId).executeTakeFirst();
  return row !== undefined;
}

// Space moderators.

export function listSpaceModerators(db: Executor, spaceId: number): Promise<SpacePersonRow[]> {
  return db
    .selectFrom('space_moderators')
    .innerJoin('users', 'users.id', 'space_moderators.user_id')
    .select(['space_moderators.user_id', 'users.username', 'users.display_name', 'users.avatar_path', 'space_moderators.created_at'])
    .where('space_moderators.space_id', '=', spaceId)
    .orderBy('users.display_name')
    .orderBy('users.id')
    .execute();
}

export async function addSpaceModerator(db: Executor, spaceId: number, userId: number, addedBy: number | null): Promise<boolean> {
  const rows = await db
    .insertInto('space_moderators')
    .values({ space_id: spaceId, user_id: userId, added_by: addedBy })
    .onConflict((oc) => oc.columns(['space_id', 'user_id']).doNothing())
    .returning('user_id')
    .execute();
  return rows.length > 0;
}

export async function removeSpaceModerator(db: Executor, spaceId: number, userId: number): Promise<boolean> {
  const result = await db.deleteFrom('space_moderators').where('space_id', '=', spaceId).where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

// Join requests.

export interface JoinRequestRow {
  id: number;
  space_id: number;
  user_id: number;
  username: string;
  display_name: string;
  avatar_path: string | null;
  message: string;
  status: JoinRequestStatus;
  created_at: Date;
  decided_at: Date | null;
}

function joinRequestQuery(db: Executor) {
  return db
    .selectFrom('space_join_requests')
    .innerJoin('users', 'users.id', 'space_join_requests.user_id')
    .select([
      'space_join_requests.id',
      'space_join_requests.space_id',
      'space_join_requests.user_id',
      'users.username',
      'users.display_name',
      'users.avatar_path',
      'space_join_requests.message',
      'space_join_requests.status',
      'space_join_requests.created_at',
      'space_join_requests.decided_at',
    ]);
}

export function listPendingJoinRequests(db: Executor, spaceId: number, limit: number): Promise<JoinRequestRow[]> {
  return joinRequestQuery(db)
    .where('space_join_requests.space_id', '=', spaceId)
    .where('space_join_requests.status', '=', 'pending')
    .orderBy('space_join_requests.created_at')
    .orderBy('space_join_requests.id')
    .limit(limit)
    .execute();
}

export function findJoinRequest(db: Executor, id: number): Promise<JoinRequestRow | undefined> {
  return joinRequestQuery(db).where('space_join_requests.id', '=', id).executeTakeFirst();
}

/** The member's pending request for a space, locked when asked inside a transaction. */
export function findPendingJoinRequest(db: Executor, spaceId: number, userId: number): Promise<{ id: number } | undefined> {
  return db
    .selectFrom('space_join_requests')
    .select('id')
    .where('space_id', '=', spaceId)
    .where('user_id', '=', userId)
    .where('status', '=', 'pending')
    .executeTakeFirst();
}

/** The spaces among `spaceIds` where the member has a request waiting. */
export async function pendingRequestSpaceIds(db: Executor, userId: number, spaceIds: number[]): Promise<number[]> {
  if (spaceIds.length === 0) return [];
  const rows = await db
    .selectFrom('space_join_requests')
    .select('space_id')
    .where('user_id', '=', userId)
    .where('status', '=', 'pending')
    .where('space_id', 'in', spaceIds)
    .execute();
  return rows.map((r) => r.space_id);
}

/** Inserts a pending request unless one is already pending; returns the pending request either way. */
export async function insertJoinRequest(db: Executor, spaceId: number, userId: number, message: string): Promise<{ id: number; created: boolean }> {
  const inserted = await sql<{ id: number }>`
    insert into space_join_requests (space_id, user_id, message)
    values (${spaceId}, ${userId}, ${message})
    on conflict (space_id, user_id) where status = 'pending' do nothing
    returning id
  `.execute(db);
  const row = inserted.rows[0];
  if (row) return { id: row.id, created: true };
  const existing = await findPendingJoinRequest(db, spaceId, userId);
  if (!existing) throw new Error('A join request vanished between insert and select.');
  return { id: existing.id, created: false };
}

/** Decides a pending request; returns false when it was no longer pending (decided by someone else). */
export async function decideJoinRequest(db: Executor, id: number, status: 'approved' | 'declined', decidedBy: number, at: Date): Promise<boolean> {
  const result = await db
    .updateTable('space_join_requests')
    .set({ status, decided_by: decidedBy, decided_at: at })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Settles any pending request of a member who was let in another way (an invitation). */
export async function approvePendingRequest(db: Executor, spaceId: number, userId: number, decidedBy: number, at: Date): Promise<void> {
  await db
    .updateTable('space_join_requests')
    .set({ status: 'approved', decided_by: decidedBy, decided_at: at })
    .where('space_id', '=', spaceId)
    .where('user_id', '=', userId)
    .where('status', '=', 'pending')
    .execute();
}

// Access rules.

export function listAccessRules(db: Executor, spaceId: number): Promise<AccessRuleRow[]> {
  return db.selectFrom('space_access_rules').select(['id', 'space_id as spaceId', 'kind', 'config']).where('space_id', '=', spaceId).orderBy('id').execute();
}

export function insertAccessRule(db: Executor, values: { spaceId: number; kind: string; config: unknown; createdBy: number | null }): Promise<{ id: number }> {
  return db
    .insertInto('space_access_rules')
    .values({ space_id: values.spaceId, kind: values.kind, config: JSON.stringify(values.config), created_by: values.createdBy })
    .returning('id')
    .executeTakeFirstOrThrow();
}

export async function deleteAccessRule(db: Executor, spaceId: number, ruleId: number): Promise<boolean> {
  const result = await db.deleteFrom('space_access_rules').where('id', '=', ruleId).where('space_id', '=', spaceId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

// Members looked up by the names admins and moderators type.

export interface UserRef {
  id: number;
  username: string;
  display_name: string;
  role: Role;
}

export function findUsersByUsername(db: Executor, usernames: string[]): Promise<UserRef[]> {
  if (usernames.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('users')
    .select(['id', 'username', 'display_name', 'role'])
    .where(sql<string>`lower(username)`, 'in', usernames.map((u) => u.toLowerCase()))
    .execute();
}

export function findUsersById(db: Executor, ids: number[]): Promise<UserRef[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db.selectFrom('users').select(['id', 'username', 'display_name', 'role']).where('id', 'in', ids).orderBy('display_name').execute();
}
