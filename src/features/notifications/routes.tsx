import type { z } from 'zod';
import type { MountArgs } from '../index.ts';
import type { HearthContext } from '../../platform/http/env.ts';
import { AppError, fromZodError } from '../../platform/http/errors.ts';
import { parseForm, readFormBody } from '../../platform/http/body.ts';
import { redirectWithFlash } from '../../platform/http/flash.ts';
import { pageSchema } from '../../platform/http/pagination.ts';
import { renderPage } from '../../web/layout.tsx';
import {
  followBody,
  followForm,
  followListQuery,
  followQuery,
  followResponse,
  followSchema,
  markReadBody,
  markReadForm,
  markReadResponse,
  notificationSchema,
  notificationsQuery,
  unreadCountSchema,
} from './schema.ts';
import * as notifications from './service.ts';
import { FollowingPage } from './views/following-page.tsx';
import { NotificationsPage } from './views/notifications-page.tsx';
import { UnsubscribeConfirmPage, UnsubscribedPage, UnsubscribeInvalidPage } from './views/unsubscribe-page.tsx';

const PAGE_SIZE = 30;

const notificationJson = (n: notifications.NotificationItem): z.input<typeof notificationSchema> => ({
  id: n.id,
  kind: n.kind,
  actor: n.actor,
  topicId: n.topicId,
  replyId: n.replyId,
  topicTitle: n.topicTitle,
  excerpt: n.excerpt,
  url: n.url,
  reaction: n.reaction,
  read: n.read,
  createdAt: n.createdAt.toISOString(),
});

const followJson = (f: notifications.FollowTarget & { followedAt?: Date }): z.input<typeof followSchema> => ({
  kind: f.kind,
  id: f.id,
  name: f.name,
  url: f.url,
  followedAt: f.followedAt?.toISOString(),
});

function loginRedirect(c: HearthContext, next: string) {
  return c.redirect(`/login?next=${encodeURIComponent(next)}`, 303);
}

/** Only a path on this site: `//host` and absolute URLs would make the form an open redirect. */
function safeReturn(value: string | undefined, fallback: string): string {
  return value && value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\') ? value : fallback;
}

export function mountNotificationRoutes({ app, api, ctx }: MountArgs): void {
  // Pages

  app.get('/notifications', async (c) => {
    const viewer = c.get('user');
    if (!viewer) return loginRedirect(c, '/notifications');
    const parsed = notificationsQuery.safeParse(c.req.query());
    if (!parsed.success) throw fromZodError(parsed.error);
    const { cursor, unread: unreadOnly } = parsed.data;
    const [page, unread] = await Promise.all([
      notifications.listNotifications(ctx, viewer, { cursor, limit: PAGE_SIZE, unreadOnly }),
      notifications.unreadCount(ctx, viewer),
    ]);
    return renderPage(c, { title: 'Notifications', noindex: true }, <NotificationsPage c={c} page={page} unreadOnly={unreadOnly} cursor={cursor} unread={unread} />);
  });

  app.get('/notifications/following', async (c) => {
    const viewer = c.get('user');
    if (!viewer) return loginRedirect(c, '/notifications/following');
    const parsed = followListQuery.safeParse(c.req.query());
    if (!parsed.success) throw fromZodError(parsed.error);
    const { cursor, kind } = parsed.data;
    const page = await notifications.listFollowing(ctx, viewer, { kind, cursor, limit: PAGE_SIZE });
    return renderPage(c, { title: 'Following', noindex: true }, <FollowingPage c={c} page={page} kind={kind} cursor={cursor} />);
  });

  app.get('/notifications/:id{[0-9]+}/open', async (c) => {
    const viewer = c.get('user');
    if (!viewer) return loginRedirect(c, '/notifications');
    const to = await notifications.openNotification(ctx, viewer, Number(c.req.param('id')));
    return c.redirect(safeReturn(to, '/notifications'), 303);
  });

  app.post('/notifications/read', async (c) => {
    const input = await parseForm(c, markReadForm);
    const ids = input.all ? 'all' : input.id ? [input.id] : [];
    const marked = await notifications.markNotificationsRead(ctx, c.get('user'), ids);
    return redirectWithFlash(c, '/notifications', 'success', ids === 'all' ? 'All notifications marked read.' : marked ? 'Marked read.' : 'Nothing to mark.');
  });

  app.post('/follows', async (c) => {
    const viewer = c.get('user');
    const input = await parseForm(c, followForm);
    const back = safeReturn(input.return, '/notifications/following');
    if (!viewer) return loginRedirect(c, back);
    if (input.action === 'follow') {
      const target = await notifications.follow(ctx, viewer, input.kind, input.target);
      return redirectWithFlash(c, back, 'success', `You follow ${target.name} now.`);
    }
    await notifications.unfollow(ctx, viewer, input.kind, input.target);
    return redirectWithFlash(c, back, 'success', 'You no longer follow it.');
  });

  // Unsubscribe links from emails. GET only asks (mail scanners open links); POST does it, either from
  // the confirm page or as the RFC 8058 one-click POST a mail client sends (exempt from CSRF: the signed
  // token authenticates it; see platform/http/csrf.ts).

  app.get('/unsubscribe', async (c) => {
    const token = c.req.query('token') ?? '';
    try {
      const target = await notifications.readUnsubscribeToken(ctx, token);
      return renderPage(c, { title: 'Unsubscribe', noindex: true }, <UnsubscribeConfirmPage token={token} category={target.category} email={target.email} />);
    } catch (err) {
      if (err instanceof AppError && err.code === 'invalid_token') return renderPage(c, { title: 'Unsubscribe', noindex: true }, <UnsubscribeInvalidPage />, 400);
      throw err;
    }
  });

  app.post('/unsubscribe', async (c) => {
    const type = c.req.header('content-type') ?? '';
    const form = type.includes('form') ? await readFormBody(c) : {};
    const fromForm = typeof form.token === 'string' ? form.token : undefined;
    const token = c.req.query('token') ?? fromForm ?? '';
    const oneClick = form['List-Unsubscribe'] === 'One-Click';
    try {
      const target = await notifications.unsubscribe(ctx, token);
      if (oneClick) return c.text('Unsubscribed.', 200);
      return renderPage(c, { title: 'Unsubscribed', noindex: true }, <UnsubscribedPage category={target.category} email={target.email} />);
    } catch (err) {
      if (!(err instanceof AppError && err.code === 'invalid_token')) throw err;
      if (oneClick) return c.text('This unsubscribe link is not valid.', 400);
      return renderPage(c, { title: 'Unsubscribe', noindex: true }, <UnsubscribeInvalidPage />, 400);
    }
  });

  // JSON API

  api.route({
    method: 'get',
    path: '/notifications',
    summary: 'Your notifications, newest first',
    description: 'Mentions, replies to you, accepted answers, reactions, and new posts in what you follow. Content of spaces you can no longer see is left out.',
    tag: 'Notifications',
    access: { scope: 'read' },
    query: notificationsQuery,
    response: pageSchema(notificationSchema),
    handler: async (c, { query }) => {
      const page = await notifications.listNotifications(ctx, c.get('user'), { cursor: query.cursor, limit: query.limit, unreadOnly: query.unread });
      return { items: page.items.map(notificationJson), nextCursor: page.nextCursor };
    },
  });

  api.route({
    method: 'get',
    path: '/notifications/unread-count',
    summary: 'How many of your notifications are unread',
    tag: 'Notifications',
    access: { scope: 'read' },
    response: unreadCountSchema,
    handler: async (c) => {
      const viewer = c.get('user');
      if (!viewer) throw new AppError('unauthorized', 401, 'This API key does not act as a member, so it has no notifications.');
      return { unread: await notifications.unreadCount(ctx, viewer) };
    },
  });

  api.route({
    method: 'post',
    path: '/notifications/read',
    summary: 'Mark notifications read',
    description: 'Send `{ "ids": [1, 2] }` or `{ "all": true }`.',
    tag: 'Notifications',
    access: { scope: 'write' },
    body: markReadBody,
    response: markReadResponse,
    handler: async (c, { body }) => {
      const viewer = c.get('user');
      const marked = await notifications.markNotificationsRead(ctx, viewer, 'ids' in body ? body.ids : 'all');
      return { marked, unread: viewer ? await notifications.unreadCount(ctx, viewer) : 0 };
    },
  });

  api.route({
    method: 'get',
    path: '/follows',
    summary: 'What you follow, newest first',
    tag: 'Notifications',
    access: { scope: 'read' },
    query: followListQuery,
    response: pageSchema(followSchema),
    handler: async (c, { query }) => {
      const page = await notifications.listFollowing(ctx, c.get('user'), query);
      return { items: page.items.map(followJson), nextCursor: page.nextCursor };
    },
  });

  api.route({
    method: 'put',
    path: '/follows',
    summary: 'Follow a topic, space or tag',
    description: 'Idempotent. Following a topic notifies you of its new replies; a space or tag, of its new topics (and puts them in your digest).',
    tag: 'Notifications',
    access: { scope: 'write' },
    body: followBody,
    response: followResponse,
    handler: async (c, { body }) => ({ following: true, target: followJson(await notifications.follow(ctx, c.get('user'), body.kind, body.target)) }),
  });

  api.route({
    method: 'delete',
    path: '/follows',
    summary: 'Stop following a topic, space or tag',
    description: 'Idempotent: `?kind=topic&target=42`, `?kind=space&target=ask`.',
    tag: 'Notifications',
    access: { scope: 'write' },
    query: followQuery,
    response: followResponse,
    handler: async (c, { query }) => {
      const target = await notifications.unfollow(ctx, c.get('user'), query.kind, query.target);
      return { following: false, target: target ? followJson(target) : null };
    },
  });
}
