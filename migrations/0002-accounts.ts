import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table users (
      id bigint generated always as identity primary key,
      email text not null,
      display_name text not null,
      username text not null,
      password_hash text,
      role text not null default 'member' check (role in ('member', 'moderator', 'admin')),
      email_verified_at timestamptz,
      bio text not null default '',
      avatar_path text,
      notification_prefs jsonb not null default '{}',
      failed_logins integer not null default 0,
      locked_until timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create unique index users_email on users (lower(email));
    create unique index users_username on users (lower(username));
    create index users_created on users (created_at desc, id desc);

    create table sessions (
      id bigint generated always as identity primary key,
      token_hash text not null unique,
      user_id bigint not null references users (id) on delete cascade,
      user_agent text,
      ip text,
      created_at timestamptz not null default now(),
      last_seen_at timestamptz not null default now(),
      expires_at timestamptz not null
    );
    create index sessions_user on sessions (user_id);

    create table email_tokens (
      id bigint generated always as identity primary key,
      token_hash text not null unique,
      user_id bigint not null references users (id) on delete cascade,
      purpose text not null check (purpose in ('verify', 'reset', 'email_change')),
      email text not null,
      expires_at timestamptz not null,
      used_at timestamptz,
      created_at timestamptz not null default now()
    );
    create index email_tokens_user on email_tokens (user_id, purpose, created_at desc);

    create table api_keys (
      id bigint generated always as identity primary key,
      name text not null,
      prefix text not null unique,
      key_hash text not null,
      scopes text[] not null,
      created_by bigint references users (id) on delete set null,
      created_at timestamptz not null default now(),
      last_used_at timestamptz,
      revoked_at timestamptz
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table api_keys, email_tokens, sessions, users`.execute(db);
}
