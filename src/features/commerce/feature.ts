import type { Feature } from '../index.ts';
import { linkCustomersToMember } from './customers.ts';
import { mountCommerceRoutes } from './routes.tsx';
import { pruneCommerceRecords } from './service.ts';
import { processQueuedWebhooks } from './shopify.ts';
import { PROCESS_WEBHOOKS_JOB } from './webhook-inbox.ts';

const userIdOf = (payload: unknown): number | null =>
  payload && typeof payload === 'object' && 'userId' in payload && typeof payload.userId === 'number' ? payload.userId : null;

/**
 * The store's data: customers, products, orders and refunds, from Shopify webhooks
 * (`POST /webhooks/shopify`), the REST API (`/api/v1/orders`, `/refunds`, `/customers`, `/products`)
 * and CSV import (`hearth import`, Admin → Store → CSV import).
 *
 * Publishes, each in the transaction of its change and once per state change:
 * `customer.created`, `customer.updated` {customerId, userId, email}; `customer.linked`
 * {customerId, userId}; `order.created` {orderId, customerId, userId, currency, subtotalMinor,
 * shippingMinor, taxMinor, discountMinor, totalMinor, placedAt}; `order.paid` (the same and
 * paidAt); `order.fulfilled` {…, fulfilledAt}; `order.cancelled` {…, cancelledAt};
 * `refund.created` {refundId, orderId, customerId, userId, currency, amountMinor, orderTotalMinor,
 * refundedTotalMinor, full, createdAt}; `product.created`, `product.updated` {productId}.
 *
 * Webhook deliveries go through an inbox (webhook-inbox.ts): stored as `queued` before the answer, then
 * applied by the `commerce.processWebhooks` job, one transaction each, retried with backoff.
 *
 * Listens to `user.email_verified` and `user.email_changed` to link customers to members.
 */
export const commerceFeature: Feature = {
  name: 'commerce',
  mount: mountCommerceRoutes,
  registerJobs(jobs) {
    const link = async (ctx: Parameters<Parameters<typeof jobs.subscribe>[2]>[0], job: { payload: unknown }) => {
      const userId = userIdOf(job.payload);
      if (userId !== null) await linkCustomersToMember(ctx, userId);
    };
    jobs.subscribe('user.email_verified', 'commerce.linkCustomersOnEmailVerified', link);
    jobs.subscribe('user.email_changed', 'commerce.linkCustomersOnEmailChanged', link);
    // Applies the webhook inbox: woken by the deliveries it stores, and every minute for retries. A pass
    // stops after about a second so the worker's other jobs are not held up; the next wake-up goes on.
    jobs.define(PROCESS_WEBHOOKS_JOB, async (ctx) => {
      await processQueuedWebhooks(ctx, { budgetMs: 1000 });
    });
    jobs.define('commerce.pruneRecords', async (ctx) => {
      await pruneCommerceRecords(ctx);
    });
  },
  schedules: [
    { name: 'commerce.pruneRecords', cron: '17 3 * * *', jobKind: 'commerce.pruneRecords' },
    { name: PROCESS_WEBHOOKS_JOB, cron: '* * * * *', jobKind: PROCESS_WEBHOOKS_JOB },
  ],
};
