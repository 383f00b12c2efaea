import type { ColumnType, Generated } from 'kysely';
import type { Json, NullableTimestamp, Timestamp } from '../../platform/db/platform-tables.ts';

export type Role = 'member' | 'moderator' | 'admin';

/** What an emailed link proves: a new account's address, a password reset, or a changed address. */
export type EmailTokenPurpose = 'verify' | 'reset' | 'email_change';

export interface UsersTable {
  id: Generated<number>;
  email: string;
  display_name: string;
  username: string;
  password_hash: string | null;
  role: ColumnType<Role, Role | undefined, Role>;
  email_verified_at: NullableTimestamp;
  bio: ColumnType<string, string | undefined, string>;
  avatar_path: string | null;
  notification_prefs: Json;
  failed_logins: ColumnType<number, number | undefined, number>;
  locked_until: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SessionsTable {
  id: Generated<number>;
  token_hash: string;
  user_id: number;
  user_agent: string | null;
  ip: string | null;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
}

export interface EmailTokensTable {
  id: Generated<number>;
  token_hash: string;
  user_id: number;
  purpose: EmailTokenPurpose;
  email: string;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface ApiKeysTable {
  id: Generated<number>;
  name: string;
  prefix: string;
  key_hash: string;
  scopes: string[];
  created_by: number | null;
  created_at: Timestamp;
  last_used_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
}

export interface AccountsTables {
  users: UsersTable;
  sessions: SessionsTable;
  email_tokens: EmailTokensTable;
  api_keys: ApiKeysTable;
}
