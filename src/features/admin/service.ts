import { sql, type Expression, type SqlBool } from 'kysely';
import type { AppContext } from '../../platform/context.ts';
import { recordAudit } from '../../platform/audit/index.ts';
import type { JobState } from '../../platform/db/platform-tables.ts';
import type { CurrentUser } from '../../platform/http/env.ts';
import { badRequest, conflict, forbidden, notFound, unauthorized, validationFailed, type FieldErrors } from '../../platform/http/errors.ts';
import { decodeCursor, toPage, type Page } from '../../platform/http/pagination.ts';
import { countOpenJobs, retryDeadJobs, retryJob } from '../../platform/jobs/manage.ts';
import { saveSiteSettings, siteSettingsSchema, type SiteSettings } from '../../platform/settings/index.ts';
import { createApiKey, listApiKeys, revokeApiKey, type ApiKeyInfo } from '../accounts/api-keys.ts';
import type { Role } from '../accounts/tables.ts';

/** Who is asking: the signed-in member, or the owner of the API key that authenticated the request. */
export interface Actor {
  user: CurrentUser | null;
  /** The API key's scopes when a key authenticated the request; null for a browser session. */
  apiScopes: string[] | null;
  ip: string | null;
}

/**
 * Every admin function starts here. A browser session needs the admin role; an API key needs the
 * `admin` scope, and when it acts for a member that member must still be an admin (a demoted admin's
 * keys lose their power with them). Returns the id audit entries are written under.
 */
export function requireAdmin(actor: Actor): { actorId: number | null } {
  if (actor.apiScopes) {
    if (!actor.apiScopes.includes('admin')) throw forbidden('This request needs the `admin` scope.');
    if (actor.user && actor.user.role !== 'admin') throw forbidden('The member this API key acts for is no longer an administrator.');
    return { actorId: actor.user?.id ?? null };
  }
  if (!actor.user) throw unauthorized('Sign in as an administrator to continue.');
  if (actor.user.role !== 'admin') throw forbidden('Only administrators can open the admin area.');
  return { actorId: actor.user.id };
}

/**
 * Keyset condition for lists ordered newest first by (created_at, id). The cursor carries created_at
 * as PostgreSQL's own text, with microseconds: a JavaScript Date keeps only milliseconds and would skip
 * rows created within the same millisecond.
 */
function olderThan(cursor: string | undefined, createdColumn: string, idColumn: string): Expression<SqlBool> | undefined {
  const after = decodeCursor(cursor, 2);
  if (!after) return undefined;
  const [createdAt, id] = after;
  if (typeof createdAt !== 'string' || !Number.isInteger(id) || !/^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d{1,6})?([+-]\d\d(:?\d\d)?|Z)?$/.test(createdAt)) {
    throw badRequest('The cursor is not valid; use the nextCursor of a previous page.', 'invalid_cursor');
  }
  return sql<SqlBool>`(${sql.ref(createdColumn)}, ${sql.ref(idColumn)}) < (${createdAt}::timestamptz, ${id})`;
}

const createdText = (column: string) => sql<string>`${sql.ref(column)}::text`;

// ---------------------------------------------------------------------------------------------- overview

export interface Overview {
  members: number;
  verifiedMembers: number;
  jobs: { queued: number; running: number; failed: number; dead: number };
  mailKept: number;
}

export async function getOverview(ctx: AppContext, actor: Actor): Promise<Overview> {
  requireAdmin(actor);
  const users = await ctx.db
    .selectFrom('users')
    .select((eb) => [eb.fn.countAll<number>().as('members'), eb.fn.count<number>('email_verified_at').as('verified')])
    .executeTakeFirstOrThrow();
  const mail = await ctx.db
    .selectFrom('mail_messages')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', '=', 'kept')
    .executeTakeFirstOrThrow();
  return { members: Number(users.members), verifiedMembers: Number(users.verified), jobs: await countOpenJobs(ctx.db), mailKept: Number(mail.n) };
}

// -------------------------------------------------------------------------------------------------- jobs

export interface JobSummary {
  id: number;
  kind: string;
  state: JobState;
  attempts: number;
  maxAttempts: number;
  runAt: Date;
  lastError: string | null;
  createdAt: Date;
}

export interface JobDetail extends JobSummary {
  payload: unknown;
  lockedBy: string | null;
  lockedAt: Date | null;
  uniqueKey: string | null;
  eventId: number | null;
  finishedAt: Date | null;
}

export async function listJobs(ctx: AppContext, actor: Actor, query: { state: JobState; cursor?: string; limit: number }): Promise<Page<JobSummary>> {
  requireAdmin(actor);
  const older = olderThan(query.cursor, 'created_at', 'id');
  let q = ctx.db
    .selectFrom('jobs')
    .select(['id', 'kind', 'state', 'attempts', 'max_attempts', 'run_at', 'last_error', 'created_at', createdText('created_at').as('created_text')])
    .where('state', '=', query.state)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(query.limit + 1);
  if (older) q = q.where(older);
  const page = toPage(await q.execute(), query.limit, (r) => [r.created_text, r.id]);
  return {
    nextCursor: page.nextCursor,
    items: page.items.map((r) => ({
      id: r.id,
      kind: r.kind,
      state: r.state,
      attempts: r.attempts,
      maxAttempts: r.max_attempts,
      runAt: r.run_at,
      lastError: r.last_error,
      createdAt: r.created_at,
    })),
  };
}

export async function countJobsByState(ctx: AppContext, actor: Actor): Promise<Overview['jobs']> {
  requireAdmin(actor);
  return countOpenJobs(ctx.db);
}

export async function getJob(ctx: AppContext, actor: Actor, id: number): Promise<JobDetail> {
  requireAdmin(actor);
  const r = await ctx.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
  if (!r) throw notFound(`There is no job ${id}.`);
  return {
    id: r.id,
    kind: r.kind,
    state: r.state,
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    runAt: r.run_at,
    lastError: r.last_error,
    createdAt: r.created_at,
    payload: r.payload,
    lockedBy: r.locked_by,
    lockedAt: r.locked_at,
    uniqueKey: r.unique_key,
    eventId: r.event_id,
    finishedAt: r.finished_at,
  };
}

export async function retryJobAsAdmin(ctx: AppContext, actor: Actor, id: number): Promise<void> {
  const { actorId } = requireAdmin(actor);
  await ctx.db.transaction().execute(async (trx) => {
    const job = await trx.selectFrom('jobs').select(['kind', 'state', 'attempts']).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!job) throw notFound(`There is no job ${id}.`);
    if (!(await retryJob(trx, id))) throw conflict(`Job ${id} is ${job.state}; only failed and dead jobs can be retried.`, 'not_retryable');
    await recordAudit(trx, { actorId, action: 'job.retried', subject: `job:${id}`, detail: { kind: job.kind, previousState: job.state, attempts: job.attempts }, ip: actor.ip });
  });
}

export async function retryAllDeadJobs(ctx: AppContext, actor: Actor): Promise<number> {
  const { actorId } = requireAdmin(actor);
  return ctx.db.transaction().execute(async (trx) => {
    const count = await retryDeadJobs(trx);
    if (count > 0) await recordAudit(trx, { actorId, action: 'job.retried_all_dead', subject: 'jobs', detail: { count }, ip: actor.ip });
    return count;
  });
}

// -------------------------------------------------------------------------------------------------- mail

export type MailStatus = 'queued' | 'sent' | 'kept' | 'failed';

export interface MailSummary {
  id: number;
  to: string;
  subject: string;
  template: string;
  status: MailStatus;
  createdAt: Date;
  sentAt: Date | null;
}

export interface MailDetail extends MailSummary {
  text: string;
  html: string | null;
  headers: Record<string, string>;
}

export async function listMail(ctx: AppContext, actor: Actor, query: { cursor?: string; limit: number }): Promise<Page<MailSummary>> {
  requireAdmin(actor);
  const older = olderThan(query.cursor, 'created_at', 'id');
  let q = ctx.db
    .selectFrom('mail_messages')
    .select(['id', 'to_address', 'subject', 'template', 'status', 'created_at', 'sent_at', createdText('created_at').as('created_text')])
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(query.limit + 1);
  if (older) q = q.where(older);
  const page = toPage(await q.execute(), query.limit, (r) => [r.created_text, r.id]);
  return {
    nextCursor: page.nextCursor,
    items: page.items.map((r) => ({ id: r.id, to: r.to_address, subject: r.subject, template: r.template, status: r.status, createdAt: r.created_at, sentAt: r.sent_at })),
  };
}

function stringRecord(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}

export async function getMail(ctx: AppContext, actor: Actor, id: number): Promise<MailDetail> {
  requireAdmin(actor);
  const r = await ctx.db.selectFrom('mail_messages').selectAll().where('id', '=', id).executeTakeFirst();
  if (!r) throw notFound(`There is no message ${id} in the outbox.`);
  return {
    id: r.id,
    to: r.to_address,
    subject: r.subject,
    template: r.template,
    status: r.status,
    createdAt: r.created_at,
    sentAt: r.sent_at,
    text: r.text_body,
    html: r.html_body,
    headers: stringRecord(r.headers),
  };
}

// ---------------------------------------------------------------------------------------------- API keys

export async function listKeys(ctx: AppContext, actor: Actor): Promise<ApiKeyInfo[]> {
  requireAdmin(actor);
  return listApiKeys(ctx.db);
}

/** Creates a key; the secret is returned here and never again (only its hash is kept). */
export async function createKey(ctx: AppContext, actor: Actor, input: { name: string; scopes: string[] }): Promise<{ key: string; info: ApiKeyInfo }> {
  const { actorId } = requireAdmin(actor);
  return ctx.db.transaction().execute(async (trx) => {
    const created = await createApiKey(trx, { name: input.name, scopes: input.scopes, createdBy: actorId });
    await recordAudit(trx, {
      actorId,
      action: 'api_key.created',
      subject: `api_key:${created.info.id}`,
      detail: { name: created.info.name, prefix: created.info.prefix, scopes: created.info.scopes },
      ip: actor.ip,
    });
    return created;
  });
}

export async function revokeKey(ctx: AppContext, actor: Actor, id: number): Promise<void> {
  const { actorId } = requireAdmin(actor);
  await ctx.db.transaction().execute(async (trx) => {
    const key = await trx.selectFrom('api_keys').select(['name', 'prefix', 'revoked_at']).where('id', '=', id).executeTakeFirst();
    if (!key) throw notFound(`There is no API key ${id}.`);
    if (!(await revokeApiKey(trx, id))) throw conflict(`The API key ${key.name} is already revoked.`, 'already_revoked');
    await recordAudit(trx, { actorId, action: 'api_key.revoked', subject: `api_key:${id}`, detail: { name: key.name, prefix: key.prefix }, ip: actor.ip });
  });
}

// ------------------------------------------------------------------------------------------------- users

export interface AdminUser {
  id: number;
  displayName: string;
  username: string;
  email: string;
  role: Role;
  verified: boolean;
  joinedAt: Date;
}

/** `%` and `_` typed in the search box are looked for literally. */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}

export async function listUsers(ctx: AppContext, actor: Actor, query: { q?: string; cursor?: string; limit: number }): Promise<Page<AdminUser>> {
  requireAdmin(actor);
  const older = olderThan(query.cursor, 'created_at', 'id');
  let q = ctx.db
    .selectFrom('users')
    .select(['id', 'display_name', 'username', 'email', 'role', 'email_verified_at', 'created_at', createdText('created_at').as('created_text')])
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(query.limit + 1);
  const search = query.q?.trim();
  if (search) {
    const pattern = likePattern(search);
    q = q.where((eb) => eb.or([eb('display_name', 'ilike', pattern), eb('email', 'ilike', pattern), eb('username', 'ilike', pattern)]));
  }
  if (older) q = q.where(older);
  const page = toPage(await q.execute(), query.limit, (r) => [r.created_text, r.id]);
  return {
    nextCursor: page.nextCursor,
    items: page.items.map((r) => ({
      id: r.id,
      displayName: r.display_name,
      username: r.username,
      email: r.email,
      role: r.role,
      verified: r.email_verified_at !== null,
      joinedAt: r.created_at,
    })),
  };
}

/**
 * Changes a member's role. The community must keep at least one administrator, so the last one cannot
 * be demoted (by themselves or by an API key). The admins' rows are locked first so two admins demoting
 * each other at the same moment cannot both succeed.
 */
export async function changeRole(ctx: AppContext, actor: Actor, userId: number, role: Role): Promise<AdminUser> {
  const { actorId } = requireAdmin(actor);
  return ctx.db.transaction().execute(async (trx) => {
    const admins = await trx.selectFrom('users').select('id').where('role', '=', 'admin').orderBy('id').forUpdate().execute();
    const target = await trx
      .selectFrom('users')
      .select(['id', 'display_name', 'username', 'email', 'role', 'email_verified_at', 'created_at'])
      .where('id', '=', userId)
      .forUpdate()
      .executeTakeFirst();
    if (!target) throw notFound(`There is no member ${userId}.`);
    const result: AdminUser = {
      id: target.id,
      displayName: target.display_name,
      username: target.username,
      email: target.email,
      role,
      verified: target.email_verified_at !== null,
      joinedAt: target.created_at,
    };
    if (target.role === role) return result;
    if (target.role === 'admin' && admins.length <= 1) {
      throw conflict(
        target.id === actorId
          ? 'You are the last administrator: make someone else an administrator before changing your own role.'
          : `${target.display_name} is the last administrator and cannot be demoted.`,
        'last_admin',
      );
    }
    await trx.updateTable('users').set({ role, updated_at: new Date() }).where('id', '=', userId).execute();
    await recordAudit(trx, { actorId, action: 'user.role_changed', subject: `user:${userId}`, detail: { from: target.role, to: role }, ip: actor.ip });
    return result;
  });
}

// ---------------------------------------------------------------------------------------------- settings

export function getSettings(ctx: AppContext, actor: Actor): SiteSettings {
  requireAdmin(actor);
  return ctx.site;
}

/**
 * Validates and saves the site settings, then swaps them into `ctx.site` so this process shows them at
 * once. (Other processes pick them up when they restart.)
 */
export async function updateSettings(ctx: AppContext, actor: Actor, input: Partial<Record<keyof SiteSettings, unknown>>): Promise<SiteSettings> {
  const { actorId } = requireAdmin(actor);
  const merged = { ...ctx.site, ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) };
  const parsed = siteSettingsSchema.safeParse(merged);
  if (!parsed.success) {
    const fields: FieldErrors = {};
    for (const issue of parsed.error.issues) fields[String(issue.path[0] ?? '_')] ??= issue.message;
    throw validationFailed(fields);
  }
  const next = parsed.data;
  const changed = (Object.keys(next) as Array<keyof SiteSettings>).filter((k) => next[k] !== ctx.site[k]);
  if (changed.length === 0) return ctx.site;
  await ctx.db.transaction().execute(async (trx) => {
    await saveSiteSettings(trx, Object.fromEntries(changed.map((k) => [k, next[k]])));
    await recordAudit(trx, {
      actorId,
      action: 'settings.updated',
      subject: 'settings',
      detail: Object.fromEntries(changed.map((k) => [k, { from: ctx.site[k], to: next[k] }])),
      ip: actor.ip,
    });
  });
  ctx.site = next;
  return next;
}

// ------------------------------------------------------------------------------------------------- audit

export interface AuditEntryView {
  id: number;
  actorId: number | null;
  actorName: string | null;
  action: string;
  subject: string | null;
  detail: Record<string, unknown>;
  ip: string | null;
  createdAt: Date;
}

export async function listAudit(ctx: AppContext, actor: Actor, query: { cursor?: string; limit: number }): Promise<Page<AuditEntryView>> {
  requireAdmin(actor);
  const older = olderThan(query.cursor, 'audit_log.created_at', 'audit_log.id');
  let q = ctx.db
    .selectFrom('audit_log')
    .leftJoin('users', 'users.id', 'audit_log.actor_id')
    .select(['audit_log.id', 'audit_log.actor_id', 'users.display_name', 'audit_log.action', 'audit_log.subject', 'audit_log.detail', 'audit_log.ip', 'audit_log.created_at', createdText('audit_log.created_at').as('created_text')])
    .orderBy('audit_log.created_at', 'desc')
    .orderBy('audit_log.id', 'desc')
    .limit(query.limit + 1);
  if (older) q = q.where(older);
  const page = toPage(await q.execute(), query.limit, (r) => [r.created_text, r.id]);
  return {
    nextCursor: page.nextCursor,
    items: page.items.map((r) => ({
      id: r.id,
      actorId: r.actor_id,
      actorName: r.display_name,
      action: r.action,
      subject: r.subject,
      detail: r.detail && typeof r.detail === 'object' && !Array.isArray(r.detail) ? Object.fromEntries(Object.entries(r.detail)) : {},
      ip: r.ip,
      createdAt: r.created_at,
    })),
  };
}
