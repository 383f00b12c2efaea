import { sql } from 'kysely';
import { hashToken, newToken } from '../../platform/crypto/tokens.ts';
import type { Executor } from '../../platform/jobs/registry.ts';
import type { EmailTokenPurpose, Role } from './tables.ts';

/** Kysely queries for the accounts tables, and nothing else: the rules live in service.ts. */

const userColumns = [
  'id',
  'email',
  'display_name',
  'username',
  'password_hash',
  'role',
  'email_verified_at',
  'bio',
  'avatar_path',
  'notification_prefs',
  'failed_logins',
  'locked_until',
  'created_at',
] as const;

export interface UserRow {
  id: number;
  email: string;
  display_name: string;
  username: string;
  password_hash: string | null;
  role: Role;
  email_verified_at: Date | null;
  bio: string;
  avatar_path: string | null;
  notification_prefs: unknown;
  failed_logins: number;
  locked_until: Date | null;
  created_at: Date;
}

export function findUserByEmail(db: Executor, email: string): Promise<UserRow | undefined> {
  return db
    .selectFrom('users')
    .select(userColumns)
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
    .executeTakeFirst();
}

export function findUserById(db: Executor, id: number): Promise<UserRow | undefined> {
  return db.selectFrom('users').select(userColumns).where('id', '=', id).executeTakeFirst();
}

export function findUserByUsername(db: Executor, username: string): Promise<UserRow | undefined> {
  return db
    .selectFrom('users')
    .select(userColumns)
    .where((eb) => eb(eb.fn('lower', ['username']), '=', username.toLowerCase()))
    .executeTakeFirst();
}

export async function isEmailTaken(db: Executor, email: string, exceptUserId?: number): Promise<boolean> {
  let q = db
    .selectFrom('users')
    .select('id')
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()));
  if (exceptUserId !== undefined) q = q.where('id', '!=', exceptUserId);
  return (await q.executeTakeFirst()) !== undefined;
}

export async function adminExists(db: Executor): Promise<boolean> {
  const row = await db.selectFrom('users').select('id').where('role', '=', 'admin').limit(1).executeTakeFirst();
  return row !== undefined;
}

export function insertUser(
  db: Executor,
  values: { email: string; displayName: string; username: string; passwordHash: string; role: Role; verifiedAt: Date | null },
): Promise<{ id: number; email: string; username: string }> {
  return db
    .insertInto('users')
    .values({
      email: values.email,
      display_name: values.displayName,
      username: values.username,
      password_hash: values.passwordHash,
      role: values.role,
      email_verified_at: values.verifiedAt,
      notification_prefs: JSON.stringify({}),
    })
    .returning(['id', 'email', 'username'])
    .executeTakeFirstOrThrow();
}

export async function updateUser(
  db: Executor,
  id: number,
  patch: {
    display_name?: string;
    bio?: string;
    avatar_path?: string | null;
    email?: string;
    email_verified_at?: Date | null;
    password_hash?: string;
    notification_prefs?: string;
    failed_logins?: number;
    locked_until?: Date | null;
  },
): Promise<void> {
  await db
    .updateTable('users')
    .set({ ...patch, updated_at: new Date() })
    .where('id', '=', id)
    .execute();
}

/**
 * Counts one failed sign-in. The fifth in a row locks the account and starts the count again, so
 * after the lock ends a member has a fresh five attempts.
 */
export async function recordFailedLogin(db: Executor, userId: number, maxFailures: number, lockSeconds: number): Promise<Date | null> {
  const row = await db
    .updateTable('users')
    .set((eb) => ({
      failed_logins: sql<number>`case when ${eb.ref('failed_logins')} + 1 >= ${maxFailures} then 0 else ${eb.ref('failed_logins')} + 1 end`,
      locked_until: sql<Date | null>`case when ${eb.ref('failed_logins')} + 1 >= ${maxFailures} then now() + make_interval(secs => ${lockSeconds}) else ${eb.ref('locked_until')} end`,
    }))
    .where('id', '=', userId)
    .returning('locked_until')
    .executeTakeFirst();
  return row?.locked_until ?? null;
}

export async function clearFailedLogins(db: Executor, userId: number): Promise<void> {
  await db
    .updateTable('users')
    .set({ failed_logins: 0, locked_until: null })
    .where('id', '=', userId)
    .where((eb) => eb.or([eb('failed_logins', '>', 0), eb('locked_until', 'is not', null)]))
    .execute();
}

export interface EmailTokenRow {
  id: number;
  user_id: number;
  purpose: EmailTokenPurpose;
  email: string;
  expires_at: Date;
  used_at: Date | null;
  created_at: Date;
}

const tokenColumns = ['id', 'user_id', 'purpose', 'email', 'expires_at', 'used_at', 'created_at'] as const;

/** A new single-use link secret; only its SHA-256 is stored. */
export async function insertEmailToken(
  db: Executor,
  values: { userId: number; purpose: EmailTokenPurpose; email: string; ttlSeconds: number },
): Promise<string> {
  const token = newToken();
  await db
    .insertInto('email_tokens')
    .values({
      token_hash: hashToken(token),
      user_id: values.userId,
      purpose: values.purpose,
      email: values.email,
      expires_at: new Date(Date.now() + values.ttlSeconds * 1000),
    })
    .execute();
  return token;
}

export function findEmailToken(db: Executor, token: string): Promise<EmailTokenRow | undefined> {
  return db.selectFrom('email_tokens').select(tokenColumns).where('token_hash', '=', hashToken(token)).executeTakeFirst();
}

/** Marks the token used if it is still valid; the conditional update makes a double click use it once. */
export function useEmailToken(db: Executor, token: string, purposes: EmailTokenPurpose[]): Promise<EmailTokenRow | undefined> {
  return db
    .updateTable('email_tokens')
    .set({ used_at: new Date() })
    .where('token_hash', '=', hashToken(token))
    .where('purpose', 'in', purposes)
    .where('used_at', 'is', null)
    .where('expires_at', '>', new Date())
    .returning(tokenColumns)
    .executeTakeFirst();
}

/** Ends every unused link of one kind for a member (a newer one replaces them, or the change is done). */
export async function retireEmailTokens(db: Executor, userId: number, purpose: EmailTokenPurpose): Promise<void> {
  await db
    .updateTable('email_tokens')
    .set({ used_at: new Date() })
    .where('user_id', '=', userId)
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .execute();
}

export function latestEmailToken(db: Executor, userId: number, purpose: EmailTokenPurpose): Promise<EmailTokenRow | undefined> {
  return db
    .selectFrom('email_tokens')
    .select(tokenColumns)
    .where('user_id', '=', userId)
    .where('purpose', '=', purpose)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export interface SessionRow {
  id: number;
  user_agent: string | null;
  ip: string | null;
  created_at: Date;
  last_seen_at: Date;
}

export function listActiveSessions(db: Executor, userId: number, limit: number): Promise<SessionRow[]> {
  return db
    .selectFrom('sessions')
    .select(['id', 'user_agent', 'ip', 'created_at', 'last_seen_at'])
    .where('user_id', '=', userId)
    .where('expires_at', '>', new Date())
    .orderBy('last_seen_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

export async function deleteSessionOfUser(db: Executor, userId: number, sessionId: number): Promise<boolean> {
  const result = await db.deleteFrom('sessions').where('id', '=', sessionId).where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
