import { stream } from 'hono/streaming';
import { z } from 'zod';
import type { MountArgs } from '../index.ts';
import { clientIp } from '../../platform/http/client-ip.ts';
import type { HearthContext } from '../../platform/http/env.ts';
import { AppError, fromZodError, notFound } from '../../platform/http/errors.ts';
import { readFormBody } from '../../platform/http/body.ts';
import { redirectWithFlash } from '../../platform/http/flash.ts';
import { pageQuery, pageSchema } from '../../platform/http/pagination.ts';
import { renderPage } from '../../web/layout.tsx';
import { findMembersByUsernames, getMemberContact } from '../accounts/members.ts';
import type { Actor } from '../admin/service.ts';
import { AdminShell, renderAdminPage, withQuery } from '../admin/views/shell.tsx';
import { findUserAccountId } from './accounts.ts';
import { loadRule } from './earning.ts';
import { codeBenefit, consumeCode, listCodes, redeemReward, returnCode, validateCode, type CodeRow, type RewardRow } from './rewards.ts';
import { describeBenefit, describeReward, rewardInput } from './reward-kinds.ts';
import { mountWidgetRoutes } from './widget-routes.tsx';
import {
  actionResultSchema,
  adjustForm,
  birthdayForm,
  codeParams,
  codeSchema,
  codeValidationSchema,
  consumeBody,
  accessGrantSchema,
  validateQuery,
  idParams,
  ledgerLineSchema,
  okSchema,
  pointsSummarySchema,
  previewQuery,
  redeemBody,
  redeemForm,
  rewardForm,
  rewardSchema,
  ruleForm,
  ruleKeyParams,
  ruleSchema,
  settingsForm,
  settingsSchema,
  tierForm,
  tierSchema,
  userIdParams,
  wayToEarnSchema,
} from './schema.ts';
import {
  adjustmentInput,
  adminAdjustPoints,
  adminDeleteTier,
  adminGetSettings,
  adminListRewards,
  adminMemberLedgerCsv,
  adminListRules,
  adminListTiers,
  adminSaveReward,
  adminMemberPoints,
  adminSaveSettings,
  adminSaveTier,
  adminUpdateRule,
  birthdayInput,
  getMyPoints,
  listMyEntries,
  memberActionInput,
  memberRewards,
  previewProgram,
  recordMemberAction,
  ruleUpdateInput,
  setMyBirthday,
  adminRewardSpaces,
  describeRewardsFor,
  listMyAccess,
  type AccessGrantView,
  tierInput,
  waysToEarn,
  type LedgerLine,
  type PointsSummary,
} from './service.ts';
import { loadProgramSettings, minorPerUnit, programSettingsSchema, type ProgramSettings } from './settings.ts';
import { LoyaltyAdminPage, MemberLedgerPage, ProgramPreview, type RewardFormErrors } from './views/admin.tsx';
import { PointsPage } from './views/points-page.tsx';

function actorOf(c: HearthContext): Actor {
  return { user: c.get('user'), apiScopes: c.get('apiScopes'), ip: clientIp(c) };
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

const summaryJson = (s: PointsSummary): z.input<typeof pointsSummarySchema> => ({
  ...s,
  nextExpiry: s.nextExpiry ? { points: s.nextExpiry.points, at: s.nextExpiry.at.toISOString() } : null,
  tierReviewAt: iso(s.tierReviewAt),
});

const lineJson = (l: LedgerLine): z.input<typeof ledgerLineSchema> => ({ ...l, dueAt: iso(l.dueAt), createdAt: l.createdAt.toISOString() });

const rewardJson = (r: RewardRow, settings: ProgramSettings): z.input<typeof rewardSchema> => ({
  id: r.id,
  name: r.name,
  kind: r.kind,
  enabled: r.enabled,
  points: r.points,
  valueMinor: r.value_minor,
  minPoints: r.min_points,
  maxPoints: r.max_points,
  codeValidDays: r.code_valid_days,
  percentOff: r.percent_off,
  minOrderMinor: r.min_order_minor,
  maxDiscountMinor: r.max_discount_minor,
  product: r.product_id === null ? null : { productId: r.product_id, variantId: r.variant_id, sku: r.product_sku, title: r.product_title },
  spaceId: r.space_id,
  accessDays: r.access_days,
  description: describeReward(r, settings.currency, { redeemMinimumPoints: settings.redeemMinimumPoints }),
});

const codeJson = (c: CodeRow): z.input<typeof codeSchema> => ({
  id: c.id,
  code: c.code,
  kind: c.kind,
  points: c.points,
  valueMinor: c.value_minor,
  percentOff: c.percent_off,
  minOrderMinor: c.min_order_minor,
  maxDiscountMinor: c.max_discount_minor,
  product: c.product_id === null ? null : { productId: c.product_id, variantId: c.variant_id, sku: c.product_sku, title: c.product_title },
  description: describeBenefit(codeBenefit(c), c.currency),
  currency: c.currency,
  status: c.status,
  expiresAt: c.expires_at.toISOString(),
  expiredAt: iso(c.expired_at),
  usedAt: iso(c.used_at),
});

const grantJson = (g: AccessGrantView): z.input<typeof accessGrantSchema> => ({ ...g, startsAt: g.startsAt.toISOString(), endsAt: iso(g.endsAt) });

/** Pages send a visitor who is not signed in to sign in and back, rather than a 401 page. */
function signedInPage(handler: (c: HearthContext) => Promise<Response>) {
  return async (c: HearthContext): Promise<Response> => {
    try {
      return await handler(c);
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 401) throw err;
      const url = new URL(c.req.url);
      const next = c.req.method === 'GET' ? url.pathname + url.search : '/points';
      return c.redirect(`/login?next=${encodeURIComponent(next)}`, 303);
    }
  };
}

function parseOr400<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw fromZodError(parsed.error);
  return parsed.data;
}

function flashError(err: unknown): string {
  if (err instanceof AppError && err.status < 500) return err.fields ? Object.values(err.fields).join(' ') : err.message;
  throw err;
}

export function mountLoyaltyRoutes({ app, api, ctx }: MountArgs): void {
  // ------------------------------------------------------------------------------- member pages

  app.get(
    '/points',
    signedInPage(async (c) => {
      const viewer = c.get('user');
      const query = parseOr400(pageQuery, { cursor: c.req.query('cursor'), limit: 20 });
      const summary = await getMyPoints(ctx, viewer);
      const [entries, ways, rewardRows, codes, access] = await Promise.all([
        listMyEntries(ctx, viewer, query),
        waysToEarn(ctx),
        memberRewards(ctx),
        summary.accountId ? listCodes(ctx.db, summary.accountId) : Promise.resolve([]),
        listMyAccess(ctx, viewer),
      ]);
      const rewards = await describeRewardsFor(ctx, viewer, rewardRows);
      c.header('Cache-Control', 'private, no-store');
      return renderPage(
        c,
        { title: summary.programName, noindex: true },
        <PointsPage c={c} summary={summary} entries={entries} nextHref={entries.nextCursor ? withQuery(c, { cursor: entries.nextCursor }) : null} ways={ways} rewards={rewards} codes={codes} access={access} />,
      );
    }),
  );

  app.post(
    '/points/birthday',
    signedInPage(async (c) => {
      const form = parseOr400(birthdayForm, await readFormBody(c));
      const parsed = birthdayInput.safeParse(form);
      if (!parsed.success) return redirectWithFlash(c, '/points', 'error', 'That is not a date: check the month and day.');
      await setMyBirthday(ctx, c.get('user'), parsed.data);
      return redirectWithFlash(c, '/points', 'success', 'Birthday saved.');
    }),
  );

  app.post(
    '/points/redeem',
    signedInPage(async (c) => {
      const viewer = c.get('user');
      if (!viewer) throw new AppError('unauthorized', 401, 'Sign in to redeem points.');
      const form = parseOr400(redeemForm, await readFormBody(c));
      try {
        const redemption = await redeemReward(ctx, viewer.id, { rewardId: form.rewardId, points: form.points });
        if (redemption.grant) {
          const until = redemption.grant.ends_at ? ` until ${redemption.grant.ends_at.toISOString().slice(0, 10)}` : '';
          return redirectWithFlash(c, '/points', 'success', `${redemption.grant.reward_name}: your access is open now${until}.`);
        }
        return redirectWithFlash(c, '/points', 'success', `Your code is ${redemption.code.code} (${describeBenefit(codeBenefit(redemption.code), redemption.code.currency)}). Use it at checkout.`);
      } catch (err) {
        return redirectWithFlash(c, '/points', 'error', flashError(err));
      }
    }),
  );

  app.post(
    '/points/codes/:id/return',
    signedInPage(async (c) => {
      const viewer = c.get('user');
      if (!viewer) throw new AppError('unauthorized', 401, 'Sign in to return a code.');
      const { id } = parseOr400(idParams, c.req.param());
      try {
        const code = await returnCode(ctx, viewer.id, id);
        return redirectWithFlash(c, '/points', 'success', `${code.points} points are back in your account.`);
      } catch (err) {
        return redirectWithFlash(c, '/points', 'error', flashError(err));
      }
    }),
  );

  // -------------------------------------------------------------------------------- admin pages

  async function renderAdmin(c: HearthContext, status: 200 | 400 = 200, errors?: Record<string, string>, message?: string, rewardErrors?: RewardFormErrors) {
    const actor = actorOf(c);
    const [settings, rules, tiers, rewards, spaces] = await Promise.all([adminGetSettings(ctx, actor), adminListRules(ctx, actor), adminListTiers(ctx, actor), adminListRewards(ctx, actor), adminRewardSpaces(ctx, actor)]);
    const purchase = rules.find((r) => r.key === 'purchase') ?? { points: 0 };
    const preview = previewProgram(settings, purchase, 40 * minorPerUnit(settings.currency), settings.redeemMinimumPoints);
    // Not renderAdminPage: this page loads htmx for the live preview.
    return renderPage(
      c,
      { title: 'Loyalty · Admin', noindex: true, section: 'admin', htmx: true },
      <AdminShell active="loyalty">
        <LoyaltyAdminPage c={c} settings={settings} rules={rules} tiers={tiers} rewards={rewards} spaces={spaces} preview={preview} errors={errors} rewardErrors={rewardErrors} message={message} />
      </AdminShell>,
      status,
    );
  }

  app.get('/admin/loyalty', (c) => renderAdmin(c));

  app.get('/admin/loyalty/preview', async (c) => {
    const settings = await adminGetSettings(ctx, actorOf(c));
    const q = parseOr400(previewQuery, c.req.query());
    const draft = programSettingsSchema.safeParse({ ...settings, ...Object.fromEntries(Object.entries({ redeemStepPoints: q.redeemStepPoints, redeemStepValueMinor: q.redeemStepValueMinor, redeemMinimumPoints: q.redeemMinimumPoints, currency: q.currency?.toUpperCase() }).filter(([, v]) => v !== undefined)) });
    const used = draft.success ? draft.data : settings;
    const purchase = (await loadRule(ctx.db, 'purchase')) ?? { points: 0 };
    c.header('Cache-Control', 'private, no-store');
    return c.html(<ProgramPreview preview={previewProgram(used, purchase, Math.round(q.orderMajor * minorPerUnit(used.currency)), q.points ?? used.redeemMinimumPoints)} currency={used.currency} />);
  });

  app.post('/admin/loyalty/settings', async (c) => {
    const parsed = settingsForm.safeParse(await readFormBody(c));
    if (!parsed.success) return renderAdmin(c, 400, fromZodError(parsed.error).fields, 'Please correct the highlighted fields.');
    await adminSaveSettings(ctx, actorOf(c), parsed.data);
    return redirectWithFlash(c, '/admin/loyalty', 'success', 'Program settings saved.');
  });

  app.post('/admin/loyalty/rules/:key', async (c) => {
    const { key } = parseOr400(ruleKeyParams, c.req.param());
    const form = parseOr400(ruleForm, await readFormBody(c));
    const config =
      key === 'purchase'
        ? { includeShipping: form.includeShipping ?? false, includeTax: form.includeTax ?? false }
        : key === 'social_follow' && form.networks !== undefined
          ? { networks: form.networks.split(',').map((n) => n.trim().toLowerCase()).filter(Boolean) }
          : undefined;
    await adminUpdateRule(ctx, actorOf(c), key, { enabled: form.enabled, points: form.points, dailyCap: form.dailyCap, lifetimeCap: form.lifetimeCap, config });
    return redirectWithFlash(c, '/admin/loyalty', 'success', 'Rule saved.');
  });

  app.post('/admin/loyalty/tiers', async (c) => {
    const form = parseOr400(tierForm, await readFormBody(c));
    await adminSaveTier(ctx, actorOf(c), null, form);
    return redirectWithFlash(c, '/admin/loyalty', 'success', 'Tier added.');
  });

  app.post('/admin/loyalty/tiers/:id', async (c) => {
    const { id } = parseOr400(idParams, c.req.param());
    const body = await readFormBody(c);
    if (body.delete === '1') {
      await adminDeleteTier(ctx, actorOf(c), id);
      return redirectWithFlash(c, '/admin/loyalty', 'success', 'Tier deleted.');
    }
    await adminSaveTier(ctx, actorOf(c), id, parseOr400(tierForm, body));
    return redirectWithFlash(c, '/admin/loyalty', 'success', 'Tier saved.');
  });

  app.post('/admin/loyalty/rewards/:id?', async (c) => {
    const idParam = c.req.param('id');
    const id = idParam === undefined ? null : parseOr400(idParams, { id: idParam }).id;
    const body = await readFormBody(c);
    const form = rewardForm.safeParse(body);
    const fail = (fields: Record<string, string>) => renderAdmin(c, 400, undefined, undefined, { rewardId: id, fields, values: body });
    if (!form.success) return fail(fromZodError(form.error).fields ?? {});
    const f = form.data;
    const input = rewardInput.safeParse({
      ...f,
      points: f.points ?? undefined,
      minPoints: f.minPoints ?? 0,
      codeValidDays: f.codeValidDays ?? 90,
      sku: f.sku || null,
      maxPoints: null,
    });
    if (!input.success) return fail(fromZodError(input.error).fields ?? {});
    try {
      await adminSaveReward(ctx, actorOf(c), id, input.data);
    } catch (err) {
      if (err instanceof AppError && err.status === 400 && err.fields) return fail(err.fields);
      throw err;
    }
    return redirectWithFlash(c, '/admin/loyalty', 'success', id === null ? 'Reward added.' : 'Reward saved.');
  });

  app.get('/admin/loyalty/members', async (c) => {
    await adminGetSettings(ctx, actorOf(c));
    const [member] = await findMembersByUsernames(ctx, [(c.req.query('username') ?? '').replace(/^@/, '').trim()]);
    if (!member) return redirectWithFlash(c, '/admin/loyalty', 'error', 'No confirmed member has that username.');
    return c.redirect(`/admin/loyalty/members/${member.user.id}`, 303);
  });

  async function renderMember(c: HearthContext, userId: number, status: 200 | 400 = 200, errors?: Record<string, string>, message?: string) {
    const query = parseOr400(pageQuery, { cursor: c.req.query('cursor'), limit: 50 });
    const { summary, entries } = await adminMemberPoints(ctx, actorOf(c), userId, query);
    const contact = await getMemberContact(ctx, userId);
    if (!contact) throw notFound('No such member.');
    const member = { id: userId, username: contact.user.username, displayName: contact.user.displayName };
    return renderAdminPage(
      c,
      `Points of ${member.displayName}`,
      'loyalty',
      <MemberLedgerPage c={c} member={member} summary={summary} entries={entries} nextHref={entries.nextCursor ? withQuery(c, { cursor: entries.nextCursor }) : null} errors={errors} message={message} />,
      status,
    );
  }

  app.get('/admin/loyalty/members/:userId', async (c) => renderMember(c, parseOr400(userIdParams, c.req.param()).userId));

  app.get('/admin/loyalty/members/:userId/ledger.csv', async (c) => {
    const { userId } = parseOr400(userIdParams, c.req.param());
    const lines = adminMemberLedgerCsv(ctx, actorOf(c), userId);
    // The first line runs the permission check before any header is sent.
    const first = await lines.next();
    c.header('Content-Type', 'text/csv; charset=utf-8');
    c.header('Content-Disposition', `attachment; filename="points-${userId}.csv"`);
    c.header('Cache-Control', 'private, no-store');
    return stream(c, async (s) => {
      if (!first.done) await s.write(first.value);
      for await (const line of lines) await s.write(line);
    });
  });

  app.post('/admin/loyalty/members/:userId/adjust', async (c) => {
    const { userId } = parseOr400(userIdParams, c.req.param());
    const form = adjustForm.safeParse(await readFormBody(c));
    const parsed = form.success ? adjustmentInput.safeParse(form.data) : form;
    if (!parsed.success) return renderMember(c, userId, 400, fromZodError(parsed.error).fields, 'Please correct the highlighted fields.');
    await adminAdjustPoints(ctx, actorOf(c), userId, parsed.data);
    return redirectWithFlash(c, `/admin/loyalty/members/${userId}`, 'success', 'Adjustment recorded.');
  });

  // ------------------------------------------------------------------------------ JSON: members

  const tag = 'Loyalty';

  api.route({
    method: 'get',
    path: '/loyalty/me',
    summary: 'Your points',
    description: 'Available balance and its money value, pending points, debt, lifetime earned, next expiry, tier and progress to the next.',
    tag,
    access: { scope: 'read' },
    response: pointsSummarySchema,
    handler: async (c) => summaryJson(await getMyPoints(ctx, c.get('user'))),
  });

  api.route({
    method: 'get',
    path: '/loyalty/me/entries',
    summary: 'Your points history',
    description: 'Ledger entries, newest first. Each carries its effect on available points, pending points and debt.',
    tag,
    access: { scope: 'read' },
    query: pageQuery,
    response: pageSchema(ledgerLineSchema),
    handler: async (c, { query }) => {
      const page = await listMyEntries(ctx, c.get('user'), query);
      return { items: page.items.map(lineJson), nextCursor: page.nextCursor };
    },
  });

  api.route({
    method: 'put',
    path: '/loyalty/me/birthday',
    summary: 'Set your birthday',
    description: 'Birthday points arrive once a year; a birthday set or changed less than 30 days before earns nothing that year.',
    tag,
    access: { scope: 'write' },
    body: birthdayInput,
    response: pointsSummarySchema,
    handler: async (c, { body }) => summaryJson(await setMyBirthday(ctx, c.get('user'), body)),
  });

  api.route({
    method: 'post',
    path: '/loyalty/actions',
    summary: 'Record a social follow or a share',
    description: '`social_follow` earns once per network (from the rule\'s list); `share` once per URL, within the rule\'s caps.',
    tag,
    access: { scope: 'write' },
    body: memberActionInput,
    response: actionResultSchema,
    handler: async (c, { body }) => recordMemberAction(ctx, c.get('user'), body),
  });

  api.route({
    method: 'get',
    path: '/loyalty/ways-to-earn',
    summary: 'Ways to earn points',
    tag,
    access: { public: true },
    response: pageSchema(wayToEarnSchema),
    handler: async () => ({ items: await waysToEarn(ctx), nextCursor: null }),
  });

  api.route({
    method: 'get',
    path: '/loyalty/rewards',
    summary: 'Rewards members can redeem',
    tag,
    access: { public: true },
    response: pageSchema(rewardSchema),
    handler: async () => {
      const settings = await loadProgramSettings(ctx.db);
      return { items: (await memberRewards(ctx)).map((r) => rewardJson(r, settings)), nextCursor: null };
    },
  });

  api.route({
    method: 'post',
    path: '/loyalty/rewards/{id}/redeem',
    summary: 'Redeem points for a reward',
    description:
      'Spends the points. A discount reward issues a unique code (`type: "code"`, the code\'s fields beside it); an access reward opens its space or early-access window at once (`type: "access"`, the grant under `access`). Fails with `insufficient_points` (409) when the balance does not cover it, `access_already_held` (409) while the same access lasts.',
    tag,
    access: { scope: 'write' },
    params: idParams,
    body: redeemBody,
    response: z.union([codeSchema.extend({ type: z.literal('code') }), z.object({ type: z.literal('access'), access: accessGrantSchema })]),
    status: 201,
    handler: async (c, { params, body }) => {
      const viewer = c.get('user');
      if (!viewer) throw new AppError('unauthorized', 401, 'Redeeming needs a member: use a session or a key that acts for one.');
      const redemption = await redeemReward(ctx, viewer.id, { rewardId: params.id, points: body.points });
      if (redemption.code) return { type: 'code' as const, ...codeJson(redemption.code) };
      const grant = (await listMyAccess(ctx, viewer)).find((g) => g.id === redemption.grant.id);
      if (!grant) throw new AppError('internal', 500, 'The access just granted could not be read back.');
      return { type: 'access' as const, access: grantJson(grant) };
    },
  });

  api.route({
    method: 'get',
    path: '/loyalty/me/codes',
    summary: 'Your discount codes',
    tag,
    access: { scope: 'read' },
    response: pageSchema(codeSchema),
    handler: async (c) => {
      const viewer = c.get('user');
      if (!viewer) throw new AppError('unauthorized', 401, 'Sign in to see your codes.');
      const accountId = await findUserAccountId(ctx.db, viewer.id);
      return { items: accountId ? (await listCodes(ctx.db, accountId)).map(codeJson) : [], nextCursor: null };
    },
  });

  api.route({
    method: 'get',
    path: '/loyalty/me/access',
    summary: 'Your access rewards',
    description: 'Exclusive spaces and early-access windows bought with points, newest first; `active` while they last.',
    tag,
    access: { scope: 'read' },
    response: pageSchema(accessGrantSchema),
    handler: async (c) => ({ items: (await listMyAccess(ctx, c.get('user'))).map(grantJson), nextCursor: null }),
  });

  api.route({
    method: 'post',
    path: '/loyalty/me/codes/{id}/return',
    summary: 'Return an unused code for its points',
    description: 'Until the code\'s date. An expired code does not give its points back.',
    tag,
    access: { scope: 'write' },
    params: idParams,
    response: codeSchema,
    handler: async (c, { params }) => {
      const viewer = c.get('user');
      if (!viewer) throw new AppError('unauthorized', 401, 'Sign in to return a code.');
      return codeJson(await returnCode(ctx, viewer.id, params.id));
    },
  });

  // ---------------------------------------------------------------- JSON: checkout (store adapter)

  api.route({
    method: 'get',
    path: '/loyalty/codes/{code}',
    summary: 'Validate a discount code (checkout)',
    description:
      'For the store\'s checkout: whether the code can be used now, its kind (`amount_off`, `percent_off`, `free_shipping`, `free_product`) and what it gives. With `subtotalMinor`, also checks the minimum order and works out the discount. Needs an `admin`-scoped key.',
    tag,
    access: { scope: 'admin' },
    params: codeParams,
    query: validateQuery,
    response: codeValidationSchema,
    handler: async (_c, { params, query }) => {
      const v = await validateCode(ctx, params.code, { subtotalMinor: query.subtotalMinor });
      return { ...v, expiresAt: v.expiresAt.toISOString() };
    },
  });

  api.route({
    method: 'post',
    path: '/loyalty/codes/{code}/consume',
    summary: 'Use a discount code (checkout)',
    description: 'Marks the code used for `orderRef`. Repeating the call with the same `orderRef` returns the same result; any other use is refused with `code_not_usable`.',
    tag,
    access: { scope: 'admin' },
    params: codeParams,
    body: consumeBody,
    response: codeSchema,
    handler: async (_c, { params, body }) => codeJson(await consumeCode(ctx, params.code, body.orderRef)),
  });

  // ------------------------------------------------------------------------------- JSON: admin

  api.route({
    method: 'get',
    path: '/loyalty/settings',
    summary: 'Program settings',
    tag,
    access: { scope: 'admin' },
    response: settingsSchema,
    handler: async (c) => adminGetSettings(ctx, actorOf(c)),
  });

  api.route({
    method: 'put',
    path: '/loyalty/settings',
    summary: 'Change program settings',
    description: 'Audited. The example program: `{"redeemStepPoints": 20, "redeemStepValueMinor": 100, "redeemMinimumPoints": 200, "currency": "GBP"}`.',
    tag,
    access: { scope: 'admin' },
    body: programSettingsSchema,
    response: settingsSchema,
    handler: async (c, { body }) => adminSaveSettings(ctx, actorOf(c), body),
  });

  api.route({
    method: 'get',
    path: '/loyalty/admin/rewards',
    summary: 'All rewards, enabled or not',
    tag,
    access: { scope: 'admin' },
    response: pageSchema(rewardSchema),
    handler: async (c) => {
      const rewards = await adminListRewards(ctx, actorOf(c));
      const settings = await loadProgramSettings(ctx.db);
      return { items: rewards.map((r) => rewardJson(r, settings)), nextCursor: null };
    },
  });

  api.route({
    method: 'post',
    path: '/loyalty/admin/rewards',
    summary: 'Add a reward',
    description:
      'By `kind`: `fixed` (`points` buy `valueMinor` off); `incremental` (every `points` is `valueMinor` off, from `minPoints`: the example program is 20 points = 100, from 200); `percentage` (`percentOff`, optional `minOrderMinor` and `maxDiscountMinor`); `free_shipping` (optional `minOrderMinor`, `maxDiscountMinor`); `free_product` (`productId`, optionally `variantId`, or a variant\'s `sku`); `space_access` (`spaceId` of an exclusive space, optional `accessDays`); `early_access` (`accessDays`, optional `spaceId`). A missing field the kind needs is refused with a message under its name. Saving an access reward adds a "Loyalty reward" access rule to its space.',
    tag,
    access: { scope: 'admin' },
    body: rewardInput,
    response: rewardSchema,
    status: 201,
    handler: async (c, { body }) => rewardJson(await adminSaveReward(ctx, actorOf(c), null, body), await loadProgramSettings(ctx.db)),
  });

  api.route({
    method: 'put',
    path: '/loyalty/admin/rewards/{id}',
    summary: 'Change a reward',
    tag,
    access: { scope: 'admin' },
    params: idParams,
    body: rewardInput,
    response: rewardSchema,
    handler: async (c, { params, body }) => rewardJson(await adminSaveReward(ctx, actorOf(c), params.id, body), await loadProgramSettings(ctx.db)),
  });

  api.route({
    method: 'get',
    path: '/loyalty/rules',
    summary: 'Earning rules',
    tag,
    access: { scope: 'admin' },
    response: pageSchema(ruleSchema),
    handler: async (c) => ({ items: await adminListRules(ctx, actorOf(c)), nextCursor: null }),
  });

  api.route({
    method: 'put',
    path: '/loyalty/rules/{key}',
    summary: 'Change an earning rule',
    tag,
    access: { scope: 'admin' },
    params: ruleKeyParams,
    body: ruleUpdateInput,
    response: ruleSchema,
    handler: async (c, { params, body }) => adminUpdateRule(ctx, actorOf(c), params.key, body),
  });

  api.route({
    method: 'get',
    path: '/loyalty/tiers',
    summary: 'Tiers',
    tag,
    access: { scope: 'admin' },
    response: pageSchema(tierSchema),
    handler: async (c) => ({ items: await adminListTiers(ctx, actorOf(c)), nextCursor: null }),
  });

  api.route({
    method: 'post',
    path: '/loyalty/tiers',
    summary: 'Add a tier',
    tag,
    access: { scope: 'admin' },
    body: tierInput,
    response: tierSchema,
    status: 201,
    handler: async (c, { body }) => adminSaveTier(ctx, actorOf(c), null, body),
  });

  api.route({
    method: 'put',
    path: '/loyalty/tiers/{id}',
    summary: 'Change a tier',
    tag,
    access: { scope: 'admin' },
    params: idParams,
    body: tierInput,
    response: tierSchema,
    handler: async (c, { params, body }) => adminSaveTier(ctx, actorOf(c), params.id, body),
  });

  api.route({
    method: 'delete',
    path: '/loyalty/tiers/{id}',
    summary: 'Delete a tier',
    tag,
    access: { scope: 'admin' },
    params: idParams,
    response: okSchema,
    handler: async (c, { params }) => {
      await adminDeleteTier(ctx, actorOf(c), params.id);
      return { ok: true };
    },
  });

  api.route({
    method: 'get',
    path: '/loyalty/members/{userId}',
    summary: "A member's points and full ledger",
    tag,
    access: { scope: 'admin' },
    params: userIdParams,
    query: pageQuery,
    response: pointsSummarySchema.extend({ entries: pageSchema(ledgerLineSchema) }),
    handler: async (c, { params, query }) => {
      const { summary, entries } = await adminMemberPoints(ctx, actorOf(c), params.userId, query);
      return { ...summaryJson(summary), entries: { items: entries.items.map(lineJson), nextCursor: entries.nextCursor } };
    },
  });

  api.route({
    method: 'post',
    path: '/loyalty/members/{userId}/adjustments',
    summary: 'Adjust a member\'s points',
    description: 'A correction with a reason, written as a new ledger entry and audited. Taking back more than is available records the rest as debt.',
    tag,
    access: { scope: 'admin' },
    params: userIdParams,
    body: adjustmentInput,
    response: ledgerLineSchema,
    status: 201,
    handler: async (c, { params, body }) => lineJson(await adminAdjustPoints(ctx, actorOf(c), params.userId, body)),
  });

  mountWidgetRoutes({ app, api, ctx });
}
