import { feedLinks } from '../seo/service.ts';
import type { z } from 'zod';
import type { MountArgs } from '../index.ts';
import type { HearthContext } from '../../platform/http/env.ts';
import { AppError, fromZodError } from '../../platform/http/errors.ts';
import { pageQuery, pageSchema } from '../../platform/http/pagination.ts';
import { renderPage } from '../../web/layout.tsx';
import { listSpaces, type TopicSummary } from '../community/service.ts';
import { topicSummarySchema } from '../community/schema.ts';
import { listTags, listTagTopics, suggestTags } from '../community/tags.ts';
import type { searchHitSchema } from './schema.ts';
import { RESULTS_PER_PAGE, searchApiQuery, searchPageQuery, searchResultSchema, similarQuery, similarQuestionSchema, tagSchema, tagSlugParams, tagsQuery } from './schema.ts';
import { cursorFromOffset, offsetFromCursor, search, similarQuestions, type SearchHit } from './service.ts';
import { SimilarQuestionsList, TagOptions } from './views/parts.tsx';
import { SearchPage, type SearchFormValues } from './views/search-page.tsx';
import { TagPage, TagsPage } from './views/tag-pages.tsx';

const TAG_PAGE_SIZE = 30;

const hitJson = (h: SearchHit): z.input<typeof searchHitSchema> => ({ ...h, createdAt: h.createdAt.toISOString(), similarTitle: h.corrected });

const topicSummaryJson = (t: TopicSummary): z.input<typeof topicSummarySchema> => ({
  id: t.id,
  space: { slug: t.space.slug, name: t.space.name },
  kind: t.kind,
  title: t.title,
  slug: t.slug,
  url: t.url,
  author: t.author,
  pinned: t.pinned,
  solved: t.solved,
  replyCount: t.replyCount,
  viewCount: t.viewCount,
  lastActivityAt: t.lastActivityAt.toISOString(),
  createdAt: t.createdAt.toISOString(),
  tags: t.tags ?? [],
});

function formValues(c: HearthContext): SearchFormValues {
  const q = c.req.query();
  return { q: q.q, space: q.space, kind: q.kind, solved: q.solved, tag: q.tag, author: q.author, after: q.after, before: q.before };
}

export function mountSearchRoutes({ app, api, ctx }: MountArgs): void {
  // Pages

  app.get('/search', async (c) => {
    const viewer = c.get('user');
    const values = formValues(c);
    const [spaces, popular] = await Promise.all([listSpaces(ctx, viewer), listTags(ctx, viewer, { limit: 12 })]);
    const meta = { title: values.q ? `Search: ${values.q}` : 'Search', section: 'community', noindex: true };
    const render = (results: Awaited<ReturnType<typeof search>> | null, status: 200 | 400 = 200, fields?: Record<string, string>) =>
      renderPage(c, meta, <SearchPage values={values} results={results} spaces={spaces} popularTags={popular.items} perPage={RESULTS_PER_PAGE} fields={fields} />, status);
    const parsed = searchPageQuery.safeParse(c.req.query());
    if (!parsed.success) return render(null, 400, fromZodError(parsed.error).fields);
    const { page, ...filters } = parsed.data;
    try {
      const results = await search(ctx, viewer, filters, { offset: (page - 1) * RESULTS_PER_PAGE, limit: RESULTS_PER_PAGE });
      return render(filters.q ? results : null);
    } catch (err) {
      if (err instanceof AppError && err.status === 400) return render(null, 400, err.fields ?? { page: err.message });
      throw err;
    }
  });

  // The new-topic form's suggestions while typing a question's title (htmx swaps this fragment in).
  app.get('/search/similar', async (c) => {
    const parsed = similarQuery.safeParse(c.req.query());
    c.header('Cache-Control', 'private, no-store');
    if (!parsed.success || (parsed.data.kind && parsed.data.kind !== 'question')) return c.html('');
    const questions = await similarQuestions(ctx, c.get('user'), parsed.data);
    return c.html(<SimilarQuestionsList questions={questions} />);
  });

  // Options for the tag field's datalist (htmx).
  app.get('/tags/suggest', async (c) => {
    const typed = (c.req.query('tags') ?? '').slice(0, 300);
    const last = typed.split(',').at(-1)?.trim() ?? '';
    c.header('Cache-Control', 'private, no-store');
    if (!last) return c.html('');
    const suggestions = await suggestTags(ctx, c.get('user'), last, 8);
    return c.html(<TagOptions typed={typed} suggestions={suggestions.map((s) => s.slug)} />);
  });

  app.get('/tags', async (c) => {
    const parsed = pageQuery.safeParse({ cursor: c.req.query('cursor'), limit: 100 });
    if (!parsed.success) throw fromZodError(parsed.error);
    const tags = await listTags(ctx, c.get('user'), parsed.data);
    return renderPage(c, { title: 'Tags', description: `Topics of ${ctx.site.siteName} by subject.`, section: 'community', noindex: parsed.data.cursor !== undefined }, <TagsPage tags={tags} />);
  });

  app.get('/tag/:slug', async (c) => {
    const cursor = c.req.query('cursor');
    const result = await listTagTopics(ctx, c.get('user'), c.req.param('slug'), { cursor, limit: TAG_PAGE_SIZE });
    return renderPage(
      c,
      { title: `Tagged ${result.tag.slug}`, description: `Topics tagged ${result.tag.slug} on ${ctx.site.siteName}.`, section: 'community', canonicalPath: result.tag.url, noindex: cursor !== undefined, feeds: feedLinks(`Tagged ${result.tag.slug}`, `${result.tag.url}/feed`) },
      <TagPage tag={result.tag} topics={result.topics} cursor={cursor} />,
    );
  });

  // JSON API

  api.route({
    method: 'get',
    path: '/search',
    summary: 'Search topics and replies',
    description:
      'Full-text search ranked by relevance (titles weigh most), with highlighted excerpts, over the spaces you can see. When full text finds little and a word of the query is in no post you can see, its closest known spelling is searched for and those results are added with `corrected: true`, the corrected query in `correctedQuery`. Pages by an opaque cursor up to 500 results.',
    tag: 'Search',
    access: { public: true },
    query: searchApiQuery,
    response: searchResultSchema,
    handler: async (c, { query }) => {
      const { cursor, limit, ...filters } = query;
      const results = await search(ctx, c.get('user'), filters, { offset: offsetFromCursor(cursor), limit });
      return { items: results.items.map(hitJson), nextCursor: cursorFromOffset(results.nextOffset), fallback: results.fallback, correctedQuery: results.correctedQuery, anyWords: results.anyWords };
    },
  });

  api.route({
    method: 'get',
    path: '/search/similar',
    summary: 'Questions similar to a title',
    description: 'Up to five questions sharing words with the title, solved ones first: what the new-topic form shows while a question is typed.',
    tag: 'Search',
    access: { public: true },
    query: similarQuery,
    response: pageSchema(similarQuestionSchema),
    handler: async (c, { query }) => ({ items: await similarQuestions(ctx, c.get('user'), query), nextCursor: null }),
  });

  api.route({
    method: 'get',
    path: '/tags',
    summary: 'Tags, most used first, or those starting with `q`',
    description: 'Counts include only topics you can see.',
    tag: 'Search',
    access: { public: true },
    query: tagsQuery,
    response: pageSchema(tagSchema),
    handler: async (c, { query }) => {
      if (query.q) return { items: await suggestTags(ctx, c.get('user'), query.q, query.limit), nextCursor: null };
      return listTags(ctx, c.get('user'), { cursor: query.cursor, limit: query.limit });
    },
  });

  api.route({
    method: 'get',
    path: '/tags/{slug}/topics',
    summary: "A tag's topics, latest activity first",
    tag: 'Search',
    access: { public: true },
    params: tagSlugParams,
    query: pageQuery,
    response: pageSchema(topicSummarySchema),
    handler: async (c, { params, query }) => {
      const result = await listTagTopics(ctx, c.get('user'), params.slug, query);
      return { items: result.topics.items.map(topicSummaryJson), nextCursor: result.topics.nextCursor };
    },
  });
}
