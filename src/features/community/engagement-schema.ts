import { z } from 'zod';
import { pageQuery } from '../../platform/http/pagination.ts';
import { authorSchema, newTopicForm, replyForm, REPLY_BODY_MAX_LENGTH, TOPIC_BODY_MAX_LENGTH } from './schema.ts';
import { reactionKinds } from './tables.ts';

/** Schemas of engagement with posts: forms, the JSON API and its OpenAPI document. */

const idFromText = (message: string) => z.coerce.number({ error: message }).int(message).positive(message);
const optionalIdFromText = z
  .string()
  .optional()
  .transform((v) => (v ? Number(v) : undefined))
  .pipe(z.number().int().positive().optional());

export const replyIdParams = z.object({ replyId: idFromText('The reply id is a positive number.').describe('reply id') });
export const apiReplyIdParams = z.object({ id: idFromText('The reply id is a positive number.').describe('reply id') });

export const editTopicForm = newTopicForm.pick({ title: true, body: true });
export const editReplyForm = replyForm.pick({ body: true });

export const reactionKindSchema = z.enum(reactionKinds, { error: 'Choose like, heart, tada, smile or thinking.' }).describe('like 👍, heart ❤️, tada 🎉, smile 😄 or thinking 🤔');

/** A reaction button says the end state it asks for, e.g. `on:like` or `off:heart`. */
export const reactionForm = z.object({
  replyId: optionalIdFromText,
  reaction: z
    .string({ error: 'Choose a reaction.' })
    .regex(/^(on|off):[a-z]+$/, 'Choose a reaction.')
    .transform((v) => {
      const [state, kind] = v.split(':');
      return { on: state === 'on', kind };
    })
    .pipe(z.object({ on: z.boolean(), kind: reactionKindSchema })),
});

export const bookmarkForm = z.object({
  replyId: optionalIdFromText,
  bookmark: z.enum(['on', 'off'], { error: 'Say whether to bookmark.' }),
});

export const replyFormQuery = z.object({
  cursor: z.string().max(500).optional(),
  replyTo: optionalIdFromText.catch(undefined),
  quote: optionalIdFromText.catch(undefined),
});

// JSON API

export const editTopicBody = z
  .strictObject({
    title: editTopicForm.shape.title,
    body: editTopicForm.shape.body,
  })
  .meta({ id: 'EditTopic' });

export const editReplyBody = z.strictObject({ body: editReplyForm.shape.body }).meta({ id: 'EditReply' });

export const revisionSchema = z
  .object({
    version: z.number().int().describe('1 is the first version'),
    title: z.string().nullable().describe('the topic title of this version; null for replies'),
    bodyMarkdown: z.string(),
    bodyHtml: z.string().describe('sanitised HTML'),
    editor: z.object({ id: z.number().int(), username: z.string(), displayName: z.string() }).describe('who wrote this version'),
    at: z.string().describe('ISO 8601: when this version was written'),
    current: z.boolean(),
  })
  .meta({ id: 'Revision' });

export const revisionsSchema = z.object({ items: z.array(revisionSchema).describe('newest first'), nextCursor: z.null() });

export const deletedSchema = z.object({ id: z.number().int(), deleted: z.boolean() }).meta({ id: 'DeletedState' });

export const reactionKindParams = z.object({ id: idFromText('The id is a positive number.').describe('topic or reply id'), kind: reactionKindSchema });

export const reactionSummarySchema = z
  .object({
    items: z.array(z.object({ kind: reactionKindSchema, count: z.number().int(), mine: z.boolean().describe('whether you gave it') })).describe('every kind, in a fixed order'),
  })
  .meta({ id: 'Reactions' });

export const bookmarkSchema = z
  .object({
    id: z.number().int(),
    createdAt: z.string().describe('ISO 8601'),
    topic: z.object({ id: z.number().int(), title: z.string(), url: z.string(), kind: z.string(), space: z.object({ slug: z.string(), name: z.string() }) }),
    replyId: z.number().int().nullable().describe('null when the topic itself is bookmarked'),
    url: z.string(),
    excerpt: z.string(),
    author: authorSchema,
  })
  .meta({ id: 'Bookmark' });

export const createBookmarkBody = z
  .strictObject({
    topicId: z.number().int().positive().optional().describe('the topic to bookmark'),
    replyId: z.number().int().positive().optional().describe('or a reply (its topic is found from it)'),
  })
  .meta({ id: 'CreateBookmark' });

export const bookmarkIdParams = z.object({ id: idFromText('The bookmark id is a positive number.').describe('bookmark id') });

export const bookmarkTargetSchema = z.object({ topicId: z.number().int(), replyId: z.number().int().nullable(), bookmarked: z.boolean() }).meta({ id: 'BookmarkState' });

export const bookmarksQuery = pageQuery;

export const previewBody = z
  .strictObject({
    markdown: z
      .string()
      .max(Math.max(TOPIC_BODY_MAX_LENGTH, REPLY_BODY_MAX_LENGTH), `Keep the text to ${TOPIC_BODY_MAX_LENGTH.toLocaleString('en')} characters.`)
      .describe('Markdown as a member would post it'),
  })
  .meta({ id: 'MarkdownPreview' });

export const previewSchema = z.object({ html: z.string().describe('sanitised HTML, exactly as the post would show') });

export const mentionsQuery = z.object({
  q: z.string().trim().max(60).describe('the start of a username or display name, with or without @'),
  topicId: z.coerce.number().int().positive().optional().describe('only suggest members who can see this topic'),
});

export const mentionSchema = z.object({ username: z.string(), displayName: z.string(), avatarUrl: z.string().nullable() }).meta({ id: 'MentionSuggestion' });

export const uploadSchema = z
  .object({
    id: z.number().int(),
    url: z.string(),
    thumbnailUrl: z.string().nullable(),
    contentType: z.string(),
    sizeBytes: z.number().int(),
    width: z.number().int(),
    height: z.number().int(),
    markdown: z.string().describe('the thumbnail linking to the full image, ready to paste'),
  })
  .meta({ id: 'Upload' });
