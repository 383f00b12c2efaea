import type { AppContext } from '../../platform/context.ts';
import { badRequest, notFound, unauthorized } from '../../platform/http/errors.ts';
import { decodeCursor, type Page, toPage } from '../../platform/http/pagination.ts';
import { markdownToText } from '../../platform/markdown/index.ts';
import * as engagementRepo from './engagement-repo.ts';
import { getReplyInTopic } from './edits.ts';
import { getTopic, topicUrl, visibleSpaceIds, type Author, type Viewer } from './service.ts';
import type { PostTarget } from './reactions.ts';

/** Bookmarks: a member keeps topics and replies to come back to. Private to the member. */

export interface Bookmark {
  id: number;
  createdAt: Date;
  topic: { id: number; title: string; url: string; kind: string; space: { slug: string; name: string } };
  replyId: number | null;
  /** Where the bookmarked post is: the topic, or `/r/:id` which finds the reply's page. */
  url: string;
  excerpt: string;
  author: Author;
}

/** The post behind a bookmark request, checked for visibility: a reply names its own topic. */
async function resolvePost(ctx: AppContext, viewer: Viewer, post: { topicId?: number; replyId?: number | null }): Promise<PostTarget> {
  if (post.replyId) {
    const { topic } = await getReplyInTopic(ctx, viewer, post.replyId);
    if (post.topicId !== undefined && post.topicId !== topic.id) throw notFound('We could not find that reply.');
    return { topicId: topic.id, replyId: post.replyId };
  }
  if (post.topicId === undefined) throw badRequest('Name the topic or the reply to bookmark.');
  const topic = await getTopic(ctx, viewer, post.topicId);
  return { topicId: topic.id, replyId: null };
}

/** Bookmarks a post or takes the bookmark away; saying the same twice changes nothing. */
export async function setBookmark(ctx: AppContext, viewer: Viewer, post: { topicId?: number; replyId?: number | null }, on: boolean): Promise<PostTarget> {
  if (!viewer) throw unauthorized('Sign in to bookmark.');
  const target = await resolvePost(ctx, viewer, post);
  if (on) await engagementRepo.insertBookmark(ctx.db, viewer.id, target, new Date());
  else await engagementRepo.deleteBookmark(ctx.db, viewer.id, target);
  return target;
}

export async function removeBookmarkById(ctx: AppContext, viewer: Viewer, id: number): Promise<void> {
  if (!viewer) throw unauthorized('Sign in to manage bookmarks.');
  const row = await engagementRepo.findBookmark(ctx.db, viewer.id, id);
  if (!row) throw notFound('We could not find that bookmark.');
  await engagementRepo.deleteBookmark(ctx.db, viewer.id, { topicId: row.topic_id, replyId: row.reply_id });
}

/** Which posts of a topic the viewer bookmarked; null stands for the opening post. */
export async function bookmarksInTopic(ctx: AppContext, viewer: Viewer, topicId: number): Promise<Set<number | null>> {
  if (!viewer) return new Set();
  return new Set(await engagementRepo.bookmarkedInTopic(ctx.db, viewer.id, topicId));
}

/**
 * The viewer's bookmarks, newest first. Posts since deleted, and posts in spaces the viewer can no longer
 * see, are left out: the bookmark stays (access may come back) but shows nothing.
 */
export async function listBookmarks(ctx: AppContext, viewer: Viewer, opts: { cursor?: string; limit: number }): Promise<Page<Bookmark>> {
  if (!viewer) throw unauthorized('Sign in to see your bookmarks.');
  const values = decodeCursor(opts.cursor, 2);
  const [createdKey, id] = values ?? [];
  if (values && (typeof createdKey !== 'string' || typeof id !== 'number' || !Number.isInteger(id))) {
    throw badRequest('The cursor is not valid; use the nextCursor of a previous page.', 'invalid_cursor');
  }
  const after = typeof createdKey === 'string' && typeof id === 'number' ? { createdKey, id } : undefined;
  const spaceIds = await visibleSpaceIds(ctx, viewer);
  const rows = await engagementRepo.listBookmarks(ctx.db, viewer.id, spaceIds, { after, limit: opts.limit });
  const page = toPage(rows, opts.limit, (r) => [r.created_key, r.id]);
  return {
    nextCursor: page.nextCursor,
    items: page.items.map((r) => {
      const url = topicUrl({ id: r.topic_id, slug: r.topic_slug });
      return {
        id: r.id,
        createdAt: r.created_at,
        topic: { id: r.topic_id, title: r.topic_title, url, kind: r.topic_kind, space: { slug: r.space_slug, name: r.space_name } },
        replyId: r.reply_id,
        url: r.reply_id === null ? url : `/r/${r.reply_id}`,
        excerpt: markdownToText(r.body_md, 200),
        author: { id: r.author_id, username: r.author_username, displayName: r.author_name, avatarUrl: r.author_avatar },
      };
    }),
  };
}
