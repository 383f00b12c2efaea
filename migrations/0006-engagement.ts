import { sql, type Kysely } from 'kysely';

/**
 * Engagement with posts: edit history, soft delete, reactions, bookmarks and uploaded images.
 *
 * A "post" is a topic's opening post or one of its replies. Rows about a post carry the topic always and
 * the reply when the post is a reply (`reply_id is null` means the opening post), so one index on
 * `topic_id` serves a whole topic page, and `unique nulls not distinct` makes "one per member per post"
 * hold for the opening post too.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table topics
      add column edited_at timestamptz,
      add column deleted_by bigint references users (id);
    alter table replies
      add column edited_at timestamptz,
      add column deleted_by bigint references users (id);

    -- Each edit keeps the version it replaced: who replaced it and when, and the old title (topics) and body.
    create table post_revisions (
      id bigint generated always as identity primary key,
      topic_id bigint not null references topics (id) on delete cascade,
      reply_id bigint references replies (id) on delete cascade,
      editor_id bigint not null references users (id),
      old_title text,
      old_body_md text not null,
      created_at timestamptz not null default now()
    );
    create index post_revisions_post on post_revisions (topic_id, reply_id, id);
    create index post_revisions_reply on post_revisions (reply_id, id) where reply_id is not null;

    create table reactions (
      id bigint generated always as identity primary key,
      topic_id bigint not null references topics (id) on delete cascade,
      reply_id bigint references replies (id) on delete cascade,
      user_id bigint not null references users (id) on delete cascade,
      kind text not null check (kind in ('like', 'heart', 'tada', 'smile', 'thinking')),
      created_at timestamptz not null default now(),
      constraint reactions_one_per_kind unique nulls not distinct (topic_id, reply_id, user_id, kind)
    );
    create index reactions_user on reactions (user_id, created_at desc);

    create table bookmarks (
      id bigint generated always as identity primary key,
      user_id bigint not null references users (id) on delete cascade,
      topic_id bigint not null references topics (id) on delete cascade,
      reply_id bigint references replies (id) on delete cascade,
      created_at timestamptz not null default now(),
      constraint bookmarks_one_per_post unique nulls not distinct (user_id, topic_id, reply_id)
    );
    -- a member's bookmarks page, newest first
    create index bookmarks_user_created on bookmarks (user_id, created_at desc, id desc);

    create table uploads (
      id bigint generated always as identity primary key,
      owner_id bigint not null references users (id) on delete cascade,
      storage_key text not null unique,
      thumbnail_key text,
      content_type text not null check (content_type in ('image/png', 'image/jpeg', 'image/webp', 'image/gif')),
      size_bytes integer not null check (size_bytes > 0),
      width integer not null,
      height integer not null,
      created_at timestamptz not null default now()
    );
    create index uploads_owner on uploads (owner_id, created_at desc);

    -- @mention autocomplete matches a prefix of the username or display name, whatever the collation
    create index users_username_prefix on users (lower(username) text_pattern_ops);
    create index users_display_name_prefix on users (lower(display_name) text_pattern_ops);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop index users_display_name_prefix, users_username_prefix;
    drop table uploads, bookmarks, reactions, post_revisions;
    alter table replies drop column edited_at, drop column deleted_by;
    alter table topics drop column edited_at, drop column deleted_by;
  `.execute(db);
}
