import { sql } from 'kysely';
import type { Executor } from '../../platform/jobs/registry.ts';
import type { FollowTargetKind, NotificationKind } from './tables.ts';

/** Kysely queries for follows, notifications and digest deliveries, and nothing else. */

// Follows

export async function insertFollow(db: Executor, userId: number, kind: FollowTargetKind, targetId: number): Promise<boolean> {
  const row = await db
    .insertInto('follows')
    .values({ user_id: userId, target_kind: kind, target_id: targetId })
    .onConflict((oc) => oc.columns(['user_id', 'target_kind', 'target_id']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function deleteFollow(db: Executor, userId: number, kind: FollowTargetKind, targetId: number): Promise<boolean> {
  const result = await db.deleteFrom('follows').where('user_id', '=', userId).where('target_kind', '=', kind).where('target_id', '=', targetId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function isFollowing(db: Executor, userId: number, kind: FollowTargetKind, targetId: number): Promise<boolean> {
  const row = await db
    .selectFrom('follows')
    .select('id')
    .where('user_id', '=', userId)
    .where('target_kind', '=', kind)
    .where('target_id', '=', targetId)
    .executeTakeFirst();
  return row !== undefined;
}

export async function followerIds(db: Executor, kind: FollowTargetKind, targetIds: number[]): Promise<number[]> {
  if (targetIds.length === 0) return [];
  const rows = await db.selectFrom('follows').select('user_id').distinct().where('target_kind', '=', kind).where('target_id', 'in', targetIds).execute();
  return rows.map((r) => r.user_id);
}

export interface FollowRow {
  id: number;
  target_kind: FollowTargetKind;
  target_id: number;
  created_at: Date;
}

/** A member's follows, newest first; `limit + 1` rows. */
export function listFollows(db: Executor, userId: number, opts: { kind?: FollowTargetKind; before?: { createdAt: string; id: number }; limit: number }): Promise<FollowRow[]> {
  let q = db.selectFrom('follows').select(['id', 'target_kind', 'target_id', 'created_at']).where('user_id', '=', userId);
  if (opts.kind) q = q.where('target_kind', '=', opts.kind);
  const before = opts.before;
  if (before) q = q.where((eb) => eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(sql<Date>`${before.createdAt}::timestamptz`, before.id)));
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(opts.limit + 1).execute();
}

/**
 * Tags live in the search feature, which has no service function for them yet: these two read its
 * `tags` and `topic_tags` tables, read-only. Move them behind a search service function when one exists.
 */
export async function topicTagIds(db: Executor, topicId: number): Promise<number[]> {
  const rows = await db.selectFrom('topic_tags').select('tag_id').where('topic_id', '=', topicId).execute();
  return rows.map((r) => r.tag_id);
}

export function findTagBySlug(db: Executor, slug: string): Promise<{ id: number; slug: string; name: string } | undefined> {
  return db.selectFrom('tags').select(['id', 'slug', 'name']).where('slug', '=', slug).executeTakeFirst();
}

export function findTagsByIds(db: Executor, ids: number[]): Promise<Array<{ id: number; slug: string; name: string }>> {
  if (ids.length === 0) return Promise.resolve([]);
  return db.selectFrom('tags').select(['id', 'slug', 'name']).where('id', 'in', ids).execute();
}

/** Members who follow a space or a tag, a batch at a time (for digests). */
export async function digestCandidateIds(db: Executor, afterUserId: number, limit: number): Promise<number[]> {
  const rows = await db
    .selectFrom('follows')
    .select('user_id')
    .distinct()
    .where('target_kind', 'in', ['space', 'tag'])
    .where('user_id', '>', afterUserId)
    .orderBy('user_id')
    .limit(limit)
    .execute();
  return rows.map((r) => r.user_id);
}

// Notifications

export interface NewNotification {
  recipientId: number;
  kind: NotificationKind;
  actorId: number | null;
  spaceId: number | null;
  topicId: number | null;
  replyId: number | null;
  data: Record<string, unknown>;
  dedupeKey: string;
}

/** Inserts unless the recipient already has a notification with this key; returns the new id or null. */
export async function insertNotification(db: Executor, n: NewNotification): Promise<number | null> {
  const row = await db
    .insertInto('notifications')
    .values({
      recipient_id: n.recipientId,
      kind: n.kind,
      actor_id: n.actorId,
      space_id: n.spaceId,
      topic_id: n.topicId,
      reply_id: n.replyId,
      data: JSON.stringify(n.data),
      dedupe_key: n.dedupeKey,
    })
    .onConflict((oc) => oc.columns(['recipient_id', 'dedupe_key']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id ?? null;
}

export interface NotificationRow {
  id: number;
  kind: NotificationKind;
  actor_id: number | null;
  actor_username: string | null;
  actor_name: string | null;
  actor_avatar: string | null;
  space_id: number | null;
  topic_id: number | null;
  reply_id: number | null;
  data: unknown;
  read_at: Date | null;
  created_at: Date;
  created_key: string;
}

export function listNotifications(
  db: Executor,
  recipientId: number,
  spaceIds: number[],
  opts: { before?: { createdKey: string; id: number }; unreadOnly?: boolean; limit: number },
): Promise<NotificationRow[]> {
  let q = db
    .selectFrom('notifications as n')
    .leftJoin('users as a', 'a.id', 'n.actor_id')
    .select([
      'n.id',
      'n.kind',
      'n.actor_id',
      'a.username as actor_username',
      'a.display_name as actor_name',
      'a.avatar_path as actor_avatar',
      'n.space_id',
      'n.topic_id',
      'n.reply_id',
      'n.data',
      'n.read_at',
      'n.created_at',
      sql<string>`n.created_at::text`.as('created_key'),
    ])
    .where('n.recipient_id', '=', recipientId)
    // Content of a space the member may no longer see is left out; a notification about no space always shows.
    .where((eb) => (spaceIds.length ? eb.or([eb('n.space_id', 'is', null), eb('n.space_id', 'in', spaceIds)]) : eb('n.space_id', 'is', null)));
  if (opts.unreadOnly) q = q.where('n.read_at', 'is', null);
  const before = opts.before;
  if (before) q = q.where((eb) => eb(eb.refTuple('n.created_at', 'n.id'), '<', eb.tuple(sql<Date>`${before.createdKey}::timestamptz`, before.id)));
  return q.orderBy('n.created_at', 'desc').orderBy('n.id', 'desc').limit(opts.limit + 1).execute();
}

/** Unread notifications, counted up to `cap` (the bell shows "99+" beyond it). */
export async function countUnread(db: Executor, recipientId: number, spaceIds: number[], cap: number): Promise<number> {
  const capped = db
    .selectFrom('notifications')
    .select('id')
    .where('recipient_id', '=', recipientId)
    .where('read_at', 'is', null)
    .where((eb) => (spaceIds.length ? eb.or([eb('space_id', 'is', null), eb('space_id', 'in', spaceIds)]) : eb('space_id', 'is', null)))
    .limit(cap);
  const row = await db
    .selectFrom(capped.as('c'))
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function markRead(db: Executor, recipientId: number, ids: number[] | 'all', at: Date): Promise<number> {
  let q = db.updateTable('notifications').set({ read_at: at }).where('recipient_id', '=', recipientId).where('read_at', 'is', null);
  if (ids !== 'all') {
    if (ids.length === 0) return 0;
    q = q.where('id', 'in', ids);
  }
  const result = await q.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export function findNotification(db: Executor, recipientId: number, id: number): Promise<{ id: number; topic_id: number | null; reply_id: number | null; space_id: number | null; data: unknown } | undefined> {
  return db.selectFrom('notifications').select(['id', 'topic_id', 'reply_id', 'space_id', 'data']).where('recipient_id', '=', recipientId).where('id', '=', id).executeTakeFirst();
}

/** New-topic notifications of a member in a period, oldest first, for the digest. */
export function newTopicNotifications(db: Executor, recipientId: number, from: Date, to: Date, limit: number): Promise<Array<{ topic_id: number | null; space_id: number | null }>> {
  return db
    .selectFrom('notifications')
    .select(['topic_id', 'space_id'])
    .where('recipient_id', '=', recipientId)
    .where('kind', '=', 'new_topic')
    .where('created_at', '>=', from)
    .where('created_at', '<', to)
    .orderBy('created_at')
    .orderBy('id')
    .limit(limit)
    .execute();
}

// Digest deliveries

/** Claims the member's digest of a period; false when it was already sent (a rerun of the same period). */
export async function claimDigest(db: Executor, userId: number, periodKey: string, topicCount: number): Promise<boolean> {
  const row = await db
    .insertInto('digest_deliveries')
    .values({ user_id: userId, period_key: periodKey, topic_count: topicCount })
    .onConflict((oc) => oc.columns(['user_id', 'period_key']).doNothing())
    .returning('user_id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function setDigestMail(db: Executor, userId: number, periodKey: string, mailId: number): Promise<void> {
  await db.updateTable('digest_deliveries').set({ mail_id: mailId }).where('user_id', '=', userId).where('period_key', '=', periodKey).execute();
}
