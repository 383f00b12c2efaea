import { sql } from 'kysely';
import type { JobState } from '../db/platform-tables.ts';
import type { Executor } from './registry.ts';

/** States an operator may send back to the queue: the worker has given up on them (dead) or is backing off (failed). */
export const retryableStates: JobState[] = ['failed', 'dead'];

/**
 * Puts a failed or dead job back in the queue to run now. Attempts start again from zero so the job
 * gets its full retry budget; `last_error` is kept until the next attempt replaces it, so the operator
 * still sees why it failed. Returns false when the job does not exist or is not retryable.
 */
export async function retryJob(db: Executor, id: number): Promise<boolean> {
  const result = await db
    .updateTable('jobs')
    .set({ state: 'queued', run_at: new Date(), attempts: 0, locked_at: null, locked_by: null, finished_at: null })
    .where('id', '=', id)
    .where('state', 'in', retryableStates)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Sends every dead job back to the queue; returns how many. */
export async function retryDeadJobs(db: Executor): Promise<number> {
  const result = await db
    .updateTable('jobs')
    .set({ state: 'queued', run_at: new Date(), attempts: 0, locked_at: null, locked_by: null, finished_at: null })
    .where('state', '=', 'dead')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Jobs per state, leaving out `done` (it only grows; counting it would scan the table). */
export async function countOpenJobs(db: Executor): Promise<Record<Exclude<JobState, 'done'>, number>> {
  const rows = await db
    .selectFrom('jobs')
    .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
    .where('state', 'in', ['queued', 'running', 'failed', 'dead'])
    .groupBy('state')
    .execute();
  const counts = { queued: 0, running: 0, failed: 0, dead: 0 };
  for (const row of rows) if (row.state !== 'done') counts[row.state] = Number(row.n);
  return counts;
}

/** Finished jobs are kept this long for Admin → Jobs, then deleted (failed and dead ones stay until dealt with). */
export const DONE_JOB_DAYS = 7;
const PRUNE_CHUNK = 5000;

/**
 * Deletes jobs done more than `DONE_JOB_DAYS` ago, a chunk per statement so no transaction grows long;
 * returns how many. Without it the queue table only grows, by a few rows per order and per post.
 */
export async function pruneDoneJobs(db: Executor, now = new Date()): Promise<number> {
  const before = new Date(now.getTime() - DONE_JOB_DAYS * 86_400_000);
  let deleted = 0;
  for (;;) {
    const result = await sql`
      delete from jobs where id in (
        select id from jobs where state = 'done' and created_at < ${before} and (finished_at is null or finished_at < ${before}) limit ${PRUNE_CHUNK}
      )`.execute(db);
    const n = Number(result.numAffectedRows ?? 0);
    deleted += n;
    if (n < PRUNE_CHUNK) return deleted;
  }
}
