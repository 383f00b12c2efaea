import type { AppContext } from '../../platform/context.ts';
import { hashToken, newToken } from '../../platform/crypto/tokens.ts';
import type { CurrentUser } from '../../platform/http/env.ts';
import type { Executor } from '../../platform/jobs/registry.ts';

export const SESSION_COOKIE = 'hearth_session';
export const SESSION_DAYS = 30;
/** A session's expiry slides forward at most this often, so reading pages does not write on each request. */
const TOUCH_EVERY_MS = 60 * 60 * 1000;

export const currentUserColumns = ['users.id', 'users.email', 'users.display_name', 'users.username', 'users.role', 'users.email_verified_at', 'users.avatar_path'] as const;

export function toCurrentUser(row: {
  id: number;
  email: string;
  display_name: string;
  username: string;
  role: CurrentUser['role'];
  email_verified_at: Date | null;
  avatar_path: string | null;
}): CurrentUser {
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    username: row.username,
    role: row.role,
    emailVerified: row.email_verified_at !== null,
    avatarPath: row.avatar_path,
  };
}

export async function createSession(db: Executor, userId: number, meta: { userAgent?: string; ip?: string }): Promise<string> {
  const token = newToken();
  await db
    .insertInto('sessions')
    .values({
      token_hash: hashToken(token),
      user_id: userId,
      user_agent: meta.userAgent?.slice(0, 300) ?? null,
      ip: meta.ip ?? null,
      expires_at: new Date(Date.now() + SESSION_DAYS * 86400_000),
    })
    .execute();
  return token;
}

export async function findSession(ctx: AppContext, token: string): Promise<{ id: number; user: CurrentUser } | null> {
  const row = await ctx.db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select([...currentUserColumns, 'sessions.id as session_id', 'sessions.last_seen_at'])
    .where('sessions.token_hash', '=', hashToken(token))
    .where('sessions.expires_at', '>', new Date())
    .executeTakeFirst();
  if (!row) return null;
  if (Date.now() - row.last_seen_at.getTime() > TOUCH_EVERY_MS) {
    await ctx.db
      .updateTable('sessions')
      .set({ last_seen_at: new Date(), expires_at: new Date(Date.now() + SESSION_DAYS * 86400_000) })
      .where('id', '=', row.session_id)
      .execute();
  }
  return { id: row.session_id, user: toCurrentUser(row) };
}

export async function deleteSession(db: Executor, sessionId: number): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', sessionId).execute();
}

/** "Sign out everywhere": every session of the member ends, optionally keeping the current one. */
export async function deleteAllSessions(db: Executor, userId: number, exceptSessionId?: number): Promise<number> {
  let q = db.deleteFrom('sessions').where('user_id', '=', userId);
  if (exceptSessionId !== undefined) q = q.where('id', '!=', exceptSessionId);
  const result = await q.executeTakeFirst();
  return Number(result.numDeletedRows);
}
