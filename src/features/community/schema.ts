import { z } from 'zod';
import { spaceVisibilities, topicKinds } from './tables.ts';
import { tagsApiField, tagsFormField } from './tags.ts';

/** Schemas shared by the community forms, the JSON API and its OpenAPI document. */

export const TITLE_MIN_LENGTH = 5;
export const TITLE_MAX_LENGTH = 150;
export const TOPIC_BODY_MAX_LENGTH = 50_000;
export const REPLY_BODY_MAX_LENGTH = 20_000;

export const topicKindSchema = z
  .enum(topicKinds, { error: 'Choose a question, discussion, story or announcement.' })
  .describe('question (can have an accepted answer), discussion, story, or announcement (staff only)');

const titleSchema = z
  .string({ error: 'Give your topic a title.' })
  .trim()
  .min(1, 'Give your topic a title.')
  .min(TITLE_MIN_LENGTH, `Use at least ${TITLE_MIN_LENGTH} characters in the title.`)
  .max(TITLE_MAX_LENGTH, `Keep the title to ${TITLE_MAX_LENGTH} characters.`)
  .describe('plain text title');

const topicBodySchema = z
  .string({ error: 'Write something in the body.' })
  .trim()
  .min(1, 'Write something in the body.')
  .max(TOPIC_BODY_MAX_LENGTH, `Keep the body to ${TOPIC_BODY_MAX_LENGTH.toLocaleString('en')} characters.`)
  .describe('Markdown; raw HTML is shown as text');

const replyBodySchema = z
  .string({ error: 'Write your reply first.' })
  .trim()
  .min(1, 'Write your reply first.')
  .max(REPLY_BODY_MAX_LENGTH, `Keep a reply to ${REPLY_BODY_MAX_LENGTH.toLocaleString('en')} characters.`)
  .describe('Markdown; raw HTML is shown as text');

const spaceSlugSchema = z.string({ error: 'Choose a space.' }).trim().min(1, 'Choose a space.').max(80).describe('slug of the space, e.g. ask');

/** An HTML checkbox: present when ticked, absent otherwise. */
const checkbox = z
  .unknown()
  .optional()
  .transform((v) => v === 'on' || v === 'true' || v === '1');

const idFromText = (message: string) => z.coerce.number({ error: message }).int(message).positive(message);

export const newTopicForm = z.object({
  space: spaceSlugSchema,
  kind: topicKindSchema,
  title: titleSchema,
  body: topicBodySchema,
  pinned: checkbox,
  tags: tagsFormField,
});

export const replyForm = z.object({
  body: replyBodySchema,
  replyTo: z
    .string()
    .optional()
    .transform((v) => (v ? Number(v) : undefined))
    .pipe(z.number().int().positive().optional()),
});

export const acceptForm = z.object({ replyId: idFromText('Choose the reply to accept.') });

export interface NewTopicInput {
  space: string;
  kind: z.output<typeof topicKindSchema>;
  title: string;
  body: string;
  pinned: boolean;
  /** Normalised tag slugs, at most five (tags.ts). */
  tags?: string[];
}

export interface NewReplyInput {
  body: string;
  replyTo?: number;
}

// JSON API

export const createTopicBody = z
  .strictObject({
    space: spaceSlugSchema,
    kind: topicKindSchema,
    title: titleSchema,
    body: topicBodySchema,
    pinned: z.boolean().default(false).describe('pin to the top of the space (moderators only)'),
    tags: tagsApiField,
  })
  .meta({ id: 'CreateTopic' });

export const createReplyBody = z
  .strictObject({
    body: replyBodySchema,
    replyToId: z.number().int().positive().optional().describe('the reply this one answers, in the same topic'),
  })
  .meta({ id: 'CreateReply' });

export const acceptBody = z.strictObject({ replyId: z.number().int().positive().describe('a reply in this topic') }).meta({ id: 'AcceptAnswer' });

export const topicIdParams = z.object({ id: idFromText('The topic id is a positive number.').describe('topic id') });
export const spaceSlugParams = z.object({ slug: z.string().min(1).max(80).describe('space slug, e.g. ask') });

export const spaceTopicsQuery = z.object({
  cursor: z.string().max(500).optional().describe('opaque cursor from a previous page'),
  limit: z.coerce.number().int().min(1).max(100).default(25).describe('items per page, 1–100'),
  kind: topicKindSchema.optional(),
});

export const authorSchema = z
  .object({
    id: z.number().int(),
    username: z.string(),
    displayName: z.string(),
    avatarUrl: z.string().nullable(),
  })
  .meta({ id: 'Author' });

export const spaceSchema = z
  .object({
    id: z.number().int(),
    slug: z.string(),
    name: z.string(),
    description: z.string(),
    icon: z.string().describe('icon name'),
    color: z.string().describe('#rrggbb'),
    visibility: z.enum(spaceVisibilities),
    defaultKind: topicKindSchema,
    topicCount: z.number().int(),
    replyCount: z.number().int(),
    url: z.string(),
  })
  .meta({ id: 'Space' });

export const topicSummarySchema = z
  .object({
    id: z.number().int(),
    space: z.object({ slug: z.string(), name: z.string() }),
    kind: topicKindSchema,
    title: z.string(),
    slug: z.string(),
    url: z.string(),
    author: authorSchema,
    pinned: z.boolean(),
    solved: z.boolean().describe('a question with an accepted answer'),
    replyCount: z.number().int(),
    viewCount: z.number().int(),
    lastActivityAt: z.string().describe('ISO 8601'),
    createdAt: z.string().describe('ISO 8601'),
    tags: z.array(z.string()).describe('tag slugs; each lists its topics at /tag/{slug}'),
  })
  .meta({ id: 'TopicSummary' });

export const replySchema = z
  .object({
    id: z.number().int(),
    topicId: z.number().int(),
    author: authorSchema,
    bodyMarkdown: z.string(),
    bodyHtml: z.string().describe('sanitised HTML'),
    replyToId: z.number().int().nullable(),
    accepted: z.boolean(),
    createdAt: z.string().describe('ISO 8601'),
    editedAt: z.string().nullable().describe('ISO 8601 of the last edit; its history is at /replies/{id}/revisions'),
  })
  .meta({ id: 'Reply' });

const replyPageSchema = z.object({ items: z.array(replySchema), nextCursor: z.string().nullable() });

export const topicSchema = topicSummarySchema
  .extend({
    bodyMarkdown: z.string(),
    bodyHtml: z.string().describe('sanitised HTML'),
    acceptedReplyId: z.number().int().nullable(),
    solvedAt: z.string().nullable(),
    editedAt: z.string().nullable().describe('ISO 8601 of the last edit; its history is at /topics/{id}/revisions'),
    replies: replyPageSchema.describe('the first page of replies; continue with GET /topics/{id}/replies?cursor='),
  })
  .meta({ id: 'Topic' });
