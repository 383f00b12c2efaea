import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import type { MountArgs } from '../index.ts';
import type { AppContext } from '../../platform/context.ts';
import type { HearthContext } from '../../platform/http/env.ts';
import { AppError, badRequest, unauthorized } from '../../platform/http/errors.ts';
import type { RealtimeEvent } from '../../platform/realtime/index.ts';
import * as community from '../community/service.ts';
import { loadTopicEngagement } from '../community/topic-engagement.ts';
import { ReplyItem } from '../community/views/topic-page.tsx';
import { topicChannel, unreadCount, userChannel } from './service.ts';
import { bellAriaLabel, unreadLabel } from './views/bell.tsx';

/** A comment line this often keeps proxies and load balancers from closing an idle stream. */
export const HEARTBEAT_MS = 25_000;
/** How long a browser waits before reconnecting after the stream drops. */
const RETRY_MS = 5_000;

/**
 * Runs one SSE connection: events from the hub are handled one at a time, in order, and the hub
 * subscription ends the moment the client goes away.
 */
async function runStream(ctx: AppContext, stream: SSEStreamingApi, channel: string, onEvent: (event: RealtimeEvent) => Promise<void>, hello: () => Promise<void>) {
  let queue: Promise<void> = Promise.resolve();
  let wake: (() => void) | undefined;
  const unsubscribe = ctx.realtime.subscribe(channel, (event) => {
    queue = queue.then(() => onEvent(event)).catch((err: unknown) => ctx.log.warn({ err: err instanceof Error ? err.message : String(err), channel }, 'live event failed'));
  });
  stream.onAbort(() => {
    unsubscribe();
    wake?.();
  });
  try {
    await ctx.realtime.ready().catch(() => undefined);
    await stream.writeSSE({ event: 'ready', data: '{}', retry: RETRY_MS });
    await hello();
    while (!stream.aborted && !stream.closed) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, HEARTBEAT_MS);
        timer.unref();
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      if (stream.aborted) break;
      await stream.write(': heartbeat\n\n');
    }
  } finally {
    unsubscribe();
  }
}

function parseTopicId(raw: string | undefined): number {
  const id = Number(raw);
  if (!raw || !Number.isInteger(id) || id <= 0) throw badRequest('Give the topic to watch: /live?topic=ID.');
  return id;
}

async function renderReply(c: HearthContext, replyId: number, topicId: number): Promise<string | null> {
  const ctx = c.get('app');
  const viewer = c.get('user');
  try {
    // Loaded as this viewer on every event, so a member who lost access stops receiving replies at once.
    const { reply, topic } = await community.getReply(ctx, viewer, replyId);
    if (topic.id !== topicId) return null;
    const engagement = await loadTopicEngagement(ctx, viewer, topic, [reply]);
    const html = <ReplyItem c={c} topic={topic} reply={reply} now={new Date()} engagement={engagement} />;
    return JSON.stringify({ id: reply.id, author: reply.author.displayName, html: await html.toString() });
  } catch (err) {
    if (err instanceof AppError && err.status === 404) return null;
    throw err;
  }
}

/** Server-Sent Events: new replies and reactions on an open topic, and the signed-in member's unread count. */
export function mountLiveRoutes({ app, ctx }: MountArgs): void {
  app.get('/live', async (c) => {
    const topicId = parseTopicId(c.req.query('topic'));
    // 404 for a topic the viewer may not see, before any stream opens.
    await community.getTopic(ctx, c.get('user'), topicId);
    c.header('X-Accel-Buffering', 'no');
    return streamSSE(c, (stream) =>
      runStream(
        ctx,
        stream,
        topicChannel(topicId),
        async (event) => {
          const replyId = event.data.replyId;
          if (event.type === 'reply' && typeof replyId === 'number') {
            const data = await renderReply(c, replyId, topicId);
            if (data) await stream.writeSSE({ event: 'reply', data, id: String(replyId) });
          } else if (event.type === 'reaction') {
            await stream.writeSSE({ event: 'reaction', data: JSON.stringify(event.data) });
          }
        },
        async () => undefined,
      ),
    );
  });

  app.get('/live/me', async (c) => {
    const viewer = c.get('user');
    if (!viewer) throw unauthorized('Sign in to get live notifications.');
    c.header('X-Accel-Buffering', 'no');
    const sendCount = async (stream: SSEStreamingApi) => {
      const count = await unreadCount(ctx, viewer);
      await stream.writeSSE({ event: 'count', data: JSON.stringify({ unread: count, label: unreadLabel(count), ariaLabel: bellAriaLabel(count) }) });
    };
    return streamSSE(c, (stream) =>
      runStream(
        ctx,
        stream,
        userChannel(viewer.id),
        async (event) => {
          if (event.type === 'notification') await sendCount(stream);
        },
        () => sendCount(stream),
      ),
    );
  });
}
