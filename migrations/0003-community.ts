import { sql, type Kysely } from 'kysely';

/**
 * The community hub: spaces, topics and replies. Lists are served by keyset pagination, so each list
 * has an index matching its order. Counters on spaces and topics are kept in the same transaction as
 * the row they count, so pages never count rows on request.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table spaces (
      id bigint generated always as identity primary key,
      slug text not null unique check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
      name text not null,
      description text not null default '',
      icon text not null default 'message',
      color text not null default '#64748b' check (color ~ '^#[0-9a-fA-F]{6}$'),
      position integer not null default 0,
      visibility text not null default 'public' check (visibility in ('public', 'members', 'private', 'exclusive')),
      default_kind text not null default 'discussion' check (default_kind in ('question', 'discussion', 'story', 'announcement')),
      topic_count integer not null default 0,
      reply_count integer not null default 0,
      created_at timestamptz not null default now()
    );
    create index spaces_position on spaces (position, id);

    create table topics (
      id bigint generated always as identity primary key,
      space_id bigint not null references spaces (id),
      author_id bigint not null references users (id),
      kind text not null check (kind in ('question', 'discussion', 'story', 'announcement')),
      title text not null,
      slug text not null,
      body_md text not null,
      body_html text not null,
      pinned boolean not null default false,
      accepted_reply_id bigint,
      solved_at timestamptz,
      reply_count integer not null default 0,
      view_count bigint not null default 0,
      last_activity_at timestamptz not null default now(),
      last_reply_user_id bigint references users (id),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      deleted_at timestamptz
    );
    -- a space's topic list, all kinds and one kind
    create index topics_space_activity on topics (space_id, last_activity_at desc, id desc) where deleted_at is null;
    create index topics_space_kind_activity on topics (space_id, kind, last_activity_at desc, id desc) where deleted_at is null;
    -- the home page's latest topics across spaces
    create index topics_activity on topics (last_activity_at desc, id desc) where deleted_at is null;
    create index topics_pinned on topics (space_id) where pinned and deleted_at is null;
    create index topics_author on topics (author_id, created_at desc);

    create table replies (
      id bigint generated always as identity primary key,
      topic_id bigint not null references topics (id) on delete cascade,
      author_id bigint not null references users (id),
      body_md text not null,
      body_html text not null,
      reply_to_id bigint references replies (id) on delete set null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      deleted_at timestamptz
    );
    create index replies_topic on replies (topic_id, created_at, id);
    create index replies_author on replies (author_id, created_at desc);

    alter table topics add constraint topics_accepted_reply foreign key (accepted_reply_id) references replies (id) on delete set null;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table topics drop constraint topics_accepted_reply;
    drop table replies, topics, spaces;
  `.execute(db);
}
