import { z } from 'zod';
import { authorSchema, topicKindSchema } from '../community/schema.ts';

/** Schemas of the search pages and API: filters, hits, similar questions and tags. */

export const QUERY_MAX_LENGTH = 200;
export const RESULTS_PER_PAGE = 20;
/** Ranked search pages by offset; past this many results a narrower query serves better than paging on. */
export const MAX_OFFSET = 500;

const dateFilter = (name: string) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (!v) return undefined;
      const date = /^\d{4}-\d{2}-\d{2}$/.test(v) ? new Date(`${v}T00:00:00Z`) : new Date(Number.NaN);
      if (Number.isNaN(date.getTime())) {
        ctx.addIssue({ code: 'custom', message: `The ${name} date must look like 2024-05-31.` });
        return z.NEVER;
      }
      return date;
    })
    .describe(`${name} date, YYYY-MM-DD (UTC)`);

const solvedFilter = z
  .enum(['', 'yes', 'no', 'true', 'false'], { error: 'Solved is yes or no.' })
  .optional()
  .transform((v) => (v === 'yes' || v === 'true' ? true : v === 'no' || v === 'false' ? false : undefined))
  .describe('questions with (yes) or without (no) an accepted answer');

/** The filters the page's form and the API share; empty form fields mean "any". */
export const searchFilters = z.object({
  q: z.string().trim().max(QUERY_MAX_LENGTH, `Keep the search to ${QUERY_MAX_LENGTH} characters.`).default('').describe('words to find; "quoted phrase", OR, -word work as on web search engines'),
  space: z.string().trim().max(80).optional().describe('space slug'),
  kind: z.union([z.literal('').transform(() => undefined), topicKindSchema]).optional(),
  solved: solvedFilter,
  tag: z.string().trim().max(60).optional().describe('tag slug'),
  author: z.string().trim().max(60).optional().describe("author's username, with or without @"),
  after: dateFilter('from'),
  before: dateFilter('to'),
});

export const searchPageQuery = searchFilters.extend({
  page: z.coerce.number({ error: 'The page is a number.' }).int('The page is a whole number.').min(1, 'Pages start at 1.').default(1),
});

export const searchApiQuery = searchFilters.extend({
  q: z.string().trim().min(1, 'Give something to search for.').max(QUERY_MAX_LENGTH, `Keep the search to ${QUERY_MAX_LENGTH} characters.`).describe('words to find; "quoted phrase", OR, -word work'),
  cursor: z.string().max(100).optional().describe('opaque cursor from a previous page'),
  limit: z.coerce.number().int().min(1).max(50).default(RESULTS_PER_PAGE).describe('hits per page, 1–50'),
});

export type SearchFilters = z.output<typeof searchFilters>;

export const searchHitSchema = z
  .object({
    type: z.enum(['topic', 'reply']).describe('a topic (its title or opening post matched) or a reply'),
    topicId: z.number().int(),
    replyId: z.number().int().nullable(),
    url: z.string(),
    title: z.string().describe('plain text'),
    titleHtml: z.string().describe('the title, HTML-escaped, with <mark> around matched words'),
    snippetHtml: z.string().describe('an excerpt, HTML-escaped, with <mark> around matched words'),
    space: z.object({ slug: z.string(), name: z.string() }),
    kind: topicKindSchema,
    solved: z.boolean(),
    replyCount: z.number().int(),
    author: authorSchema.omit({ id: true }),
    createdAt: z.string().describe('ISO 8601 time the matching post was written'),
    corrected: z.boolean().describe('found by the corrected spelling of the query (see `correctedQuery`), not by the words as typed'),
    similarTitle: z.boolean().describe('the same as `corrected`; kept for older clients').meta({ deprecated: true }),
  })
  .meta({ id: 'SearchHit' });

export const searchResultSchema = z
  .object({
    items: z.array(searchHitSchema),
    nextCursor: z.string().nullable().describe('pass as `cursor` for the next page; null at the end'),
    fallback: z.boolean().describe('full text found little, so results for a corrected spelling were added (see `correctedQuery`)'),
    correctedQuery: z.string().nullable().describe('the query with misspelt words corrected, when its results were added; null otherwise'),
    anyWords: z.boolean().describe('no post had every word of a plain query, so these have any of them'),
  })
  .meta({ id: 'SearchResults' });

export const similarQuery = z.object({
  title: z.string().trim().max(300).default('').describe('the title being typed'),
  spaceId: z.coerce.number().int().positive().optional().describe('only this space (id)'),
  space: z.string().trim().max(80).optional().describe('only this space (slug), as the new-topic form sends it'),
  kind: z.string().max(20).optional().describe('the form sends its kind; only questions get suggestions'),
});

export const similarQuestionSchema = z
  .object({
    id: z.number().int(),
    title: z.string(),
    url: z.string(),
    solved: z.boolean(),
    replyCount: z.number().int(),
    space: z.object({ slug: z.string(), name: z.string() }),
  })
  .meta({ id: 'SimilarQuestion' });

export const tagSchema = z.object({ slug: z.string(), topicCount: z.number().int().describe('topics you can see'), url: z.string() }).meta({ id: 'Tag' });

export const tagsQuery = z.object({
  q: z.string().trim().max(60).optional().describe('tags starting with this (autocomplete); all tags by use when absent'),
  cursor: z.string().max(200).optional().describe('opaque cursor from a previous page'),
  limit: z.coerce.number().int().min(1).max(100).default(25).describe('items per page, 1–100'),
});

export const tagSlugParams = z.object({ slug: z.string().min(1).max(60).describe('tag slug') });
