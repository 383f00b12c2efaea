import { createHmac, randomInt } from 'node:crypto';
import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import { recordAudit } from '../../platform/audit/index.ts';
import { hashToken, newToken } from '../../platform/crypto/tokens.ts';
import type { CurrentUser } from '../../platform/http/env.ts';
import { AppError, badRequest, conflict, notFound, unauthorized, validationFailed } from '../../platform/http/errors.ts';
import { decodeCursor, encodeCursor, type Page } from '../../platform/http/pagination.ts';
import { publishEvent } from '../../platform/jobs/registry.ts';
import { getMemberContact, getMemberContacts } from '../accounts/members.ts';
import { requireAdmin, type Actor } from '../admin/service.ts';
import { systemActor } from '../commerce/access.ts';
import { getCustomer, listCustomerOrders, listCustomers, normalizeEmail } from '../commerce/service.ts';
import { loadRule } from '../loyalty/earning.ts';
import type { Trx } from '../loyalty/ledger.ts';
import { adminUpdateRule } from '../loyalty/service.ts';
import { formatMoney } from '../loyalty/settings.ts';
import { findCodesByIds, issueGiftCode, programTerms } from '../loyalty/welcome.ts';
import * as repo from './repo.ts';
import type { ReferralRow } from './repo.ts';
import { loadReferralSettings, referralSettingsSchema, saveReferralSettings, type ReferralSettings } from './settings.ts';
import type { ReferralStatus } from './tables.ts';

/**
 * Refer a friend. Each member has a code and a link (`/invite/CODE`); a new member who followed the link (or
 * typed the code within the claim window) becomes the referral's friend and receives a welcome code. The
 * friend's first paid order decides the rest: under the minimum, the referral ends; at or over it, the
 * referral is qualified and completes when the return window closes unrefunded, when the referrer gets
 * store credit here and points through loyalty's `referral` rule (`referral.completed`).
 *
 * Fraud checks flag a referral; a flagged one waits in the review queue for an administrator:
 * - on attaching: the same mailbox as the referrer (after dropping +tags and Gmail dots), too many
 *   referrals from one network address, or by one referrer, within the configured windows;
 * - on the first order: the order's customer is the referrer's, has the referrer's mailbox or address,
 *   or the friend had bought before (not a new customer).
 *
 * Events, each in the transaction of its change and once per transition: `referral.created`,
 * `referral.flagged`, `referral.approved`, `referral.qualified`, `referral.completed`,
 * `referral.rejected`, `referral.cancelled`; all carry {referralId, referrerUserId, friendUserId}.
 */

export const flagKeys = ['same_email', 'same_customer', 'same_address', 'existing_customer', 'ip_limit', 'referrer_limit'] as const;
export type FlagKey = (typeof flagKeys)[number];

export const flagLabels: Record<FlagKey, string> = {
  same_email: 'Same mailbox as the referrer',
  same_customer: 'Order placed by the referrer’s store account',
  same_address: 'Same address as the referrer',
  existing_customer: 'Not a new customer',
  ip_limit: 'Too many referrals from one network address',
  referrer_limit: 'Too many referrals by this member',
};

export const statusLabels: Record<ReferralStatus, string> = {
  pending: 'Joined, no order yet',
  qualified: 'Ordered, waiting for the return window',
  review: 'Being checked',
  completed: 'Reward earned',
  rejected: 'Not eligible',
  cancelled: 'Ended',
};

const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export const REFERRAL_COOKIE = 'hearth_ref';
export const REFERRAL_COOKIE_DAYS = 30;
const DAY = 86_400_000;

export const referralCodeInput = z.object({
  code: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z0-9]{4,16}$/, 'A referral code is 4 to 16 letters and digits.'),
});

export const reviewInput = z.object({ reason: z.string().trim().min(3, 'Give a reason of at least 3 characters.').max(500) });

export const settingsInput = referralSettingsSchema.extend({
  referrerPoints: z.number().int().min(0).max(1_000_000).optional().describe('points the loyalty `referral` rule gives the referrer; 0 turns the rule off'),
});

// ------------------------------------------------------------------------------------------ shapes

export interface Person {
  id: number;
  displayName: string;
  username: string;
}

export interface ReferralView {
  id: number;
  status: ReferralStatus;
  statusLabel: string;
  via: 'link' | 'code';
  flags: FlagKey[];
  referrer: Person | null;
  friend: Person | null;
  orderId: number | null;
  orderMinor: number | null;
  currency: string | null;
  qualifiedAt: Date | null;
  completeAfter: Date | null;
  completedAt: Date | null;
  closedReason: string | null;
  reviewedAt: Date | null;
  createdAt: Date;
}

export interface ReferralProgram {
  enabled: boolean;
  code: string;
  link: string;
  shareText: string;
  currency: string;
  friendRewardMinor: number;
  referrerCreditMinor: number;
  referrerPoints: number;
  minimumOrderMinor: number;
  returnWindowDays: number;
  counts: Record<ReferralStatus, number>;
  /** The member's own referral, when a friend referred them. */
  referredBy: { referrer: Person | null; status: ReferralStatus; welcomeCode: { code: string; valueMinor: number; currency: string; expiresAt: Date; status: string } | null } | null;
  /** Whether the member may still enter a friend's code. */
  canClaim: boolean;
}

function flagsOf(row: ReferralRow): FlagKey[] {
  const raw: unknown = row.flags;
  return Array.isArray(raw) ? raw.filter((f): f is FlagKey => typeof f === 'string' && (flagKeys as readonly string[]).includes(f)) : [];
}

function personOf(contacts: Map<number, CurrentUser>, id: number): Person | null {
  const u = contacts.get(id);
  return u ? { id: u.id, displayName: u.displayName, username: u.username } : null;
}

async function viewsOf(ctx: AppContext, rows: ReferralRow[], opts: { withFlags: boolean }): Promise<ReferralView[]> {
  const contacts = new Map((await getMemberContacts(ctx, rows.flatMap((r) => [r.referrer_user_id, r.friend_user_id]))).map((m) => [m.user.id, m.user]));
  return rows.map((r) => ({
    id: r.id,
    status: r.status,
    statusLabel: statusLabels[r.status],
    via: r.via,
    flags: opts.withFlags ? flagsOf(r) : [],
    referrer: personOf(contacts, r.referrer_user_id),
    friend: personOf(contacts, r.friend_user_id),
    orderId: r.order_id,
    orderMinor: r.order_minor,
    currency: r.currency,
    qualifiedAt: r.qualified_at,
    completeAfter: r.complete_after,
    completedAt: r.completed_at,
    closedReason: r.closed_reason,
    reviewedAt: r.reviewed_at,
    createdAt: r.created_at,
  }));
}

function eventBase(r: ReferralRow) {
  return { referralId: r.id, referrerUserId: r.referrer_user_id, friendUserId: r.friend_user_id };
}

/** A keyed hash of a network address: comparable between referrals, useless to anyone reading the table. */
export function hashIp(ctx: AppContext, ip: string): string {
  return createHmac('sha256', ctx.config.sessionSecret).update(`referral-ip:${ip}`).digest('hex').slice(0, 32);
}

const unknownIp = (ip: string) => ip === 'unknown' || ip === '';

// ------------------------------------------------------------------------------------------ codes

function randomCode(): string {
  let s = '';
  for (let i = 0; i < 8; i++) s += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return s;
}

/** The member's referral code, created on first use. */
export async function ensureReferralCode(ctx: AppContext, userId: number): Promise<string> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const existing = await repo.findCodeOfUser(ctx.db, userId);
    if (existing) return existing;
    await repo.insertCode(ctx.db, userId, randomCode());
  }
  throw new Error(`referrals: no free code for member ${userId}`);
}

export function referralLink(ctx: AppContext, code: string): string {
  return `${ctx.config.publicUrl}/invite/${code}`;
}

// ------------------------------------------------------------------------------------------ landing

export interface Landing {
  code: string;
  referrer: Person;
  friendRewardMinor: number;
  minimumOrderMinor: number;
  currency: string;
  enabled: boolean;
}

/** What the landing page of a link shows; 404 for a code no member has. */
export async function getLanding(ctx: AppContext, rawCode: string): Promise<Landing> {
  const parsed = referralCodeInput.safeParse({ code: rawCode });
  const referrerId = parsed.success ? await repo.findReferrerByCode(ctx.db, parsed.data.code) : null;
  const referrer = referrerId === null ? null : await getMemberContact(ctx, referrerId);
  if (!parsed.success || !referrer) throw notFound('This referral link is not valid. Check it with the friend who sent it.');
  const [settings, terms] = await Promise.all([loadReferralSettings(ctx.db), programTerms(ctx.db)]);
  return {
    code: parsed.data.code,
    referrer: { id: referrer.user.id, displayName: referrer.user.displayName, username: referrer.user.username },
    friendRewardMinor: settings.friendRewardMinor,
    minimumOrderMinor: settings.minimumOrderMinor,
    currency: terms.currency,
    enabled: settings.enabled,
  };
}

/** Records a visit to a link; the returned token goes into the visitor's cookie. */
export async function recordClick(ctx: AppContext, landing: Landing, ip: string): Promise<string> {
  const token = newToken(24);
  await repo.insertClick(ctx.db, { referrerUserId: landing.referrer.id, tokenHash: hashToken(token), ipHash: hashIp(ctx, ip) });
  return token;
}

// ------------------------------------------------------------------------------------------ attaching

/** `user.registered`: the member is new, so a link they followed before joining may refer them. */
export async function noteNewMember(ctx: AppContext, userId: number, registeredAt: Date): Promise<void> {
  await repo.noteNewMember(ctx.db, userId, registeredAt);
}

interface AttachInput {
  friend: CurrentUser;
  referrerUserId: number;
  clickId: number | null;
  via: 'link' | 'code';
  ip: string;
}

/** Flags raised when a friend is attached: same mailbox, too many from one address or one referrer. */
async function attachFlags(ctx: AppContext, input: AttachInput, referrerEmail: string, settings: ReferralSettings, now: Date): Promise<FlagKey[]> {
  const flags: FlagKey[] = [];
  if (normalizeEmail(input.friend.email) === normalizeEmail(referrerEmail)) flags.push('same_email');
  if (!unknownIp(input.ip) && (await repo.countReferralsFromIp(ctx.db, hashIp(ctx, input.ip), new Date(now.getTime() - settings.ipWindowHours * 3600_000))) >= settings.maxPerIp) flags.push('ip_limit');
  if ((await repo.countReferralsBy(ctx.db, input.referrerUserId, new Date(now.getTime() - settings.referrerWindowDays * DAY))) >= settings.maxPerReferrer) flags.push('referrer_limit');
  return flags;
}

/** Issues the friend's welcome code once, for a referral in good standing of a confirmed member. */
async function issueWelcomeIfDue(ctx: AppContext, trx: Trx, r: ReferralRow, settings: ReferralSettings, friendConfirmed: boolean): Promise<ReferralRow> {
  if (r.welcome_code_id !== null || !friendConfirmed || settings.friendRewardMinor <= 0) return r;
  if (r.status !== 'pending' && r.status !== 'qualified') return r;
  const code = await issueGiftCode(ctx, trx, { userId: r.friend_user_id, valueMinor: settings.friendRewardMinor, validDays: settings.codeValidDays, reason: `referral:${r.id}:welcome` });
  return repo.updateReferral(trx, r.id, { welcome_code_id: code.id });
}

async function attach(ctx: AppContext, input: AttachInput, now = new Date()): Promise<ReferralRow> {
  const settings = await loadReferralSettings(ctx.db);
  if (!settings.enabled) throw conflict('The referral program is paused.', 'referrals_paused');
  if (input.referrerUserId === input.friend.id) throw badRequest('You cannot use your own referral code.', 'self_referral');
  const referrer = await getMemberContact(ctx, input.referrerUserId);
  if (!referrer) throw notFound('No member has that referral code.');
  if (await repo.findReferralOfFriend(ctx.db, input.friend.id)) throw conflict('You have already been referred by a friend.', 'already_referred');
  const joined = await repo.findNewMember(ctx.db, input.friend.id);
  if (!joined || joined.registered_at.getTime() < now.getTime() - settings.claimWindowDays * DAY) {
    throw conflict(`Referral codes are for new members, within ${settings.claimWindowDays} days of joining.`, 'not_a_new_member');
  }
  const flags = await attachFlags(ctx, input, referrer.user.email, settings, now);
  return ctx.db.transaction().execute(async (trx) => {
    const inserted = await repo.insertReferral(trx, {
      referrerUserId: input.referrerUserId,
      friendUserId: input.friend.id,
      clickId: input.clickId,
      via: input.via,
      ipHash: hashIp(ctx, input.ip),
      status: flags.length > 0 ? 'review' : 'pending',
      flags,
    });
    if (!inserted) throw conflict('You have already been referred by a friend.', 'already_referred');
    await publishEvent(trx, ctx.jobs, 'referral.created', { ...eventBase(inserted), via: input.via, status: inserted.status, flags }, input.friend.id);
    if (flags.length > 0) await publishEvent(trx, ctx.jobs, 'referral.flagged', { ...eventBase(inserted), flags, orderId: null });
    return issueWelcomeIfDue(ctx, trx, inserted, settings, input.friend.emailVerified);
  });
}

/**
 * A signed-in member arrives with the cookie of a link they followed: they become that referrer's friend
 * when they joined after following it. Returns whether to keep the cookie (the `user.registered`
 * handler has not run yet) or drop it.
 */
export async function attachFromClick(ctx: AppContext, friend: CurrentUser, token: string, ip: string, now = new Date()): Promise<'attached' | 'ignored' | 'retry'> {
  const click = await repo.findClick(ctx.db, hashToken(token));
  if (!click) return 'ignored';
  const joined = await repo.findNewMember(ctx.db, friend.id);
  if (!joined) return now.getTime() - click.created_at.getTime() < DAY ? 'retry' : 'ignored';
  // Joined before following the link: an existing member, not a referred friend. A minute of slack
  // covers clocks of different nodes.
  if (joined.registered_at.getTime() < click.created_at.getTime() - 60_000) return 'ignored';
  try {
    await attach(ctx, { friend, referrerUserId: click.referrer_user_id, clickId: click.id, via: 'link', ip }, now);
    return 'attached';
  } catch (err) {
    if (err instanceof AppError && err.status < 500) return 'ignored';
    throw err;
  }
}

/** A new member types a friend's code (another device than the link's, or a code read out loud). */
export async function claimReferralCode(ctx: AppContext, viewer: CurrentUser | null, rawCode: string, ip: string): Promise<ReferralView> {
  if (!viewer) throw unauthorized('Sign in to use a referral code.');
  const parsed = referralCodeInput.safeParse({ code: rawCode });
  if (!parsed.success) throw validationFailed({ code: parsed.error.issues[0]?.message ?? 'Not a referral code.' });
  const referrerId = await repo.findReferrerByCode(ctx.db, parsed.data.code);
  if (referrerId === null) throw validationFailed({ code: 'No member has that referral code.' });
  const row = await attach(ctx, { friend: viewer, referrerUserId: referrerId, clickId: null, via: 'code', ip });
  const [view] = await viewsOf(ctx, [row], { withFlags: false });
  if (!view) throw notFound();
  return view;
}

/** `user.email_verified`: a friend attached before confirming their address gets the welcome code now. */
export async function issueWelcomeOnVerify(ctx: AppContext, userId: number): Promise<void> {
  const member = await getMemberContact(ctx, userId);
  if (!member?.user.emailVerified) return;
  const settings = await loadReferralSettings(ctx.db);
  await ctx.db.transaction().execute(async (trx) => {
    const r = await repo.findReferralOfFriend(trx, userId, { forUpdate: true });
    if (r) await issueWelcomeIfDue(ctx, trx, r, settings, true);
  });
}

// ------------------------------------------------------------------------------------------ orders

export interface OrderPaid {
  orderId: number;
  customerId: number;
  userId: number | null;
  currency: string;
  shippingMinor: number;
  taxMinor: number;
  totalMinor: number;
  placedAt?: Date | undefined;
  paidAt: Date;
}

/** The part of an order the minimum is measured on: what was paid for goods, after discounts. */
export function qualifyingMinor(order: Pick<OrderPaid, 'totalMinor' | 'shippingMinor' | 'taxMinor'>): number {
  return Math.max(0, order.totalMinor - order.shippingMinor - order.taxMinor);
}

function addressKey(line: string, postcode: string): string | null {
  const key = `${line} ${postcode}`.toLowerCase().replace(/[^a-z0-9]/g, '');
  return line.trim() && key.length >= 6 ? key : null;
}

/** Flags raised by the first order: the referrer's own store account, mailbox or address; a returning customer. */
async function orderFlags(ctx: AppContext, r: ReferralRow, order: OrderPaid): Promise<FlagKey[]> {
  const flags = new Set<FlagKey>();
  const [referrer, friend] = await Promise.all([getMemberContact(ctx, r.referrer_user_id), getMemberContact(ctx, r.friend_user_id)]);
  const customer = await getCustomer(ctx, systemActor, order.customerId).catch((err: unknown) => {
    if (err instanceof AppError && err.status === 404) return null;
    throw err;
  });
  if (customer?.userId === r.referrer_user_id) flags.add('same_customer');
  const referrerEmail = referrer ? normalizeEmail(referrer.user.email) : null;
  if (referrerEmail && customer?.email && normalizeEmail(customer.email) === referrerEmail) flags.add('same_email');
  if (referrer && customer) {
    const mine = addressKey(customer.addressLine, customer.postcode);
    const theirs = (await listCustomers(ctx, systemActor, { email: referrer.user.email, limit: 20 })).items;
    if (mine && theirs.some((c) => c.id !== customer.id && addressKey(c.addressLine, c.postcode) === mine)) flags.add('same_address');
    // The referrer's mailbox found this store account (Gmail dots, +tags): the same mailbox, not a second account.
    if (theirs.some((c) => c.id === customer.id)) flags.add('same_email');
  }
  // Any earlier order of the friend's store accounts (this one's, or those with the friend's mailbox) means
  // the friend was already a customer.
  const customerIds = new Set<number>([order.customerId]);
  if (friend) for (const c of (await listCustomers(ctx, systemActor, { email: friend.user.email, limit: 20 })).items) customerIds.add(c.id);
  const placedAt = (order.placedAt ?? order.paidAt).getTime();
  for (const id of customerIds) {
    const orders = await listCustomerOrders(ctx, systemActor, id, 50);
    if (orders.some((o) => o.id !== order.orderId && o.cancelledAt === null && o.placedAt.getTime() < placedAt)) flags.add('existing_customer');
  }
  return [...flags];
}

/**
 * `order.paid`: the friend's first paid order decides the referral. Under the minimum (or in another
 * currency) it ends; otherwise it is qualified until the return window closes, or waits for review when a
 * check flags it. Only a referral without an order yet is touched, so a replay changes nothing.
 */
export async function handleOrderPaid(ctx: AppContext, order: OrderPaid): Promise<void> {
  if (order.userId === null) return;
  const current = await repo.findReferralOfFriend(ctx.db, order.userId);
  if (!current || current.order_id !== null || (current.status !== 'pending' && current.status !== 'review')) return;
  const [settings, terms] = await Promise.all([loadReferralSettings(ctx.db), programTerms(ctx.db)]);
  // A check an administrator already cleared (on approving the referral) does not send it back.
  const newFlags = (await orderFlags(ctx, current, order)).filter((f) => !flagsOf(current).includes(f));
  const amount = qualifyingMinor(order);
  await ctx.db.transaction().execute(async (trx) => {
    const r = await repo.findReferral(trx, current.id, { forUpdate: true });
    if (!r || r.order_id !== null || (r.status !== 'pending' && r.status !== 'review')) return;
    const orderFields = { order_id: order.orderId, order_minor: amount, currency: order.currency };
    if (order.currency !== terms.currency || amount < settings.minimumOrderMinor) {
      const reason = `The first order was under the minimum of ${formatMoney(settings.minimumOrderMinor, terms.currency)}.`;
      const closed = await repo.updateReferral(trx, r.id, { ...orderFields, status: 'cancelled', closed_reason: reason });
      await publishEvent(trx, ctx.jobs, 'referral.cancelled', { ...eventBase(closed), reason, orderId: order.orderId });
      return;
    }
    const flags = [...new Set([...flagsOf(r), ...newFlags])];
    const completeAfter = new Date(order.paidAt.getTime() + terms.returnWindowDays * DAY);
    const timing = { ...orderFields, qualified_at: new Date(), complete_after: completeAfter, flags };
    if (r.status === 'review' || newFlags.length > 0) {
      const held = await repo.updateReferral(trx, r.id, { ...timing, status: 'review' });
      if (newFlags.length > 0) await publishEvent(trx, ctx.jobs, 'referral.flagged', { ...eventBase(held), flags: newFlags, orderId: order.orderId });
      return;
    }
    const qualified = await repo.updateReferral(trx, r.id, { ...timing, status: 'qualified' });
    await publishEvent(trx, ctx.jobs, 'referral.qualified', { ...eventBase(qualified), orderId: order.orderId, orderMinor: amount, currency: order.currency, completeAfter: completeAfter.toISOString() });
  });
}

/**
 * `refund.created` and `order.cancelled` within the return window: the referral ends when what is left
 * of the order is under the minimum. A completed referral stays completed.
 */
export async function handleOrderReduced(ctx: AppContext, input: { orderId: number; refundedTotalMinor: number | null; full: boolean; why: 'refunded' | 'cancelled' }): Promise<void> {
  const settings = await loadReferralSettings(ctx.db);
  await ctx.db.transaction().execute(async (trx) => {
    const r = await repo.findReferralOfOrder(trx, input.orderId);
    if (!r || (r.status !== 'qualified' && r.status !== 'review')) return;
    const left = input.why === 'cancelled' || input.full ? 0 : Math.max(0, (r.order_minor ?? 0) - (input.refundedTotalMinor ?? 0));
    if (left >= settings.minimumOrderMinor) return;
    const reason = input.why === 'cancelled' ? 'The first order was cancelled.' : 'The first order was refunded within the return window.';
    const closed = await repo.updateReferral(trx, r.id, { status: 'cancelled', closed_reason: reason });
    await publishEvent(trx, ctx.jobs, 'referral.cancelled', { ...eventBase(closed), reason, orderId: input.orderId });
  });
}

// ------------------------------------------------------------------------------------------ completing

/**
 * Scheduled: qualified referrals whose return window has closed complete. The referrer's store credit is
 * issued here; their points come from loyalty's `referral` rule, which listens to `referral.completed`.
 */
export async function completeDueReferrals(ctx: AppContext, now = new Date()): Promise<number> {
  let completed = 0;
  for (;;) {
    const ids = await repo.dueForCompletion(ctx.db, now, 100);
    if (ids.length === 0) return completed;
    const settings = await loadReferralSettings(ctx.db);
    for (const id of ids) {
      const done = await ctx.db.transaction().execute(async (trx) => {
        const r = await repo.findReferral(trx, id, { forUpdate: true });
        if (!r || r.status !== 'qualified' || !r.complete_after || r.complete_after.getTime() > now.getTime()) return false;
        let creditCodeId: number | null = r.referrer_code_id;
        if (creditCodeId === null && settings.referrerCreditMinor > 0) {
          const code = await issueGiftCode(ctx, trx, { userId: r.referrer_user_id, valueMinor: settings.referrerCreditMinor, validDays: settings.codeValidDays, reason: `referral:${r.id}:credit` }, now);
          creditCodeId = code.id;
        }
        const row = await repo.updateReferral(trx, r.id, { status: 'completed', completed_at: now, ...(creditCodeId !== null ? { referrer_code_id: creditCodeId } : {}) });
        await publishEvent(trx, ctx.jobs, 'referral.completed', {
          ...eventBase(row),
          orderId: row.order_id,
          orderMinor: row.order_minor,
          currency: row.currency,
          referrerCreditMinor: creditCodeId !== null ? settings.referrerCreditMinor : 0,
          referrerCodeId: creditCodeId,
        });
        return true;
      });
      if (done) completed++;
    }
    if (ids.length < 100) return completed;
  }
}

// ------------------------------------------------------------------------------------------ members

function requireMember(viewer: CurrentUser | null): CurrentUser {
  if (!viewer) throw unauthorized('Sign in to refer friends.');
  return viewer;
}

const emptyCounts = (): Record<ReferralStatus, number> => ({ pending: 0, qualified: 0, review: 0, completed: 0, rejected: 0, cancelled: 0 });

export async function getMyProgram(ctx: AppContext, viewer: CurrentUser | null, now = new Date()): Promise<ReferralProgram> {
  const user = requireMember(viewer);
  const [code, settings, terms, rule, counts, own, joined] = await Promise.all([
    ensureReferralCode(ctx, user.id),
    loadReferralSettings(ctx.db),
    programTerms(ctx.db),
    loadRule(ctx.db, 'referral'),
    repo.countByStatus(ctx.db, { referrerUserId: user.id }),
    repo.findReferralOfFriend(ctx.db, user.id),
    repo.findNewMember(ctx.db, user.id),
  ]);
  let referredBy: ReferralProgram['referredBy'] = null;
  if (own) {
    const [view] = await viewsOf(ctx, [own], { withFlags: false });
    const [welcome] = own.welcome_code_id !== null ? await findCodesByIds(ctx.db, [own.welcome_code_id]) : [];
    referredBy = {
      referrer: view?.referrer ?? null,
      status: own.status,
      welcomeCode: welcome ? { code: welcome.code, valueMinor: welcome.value_minor, currency: welcome.currency, expiresAt: welcome.expires_at, status: welcome.status } : null,
    };
  }
  const friendReward = formatMoney(settings.friendRewardMinor, terms.currency);
  const link = referralLink(ctx, code);
  return {
    enabled: settings.enabled,
    code,
    link,
    shareText: settings.friendRewardMinor > 0 ? `Join me at ${ctx.site.siteName} and get ${friendReward} off your first order.` : `Join me at ${ctx.site.siteName}.`,
    currency: terms.currency,
    friendRewardMinor: settings.friendRewardMinor,
    referrerCreditMinor: settings.referrerCreditMinor,
    referrerPoints: rule?.enabled ? rule.points : 0,
    minimumOrderMinor: settings.minimumOrderMinor,
    returnWindowDays: terms.returnWindowDays,
    counts: { ...emptyCounts(), ...counts },
    referredBy,
    canClaim: settings.enabled && !own && joined !== undefined && joined.registered_at.getTime() >= now.getTime() - settings.claimWindowDays * DAY,
  };
}

function beforeOf(cursor: string | undefined): { createdText: string; id: number } | undefined {
  const values = decodeCursor(cursor, 2);
  if (!values) return undefined;
  const [createdText, id] = values;
  if (typeof createdText !== 'string' || typeof id !== 'number') throw badRequest('The cursor is not valid; use the nextCursor of a previous page.', 'invalid_cursor');
  return { createdText, id };
}

async function pageOf(ctx: AppContext, filter: { referrerUserId?: number; status?: ReferralStatus }, query: { cursor?: string; limit: number }, withFlags: boolean): Promise<Page<ReferralView>> {
  const rows = await repo.listReferrals(ctx.db, { ...filter, before: beforeOf(query.cursor) }, query.limit);
  const items = rows.slice(0, query.limit);
  const last = items.at(-1);
  return { items: await viewsOf(ctx, items, { withFlags }), nextCursor: rows.length > query.limit && last ? encodeCursor([last.created_text, last.id]) : null };
}

/** The friends a member referred, newest first; a member sees only their own. */
export async function listMyReferrals(ctx: AppContext, viewer: CurrentUser | null, query: { cursor?: string; limit: number }): Promise<Page<ReferralView>> {
  const user = requireMember(viewer);
  return pageOf(ctx, { referrerUserId: user.id }, query, false);
}

// ------------------------------------------------------------------------------------------ admin

export async function adminListReferrals(ctx: AppContext, actor: Actor, query: { status?: ReferralStatus; cursor?: string; limit: number }): Promise<Page<ReferralView>> {
  requireAdmin(actor);
  return pageOf(ctx, { status: query.status }, query, true);
}

export async function adminCounts(ctx: AppContext, actor: Actor): Promise<Record<ReferralStatus, number>> {
  requireAdmin(actor);
  return { ...emptyCounts(), ...(await repo.countByStatus(ctx.db, {})) };
}

export async function adminGetReferral(ctx: AppContext, actor: Actor, id: number): Promise<ReferralView> {
  requireAdmin(actor);
  const row = await repo.findReferral(ctx.db, id);
  if (!row) throw notFound('No such referral.');
  const [view] = await viewsOf(ctx, [row], { withFlags: true });
  if (!view) throw notFound('No such referral.');
  return view;
}

/**
 * Approves a referral waiting in review: without an order yet it goes back to waiting for one (and the
 * friend gets the welcome code held back); with a qualifying order it is qualified and completes when
 * its return window closes (at the next run, if that is already past). Audited.
 */
export async function approveReferral(ctx: AppContext, actor: Actor, id: number, input: z.output<typeof reviewInput>): Promise<ReferralView> {
  const { actorId } = requireAdmin(actor);
  const settings = await loadReferralSettings(ctx.db);
  const current = await repo.findReferral(ctx.db, id);
  if (!current) throw notFound('No such referral.');
  const friend = await getMemberContact(ctx, current.friend_user_id);
  await ctx.db.transaction().execute(async (trx) => {
    const r = await repo.findReferral(trx, id, { forUpdate: true });
    if (!r) throw notFound('No such referral.');
    if (r.status !== 'review') throw conflict(`Only a referral waiting for review can be approved; this one is ${r.status}.`, 'not_in_review');
    const status: ReferralStatus = r.order_id === null ? 'pending' : 'qualified';
    let row = await repo.updateReferral(trx, r.id, { status, reviewed_by: actorId, reviewed_at: new Date(), closed_reason: null });
    await recordAudit(trx, { actorId, action: 'referral.approved', subject: `referral:${r.id}`, detail: { reason: input.reason, flags: flagsOf(r), status }, ip: actor.ip });
    await publishEvent(trx, ctx.jobs, 'referral.approved', { ...eventBase(row), reason: input.reason, status }, actorId);
    if (status === 'qualified') {
      await publishEvent(trx, ctx.jobs, 'referral.qualified', { ...eventBase(row), orderId: row.order_id, orderMinor: row.order_minor, currency: row.currency, completeAfter: row.complete_after?.toISOString() ?? null }, actorId);
    }
    row = await issueWelcomeIfDue(ctx, trx, row, settings, friend?.user.emailVerified ?? false);
  });
  return adminGetReferral(ctx, actor, id);
}

/** Rejects a referral that has not completed: nobody is rewarded for it. Audited. */
export async function rejectReferral(ctx: AppContext, actor: Actor, id: number, input: z.output<typeof reviewInput>): Promise<ReferralView> {
  const { actorId } = requireAdmin(actor);
  await ctx.db.transaction().execute(async (trx) => {
    const r = await repo.findReferral(trx, id, { forUpdate: true });
    if (!r) throw notFound('No such referral.');
    if (r.status !== 'review' && r.status !== 'pending' && r.status !== 'qualified') throw conflict(`A referral that is ${r.status} cannot be rejected.`, 'not_rejectable');
    const row = await repo.updateReferral(trx, r.id, { status: 'rejected', closed_reason: input.reason, reviewed_by: actorId, reviewed_at: new Date() });
    await recordAudit(trx, { actorId, action: 'referral.rejected', subject: `referral:${r.id}`, detail: { reason: input.reason, flags: flagsOf(r), from: r.status }, ip: actor.ip });
    await publishEvent(trx, ctx.jobs, 'referral.rejected', { ...eventBase(row), reason: input.reason }, actorId);
  });
  return adminGetReferral(ctx, actor, id);
}

export type ReferralSettingsView = ReferralSettings & { referrerPoints: number; currency: string; returnWindowDays: number };

export async function adminGetSettings(ctx: AppContext, actor: Actor): Promise<ReferralSettingsView> {
  requireAdmin(actor);
  const [settings, rule, terms] = await Promise.all([loadReferralSettings(ctx.db), loadRule(ctx.db, 'referral'), programTerms(ctx.db)]);
  return { ...settings, referrerPoints: rule?.enabled ? rule.points : 0, currency: terms.currency, returnWindowDays: terms.returnWindowDays };
}

/**
 * Saves the program's settings (audited). The referrer's points are the loyalty `referral` rule's, changed
 * through loyalty so that its audit and caps stay in one place.
 */
export async function adminSaveSettings(ctx: AppContext, actor: Actor, input: z.output<typeof settingsInput>): Promise<ReferralSettingsView> {
  const { actorId } = requireAdmin(actor);
  const { referrerPoints, ...settings } = input;
  await ctx.db.transaction().execute(async (trx) => {
    const before = await loadReferralSettings(trx);
    await saveReferralSettings(trx, settings, actorId);
    await recordAudit(trx, { actorId, action: 'referral.settings_changed', subject: 'referral:settings', detail: { before, after: settings }, ip: actor.ip });
  });
  if (referrerPoints !== undefined) {
    const rule = await loadRule(ctx.db, 'referral');
    if (rule && (rule.points !== referrerPoints || rule.enabled !== referrerPoints > 0)) {
      await adminUpdateRule(ctx, actor, 'referral', { enabled: referrerPoints > 0, points: referrerPoints, dailyCap: rule.dailyCap, lifetimeCap: rule.lifetimeCap });
    }
  }
  return adminGetSettings(ctx, actor);
}
