import { z } from 'zod';
import type { Feature } from '../index.ts';
import type { JobRow } from '../../platform/jobs/registry.ts';
import { mountReferralRoutes } from './routes.tsx';
import { completeDueReferrals, handleOrderPaid, handleOrderReduced, issueWelcomeOnVerify, noteNewMember } from './service.ts';

const id = z.number().int().positive();

function payloadOf<T extends z.ZodType>(schema: T, job: JobRow): z.output<T> {
  const parsed = schema.safeParse(job.payload);
  // A malformed payload will never parse on a retry either: fail loudly so it shows in the admin jobs page.
  if (!parsed.success) throw new Error(`${job.kind}: unexpected payload: ${parsed.error.message}`);
  return parsed.data;
}

const userEvent = z.object({ userId: id });
const orderPaid = z.object({
  orderId: id,
  customerId: id,
  userId: id.nullable().optional(),
  currency: z.string().length(3),
  shippingMinor: z.number().int().min(0).default(0),
  taxMinor: z.number().int().min(0).default(0),
  totalMinor: z.number().int().min(0),
  placedAt: z.coerce.date().optional(),
  paidAt: z.coerce.date(),
});
const refundCreated = z.object({ orderId: id, refundedTotalMinor: z.number().int().min(0), full: z.boolean().default(false) });
const orderCancelled = z.object({ orderId: id });

/**
 * Refer a friend: member codes and links, the landing page, attaching new members, fraud checks and the
 * review queue, completion after the return window (see service.ts for the rules and the events).
 *
 * Listens to `user.registered` (who is new), `user.email_verified` (the friend's welcome code),
 * `order.paid`, `refund.created` and `order.cancelled` from commerce.
 */
export const referralsFeature: Feature = {
  name: 'referrals',
  mount: mountReferralRoutes,
  registerJobs(jobs) {
    jobs.subscribe('user.registered', 'referrals.noteNewMember', async (ctx, job) => {
      const { userId } = payloadOf(userEvent, job);
      // When the member joined is when the event happened, however late the job runs.
      const event = job.eventId === null ? undefined : await ctx.db.selectFrom('domain_events').select('occurred_at').where('id', '=', job.eventId).executeTakeFirst();
      await noteNewMember(ctx, userId, event?.occurred_at ?? new Date());
    });
    jobs.subscribe('user.email_verified', 'referrals.issueWelcomeOnVerify', async (ctx, job) => {
      await issueWelcomeOnVerify(ctx, payloadOf(userEvent, job).userId);
    });
    jobs.subscribe('order.paid', 'referrals.qualifyOnFirstOrder', async (ctx, job) => {
      const p = payloadOf(orderPaid, job);
      await handleOrderPaid(ctx, { ...p, userId: p.userId ?? null });
    });
    jobs.subscribe('refund.created', 'referrals.cancelOnRefund', async (ctx, job) => {
      const p = payloadOf(refundCreated, job);
      await handleOrderReduced(ctx, { orderId: p.orderId, refundedTotalMinor: p.refundedTotalMinor, full: p.full, why: 'refunded' });
    });
    jobs.subscribe('order.cancelled', 'referrals.cancelOnOrderCancelled', async (ctx, job) => {
      await handleOrderReduced(ctx, { orderId: payloadOf(orderCancelled, job).orderId, refundedTotalMinor: null, full: true, why: 'cancelled' });
    });
    jobs.define('referrals.completeDue', async (ctx) => {
      await completeDueReferrals(ctx);
    });
  },
  schedules: [{ name: 'referrals.completeDue', cron: '*/15 * * * *', jobKind: 'referrals.completeDue' }],
};
