import { createServer, type AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHearth, type TestHearth } from '../../../test/helpers.ts';
import type { AppContext } from '../../platform/context.ts';
import { JobWorker } from '../../platform/jobs/worker.ts';
import { createLogger } from '../../platform/logger.ts';
import type { RealtimeEvent } from '../../platform/realtime/index.ts';
import { createContext } from '../../server.ts';
import { parseMail, type ReceivedMail } from '../accounts/testing/smtp-sink.ts';
import { acceptAnswer, createReply, createTopic } from '../community/service.ts';
import { topicChannel } from './service.ts';
import { drainJobs, makeMember, makeSpace, sseReader } from './testing.ts';

/** A port nothing listens on (yet): taken from the OS, then released. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address ? (address satisfies AddressInfo).port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** An SMTP sink on a chosen port, so it can come up after the app was configured to use it. */
async function sinkOn(port: number): Promise<{ messages: ReceivedMail[]; close(): Promise<void> }> {
  const messages: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        messages.push(parseMail(Buffer.concat(chunks).toString('utf8'), session.envelope.rcptTo.map((r) => r.address.toLowerCase())));
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  return { messages, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

let t: TestHearth;
let smtpPort: number;

beforeAll(async () => {
  smtpPort = await freePort();
  t = await createTestHearth({ smtpUrl: `smtp://127.0.0.1:${smtpPort}` });
});
afterAll(async () => {
  await t.close();
});

describe('notification email through the outbox', () => {
  it('keeps the email while SMTP is down, retries, and delivers it once the server is back', async () => {
    // Retries come due at once here, so the test needs no clock games.
    const worker = new JobWorker(t.ctx, { backoffBaseMs: 1 });
    await makeSpace(t, 'outage', 'public', 'question');
    const asker = await makeMember(t);
    const answerer = await makeMember(t);
    const topic = await createTopic(t.ctx, asker.viewer, { space: 'outage', kind: 'question', title: 'Why does my stove sputter?', body: 'Only in the cold.', pinned: false });
    const { reply } = await createReply(t.ctx, answerer.viewer, topic.id, { body: 'Warm the canister in your jacket.' });
    await drainJobs(worker);
    await acceptAnswer(t.ctx, asker.viewer, topic.id, reply.id);
    await worker.runDue();
    await worker.runDue();

    const sendJobs = async () => {
      const mails = await t.ctx.db.selectFrom('mail_messages').select(['id', 'status']).where('to_address', '=', answerer.email).execute();
      const jobs = await t.ctx.db
        .selectFrom('jobs')
        .select(['state', 'attempts', 'last_error'])
        .where('kind', '=', 'mail.send')
        .where(sql<string>`payload->>'messageId'`, 'in', mails.map((m) => String(m.id)))
        .execute();
      return jobs.map((job) => ({ ...job, status: mails[0]?.status }));
    };
    const failed = await sendJobs();
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ state: 'failed', status: 'queued' });
    expect(failed[0]?.attempts).toBeGreaterThanOrEqual(1);
    expect(failed[0]?.last_error).toMatch(/ECONNREFUSED|connect/i);

    const sink = await sinkOn(smtpPort);
    try {
      await new Promise((resolve) => setTimeout(resolve, 10));
      await drainJobs(worker);
      const sent = await sendJobs();
      expect(sent).toMatchObject([{ state: 'done', status: 'sent' }]);
      expect(sent[0]?.attempts).toBeGreaterThanOrEqual(2);
      const delivered = sink.messages.filter((m) => m.to.includes(answerer.email));
      expect(delivered).toHaveLength(1);
      expect(delivered[0]?.text).toContain('accepted your answer to "Why does my stove sputter?"');
    } finally {
      await sink.close();
    }
  });
});

describe('live updates across processes', () => {
  // PostgreSQL only: the embedded database lives inside one process, so there is no second process to
  // hear from; its hub delivers in-process, which the SSE tests in notifications.test.ts cover.
  it.skipIf(!process.env.DATABASE_URL)('delivers a reply written and processed by another process to this one, by LISTEN/NOTIFY', async () => {
    expect(t.ctx.realtime.transportName).toBe('postgres');
    let second: AppContext | undefined;
    try {
      second = await createContext(t.config, { log: createLogger('silent'), poolSize: 2 });
      await makeSpace(t, 'two-nodes');
      const author = await makeMember(t);
      const replier = await makeMember(t);
      const topic = await createTopic(t.ctx, author.viewer, { space: 'two-nodes', kind: 'discussion', title: 'Hello from node one', body: 'Anyone on node two?', pinned: false });
      await drainJobs(new JobWorker(t.ctx));

      // A plain hub subscriber on this process, and an SSE client of this process's app.
      const heard: RealtimeEvent[] = [];
      const unsubscribe = t.ctx.realtime.subscribe(topicChannel(topic.id), (event) => heard.push(event));
      await t.ctx.realtime.ready();
      const events = sseReader(await author.client.get(`/live?topic=${topic.id}`));
      expect((await events.next()).event).toBe('ready');

      // The reply is written and its jobs run on the other process only.
      const { reply } = await createReply(second, replier.viewer, topic.id, { body: 'Yes, node two here.' });
      await drainJobs(new JobWorker(second));

      const event = await events.next(5000);
      expect(event.event).toBe('reply');
      expect(JSON.parse(event.data)).toMatchObject({ id: reply.id, author: replier.viewer.displayName });
      expect(JSON.parse(event.data).html).toContain('Yes, node two here.');
      expect(heard).toEqual([{ type: 'reply', data: { replyId: reply.id, topicId: topic.id } }]);
      unsubscribe();
      await events.close();
    } finally {
      await second?.realtime.close();
      await second?.database.close();
    }
  });
});
