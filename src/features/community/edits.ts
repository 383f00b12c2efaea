import type { AppContext } from '../../platform/context.ts';
import { forbidden, notFound, unauthorized } from '../../platform/http/errors.ts';
import { encodeCursor } from '../../platform/http/pagination.ts';
import { publishEvent } from '../../platform/jobs/registry.ts';
import { renderMarkdown } from '../../platform/markdown/index.ts';
import * as engagementRepo from './engagement-repo.ts';
import * as repo from './repo.ts';
import { getTopic, isStaff, REPLIES_PER_PAGE, slugify, type Topic, type Viewer } from './service.ts';

/**
 * Editing posts with their history, soft delete and restore, and finding a reply's place in its topic.
 * The author edits and deletes their own posts; moderators and admins any post; only they restore.
 */

const REVISIONS_LIMIT = 100;

export function canEditPost(viewer: Viewer, post: { authorId: number; deletedAt: Date | null }): boolean {
  if (!viewer || post.deletedAt) return false;
  return viewer.id === post.authorId || isStaff(viewer);
}

export const canDeletePost = canEditPost;

export function canRestorePost(viewer: Viewer): boolean {
  return isStaff(viewer);
}

export interface ReplyInTopic {
  topic: Topic;
  reply: { id: number; authorId: number; authorUsername: string; authorName: string; bodyMarkdown: string; createdKey: string; deletedAt: Date | null };
}

/**
 * A reply the viewer may see, with its topic. Deleted replies (and replies of deleted topics) are
 * "not found" except to staff when `includeDeleted` is asked for.
 */
export async function getReplyInTopic(ctx: AppContext, viewer: Viewer, replyId: number, opts: { includeDeleted?: boolean } = {}): Promise<ReplyInTopic> {
  const row = await engagementRepo.findReplyRecord(ctx.db, replyId);
  const showDeleted = opts.includeDeleted === true && isStaff(viewer);
  if (!row || (row.deleted_at && !showDeleted)) throw notFound('We could not find that reply.');
  const topic = await getTopic(ctx, viewer, row.topic_id, { includeDeleted: showDeleted });
  return {
    topic,
    reply: {
      id: row.id,
      authorId: row.author_id,
      authorUsername: row.author_username,
      authorName: row.author_name,
      bodyMarkdown: row.body_md,
      createdKey: row.created_key,
      deletedAt: row.deleted_at,
    },
  };
}

/** The address of a reply: the page of its topic that holds it, anchored on it. */
export async function replyUrl(ctx: AppContext, viewer: Viewer, replyId: number): Promise<string> {
  const { topic, reply } = await getReplyInTopic(ctx, viewer, replyId, { includeDeleted: true });
  const position = await engagementRepo.replyPosition(ctx.db, topic.id, { createdKey: reply.createdKey, id: reply.id });
  const pageIndex = Math.floor(position / REPLIES_PER_PAGE);
  let cursor: string | undefined;
  if (pageIndex > 0) {
    const before = await repo.replyAtPosition(ctx.db, topic.id, pageIndex * REPLIES_PER_PAGE - 1);
    if (before) cursor = encodeCursor([before.created_key, before.id]);
  }
  return `${topic.url}${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}#reply-${reply.id}`;
}

/** "In reply to @name": the authors of the replies the given replies answer, by reply id. */
export async function replyParents(ctx: AppContext, topicId: number, replyToIds: number[]): Promise<Map<number, { username: string; displayName: string }>> {
  const unique = [...new Set(replyToIds)];
  const rows = await engagementRepo.replyAuthors(ctx.db, unique);
  const parents = new Map<number, { username: string; displayName: string }>();
  // A parent in another topic cannot happen through the service; a deleted one is not named.
  for (const r of rows) if (r.topic_id === topicId && !r.deleted_at) parents.set(r.id, { username: r.username, displayName: r.display_name });
  return parents;
}

/** The Markdown that quotes a reply: a blockquote with attribution, ready for the reply box. */
export function quoteMarkdown(author: { username: string }, body: string): string {
  const quoted = body
    .trim()
    .split('\n')
    .map((line) => (line ? `> ${line}` : '>'))
    .join('\n');
  return `> @${author.username} wrote:\n>\n${quoted}\n\n`;
}

// Editing

export async function editTopic(ctx: AppContext, viewer: Viewer, topicId: number, input: { title: string; body: string }): Promise<Topic> {
  if (!viewer) throw unauthorized('Sign in to edit.');
  const topic = await getTopic(ctx, viewer, topicId);
  if (!canEditPost(viewer, { authorId: topic.author.id, deletedAt: topic.deletedAt })) throw forbidden('Only the author or a moderator can edit this topic.');
  const bodyHtml = renderMarkdown(input.body);
  const at = new Date();
  await ctx.db.transaction().execute(async (trx) => {
    const locked = await engagementRepo.lockTopicForEdit(trx, topic.id);
    if (!locked || locked.deleted_at) throw notFound('We could not find that topic.');
    if (locked.title === input.title && locked.body_md === input.body) return;
    const revisionId = await engagementRepo.insertRevision(trx, { topicId: topic.id, replyId: null, editorId: viewer.id, oldTitle: locked.title, oldBodyMd: locked.body_md, at });
    await engagementRepo.updateTopicContent(trx, topic.id, { title: input.title, slug: slugify(input.title), bodyMd: input.body, bodyHtml, at });
    await publishEvent(
      trx,
      ctx.jobs,
      'topic.edited',
      { topicId: topic.id, spaceId: locked.space_id, authorId: locked.author_id, editorId: viewer.id, revisionId, titleChanged: locked.title !== input.title },
      viewer.id,
    );
  });
  return getTopic(ctx, viewer, topic.id);
}

export async function editReply(ctx: AppContext, viewer: Viewer, replyId: number, input: { body: string }): Promise<{ topic: Topic; replyId: number }> {
  if (!viewer) throw unauthorized('Sign in to edit.');
  const { topic, reply } = await getReplyInTopic(ctx, viewer, replyId);
  if (!canEditPost(viewer, reply)) throw forbidden('Only the author or a moderator can edit this reply.');
  const bodyHtml = renderMarkdown(input.body);
  const at = new Date();
  await ctx.db.transaction().execute(async (trx) => {
    const locked = await engagementRepo.lockReplyForEdit(trx, reply.id);
    if (!locked || locked.deleted_at) throw notFound('We could not find that reply.');
    if (locked.body_md === input.body) return;
    const revisionId = await engagementRepo.insertRevision(trx, { topicId: topic.id, replyId: reply.id, editorId: viewer.id, oldTitle: null, oldBodyMd: locked.body_md, at });
    await engagementRepo.updateReplyContent(trx, reply.id, { bodyMd: input.body, bodyHtml, at });
    await publishEvent(
      trx,
      ctx.jobs,
      'reply.edited',
      { replyId: reply.id, topicId: topic.id, spaceId: topic.space.id, authorId: locked.author_id, editorId: viewer.id, revisionId },
      viewer.id,
    );
  });
  return { topic, replyId: reply.id };
}

// History

export interface Revision {
  /** 1 is the first version; the current version has the highest number. */
  version: number;
  title: string | null;
  bodyMarkdown: string;
  bodyHtml: string;
  /** Who wrote this version, and when it was written (for the first version: the post's author and creation). */
  editor: { id: number; username: string; displayName: string };
  at: Date;
  current: boolean;
}

export interface PostHistory {
  topic: Topic;
  replyId: number | null;
  url: string;
  versions: Revision[];
}

/**
 * Every version of a post, newest first. Public to whoever may see the post, as on Discourse: an edit
 * is part of the conversation. The version a revision row keeps was written by the previous editor.
 */
function versionsOf(
  current: { title: string | null; bodyMarkdown: string },
  author: { id: number; username: string; displayName: string },
  createdAt: Date,
  rows: engagementRepo.RevisionRow[],
): Revision[] {
  const chronological = [...rows].reverse();
  const versions: Revision[] = [];
  // Version k (1-based) was replaced by revision row k-1; it was written by the editor of row k-2 (or the author).
  for (let i = 0; i <= chronological.length; i++) {
    const replacedBy = chronological[i];
    const writtenBy = i === 0 ? undefined : chronological[i - 1];
    const content = replacedBy ? { title: replacedBy.old_title, bodyMarkdown: replacedBy.old_body_md } : current;
    versions.push({
      version: i + 1,
      title: content.title,
      bodyMarkdown: content.bodyMarkdown,
      bodyHtml: renderMarkdown(content.bodyMarkdown),
      editor: writtenBy ? { id: writtenBy.editor_id, username: writtenBy.editor_username, displayName: writtenBy.editor_name } : author,
      at: writtenBy ? writtenBy.created_at : createdAt,
      current: !replacedBy,
    });
  }
  return versions.reverse();
}

export async function topicHistory(ctx: AppContext, viewer: Viewer, topicId: number): Promise<PostHistory> {
  const topic = await getTopic(ctx, viewer, topicId, { includeDeleted: true });
  const rows = await engagementRepo.listRevisions(ctx.db, { topicId: topic.id, replyId: null }, REVISIONS_LIMIT);
  return { topic, replyId: null, url: topic.url, versions: versionsOf({ title: topic.title, bodyMarkdown: topic.bodyMarkdown }, topic.author, topic.createdAt, rows) };
}

export async function replyHistory(ctx: AppContext, viewer: Viewer, replyId: number): Promise<PostHistory> {
  const { topic, reply } = await getReplyInTopic(ctx, viewer, replyId, { includeDeleted: true });
  const row = await repo.findReply(ctx.db, reply.id);
  const createdAt = row?.created_at ?? topic.createdAt;
  const rows = await engagementRepo.listRevisions(ctx.db, { topicId: topic.id, replyId: reply.id }, REVISIONS_LIMIT);
  const author = { id: reply.authorId, username: reply.authorUsername, displayName: reply.authorName };
  return { topic, replyId: reply.id, url: `/r/${reply.id}`, versions: versionsOf({ title: null, bodyMarkdown: reply.bodyMarkdown }, author, createdAt, rows) };
}

// Soft delete and restore. Counters follow: a deleted reply leaves its topic's and space's reply
// counts; a deleted topic leaves its space's topic count, taking its live replies out of the space's.

export async function deleteTopic(ctx: AppContext, viewer: Viewer, topicId: number): Promise<Topic> {
  if (!viewer) throw unauthorized('Sign in to delete.');
  const topic = await getTopic(ctx, viewer, topicId);
  if (!canDeletePost(viewer, { authorId: topic.author.id, deletedAt: topic.deletedAt })) throw forbidden('Only the author or a moderator can delete this topic.');
  const at = new Date();
  await ctx.db.transaction().execute(async (trx) => {
    const locked = await engagementRepo.lockTopicForEdit(trx, topic.id);
    if (!locked || !(await engagementRepo.markTopicDeleted(trx, topic.id, viewer.id, at))) return;
    await repo.addToSpaceCounts(trx, locked.space_id, { topics: -1, replies: -locked.reply_count });
    await publishEvent(trx, ctx.jobs, 'topic.deleted', { topicId: topic.id, spaceId: locked.space_id, authorId: locked.author_id, deletedById: viewer.id }, viewer.id);
  });
  return topic;
}

export async function restoreTopic(ctx: AppContext, viewer: Viewer, topicId: number): Promise<Topic> {
  if (!viewer) throw unauthorized('Sign in to restore.');
  if (!canRestorePost(viewer)) throw notFound('We could not find that topic.');
  const topic = await getTopic(ctx, viewer, topicId, { includeDeleted: true });
  await ctx.db.transaction().execute(async (trx) => {
    const locked = await engagementRepo.lockTopicForEdit(trx, topic.id);
    if (!locked || !(await engagementRepo.markTopicRestored(trx, topic.id))) return;
    await repo.addToSpaceCounts(trx, locked.space_id, { topics: 1, replies: locked.reply_count });
    await publishEvent(trx, ctx.jobs, 'topic.restored', { topicId: topic.id, spaceId: locked.space_id, authorId: locked.author_id, restoredById: viewer.id }, viewer.id);
  });
  return getTopic(ctx, viewer, topic.id);
}

export async function deleteReply(ctx: AppContext, viewer: Viewer, replyId: number): Promise<Topic> {
  if (!viewer) throw unauthorized('Sign in to delete.');
  const { topic, reply } = await getReplyInTopic(ctx, viewer, replyId);
  if (!canDeletePost(viewer, reply)) throw forbidden('Only the author or a moderator can delete this reply.');
  const at = new Date();
  await ctx.db.transaction().execute(async (trx) => {
    // The topic row is locked first, as replying does, so counts never interleave.
    const lockedTopic = await engagementRepo.lockTopicForEdit(trx, topic.id);
    if (!lockedTopic || !(await engagementRepo.markReplyDeleted(trx, reply.id, viewer.id, at))) return;
    await engagementRepo.addToTopicReplyCount(trx, topic.id, -1);
    // A deleted topic's replies already left the space's count.
    if (!lockedTopic.deleted_at) await repo.addToSpaceCounts(trx, lockedTopic.space_id, { replies: -1 });
    await publishEvent(trx, ctx.jobs, 'reply.deleted', { replyId: reply.id, topicId: topic.id, spaceId: lockedTopic.space_id, authorId: reply.authorId, deletedById: viewer.id }, viewer.id);
  });
  return topic;
}

export async function restoreReply(ctx: AppContext, viewer: Viewer, replyId: number): Promise<Topic> {
  if (!viewer) throw unauthorized('Sign in to restore.');
  if (!canRestorePost(viewer)) throw notFound('We could not find that reply.');
  const { topic, reply } = await getReplyInTopic(ctx, viewer, replyId, { includeDeleted: true });
  await ctx.db.transaction().execute(async (trx) => {
    const lockedTopic = await engagementRepo.lockTopicForEdit(trx, topic.id);
    if (!lockedTopic || !(await engagementRepo.markReplyRestored(trx, reply.id))) return;
    await engagementRepo.addToTopicReplyCount(trx, topic.id, 1);
    if (!lockedTopic.deleted_at) await repo.addToSpaceCounts(trx, lockedTopic.space_id, { replies: 1 });
    await publishEvent(trx, ctx.jobs, 'reply.restored', { replyId: reply.id, topicId: topic.id, spaceId: lockedTopic.space_id, authorId: reply.authorId, restoredById: viewer.id }, viewer.id);
  });
  return topic;
}
