import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestHearth, type TestHearth } from '../../../test/helpers.ts';
import { pruneDoneJobs, retryJob } from './manage.ts';
import { enqueueJob, publishEvent, publishEvents, type JobRow } from './registry.ts';
import { backoffMs, JobWorker } from './worker.ts';

class Rollback extends Error {}

let t: TestHearth;
/** Every run of a test handler, in order. */
const runs: Array<{ kind: string; job: JobRow }> = [];
let failing = true;

beforeAll(async () => {
  t = await createTestHearth();
  t.ctx.jobs.define('test.record', async (_ctx, job) => {
    runs.push({ kind: 'test.record', job });
  });
  t.ctx.jobs.define('test.flaky', async (_ctx, job) => {
    runs.push({ kind: 'test.flaky', job });
    if (failing) throw new Error(`upstream refused attempt ${job.attempts}`);
  });
  t.ctx.jobs.subscribe('test.order_paid', 'test.awardPoints', async (_ctx, job) => {
    runs.push({ kind: 'test.awardPoints', job });
  });
  t.ctx.jobs.subscribe('test.order_paid', 'test.sendReceipt', async (_ctx, job) => {
    runs.push({ kind: 'test.sendReceipt', job });
  });
});
afterAll(async () => {
  await t.close();
});
beforeEach(async () => {
  runs.length = 0;
  await t.ctx.db.deleteFrom('jobs').execute();
});

async function jobRow(id: number) {
  return t.ctx.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

/** Moves a job's run_at into the past, as if its backoff had elapsed. */
async function makeDue(id: number) {
  await t.ctx.db.updateTable('jobs').set({ run_at: sql<Date>`now() - interval '1 second'` }).where('id', '=', id).execute();
}

describe('enqueueing inside a transaction', () => {
  it('a job enqueued in a rolled-back transaction leaves no row and never runs', async () => {
    let enqueuedId: number | null = null;
    await expect(
      t.ctx.db.transaction().execute(async (trx) => {
        enqueuedId = await enqueueJob(trx, 'test.record', { order: 1 });
        // Inside the transaction the job is visible…
        const inside = await trx.selectFrom('jobs').select('id').where('kind', '=', 'test.record').execute();
        expect(inside).toHaveLength(1);
        throw new Rollback('the change failed');
      }),
    ).rejects.toBeInstanceOf(Rollback);
    expect(enqueuedId).not.toBeNull();
    // …and after the rollback it is gone.
    expect(await t.ctx.db.selectFrom('jobs').select('id').execute()).toHaveLength(0);
    expect(await new JobWorker(t.ctx).runDue()).toBe(0);
    expect(runs).toHaveLength(0);
  });

  it('a job enqueued in a committed transaction runs once', async () => {
    const id = await t.ctx.db.transaction().execute((trx) => enqueueJob(trx, 'test.record', { order: 2 }));
    if (id === null) throw new Error('not enqueued');
    const worker = new JobWorker(t.ctx);
    expect(await worker.runDue()).toBe(1);
    expect(await worker.runDue()).toBe(0);
    expect(runs.map((r) => r.job.payload)).toEqual([{ order: 2 }]);
    expect(await jobRow(id)).toMatchObject({ state: 'done', attempts: 1, last_error: null, locked_by: null });
  });

  it('a unique key keeps a second job out while the first exists', async () => {
    const first = await enqueueJob(t.ctx.db, 'test.record', {}, { uniqueKey: 'digest:2024-05-01' });
    const second = await enqueueJob(t.ctx.db, 'test.record', {}, { uniqueKey: 'digest:2024-05-01' });
    expect(first).not.toBeNull();
    expect(second).toBeNull();
  });
});

describe('retries', () => {
  it('backs off exponentially, goes dead after max_attempts keeping the error, and runs again when retried', async () => {
    failing = true;
    const baseMs = 60_000;
    const worker = new JobWorker(t.ctx, { backoffBaseMs: baseMs });
    const id = await enqueueJob(t.ctx.db, 'test.flaky', { webhook: 9 }, { maxAttempts: 3 });
    if (id === null) throw new Error('not enqueued');

    const delays: number[] = [];
    for (let attempt = 1; attempt <= 2; attempt++) {
      const before = Date.now();
      expect(await worker.runDue()).toBe(1);
      const row = await jobRow(id);
      expect(row.state).toBe('failed');
      expect(row.attempts).toBe(attempt);
      expect(row.last_error).toBe(`upstream refused attempt ${attempt}`);
      expect(row.finished_at).toBeNull();
      delays.push(row.run_at.getTime() - before);
      // Not due yet: a second pass right away runs nothing.
      expect(await worker.runDue()).toBe(0);
      await makeDue(id);
    }
    // Attempt 1 waits base ±20%, attempt 2 twice that: the ranges do not overlap, so growth is real.
    expect(delays[0]).toBeGreaterThanOrEqual(baseMs * 0.8 - 1000);
    expect(delays[0]).toBeLessThanOrEqual(baseMs * 1.2 + 1000);
    expect(delays[1]).toBeGreaterThanOrEqual(baseMs * 2 * 0.8 - 1000);
    expect(delays[1]).toBeLessThanOrEqual(baseMs * 2 * 1.2 + 1000);

    expect(await worker.runDue()).toBe(1);
    const dead = await jobRow(id);
    expect(dead).toMatchObject({ state: 'dead', attempts: 3, last_error: 'upstream refused attempt 3' });
    expect(dead.finished_at).not.toBeNull();
    // Dead jobs stay put even once their run_at has passed.
    await makeDue(id);
    expect(await worker.runDue()).toBe(0);
    expect(runs).toHaveLength(3);

    failing = false;
    expect(await retryJob(t.ctx.db, id)).toBe(true);
    expect(await jobRow(id)).toMatchObject({ state: 'queued', attempts: 0 });
    expect(await worker.runDue()).toBe(1);
    expect(await jobRow(id)).toMatchObject({ state: 'done', attempts: 1, last_error: null });
    expect(runs).toHaveLength(4);
    expect(runs.at(-1)?.job.payload).toEqual({ webhook: 9 });
    // A done job is not retryable.
    expect(await retryJob(t.ctx.db, id)).toBe(false);
  });

  it('a job whose kind has no handler fails instead of vanishing', async () => {
    const id = await enqueueJob(t.ctx.db, 'test.unknown-kind', {}, { maxAttempts: 1 });
    if (id === null) throw new Error('not enqueued');
    await new JobWorker(t.ctx).runDue();
    expect(await jobRow(id)).toMatchObject({ state: 'dead', last_error: 'No handler is defined for job kind test.unknown-kind' });
  });

  it('backoffMs doubles per attempt and is capped at an hour', () => {
    for (let i = 0; i < 50; i++) {
      expect(backoffMs(1, 1000)).toBeGreaterThanOrEqual(800);
      expect(backoffMs(1, 1000)).toBeLessThanOrEqual(1200);
      expect(backoffMs(4, 1000)).toBeGreaterThanOrEqual(6400);
      expect(backoffMs(4, 1000)).toBeLessThanOrEqual(9600);
      expect(backoffMs(40, 1000)).toBeLessThanOrEqual(3600_000 * 1.2);
    }
  });

  it('reclaims a job whose worker died mid-run', async () => {
    const id = await enqueueJob(t.ctx.db, 'test.record', { n: 1 });
    if (id === null) throw new Error('not enqueued');
    const crashed = new JobWorker(t.ctx, { staleAfterMs: 60_000 });
    expect(await crashed.claim()).toHaveLength(1);
    const rescuer = new JobWorker(t.ctx, { staleAfterMs: 60_000 });
    expect(await rescuer.runDue()).toBe(0);
    await t.ctx.db.updateTable('jobs').set({ locked_at: sql<Date>`now() - interval '2 minutes'` }).where('id', '=', id).execute();
    expect(await rescuer.runDue()).toBe(1);
    expect(await jobRow(id)).toMatchObject({ state: 'done', attempts: 2 });
  });

  it('a job whose worker died is reclaimed even while due jobs fill every batch', async () => {
    const stale = await enqueueJob(t.ctx.db, 'test.record', { stale: true });
    if (stale === null) throw new Error('not enqueued');
    expect(await new JobWorker(t.ctx, { batchSize: 1 }).claim()).toHaveLength(1);
    await t.ctx.db.updateTable('jobs').set({ locked_at: sql<Date>`now() - interval '2 minutes'` }).where('id', '=', stale).execute();
    for (let n = 0; n < 5; n++) await enqueueJob(t.ctx.db, 'test.record', { n });
    const claimed = await new JobWorker(t.ctx, { staleAfterMs: 60_000, batchSize: 3 }).claim();
    expect(claimed).toHaveLength(3);
    expect(claimed.map((j) => j.id)).toContain(stale);
  });
});

describe('domain events', () => {
  it('publishing enqueues one job per subscriber in the same transaction', async () => {
    const eventId = await t.ctx.db.transaction().execute((trx) => publishEvent(trx, t.ctx.jobs, 'test.order_paid', { orderId: 31 }, null));
    const jobs = await t.ctx.db.selectFrom('jobs').select(['kind', 'event_id', 'payload']).orderBy('kind').execute();
    expect(jobs).toEqual([
      { kind: 'test.awardPoints', event_id: eventId, payload: { orderId: 31 } },
      { kind: 'test.sendReceipt', event_id: eventId, payload: { orderId: 31 } },
    ]);
    const event = await t.ctx.db.selectFrom('domain_events').selectAll().where('id', '=', eventId).executeTakeFirstOrThrow();
    expect(event).toMatchObject({ name: 'test.order_paid', payload: { orderId: 31 } });
    await new JobWorker(t.ctx).runDue();
    expect(runs.map((r) => [r.kind, r.job.eventId]).sort()).toEqual([
      ['test.awardPoints', eventId],
      ['test.sendReceipt', eventId],
    ]);
  });

  it('a rolled-back publish leaves neither the event nor any job', async () => {
    const eventsBefore = await t.ctx.db.selectFrom('domain_events').select('id').execute();
    await expect(
      t.ctx.db.transaction().execute(async (trx) => {
        await publishEvent(trx, t.ctx.jobs, 'test.order_paid', { orderId: 32 }, null);
        throw new Rollback('payment reversed');
      }),
    ).rejects.toBeInstanceOf(Rollback);
    expect(await t.ctx.db.selectFrom('jobs').select('id').execute()).toHaveLength(0);
    expect(await t.ctx.db.selectFrom('domain_events').select('id').execute()).toHaveLength(eventsBefore.length);
    expect(await new JobWorker(t.ctx).runDue()).toBe(0);
    expect(runs).toHaveLength(0);
  });

  it('an event nobody subscribes to is recorded and enqueues nothing', async () => {
    await publishEvent(t.ctx.db, t.ctx.jobs, 'test.nobody_listens', { x: 1 });
    expect(await t.ctx.db.selectFrom('jobs').select('id').execute()).toHaveLength(0);
  });
});

describe('running a batch side by side', () => {
  it('runs up to `concurrency` jobs at once, marks the good ones done together and a failing one failed', async () => {
    let inFlight = 0;
    let most = 0;
    t.ctx.jobs.define('test.slow', async (_ctx, job) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 20));
      inFlight--;
      if ((job.payload as { n: number }).n === 3) throw new Error('job 3 refused');
    });
    const ids: number[] = [];
    for (let n = 0; n < 8; n++) ids.push((await enqueueJob(t.ctx.db, 'test.slow', { n })) ?? 0);
    const worker = new JobWorker(t.ctx, { concurrency: 3, batchSize: 8 });
    expect(await worker.runDue()).toBe(8);
    expect(most).toBe(3);
    const rows = await t.ctx.db.selectFrom('jobs').select(['id', 'state', 'locked_by']).where('id', 'in', ids).orderBy('id').execute();
    expect(rows.map((r) => r.state)).toEqual(['done', 'done', 'done', 'failed', 'done', 'done', 'done', 'done']);
    expect(rows.every((r) => r.locked_by === null)).toBe(true);
  });
});

describe('batch handlers and events published together', () => {
  it('publishEvents writes the events in order with one job per subscriber, as publishEvent does one by one', async () => {
    const before = await t.ctx.db.selectFrom('domain_events').select(sql<number>`coalesce(max(id), 0)`.as('max')).executeTakeFirstOrThrow();
    const ids = await t.ctx.db.transaction().execute((trx) =>
      publishEvents(trx, t.ctx.jobs, [
        { name: 'test.order_paid', payload: { n: 1 } },
        { name: 'test.nobody_listens', payload: { n: 2 }, actorId: 7 },
        { name: 'test.order_paid', payload: { n: 3 } },
      ]),
    );
    expect(ids).toHaveLength(3);
    expect(ids[0]).toBeGreaterThan(Number(before.max));
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    const events = await t.ctx.db.selectFrom('domain_events').select(['id', 'name', 'payload', 'actor_id']).where('id', 'in', ids).orderBy('id').execute();
    expect(events.map((e) => [e.name, e.payload, e.actor_id])).toEqual([
      ['test.order_paid', { n: 1 }, null],
      ['test.nobody_listens', { n: 2 }, 7],
      ['test.order_paid', { n: 3 }, null],
    ]);
    const jobs = await t.ctx.db.selectFrom('jobs').select(['kind', 'event_id', 'payload']).orderBy('id').execute();
    expect(jobs.map((j) => [j.kind, j.event_id, j.payload])).toEqual([
      ['test.awardPoints', ids[0], { n: 1 }],
      ['test.sendReceipt', ids[0], { n: 1 }],
      ['test.awardPoints', ids[2], { n: 3 }],
      ['test.sendReceipt', ids[2], { n: 3 }],
    ]);
  });

  it('jobs of a kind with a batch handler run together; when the batch throws, each runs on its own', async () => {
    const batches: number[][] = [];
    const singles: number[] = [];
    let batchFails = false;
    t.ctx.jobs.define('test.batched', async (_ctx, job) => {
      singles.push((job.payload as { n: number }).n);
    });
    t.ctx.jobs.defineBatch('test.batched', async (_ctx, jobs) => {
      if (batchFails) throw new Error('batch refused');
      batches.push(jobs.map((j) => (j.payload as { n: number }).n));
    });
    for (let n = 0; n < 5; n++) await enqueueJob(t.ctx.db, 'test.batched', { n });
    await enqueueJob(t.ctx.db, 'test.record', { alone: true });
    const worker = new JobWorker(t.ctx, { concurrency: 2, batchSize: 10 });
    expect(await worker.runDue()).toBe(6);
    expect(batches).toEqual([[0, 1, 2, 3, 4]]);
    expect(singles).toEqual([]);
    expect(runs.map((r) => r.kind)).toEqual(['test.record']);

    batchFails = true;
    for (let n = 5; n < 8; n++) await enqueueJob(t.ctx.db, 'test.batched', { n });
    expect(await worker.runDue()).toBe(3);
    expect(singles).toEqual([5, 6, 7]);
    const states = await t.ctx.db.selectFrom('jobs').select('state').where('kind', '=', 'test.batched').execute();
    expect(states.every((s) => s.state === 'done')).toBe(true);
  });
});

describe('pruning finished jobs', () => {
  it('deletes jobs done more than a week ago, and keeps recent, failed and dead ones', async () => {
    const now = new Date();
    const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);
    const rows = [
      { kind: 'test.old_done', state: 'done', created_at: daysAgo(30), finished_at: daysAgo(30) },
      { kind: 'test.old_done', state: 'done', created_at: daysAgo(8), finished_at: daysAgo(8) },
      { kind: 'test.recent_done', state: 'done', created_at: daysAgo(2), finished_at: daysAgo(2) },
      // Created long ago but finished only yesterday (retried): kept for its week.
      { kind: 'test.late_done', state: 'done', created_at: daysAgo(20), finished_at: daysAgo(1) },
      { kind: 'test.old_dead', state: 'dead', created_at: daysAgo(30), finished_at: daysAgo(30) },
      { kind: 'test.old_failed', state: 'failed', created_at: daysAgo(30), finished_at: null },
    ] as const;
    await t.ctx.db.insertInto('jobs').values(rows.map((r) => ({ ...r, payload: '{}' }))).execute();
    expect(await pruneDoneJobs(t.ctx.db, now)).toBe(2);
    const left = await t.ctx.db.selectFrom('jobs').select('kind').orderBy('id').execute();
    expect(left.map((r) => r.kind)).toEqual(['test.recent_done', 'test.late_done', 'test.old_dead', 'test.old_failed']);
    expect(await pruneDoneJobs(t.ctx.db, now)).toBe(0);
  });
});
