import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHearth, type TestHearth } from '../helpers.ts';
import type { AppContext } from '../../src/platform/context.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { enqueueJob, type JobHandler } from '../../src/platform/jobs/registry.ts';
import { JobWorker } from '../../src/platform/jobs/worker.ts';
import { createContext } from '../../src/server.ts';

const JOBS = 300;
const WORKERS_PER_NODE = 3;

let t: TestHearth;
/** A second "node": its own context and connection pool on the same database. */
let second: AppContext | undefined;

const recordRun: JobHandler = async (ctx, job) => {
  // A real write per run: a duplicate run shows up as a second row, whichever pool ran it.
  await sql`insert into test_job_runs (job_id, worker_pid) values (${job.id}, ${process.pid})`.execute(ctx.db);
  // Yield so that the workers' batches interleave instead of one finishing before the next claims.
  await new Promise((resolve) => setTimeout(resolve, 1));
};

beforeAll(async () => {
  t = await createTestHearth({}, { poolSize: 6 });
  if (!t.config.databaseUrl) return;
  second = await createContext(t.config, { log: createLogger('silent'), poolSize: 6 });
  await sql`create table test_job_runs (job_id bigint not null, worker_pid integer not null, ran_at timestamptz not null default clock_timestamp())`.execute(t.ctx.db);
  t.ctx.jobs.define('test.concurrent', recordRun);
  second.jobs.define('test.concurrent', recordRun);
});
afterAll(async () => {
  await second?.database.close();
  await t.close();
});

describe('job workers on several nodes', () => {
  // PostgreSQL only: the embedded database is one connection inside one process, so there is no
  // second pool to race against and nothing concurrent to prove.
  it.skipIf(!process.env.DATABASE_URL)(`${WORKERS_PER_NODE * 2} workers on two pools run each of ${JOBS} jobs exactly once`, async () => {
    if (!second) throw new Error('second context missing');
    await t.ctx.db.transaction().execute(async (trx) => {
      for (let i = 0; i < JOBS; i++) await enqueueJob(trx, 'test.concurrent', { i });
    });
    const nodes = [t.ctx, second];
    const workers = nodes.flatMap((ctx) => Array.from({ length: WORKERS_PER_NODE }, () => new JobWorker(ctx, { batchSize: 7 })));
    const ranPerWorker = await Promise.all(
      workers.map(async (worker) => {
        let total = 0;
        for (let n = await worker.runDue(); n > 0; n = await worker.runDue()) total += n;
        return total;
      }),
    );

    expect(ranPerWorker.reduce((a, b) => a + b, 0)).toBe(JOBS);
    // More than one worker took part, or the test proved nothing about concurrency.
    expect(ranPerWorker.filter((n) => n > 0).length).toBeGreaterThan(1);

    const runs = await sql<{ job_id: number; n: number }>`select job_id, count(*)::int as n from test_job_runs group by job_id`.execute(t.ctx.db);
    expect(runs.rows).toHaveLength(JOBS);
    expect(runs.rows.filter((r) => r.n !== 1)).toEqual([]);
    const states = await t.ctx.db
      .selectFrom('jobs')
      .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
      .where('kind', '=', 'test.concurrent')
      .groupBy('state')
      .execute();
    expect(states.map((s) => ({ state: s.state, n: Number(s.n) }))).toEqual([{ state: 'done', n: JOBS }]);
    const attempts = await t.ctx.db.selectFrom('jobs').select('id').where('kind', '=', 'test.concurrent').where('attempts', '!=', 1).execute();
    expect(attempts).toEqual([]);
  });
});
