import { sql, type Kysely } from 'kysely';

/**
 * Follows, in-app notifications and digest deliveries.
 *
 * A follow points at a topic, a space or a tag by kind and id (no foreign key: the three live in other
 * features' tables; a follow of something gone simply matches nothing). A notification is unique per
 * recipient and `dedupe_key`, so an event handled twice (events are delivered at least once) never
 * notifies twice, and one post gives a member at most one notification whatever the reasons.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table follows (
      id bigint generated always as identity primary key,
      user_id bigint not null references users (id) on delete cascade,
      target_kind text not null check (target_kind in ('topic', 'space', 'tag')),
      target_id bigint not null,
      created_at timestamptz not null default now(),
      unique (user_id, target_kind, target_id)
    );
    create index follows_target on follows (target_kind, target_id, user_id);
    create index follows_user_time on follows (user_id, created_at desc, id desc);

    create table notifications (
      id bigint generated always as identity primary key,
      recipient_id bigint not null references users (id) on delete cascade,
      kind text not null check (kind in ('mention', 'reply_to_topic', 'reply_to_reply', 'answer_accepted', 'new_topic', 'new_reply', 'reaction')),
      actor_id bigint references users (id) on delete set null,
      -- The space of the content, so lists can be filtered by what the member may see today.
      space_id bigint references spaces (id) on delete cascade,
      topic_id bigint references topics (id) on delete cascade,
      reply_id bigint references replies (id) on delete cascade,
      data jsonb not null default '{}',
      dedupe_key text not null,
      read_at timestamptz,
      created_at timestamptz not null default now(),
      unique (recipient_id, dedupe_key)
    );
    create index notifications_recipient_time on notifications (recipient_id, created_at desc, id desc);
    create index notifications_unread on notifications (recipient_id) where read_at is null;
    create index notifications_digest on notifications (recipient_id, kind, created_at) where kind = 'new_topic';

    -- One digest per member per period (e.g. daily:2026-05-04): a second run of the same period sends nothing.
    create table digest_deliveries (
      user_id bigint not null references users (id) on delete cascade,
      period_key text not null,
      topic_count integer not null,
      mail_id bigint,
      created_at timestamptz not null default now(),
      primary key (user_id, period_key)
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table digest_deliveries, notifications, follows`.execute(db);
}
