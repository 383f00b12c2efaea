import type { AppContext } from '../../platform/context.ts';
import { AppError } from '../../platform/http/errors.ts';
import { bookmarksInTopic } from './bookmarks.ts';
import { getReplyInTopic, quoteMarkdown, replyParents } from './edits.ts';
import { topicReactions, type ReactionSummary } from './reactions.ts';
import type { Reply, Topic, Viewer } from './service.ts';

/** What a topic page knows about engagement with its posts; the key null is the opening post. */
export interface TopicEngagement {
  reactions: (replyId: number | null) => ReactionSummary;
  bookmarks: Set<number | null>;
  /** Authors of the replies that replies on the page answer, by reply id. */
  parents: Map<number, { username: string; displayName: string }>;
}

/** What a topic page shows about engagement, loaded together for the page's posts. */
export async function loadTopicEngagement(ctx: AppContext, viewer: Viewer, topic: Topic, replies: Reply[]): Promise<TopicEngagement> {
  const replyToIds = replies.flatMap((r) => (r.replyToId === null ? [] : [r.replyToId]));
  const [reactions, bookmarks, parents] = await Promise.all([
    topicReactions(
      ctx,
      viewer,
      topic.id,
      replies.map((r) => r.id),
    ),
    bookmarksInTopic(ctx, viewer, topic.id),
    replyParents(ctx, topic.id, replyToIds),
  ]);
  return { reactions, bookmarks, parents };
}

export interface ReplyPrefill {
  body?: string;
  replyTo?: number;
  replyToName?: string;
}

/**
 * The reply box filled from the address: `?replyTo=ID` answers a reply, `?quote=ID` also quotes it. A
 * reply that is not in this topic, or not visible, is ignored rather than failing the page.
 */
export async function replyPrefill(ctx: AppContext, viewer: Viewer, topic: Topic, query: { replyTo?: number; quote?: number }): Promise<ReplyPrefill> {
  const id = query.quote ?? query.replyTo;
  if (!viewer || id === undefined) return {};
  try {
    const { topic: replyTopic, reply } = await getReplyInTopic(ctx, viewer, id);
    if (replyTopic.id !== topic.id) return {};
    return {
      replyTo: reply.id,
      replyToName: reply.authorUsername,
      body: query.quote !== undefined ? quoteMarkdown({ username: reply.authorUsername }, reply.bodyMarkdown) : undefined,
    };
  } catch (err) {
    if (err instanceof AppError && err.status === 404) return {};
    throw err;
  }
}
