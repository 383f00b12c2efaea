import type { z } from 'zod';
import type { MountArgs } from '../index.ts';
import { requireScope } from '../../platform/http/api.ts';
import { readFormBody } from '../../platform/http/body.ts';
import type { HearthContext } from '../../platform/http/env.ts';
import { AppError, fromZodError } from '../../platform/http/errors.ts';
import { redirectWithFlash } from '../../platform/http/flash.ts';
import { allowUploadBody } from '../../platform/storage/index.ts';
import { renderPage } from '../../web/layout.tsx';
import { listBookmarks, removeBookmarkById, setBookmark, type Bookmark } from './bookmarks.ts';
import {
  canEditPost,
  deleteReply,
  deleteTopic,
  editReply,
  editTopic,
  getReplyInTopic,
  replyHistory,
  replyUrl,
  restoreReply,
  restoreTopic,
  topicHistory,
  type PostHistory,
} from './edits.ts';
import {
  apiReplyIdParams,
  bookmarkForm,
  bookmarkIdParams,
  bookmarkSchema,
  bookmarksQuery,
  bookmarkTargetSchema,
  createBookmarkBody,
  deletedSchema,
  editReplyBody,
  editReplyForm,
  editTopicBody,
  editTopicForm,
  mentionSchema,
  mentionsQuery,
  previewBody,
  previewSchema,
  reactionForm,
  reactionKindParams,
  reactionSummarySchema,
  replyIdParams,
  revisionsSchema,
  type uploadSchema,
} from './engagement-schema.ts';
import { postReactions, setReaction, type ReactionSummary } from './reactions.ts';
import { pageSchema } from '../../platform/http/pagination.ts';
import { topicIdParams } from './schema.ts';
import { getTopic, type Topic } from './service.ts';
import { IMAGE_MAX_BYTES, storeImage, type StoredImage } from './uploads.ts';
import { previewMarkdown, suggestMentions } from './writing.ts';
import { ReactionBar } from './views/engagement-parts.tsx';
import { BookmarksPage, EditPostPage, RevisionsPage, UploadPage, type EditFormState } from './views/engagement-pages.tsx';

const BOOKMARKS_PAGE_SIZE = 30;
/** The multipart envelope and the CSRF field need a little room beyond the image itself. */
const UPLOAD_BODY_LIMIT = IMAGE_MAX_BYTES + 64 * 1024;

function parseWith<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw fromZodError(parsed.error);
  return parsed.data;
}

const topicIdOf = (c: HearthContext) => parseWith(topicIdParams, { id: c.req.param('id') }).id;
const replyIdOf = (c: HearthContext) => parseWith(replyIdParams, { replyId: c.req.param('replyId') }).replyId;

const text = (raw: Record<string, unknown>, key: string) => (typeof raw[key] === 'string' ? raw[key] : undefined);

const revisionsJson = (history: PostHistory): z.input<typeof revisionsSchema> => ({
  items: history.versions.map((v) => ({ ...v, at: v.at.toISOString() })),
  nextCursor: null,
});

const bookmarkJson = (b: Bookmark): z.input<typeof bookmarkSchema> => ({ ...b, createdAt: b.createdAt.toISOString() });

const reactionsJson = (summary: ReactionSummary): z.input<typeof reactionSummarySchema> => ({ items: summary });

const uploadJson = (stored: StoredImage): z.input<typeof uploadSchema> => stored;

/**
 * Routes for engagement with posts: editing with history, soft delete and restore, reactions, bookmarks,
 * image uploads, the editor's preview and @mention suggestions. Mounted before the topic page so that
 * `/t/:id/edit` and `/t/:id/revisions` are not read as a topic slug.
 */
export function mountEngagementRoutes({ app, api, ctx }: MountArgs): void {
  allowUploadBody('/upload', UPLOAD_BODY_LIMIT);
  allowUploadBody('/api/v1/uploads', UPLOAD_BODY_LIMIT);

  app.get('/r/:replyId{[0-9]+}', async (c) => c.redirect(await replyUrl(ctx, c.get('user'), replyIdOf(c)), 302));

  // Editing

  function renderEdit(c: HearthContext, topic: Topic, replyId: number | null, form: EditFormState, status: 200 | 400 = 200) {
    return renderPage(c, { title: replyId === null ? 'Edit topic' : 'Edit reply', section: 'community', noindex: true, islands: ['editor'] }, <EditPostPage c={c} topic={topic} replyId={replyId} form={form} />, status);
  }

  app.get('/t/:id{[0-9]+}/edit', async (c, next) => {
    const viewer = c.get('user');
    const topic = await getTopic(ctx, viewer, topicIdOf(c));
    // A topic whose slug is "edit" keeps its address.
    if (topic.slug === 'edit') return next();
    if (!viewer) return c.redirect(`/login?next=${encodeURIComponent(c.req.path)}`, 303);
    if (!canEditPost(viewer, { authorId: topic.author.id, deletedAt: topic.deletedAt })) throw new AppError('forbidden', 403, 'Only the author or a moderator can edit this topic.');
    return renderEdit(c, topic, null, { title: topic.title, body: topic.bodyMarkdown });
  });

  app.post('/t/:id{[0-9]+}/edit', async (c) => {
    const viewer = c.get('user');
    const topicId = topicIdOf(c);
    const raw = await readFormBody(c);
    const parsed = editTopicForm.safeParse(raw);
    if (!parsed.success) {
      const topic = await getTopic(ctx, viewer, topicId);
      const err = fromZodError(parsed.error);
      return renderEdit(c, topic, null, { title: text(raw, 'title'), body: text(raw, 'body'), message: 'Please correct the highlighted fields.', fields: err.fields }, 400);
    }
    const topic = await editTopic(ctx, viewer, topicId, parsed.data);
    return redirectWithFlash(c, topic.url, 'success', 'Your changes are saved.');
  });

  app.get('/r/:replyId{[0-9]+}/edit', async (c) => {
    const viewer = c.get('user');
    const { topic, reply } = await getReplyInTopic(ctx, viewer, replyIdOf(c));
    if (!viewer) return c.redirect(`/login?next=${encodeURIComponent(c.req.path)}`, 303);
    if (!canEditPost(viewer, reply)) throw new AppError('forbidden', 403, 'Only the author or a moderator can edit this reply.');
    return renderEdit(c, topic, reply.id, { body: reply.bodyMarkdown });
  });

  app.post('/r/:replyId{[0-9]+}/edit', async (c) => {
    const viewer = c.get('user');
    const replyId = replyIdOf(c);
    const raw = await readFormBody(c);
    const parsed = editReplyForm.safeParse(raw);
    if (!parsed.success) {
      const { topic } = await getReplyInTopic(ctx, viewer, replyId);
      const err = fromZodError(parsed.error);
      return renderEdit(c, topic, replyId, { body: text(raw, 'body'), message: 'Please correct the highlighted fields.', fields: err.fields }, 400);
    }
    await editReply(ctx, viewer, replyId, parsed.data);
    return redirectWithFlash(c, await replyUrl(ctx, viewer, replyId), 'success', 'Your changes are saved.');
  });

  // History

  app.get('/t/:id{[0-9]+}/revisions', async (c, next) => {
    const history = await topicHistory(ctx, c.get('user'), topicIdOf(c));
    if (history.topic.slug === 'revisions') return next();
    return renderPage(c, { title: `History: ${history.topic.title}`, section: 'community', noindex: true }, <RevisionsPage history={history} />);
  });

  app.get('/r/:replyId{[0-9]+}/revisions', async (c) => {
    const history = await replyHistory(ctx, c.get('user'), replyIdOf(c));
    return renderPage(c, { title: `History of a reply: ${history.topic.title}`, section: 'community', noindex: true }, <RevisionsPage history={history} />);
  });

  // Soft delete and restore

  app.post('/t/:id{[0-9]+}/delete', async (c) => {
    const topic = await deleteTopic(ctx, c.get('user'), topicIdOf(c));
    return redirectWithFlash(c, topic.spaceRecord.url, 'success', 'The topic is deleted.');
  });

  app.post('/t/:id{[0-9]+}/restore', async (c) => {
    const topic = await restoreTopic(ctx, c.get('user'), topicIdOf(c));
    return redirectWithFlash(c, topic.url, 'success', 'The topic is restored.');
  });

  app.post('/r/:replyId{[0-9]+}/delete', async (c) => {
    const viewer = c.get('user');
    const replyId = replyIdOf(c);
    const topic = await deleteReply(ctx, viewer, replyId);
    return redirectWithFlash(c, `${topic.url}#replies-title`, 'success', 'The reply is deleted.');
  });

  app.post('/r/:replyId{[0-9]+}/restore', async (c) => {
    const viewer = c.get('user');
    const replyId = replyIdOf(c);
    await restoreReply(ctx, viewer, replyId);
    return redirectWithFlash(c, await replyUrl(ctx, viewer, replyId), 'success', 'The reply is restored.');
  });

  // Reactions: a full page round trip without JavaScript; htmx swaps only the bar.

  app.post('/t/:id{[0-9]+}/reactions', async (c) => {
    const viewer = c.get('user');
    const topicId = topicIdOf(c);
    const form = parseWith(reactionForm, await readFormBody(c));
    const post = { topicId, replyId: form.replyId ?? null };
    const summary = await setReaction(ctx, viewer, post, form.reaction.kind, form.reaction.on);
    if (c.req.header('hx-request') === 'true') {
      const authorId = post.replyId === null ? (await getTopic(ctx, viewer, topicId)).author.id : (await getReplyInTopic(ctx, viewer, post.replyId)).reply.authorId;
      return c.html(<ReactionBar c={c} post={{ ...post, authorId, editedAt: null, deletedAt: null }} summary={summary} />);
    }
    const anchor = post.replyId === null ? '' : `#reply-${post.replyId}`;
    const to = post.replyId === null ? (await getTopic(ctx, viewer, topicId)).url : (await replyUrl(ctx, viewer, post.replyId)).replace(/#.*$/, '');
    return c.redirect(`${to}${anchor}`, 303);
  });

  // Bookmarks

  app.post('/t/:id{[0-9]+}/bookmark', async (c) => {
    const viewer = c.get('user');
    const form = parseWith(bookmarkForm, await readFormBody(c));
    const target = await setBookmark(ctx, viewer, { topicId: topicIdOf(c), replyId: form.replyId ?? null }, form.bookmark === 'on');
    const to = target.replyId === null ? (await getTopic(ctx, viewer, target.topicId)).url : await replyUrl(ctx, viewer, target.replyId);
    return redirectWithFlash(c, to, 'success', form.bookmark === 'on' ? 'Bookmarked. Find it under Bookmarks.' : 'Bookmark removed.');
  });

  app.get('/bookmarks', async (c) => {
    const viewer = c.get('user');
    if (!viewer) return c.redirect('/login?next=%2Fbookmarks', 303);
    const cursor = c.req.query('cursor');
    const bookmarks = await listBookmarks(ctx, viewer, { cursor, limit: BOOKMARKS_PAGE_SIZE });
    return renderPage(c, { title: 'Bookmarks', section: 'community', noindex: true }, <BookmarksPage bookmarks={bookmarks} cursor={cursor} />);
  });

  // Uploads

  async function readUpload(c: HearthContext): Promise<{ bytes: Uint8Array; alt?: string }> {
    const raw = await readFormBody(c);
    const file = raw.image;
    if (!(file instanceof File)) throw new AppError('validation_failed', 400, 'Choose an image to upload.', { image: 'Choose an image to upload.' });
    return { bytes: new Uint8Array(await file.arrayBuffer()), alt: text(raw, 'alt') };
  }

  app.get('/upload', async (c) => {
    if (!c.get('user')) return c.redirect('/login?next=%2Fupload', 303);
    return renderPage(c, { title: 'Upload an image', section: 'community', noindex: true }, <UploadPage c={c} />);
  });

  app.post('/upload', async (c) => {
    try {
      const stored = await storeImage(ctx, c.get('user'), await readUpload(c));
      return renderPage(c, { title: 'Image uploaded', section: 'community', noindex: true }, <UploadPage c={c} stored={stored} />);
    } catch (err) {
      if (err instanceof AppError && err.fields && err.status === 400) {
        return renderPage(c, { title: 'Upload an image', section: 'community', noindex: true }, <UploadPage c={c} message={err.message} fields={err.fields} />, 400);
      }
      throw err;
    }
  });

  // Multipart, so it is not one of the registry's JSON routes; the editor island posts here.
  app.post('/api/v1/uploads', async (c) => {
    requireScope(c, 'write');
    const stored = await storeImage(ctx, c.get('user'), await readUpload(c));
    return c.json(uploadJson(stored), 201);
  });

  // JSON API

  api.route({
    method: 'patch',
    path: '/topics/{id}',
    summary: "Edit a topic's title and body",
    description: 'The author or a moderator. The previous version is kept in the history. Publishes `topic.edited` when something changed.',
    tag: 'Community',
    access: { scope: 'write' },
    params: topicIdParams,
    body: editTopicBody,
    response: deletedSchema.pick({ id: true }),
    handler: async (c, { params, body }) => {
      const topic = await editTopic(ctx, c.get('user'), params.id, body);
      return { id: topic.id };
    },
  });

  api.route({
    method: 'patch',
    path: '/replies/{id}',
    summary: 'Edit a reply',
    description: 'The author or a moderator. The previous version is kept in the history. Publishes `reply.edited` when something changed.',
    tag: 'Community',
    access: { scope: 'write' },
    params: apiReplyIdParams,
    body: editReplyBody,
    response: deletedSchema.pick({ id: true }),
    handler: async (c, { params, body }) => {
      const { replyId } = await editReply(ctx, c.get('user'), params.id, body);
      return { id: replyId };
    },
  });

  api.route({
    method: 'get',
    path: '/topics/{id}/revisions',
    summary: "A topic's versions, newest first",
    tag: 'Community',
    access: { public: true },
    params: topicIdParams,
    response: revisionsSchema,
    handler: async (c, { params }) => revisionsJson(await topicHistory(ctx, c.get('user'), params.id)),
  });

  api.route({
    method: 'get',
    path: '/replies/{id}/revisions',
    summary: "A reply's versions, newest first",
    tag: 'Community',
    access: { public: true },
    params: apiReplyIdParams,
    response: revisionsSchema,
    handler: async (c, { params }) => revisionsJson(await replyHistory(ctx, c.get('user'), params.id)),
  });

  api.route({
    method: 'delete',
    path: '/topics/{id}',
    summary: 'Delete a topic (soft: moderators can restore it)',
    description: 'The author or a moderator. Publishes `topic.deleted`.',
    tag: 'Community',
    access: { scope: 'write' },
    params: topicIdParams,
    response: deletedSchema,
    handler: async (c, { params }) => {
      const topic = await deleteTopic(ctx, c.get('user'), params.id);
      return { id: topic.id, deleted: true };
    },
  });

  api.route({
    method: 'post',
    path: '/topics/{id}/restore',
    summary: 'Restore a deleted topic',
    description: 'Moderators only. Publishes `topic.restored`.',
    tag: 'Community',
    access: { scope: 'write' },
    params: topicIdParams,
    response: deletedSchema,
    handler: async (c, { params }) => {
      const topic = await restoreTopic(ctx, c.get('user'), params.id);
      return { id: topic.id, deleted: false };
    },
  });

  api.route({
    method: 'delete',
    path: '/replies/{id}',
    summary: 'Delete a reply (soft: moderators can restore it)',
    description: 'The author or a moderator. Publishes `reply.deleted`.',
    tag: 'Community',
    access: { scope: 'write' },
    params: apiReplyIdParams,
    response: deletedSchema,
    handler: async (c, { params }) => {
      await deleteReply(ctx, c.get('user'), params.id);
      return { id: params.id, deleted: true };
    },
  });

  api.route({
    method: 'post',
    path: '/replies/{id}/restore',
    summary: 'Restore a deleted reply',
    description: 'Moderators only. Publishes `reply.restored`.',
    tag: 'Community',
    access: { scope: 'write' },
    params: apiReplyIdParams,
    response: deletedSchema,
    handler: async (c, { params }) => {
      await restoreReply(ctx, c.get('user'), params.id);
      return { id: params.id, deleted: false };
    },
  });

  for (const target of ['topics', 'replies'] as const) {
    const postOf = async (c: HearthContext, id: number) => (target === 'topics' ? { topicId: id, replyId: null } : { topicId: (await getReplyInTopic(ctx, c.get('user'), id)).topic.id, replyId: id });
    const noun = target === 'topics' ? "a topic's opening post" : 'a reply';
    api.route({
      method: 'get',
      path: `/${target}/{id}/reactions`,
      summary: `Reactions on ${noun}`,
      tag: 'Community',
      access: { public: true },
      params: reactionKindParams.pick({ id: true }),
      response: reactionSummarySchema,
      handler: async (c, { params }) => {
        const post = await postOf(c, params.id);
        if (post.replyId === null) await getTopic(ctx, c.get('user'), post.topicId);
        return reactionsJson(await postReactions(ctx, c.get('user'), post));
      },
    });
    api.route({
      method: 'put',
      path: `/${target}/{id}/reactions/{kind}`,
      summary: `React to ${noun}`,
      description: 'Idempotent: giving a reaction you already gave changes nothing. Publishes `reaction.added` (with `postAuthorId`).',
      tag: 'Community',
      access: { scope: 'write' },
      params: reactionKindParams,
      response: reactionSummarySchema,
      handler: async (c, { params }) => reactionsJson(await setReaction(ctx, c.get('user'), await postOf(c, params.id), params.kind, true)),
    });
    api.route({
      method: 'delete',
      path: `/${target}/{id}/reactions/{kind}`,
      summary: `Take back a reaction to ${noun}`,
      description: 'Idempotent. Publishes `reaction.removed` when a reaction was taken back.',
      tag: 'Community',
      access: { scope: 'write' },
      params: reactionKindParams,
      response: reactionSummarySchema,
      handler: async (c, { params }) => reactionsJson(await setReaction(ctx, c.get('user'), await postOf(c, params.id), params.kind, false)),
    });
  }

  api.route({
    method: 'get',
    path: '/bookmarks',
    summary: 'Your bookmarks, newest first',
    description: 'Posts deleted since, or in spaces you can no longer see, are left out.',
    tag: 'Community',
    access: { scope: 'read' },
    query: bookmarksQuery,
    response: pageSchema(bookmarkSchema),
    handler: async (c, { query }) => {
      const page = await listBookmarks(ctx, c.get('user'), query);
      return { items: page.items.map(bookmarkJson), nextCursor: page.nextCursor };
    },
  });

  api.route({
    method: 'post',
    path: '/bookmarks',
    summary: 'Bookmark a topic or a reply',
    description: 'Idempotent: bookmarking twice keeps one bookmark.',
    tag: 'Community',
    access: { scope: 'write' },
    body: createBookmarkBody,
    response: bookmarkTargetSchema,
    status: 201,
    handler: async (c, { body }) => ({ ...(await setBookmark(ctx, c.get('user'), body, true)), bookmarked: true }),
  });

  api.route({
    method: 'delete',
    path: '/bookmarks/{id}',
    summary: 'Remove a bookmark',
    tag: 'Community',
    access: { scope: 'write' },
    params: bookmarkIdParams,
    response: deletedSchema,
    handler: async (c, { params }) => {
      await removeBookmarkById(ctx, c.get('user'), params.id);
      return { id: params.id, deleted: true };
    },
  });

  api.route({
    method: 'post',
    path: '/markdown/preview',
    summary: 'Render Markdown as a post would show it',
    description: 'The same renderer and sanitiser as posts: raw HTML is shown as text, links get `rel="nofollow ugc noopener"`.',
    tag: 'Community',
    access: { scope: 'read' },
    body: previewBody,
    response: previewSchema,
    handler: async (c, { body }) => ({ html: previewMarkdown(c.get('user'), body.markdown) }),
  });

  api.route({
    method: 'get',
    path: '/mentions',
    summary: 'Members to @mention',
    description: 'Members whose username or display name starts with `q`, at most 8. With `topicId`, only members who can see that topic.',
    tag: 'Community',
    access: { scope: 'read' },
    query: mentionsQuery,
    response: pageSchema(mentionSchema),
    handler: async (c, { query }) => ({ items: await suggestMentions(ctx, c.get('user'), query.q, query.topicId), nextCursor: null }),
  });
}
