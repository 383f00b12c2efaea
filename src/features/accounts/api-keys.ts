import { timingSafeEqual } from 'node:crypto';
import type { AppContext } from '../../platform/context.ts';
import { hashToken, newToken } from '../../platform/crypto/tokens.ts';
import type { CurrentUser } from '../../platform/http/env.ts';
import { apiScopes, type ApiScope } from '../../platform/http/api.ts';
import { badRequest } from '../../platform/http/errors.ts';
import type { Executor } from '../../platform/jobs/registry.ts';
import { currentUserColumns, toCurrentUser } from './sessions.ts';

export interface ApiKeyInfo {
  id: number;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** Keys read `hk_<prefix>_<secret>`: the prefix finds the row, the secret's hash proves it. */
export async function createApiKey(
  db: Executor,
  input: { name: string; scopes: string[]; createdBy: number | null },
): Promise<{ key: string; info: ApiKeyInfo }> {
  const name = input.name.trim();
  if (name.length < 1 || name.length > 80) throw badRequest('An API key needs a name of 1 to 80 characters.', 'validation_failed');
  const unknown = input.scopes.filter((s) => !apiScopes.includes(s as ApiScope));
  if (unknown.length > 0 || input.scopes.length === 0) {
    throw badRequest(`Scopes must be among ${apiScopes.join(', ')}${unknown.length ? `; unknown: ${unknown.join(', ')}` : ''}.`, 'validation_failed');
  }
  const prefix = newToken(6).replace(/[-_]/g, 'x').slice(0, 8);
  const key = `hk_${prefix}_${newToken(24)}`;
  const row = await db
    .insertInto('api_keys')
    .values({ name, prefix, key_hash: hashToken(key), scopes: [...new Set(input.scopes)], created_by: input.createdBy })
    .returning(['id', 'name', 'prefix', 'scopes', 'created_at', 'last_used_at', 'revoked_at'])
    .executeTakeFirstOrThrow();
  return { key, info: toInfo(row) };
}

function toInfo(row: { id: number; name: string; prefix: string; scopes: string[]; created_at: Date; last_used_at: Date | null; revoked_at: Date | null }): ApiKeyInfo {
  return { id: row.id, name: row.name, prefix: row.prefix, scopes: row.scopes, createdAt: row.created_at, lastUsedAt: row.last_used_at, revokedAt: row.revoked_at };
}

export async function listApiKeys(db: Executor): Promise<ApiKeyInfo[]> {
  const rows = await db
    .selectFrom('api_keys')
    .select(['id', 'name', 'prefix', 'scopes', 'created_at', 'last_used_at', 'revoked_at'])
    .orderBy('id', 'desc')
    .limit(200)
    .execute();
  return rows.map(toInfo);
}

export async function revokeApiKey(db: Executor, id: number): Promise<boolean> {
  const r = await db.updateTable('api_keys').set({ revoked_at: new Date() }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** The key's scopes and the admin who made it (requests act as that person). */
export async function findApiKey(ctx: AppContext, key: string): Promise<{ scopes: string[]; user: CurrentUser | null } | null> {
  const match = /^hk_([A-Za-z0-9]{8})_[A-Za-z0-9_-]+$/.exec(key);
  if (!match?.[1]) return null;
  const row = await ctx.db
    .selectFrom('api_keys')
    .leftJoin('users', 'users.id', 'api_keys.created_by')
    .select(['api_keys.id as key_id', 'api_keys.key_hash', 'api_keys.scopes', 'api_keys.last_used_at', ...currentUserColumns])
    .where('api_keys.prefix', '=', match[1])
    .where('api_keys.revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row) return null;
  const a = Buffer.from(row.key_hash);
  const b = Buffer.from(hashToken(key));
  if (a.length !== b.length || !timingSafeEqual(a, b)) return null;
  if (!row.last_used_at || Date.now() - row.last_used_at.getTime() > 60_000) {
    await ctx.db.updateTable('api_keys').set({ last_used_at: new Date() }).where('id', '=', row.key_id).execute();
  }
  const user =
    row.id !== null && row.email !== null && row.display_name !== null && row.username !== null && row.role !== null
      ? toCurrentUser({ id: row.id, email: row.email, display_name: row.display_name, username: row.username, role: row.role, email_verified_at: row.email_verified_at, avatar_path: row.avatar_path })
      : null;
  return { scopes: row.scopes, user };
}
