import { TestClient, type TestHearth } from '../../../test/helpers.ts';
import { publishEvent } from '../../platform/jobs/registry.ts';
import type { JobWorker } from '../../platform/jobs/worker.ts';
import { createSession } from '../accounts/sessions.ts';
import type { Role } from '../accounts/tables.ts';
import type { CurrentUser } from '../../platform/http/env.ts';

/** Test helpers for the loyalty tests: members with sessions, publishing events as other features do, a worker drain. */

let seq = 0;

export interface LoyaltyTestMember {
  id: number;
  user: CurrentUser;
  client: TestClient;
}

export async function makeMember(t: TestHearth, role: Role = 'member'): Promise<LoyaltyTestMember> {
  seq++;
  const username = `ly-${process.pid}-${seq}`;
  const email = `${username}@example.com`;
  const row = await t.ctx.db
    .insertInto('users')
    .values({ email, display_name: `Member ${seq}`, username, password_hash: null, role, email_verified_at: new Date(), notification_prefs: '{}' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const client = new TestClient(t.hearth);
  client.cookies.set('hearth_session', await createSession(t.ctx.db, row.id, {}));
  return { id: row.id, client, user: { id: row.id, email, displayName: `Member ${seq}`, username, role, emailVerified: true, avatarPath: null } };
}

export async function publish(t: TestHearth, name: string, payload: Record<string, unknown>): Promise<void> {
  await t.ctx.db.transaction().execute((trx) => publishEvent(trx, t.ctx.jobs, name, payload));
}

/** Runs due jobs until none is left. */
export async function drainJobs(worker: JobWorker): Promise<number> {
  let total = 0;
  for (let n = await worker.runDue(); n > 0; n = await worker.runDue()) total += n;
  return total;
}

let orderSeq = 1000;

export function nextOrderId(): number {
  return ++orderSeq;
}

/** An `order.paid` payload as commerce publishes it. */
export function orderPaid(input: { orderId?: number; customerId: number; userId: number | null; subtotalMinor: number; shippingMinor?: number; taxMinor?: number; discountMinor?: number; paidAt?: Date; currency?: string }) {
  const shipping = input.shippingMinor ?? 0;
  const tax = input.taxMinor ?? 0;
  const discount = input.discountMinor ?? 0;
  const paidAt = input.paidAt ?? new Date();
  return {
    orderId: input.orderId ?? nextOrderId(),
    customerId: input.customerId,
    userId: input.userId,
    currency: input.currency ?? 'GBP',
    subtotalMinor: input.subtotalMinor,
    shippingMinor: shipping,
    taxMinor: tax,
    discountMinor: discount,
    totalMinor: input.subtotalMinor - discount + shipping + tax,
    placedAt: paidAt.toISOString(),
    paidAt: paidAt.toISOString(),
  };
}
