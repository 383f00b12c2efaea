import { sql } from 'kysely';
import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import { publishEvents } from '../../platform/jobs/registry.ts';
import { accountForBuyer, ensureUserAccount, findUserAccountId } from './accounts.ts';
import { addPending, credit, debit, findEntry, lockAccount, openPendingFor, settlePending, type AccountRow, type LedgerResult, type Trx } from './ledger.ts';
import { loadProgramSettings, minorPerUnit, type ProgramSettings } from './settings.ts';
import { listTiers, reviewTier, tierMultiplierPct, upgradeTierIfQualified, upgradeTiersIfQualified } from './tiers.ts';

/**
 * Earning rules. Each rule reacts to one domain event (see feature.ts) and is idempotent: its entry is
 * keyed by the event's own id (order, reply, review…), so a redelivered event finds the entry and stops.
 * Points are multiplied by the member's tier, then held to the rule's daily and lifetime caps.
 */

export const ruleKeys = ['purchase', 'signup', 'birthday', 'social_follow', 'share', 'review', 'answer_accepted', 'story', 'idea_submitted', 'event_attended', 'referral'] as const;
export type RuleKey = (typeof ruleKeys)[number];

export const ruleInfo: Record<RuleKey, { label: string; howTo: string; event: string }> = {
  purchase: { label: 'Shopping', howTo: 'for every {unit} you spend', event: 'order.paid' },
  signup: { label: 'Joining', howTo: 'when you join and confirm your email', event: 'user.registered, user.email_verified' },
  birthday: { label: 'Your birthday', howTo: 'on your birthday each year', event: 'daily schedule' },
  social_follow: { label: 'Following us', howTo: 'for following us on each social network', event: 'POST /api/v1/loyalty/actions' },
  share: { label: 'Sharing', howTo: 'for sharing a link', event: 'POST /api/v1/loyalty/actions' },
  review: { label: 'Reviewing', howTo: 'for a published product review', event: 'review.published' },
  answer_accepted: { label: 'Helping', howTo: 'when your answer is accepted as the solution', event: 'answer.accepted' },
  story: { label: 'Sharing a story', howTo: 'for sharing a story in the community', event: 'topic.created (story)' },
  idea_submitted: { label: 'Ideas', howTo: 'for submitting an idea', event: 'idea.submitted' },
  event_attended: { label: 'Events', howTo: 'for attending an event', event: 'event.attended' },
  referral: { label: 'Referring a friend', howTo: 'when a friend you referred makes a first order', event: 'referral.completed' },
};

export const purchaseConfig = z.object({ includeShipping: z.boolean().default(false), includeTax: z.boolean().default(false) });
export const socialConfig = z.object({ networks: z.array(z.string().min(1).max(40)).default([]) });

export interface EarningRule {
  key: RuleKey;
  enabled: boolean;
  points: number;
  dailyCap: number | null;
  lifetimeCap: number | null;
  config: unknown;
}

export function isRuleKey(key: string): key is RuleKey {
  return (ruleKeys as readonly string[]).includes(key);
}

export async function listRules(db: Trx | AppContext['db']): Promise<EarningRule[]> {
  const rows = await db.selectFrom('loyalty_rules').selectAll().execute();
  const byKey = new Map(rows.map((r) => [r.key, r]));
  return ruleKeys.flatMap((key) => {
    const r = byKey.get(key);
    return r && isRuleKey(r.key) ? [{ key, enabled: r.enabled, points: r.points, dailyCap: r.daily_cap, lifetimeCap: r.lifetime_cap, config: r.config }] : [];
  });
}

export async function loadRule(db: Trx | AppContext['db'], key: RuleKey): Promise<EarningRule | null> {
  const r = await db.selectFrom('loyalty_rules').selectAll().where('key', '=', key).executeTakeFirst();
  return r ? { key, enabled: r.enabled, points: r.points, dailyCap: r.daily_cap, lifetimeCap: r.lifetime_cap, config: r.config } : null;
}

export function expiryFrom(settings: ProgramSettings, at: Date): Date | null {
  if (settings.expiryMonths === 0) return null;
  const d = new Date(at);
  d.setUTCMonth(d.getUTCMonth() + settings.expiryMonths);
  return d;
}

function startOfUtcDay(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
}

/** Points this rule already gave the account (earned or pending), since `since` or ever. */
async function awardedByRule(trx: Trx, accountId: number, key: RuleKey, since: Date | null): Promise<number> {
  let q = trx
    .selectFrom('loyalty_entries')
    .select(sql<string>`coalesce(sum(points), 0)`.as('total'))
    .where('account_id', '=', accountId)
    .where('rule_key', '=', key)
    .where('kind', 'in', ['earn', 'pending']);
  if (since) q = q.where('created_at', '>=', since);
  return Number((await q.executeTakeFirstOrThrow()).total);
}

export interface AwardOptions {
  source: string;
  externalId: string;
  basePoints: number;
  ref?: string | null;
  /** Keep the points pending until then (the return window). */
  pendingUntil?: Date | null;
  reason?: string | null;
}

/** Applies the tier multiplier and the caps, then earns (or records pending) on the locked account. */
export async function awardByRule(ctx: AppContext, trx: Trx, account: AccountRow, rule: EarningRule, settings: ProgramSettings, opts: AwardOptions, now = new Date()): Promise<LedgerResult | null> {
  const kind = opts.pendingUntil ? 'pending' : 'earn';
  const existing = await findEntry(trx, opts, kind);
  if (existing) return { entry: existing, replay: true };
  let points = Math.floor((opts.basePoints * (await tierMultiplierPct(trx, account.tier_id))) / 100);
  if (rule.dailyCap !== null) points = Math.min(points, rule.dailyCap - (await awardedByRule(trx, account.id, rule.key, startOfUtcDay(now))));
  if (rule.lifetimeCap !== null) points = Math.min(points, rule.lifetimeCap - (await awardedByRule(trx, account.id, rule.key, null)));
  if (points <= 0) return null;
  const meta = { source: opts.source, externalId: opts.externalId, ref: opts.ref ?? null, ruleKey: rule.key, reason: opts.reason ?? null };
  if (opts.pendingUntil) return addPending(ctx, trx, account, { ...meta, points, dueAt: opts.pendingUntil });
  return credit(ctx, trx, account, { ...meta, kind: 'earn', points, expiresAt: expiryFrom(settings, now) });
}

/** Awards a member for an action (sign-up, review, accepted answer…), once per `externalId`. */
export async function awardRuleToUser(ctx: AppContext, userId: number, key: RuleKey, externalId: string, opts: { ref?: string; now?: Date } = {}): Promise<LedgerResult | null> {
  return ctx.db.transaction().execute(async (trx) => {
    const settings = await loadProgramSettings(trx);
    const account = await lockAccount(trx, await ensureUserAccount(trx, userId));
    const rule = await loadRule(trx, key);
    if (!settings.enabled || !rule?.enabled) return null;
    const result = await awardByRule(ctx, trx, account, rule, settings, { source: `rule:${key}`, externalId, basePoints: rule.points, ref: opts.ref ?? null }, opts.now);
    if (result && !result.replay) await upgradeTierIfQualified(ctx, trx, account, settings, opts.now);
    return result;
  });
}

// ---------------------------------------------------------------------------------- accepted answers

/** Points a rule has given for one thing (e.g. `reply:42`) on an account, net of what was taken back. */
async function netForRef(trx: Trx, accountId: number, ref: string, key: RuleKey): Promise<number> {
  const row = await trx
    .selectFrom('loyalty_entries')
    .select(sql<string>`coalesce(sum(case when kind = 'clawback' then -points else points end), 0)`.as('net'))
    .where('account_id', '=', accountId)
    .where('ref', '=', ref)
    .where('rule_key', '=', key)
    .where('kind', 'in', ['earn', 'clawback'])
    .executeTakeFirstOrThrow();
  return Number(row.net);
}

/**
 * `answer.accepted`: the answerer earns, unless the answer is already credited; when the asker moved the
 * solution from another answer, that answer's points are taken back. Entries are keyed by the event, so a
 * redelivery changes nothing while accepting the same answer again later earns again.
 */
export async function awardAcceptedAnswer(ctx: AppContext, p: { replyId: number; answererId: number; askerId?: number | undefined; previousReplyId?: number | null | undefined }, eventKey: string): Promise<void> {
  if (p.previousReplyId && p.previousReplyId !== p.replyId) {
    const previousRef = `reply:${p.previousReplyId}`;
    await ctx.db.transaction().execute(async (trx) => {
      const earned = await trx.selectFrom('loyalty_entries').select('account_id').where('ref', '=', previousRef).where('rule_key', '=', 'answer_accepted').where('kind', '=', 'earn').executeTakeFirst();
      if (!earned) return;
      const account = await lockAccount(trx, earned.account_id);
      const net = await netForRef(trx, account.id, previousRef, 'answer_accepted');
      if (net <= 0) return;
      await debit(ctx, trx, account, { source: 'rule:answer_accepted', externalId: `${p.previousReplyId}:${eventKey}`, kind: 'clawback', points: net, allowDebt: true, ref: previousRef, ruleKey: 'answer_accepted', reason: 'answer no longer accepted' });
    });
  }
  // Accepting one's own answer earns nothing.
  if (p.askerId === p.answererId) return;
  const ref = `reply:${p.replyId}`;
  const accountId = await findUserAccountId(ctx.db, p.answererId);
  if (accountId !== null && (await ctx.db.transaction().execute((trx) => netForRef(trx, accountId, ref, 'answer_accepted'))) > 0) return;
  await awardRuleToUser(ctx, p.answererId, 'answer_accepted', `${p.replyId}:${eventKey}`, { ref });
}

// ------------------------------------------------------------------------------------------- orders

export const orderPaidPayload = z.object({
  orderId: z.number().int().positive(),
  customerId: z.number().int().positive(),
  userId: z.number().int().positive().nullable().optional(),
  currency: z.string().length(3),
  subtotalMinor: z.number().int().min(0),
  shippingMinor: z.number().int().min(0).default(0),
  taxMinor: z.number().int().min(0).default(0),
  discountMinor: z.number().int().min(0).default(0),
  totalMinor: z.number().int().min(0),
  placedAt: z.coerce.date().optional(),
  paidAt: z.coerce.date(),
});
export type OrderPaid = z.output<typeof orderPaidPayload>;

export const orderCancelledPayload = z.object({
  orderId: z.number().int().positive(),
  customerId: z.number().int().positive().optional(),
  userId: z.number().int().positive().nullable().optional(),
  cancelledAt: z.coerce.date().optional(),
});

export const refundCreatedPayload = z.object({
  refundId: z.number().int().positive(),
  orderId: z.number().int().positive(),
  customerId: z.number().int().positive().optional(),
  userId: z.number().int().positive().nullable().optional(),
  currency: z.string().length(3).optional(),
  amountMinor: z.number().int().min(0),
  orderTotalMinor: z.number().int().min(0),
  refundedTotalMinor: z.number().int().min(0),
  full: z.boolean().default(false),
  createdAt: z.coerce.date().optional(),
});
export type RefundCreated = z.output<typeof refundCreatedPayload>;

/**
 * The part of an order that earns: what the customer paid, less shipping and tax unless the rule counts
 * them. Worked from the total rather than subtotal minus discounts, because sources disagree on whether
 * a subtotal is before or after order discounts (Shopify's `subtotal_price` is after them).
 */
export function eligibleMinor(order: OrderPaid, rule: EarningRule): number {
  const config = purchaseConfig.safeParse(rule.config);
  const { includeShipping, includeTax } = config.success ? config.data : { includeShipping: false, includeTax: false };
  return Math.max(0, order.totalMinor - (includeShipping ? 0 : order.shippingMinor) - (includeTax ? 0 : order.taxMinor));
}

/** An order's points before the tier multiplier; null when it earns nothing (program or rule off, too old, cancelled). */
function orderBasePoints(settings: ProgramSettings, rule: EarningRule, order: OrderPaid, eligible: number, cancelled: boolean, now: Date): number | null {
  const tooOld = settings.maxOrderAgeDays > 0 && order.paidAt.getTime() < now.getTime() - settings.maxOrderAgeDays * 86_400_000;
  if (!settings.enabled || !rule.enabled || tooOld || cancelled) return null;
  return Math.floor((eligible * rule.points) / minorPerUnit(order.currency));
}

function returnWindowEnd(settings: ProgramSettings, order: OrderPaid): Date {
  return new Date(order.paidAt.getTime() + settings.returnWindowDays * 86_400_000);
}

/** `order.paid`: points per currency unit spent, pending for the return window. Once per order. */
export async function awardPointsForOrder(ctx: AppContext, order: OrderPaid, now = new Date()): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const accountId = await accountForBuyer(ctx, trx, { customerId: order.customerId, userId: order.userId ?? null });
    const account = await lockAccount(trx, accountId);
    const seen = await trx.selectFrom('loyalty_orders').select('order_id').where('order_id', '=', order.orderId).executeTakeFirst();
    if (seen) return;
    const cancelled = await trx.selectFrom('loyalty_cancelled_orders').select('order_id').where('order_id', '=', order.orderId).executeTakeFirst();
    const settings = await loadProgramSettings(trx);
    const rule = await loadRule(trx, 'purchase');
    const eligible = rule ? eligibleMinor(order, rule) : 0;
    let points = 0;
    const base = rule ? orderBasePoints(settings, rule, order, eligible, cancelled !== undefined, now) : null;
    if (rule && base !== null) {
      const pendingUntil = settings.returnWindowDays > 0 ? returnWindowEnd(settings, order) : null;
      const result = await awardByRule(ctx, trx, account, rule, settings, { source: 'order', externalId: String(order.orderId), basePoints: base, ref: `order:${order.orderId}`, pendingUntil }, now);
      points = result?.entry.points ?? 0;
    }
    await trx
      .insertInto('loyalty_orders')
      .values({ order_id: order.orderId, account_id: account.id, currency: order.currency, eligible_minor: eligible, total_minor: order.totalMinor, paid_at: order.paidAt, points_awarded: points, points_current: points })
      .execute();
    await upgradeTierIfQualified(ctx, trx, account, settings, now);
  });
}

/**
 * `order.paid` for many orders at once, as the job worker hands them over: the same entries, rows and
 * events as `awardPointsForOrder` for each, in a fixed number of statements for the whole batch. The
 * common case only (a store customer's own account, a program whose purchase rule has no caps, points
 * pending for a return window, one order per account); every other order, and any order whose account
 * moved while the batch was being read, goes through `awardPointsForOrder` after the batch commits.
 */
export async function awardPointsForOrders(ctx: AppContext, orders: OrderPaid[], now = new Date()): Promise<void> {
  const later: OrderPaid[] = [];
  await ctx.db.transaction().execute(async (trx) => {
    const settings = await loadProgramSettings(trx);
    const rule = await loadRule(trx, 'purchase');
    const batchable = settings.returnWindowDays > 0 && rule !== null && rule.dailyCap === null && rule.lifetimeCap === null;
    const byCustomer = new Map<number, OrderPaid>();
    const seenOrders = new Set<number>();
    for (const order of orders) {
      if (seenOrders.has(order.orderId)) continue;
      seenOrders.add(order.orderId);
      if (!batchable || (order.userId ?? null) !== null || byCustomer.has(order.customerId)) later.push(order);
      else byCustomer.set(order.customerId, order);
    }
    if (byCustomer.size === 0 || !rule) return;
    // Ascending, as every batch creates accounts, so two batches with new customers in common cannot deadlock.
    const customerIds = [...byCustomer.keys()].sort((a, b) => a - b);
    await sql`insert into loyalty_accounts (customer_id) select unnest(${customerIds}::bigint[]) on conflict (customer_id) do nothing`.execute(trx);
    const owners = await trx.selectFrom('loyalty_accounts').select(['id', 'customer_id', 'merged_into']).where(sql<boolean>`customer_id = any(${customerIds}::bigint[])`).execute();
    const accountOf = new Map<number, number>();
    for (const o of owners) if (o.customer_id !== null) accountOf.set(o.customer_id, o.merged_into ?? o.id);
    // Locked in id order, the order every writer takes several account locks in.
    const locked = await sql<AccountRow>`select * from loyalty_accounts where id = any(${[...new Set(accountOf.values())]}::bigint[]) order by id for update`.execute(trx);
    const accounts = new Map(locked.rows.map((a) => [a.id, a]));
    const orderIds = [...byCustomer.values()].map((o) => o.orderId);
    const [recorded, cancelled, entered, tiers] = await Promise.all([
      trx.selectFrom('loyalty_orders').select('order_id').where(sql<boolean>`order_id = any(${orderIds}::bigint[])`).execute(),
      trx.selectFrom('loyalty_cancelled_orders').select('order_id').where(sql<boolean>`order_id = any(${orderIds}::bigint[])`).execute(),
      trx.selectFrom('loyalty_entries').select('external_id').where('source', '=', 'order').where('kind', '=', 'pending').where(sql<boolean>`external_id = any(${orderIds.map(String)}::text[])`).execute(),
      listTiers(trx),
    ]);
    const done = new Set(recorded.map((r) => Number(r.order_id)));
    const isCancelled = new Set(cancelled.map((r) => Number(r.order_id)));
    const hasEntry = new Set(entered.map((r) => r.external_id));

    const awards: Array<{ order: OrderPaid; account: AccountRow; eligible: number; points: number; dueAt: Date }> = [];
    const perAccount = new Set<number>();
    for (const order of byCustomer.values()) {
      if (done.has(order.orderId)) continue;
      const account = accounts.get(accountOf.get(order.customerId) ?? 0);
      // Merged since it was read, or a second order of one account (a member's account is reached from
      // several customers): the single path, which sees the first one's points.
      if (!account || account.merged_into !== null || perAccount.has(account.id) || hasEntry.has(String(order.orderId))) {
        later.push(order);
        continue;
      }
      perAccount.add(account.id);
      const eligible = eligibleMinor(order, rule);
      const base = orderBasePoints(settings, rule, order, eligible, isCancelled.has(order.orderId), now);
      // The tier multiplier as `awardByRule` applies it.
      const multiplier = tiers.find((t) => t.id === account.tier_id)?.multiplierPct ?? 100;
      const points = base === null ? 0 : Math.floor((base * multiplier) / 100);
      awards.push({ order, account, eligible, points, dueAt: returnWindowEnd(settings, order) });
    }
    if (awards.length === 0) return;

    const earning = awards.filter((a) => a.points > 0);
    if (earning.length > 0) {
      const entries = await sql<{ id: number; external_id: string }>`
        insert into loyalty_entries (account_id, kind, source, external_id, ref, rule_key, points, delta_pending, due_at)
        select account_id, 'pending', 'order', external_id, 'order:' || external_id, 'purchase', points, points, due_at
        from unnest(${earning.map((a) => a.account.id)}::bigint[], ${earning.map((a) => String(a.order.orderId))}::text[], ${earning.map((a) => a.points)}::bigint[], ${earning.map((a) => a.dueAt.toISOString())}::timestamptz[])
          as t(account_id, external_id, points, due_at)
        returning id, external_id`.execute(trx);
      const entryOf = new Map(entries.rows.map((e) => [e.external_id, Number(e.id)]));
      const updated = await sql<{ id: number; balance: number; pending: number; debt: number; lifetime_earned: number }>`
        update loyalty_accounts a set pending = a.pending + t.points, updated_at = now()
        from unnest(${earning.map((a) => a.account.id)}::bigint[], ${earning.map((a) => a.points)}::bigint[]) as t(id, points)
        where a.id = t.id
        returning a.id, a.balance, a.pending, a.debt, a.lifetime_earned`.execute(trx);
      for (const u of updated.rows) {
        const account = accounts.get(Number(u.id));
        if (account) Object.assign(account, { balance: u.balance, pending: u.pending, debt: u.debt, lifetime_earned: u.lifetime_earned });
      }
      await sql`
        insert into loyalty_open_pending (entry_id, account_id, due_at)
        select * from unnest(${earning.map((a) => entryOf.get(String(a.order.orderId)) ?? 0)}::bigint[], ${earning.map((a) => a.account.id)}::bigint[], ${earning.map((a) => a.dueAt.toISOString())}::timestamptz[])`.execute(trx);
      await publishEvents(
        trx,
        ctx.jobs,
        earning.map(({ order, account, points }) => ({
          name: 'points.pending',
          payload: { accountId: account.id, userId: account.user_id, customerId: account.customer_id, entryId: entryOf.get(String(order.orderId)), kind: 'pending', points, ref: `order:${order.orderId}`, ruleKey: 'purchase', balance: account.balance },
        })),
      );
    }
    await sql`
      insert into loyalty_orders (order_id, account_id, currency, eligible_minor, total_minor, paid_at, points_awarded, points_current)
      select order_id, account_id, currency, eligible_minor, total_minor, paid_at, points, points
      from unnest(${awards.map((a) => a.order.orderId)}::bigint[], ${awards.map((a) => a.account.id)}::bigint[], ${awards.map((a) => a.order.currency)}::text[],
        ${awards.map((a) => a.eligible)}::bigint[], ${awards.map((a) => a.order.totalMinor)}::bigint[], ${awards.map((a) => a.order.paidAt.toISOString())}::timestamptz[], ${awards.map((a) => a.points)}::bigint[])
        as t(order_id, account_id, currency, eligible_minor, total_minor, paid_at, points)`.execute(trx);
    await upgradeTiersIfQualified(ctx, trx, awards.map((a) => a.account), settings, now, tiers);
  });
  for (const order of later) await awardPointsForOrder(ctx, order, now);
}

/**
 * Brings an order's points down to `target`: its pending entry is voided (and pending again for the
 * lower amount), or, once posted, the difference is taken back, as debt where it was already spent.
 */
async function reduceOrderPoints(ctx: AppContext, trx: Trx, orderId: number, target: number, key: { source: string; externalId: string }, refundedMinor: number | null): Promise<void> {
  const order = await trx.selectFrom('loyalty_orders').selectAll().where('order_id', '=', orderId).executeTakeFirst();
  if (!order) return;
  const account = await lockAccount(trx, order.account_id);
  const locked = await trx.selectFrom('loyalty_orders').selectAll().where('order_id', '=', orderId).forUpdate().executeTakeFirstOrThrow();
  // A merge moved the order between the read and the lock: fail, and the job's retry reads it afresh.
  if (locked.account_id !== account.id) throw new Error(`loyalty: order ${orderId} moved to another account; retrying`);
  const reduceBy = locked.points_current - Math.max(0, target);
  if (refundedMinor !== null && refundedMinor > locked.refunded_minor) {
    await trx.updateTable('loyalty_orders').set({ refunded_minor: refundedMinor }).where('order_id', '=', orderId).execute();
  }
  if (reduceBy <= 0) return;
  const ref = `order:${orderId}`;
  const pending = (await openPendingFor(trx, ref)).filter((p) => p.account_id === account.id);
  if (pending.length > 0) {
    for (const p of pending) await settlePending(ctx, trx, account, p, 'void', { reason: key.source === 'refund' ? `refund ${key.externalId}` : 'order cancelled' });
    const dueAt = pending[0]?.due_at ?? new Date();
    if (target > 0) await addPending(ctx, trx, account, { ...key, points: target, dueAt, ref, ruleKey: 'purchase', reason: 'order points after refund' });
  } else {
    await debit(ctx, trx, account, { ...key, kind: 'clawback', points: reduceBy, allowDebt: true, ref, ruleKey: 'purchase', reason: key.source === 'refund' ? 'refund' : 'order cancelled' });
  }
  await trx.updateTable('loyalty_orders').set({ points_current: Math.max(0, target) }).where('order_id', '=', orderId).execute();
}

/** `refund.created`: the order keeps points in proportion to what was not refunded. */
export async function takeBackPointsForRefund(ctx: AppContext, refund: RefundCreated, now = new Date()): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const key = { source: 'refund', externalId: String(refund.refundId) };
    if ((await findEntry(trx, key, 'clawback')) || (await findEntry(trx, key, 'pending'))) return;
    const order = await trx.selectFrom('loyalty_orders').select(['points_awarded', 'total_minor']).where('order_id', '=', refund.orderId).executeTakeFirst();
    if (!order) {
      // A refund implies a payment: a recent one whose order.paid is still being handled (by another
      // worker) is retried; an old one is of an order from before the program, which earned nothing here.
      const recent = (refund.createdAt ?? new Date()).getTime() > now.getTime() - 3600_000;
      if (recent) throw new Error(`loyalty: refund ${refund.refundId} of order ${refund.orderId} arrived before its payment; retrying`);
      ctx.log.info({ orderId: refund.orderId, refundId: refund.refundId }, 'loyalty: refund of an order that earned nothing here');
      return;
    }
    const total = refund.orderTotalMinor || order.total_minor;
    const kept = refund.full || total === 0 ? 0 : Math.max(0, total - refund.refundedTotalMinor) / total;
    await reduceOrderPoints(ctx, trx, refund.orderId, Math.floor(order.points_awarded * kept), key, refund.refundedTotalMinor);
  });
}

/**
 * `order.cancelled`: the order's points are voided or taken back entirely. The cancellation is remembered,
 * so a payment event handled after it (out of order, or a paid-then-cancelled order replayed) earns nothing.
 */
export async function takeBackPointsForCancellation(ctx: AppContext, orderId: number): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    await trx.insertInto('loyalty_cancelled_orders').values({ order_id: orderId }).onConflict((oc) => oc.column('order_id').doNothing()).execute();
    await reduceOrderPoints(ctx, trx, orderId, 0, { source: 'cancel', externalId: String(orderId) }, null);
  });
}

// ---------------------------------------------------------------------------------- scheduled work

const BATCH = 200;

/** Posts pending entries whose return window has closed. Returns how many were posted. */
export async function postDuePending(ctx: AppContext, now = new Date()): Promise<number> {
  let posted = 0;
  for (;;) {
    const due = await ctx.db.selectFrom('loyalty_open_pending').select(['entry_id', 'account_id']).where('due_at', '<=', now).orderBy('due_at').orderBy('entry_id').limit(BATCH).execute();
    if (due.length === 0) return posted;
    for (const d of due) {
      const done = await ctx.db.transaction().execute(async (trx) => {
        const settings = await loadProgramSettings(trx);
        const account = await lockAccount(trx, d.account_id);
        const pending = await trx.selectFrom('loyalty_entries').selectAll().where('id', '=', d.entry_id).executeTakeFirstOrThrow();
        const entry = await settlePending(ctx, trx, account, pending, 'post', { expiresAt: expiryFrom(settings, now) });
        if (entry) await upgradeTierIfQualified(ctx, trx, account, settings, now);
        return entry !== null;
      });
      if (done) posted++;
    }
    if (due.length < BATCH) return posted;
  }
}

/** Expires the remaining points of lots past their expiry date. Returns how many lots expired. */
export async function expireDueLots(ctx: AppContext, now = new Date()): Promise<number> {
  let expired = 0;
  for (;;) {
    const lots = await ctx.db.selectFrom('loyalty_lots').select(['id', 'account_id']).where('remaining', '>', 0).where('expires_at', '<=', now).orderBy('expires_at').orderBy('id').limit(BATCH).execute();
    if (lots.length === 0) return expired;
    for (const lot of lots) {
      await ctx.db.transaction().execute(async (trx) => {
        const account = await lockAccount(trx, lot.account_id);
        const current = await trx.selectFrom('loyalty_lots').select('remaining').where('id', '=', lot.id).executeTakeFirstOrThrow();
        if (current.remaining <= 0) return;
        await debit(ctx, trx, account, { source: 'lot', externalId: String(lot.id), kind: 'expire', points: current.remaining, allowDebt: false, lotId: lot.id, reason: 'expired' });
        expired++;
      });
    }
    if (lots.length < BATCH) return expired;
  }
}

/** Members whose birthday is today, set at least 30 days ago, get the birthday points once this year. */
export async function awardBirthdays(ctx: AppContext, now = new Date()): Promise<number> {
  const month = now.getUTCMonth() + 1;
  const day = now.getUTCDate();
  // 29 February birthdays are celebrated on 28 February in other years.
  const isLeap = new Date(Date.UTC(now.getUTCFullYear(), 1, 29)).getUTCMonth() === 1;
  const days = month === 2 && day === 28 && !isLeap ? [28, 29] : [day];
  const settledBefore = new Date(now.getTime() - 30 * 86_400_000);
  let awarded = 0;
  let afterId = 0;
  for (;;) {
    const rows = await ctx.db
      .selectFrom('loyalty_accounts')
      .select(['id', 'user_id'])
      .where('birthday_month', '=', month)
      .where('birthday_day', 'in', days)
      .where('birthday_set_at', '<=', settledBefore)
      .where('user_id', 'is not', null)
      .where('merged_into', 'is', null)
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(BATCH)
      .execute();
    for (const r of rows) {
      afterId = r.id;
      if (r.user_id === null) continue;
      const result = await awardRuleToUser(ctx, r.user_id, 'birthday', `${r.id}:${now.getUTCFullYear()}`, { now });
      if (result && !result.replay) awarded++;
    }
    if (rows.length < BATCH) return awarded;
  }
}

/** Reviews tiers that are due (period end plus grace): keeps, or moves down, each. */
export async function reviewDueTiers(ctx: AppContext, now = new Date()): Promise<number> {
  let changed = 0;
  const due = await ctx.db.selectFrom('loyalty_accounts').select('id').where('tier_review_at', '<=', now).orderBy('tier_review_at').limit(1000).execute();
  for (const d of due) {
    await ctx.db.transaction().execute(async (trx) => {
      const settings = await loadProgramSettings(trx);
      const account = await lockAccount(trx, d.id);
      if ((await reviewTier(ctx, trx, account, settings, now)) === 'changed') changed++;
    });
  }
  return changed;
}
