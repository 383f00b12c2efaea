import { z } from 'zod';
import { followTargetKinds, notificationKinds } from './tables.ts';

/** Schemas shared by the notification pages, the JSON API and its OpenAPI document. */

export const notificationKindSchema = z
  .enum(notificationKinds)
  .describe('mention, reply_to_topic, reply_to_reply, answer_accepted, new_topic (followed space or tag), new_reply (followed topic), reaction');

export const followKindSchema = z.enum(followTargetKinds, { error: 'Choose a topic, space or tag to follow.' }).describe('what is followed');

export const notificationSchema = z
  .object({
    id: z.number().int(),
    kind: notificationKindSchema,
    actor: z
      .object({ id: z.number().int(), username: z.string(), displayName: z.string(), avatarUrl: z.string().nullable() })
      .nullable()
      .describe('who did it'),
    topicId: z.number().int().nullable(),
    replyId: z.number().int().nullable(),
    topicTitle: z.string(),
    excerpt: z.string().describe('plain text'),
    url: z.string().describe('path of the post on this site'),
    reaction: z.string().nullable().describe('the reaction, for kind reaction'),
    read: z.boolean(),
    createdAt: z.string().describe('ISO 8601'),
  })
  .meta({ id: 'Notification' });

export const notificationsQuery = z.object({
  cursor: z.string().max(500).optional().describe('opaque cursor from a previous page'),
  limit: z.coerce.number().int().min(1).max(100).default(25).describe('items per page, 1–100'),
  unread: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true')
    .describe('only unread notifications'),
});

export const markReadBody = z
  .union([
    z.strictObject({ ids: z.array(z.number().int().positive()).min(1).max(100).describe('notifications to mark read') }),
    z.strictObject({ all: z.literal(true).describe('mark every notification read') }),
  ])
  .meta({ id: 'MarkNotificationsRead' });

export const markReadResponse = z.object({ marked: z.number().int().describe('how many changed from unread to read'), unread: z.number().int().describe('unread count now') });

export const unreadCountSchema = z.object({ unread: z.number().int().describe(`unread notifications, counted up to 100`) });

const followTargetRef = z
  .union([z.string().trim().min(1).max(80), z.number().int().positive()])
  .transform((v) => String(v))
  .describe('topic id; space or tag slug (or id)');

export const followBody = z.strictObject({ kind: followKindSchema, target: followTargetRef }).meta({ id: 'Follow' });

export const followQuery = z.object({ kind: followKindSchema, target: z.string().trim().min(1).max(80).describe('topic id; space or tag slug (or id)') });

export const followListQuery = z.object({
  cursor: z.string().max(500).optional().describe('opaque cursor from a previous page'),
  limit: z.coerce.number().int().min(1).max(100).default(25).describe('items per page, 1–100'),
  kind: followKindSchema.optional(),
});

export const followSchema = z
  .object({
    kind: followKindSchema,
    id: z.number().int(),
    name: z.string().describe('topic title, space or tag name'),
    url: z.string(),
    followedAt: z.string().describe('ISO 8601').optional(),
  })
  .meta({ id: 'FollowTarget' });

export const followResponse = z.object({ following: z.boolean(), target: followSchema.nullable() });

/** The follow/unfollow form on topic and space pages. */
export const followForm = z.object({
  kind: followKindSchema,
  target: z.string().trim().min(1).max(80),
  action: z.enum(['follow', 'unfollow']),
  return: z.string().max(500).optional(),
});

export const markReadForm = z.object({
  id: z
    .string()
    .optional()
    .transform((v) => (v ? Number(v) : undefined))
    .pipe(z.number().int().positive().optional()),
  all: z.string().optional(),
});
