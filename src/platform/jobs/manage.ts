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
