import { z } from 'zod';
import { apiScopes } from '../../platform/http/api.ts';
import { pageQuery } from '../../platform/http/pagination.ts';

export const jobStates = ['queued', 'running', 'failed', 'dead', 'done'] as const;
export const roles = ['member', 'moderator', 'admin'] as const;

const isoDate = z.iso.datetime().describe('ISO 8601 time, UTC');

export const idParams = z.object({ id: z.coerce.number().int().positive().describe('numeric id') });

export const jobsQuery = pageQuery.extend({
  state: z.enum(jobStates).default('queued').describe('which jobs to list'),
});

export const usersQuery = pageQuery.extend({
  q: z.string().trim().max(200).optional().describe('part of a name or email address'),
});

export const roleBody = z.object({ role: z.enum(roles).describe('the new role') });

/** Scope checkboxes arrive as one string or several; the API sends an array. */
export const apiKeyCreateBody = z.object({
  name: z.string().trim().min(1, 'Give the key a name.').max(80, 'Use at most 80 characters.').describe('what the key is for'),
  scopes: z
    .union([z.enum(apiScopes), z.array(z.enum(apiScopes))])
    .optional()
    .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]))
    .refine((v) => v.length > 0, 'Choose at least one scope.')
    .describe('read, write and/or admin'),
});

/** The settings form: a checkbox is absent when unticked. */
export const settingsForm = z.object({
  siteName: z.string(),
  tagline: z.string().default(''),
  brandColor: z.string(),
  allowSignups: z
    .union([z.literal('on'), z.boolean()])
    .optional()
    .transform((v) => v === 'on' || v === true),
});

export const overviewSchema = z
  .object({
    members: z.number().int(),
    verifiedMembers: z.number().int(),
    jobs: z.object({ queued: z.number().int(), running: z.number().int(), failed: z.number().int(), dead: z.number().int() }),
    mailKept: z.number().int().describe('messages kept in the outbox because no SMTP server is configured'),
  })
  .meta({ id: 'AdminOverview' });

export const jobSummarySchema = z
  .object({
    id: z.number().int(),
    kind: z.string(),
    state: z.enum(jobStates),
    attempts: z.number().int(),
    maxAttempts: z.number().int(),
    runAt: isoDate,
    lastError: z.string().nullable(),
    createdAt: isoDate,
  })
  .meta({ id: 'AdminJob' });

export const jobDetailSchema = jobSummarySchema
  .extend({
    payload: z.unknown(),
    lockedBy: z.string().nullable(),
    lockedAt: isoDate.nullable(),
    uniqueKey: z.string().nullable(),
    eventId: z.number().int().nullable(),
    finishedAt: isoDate.nullable(),
  })
  .meta({ id: 'AdminJobDetail' });

export const mailSummarySchema = z
  .object({
    id: z.number().int(),
    to: z.string(),
    subject: z.string(),
    template: z.string(),
    status: z.enum(['queued', 'sent', 'kept', 'failed']),
    createdAt: isoDate,
    sentAt: isoDate.nullable(),
  })
  .meta({ id: 'AdminMail' });

export const mailDetailSchema = mailSummarySchema
  .extend({ text: z.string(), html: z.string().nullable(), headers: z.record(z.string(), z.string()) })
  .meta({ id: 'AdminMailDetail' });

export const apiKeySchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    prefix: z.string().describe('the visible start of the key: hk_<prefix>_…'),
    scopes: z.array(z.string()),
    createdAt: isoDate,
    lastUsedAt: isoDate.nullable(),
    revokedAt: isoDate.nullable(),
    status: z.enum(['active', 'revoked']),
  })
  .meta({ id: 'AdminApiKey' });

export const createdApiKeySchema = z
  .object({ key: z.string().describe('the secret; shown only in this response'), apiKey: apiKeySchema })
  .meta({ id: 'AdminCreatedApiKey' });

export const userSchema = z
  .object({
    id: z.number().int(),
    displayName: z.string(),
    username: z.string(),
    email: z.string(),
    role: z.enum(roles),
    verified: z.boolean(),
    joinedAt: isoDate,
  })
  .meta({ id: 'AdminUser' });

export const settingsSchema = z
  .object({ siteName: z.string(), tagline: z.string(), brandColor: z.string(), allowSignups: z.boolean() })
  .meta({ id: 'SiteSettings' });

export const auditEntrySchema = z
  .object({
    id: z.number().int(),
    actorId: z.number().int().nullable(),
    actorName: z.string().nullable(),
    action: z.string(),
    subject: z.string().nullable(),
    detail: z.record(z.string(), z.unknown()),
    ip: z.string().nullable(),
    createdAt: isoDate,
  })
  .meta({ id: 'AuditEntry' });

export const retriedSchema = z.object({ retried: z.number().int().describe('how many jobs went back to the queue') });
