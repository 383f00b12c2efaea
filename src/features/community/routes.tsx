import type { z } from 'zod';
import type { MountArgs } from '../index.ts';
import type { HearthContext } from '../../platform/http/env.ts';
import { AppError, fromZodError } from '../../platform/http/errors.ts';
import { readFormBody } from '../../platform/http/body.ts';
import { redirectWithFlash } from '../../platform/http/flash.ts';
import { pageQuery, pageSchema } from '../../platform/http/pagination.ts';
import { renderPage } from '../../web/layout.tsx';
import { markdownToText } from '../../platform/markdown/index.ts';
import {
  acceptBody,
  acceptForm,
  createReplyBody,
  createTopicBody,
  newTopicForm,
  replyForm,
  replySchema,
  spaceSchema,
  spaceSlugParams,
  spaceTopicsQuery,
  topicIdParams,
  topicSchema,
  topicSummarySchema,
} from './schema.ts';
import * as community from './service.ts';
import { NewTopicPage, type NewTopicFormState } from './views/new-topic-page.tsx';
import { SpacePage } from './views/space-page.tsx';
import { SpacesPage } from './views/spaces-page.tsx';
import { TopicPage, type ReplyFormState } from './views/topic-page.tsx';
import { mountEngagementRoutes } from './engagement-routes.tsx';
import { mountSpaceAccessRoutes } from './space-admin-routes.tsx';
import { JoinableSpacesCard } from './views/space-access-pages.tsx';
import { replyFormQuery } from './engagement-schema.ts';
import { loadTopicEngagement, replyPrefill } from './topic-engagement.ts';
import { relatedQuestions } from '../search/service.ts';
import { topicJsonLd } from '../seo/structured-data.ts';
import { feedLinks } from '../seo/service.ts';

const TOPIC_PAGE_SIZE = 30;

// JSON shapes of the API: dates as ISO 8601 strings.

const spaceJson = (s: community.Space): z.input<typeof spaceSchema> => ({
  id: s.id,
  slug: s.slug,
  name: s.name,
  description: s.description,
  icon: s.icon,
  color: s.color,
  visibility: s.visibility,
  defaultKind: s.defaultKind,
  topicCount: s.topicCount,
  replyCount: s.replyCount,
  url: s.url,
});

const topicSummaryJson = (t: community.TopicSummary): z.input<typeof topicSummarySchema> => ({
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

const replyJson = (r: community.Reply): z.input<typeof replySchema> => ({
  id: r.id,
  topicId: r.topicId,
  author: r.author,
  bodyMarkdown: r.bodyMarkdown,
  bodyHtml: r.bodyHtml,
  replyToId: r.replyToId,
  accepted: r.accepted,
  createdAt: r.createdAt.toISOString(),
  editedAt: r.editedAt?.toISOString() ?? null,
});

async function topicJson(c: HearthContext, topic: community.Topic): Promise<z.input<typeof topicSchema>> {
  const replies = await community.listTopicReplies(c.get('app'), topic, { limit: 25 });
  return {
    ...topicSummaryJson(topic),
    bodyMarkdown: topic.bodyMarkdown,
    bodyHtml: topic.bodyHtml,
    acceptedReplyId: topic.acceptedReplyId,
    solvedAt: topic.solvedAt?.toISOString() ?? null,
    editedAt: topic.editedAt?.toISOString() ?? null,
    replies: { items: replies.items.map(replyJson), nextCursor: replies.nextCursor },
  };
}

function loginRedirect(c: HearthContext, next: string) {
  return c.redirect(`/login?next=${encodeURIComponent(next)}`, 303);
}

function parseTopicId(c: HearthContext): number {
  const parsed = topicIdParams.safeParse({ id: c.req.param('id') });
  if (!parsed.success) throw fromZodError(parsed.error);
  return parsed.data.id;
}

export function mountCommunityRoutes({ app, api, ctx }: MountArgs): void {
  // First, so `/t/:id/edit` and `/t/:id/revisions` are not taken for a topic's slug.
  mountEngagementRoutes({ app, api, ctx });
  // Before `/s/:slug`: a private space's door for members outside it, membership and /admin/spaces.
  mountSpaceAccessRoutes({ app, api, ctx });

  // Pages

  app.get('/spaces', async (c) => {
    const spaces = await community.listSpaces(ctx, c.get('user'));
    return renderPage(c, { title: 'Spaces', description: `Every space of ${ctx.site.siteName}: find where to ask, answer and share.`, section: 'community' }, <SpacesPage spaces={spaces} after={<JoinableSpacesCard c={c} />} />);
  });

  app.get('/s/:slug', async (c) => {
    const parsed = spaceTopicsQuery.safeParse(c.req.query());
    if (!parsed.success) throw fromZodError(parsed.error);
    const { kind, cursor } = parsed.data;
    const result = await community.listSpaceTopics(ctx, c.get('user'), c.req.param('slug'), { kind, cursor, limit: TOPIC_PAGE_SIZE, separatePinned: true });
    return renderPage(
      c,
      {
        title: result.space.name,
        description: result.space.description,
        section: 'community',
        canonicalPath: result.space.url,
        noindex: cursor !== undefined,
        feeds: result.space.visibility === 'public' ? feedLinks(result.space.name, `${result.space.url}/feed`) : undefined,
      },
      <SpacePage c={c} space={result.space} topics={result.topics} pinned={result.pinned} kind={kind} cursor={cursor} />,
    );
  });

  async function renderNewTopic(c: HearthContext, form: NewTopicFormState, status: 200 | 400 | 403 = 200) {
    const spaces = await community.listPostableSpaces(ctx, c.get('user'));
    // htmx: similar questions while the title is typed, and tag suggestions (search feature).
    return renderPage(c, { title: 'New topic', section: 'community', noindex: true, islands: ['editor'], htmx: true }, <NewTopicPage c={c} spaces={spaces} form={form} />, status);
  }

  app.get('/new', async (c) => {
    const viewer = c.get('user');
    if (!viewer) return loginRedirect(c, '/new');
    community.assertCanPost(viewer);
    return renderNewTopic(c, { space: c.req.query('space') });
  });

  app.get('/s/:slug/new', async (c) => {
    const viewer = c.get('user');
    const space = await community.getSpace(ctx, viewer, c.req.param('slug'));
    if (!viewer) return loginRedirect(c, `${space.url}/new`);
    community.assertCanPost(viewer);
    return renderNewTopic(c, { space: space.slug });
  });

  app.post('/new', async (c) => {
    const raw = await readFormBody(c);
    const text = (key: string) => (typeof raw[key] === 'string' ? raw[key] : undefined);
    const state: NewTopicFormState = { space: text('space'), kind: text('kind'), title: text('title'), body: text('body'), pinned: text('pinned') === 'on', tags: text('tags') };
    const parsed = newTopicForm.safeParse(raw);
    if (!parsed.success) {
      const err = fromZodError(parsed.error);
      return renderNewTopic(c, { ...state, message: 'Please correct the highlighted fields.', fields: err.fields }, 400);
    }
    try {
      const topic = await community.createTopic(ctx, c.get('user'), parsed.data);
      return redirectWithFlash(c, topic.url, 'success', 'Your topic is posted.');
    } catch (err) {
      if (err instanceof AppError && err.fields && (err.status === 400 || err.status === 403)) {
        return renderNewTopic(c, { ...state, message: err.message, fields: err.fields }, err.status);
      }
      throw err;
    }
  });

  app.get('/t/:id{[0-9]+}', async (c) => {
    const topic = await community.getTopic(ctx, c.get('user'), parseTopicId(c));
    return c.redirect(topic.url, 301);
  });

  async function renderTopic(c: HearthContext, topic: community.Topic, cursor: string | undefined, form: ReplyFormState = {}, status: 200 | 400 = 200) {
    const viewer = c.get('user');
    const [replies, accepted] = await Promise.all([
      community.listTopicReplies(ctx, topic, { cursor, limit: community.REPLIES_PER_PAGE, includeDeleted: community.isStaff(viewer) }),
      community.acceptedReply(ctx, topic),
    ]);
    const engagement = await loadTopicEngagement(ctx, viewer, topic, replies.items);
    const related = topic.kind === 'question' && !topic.deletedAt ? await relatedQuestions(ctx, viewer, topic) : [];
    return renderPage(
      c,
      {
        title: topic.title,
        description: markdownToText(topic.bodyMarkdown, 160),
        section: 'community',
        canonicalPath: topic.url,
        ogType: 'article',
        noindex: cursor !== undefined || topic.deletedAt !== null,
        jsonLd: cursor === undefined && topic.deletedAt === null ? topicJsonLd(topic, replies.items, accepted, ctx.config.publicUrl) : undefined,
        // Reactions and the editor are for members; anonymous readers get the lighter page.
        htmx: viewer !== null,
        // `live` appends new replies and reactions as they happen (notifications feature).
        islands: viewer ? ['editor', 'live'] : ['live'],
      },
      <TopicPage c={c} topic={topic} replies={replies} accepted={accepted} cursor={cursor} form={form} engagement={engagement} related={related} />,
      status,
    );
  }

  app.get('/t/:id{[0-9]+}/:slug', async (c) => {
    const topic = await community.getTopic(ctx, c.get('user'), parseTopicId(c), { includeDeleted: true });
    if (c.req.param('slug') !== topic.slug) {
      const search = new URL(c.req.url).search;
      return c.redirect(topic.url + search, 301);
    }
    community.recordTopicView(ctx, topic.id);
    c.set('onPageCacheHit', () => community.recordTopicView(ctx, topic.id));
    const query = replyFormQuery.safeParse(c.req.query());
    const prefill = query.success ? await replyPrefill(ctx, c.get('user'), topic, query.data) : {};
    return renderTopic(c, topic, c.req.query('cursor'), prefill);
  });

  app.post('/t/:id{[0-9]+}/replies', async (c) => {
    const viewer = c.get('user');
    const topicId = parseTopicId(c);
    const raw = await readFormBody(c);
    const parsed = replyForm.safeParse(raw);
    if (!parsed.success) {
      const topic = await community.getTopic(ctx, viewer, topicId);
      const err = fromZodError(parsed.error);
      const body = typeof raw.body === 'string' ? raw.body : undefined;
      const replyTo = typeof raw.replyTo === 'string' ? Number(raw.replyTo) : undefined;
      const prefill = replyTo ? await replyPrefill(ctx, viewer, topic, { replyTo }) : {};
      return renderTopic(c, topic, undefined, { ...prefill, body, message: 'Please correct the highlighted fields.', fields: err.fields }, 400);
    }
    const { reply, topic, position } = await community.createReply(ctx, viewer, topicId, parsed.data);
    const cursor = await community.replyPageCursor(ctx, topic.id, position);
    const to = `${topic.url}${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}#reply-${reply.id}`;
    return redirectWithFlash(c, to, 'success', 'Your reply is posted.');
  });

  app.post('/t/:id{[0-9]+}/accept', async (c) => {
    const topicId = parseTopicId(c);
    const raw = await readFormBody(c);
    const parsed = acceptForm.safeParse(raw);
    if (!parsed.success) throw fromZodError(parsed.error);
    const topic = await community.acceptAnswer(ctx, c.get('user'), topicId, parsed.data.replyId);
    return redirectWithFlash(c, `${topic.url}#accepted-answer`, 'success', 'Marked as the accepted answer.');
  });

  // JSON API

  api.route({
    method: 'get',
    path: '/spaces',
    summary: 'List the spaces you can see',
    tag: 'Community',
    access: { public: true },
    response: pageSchema(spaceSchema),
    handler: async (c) => {
      const spaces = await community.listSpaces(ctx, c.get('user'));
      return { items: spaces.map(spaceJson), nextCursor: null };
    },
  });

  api.route({
    method: 'get',
    path: '/topics',
    summary: 'Latest topics across the spaces you can see',
    description: 'The home page as JSON: latest activity first.',
    tag: 'Community',
    access: { public: true },
    query: pageQuery,
    response: pageSchema(topicSummarySchema),
    handler: async (c, { query }) => {
      const page = await community.pageLatestTopics(ctx, c.get('user'), query);
      return { items: page.items.map(topicSummaryJson), nextCursor: page.nextCursor };
    },
  });

  api.route({
    method: 'get',
    path: '/spaces/{slug}/topics',
    summary: "List a space's topics, latest activity first",
    tag: 'Community',
    access: { public: true },
    params: spaceSlugParams,
    query: spaceTopicsQuery,
    response: pageSchema(topicSummarySchema),
    handler: async (c, { params, query }) => {
      const result = await community.listSpaceTopics(ctx, c.get('user'), params.slug, { kind: query.kind, cursor: query.cursor, limit: query.limit });
      return { items: result.topics.items.map(topicSummaryJson), nextCursor: result.topics.nextCursor };
    },
  });

  api.route({
    method: 'get',
    path: '/topics/{id}',
    summary: 'A topic with its first page of replies',
    tag: 'Community',
    access: { public: true },
    params: topicIdParams,
    response: topicSchema,
    handler: async (c, { params }) => topicJson(c, await community.getTopic(ctx, c.get('user'), params.id)),
  });

  api.route({
    method: 'get',
    path: '/topics/{id}/replies',
    summary: "A topic's replies, oldest first",
    tag: 'Community',
    access: { public: true },
    params: topicIdParams,
    query: pageQuery,
    response: pageSchema(replySchema),
    handler: async (c, { params, query }) => {
      const topic = await community.getTopic(ctx, c.get('user'), params.id);
      const page = await community.listTopicReplies(ctx, topic, query);
      return { items: page.items.map(replyJson), nextCursor: page.nextCursor };
    },
  });

  api.route({
    method: 'post',
    path: '/topics',
    summary: 'Start a topic',
    description: 'Announcements and pinning are for moderators. Publishes `topic.created`.',
    tag: 'Community',
    access: { scope: 'write' },
    body: createTopicBody,
    response: topicSchema,
    status: 201,
    handler: async (c, { body }) => {
      const created = await community.createTopic(ctx, c.get('user'), body);
      return topicJson(c, await community.getTopic(ctx, c.get('user'), created.id));
    },
  });

  api.route({
    method: 'post',
    path: '/topics/{id}/replies',
    summary: 'Reply to a topic',
    description: 'Publishes `reply.created`.',
    tag: 'Community',
    access: { scope: 'write' },
    params: topicIdParams,
    body: createReplyBody,
    response: replySchema,
    status: 201,
    handler: async (c, { params, body }) => {
      const { reply } = await community.createReply(ctx, c.get('user'), params.id, { body: body.body, replyTo: body.replyToId });
      return replyJson(reply);
    },
  });

  api.route({
    method: 'post',
    path: '/topics/{id}/accept',
    summary: "Accept a reply as a question's answer",
    description: 'Only the asker or a moderator. Publishes `answer.accepted`.',
    tag: 'Community',
    access: { scope: 'write' },
    params: topicIdParams,
    body: acceptBody,
    response: topicSchema,
    handler: async (c, { params, body }) => topicJson(c, await community.acceptAnswer(ctx, c.get('user'), params.id, body.replyId)),
  });
}
