import type { Child } from 'hono/jsx';
import { stream } from 'hono/streaming';
import type { z } from 'zod';
import type { MountArgs } from '../index.ts';
import { readFormBody } from '../../platform/http/body.ts';
import { clientIp } from '../../platform/http/client-ip.ts';
import type { HearthContext } from '../../platform/http/env.ts';
import { AppError, fromZodError } from '../../platform/http/errors.ts';
import { redirectWithFlash } from '../../platform/http/flash.ts';
import type { Actor } from '../admin/service.ts';
import { renderPage } from '../../web/layout.tsx';
import { AdminShell, adminReturnPath, withQuery } from '../admin/views/shell.tsx';
import { exportCsv } from './exports.ts';
import { churnQuery, churnSchema, customersSchema, healthSchema, monthQuery, personasSchema, rangeQuery, recomputeResultSchema, retentionSchema, roiQuery, roiSchema } from './schema.ts';
import { getChurnRisk, getCustomers, getHealth, getPersonas, getRetention, getRoi, recomputeNow, updatePersonaSettings, updateRoiSettings } from './service.ts';
import { ChurnPage, CustomersPage, HealthPage, PersonasPage, RetentionPage, RoiPage } from './views/pages.tsx';

const tag = 'Analytics';
const page = { islands: ['charts'], stylesheets: ['build/charts.css'] };

function actorOf(c: HearthContext): Actor {
  return { user: c.get('user'), apiScopes: c.get('apiScopes'), ip: clientIp(c) };
}

function parseQuery<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw fromZodError(result.error);
  return result.data;
}

/** A signed-out visitor is sent to sign in and brought back, as on every admin page. */
function adminPage(handler: (c: HearthContext) => Promise<Response>) {
  return async (c: HearthContext): Promise<Response> => {
    try {
      return await handler(c);
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 401) throw err;
      const url = new URL(c.req.url);
      return c.redirect(`/login?next=${encodeURIComponent(c.req.method === 'GET' ? url.pathname + url.search : '/admin/analytics')}`, 303);
    }
  };
}

/** An admin page that also loads the charts island and its stylesheet (only these pages do). */
function renderAnalytics(c: HearthContext, title: string, body: Child, status: 200 | 400 = 200) {
  return renderPage(c, { title: `${title} · Analytics · Admin`, noindex: true, section: 'admin', ...page }, <AdminShell active="analytics">
      <div class="stack analytics">{body}</div>
    </AdminShell>, status);
}

export function mountAnalyticsRoutes({ app, api, ctx }: MountArgs): void {
  // ------------------------------------------------------------------------------------------- pages

  app.get(
    '/admin/analytics',
    adminPage(async (c) => renderAnalytics(c, 'Community health', <HealthPage c={c} health={await getHealth(ctx, actorOf(c), parseQuery(rangeQuery, c.req.query()))} />)),
  );

  app.get(
    '/admin/analytics/personas',
    adminPage(async (c) => renderAnalytics(c, 'Personas', <PersonasPage c={c} personas={await getPersonas(ctx, actorOf(c), parseQuery(monthQuery, c.req.query()))} />)),
  );

  app.post(
    '/admin/analytics/personas/settings',
    adminPage(async (c) => {
      const form = await readFormBody(c);
      const numbers: Record<string, unknown> = {};
      for (const key of ['windowDays', 'drifterBelow', 'insiderEngagement', 'insiderValue']) {
        const v = form[key];
        numbers[key] = typeof v === 'string' && v.trim() !== '' ? Number(v) : undefined;
      }
      try {
        await updatePersonaSettings(ctx, actorOf(c), numbers);
      } catch (err) {
        if (!(err instanceof AppError) || err.status !== 422 || !err.fields) throw err;
        return renderAnalytics(c, 'Personas', <PersonasPage c={c} personas={await getPersonas(ctx, actorOf(c), {})} errors={err.fields} />, 400);
      }
      return redirectWithFlash(c, '/admin/analytics/personas', 'success', 'Thresholds saved; they apply from the next recompute.');
    }),
  );

  app.get(
    '/admin/analytics/customers',
    adminPage(async (c) => renderAnalytics(c, 'RFM and lifetime value', <CustomersPage c={c} customers={await getCustomers(ctx, actorOf(c))} />)),
  );

  app.get(
    '/admin/analytics/retention',
    adminPage(async (c) => renderAnalytics(c, 'Retention', <RetentionPage c={c} retention={await getRetention(ctx, actorOf(c))} />)),
  );

  app.get(
    '/admin/analytics/roi',
    adminPage(async (c) => renderAnalytics(c, 'Deflection and ROI', <RoiPage c={c} roi={await getRoi(ctx, actorOf(c), parseQuery(roiQuery, c.req.query()))} />)),
  );

  app.post(
    '/admin/analytics/roi/settings',
    adminPage(async (c) => {
      const form = await readFormBody(c);
      const value = (key: string, scale = 1) => {
        const v = form[key];
        return typeof v === 'string' && v.trim() !== '' ? Number(v) / scale : undefined;
      };
      const input = {
        costPerTicketMinor: value('costPerTicketMinor'),
        indirectDeflectionRate: value('indirectDeflectionRate', 100),
        supportQuestionsPerMonth: value('supportQuestionsPerMonth'),
        whatIfShare: value('whatIfShare', 100),
        programCostPerMonthMinor: value('programCostPerMonthMinor'),
        grossMargin: value('grossMargin', 100),
      };
      try {
        await updateRoiSettings(ctx, actorOf(c), input);
      } catch (err) {
        if (!(err instanceof AppError) || err.status !== 422 || !err.fields) throw err;
        return renderAnalytics(c, 'Deflection and ROI', <RoiPage c={c} roi={await getRoi(ctx, actorOf(c), {})} errors={err.fields} />, 400);
      }
      return redirectWithFlash(c, '/admin/analytics/roi', 'success', 'Assumptions saved.');
    }),
  );

  app.get(
    '/admin/analytics/churn',
    adminPage(async (c) => {
      const churn = await getChurnRisk(ctx, actorOf(c), parseQuery(churnQuery, c.req.query()));
      return renderAnalytics(c, 'Churn risk', <ChurnPage c={c} churn={churn} nextHref={churn.nextCursor ? withQuery(c, { cursor: churn.nextCursor }) : null} />);
    }),
  );

  app.post(
    '/admin/analytics/recompute',
    adminPage(async (c) => {
      const form = await readFormBody(c);
      const result = await recomputeNow(ctx, actorOf(c));
      return redirectWithFlash(c, adminReturnPath(form.return, '/admin/analytics'), 'success', `Recomputed: ${result.events} new events read, ${result.scored} members and customers scored in ${result.ms} ms.`);
    }),
  );

  app.get(
    '/admin/analytics/export/:file{[a-z-]+\\.csv}',
    adminPage(async (c) => {
      const name = (c.req.param('file') ?? '').replace(/\.csv$/, '');
      const lines = exportCsv(ctx, actorOf(c), name, c.req.query());
      // The first line runs the permission check and the query before any header is sent.
      const first = await lines.next();
      c.header('Content-Type', 'text/csv; charset=utf-8');
      c.header('Content-Disposition', `attachment; filename="analytics-${name}.csv"`);
      c.header('Cache-Control', 'private, no-store');
      return stream(c, async (s) => {
        if (!first.done) await s.write(first.value);
        for await (const line of lines) await s.write(line);
      });
    }),
  );

  // -------------------------------------------------------------------------------------------- JSON

  api.route({
    method: 'get',
    path: '/analytics/health',
    summary: 'Community health',
    description: 'DAU, MAU, new contributors, time to first response, answered and solved shares, contributor ratio, superuser share, top contributors, trending topics and terms, unanswered questions; from the daily rollups. Range defaults to the last 30 days (at most 400).',
    tag,
    access: { scope: 'admin' },
    query: rangeQuery,
    response: healthSchema,
    handler: async (c, { query }) => getHealth(ctx, actorOf(c), query),
  });

  api.route({
    method: 'get',
    path: '/analytics/personas',
    summary: 'Persona split, movement and Supporters closest to Insiders',
    description: 'The split beside the 14/17/52/18 % benchmark with each rule, the month-over-month transition counts (`month` = the later month, default the latest snapshot), and the 20 Supporters closest to becoming Insiders with what would move each.',
    tag,
    access: { scope: 'admin' },
    query: monthQuery,
    response: personasSchema,
    handler: async (c, { query }) => getPersonas(ctx, actorOf(c), query),
  });

  api.route({
    method: 'get',
    path: '/analytics/customers',
    summary: 'RFM segments and lifetime value',
    description: 'RFM segments with their definitions and totals, the fitted BG/NBD and Gamma-Gamma parameters, and the 20 customers with the highest predicted 12-month value.',
    tag,
    access: { scope: 'admin' },
    response: customersSchema,
    handler: async (c) => getCustomers(ctx, actorOf(c)),
  });

  api.route({
    method: 'get',
    path: '/analytics/retention',
    summary: 'Repurchase rates and cohort retention',
    description: 'Repurchase rate (two or more orders) for members against store customers without an account, by persona, by loyalty tier and for referrers, each with its sample size and 95% Wilson interval; monthly cohort retention for the last 12 months and the pooled curves. Comparisons, not causes.',
    tag,
    access: { scope: 'admin' },
    response: retentionSchema,
    handler: async (c) => getRetention(ctx, actorOf(c)),
  });

  api.route({
    method: 'get',
    path: '/analytics/roi',
    summary: 'Support deflection and ROI',
    description: 'Direct (accepted answers) and indirect (views of solved questions × the configured rate) deflection, the support cost saved, the margin from retention and referrals, the program cost and the net return over the range, and the "what if N% of support questions were answered in the community" figures (`questions`, `share` in percent, default the settings).',
    tag,
    access: { scope: 'admin' },
    query: roiQuery,
    response: roiSchema,
    handler: async (c, { query }) => getRoi(ctx, actorOf(c), query),
  });

  api.route({
    method: 'get',
    path: '/analytics/churn-risk',
    summary: 'Churn risk',
    description: 'Customers whose probability of being active fell over the last 30 days, by value at stake, paginated with `cursor`.',
    tag,
    access: { scope: 'admin' },
    query: churnQuery,
    response: churnSchema,
    handler: async (c, { query }) => getChurnRisk(ctx, actorOf(c), query),
  });

  api.route({
    method: 'post',
    path: '/analytics/recompute',
    summary: 'Recompute analytics now',
    description: 'Reads new domain events into the rollups and recomputes every score (normally nightly).',
    tag,
    access: { scope: 'admin' },
    response: recomputeResultSchema,
    handler: async (c) => recomputeNow(ctx, actorOf(c)),
  });
}
