import { sql } from 'kysely';
import type { Executor } from '../../platform/jobs/registry.ts';
import type { SpaceVisibility, TopicKind } from './tables.ts';

/** Kysely queries of the community feature, nothing else: rules live in service.ts. */

export interface SpaceRow {
  id: number;
  slug: string;
  name: string;
  description: string;
  icon: string;
  color: string;
  position: number;
  visibility: SpaceVisibility;
  default_kind: TopicKind;
  topic_count: number;
  reply_count: number;
}

const spaceColumns = ['id', 'slug', 'name', 'description', 'icon', 'color', 'position', 'visibility', 'default_kind', 'topic_count', 'reply_count'] as const;

export function listSpaces(db: Executor, visibilities: SpaceVisibility[]): Promise<SpaceRow[]> {
  if (visibilities.length === 0) return Promise.resolve([]);
  return db.selectFrom('spaces').select(spaceColumns).where('visibility', 'in', visibilities).orderBy('position').orderBy('id').execute();
}

export function findSpaceBySlug(db: Executor, slug: string): Promise<SpaceRow | undefined> {
  return db.selectFrom('spaces').select(spaceColumns).where('slug', '=', slug).executeTakeFirst();
}

export function findSpaceById(db: Executor, id: number): Promise<SpaceRow | undefined> {
  return db.selectFrom('spaces').select(spaceColumns).where('id', '=', id).executeTakeFirst();
}

export interface TopicListRow {
  id: number;
  space_id: number;
  space_slug: string;
  space_name: string;
  kind: TopicKind;
  title: string;
  slug: string;
  pinned: boolean;
  accepted_reply_id: number | null;
  reply_count: number;
  view_count: number;
  last_activity_at: Date;
  /** The exact timestamp as text, for the keyset cursor: a JS Date drops the microseconds. */
  activity_key: string;
  created_at: Date;
  author_id: number;
  author_username: string;
  author_name: string;
  author_avatar: string | null;
}

export function topicListQuery(db: Executor) {
  return db
    .selectFrom('topics')
    .innerJoin('spaces', 'spaces.id', 'topics.space_id')
    .innerJoin('users', 'users.id', 'topics.author_id')
    .select([
      'topics.id',
      'topics.space_id',
      'spaces.slug as space_slug',
      'spaces.name as space_name',
      'topics.kind',
      'topics.title',
      'topics.slug',
      'topics.pinned',
      'topics.accepted_reply_id',
      'topics.reply_count',
      'topics.view_count',
      'topics.last_activity_at',
      sql<string>`topics.last_activity_at::text`.as('activity_key'),
      'topics.created_at',
      'topics.author_id',
      'users.username as author_username',
      'users.display_name as author_name',
      'users.avatar_path as author_avatar',
    ])
    .where('topics.deleted_at', 'is', null);
}

export interface TopicListOptions {
  kind?: TopicKind;
  /** Leave out pinned topics (the space page shows them in their own block). */
  excludePinned?: boolean;
  after?: { activityKey: string; id: number };
  limit: number;
}

/** A space's topics by latest activity; fetches `limit + 1` rows so the caller knows if a next page exists. */
export function listSpaceTopics(db: Executor, spaceId: number, opts: TopicListOptions): Promise<TopicListRow[]> {
  let q = topicListQuery(db).where('topics.space_id', '=', spaceId);
  if (opts.kind) q = q.where('topics.kind', '=', opts.kind);
  if (opts.excludePinned) q = q.where('topics.pinned', '=', false);
  const after = opts.after;
  if (after) {
    q = q.where((eb) => eb(eb.refTuple('topics.last_activity_at', 'topics.id'), '<', eb.tuple(sql<Date>`${after.activityKey}::timestamptz`, after.id)));
  }
  return q.orderBy('topics.last_activity_at', 'desc').orderBy('topics.id', 'desc').limit(opts.limit + 1).execute();
}

export function listPinnedTopics(db: Executor, spaceId: number, limit: number): Promise<TopicListRow[]> {
  return topicListQuery(db)
    .where('topics.space_id', '=', spaceId)
    .where('topics.pinned', '=', true)
    .orderBy('topics.created_at', 'desc')
    .limit(limit)
    .execute();
}

/** Latest activity across spaces; `limit + 1` rows when paging with `after`. */
export function listLatestTopics(db: Executor, spaceIds: number[], opts: { after?: { activityKey: string; id: number }; limit: number }): Promise<TopicListRow[]> {
  if (spaceIds.length === 0) return Promise.resolve([]);
  let q = topicListQuery(db).where('topics.space_id', 'in', spaceIds);
  const after = opts.after;
  if (after) {
    q = q.where((eb) => eb(eb.refTuple('topics.last_activity_at', 'topics.id'), '<', eb.tuple(sql<Date>`${after.activityKey}::timestamptz`, after.id)));
  }
  return q.orderBy('topics.last_activity_at', 'desc').orderBy('topics.id', 'desc').limit(opts.limit).execute();
}

export interface TopicRow {
  id: number;
  space_id: number;
  author_id: number;
  kind: TopicKind;
  title: string;
  slug: string;
  body_md: string;
  body_html: string;
  pinned: boolean;
  accepted_reply_id: number | null;
  solved_at: Date | null;
  reply_count: number;
  view_count: number;
  last_activity_at: Date;
  created_at: Date;
  deleted_at: Date | null;
  edited_at: Date | null;
  author_username: string;
  author_name: string;
  author_avatar: string | null;
}

export function findTopic(db: Executor, id: number): Promise<TopicRow | undefined> {
  return db
    .selectFrom('topics')
    .innerJoin('users', 'users.id', 'topics.author_id')
    .select([
      'topics.id',
      'topics.space_id',
      'topics.author_id',
      'topics.kind',
      'topics.title',
      'topics.slug',
      'topics.body_md',
      'topics.body_html',
      'topics.pinned',
      'topics.accepted_reply_id',
      'topics.solved_at',
      'topics.reply_count',
      'topics.view_count',
      'topics.last_activity_at',
      'topics.created_at',
      'topics.deleted_at',
      'topics.edited_at',
      'users.username as author_username',
      'users.display_name as author_name',
      'users.avatar_path as author_avatar',
    ])
    .where('topics.id', '=', id)
    .executeTakeFirst();
}

/** The topic row locked for the rest of the transaction, so two accepts or replies do not interleave. */
export function lockTopic(db: Executor, id: number) {
  return db
    .selectFrom('topics')
    .select(['id', 'space_id', 'author_id', 'kind', 'accepted_reply_id', 'deleted_at'])
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export interface ReplyRow {
  id: number;
  topic_id: number;
  author_id: number;
  body_md: string;
  body_html: string;
  reply_to_id: number | null;
  created_at: Date;
  created_key: string;
  edited_at: Date | null;
  deleted_at: Date | null;
  author_username: string;
  author_name: string;
  author_avatar: string | null;
}

/** Staff see deleted replies as placeholders they can restore; everyone else never gets them. */
function replyQuery(db: Executor, includeDeleted = false) {
  const q = db
    .selectFrom('replies')
    .innerJoin('users', 'users.id', 'replies.author_id')
    .select([
      'replies.id',
      'replies.topic_id',
      'replies.author_id',
      'replies.body_md',
      'replies.body_html',
      'replies.reply_to_id',
      'replies.created_at',
      sql<string>`replies.created_at::text`.as('created_key'),
      'replies.edited_at',
      'replies.deleted_at',
      'users.username as author_username',
      'users.display_name as author_name',
      'users.avatar_path as author_avatar',
    ]);
  return includeDeleted ? q : q.where('replies.deleted_at', 'is', null);
}

/** A topic's replies in the order they were written; `limit + 1` rows. */
export function listReplies(db: Executor, topicId: number, opts: { after?: { createdKey: string; id: number }; limit: number; includeDeleted?: boolean }): Promise<ReplyRow[]> {
  let q = replyQuery(db, opts.includeDeleted).where('replies.topic_id', '=', topicId);
  const after = opts.after;
  if (after) {
    q = q.where((eb) => eb(eb.refTuple('replies.created_at', 'replies.id'), '>', eb.tuple(sql<Date>`${after.createdKey}::timestamptz`, after.id)));
  }
  return q.orderBy('replies.created_at').orderBy('replies.id').limit(opts.limit + 1).execute();
}

export function findReply(db: Executor, id: number): Promise<ReplyRow | undefined> {
  return replyQuery(db).where('replies.id', '=', id).executeTakeFirst();
}

/** The reply at a 0-based position in a topic, to build the cursor of the page that holds a reply. */
export function replyAtPosition(db: Executor, topicId: number, position: number): Promise<{ id: number; created_key: string } | undefined> {
  return db
    .selectFrom('replies')
    .select(['id', sql<string>`created_at::text`.as('created_key')])
    .where('topic_id', '=', topicId)
    .where('deleted_at', 'is', null)
    .orderBy('created_at')
    .orderBy('id')
    .offset(position)
    .limit(1)
    .executeTakeFirst();
}

export async function countReplies(db: Executor, topicId: number): Promise<number> {
  const row = await db
    .selectFrom('replies')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('topic_id', '=', topicId)
    .where('deleted_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export function insertTopic(
  db: Executor,
  values: { spaceId: number; authorId: number; kind: TopicKind; title: string; slug: string; bodyMd: string; bodyHtml: string; pinned: boolean; at: Date },
): Promise<{ id: number }> {
  return db
    .insertInto('topics')
    .values({
      space_id: values.spaceId,
      author_id: values.authorId,
      kind: values.kind,
      title: values.title,
      slug: values.slug,
      body_md: values.bodyMd,
      body_html: values.bodyHtml,
      pinned: values.pinned,
      last_activity_at: values.at,
      created_at: values.at,
      updated_at: values.at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
}

export function insertReply(
  db: Executor,
  values: { topicId: number; authorId: number; bodyMd: string; bodyHtml: string; replyToId: number | null; at: Date },
): Promise<{ id: number }> {
  return db
    .insertInto('replies')
    .values({
      topic_id: values.topicId,
      author_id: values.authorId,
      body_md: values.bodyMd,
      body_html: values.bodyHtml,
      reply_to_id: values.replyToId,
      created_at: values.at,
      updated_at: values.at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
}

export async function recordReplyOnTopic(db: Executor, topicId: number, userId: number, at: Date): Promise<void> {
  await db
    .updateTable('topics')
    .set((eb) => ({ reply_count: eb('reply_count', '+', 1), last_activity_at: at, last_reply_user_id: userId }))
    .where('id', '=', topicId)
    .execute();
}

export async function addToSpaceCounts(db: Executor, spaceId: number, counts: { topics?: number; replies?: number }): Promise<void> {
  await db
    .updateTable('spaces')
    .set((eb) => ({ topic_count: eb('topic_count', '+', counts.topics ?? 0), reply_count: eb('reply_count', '+', counts.replies ?? 0) }))
    .where('id', '=', spaceId)
    .execute();
}

export async function setAcceptedReply(db: Executor, topicId: number, replyId: number, at: Date): Promise<void> {
  await db.updateTable('topics').set({ accepted_reply_id: replyId, solved_at: at }).where('id', '=', topicId).execute();
}

/** Adds buffered view counts in one statement. */
export async function addTopicViews(db: Executor, counts: Array<[topicId: number, views: number]>): Promise<void> {
  if (counts.length === 0) return;
  const rows = sql.join(counts.map(([id, n]) => sql`(${id}::bigint, ${n}::bigint)`));
  await sql`update topics set view_count = topics.view_count + v.n from (values ${rows}) as v (id, n) where topics.id = v.id`.execute(db);
}

export async function countMembers(db: Executor): Promise<number> {
  const row = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function countActiveTopics(db: Executor, spaceIds: number[], since: Date): Promise<number> {
  if (spaceIds.length === 0) return 0;
  const row = await db
    .selectFrom('topics')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('deleted_at', 'is', null)
    .where('last_activity_at', '>', since)
    .where('space_id', 'in', spaceIds)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
