import type { AppContext } from '../../platform/context.ts';
import { forbidden, notFound } from '../../platform/http/errors.ts';
import { publishEvent } from '../../platform/jobs/registry.ts';
import * as engagementRepo from './engagement-repo.ts';
import { getReplyInTopic } from './edits.ts';
import { assertCanPost, getTopic, type Viewer } from './service.ts';
import { reactionKinds, type ReactionKind } from './tables.ts';

/**
 * Reactions: a like and a few emoji, at most one of each kind per member per post. Setting a reaction
 * states the wanted end state (on or off) rather than flipping it, so a double-submitted form or a
 * retried request lands where the member meant, and the unique constraint settles a race.
 */

export const reactionEmoji: Record<ReactionKind, { emoji: string; label: string }> = {
  like: { emoji: '👍', label: 'Like' },
  heart: { emoji: '❤️', label: 'Love' },
  tada: { emoji: '🎉', label: 'Celebrate' },
  smile: { emoji: '😄', label: 'Funny' },
  thinking: { emoji: '🤔', label: 'Thinking' },
};

export interface ReactionCount {
  kind: ReactionKind;
  count: number;
  /** Whether the viewer gave this one. */
  mine: boolean;
}

/** Every kind in a fixed order, so the bar does not jump around as counts change. */
export type ReactionSummary = ReactionCount[];

export interface PostTarget {
  topicId: number;
  /** null for the topic's opening post. */
  replyId: number | null;
}

function emptySummary(): ReactionSummary {
  return reactionKinds.map((kind) => ({ kind, count: 0, mine: false }));
}

function summarise(rows: engagementRepo.ReactionCountRow[]): Map<number | null, ReactionSummary> {
  const byPost = new Map<number | null, ReactionSummary>();
  for (const row of rows) {
    let summary = byPost.get(row.reply_id);
    if (!summary) {
      summary = emptySummary();
      byPost.set(row.reply_id, summary);
    }
    const entry = summary.find((s) => s.kind === row.kind);
    if (entry) {
      entry.count = row.n;
      entry.mine = row.mine;
    }
  }
  return byPost;
}

/** Reactions of a topic page: its opening post (key null) and the listed replies. */
export async function topicReactions(ctx: AppContext, viewer: Viewer, topicId: number, replyIds: number[]): Promise<(replyId: number | null) => ReactionSummary> {
  const rows = await engagementRepo.reactionCounts(ctx.db, topicId, replyIds, viewer?.id ?? null);
  const byPost = summarise(rows);
  return (replyId) => byPost.get(replyId) ?? emptySummary();
}

export async function postReactions(ctx: AppContext, viewer: Viewer, post: PostTarget): Promise<ReactionSummary> {
  const lookup = await topicReactions(ctx, viewer, post.topicId, post.replyId === null ? [] : [post.replyId]);
  return lookup(post.replyId);
}

/** A live post the viewer may see, with its author: a reply must belong to the topic named. */
async function resolvePost(ctx: AppContext, viewer: Viewer, post: PostTarget): Promise<{ spaceId: number; authorId: number }> {
  if (post.replyId === null) {
    const topic = await getTopic(ctx, viewer, post.topicId);
    return { spaceId: topic.space.id, authorId: topic.author.id };
  }
  const { topic, reply } = await getReplyInTopic(ctx, viewer, post.replyId);
  if (topic.id !== post.topicId) throw notFound('We could not find that reply.');
  return { spaceId: topic.space.id, authorId: reply.authorId };
}

/**
 * Turns one of the viewer's reactions on a post on or off. Publishes `reaction.added` or
 * `reaction.removed` (with the post's author, for reputation and notifications) only when something changed.
 */
export async function setReaction(ctx: AppContext, viewer: Viewer, post: PostTarget, kind: ReactionKind, on: boolean): Promise<ReactionSummary> {
  const actor = assertCanPost(viewer);
  const target = await resolvePost(ctx, actor, post);
  if (target.authorId === actor.id) throw forbidden('You cannot react to your own post.');
  await ctx.db.transaction().execute(async (trx) => {
    const changed = on ? await engagementRepo.insertReaction(trx, post, actor.id, kind, new Date()) : await engagementRepo.deleteReaction(trx, post, actor.id, kind);
    if (!changed) return;
    await publishEvent(
      trx,
      ctx.jobs,
      on ? 'reaction.added' : 'reaction.removed',
      { topicId: post.topicId, replyId: post.replyId, spaceId: target.spaceId, kind, userId: actor.id, postAuthorId: target.authorId },
      actor.id,
    );
  });
  return postReactions(ctx, actor, post);
}
