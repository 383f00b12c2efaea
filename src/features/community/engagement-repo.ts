import { sql } from 'kysely';
import type { Executor } from '../../platform/jobs/registry.ts';
import type { ReactionKind } from './tables.ts';

/**
 * Kysely queries for engagement with posts (edits, soft delete, reactions, bookmarks, uploads, mention
 * suggestions), nothing else: the rules live in edits.ts, reactions.ts, bookmarks.ts and uploads.ts.
 * A post is `{ topicId, replyId }`, with `replyId` null for a topic's opening post.
 */

export interface PostRef {
  topicId: number;
  replyId: number | null;
}

// Edits and revisions

export function lockTopicForEdit(db: Executor, id: number) {
  return db
    .selectFrom('topics')
    .select(['id', 'space_id', 'author_id', 'title', 'body_md', 'reply_count', 'deleted_at'])
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export function lockReplyForEdit(db: Executor, id: number) {
  return db.selectFrom('replies').select(['id', 'topic_id', 'author_id', 'body_md', 'deleted_at']).where('id', '=', id).forUpdate().executeTakeFirst();
}

/** A reply whatever its state, with what a permission check needs. */
export function findReplyRecord(db: Executor, id: number) {
  return db
    .selectFrom('replies')
    .innerJoin('users', 'users.id', 'replies.author_id')
    .select([
      'replies.id',
      'replies.topic_id',
      'replies.author_id',
      'replies.body_md',
      'replies.created_at',
      sql<string>`replies.created_at::text`.as('created_key'),
      'replies.deleted_at',
      'users.username as author_username',
      'users.display_name as author_name',
    ])
    .where('replies.id', '=', id)
    .executeTakeFirst();
}

export async function insertRevision(
  db: Executor,
  values: { topicId: number; replyId: number | null; editorId: number; oldTitle: string | null; oldBodyMd: string; at: Date },
): Promise<number> {
  const row = await db
    .insertInto('post_revisions')
    .values({ topic_id: values.topicId, reply_id: values.replyId, editor_id: values.editorId, old_title: values.oldTitle, old_body_md: values.oldBodyMd, created_at: values.at })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateTopicContent(db: Executor, id: number, values: { title: string; slug: string; bodyMd: string; bodyHtml: string; at: Date }): Promise<void> {
  await db
    .updateTable('topics')
    .set({ title: values.title, slug: values.slug, body_md: values.bodyMd, body_html: values.bodyHtml, edited_at: values.at, updated_at: values.at })
    .where('id', '=', id)
    .execute();
}

export async function updateReplyContent(db: Executor, id: number, values: { bodyMd: string; bodyHtml: string; at: Date }): Promise<void> {
  await db.updateTable('replies').set({ body_md: values.bodyMd, body_html: values.bodyHtml, edited_at: values.at, updated_at: values.at }).where('id', '=', id).execute();
}

export interface RevisionRow {
  id: number;
  old_title: string | null;
  old_body_md: string;
  created_at: Date;
  editor_id: number;
  editor_username: string;
  editor_name: string;
}

/** A post's earlier versions, newest first; bounded, as a post is rarely edited more than a few times. */
export function listRevisions(db: Executor, post: PostRef, limit: number): Promise<RevisionRow[]> {
  let q = db
    .selectFrom('post_revisions')
    .innerJoin('users', 'users.id', 'post_revisions.editor_id')
    .select(['post_revisions.id', 'post_revisions.old_title', 'post_revisions.old_body_md', 'post_revisions.created_at', 'post_revisions.editor_id', 'users.username as editor_username', 'users.display_name as editor_name']);
  q = post.replyId === null ? q.where('post_revisions.topic_id', '=', post.topicId).where('post_revisions.reply_id', 'is', null) : q.where('post_revisions.reply_id', '=', post.replyId);
  return q.orderBy('post_revisions.id', 'desc').limit(limit).execute();
}

// Soft delete

export async function markTopicDeleted(db: Executor, id: number, by: number, at: Date): Promise<boolean> {
  const rows = await db.updateTable('topics').set({ deleted_at: at, deleted_by: by }).where('id', '=', id).where('deleted_at', 'is', null).returning('id').execute();
  return rows.length > 0;
}

export async function markTopicRestored(db: Executor, id: number): Promise<boolean> {
  const rows = await db.updateTable('topics').set({ deleted_at: null, deleted_by: null }).where('id', '=', id).where('deleted_at', 'is not', null).returning('id').execute();
  return rows.length > 0;
}

export async function markReplyDeleted(db: Executor, id: number, by: number, at: Date): Promise<boolean> {
  const rows = await db.updateTable('replies').set({ deleted_at: at, deleted_by: by }).where('id', '=', id).where('deleted_at', 'is', null).returning('id').execute();
  return rows.length > 0;
}

export async function markReplyRestored(db: Executor, id: number): Promise<boolean> {
  const rows = await db.updateTable('replies').set({ deleted_at: null, deleted_by: null }).where('id', '=', id).where('deleted_at', 'is not', null).returning('id').execute();
  return rows.length > 0;
}

export async function addToTopicReplyCount(db: Executor, topicId: number, delta: number): Promise<void> {
  await db
    .updateTable('topics')
    .set((eb) => ({ reply_count: eb('reply_count', '+', delta) }))
    .where('id', '=', topicId)
    .execute();
}

/** How many live replies come before a reply in its topic: its 0-based position on the topic's pages. */
export async function replyPosition(db: Executor, topicId: number, reply: { createdKey: string; id: number }): Promise<number> {
  const row = await db
    .selectFrom('replies')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('topic_id', '=', topicId)
    .where('deleted_at', 'is', null)
    .where((eb) => eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(sql<Date>`${reply.createdKey}::timestamptz`, reply.id)))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Authors of the replies that replies on a page answer, for "in reply to @name". */
export function replyAuthors(db: Executor, replyIds: number[]) {
  if (replyIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('replies')
    .innerJoin('users', 'users.id', 'replies.author_id')
    .select(['replies.id', 'replies.topic_id', 'replies.deleted_at', 'users.username', 'users.display_name'])
    .where('replies.id', 'in', replyIds)
    .execute();
}

// Reactions

/** Adds a reaction unless the member already gave it; true when a row was written. */
export async function insertReaction(db: Executor, post: PostRef, userId: number, kind: ReactionKind, at: Date): Promise<boolean> {
  const rows = await db
    .insertInto('reactions')
    .values({ topic_id: post.topicId, reply_id: post.replyId, user_id: userId, kind, created_at: at })
    .onConflict((oc) => oc.constraint('reactions_one_per_kind').doNothing())
    .returning('id')
    .execute();
  return rows.length > 0;
}

export async function deleteReaction(db: Executor, post: PostRef, userId: number, kind: ReactionKind): Promise<boolean> {
  let q = db.deleteFrom('reactions').where('topic_id', '=', post.topicId).where('user_id', '=', userId).where('kind', '=', kind);
  q = post.replyId === null ? q.where('reply_id', 'is', null) : q.where('reply_id', '=', post.replyId);
  const rows = await q.returning('id').execute();
  return rows.length > 0;
}

export interface ReactionCountRow {
  reply_id: number | null;
  kind: ReactionKind;
  n: number;
  mine: boolean;
}

/** Reaction counts of a topic's opening post and the given replies, with whether the viewer gave each. */
export async function reactionCounts(db: Executor, topicId: number, replyIds: number[] | 'all', viewerId: number | null): Promise<ReactionCountRow[]> {
  let q = db
    .selectFrom('reactions')
    .select((eb) => [
      'reply_id',
      'kind',
      eb.fn.countAll<number>().as('n'),
      viewerId === null ? sql<boolean>`false`.as('mine') : sql<boolean>`coalesce(bool_or(user_id = ${viewerId}), false)`.as('mine'),
    ])
    .where('topic_id', '=', topicId);
  if (replyIds !== 'all') {
    const ids = replyIds;
    q = q.where((eb) => (ids.length === 0 ? eb('reply_id', 'is', null) : eb.or([eb('reply_id', 'is', null), eb('reply_id', 'in', ids)])));
  }
  const rows = await q.groupBy(['reply_id', 'kind']).execute();
  return rows.map((r) => ({ reply_id: r.reply_id, kind: r.kind, n: Number(r.n), mine: Boolean(r.mine) }));
}

// Bookmarks

export async function insertBookmark(db: Executor, userId: number, post: PostRef, at: Date): Promise<void> {
  await db
    .insertInto('bookmarks')
    .values({ user_id: userId, topic_id: post.topicId, reply_id: post.replyId, created_at: at })
    .onConflict((oc) => oc.constraint('bookmarks_one_per_post').doNothing())
    .execute();
}

export async function deleteBookmark(db: Executor, userId: number, post: PostRef): Promise<boolean> {
  let q = db.deleteFrom('bookmarks').where('user_id', '=', userId).where('topic_id', '=', post.topicId);
  q = post.replyId === null ? q.where('reply_id', 'is', null) : q.where('reply_id', '=', post.replyId);
  const rows = await q.returning('id').execute();
  return rows.length > 0;
}

export function findBookmark(db: Executor, userId: number, id: number) {
  return db.selectFrom('bookmarks').select(['id', 'topic_id', 'reply_id']).where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
}

/** Which posts of a topic the member bookmarked (null stands for the opening post). */
export async function bookmarkedInTopic(db: Executor, userId: number, topicId: number): Promise<Array<number | null>> {
  const rows = await db.selectFrom('bookmarks').select('reply_id').where('user_id', '=', userId).where('topic_id', '=', topicId).execute();
  return rows.map((r) => r.reply_id);
}

export interface BookmarkRow {
  id: number;
  created_at: Date;
  created_key: string;
  topic_id: number;
  topic_title: string;
  topic_slug: string;
  topic_kind: string;
  space_slug: string;
  space_name: string;
  reply_id: number | null;
  body_md: string;
  author_id: number;
  author_username: string;
  author_name: string;
  author_avatar: string | null;
}

/**
 * A member's bookmarks, newest first, `limit + 1` rows. Only live posts in the given spaces: a bookmark
 * outlives access to its space, but its content must not.
 */
export function listBookmarks(db: Executor, userId: number, spaceIds: number[], opts: { after?: { createdKey: string; id: number }; limit: number }): Promise<BookmarkRow[]> {
  if (spaceIds.length === 0) return Promise.resolve([]);
  let q = db
    .selectFrom('bookmarks')
    .innerJoin('topics', 'topics.id', 'bookmarks.topic_id')
    .innerJoin('spaces', 'spaces.id', 'topics.space_id')
    .leftJoin('replies', 'replies.id', 'bookmarks.reply_id')
    .innerJoin('users', (join) => join.on(sql`users.id`, '=', sql`coalesce(replies.author_id, topics.author_id)`))
    .select([
      'bookmarks.id',
      'bookmarks.created_at',
      sql<string>`bookmarks.created_at::text`.as('created_key'),
      'topics.id as topic_id',
      'topics.title as topic_title',
      'topics.slug as topic_slug',
      'topics.kind as topic_kind',
      'spaces.slug as space_slug',
      'spaces.name as space_name',
      'bookmarks.reply_id',
      sql<string>`coalesce(replies.body_md, topics.body_md)`.as('body_md'),
      'users.id as author_id',
      'users.username as author_username',
      'users.display_name as author_name',
      'users.avatar_path as author_avatar',
    ])
    .where('bookmarks.user_id', '=', userId)
    .where('topics.deleted_at', 'is', null)
    .where('topics.space_id', 'in', spaceIds)
    .where((eb) => eb.or([eb('bookmarks.reply_id', 'is', null), eb('replies.deleted_at', 'is', null)]));
  const after = opts.after;
  if (after) {
    q = q.where((eb) => eb(eb.refTuple('bookmarks.created_at', 'bookmarks.id'), '<', eb.tuple(sql<Date>`${after.createdKey}::timestamptz`, after.id)));
  }
  return q.orderBy('bookmarks.created_at', 'desc').orderBy('bookmarks.id', 'desc').limit(opts.limit + 1).execute();
}

// Uploads

export async function insertUpload(
  db: Executor,
  values: { ownerId: number; storageKey: string; thumbnailKey: string | null; contentType: string; sizeBytes: number; width: number; height: number; at: Date },
): Promise<number> {
  const row = await db
    .insertInto('uploads')
    .values({
      owner_id: values.ownerId,
      storage_key: values.storageKey,
      thumbnail_key: values.thumbnailKey,
      content_type: values.contentType,
      size_bytes: values.sizeBytes,
      width: values.width,
      height: values.height,
      created_at: values.at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

// Mention suggestions

export interface MemberMatchRow {
  id: number;
  email: string;
  username: string;
  display_name: string;
  role: 'member' | 'moderator' | 'admin';
  email_verified_at: Date | null;
  avatar_path: string | null;
}

/** Members whose username or display name starts with `prefix` (case-insensitive), usernames first. */
export function membersByPrefix(db: Executor, prefix: string, limit: number): Promise<MemberMatchRow[]> {
  const pattern = prefix.toLowerCase().replace(/[\\%_]/g, (ch) => `\\${ch}`) + '%';
  return db
    .selectFrom('users')
    .select(['id', 'email', 'username', 'display_name', 'role', 'email_verified_at', 'avatar_path'])
    .where((eb) => eb.or([eb(sql`lower(username)`, 'like', pattern), eb(sql`lower(display_name)`, 'like', pattern)]))
    .orderBy(sql`lower(username) like ${pattern}`, 'desc')
    .orderBy(sql`lower(username)`)
    .limit(limit)
    .execute();
}
