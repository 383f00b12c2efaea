import { z } from 'zod';
import type { Feature } from '../index.ts';
import type { JobRow } from '../../platform/jobs/registry.ts';
import { getMemberContact } from '../accounts/members.ts';
import { registerLoyaltyRewardRule, registerLoyaltyTierRule } from './access-rule.ts';
import { linkCustomer } from './accounts.ts';
import {
  awardAcceptedAnswer,
  awardBirthdays,
  awardPointsForOrder,
  awardPointsForOrders,
  awardRuleToUser,
  expireDueLots,
  orderCancelledPayload,
  orderPaidPayload,
  postDuePending,
  refundCreatedPayload,
  reviewDueTiers,
  takeBackPointsForCancellation,
  takeBackPointsForRefund,
} from './earning.ts';
import { expireDueCodes } from './rewards.ts';
import { mountLoyaltyRoutes } from './routes.tsx';

registerLoyaltyTierRule();
registerLoyaltyRewardRule();

const id = z.number().int().positive();

function payloadOf<T extends z.ZodType>(schema: T, job: JobRow): z.output<T> {
  const parsed = schema.safeParse(job.payload);
  // A malformed payload will never parse on a retry either: fail loudly so it shows in the admin jobs page.
  if (!parsed.success) throw new Error(`${job.kind}: unexpected payload: ${parsed.error.message}`);
  return parsed.data;
}

const userEvent = z.object({ userId: id });
const customerLinked = z.object({ customerId: id, userId: id });
const customerCreated = z.object({ customerId: id, userId: id.nullable().optional() });
const answerAccepted = z.object({ replyId: id, answererId: id, askerId: id.optional(), topicId: id.optional(), previousReplyId: id.nullable().optional() });
const topicCreated = z.object({ topicId: id, authorId: id, kind: z.string().optional() });
const reviewPublished = z.object({ reviewId: id, userId: id });
const ideaSubmitted = z.object({ ideaId: id, userId: id });
const eventAttended = z.object({ eventId: id, userId: id });
const referralCompleted = z.object({ referralId: id, referrerUserId: id });

/**
 * Loyalty: a points ledger per member (or per store customer until linked), earning rules that react to
 * commerce, community and account events, tiers, rewards with discount codes, the member's points page
 * and the program's admin.
 *
 * Publishes one event per ledger entry, `{accountId, userId, customerId, entryId, kind, points, ref,
 * ruleKey, balance}`: `points.earned` (earned and available at once), `points.pending` (waiting for the
 * return window), `points.posted` (a pending entry became available), `points.voided`, `points.spent`,
 * `points.expired`, `points.clawed_back` (refund or cancellation), `points.adjusted` (an administrator),
 * `points.merged` (a store customer's account joined a member's) and `points.returned` (a code given back).
 * Also `tier.changed` `{accountId, userId, customerId, fromTierId, fromTier, toTierId, toTier, direction}`
 * `reward.code_used` `{codeId, accountId, kind, valueMinor, currency, usedRef}`, `reward.code_expired`
 * `{codeId, accountId, kind, points, valueMinor, currency, expiresAt}` (the points are not given back) and
 * `reward.access_granted` `{grantId, accountId, userId, rewardId, spaceId, earlyAccess, endsAt}`.
 */
export const loyaltyFeature: Feature = {
  name: 'loyalty',
  mount: mountLoyaltyRoutes,
  registerJobs(jobs) {
    jobs.subscribe('order.paid', 'loyalty.awardPointsForOrder', async (ctx, job) => {
      await awardPointsForOrder(ctx, payloadOf(orderPaidPayload, job));
    });
    jobs.defineBatch('loyalty.awardPointsForOrder', async (ctx, batch) => {
      await awardPointsForOrders(ctx, batch.map((job) => payloadOf(orderPaidPayload, job)));
    });
    jobs.subscribe('order.cancelled', 'loyalty.takeBackPointsForCancellation', async (ctx, job) => {
      await takeBackPointsForCancellation(ctx, payloadOf(orderCancelledPayload, job).orderId);
    });
    jobs.subscribe('refund.created', 'loyalty.takeBackPointsForRefund', async (ctx, job) => {
      await takeBackPointsForRefund(ctx, payloadOf(refundCreatedPayload, job));
    });
    jobs.subscribe('customer.created', 'loyalty.linkNewCustomer', async (ctx, job) => {
      const { customerId, userId } = payloadOf(customerCreated, job);
      if (userId) await ctx.db.transaction().execute((trx) => linkCustomer(ctx, trx, customerId, userId));
    });
    jobs.subscribe('customer.linked', 'loyalty.mergeLinkedCustomer', async (ctx, job) => {
      const { customerId, userId } = payloadOf(customerLinked, job);
      await ctx.db.transaction().execute((trx) => linkCustomer(ctx, trx, customerId, userId));
    });
    // Sign-up earns once the address is confirmed, so unconfirmed throwaway accounts farm nothing. A member
    // who registers already confirmed (single sign-on, an invitation) earns on registering; whichever
    // event comes second finds the entry.
    jobs.subscribe('user.registered', 'loyalty.awardSignup', async (ctx, job) => {
      const { userId } = payloadOf(userEvent, job);
      const member = await getMemberContact(ctx, userId);
      if (member?.user.emailVerified) await awardRuleToUser(ctx, userId, 'signup', String(userId));
    });
    jobs.subscribe('user.email_verified', 'loyalty.awardSignupOnVerify', async (ctx, job) => {
      const { userId } = payloadOf(userEvent, job);
      await awardRuleToUser(ctx, userId, 'signup', String(userId));
    });
    jobs.subscribe('answer.accepted', 'loyalty.awardAcceptedAnswer', async (ctx, job) => {
      await awardAcceptedAnswer(ctx, payloadOf(answerAccepted, job), `e${job.eventId ?? `j${job.id}`}`);
    });
    jobs.subscribe('topic.created', 'loyalty.awardStory', async (ctx, job) => {
      const p = payloadOf(topicCreated, job);
      if (p.kind === 'story') await awardRuleToUser(ctx, p.authorId, 'story', String(p.topicId), { ref: `topic:${p.topicId}` });
    });
    jobs.subscribe('review.published', 'loyalty.awardReview', async (ctx, job) => {
      const p = payloadOf(reviewPublished, job);
      await awardRuleToUser(ctx, p.userId, 'review', String(p.reviewId), { ref: `review:${p.reviewId}` });
    });
    jobs.subscribe('idea.submitted', 'loyalty.awardIdea', async (ctx, job) => {
      const p = payloadOf(ideaSubmitted, job);
      await awardRuleToUser(ctx, p.userId, 'idea_submitted', String(p.ideaId), { ref: `idea:${p.ideaId}` });
    });
    jobs.subscribe('event.attended', 'loyalty.awardEventAttendance', async (ctx, job) => {
      const p = payloadOf(eventAttended, job);
      await awardRuleToUser(ctx, p.userId, 'event_attended', `${p.eventId}:${p.userId}`, { ref: `event:${p.eventId}` });
    });
    jobs.subscribe('referral.completed', 'loyalty.awardReferral', async (ctx, job) => {
      const p = payloadOf(referralCompleted, job);
      await awardRuleToUser(ctx, p.referrerUserId, 'referral', String(p.referralId), { ref: `referral:${p.referralId}` });
    });
    jobs.define('loyalty.postDuePending', async (ctx) => {
      await postDuePending(ctx);
    });
    jobs.define('loyalty.expireLots', async (ctx) => {
      await expireDueLots(ctx);
    });
    jobs.define('loyalty.awardBirthdays', async (ctx) => {
      await awardBirthdays(ctx);
    });
    jobs.define('loyalty.reviewTiers', async (ctx) => {
      await reviewDueTiers(ctx);
    });
    jobs.define('loyalty.expireCodes', async (ctx) => {
      await expireDueCodes(ctx);
    });
  },
  schedules: [
    { name: 'loyalty.postDuePending', cron: '*/10 * * * *', jobKind: 'loyalty.postDuePending' },
    { name: 'loyalty.expireLots', cron: '20 * * * *', jobKind: 'loyalty.expireLots' },
    { name: 'loyalty.awardBirthdays', cron: '0 6 * * *', jobKind: 'loyalty.awardBirthdays' },
    { name: 'loyalty.reviewTiers', cron: '30 2 * * *', jobKind: 'loyalty.reviewTiers' },
    { name: 'loyalty.expireCodes', cron: '25 * * * *', jobKind: 'loyalty.expireCodes' },
  ],
};
