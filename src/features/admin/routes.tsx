import { z } from 'zod';
import type { MountArgs } from '../index.ts';
import type { HearthContext } from '../../platform/http/env.ts';
import { AppError, fromZodError, notFound } from '../../platform/http/errors.ts';
import { readFormBody } from '../../platform/http/body.ts';
import { redirectWithFlash } from '../../platform/http/flash.ts';
import { pageQuery, pageSchema } from '../../platform/http/pagination.ts';
import type { ApiKeyInfo } from '../accounts/api-keys.ts';
import { clientIp } from '../../platform/http/client-ip.ts';
import {
  apiKeyCreateBody,
  apiKeySchema,
  auditEntrySchema,
  createdApiKeySchema,
  idParams,
  jobDetailSchema,
  jobSummarySchema,
  jobsQuery,
  mailDetailSchema,
  mailSummarySchema,
  overviewSchema,
  retriedSchema,
  roleBody,
  settingsForm,
  settingsSchema,
  userSchema,
  usersQuery,
} from './schema.ts';
import * as admin from './service.ts';
import { ApiKeysPage } from './views/api-keys.tsx';
import { AuditPage } from './views/audit.tsx';
import { JobDetailPage, JobsPage } from './views/jobs.tsx';
import { MailDetailPage, MailPage } from './views/mail.tsx';
import { OverviewPage } from './views/overview.tsx';
import { SettingsPage } from './views/settings.tsx';
import { adminReturnPath, renderAdminPage } from './views/shell.tsx';
import { UsersPage } from './views/users.tsx';

function actorOf(c: HearthContext): admin.Actor {
  return { user: c.get('user'), apiScopes: c.get('apiScopes'), ip: clientIp(c) };
}

/**
 * The service decides who may see an admin page; a visitor who is not signed in is sent to sign in
 * and brought back, rather than shown a 401 page.
 */
function adminPage(handler: (c: HearthContext) => Promise<Response>) {
  return async (c: HearthContext): Promise<Response> => {
    try {
      return await handler(c);
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 401) throw err;
      const url = new URL(c.req.url);
      const next = c.req.method === 'GET' ? url.pathname + url.search : '/admin';
      return c.redirect(`/login?next=${encodeURIComponent(next)}`, 303);
    }
  };
}

function parseOr404<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw notFound();
  return result.data;
}

function parseQuery<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw fromZodError(result.error);
  return result.data;
}

const iso = (d: Date) => d.toISOString();
const isoOrNull = (d: Date | null) => (d ? d.toISOString() : null);

function jobJson(j: admin.JobSummary) {
  return { id: j.id, kind: j.kind, state: j.state, attempts: j.attempts, maxAttempts: j.maxAttempts, runAt: iso(j.runAt), lastError: j.lastError, createdAt: iso(j.createdAt) };
}

function mailJson(m: admin.MailSummary) {
  return { id: m.id, to: m.to, subject: m.subject, template: m.template, status: m.status, createdAt: iso(m.createdAt), sentAt: isoOrNull(m.sentAt) };
}

function keyJson(k: ApiKeyInfo) {
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    scopes: k.scopes,
    createdAt: iso(k.createdAt),
    lastUsedAt: isoOrNull(k.lastUsedAt),
    revokedAt: isoOrNull(k.revokedAt),
    status: k.revokedAt ? ('revoked' as const) : ('active' as const),
  };
}

function userJson(u: admin.AdminUser) {
  return { id: u.id, displayName: u.displayName, username: u.username, email: u.email, role: u.role, verified: u.verified, joinedAt: iso(u.joinedAt) };
}

export function mountAdminRoutes({ app, api, ctx }: MountArgs): void {
  // ------------------------------------------------------------------------------------------- pages

  app.get(
    '/admin',
    adminPage(async (c) => renderAdminPage(c, 'Overview', 'overview', <OverviewPage overview={await admin.getOverview(ctx, actorOf(c))} />)),
  );

  app.get(
    '/admin/jobs',
    adminPage(async (c) => {
      const actor = actorOf(c);
      const query = parseQuery(jobsQuery, c.req.query());
      const page = await admin.listJobs(ctx, actor, query);
      const counts = await admin.countJobsByState(ctx, actor);
      return renderAdminPage(c, 'Jobs', 'jobs', <JobsPage c={c} state={query.state} counts={counts} page={page} />);
    }),
  );

  app.post(
    '/admin/jobs/retry-dead',
    adminPage(async (c) => {
      const count = await admin.retryAllDeadJobs(ctx, actorOf(c));
      return redirectWithFlash(c, '/admin/jobs?state=queued', 'success', count ? `${count} dead job${count === 1 ? '' : 's'} sent back to the queue.` : 'There were no dead jobs.');
    }),
  );

  app.get(
    '/admin/jobs/:id',
    adminPage(async (c) => {
      const { id } = parseOr404(idParams, c.req.param());
      return renderAdminPage(c, `Job #${id}`, 'jobs', <JobDetailPage c={c} job={await admin.getJob(ctx, actorOf(c), id)} />);
    }),
  );

  app.post(
    '/admin/jobs/:id/retry',
    adminPage(async (c) => {
      const { id } = parseOr404(idParams, c.req.param());
      const form = await readFormBody(c);
      await admin.retryJobAsAdmin(ctx, actorOf(c), id);
      return redirectWithFlash(c, adminReturnPath(form.return, `/admin/jobs/${id}`), 'success', `Job #${id} is queued to run again.`);
    }),
  );

  app.get(
    '/admin/mail',
    adminPage(async (c) => {
      const page = await admin.listMail(ctx, actorOf(c), parseQuery(pageQuery, c.req.query()));
      return renderAdminPage(c, 'Mail outbox', 'mail', <MailPage c={c} page={page} smtpConfigured={Boolean(ctx.config.smtpUrl)} />);
    }),
  );

  app.get(
    '/admin/mail/:id',
    adminPage(async (c) => {
      const { id } = parseOr404(idParams, c.req.param());
      const mail = await admin.getMail(ctx, actorOf(c), id);
      return renderAdminPage(c, mail.subject, 'mail', <MailDetailPage mail={mail} />);
    }),
  );

  app.get(
    '/admin/api-keys',
    adminPage(async (c) => renderAdminPage(c, 'API keys', 'api-keys', <ApiKeysPage c={c} keys={await admin.listKeys(ctx, actorOf(c))} />)),
  );

  // The new key is shown in the answer to this POST and nowhere else: a redirect would have to carry
  // the secret through a cookie or the URL.
  app.post(
    '/admin/api-keys',
    adminPage(async (c) => {
      const actor = actorOf(c);
      admin.requireAdmin(actor);
      const form = await readFormBody(c);
      const submitted = { name: typeof form.name === 'string' ? form.name : '', scopes: [form.scopes ?? []].flat().filter((s): s is string => typeof s === 'string') };
      const parsed = apiKeyCreateBody.safeParse({ name: submitted.name, scopes: submitted.scopes.length ? submitted.scopes : undefined });
      if (!parsed.success) {
        const error = fromZodError(parsed.error);
        const keys = await admin.listKeys(ctx, actor);
        return renderAdminPage(c, 'API keys', 'api-keys', <ApiKeysPage c={c} keys={keys} form={{ ...submitted, errors: error.fields }} />, 400);
      }
      const created = await admin.createKey(ctx, actor, parsed.data);
      c.header('Cache-Control', 'no-store');
      return renderAdminPage(c, 'API keys', 'api-keys', <ApiKeysPage c={c} keys={await admin.listKeys(ctx, actor)} created={created} />);
    }),
  );

  app.post(
    '/admin/api-keys/:id/revoke',
    adminPage(async (c) => {
      const { id } = parseOr404(idParams, c.req.param());
      await admin.revokeKey(ctx, actorOf(c), id);
      return redirectWithFlash(c, '/admin/api-keys', 'success', 'The API key was revoked; requests using it are refused from now on.');
    }),
  );

  app.get(
    '/admin/users',
    adminPage(async (c) => {
      const query = parseQuery(usersQuery, c.req.query());
      const page = await admin.listUsers(ctx, actorOf(c), query);
      return renderAdminPage(c, 'Members', 'users', <UsersPage c={c} page={page} q={query.q ?? ''} />);
    }),
  );

  app.post(
    '/admin/users/:id/role',
    adminPage(async (c) => {
      const { id } = parseOr404(idParams, c.req.param());
      const form = await readFormBody(c);
      const back = adminReturnPath(form.return, '/admin/users');
      const parsed = roleBody.safeParse({ role: form.role });
      if (!parsed.success) return redirectWithFlash(c, back, 'error', 'Choose member, moderator or admin.');
      try {
        const user = await admin.changeRole(ctx, actorOf(c), id, parsed.data.role);
        return redirectWithFlash(c, back, 'success', `${user.displayName} is now ${user.role === 'admin' ? 'an' : 'a'} ${user.role}.`);
      } catch (err) {
        // Refusals (the last admin) go back to the list with the reason, like any other form message.
        if (err instanceof AppError && err.status === 409) return redirectWithFlash(c, back, 'error', err.message);
        throw err;
      }
    }),
  );

  app.get(
    '/admin/settings',
    adminPage(async (c) => renderAdminPage(c, 'Settings', 'settings', <SettingsPage c={c} values={admin.getSettings(ctx, actorOf(c))} />)),
  );

  app.post(
    '/admin/settings',
    adminPage(async (c) => {
      const actor = actorOf(c);
      admin.requireAdmin(actor);
      const form = parseQuery(settingsForm, await readFormBody(c));
      try {
        await admin.updateSettings(ctx, actor, form);
      } catch (err) {
        if (!(err instanceof AppError) || err.code !== 'validation_failed') throw err;
        return renderAdminPage(c, 'Settings', 'settings', <SettingsPage c={c} values={form} errors={err.fields} message={err.message} />, 400);
      }
      return redirectWithFlash(c, '/admin/settings', 'success', 'Settings saved.');
    }),
  );

  app.get(
    '/admin/audit',
    adminPage(async (c) => renderAdminPage(c, 'Audit log', 'audit', <AuditPage c={c} page={await admin.listAudit(ctx, actorOf(c), parseQuery(pageQuery, c.req.query()))} />)),
  );

  // ------------------------------------------------------------------------------------ JSON twins

  const tag = 'Admin';
  const access = { scope: 'admin' } as const;

  api.route({
    method: 'get',
    path: '/admin/overview',
    summary: 'Counts of members, jobs by state and kept mail',
    tag,
    access,
    response: overviewSchema,
    handler: (c) => admin.getOverview(ctx, actorOf(c)),
  });

  api.route({
    method: 'get',
    path: '/admin/jobs',
    summary: 'List background jobs in one state, newest first',
    tag,
    access,
    query: jobsQuery,
    response: pageSchema(jobSummarySchema),
    handler: async (c, { query }) => {
      const page = await admin.listJobs(ctx, actorOf(c), query);
      return { items: page.items.map(jobJson), nextCursor: page.nextCursor };
    },
  });

  api.route({
    method: 'post',
    path: '/admin/jobs/retry-dead',
    summary: 'Send every dead job back to the queue',
    tag,
    access,
    response: retriedSchema,
    handler: async (c) => ({ retried: await admin.retryAllDeadJobs(ctx, actorOf(c)) }),
  });

  const jobDetailJson = (j: admin.JobDetail) => ({
    ...jobJson(j),
    payload: j.payload,
    lockedBy: j.lockedBy,
    lockedAt: isoOrNull(j.lockedAt),
    uniqueKey: j.uniqueKey,
    eventId: j.eventId,
    finishedAt: isoOrNull(j.finishedAt),
  });

  api.route({
    method: 'get',
    path: '/admin/jobs/{id}',
    summary: 'One job with its payload and full last error',
    tag,
    access,
    params: idParams,
    response: jobDetailSchema,
    handler: async (c, { params }) => jobDetailJson(await admin.getJob(ctx, actorOf(c), params.id)),
  });

  api.route({
    method: 'post',
    path: '/admin/jobs/{id}/retry',
    summary: 'Run a failed or dead job again now, with a fresh retry budget',
    tag,
    access,
    params: idParams,
    response: jobDetailSchema,
    handler: async (c, { params }) => {
      const actor = actorOf(c);
      await admin.retryJobAsAdmin(ctx, actor, params.id);
      return jobDetailJson(await admin.getJob(ctx, actor, params.id));
    },
  });

  api.route({
    method: 'get',
    path: '/admin/mail',
    summary: 'The mail outbox, newest first',
    tag,
    access,
    query: pageQuery,
    response: pageSchema(mailSummarySchema),
    handler: async (c, { query }) => {
      const page = await admin.listMail(ctx, actorOf(c), query);
      return { items: page.items.map(mailJson), nextCursor: page.nextCursor };
    },
  });

  api.route({
    method: 'get',
    path: '/admin/mail/{id}',
    summary: 'One message with its text and HTML bodies',
    tag,
    access,
    params: idParams,
    response: mailDetailSchema,
    handler: async (c, { params }) => {
      const m = await admin.getMail(ctx, actorOf(c), params.id);
      return { ...mailJson(m), text: m.text, html: m.html, headers: m.headers };
    },
  });

  api.route({
    method: 'get',
    path: '/admin/api-keys',
    summary: 'List API keys (never their secrets)',
    tag,
    access,
    response: z.object({ items: z.array(apiKeySchema) }),
    handler: async (c) => ({ items: (await admin.listKeys(ctx, actorOf(c))).map(keyJson) }),
  });

  api.route({
    method: 'post',
    path: '/admin/api-keys',
    summary: 'Create an API key; the response is the only time its secret is shown',
    tag,
    access,
    body: apiKeyCreateBody,
    response: createdApiKeySchema,
    status: 201,
    handler: async (c, { body }) => {
      const created = await admin.createKey(ctx, actorOf(c), body);
      return { key: created.key, apiKey: keyJson(created.info) };
    },
  });

  api.route({
    method: 'post',
    path: '/admin/api-keys/{id}/revoke',
    summary: 'Revoke an API key',
    tag,
    access,
    params: idParams,
    response: z.object({ id: z.number().int(), status: z.literal('revoked') }),
    handler: async (c, { params }) => {
      await admin.revokeKey(ctx, actorOf(c), params.id);
      return { id: params.id, status: 'revoked' as const };
    },
  });

  api.route({
    method: 'get',
    path: '/admin/users',
    summary: 'List members, newest first, optionally searched by name or email',
    tag,
    access,
    query: usersQuery,
    response: pageSchema(userSchema),
    handler: async (c, { query }) => {
      const page = await admin.listUsers(ctx, actorOf(c), query);
      return { items: page.items.map(userJson), nextCursor: page.nextCursor };
    },
  });

  api.route({
    method: 'patch',
    path: '/admin/users/{id}',
    summary: 'Change a member’s role (the last administrator cannot be demoted)',
    tag,
    access,
    params: idParams,
    body: roleBody,
    response: userSchema,
    handler: async (c, { params, body }) => userJson(await admin.changeRole(ctx, actorOf(c), params.id, body.role)),
  });

  api.route({
    method: 'get',
    path: '/admin/settings',
    summary: 'The site settings',
    tag,
    access,
    response: settingsSchema,
    handler: async (c) => admin.getSettings(ctx, actorOf(c)),
  });

  api.route({
    method: 'patch',
    path: '/admin/settings',
    summary: 'Change some site settings',
    tag,
    access,
    body: settingsSchema.partial(),
    response: settingsSchema,
    handler: async (c, { body }) => admin.updateSettings(ctx, actorOf(c), body),
  });

  api.route({
    method: 'get',
    path: '/admin/audit',
    summary: 'The audit log, newest first',
    tag,
    access,
    query: pageQuery,
    response: pageSchema(auditEntrySchema),
    handler: async (c, { query }) => {
      const page = await admin.listAudit(ctx, actorOf(c), query);
      return { items: page.items.map((e) => ({ ...e, createdAt: iso(e.createdAt) })), nextCursor: page.nextCursor };
    },
  });
}
