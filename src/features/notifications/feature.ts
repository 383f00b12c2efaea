import { z } from 'zod';
import type { Feature } from '../index.ts';
import type { JobRow } from '../../platform/jobs/registry.ts';
import { headerWidgets } from '../../web/layout.tsx';
import { sendDigests } from './digest.ts';
import { mountLiveRoutes } from './live.tsx';
import { mountNotificationRoutes } from './routes.tsx';
import { notifyAnswerAccepted, notifyReactionAdded, notifyReplyCreated, notifyTopicCreated, topicChannel } from './service.ts';
import { NotificationBell } from './views/bell.tsx';

headerWidgets.push(NotificationBell);

const id = z.number().int().positive();

// Event payloads as the community feature publishes them; unknown fields are ignored.
const topicCreated = z.object({ topicId: id, authorId: id });
const replyCreated = z.object({ replyId: id, topicId: id, authorId: id });
const answerAccepted = z.object({ replyId: id, answererId: id, acceptedById: id });
const reactionChanged = z.object({ topicId: id, replyId: id.nullable(), kind: z.string().max(40), userId: id, postAuthorId: id });
const digestSlot = z.object({ slot: z.string().optional() });

function payloadOf<T extends z.ZodType>(schema: T, job: JobRow): z.output<T> {
  const parsed = schema.safeParse(job.payload);
  // A malformed payload will never parse on a retry either: fail loudly so it shows in the admin jobs page.
  if (!parsed.success) throw new Error(`${job.kind}: unexpected payload: ${parsed.error.message}`);
  return parsed.data;
}

function slotOf(job: JobRow): Date {
  const { slot } = payloadOf(digestSlot, job);
  const at = slot ? new Date(slot) : new Date();
  return Number.isNaN(at.getTime()) ? new Date() : at;
}

/**
 * Follows, in-app notifications, notification and digest emails, and live updates over Server-Sent
 * Events. It reacts to the community's events (`topic.created`, `reply.created`, `answer.accepted`,
 * `reaction.added`, `reaction.removed`) and publishes none of its own.
 */
export const notificationsFeature: Feature = {
  name: 'notifications',
  mount(args) {
    mountNotificationRoutes(args);
    mountLiveRoutes(args);
  },
  registerJobs(jobs) {
    jobs.subscribe('topic.created', 'notifications.notifyTopicCreated', async (ctx, job) => {
      await notifyTopicCreated(ctx, payloadOf(topicCreated, job));
    });
    jobs.subscribe('reply.created', 'notifications.notifyReply', async (ctx, job) => {
      await notifyReplyCreated(ctx, payloadOf(replyCreated, job));
    });
    // Live updates go through their own job, so a slow or failing notification never holds them up.
    jobs.subscribe('reply.created', 'notifications.publishLiveReply', async (ctx, job) => {
      const { replyId, topicId } = payloadOf(replyCreated, job);
      await ctx.realtime.publish(topicChannel(topicId), { type: 'reply', data: { replyId, topicId } });
    });
    jobs.subscribe('answer.accepted', 'notifications.notifyAnswerAccepted', async (ctx, job) => {
      await notifyAnswerAccepted(ctx, payloadOf(answerAccepted, job));
    });
    jobs.subscribe('reaction.added', 'notifications.notifyReaction', async (ctx, job) => {
      await notifyReactionAdded(ctx, payloadOf(reactionChanged, job));
    });
    jobs.subscribe('reaction.added', 'notifications.publishLiveReactionAdded', async (ctx, job) => {
      const { topicId, replyId, kind } = payloadOf(reactionChanged, job);
      await ctx.realtime.publish(topicChannel(topicId), { type: 'reaction', data: { topicId, replyId, kind, change: 'added' } });
    });
    jobs.subscribe('reaction.removed', 'notifications.publishLiveReactionRemoved', async (ctx, job) => {
      const { topicId, replyId, kind } = payloadOf(reactionChanged, job);
      await ctx.realtime.publish(topicChannel(topicId), { type: 'reaction', data: { topicId, replyId, kind, change: 'removed' } });
    });
    jobs.define('notifications.sendDailyDigest', async (ctx, job) => {
      await sendDigests(ctx, 'daily', slotOf(job));
    });
    jobs.define('notifications.sendWeeklyDigest', async (ctx, job) => {
      await sendDigests(ctx, 'weekly', slotOf(job));
    });
  },
  schedules: [
    { name: 'notifications.dailyDigest', cron: '0 7 * * *', jobKind: 'notifications.sendDailyDigest' },
    { name: 'notifications.weeklyDigest', cron: '0 7 * * 1', jobKind: 'notifications.sendWeeklyDigest' },
  ],
};
