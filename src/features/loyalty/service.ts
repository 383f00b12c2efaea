import { createHash, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import { recordAudit } from '../../platform/audit/index.ts';
import type { CurrentUser } from '../../platform/http/env.ts';
import { badRequest, notFound, unauthorized, validationFailed } from '../../platform/http/errors.ts';
import { decodeCursor, toPage, type Page } from '../../platform/http/pagination.ts';
import { getMemberContact } from '../accounts/members.ts';
import { requireAdmin, type Actor } from '../admin/service.ts';
import { ensureUserAccount, findUserAccountId } from './accounts.ts';
import { awardRuleToUser, isRuleKey, listRules, loadRule, purchaseConfig, ruleInfo, socialConfig, type EarningRule, type RuleKey } from './earning.ts';
import { credit, debit, lockAccount, type EntryRow, type LedgerResult } from './ledger.ts';
import { grantActive, listGrants, listRewards, type RewardRow } from './rewards.ts';
import { describeReward, isAccessKind, type RewardInput } from './reward-kinds.ts';
import { loyaltyRewardRuleKind } from './access-rule.ts';
import { findRewardProduct } from '../commerce/lookups.ts';
import { listSpaces } from '../community/service.ts';
import { addAccessRule, getSpaceForAdmin, listSpacesForAdmin } from '../community/space-admin.ts';
import { formatMoney, loadProgramSettings, minorPerUnit, pointsValueMinor, programSettingsSchema, saveProgramSettings, type ProgramSettings } from './settings.ts';
import { listTiers, qualifyingAmount, type Tier } from './tiers.ts';
import type { EntryKind } from './tables.ts';

/** What a member (or an admin looking at one) sees of a points account. */
export interface PointsSummary {
  accountId: number | null;
  programName: string;
  balance: number;
  balanceValueMinor: number;
  currency: string;
  pending: number;
  debt: number;
  lifetimeEarned: number;
  nextExpiry: { points: number; at: Date } | null;
  expiringSoon: number;
  tier: Tier | null;
  nextTier: Tier | null;
  tierProgress: { basis: 'spend' | 'points'; amount: number; needed: number | null };
  tierReviewAt: Date | null;
  birthday: { month: number; day: number } | null;
  canRedeem: boolean;
  redeemMinimumPoints: number;
}

export interface LedgerLine {
  id: number;
  kind: EntryKind;
  points: number;
  deltaAvailable: number;
  deltaPending: number;
  deltaDebt: number;
  description: string;
  ref: string | null;
  ruleKey: string | null;
  reason: string | null;
  dueAt: Date | null;
  createdAt: Date;
}

const EXPIRING_SOON_DAYS = 30;

const kindLabels: Record<EntryKind, string> = {
  earn: 'Earned',
  pending: 'Pending',
  post: 'Confirmed',
  void: 'Cancelled',
  spend: 'Redeemed',
  expire: 'Expired',
  clawback: 'Taken back',
  adjust: 'Adjustment',
  merge_out: 'Moved to your member account',
  merge_in: 'Moved from your store account',
  return: 'Code returned',
};

function describe(e: EntryRow): string {
  const what = e.rule_key && isRuleKey(e.rule_key) ? ruleInfo[e.rule_key].label : null;
  const ref = e.ref?.startsWith('order:') ? ` · order ${e.ref.slice(6)}` : '';
  return [kindLabels[e.kind], what ? `· ${what}` : '', ref, e.reason && e.kind !== 'earn' ? `· ${e.reason}` : ''].filter(Boolean).join(' ');
}

export function ledgerLine(e: EntryRow): LedgerLine {
  return {
    id: e.id,
    kind: e.kind,
    points: e.points,
    deltaAvailable: e.delta_available,
    deltaPending: e.delta_pending,
    deltaDebt: e.delta_debt,
    description: describe(e),
    ref: e.ref,
    ruleKey: e.rule_key,
    reason: e.reason,
    dueAt: e.due_at,
    createdAt: e.created_at,
  };
}

function requireMember(viewer: CurrentUser | null): CurrentUser {
  if (!viewer) throw unauthorized('Sign in to see your points.');
  return viewer;
}

async function summaryOf(ctx: AppContext, accountId: number | null, settings: ProgramSettings, now = new Date()): Promise<PointsSummary> {
  const tiers = await listTiers(ctx.db);
  const account = accountId === null ? undefined : await ctx.db.selectFrom('loyalty_accounts').selectAll().where('id', '=', accountId).executeTakeFirst();
  const empty = { balance: 0, pending: 0, debt: 0, lifetime_earned: 0, tier_id: null, tier_review_at: null, birthday_month: null, birthday_day: null };
  const a = account ?? empty;
  let nextExpiry: PointsSummary['nextExpiry'] = null;
  let expiringSoon = 0;
  let amount = 0;
  if (account) {
    const first = await ctx.db
      .selectFrom('loyalty_lots')
      .select(['expires_at', sql<string>`sum(remaining)`.as('points')])
      .where('account_id', '=', account.id)
      .where('remaining', '>', 0)
      .where('expires_at', 'is not', null)
      .groupBy('expires_at')
      .orderBy('expires_at')
      .limit(1)
      .executeTakeFirst();
    if (first?.expires_at) nextExpiry = { points: Number(first.points), at: first.expires_at };
    const soon = await ctx.db
      .selectFrom('loyalty_lots')
      .select(sql<string>`coalesce(sum(remaining), 0)`.as('points'))
      .where('account_id', '=', account.id)
      .where('remaining', '>', 0)
      .where('expires_at', '<=', new Date(now.getTime() + EXPIRING_SOON_DAYS * 86_400_000))
      .executeTakeFirstOrThrow();
    expiringSoon = Number(soon.points);
    const start = settings.tierPeriod === 'calendar' ? new Date(Date.UTC(now.getUTCFullYear(), 0, 1)) : new Date(new Date(now).setUTCMonth(now.getUTCMonth() - 12));
    amount = await qualifyingAmount(ctx.db, settings, account, start, null);
  }
  const tier = tiers.find((t) => t.id === a.tier_id) ?? null;
  const nextTier = tiers.find((t) => t.threshold > (tier?.threshold ?? -1) && t.threshold > amount) ?? null;
  return {
    accountId: account?.id ?? null,
    programName: settings.programName,
    balance: a.balance,
    balanceValueMinor: pointsValueMinor(settings, a.balance),
    currency: settings.currency,
    pending: a.pending,
    debt: a.debt,
    lifetimeEarned: a.lifetime_earned,
    nextExpiry,
    expiringSoon,
    tier,
    nextTier,
    tierProgress: { basis: settings.tierBasis, amount, needed: nextTier ? nextTier.threshold - amount : null },
    tierReviewAt: a.tier_review_at,
    birthday: a.birthday_month !== null && a.birthday_day !== null ? { month: a.birthday_month, day: a.birthday_day } : null,
    canRedeem: settings.enabled && a.balance >= settings.redeemMinimumPoints,
    redeemMinimumPoints: settings.redeemMinimumPoints,
  };
}

/** The summary of one account (null: none yet, all zeros), for the storefront widget. */
export async function pointsSummaryOfAccount(ctx: AppContext, accountId: number | null): Promise<PointsSummary> {
  return summaryOf(ctx, accountId, await loadProgramSettings(ctx.db));
}

export async function getMyPoints(ctx: AppContext, viewer: CurrentUser | null): Promise<PointsSummary> {
  const user = requireMember(viewer);
  return summaryOf(ctx, await findUserAccountId(ctx.db, user.id), await loadProgramSettings(ctx.db));
}

async function entriesPage(ctx: AppContext, accountId: number | null, opts: { cursor?: string; limit: number }): Promise<Page<LedgerLine>> {
  if (accountId === null) return { items: [], nextCursor: null };
  const before = decodeCursor(opts.cursor, 1)?.[0];
  if (before !== undefined && typeof before !== 'number') throw badRequest('The cursor is not valid; use the nextCursor of a previous page.', 'invalid_cursor');
  let q = ctx.db.selectFrom('loyalty_entries').selectAll().where('account_id', '=', accountId).orderBy('id', 'desc').limit(opts.limit + 1);
  if (before !== undefined) q = q.where('id', '<', before);
  const rows = await q.execute();
  const page = toPage(rows, opts.limit, (r) => [r.id]);
  return { items: page.items.map(ledgerLine), nextCursor: page.nextCursor };
}

export async function listMyEntries(ctx: AppContext, viewer: CurrentUser | null, opts: { cursor?: string; limit: number }): Promise<Page<LedgerLine>> {
  const user = requireMember(viewer);
  return entriesPage(ctx, await findUserAccountId(ctx.db, user.id), opts);
}

export const birthdayInput = z.object({ month: z.coerce.number().int().min(1).max(12), day: z.coerce.number().int().min(1).max(31) }).refine((b) => b.day <= ([31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][b.month - 1] ?? 31), { message: 'That day is not in that month.', path: ['day'] });

/**
 * Sets the member's birthday. Setting or changing it starts a 30-day wait before a birthday earns, so a
 * birthday cannot be moved to today to collect points.
 */
export async function setMyBirthday(ctx: AppContext, viewer: CurrentUser | null, input: z.output<typeof birthdayInput>): Promise<PointsSummary> {
  const user = requireMember(viewer);
  await ctx.db.transaction().execute(async (trx) => {
    const account = await lockAccount(trx, await ensureUserAccount(trx, user.id));
    if (account.birthday_month === input.month && account.birthday_day === input.day) return;
    await trx.updateTable('loyalty_accounts').set({ birthday_month: input.month, birthday_day: input.day, birthday_set_at: new Date(), updated_at: new Date() }).where('id', '=', account.id).execute();
  });
  return getMyPoints(ctx, user);
}

export const memberActionInput = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('social_follow'), network: z.string().trim().toLowerCase().min(1).max(40) }),
  z.object({ kind: z.literal('share'), url: z.url().max(2000) }),
]);

/**
 * A member says they followed the brand on a network (once per network) or shared a link (once per
 * link; the rule's daily cap limits the rest). Neither can be verified here, which is why both carry
 * caps and small amounts.
 */
export async function recordMemberAction(ctx: AppContext, viewer: CurrentUser | null, input: z.output<typeof memberActionInput>): Promise<{ awarded: number; replay: boolean }> {
  const user = requireMember(viewer);
  let result: LedgerResult | null;
  if (input.kind === 'social_follow') {
    const rule = await loadRule(ctx.db, 'social_follow');
    const networks = socialConfig.safeParse(rule?.config);
    const allowed = networks.success ? networks.data.networks.map((n) => n.toLowerCase()) : [];
    if (!allowed.includes(input.network)) throw validationFailed({ network: `Choose one of: ${allowed.join(', ') || 'none configured'}.` });
    result = await awardRuleToUser(ctx, user.id, 'social_follow', `${user.id}:${input.network}`);
  } else {
    const urlHash = createHash('sha256').update(input.url).digest('hex').slice(0, 32);
    result = await awardRuleToUser(ctx, user.id, 'share', `${user.id}:${urlHash}`);
  }
  return { awarded: result && !result.replay ? result.entry.points : 0, replay: result?.replay ?? false };
}

export interface WayToEarn {
  key: RuleKey;
  label: string;
  points: number;
  description: string;
}

export async function waysToEarn(ctx: AppContext): Promise<WayToEarn[]> {
  const [rules, settings] = await Promise.all([listRules(ctx.db), loadProgramSettings(ctx.db)]);
  return rules
    .filter((r) => r.enabled && r.points > 0)
    .map((r) => {
      const unit = formatMoney(minorPerUnit(settings.currency), settings.currency).replace(/[.,]00$/, '');
      let howTo = ruleInfo[r.key].howTo.replace('{unit}', unit);
      if (r.key === 'purchase') {
        const config = purchaseConfig.safeParse(r.config);
        const { includeShipping, includeTax } = config.success ? config.data : { includeShipping: false, includeTax: false };
        const excluded = [includeShipping ? null : 'shipping', includeTax ? null : 'tax'].filter(Boolean);
        if (excluded.length) howTo += ` (not counting ${excluded.join(' or ')})`;
      }
      return { key: r.key, label: ruleInfo[r.key].label, points: r.points, description: `${r.points} ${r.points === 1 ? 'point' : 'points'} ${howTo}` };
    });
}

export async function memberRewards(ctx: AppContext): Promise<RewardRow[]> {
  return listRewards(ctx.db, { enabledOnly: true });
}

// ------------------------------------------------------------------------------------------- admin

export async function adminGetSettings(ctx: AppContext, actor: Actor): Promise<ProgramSettings> {
  requireAdmin(actor);
  return loadProgramSettings(ctx.db);
}

export async function adminSaveSettings(ctx: AppContext, actor: Actor, input: unknown): Promise<ProgramSettings> {
  const { actorId } = requireAdmin(actor);
  const parsed = programSettingsSchema.safeParse(input);
  if (!parsed.success) throw validationFailed(Object.fromEntries(parsed.error.issues.map((i) => [i.path.join('.') || '_', i.message])));
  await ctx.db.transaction().execute(async (trx) => {
    const before = await loadProgramSettings(trx);
    await saveProgramSettings(trx, parsed.data, actorId);
    await recordAudit(trx, { actorId, action: 'loyalty.settings_changed', subject: 'loyalty:settings', detail: { before, after: parsed.data }, ip: actor.ip });
  });
  return parsed.data;
}

/** What the preview on the settings page shows: an order's points, and what points are worth. */
export function previewProgram(settings: ProgramSettings, purchase: Pick<EarningRule, 'points'>, orderMinor: number, points: number) {
  const orderPoints = Math.floor((orderMinor * purchase.points) / minorPerUnit(settings.currency));
  return {
    orderMinor,
    orderPoints,
    orderPointsValueMinor: pointsValueMinor(settings, orderPoints),
    points,
    pointsValueMinor: pointsValueMinor(settings, points),
    redeemable: points >= settings.redeemMinimumPoints,
    examples: [settings.redeemMinimumPoints, settings.redeemMinimumPoints + 100, settings.redeemMinimumPoints + 300].map((p) => ({ points: p, valueMinor: pointsValueMinor(settings, p) })),
  };
}

export const ruleUpdateInput = z.object({
  enabled: z.boolean(),
  points: z.number().int().min(0).max(1_000_000),
  dailyCap: z.number().int().min(1).max(10_000_000).nullable(),
  lifetimeCap: z.number().int().min(1).max(100_000_000).nullable(),
  config: z.record(z.string(), z.unknown()).optional(),
});

export async function adminListRules(ctx: AppContext, actor: Actor): Promise<EarningRule[]> {
  requireAdmin(actor);
  return listRules(ctx.db);
}

export async function adminUpdateRule(ctx: AppContext, actor: Actor, key: string, input: z.output<typeof ruleUpdateInput>): Promise<EarningRule> {
  const { actorId } = requireAdmin(actor);
  if (!isRuleKey(key)) throw notFound('No such earning rule.');
  const ruleKey = key;
  let config: unknown = input.config;
  if (config !== undefined) {
    const schema = ruleKey === 'purchase' ? purchaseConfig : ruleKey === 'social_follow' ? socialConfig : z.object({});
    const parsed = schema.safeParse(config);
    if (!parsed.success) throw validationFailed({ config: parsed.error.issues[0]?.message ?? 'Invalid configuration.' });
    config = parsed.data;
  }
  return ctx.db.transaction().execute(async (trx) => {
    const before = await loadRule(trx, ruleKey);
    if (!before) throw notFound('No such earning rule.');
    await trx
      .updateTable('loyalty_rules')
      .set({ enabled: input.enabled, points: input.points, daily_cap: input.dailyCap, lifetime_cap: input.lifetimeCap, config: JSON.stringify(config ?? before.config), updated_at: new Date() })
      .where('key', '=', ruleKey)
      .execute();
    const after = await loadRule(trx, ruleKey);
    await recordAudit(trx, { actorId, action: 'loyalty.rule_changed', subject: `loyalty_rule:${ruleKey}`, detail: { before, after }, ip: actor.ip });
    if (!after) throw notFound('No such earning rule.');
    return after;
  });
}

export const tierInput = z.object({
  name: z.string().trim().min(1).max(60),
  threshold: z.number().int().min(0).max(1_000_000_000_000),
  multiplierPct: z.number().int().min(100).max(1000).default(100),
  earlyAccess: z.boolean().default(false),
});

export async function adminListTiers(ctx: AppContext, actor: Actor): Promise<Tier[]> {
  requireAdmin(actor);
  return listTiers(ctx.db);
}

export async function adminSaveTier(ctx: AppContext, actor: Actor, id: number | null, input: z.output<typeof tierInput>): Promise<Tier> {
  const { actorId } = requireAdmin(actor);
  return ctx.db.transaction().execute(async (trx) => {
    const clash = await trx.selectFrom('loyalty_tiers').select('id').where((eb) => eb.or([eb('threshold', '=', input.threshold), eb(sql`lower(name)`, '=', input.name.toLowerCase())])).executeTakeFirst();
    if (clash && clash.id !== id) throw validationFailed({ name: 'Another tier has this name or threshold.' });
    const values = { name: input.name, threshold: input.threshold, multiplier_pct: input.multiplierPct, early_access: input.earlyAccess };
    const row =
      id === null
        ? await trx.insertInto('loyalty_tiers').values(values).returningAll().executeTakeFirstOrThrow()
        : await trx.updateTable('loyalty_tiers').set(values).where('id', '=', id).returningAll().executeTakeFirst();
    if (!row) throw notFound('No such tier.');
    await recordAudit(trx, { actorId, action: id === null ? 'loyalty.tier_created' : 'loyalty.tier_changed', subject: `loyalty_tier:${row.id}`, detail: values, ip: actor.ip });
    return { id: row.id, name: row.name, threshold: row.threshold, multiplierPct: row.multiplier_pct, earlyAccess: row.early_access };
  });
}

export async function adminDeleteTier(ctx: AppContext, actor: Actor, id: number): Promise<void> {
  const { actorId } = requireAdmin(actor);
  await ctx.db.transaction().execute(async (trx) => {
    const row = await trx.deleteFrom('loyalty_tiers').where('id', '=', id).returningAll().executeTakeFirst();
    if (!row) throw notFound('No such tier.');
    await recordAudit(trx, { actorId, action: 'loyalty.tier_deleted', subject: `loyalty_tier:${id}`, detail: { name: row.name, threshold: row.threshold }, ip: actor.ip });
  });
}

async function memberAccountId(ctx: AppContext, userId: number): Promise<number> {
  if (!(await getMemberContact(ctx, userId))) throw notFound('No such member.');
  return ctx.db.transaction().execute((trx) => ensureUserAccount(trx, userId));
}

export async function adminMemberPoints(ctx: AppContext, actor: Actor, userId: number, opts: { cursor?: string; limit: number }): Promise<{ summary: PointsSummary; entries: Page<LedgerLine> }> {
  requireAdmin(actor);
  const accountId = await memberAccountId(ctx, userId);
  const [summary, entries] = await Promise.all([summaryOf(ctx, accountId, await loadProgramSettings(ctx.db)), entriesPage(ctx, accountId, opts)]);
  return { summary, entries };
}

export const adjustmentInput = z.object({
  points: z.number().int().min(-10_000_000).max(10_000_000).refine((p) => p !== 0, 'Give a number of points other than zero.'),
  reason: z.string().trim().min(3).max(500),
});

/**
 * A correction by an administrator: a new entry with its reason, audited. Taking back more than is
 * available records the rest as debt rather than failing, so a correction is never silently lost.
 */
export async function adminAdjustPoints(ctx: AppContext, actor: Actor, userId: number, input: z.output<typeof adjustmentInput>): Promise<LedgerLine> {
  const { actorId } = requireAdmin(actor);
  const accountId = await memberAccountId(ctx, userId);
  return ctx.db.transaction().execute(async (trx) => {
    const settings = await loadProgramSettings(trx);
    const account = await lockAccount(trx, accountId);
    const key = { source: 'admin', externalId: randomUUID(), ref: `user:${userId}`, reason: input.reason, actorId };
    const { entry } =
      input.points > 0
        ? await credit(ctx, trx, account, { ...key, kind: 'adjust', points: input.points, expiresAt: settings.expiryMonths ? new Date(new Date().setUTCMonth(new Date().getUTCMonth() + settings.expiryMonths)) : null })
        : await debit(ctx, trx, account, { ...key, kind: 'adjust', points: -input.points, allowDebt: true });
    await recordAudit(trx, { actorId, action: 'loyalty.points_adjusted', subject: `user:${userId}`, detail: { points: input.points, reason: input.reason, entryId: entry.id, accountId }, ip: actor.ip });
    return ledgerLine(entry);
  });
}

export async function adminListRewards(ctx: AppContext, actor: Actor): Promise<RewardRow[]> {
  requireAdmin(actor);
  return listRewards(ctx.db, { enabledOnly: false });
}

/** Spaces an access reward can open: exclusive ones (their access rules are what admit a member). */
export async function adminRewardSpaces(ctx: AppContext, actor: Actor): Promise<Array<{ id: number; name: string; slug: string; visibility: string }>> {
  requireAdmin(actor);
  return (await listSpacesForAdmin(ctx, actor)).map((s) => ({ id: s.id, name: s.name, slug: s.slug, visibility: s.visibility }));
}

/** The columns a reward of this kind keeps; the rest are stored empty. */
async function rewardValues(ctx: AppContext, actor: Actor, id: number | null, input: RewardInput) {
  const k = input.kind;
  const values = {
    name: input.name,
    kind: k,
    enabled: input.enabled,
    points: input.points,
    value_minor: k === 'fixed' || k === 'incremental' ? (input.valueMinor ?? 0) : 0,
    min_points: k === 'incremental' ? input.minPoints : 0,
    max_points: k === 'incremental' ? input.maxPoints : null,
    code_valid_days: input.codeValidDays,
    percent_off: k === 'percentage' ? (input.percentOff ?? null) : null,
    min_order_minor: k === 'percentage' || k === 'free_shipping' || k === 'free_product' ? (input.minOrderMinor ?? null) : null,
    max_discount_minor: k === 'percentage' || k === 'free_shipping' ? (input.maxDiscountMinor ?? null) : null,
    product_id: null as number | null,
    variant_id: null as number | null,
    product_sku: null as string | null,
    product_title: null as string | null,
    space_id: k === 'space_access' || k === 'early_access' ? (input.spaceId ?? null) : null,
    access_days: k === 'space_access' || k === 'early_access' ? (input.accessDays ?? null) : null,
  };
  if (k === 'free_product') {
    const product = await findRewardProduct(ctx, { productId: input.productId, variantId: input.variantId, sku: input.sku || null });
    if (!product) {
      throw validationFailed(
        input.productId || input.variantId ? { productId: `No store product has id ${input.productId ?? ''}${input.variantId ? ` with variant ${input.variantId}` : ''}.` } : { sku: `No store product variant has the SKU “${input.sku ?? ''}”.` },
      );
    }
    Object.assign(values, { product_id: product.productId, variant_id: product.variantId, product_sku: product.sku, product_title: product.title });
  }
  if (values.space_id !== null) {
    const space = (await listSpacesForAdmin(ctx, actor)).find((s) => s.id === values.space_id);
    if (!space) throw validationFailed({ spaceId: 'There is no such space.' });
    if (space.visibility !== 'exclusive') throw validationFailed({ spaceId: `“${space.name}” is ${space.visibility}: only an exclusive space admits members by rule. Make it exclusive first (Admin → Spaces).` });
  }
  if (id !== null && values.space_id !== null) {
    // Grants already given name the reward, not the space: moving the reward would move their holders too.
    const before = await ctx.db.selectFrom('loyalty_rewards').select('space_id').where('id', '=', id).executeTakeFirst();
    const granted = await ctx.db.selectFrom('loyalty_access_grants').select('id').where('reward_id', '=', id).limit(1).executeTakeFirst();
    if (before && granted && before.space_id !== values.space_id) throw validationFailed({ spaceId: 'Members already hold access through this reward: add a new reward for another space.' });
  }
  return values;
}

export async function adminSaveReward(ctx: AppContext, actor: Actor, id: number | null, input: RewardInput): Promise<RewardRow> {
  const { actorId } = requireAdmin(actor);
  const values = await rewardValues(ctx, actor, id, input);
  const row = await ctx.db.transaction().execute(async (trx) => {
    if (id !== null) {
      const before = await trx.selectFrom('loyalty_rewards').select('kind').where('id', '=', id).executeTakeFirst();
      if (before && isAccessKind(before.kind) !== isAccessKind(values.kind)) throw validationFailed({ kind: 'A discount reward cannot become an access reward or the other way round: add a new reward.' });
    }
    const saved =
      id === null
        ? await trx.insertInto('loyalty_rewards').values(values).returningAll().executeTakeFirstOrThrow()
        : await trx.updateTable('loyalty_rewards').set(values).where('id', '=', id).returningAll().executeTakeFirst();
    if (!saved) throw notFound('No such reward.');
    await recordAudit(trx, { actorId, action: id === null ? 'loyalty.reward_created' : 'loyalty.reward_changed', subject: `loyalty_reward:${saved.id}`, detail: values, ip: actor.ip });
    return saved;
  });
  if (row.space_id !== null) await ensureRewardRule(ctx, actor, row.space_id, row.id);
  return row;
}

/** The space's rule admitting this reward's holders, added through the community's access rules once. */
async function ensureRewardRule(ctx: AppContext, actor: Actor, spaceId: number, rewardId: number): Promise<void> {
  const space = await getSpaceForAdmin(ctx, actor, spaceId);
  const has = space.rules.some((r) => r.kind === loyaltyRewardRuleKind && typeof r.config === 'object' && r.config !== null && 'rewardId' in r.config && r.config.rewardId === rewardId);
  if (!has) await addAccessRule(ctx, actor, spaceId, loyaltyRewardRuleKind, `#${rewardId}`);
}

/** A member's access grants with the space each opens, as far as the member may see it. */
export interface AccessGrantView {
  id: number;
  rewardName: string;
  earlyAccess: boolean;
  space: { id: number; name: string; url: string } | null;
  startsAt: Date;
  endsAt: Date | null;
  active: boolean;
}

export async function listMyAccess(ctx: AppContext, viewer: CurrentUser | null): Promise<AccessGrantView[]> {
  const user = requireMember(viewer);
  const grants = await listGrants(ctx.db, user.id);
  if (grants.length === 0) return [];
  const spaces = grants.some((g) => g.space_id !== null) ? await listSpaces(ctx, user) : [];
  const now = new Date();
  return grants.map((g) => {
    const space = spaces.find((s) => s.id === g.space_id);
    return { id: g.id, rewardName: g.reward_name, earlyAccess: g.early_access, space: space ? { id: space.id, name: space.name, url: space.url } : null, startsAt: g.starts_at, endsAt: g.ends_at, active: grantActive(g, now) };
  });
}

/** A reward as a member reads it: what it costs and gives, and whether it is a code or access. */
export interface RewardView {
  id: number;
  name: string;
  kind: RewardRow['kind'];
  points: number;
  minPoints: number;
  access: boolean;
  description: string;
}

export async function describeRewardsFor(ctx: AppContext, viewer: CurrentUser | null, rewards: RewardRow[]): Promise<RewardView[]> {
  const settings = await loadProgramSettings(ctx.db);
  const spaces = viewer && rewards.some((r) => r.space_id !== null) ? await listSpaces(ctx, viewer) : [];
  return rewards.map((r) => ({
    id: r.id,
    name: r.name,
    kind: r.kind,
    points: r.points,
    minPoints: r.kind === 'incremental' ? Math.max(r.min_points, settings.redeemMinimumPoints, r.points) : r.points,
    access: isAccessKind(r.kind),
    description: describeReward(r, settings.currency, { redeemMinimumPoints: settings.redeemMinimumPoints, spaceName: spaces.find((s) => s.id === r.space_id)?.name ?? null }),
  }));
}

/**
 * Whether a member has early access (drops, seasonal sales), through their tier or an early-access
 * reward whose window is open: for features that open windows early.
 */
export async function hasEarlyAccess(ctx: AppContext, userId: number, now = new Date()): Promise<boolean> {
  const row = await ctx.db
    .selectFrom('loyalty_accounts as a')
    .innerJoin('loyalty_tiers as t', 't.id', 'a.tier_id')
    .select('t.early_access')
    .where('a.user_id', '=', userId)
    .executeTakeFirst();
  if (row?.early_access) return true;
  const grant = await ctx.db
    .selectFrom('loyalty_access_grants')
    .select('id')
    .where('user_id', '=', userId)
    .where('early_access', '=', true)
    .where('starts_at', '<=', now)
    .where((eb) => eb.or([eb('ends_at', 'is', null), eb('ends_at', '>', now)]))
    .executeTakeFirst();
  return grant !== undefined;
}

function csvCell(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  // A leading = + - @ would be a formula in a spreadsheet; quote-prefix it.
  const safe = /^[=+\-@]/.test(text) && typeof value === 'string' ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** A member's whole ledger as CSV, oldest first, read in pages so a long history never loads at once. */
export async function* adminMemberLedgerCsv(ctx: AppContext, actor: Actor, userId: number): AsyncGenerator<string> {
  requireAdmin(actor);
  const accountId = await memberAccountId(ctx, userId);
  yield 'id,created_at,kind,points,available_change,pending_change,debt_change,source,external_id,ref,rule,reason,actor_id\n';
  let after = 0;
  for (;;) {
    const rows = await ctx.db.selectFrom('loyalty_entries').selectAll().where('account_id', '=', accountId).where('id', '>', after).orderBy('id').limit(1000).execute();
    for (const e of rows) {
      after = e.id;
      yield [e.id, e.created_at.toISOString(), e.kind, e.points, e.delta_available, e.delta_pending, e.delta_debt, e.source, e.external_id, e.ref, e.rule_key, e.reason, e.actor_id].map(csvCell).join(',') + '\n';
    }
    if (rows.length < 1000) return;
  }
}
