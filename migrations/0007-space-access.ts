import { sql, type Kysely } from 'kysely';

/**
 * Who may enter a space beyond its visibility: members of private spaces (invited, or admitted on
 * request), each space's own moderators, and the access rules that admit members to exclusive spaces.
 * Every table is read by member (`user_id`) on each signed-in request, so each has that index.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table space_members (
      space_id bigint not null references spaces (id) on delete cascade,
      user_id bigint not null references users (id) on delete cascade,
      added_by bigint references users (id) on delete set null,
      created_at timestamptz not null default now(),
      primary key (space_id, user_id)
    );
    create index space_members_user on space_members (user_id);

    create table space_moderators (
      space_id bigint not null references spaces (id) on delete cascade,
      user_id bigint not null references users (id) on delete cascade,
      added_by bigint references users (id) on delete set null,
      created_at timestamptz not null default now(),
      primary key (space_id, user_id)
    );
    create index space_moderators_user on space_moderators (user_id);

    -- A request stays as a record once decided; only one may be pending per member and space.
    create table space_join_requests (
      id bigint generated always as identity primary key,
      space_id bigint not null references spaces (id) on delete cascade,
      user_id bigint not null references users (id) on delete cascade,
      message text not null default '',
      status text not null default 'pending' check (status in ('pending', 'approved', 'declined')),
      decided_by bigint references users (id) on delete set null,
      decided_at timestamptz,
      created_at timestamptz not null default now()
    );
    create unique index space_join_requests_pending on space_join_requests (space_id, user_id) where status = 'pending';
    create index space_join_requests_space on space_join_requests (space_id, status, created_at, id);
    create index space_join_requests_user on space_join_requests (user_id, status);

    -- Rules of exclusive spaces: a member who satisfies any one of a space's rules is admitted.
    -- kind names an evaluator registered in code; config is that evaluator's own JSON.
    create table space_access_rules (
      id bigint generated always as identity primary key,
      space_id bigint not null references spaces (id) on delete cascade,
      kind text not null check (kind ~ '^[a-z][a-z0-9_]*$'),
      config jsonb not null default '{}',
      created_by bigint references users (id) on delete set null,
      created_at timestamptz not null default now()
    );
    create index space_access_rules_space on space_access_rules (space_id, id);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table space_access_rules, space_join_requests, space_moderators, space_members`.execute(db);
}
