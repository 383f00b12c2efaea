import type { TestHearth } from '../../../test/helpers.ts';
import { TestClient } from '../../../test/helpers.ts';
import type { JobWorker } from '../../platform/jobs/worker.ts';
import { createSession } from '../accounts/sessions.ts';
import type { Role } from '../accounts/tables.ts';
import type { Viewer } from '../community/service.ts';
import type { SpaceVisibility, TopicKind } from '../community/tables.ts';

/** Test helpers shared by the notification tests: members with sessions, spaces, a worker drain, an SSE reader. */

export interface TestMember {
  id: number;
  username: string;
  email: string;
  viewer: NonNullable<Viewer>;
  client: TestClient;
}

let seq = 0;

export async function makeMember(t: TestHearth, role: Role = 'member', prefs: Record<string, unknown> = {}): Promise<TestMember> {
  seq++;
  const tag = `${process.pid}-${seq}`;
  const username = `nm-${tag}`;
  const email = `${username}@example.com`;
  const name = `Member ${tag}`;
  const row = await t.ctx.db
    .insertInto('users')
    .values({ email, display_name: name, username, password_hash: null, role, email_verified_at: new Date(), notification_prefs: JSON.stringify(prefs) })
    .returning('id')
    .executeTakeFirstOrThrow();
  const client = new TestClient(t.hearth);
  client.cookies.set('hearth_session', await createSession(t.ctx.db, row.id, {}));
  const viewer = { id: row.id, email, displayName: name, username, role, emailVerified: true, avatarPath: null };
  return { id: row.id, username, email, viewer, client };
}

export async function makeSpace(t: TestHearth, slug: string, visibility: SpaceVisibility = 'public', defaultKind: TopicKind = 'discussion') {
  return t.ctx.db
    .insertInto('spaces')
    .values({ slug, name: `Space ${slug}`, description: `About ${slug}`, visibility, default_kind: defaultKind })
    .returning(['id', 'slug'])
    .executeTakeFirstOrThrow();
}

/** Runs due jobs until none is left (events, their subscribers, then the mail they queue). */
export async function drainJobs(worker: JobWorker): Promise<number> {
  let total = 0;
  for (let n = await worker.runDue(); n > 0; n = await worker.runDue()) total += n;
  return total;
}

export interface SseEvent {
  event: string;
  data: string;
}

/** Reads Server-Sent Events from a streaming response body, one event at a time, each with a deadline. */
export function sseReader(res: Response) {
  const body = res.body;
  if (!body) throw new Error('the response has no body');
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const comments: string[] = [];
  return {
    comments,
    async next(timeoutMs = 5000): Promise<SseEvent> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (block.startsWith(':')) {
            comments.push(block);
            continue;
          }
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
          return { event, data: data.join('\n') };
        }
        const left = deadline - Date.now();
        if (left <= 0) throw new Error('no event arrived in time');
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_resolve, reject) => {
          timer = setTimeout(() => reject(new Error('no event arrived in time')), left);
        });
        try {
          const chunk = await Promise.race([reader.read(), timeout]);
          if (chunk.done) throw new Error('the stream ended');
          buffer += decoder.decode(chunk.value, { stream: true });
        } finally {
          clearTimeout(timer);
        }
      }
    },
    close: () => reader.cancel(),
  };
}
