import type { AppContext } from '../../platform/context.ts';
import { expiringCachePerContext } from '../../platform/expiring-cache.ts';
import type { CurrentUser } from '../../platform/http/env.ts';
import { AppError, badRequest, forbidden, notFound, unauthorized, validationFailed } from '../../platform/http/errors.ts';
import { decodeCursor, encodeCursor, type Page, toPage } from '../../platform/http/pagination.ts';
import { publishEvent } from '../../platform/jobs/registry.ts';
import { renderMarkdown } from '../../platform/markdown/index.ts';
import * as repo from './repo.ts';
import type { NewReplyInput, NewTopicInput } from './schema.ts';
import type { SpaceVisibility, TopicKind } from './tables.ts';
import { topicViewCounter } from './view-counter.ts';
import { canSeeSpaceWith, loadSpaceAccess, needsSpaceAccess } from './access.ts';
import { checkTopicTags, setTopicTags, tagsForTopics, withTags } from './tags.ts';

/** Who is looking: a signed-in member (or API key's member), or nobody. */
export type Viewer = CurrentUser | null;

export interface Author {
  id: number;
  username: string;
  displayName: string;
  avatarUrl: string | null;
}

export interface Space {
  id: number;
  slug: string;
  name: string;
  description: string;
  icon: string;
  color: string;
  visibility: SpaceVisibility;
  defaultKind: TopicKind;
  topicCount: number;
  replyCount: number;
  url: string;
}

export interface TopicSummary {
  id: number;
  space: { id: number; slug: string; name: string };
  kind: TopicKind;
  title: string;
  slug: string;
  url: string;
  author: Author;
  pinned: boolean;
  solved: boolean;
  replyCount: number;
  viewCount: number;
  lastActivityAt: Date;
  createdAt: Date;
  /** Tag slugs; filled in by the lists and pages that show them (tags.ts). */
  tags?: string[];
}

export interface Reply {
  id: number;
  topicId: number;
  author: Author;
  bodyMarkdown: string;
  bodyHtml: string;
  replyToId: number | null;
  accepted: boolean;
  createdAt: Date;
  editedAt: Date | null;
  /** Set only on replies shown to staff, who see deleted replies as restorable placeholders. */
  deletedAt: Date | null;
}

export interface Topic extends TopicSummary {
  bodyMarkdown: string;
  bodyHtml: string;
  acceptedReplyId: number | null;
  solvedAt: Date | null;
  spaceRecord: Space;
  editedAt: Date | null;
  /** Set only when staff load a deleted topic to restore it. */
  deletedAt: Date | null;
  /** The viewer moderates this topic's space (a space moderator, not global staff), e.g. may accept its answer. */
  viewerModerates?: boolean;
}

export const REPLIES_PER_PAGE = 50;
const PINNED_LIMIT = 5;

// Permissions: one place says who sees and does what.

export function isStaff(viewer: Viewer): boolean {
  return viewer?.role === 'moderator' || viewer?.role === 'admin';
}

/**
 * The visibilities a viewer sees without any membership. Private and exclusive spaces are decided per
 * space and member (access.ts), so a member's list of spaces comes from `listSpaces`/`visibleSpaceIds`,
 * never from this.
 */
export function visibleVisibilities(viewer: Viewer): SpaceVisibility[] {
  if (!viewer) return ['public'];
  if (isStaff(viewer)) return ['public', 'members', 'private', 'exclusive'];
  return ['public', 'members'];
}

/** Public and members-only spaces are answered without a query; private and exclusive ones by the viewer's access (access.ts). */
export async function canSeeSpace(ctx: AppContext, viewer: Viewer, space: { id: number; visibility: SpaceVisibility }): Promise<boolean> {
  const access = needsSpaceAccess(viewer, space.visibility) ? await loadSpaceAccess(ctx, viewer) : null;
  return canSeeSpaceWith(viewer, space, access);
}

export function canPostKind(viewer: Viewer, kind: TopicKind): boolean {
  return kind !== 'announcement' || isStaff(viewer);
}

/** Signed in with a confirmed email address: the bar for writing anything. */
export function assertCanPost(actor: Viewer): CurrentUser {
  if (!actor) throw unauthorized('Sign in to post.');
  if (!actor.emailVerified) throw forbidden('Confirm your email address before posting: use the link we emailed you.');
  return actor;
}

/** A space made for announcements takes new topics from staff only; every other space from any member who may see it. */
export async function canPostInSpace(ctx: AppContext, viewer: Viewer, space: { id: number; visibility: SpaceVisibility; defaultKind: TopicKind }): Promise<boolean> {
  if (!viewer || !(await canSeeSpace(ctx, viewer, space))) return false;
  return space.defaultKind !== 'announcement' || isStaff(viewer);
}

/** The asker, staff, or a moderator of the question's space (`viewerModerates`, set by `getTopic`). */
export function canAccept(viewer: Viewer, topic: { kind: TopicKind; author: { id: number }; viewerModerates?: boolean }): boolean {
  if (!viewer || topic.kind !== 'question') return false;
  return viewer.id === topic.author.id || isStaff(viewer) || topic.viewerModerates === true;
}

// Mapping rows to what pages and the API show.

export function topicUrl(topic: { id: number; slug: string }): string {
  return `/t/${topic.id}/${topic.slug}`;
}

export function slugify(text: string): string {
  const slug = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
    .replace(/-+$/, '');
  return slug || 'topic';
}

function toSpace(row: repo.SpaceRow): Space {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    description: row.description,
    icon: row.icon,
    color: row.color,
    visibility: row.visibility,
    defaultKind: row.default_kind,
    topicCount: row.topic_count,
    replyCount: row.reply_count,
    url: `/s/${row.slug}`,
  };
}

function toAuthor(row: { author_id: number; author_username: string; author_name: string; author_avatar: string | null }): Author {
  return { id: row.author_id, username: row.author_username, displayName: row.author_name, avatarUrl: row.author_avatar };
}

export function toTopicSummary(row: repo.TopicListRow): TopicSummary {
  return {
    id: row.id,
    space: { id: row.space_id, slug: row.space_slug, name: row.space_name },
    kind: row.kind,
    title: row.title,
    slug: row.slug,
    url: topicUrl(row),
    author: toAuthor(row),
    pinned: row.pinned,
    solved: row.accepted_reply_id !== null,
    replyCount: row.reply_count,
    viewCount: row.view_count,
    lastActivityAt: row.last_activity_at,
    createdAt: row.created_at,
  };
}

function toReply(row: repo.ReplyRow, acceptedReplyId: number | null): Reply {
  return {
    id: row.id,
    topicId: row.topic_id,
    author: toAuthor(row),
    bodyMarkdown: row.body_md,
    bodyHtml: row.body_html,
    replyToId: row.reply_to_id,
    accepted: row.id === acceptedReplyId,
    createdAt: row.created_at,
    editedAt: row.edited_at,
    deletedAt: row.deleted_at,
  };
}

// Reading.

/** Every space whose content the viewer may see, in the admins' order. */
export async function listSpaces(ctx: AppContext, viewer: Viewer): Promise<Space[]> {
  if (!viewer || isStaff(viewer)) return (await repo.listSpaces(ctx.db, visibleVisibilities(viewer))).map(toSpace);
  const rows = await repo.listSpaces(ctx.db, ['public', 'members', 'private', 'exclusive']);
  const closed = rows.some((r) => needsSpaceAccess(viewer, r.visibility));
  const access = closed ? await loadSpaceAccess(ctx, viewer) : null;
  return rows.filter((r) => canSeeSpaceWith(viewer, r, access)).map(toSpace);
}

/**
 * The ids of every space whose content the viewer may see. Every feature that shows community content
 * (search, feeds, sitemap, notifications, mentions, digests, the API) filters by this one answer, so
 * the access rules live in one place.
 */
export async function visibleSpaceIds(ctx: AppContext, viewer: Viewer): Promise<number[]> {
  const spaces = await listSpaces(ctx, viewer);
  return spaces.map((s) => s.id);
}

/** The spaces the viewer may start a topic in. */
export async function listPostableSpaces(ctx: AppContext, viewer: Viewer): Promise<Space[]> {
  const spaces = await listSpaces(ctx, viewer);
  const postable = await Promise.all(spaces.map((s) => canPostInSpace(ctx, viewer, s)));
  return spaces.filter((_, i) => postable[i]);
}

/** A space the viewer may see; any other is "not found", so its existence does not leak. */
export async function getSpace(ctx: AppContext, viewer: Viewer, slug: string): Promise<Space> {
  const row = await repo.findSpaceBySlug(ctx.db, slug);
  if (!row || !(await canSeeSpace(ctx, viewer, row))) throw notFound('We could not find that space.');
  return toSpace(row);
}

function activityCursor(cursor: string | undefined): { activityKey: string; id: number } | undefined {
  const values = decodeCursor(cursor, 2);
  if (!values) return undefined;
  const [activityKey, id] = values;
  if (typeof activityKey !== 'string' || typeof id !== 'number' || !Number.isInteger(id)) {
    throw badRequest('The cursor is not valid; use the nextCursor of a previous page.', 'invalid_cursor');
  }
  return { activityKey, id };
}

export interface SpaceTopicsOptions {
  kind?: TopicKind;
  cursor?: string;
  limit: number;
  /** Pages list pinned topics separately; the API lists every topic once, pinned or not. */
  separatePinned?: boolean;
}

export async function listSpaceTopics(
  ctx: AppContext,
  viewer: Viewer,
  slug: string,
  opts: SpaceTopicsOptions,
): Promise<{ space: Space; topics: Page<TopicSummary>; pinned: TopicSummary[] }> {
  const space = await getSpace(ctx, viewer, slug);
  const after = activityCursor(opts.cursor);
  const rows = await repo.listSpaceTopics(ctx.db, space.id, { kind: opts.kind, excludePinned: opts.separatePinned, after, limit: opts.limit });
  const page = toPage(rows, opts.limit, (r) => [r.activity_key, r.id]);
  const pinned = opts.separatePinned && !after && !opts.kind ? await repo.listPinnedTopics(ctx.db, space.id, PINNED_LIMIT) : [];
  const [items, pinnedItems] = await Promise.all([withTags(ctx, page.items.map(toTopicSummary)), withTags(ctx, pinned.map(toTopicSummary))]);
  return { space, topics: { items, nextCursor: page.nextCursor }, pinned: pinnedItems };
}

export async function latestTopics(ctx: AppContext, viewer: Viewer, limit: number, spaces?: Space[]): Promise<TopicSummary[]> {
  const visible = spaces ?? (await listSpaces(ctx, viewer));
  const rows = await repo.listLatestTopics(
    ctx.db,
    visible.map((s) => s.id),
    { limit },
  );
  return withTags(ctx, rows.map(toTopicSummary));
}

/** Latest topics across every space the viewer may see, a page at a time. */
export async function pageLatestTopics(ctx: AppContext, viewer: Viewer, opts: { cursor?: string; limit: number }): Promise<Page<TopicSummary>> {
  const after = activityCursor(opts.cursor);
  const spaces = await listSpaces(ctx, viewer);
  const rows = await repo.listLatestTopics(
    ctx.db,
    spaces.map((s) => s.id),
    { after, limit: opts.limit + 1 },
  );
  const page = toPage(rows, opts.limit, (r) => [r.activity_key, r.id]);
  return { items: await withTags(ctx, page.items.map(toTopicSummary)), nextCursor: page.nextCursor };
}

/** A topic the viewer may see. A deleted topic is "not found", except to staff who ask for it (to restore it). */
export async function getTopic(ctx: AppContext, viewer: Viewer, id: number, opts: { includeDeleted?: boolean } = {}): Promise<Topic> {
  const row = await repo.findTopic(ctx.db, id);
  if (!row || (row.deleted_at && !(opts.includeDeleted && isStaff(viewer)))) throw notFound('We could not find that topic.');
  const space = await repo.findSpaceById(ctx.db, row.space_id);
  if (!space || !(await canSeeSpace(ctx, viewer, space))) throw notFound('We could not find that topic.');
  // Only questions use it (accepting an answer), so only they pay for the lookup.
  const viewerModerates = row.kind === 'question' && viewer !== null && !isStaff(viewer) ? (await loadSpaceAccess(ctx, viewer)).moderates.has(space.id) : false;
  const tags = (await tagsForTopics(ctx.db, [row.id])).get(row.id) ?? [];
  return {
    id: row.id,
    space: { id: space.id, slug: space.slug, name: space.name },
    spaceRecord: toSpace(space),
    kind: row.kind,
    title: row.title,
    slug: row.slug,
    url: topicUrl(row),
    author: toAuthor(row),
    pinned: row.pinned,
    solved: row.accepted_reply_id !== null,
    replyCount: row.reply_count,
    viewCount: row.view_count,
    lastActivityAt: row.last_activity_at,
    createdAt: row.created_at,
    bodyMarkdown: row.body_md,
    bodyHtml: row.body_html,
    acceptedReplyId: row.accepted_reply_id,
    solvedAt: row.solved_at,
    editedAt: row.edited_at,
    deletedAt: row.deleted_at,
    viewerModerates,
    tags,
  };
}

/** Replies of a topic the caller already loaded (and so may see). */
export async function listTopicReplies(ctx: AppContext, topic: Topic, opts: { cursor?: string; limit: number; includeDeleted?: boolean }): Promise<Page<Reply>> {
  const values = decodeCursor(opts.cursor, 2);
  const [createdKey, id] = values ?? [];
  if (values && (typeof createdKey !== 'string' || typeof id !== 'number' || !Number.isInteger(id))) {
    throw badRequest('The cursor is not valid; use the nextCursor of a previous page.', 'invalid_cursor');
  }
  const after = typeof createdKey === 'string' && typeof id === 'number' ? { createdKey, id } : undefined;
  const rows = await repo.listReplies(ctx.db, topic.id, { after, limit: opts.limit, includeDeleted: opts.includeDeleted });
  const page = toPage(rows, opts.limit, (r) => [r.created_key, r.id]);
  return { items: page.items.map((r) => toReply(r, topic.acceptedReplyId)), nextCursor: page.nextCursor };
}

/** The accepted answer, shown under the question whichever page of replies it falls on. */
export async function acceptedReply(ctx: AppContext, topic: Topic): Promise<Reply | null> {
  if (topic.acceptedReplyId === null) return null;
  const row = await repo.findReply(ctx.db, topic.acceptedReplyId);
  return row ? toReply(row, topic.acceptedReplyId) : null;
}

/** The cursor of the page of replies that holds a reply at a 0-based position (pages of REPLIES_PER_PAGE). */
export async function replyPageCursor(ctx: AppContext, topicId: number, position: number): Promise<string | undefined> {
  const pageIndex = Math.floor(position / REPLIES_PER_PAGE);
  if (pageIndex === 0) return undefined;
  const before = await repo.replyAtPosition(ctx.db, topicId, pageIndex * REPLIES_PER_PAGE - 1);
  return before ? encodeCursor([before.created_key, before.id]) : undefined;
}

export function recordTopicView(ctx: AppContext, topicId: number): void {
  topicViewCounter(ctx).record(topicId);
}

export interface CommunityStats {
  members: number;
  topics: number;
  replies: number;
  activeThisWeek: number;
}

// Private memberships make many audiences possible; the cache is kept small rather than exact.
const statsCache = expiringCachePerContext<CommunityStats>(30_000, 200);

/** Headline figures for the home page; cached briefly per audience so the page stays cheap. */
export async function communityStats(ctx: AppContext, viewer: Viewer, spaces: Space[]): Promise<CommunityStats> {
  // Members of different private spaces see different totals: the audience is the set of spaces.
  const audience = spaces.map((s) => s.id).join(',');
  const cache = statsCache(ctx);
  const hit = cache.get(audience);
  if (hit) return hit;
  const spaceIds = spaces.map((s) => s.id);
  const [members, activeThisWeek] = await Promise.all([
    repo.countMembers(ctx.db),
    repo.countActiveTopics(ctx.db, spaceIds, new Date(Date.now() - 7 * 86400_000)),
  ]);
  const stats = {
    members,
    topics: spaces.reduce((n, s) => n + s.topicCount, 0),
    replies: spaces.reduce((n, s) => n + s.replyCount, 0),
    activeThisWeek,
  };
  cache.set(audience, stats);
  return stats;
}

// Writing.

export async function createTopic(ctx: AppContext, viewer: Viewer, input: NewTopicInput): Promise<{ id: number; url: string }> {
  const actor = assertCanPost(viewer);
  const row = await repo.findSpaceBySlug(ctx.db, input.space);
  if (!row || !(await canSeeSpace(ctx, actor, row))) throw validationFailed({ space: 'Choose one of the spaces listed.' });
  const space = toSpace(row);
  if (!(await canPostInSpace(ctx, actor, space))) {
    throw new AppError('forbidden', 403, 'Only moderators can start topics in this space.', { space: `Only moderators can start topics in ${space.name}.` });
  }
  if (!canPostKind(actor, input.kind)) {
    throw new AppError('forbidden', 403, 'Only moderators can post announcements.', { kind: 'Only moderators can post announcements; choose another kind.' });
  }
  if (input.pinned && !isStaff(actor)) {
    throw new AppError('forbidden', 403, 'Only moderators can pin topics.', { pinned: 'Only moderators can pin topics.' });
  }
  const tags = checkTopicTags(input.tags ?? []);
  const slug = slugify(input.title);
  const bodyHtml = renderMarkdown(input.body);
  const at = new Date();
  const id = await ctx.db.transaction().execute(async (trx) => {
    const topic = await repo.insertTopic(trx, {
      spaceId: space.id,
      authorId: actor.id,
      kind: input.kind,
      title: input.title,
      slug,
      bodyMd: input.body,
      bodyHtml,
      pinned: input.pinned,
      at,
    });
    await repo.addToSpaceCounts(trx, space.id, { topics: 1 });
    if (tags.length > 0) await setTopicTags(trx, { id: topic.id, spaceId: space.id }, tags);
    await publishEvent(trx, ctx.jobs, 'topic.created', { topicId: topic.id, spaceId: space.id, authorId: actor.id, kind: input.kind, ...(tags.length > 0 ? { tags } : {}) }, actor.id);
    return topic.id;
  });
  return { id, url: topicUrl({ id, slug }) };
}

export async function createReply(ctx: AppContext, viewer: Viewer, topicId: number, input: NewReplyInput): Promise<{ reply: Reply; topic: Topic; position: number }> {
  const actor = assertCanPost(viewer);
  const topic = await getTopic(ctx, actor, topicId);
  if (input.replyTo !== undefined) {
    const target = await repo.findReply(ctx.db, input.replyTo);
    if (!target || target.topic_id !== topic.id) throw validationFailed({ replyTo: 'That reply is not in this topic.' });
  }
  const bodyHtml = renderMarkdown(input.body);
  const at = new Date();
  const { replyId, position } = await ctx.db.transaction().execute(async (trx) => {
    const locked = await repo.lockTopic(trx, topic.id);
    if (!locked || locked.deleted_at) throw notFound('We could not find that topic.');
    const reply = await repo.insertReply(trx, { topicId: topic.id, authorId: actor.id, bodyMd: input.body, bodyHtml, replyToId: input.replyTo ?? null, at });
    await repo.recordReplyOnTopic(trx, topic.id, actor.id, at);
    await repo.addToSpaceCounts(trx, topic.space.id, { replies: 1 });
    await publishEvent(
      trx,
      ctx.jobs,
      'reply.created',
      { replyId: reply.id, topicId: topic.id, spaceId: topic.space.id, authorId: actor.id, topicAuthorId: topic.author.id, replyToId: input.replyTo ?? null },
      actor.id,
    );
    return { replyId: reply.id, position: (await repo.countReplies(trx, topic.id)) - 1 };
  });
  const row = await repo.findReply(ctx.db, replyId);
  if (!row) throw notFound('We could not find that reply.');
  return { reply: toReply(row, topic.acceptedReplyId), topic, position };
}

/** The asker or a moderator marks one reply of a question as its answer. */
export async function acceptAnswer(ctx: AppContext, viewer: Viewer, topicId: number, replyId: number): Promise<Topic> {
  if (!viewer) throw unauthorized('Sign in to accept an answer.');
  const topic = await getTopic(ctx, viewer, topicId);
  if (topic.kind !== 'question') throw badRequest('Only questions have an accepted answer.', 'not_a_question');
  if (!canAccept(viewer, topic)) throw forbidden('Only the person who asked, or a moderator, can accept an answer.');
  const reply = await repo.findReply(ctx.db, replyId);
  if (!reply || reply.topic_id !== topic.id) throw validationFailed({ replyId: 'That reply is not in this topic.' });
  if (reply.author_id === topic.author.id) throw validationFailed({ replyId: 'An answer by the asker cannot be accepted; accept the reply that helped.' });
  const at = new Date();
  await ctx.db.transaction().execute(async (trx) => {
    const locked = await repo.lockTopic(trx, topic.id);
    if (!locked || locked.deleted_at) throw notFound('We could not find that topic.');
    if (locked.accepted_reply_id === replyId) return;
    await repo.setAcceptedReply(trx, topic.id, replyId, at);
    await publishEvent(
      trx,
      ctx.jobs,
      'answer.accepted',
      { topicId: topic.id, replyId, answererId: reply.author_id, askerId: topic.author.id, acceptedById: viewer.id, previousReplyId: locked.accepted_reply_id },
      viewer.id,
    );
  });
  return getTopic(ctx, viewer, topic.id);
}

/** One reply with its topic, when the viewer may see both (notifications and live updates load replies by id). */
export async function getReply(ctx: AppContext, viewer: Viewer, replyId: number): Promise<{ reply: Reply; topic: Topic }> {
  const row = await repo.findReply(ctx.db, replyId);
  if (!row) throw notFound('We could not find that reply.');
  const topic = await getTopic(ctx, viewer, row.topic_id);
  return { reply: toReply(row, topic.acceptedReplyId), topic };
}
