import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { z } from 'zod';
import type { MountArgs } from '../index.ts';
import { clientIp } from '../../platform/http/client-ip.ts';
import type { HearthContext } from '../../platform/http/env.ts';
import { AppError, fromZodError } from '../../platform/http/errors.ts';
import { readFormBody } from '../../platform/http/body.ts';
import { redirectWithFlash } from '../../platform/http/flash.ts';
import { pageQuery, pageSchema } from '../../platform/http/pagination.ts';
import { renderPage } from '../../web/layout.tsx';
import type { Actor } from '../admin/service.ts';
import { AdminShell, withQuery } from '../admin/views/shell.tsx';
import { minorPerUnit } from '../loyalty/settings.ts';
import { shareTargets } from '../seo/views/share-links.tsx';
import { adminListQuery, idParams, programSchema, referralSchema, settingsForm, settingsSchema } from './schema.ts';
import {
  REFERRAL_COOKIE,
  REFERRAL_COOKIE_DAYS,
  adminCounts,
  adminGetReferral,
  adminGetSettings,
  adminListReferrals,
  adminSaveSettings,
  approveReferral,
  attachFromClick,
  claimReferralCode,
  getLanding,
  getMyProgram,
  listMyReferrals,
  recordClick,
  referralCodeInput,
  rejectReferral,
  reviewInput,
  settingsInput,
  type ReferralProgram,
  type ReferralView,
} from './service.ts';
import { ReferralsAdminPage } from './views/admin.tsx';
import { LandingPage, ReferPage } from './views/refer-page.tsx';

function actorOf(c: HearthContext): Actor {
  return { user: c.get('user'), apiScopes: c.get('apiScopes'), ip: clientIp(c) };
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export const referralJson = (r: ReferralView): z.input<typeof referralSchema> => ({
  ...r,
  qualifiedAt: iso(r.qualifiedAt),
  completeAfter: iso(r.completeAfter),
  completedAt: iso(r.completedAt),
  reviewedAt: iso(r.reviewedAt),
  createdAt: r.createdAt.toISOString(),
});

const programJson = (p: ReferralProgram): z.input<typeof programSchema> => ({
  ...p,
  shareLinks: shareTargets(p.link, p.shareText),
  referredBy: p.referredBy ? { ...p.referredBy, welcomeCode: p.referredBy.welcomeCode ? { ...p.referredBy.welcomeCode, expiresAt: p.referredBy.welcomeCode.expiresAt.toISOString() } : null } : null,
});

function parseOr400<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw fromZodError(parsed.error);
  return parsed.data;
}

/** Pages send a visitor who is not signed in to sign in and back, rather than a 401 page. */
function signedInPage(handler: (c: HearthContext) => Promise<Response>) {
  return async (c: HearthContext): Promise<Response> => {
    try {
      return await handler(c);
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 401) throw err;
      return c.redirect(`/login?next=${encodeURIComponent(c.req.method === 'GET' ? new URL(c.req.url).pathname : '/refer')}`, 303);
    }
  };
}

function flashError(err: unknown): string {
  if (err instanceof AppError && err.status < 500) return err.fields ? Object.values(err.fields).join(' ') : err.message;
  throw err;
}

export function mountReferralRoutes({ app, api, ctx }: MountArgs): void {
  // A browser that followed a referral link carries its token until a new member signs in with it. This
  // middleware is mounted ahead of the other features' pages, so the first page after signing in attaches.
  app.use('*', async (c, next) => {
    const token = getCookie(c, REFERRAL_COOKIE);
    const user = c.get('user');
    if (token && user && c.req.method === 'GET' && !c.req.path.startsWith('/assets/')) {
      const outcome = await attachFromClick(ctx, user, token, clientIp(c));
      if (outcome !== 'retry') deleteCookie(c, REFERRAL_COOKIE, { path: '/' });
    }
    await next();
  });

  // ------------------------------------------------------------------------------- pages

  app.get('/invite/:code', async (c) => {
    const landing = await getLanding(ctx, c.req.param('code'));
    const viewer = c.get('user');
    if (viewer?.id === landing.referrer.id) return redirectWithFlash(c, '/refer', 'info', 'That is your own referral link: share it with friends.');
    const token = await recordClick(ctx, landing, clientIp(c));
    if (viewer) {
      const outcome = await attachFromClick(ctx, viewer, token, clientIp(c));
      if (outcome === 'attached') return redirectWithFlash(c, '/refer', 'success', `Welcome! ${landing.referrer.displayName} referred you.`);
      return redirectWithFlash(c, '/', 'info', 'Referral links are for new members; you already have an account.');
    }
    setCookie(c, REFERRAL_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'Lax', secure: ctx.config.publicUrl.startsWith('https:'), maxAge: REFERRAL_COOKIE_DAYS * 86_400 });
    const res = await renderPage(c, { title: `${landing.referrer.displayName} invited you`, noindex: true }, <LandingPage landing={landing} siteName={ctx.site.siteName} />);
    // Each visit records a click and sets a cookie: never a shared or cached copy.
    res.headers.set('Cache-Control', 'private, no-store');
    return res;
  });

  app.get(
    '/refer',
    signedInPage(async (c) => {
      const viewer = c.get('user');
      const query = parseOr400(pageQuery, { cursor: c.req.query('cursor'), limit: 20 });
      const program = await getMyProgram(ctx, viewer);
      const referrals = await listMyReferrals(ctx, viewer, query);
      return renderPage(
        c,
        { title: 'Refer a friend', noindex: true },
        <ReferPage c={c} program={program} referrals={referrals} nextHref={referrals.nextCursor ? withQuery(c, { cursor: referrals.nextCursor }) : null} />,
      );
    }),
  );

  app.post(
    '/refer/claim',
    signedInPage(async (c) => {
      const body = await readFormBody(c);
      try {
        const referral = await claimReferralCode(ctx, c.get('user'), typeof body.code === 'string' ? body.code : '', clientIp(c));
        return redirectWithFlash(c, '/refer', 'success', `Thanks! ${referral.referrer?.displayName ?? 'Your friend'} referred you.`);
      } catch (err) {
        return redirectWithFlash(c, '/refer', 'error', flashError(err));
      }
    }),
  );

  // -------------------------------------------------------------------------------- admin pages

  async function renderAdmin(c: HearthContext, status: 200 | 400 = 200, errors?: Record<string, string>, message?: string) {
    const actor = actorOf(c);
    const filter = parseOr400(adminListQuery, { status: c.req.query('status') ?? 'review', cursor: c.req.query('cursor'), limit: 25 });
    const [settings, counts, referrals] = await Promise.all([adminGetSettings(ctx, actor), adminCounts(ctx, actor), adminListReferrals(ctx, actor, filter)]);
    return renderPage(
      c,
      { title: 'Referrals · Admin', noindex: true, section: 'admin' },
      <AdminShell active="referrals">
        <ReferralsAdminPage
          c={c}
          status={filter.status ?? 'review'}
          counts={counts}
          referrals={referrals}
          nextHref={referrals.nextCursor ? withQuery(c, { cursor: referrals.nextCursor }) : null}
          settings={settings}
          errors={errors}
          message={message}
        />
      </AdminShell>,
      status,
    );
  }

  app.get('/admin/referrals', (c) => renderAdmin(c));

  app.post('/admin/referrals/settings', async (c) => {
    const current = await adminGetSettings(ctx, actorOf(c));
    const parsed = settingsForm.safeParse(await readFormBody(c));
    if (!parsed.success) return renderAdmin(c, 400, fromZodError(parsed.error).fields, 'Please correct the highlighted fields.');
    const per = minorPerUnit(current.currency);
    const { minimumOrder, friendReward, referrerCredit, ...rest } = parsed.data;
    const input = parseOr400(settingsInput, { ...rest, minimumOrderMinor: Math.round(minimumOrder * per), friendRewardMinor: Math.round(friendReward * per), referrerCreditMinor: Math.round(referrerCredit * per) });
    await adminSaveSettings(ctx, actorOf(c), input);
    return redirectWithFlash(c, '/admin/referrals', 'success', 'Referral settings saved.');
  });

  for (const decision of ['approve', 'reject'] as const) {
    app.post(`/admin/referrals/:id/${decision}`, async (c) => {
      const { id } = parseOr400(idParams, c.req.param());
      const body = await readFormBody(c);
      const back = `/admin/referrals${typeof body.status === 'string' && /^[a-z]+$/.test(body.status) ? `?status=${body.status}` : ''}`;
      const reason = reviewInput.safeParse({ reason: body.reason });
      if (!reason.success) return redirectWithFlash(c, back, 'error', reason.error.issues[0]?.message ?? 'Give a reason.');
      try {
        const r = decision === 'approve' ? await approveReferral(ctx, actorOf(c), id, reason.data) : await rejectReferral(ctx, actorOf(c), id, reason.data);
        return redirectWithFlash(c, back, 'success', `Referral ${r.id} ${decision === 'approve' ? 'approved' : 'rejected'}.`);
      } catch (err) {
        return redirectWithFlash(c, back, 'error', flashError(err));
      }
    });
  }

  // ------------------------------------------------------------------------------ JSON: members

  const tag = 'Referrals';

  api.route({
    method: 'get',
    path: '/referrals/me',
    summary: 'Your referral code, link and rewards',
    description: 'The code and link to share (with ready share links), what a friend and you get, how many referrals you made by state, and who referred you.',
    tag,
    access: { scope: 'read' },
    response: programSchema,
    handler: async (c) => programJson(await getMyProgram(ctx, c.get('user'))),
  });

  api.route({
    method: 'get',
    path: '/referrals/me/referrals',
    summary: 'The friends you referred',
    description: 'Newest first, with each referral\'s state. Only your own.',
    tag,
    access: { scope: 'read' },
    query: pageQuery,
    response: pageSchema(referralSchema),
    handler: async (c, { query }) => {
      const page = await listMyReferrals(ctx, c.get('user'), query);
      return { items: page.items.map(referralJson), nextCursor: page.nextCursor };
    },
  });

  api.route({
    method: 'post',
    path: '/referrals/claim',
    summary: "Use a friend's referral code",
    description: 'For a new member (within the claim window of joining) not referred yet. Fails with `self_referral` (400), `already_referred` or `not_a_new_member` (409).',
    tag,
    access: { scope: 'write' },
    body: referralCodeInput,
    response: referralSchema,
    status: 201,
    handler: async (c, { body }) => referralJson(await claimReferralCode(ctx, c.get('user'), body.code, clientIp(c))),
  });

  // ------------------------------------------------------------------------------- JSON: admin

  api.route({
    method: 'get',
    path: '/referrals/settings',
    summary: 'Referral program settings',
    tag,
    access: { scope: 'admin' },
    response: settingsSchema,
    handler: async (c) => adminGetSettings(ctx, actorOf(c)),
  });

  api.route({
    method: 'put',
    path: '/referrals/settings',
    summary: 'Change referral program settings',
    description: 'Audited. Amounts in minor units of the points program\'s currency. `referrerPoints` changes the loyalty `referral` rule. The example program: `{"minimumOrderMinor": 4000, "friendRewardMinor": 500, "referrerCreditMinor": 1000, "referrerPoints": 200}`.',
    tag,
    access: { scope: 'admin' },
    body: settingsInput,
    response: settingsSchema,
    handler: async (c, { body }) => adminSaveSettings(ctx, actorOf(c), body),
  });

  api.route({
    method: 'get',
    path: '/referrals',
    summary: 'All referrals, or those in one state',
    description: '`status=review` is the review queue: referrals a fraud check flagged, with the flags.',
    tag,
    access: { scope: 'admin' },
    query: adminListQuery,
    response: pageSchema(referralSchema),
    handler: async (c, { query }) => {
      const page = await adminListReferrals(ctx, actorOf(c), query);
      return { items: page.items.map(referralJson), nextCursor: page.nextCursor };
    },
  });

  api.route({
    method: 'get',
    path: '/referrals/{id}',
    summary: 'One referral',
    tag,
    access: { scope: 'admin' },
    params: idParams,
    response: referralSchema,
    handler: async (c, { params }) => referralJson(await adminGetReferral(ctx, actorOf(c), params.id)),
  });

  api.route({
    method: 'post',
    path: '/referrals/{id}/approve',
    summary: 'Approve a referral in review',
    description: 'Audited, with the reason. Without an order yet it waits for one; with a qualifying order it completes when the return window closes.',
    tag,
    access: { scope: 'admin' },
    params: idParams,
    body: reviewInput,
    response: referralSchema,
    handler: async (c, { params, body }) => referralJson(await approveReferral(ctx, actorOf(c), params.id, body)),
  });

  api.route({
    method: 'post',
    path: '/referrals/{id}/reject',
    summary: 'Reject a referral',
    description: 'Audited, with the reason. Any referral not completed or closed can be rejected; nobody is rewarded for it.',
    tag,
    access: { scope: 'admin' },
    params: idParams,
    body: reviewInput,
    response: referralSchema,
    handler: async (c, { params, body }) => referralJson(await rejectReferral(ctx, actorOf(c), params.id, body)),
  });
}
