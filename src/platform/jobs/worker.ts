import { hostname } from 'node:os';
import { sql } from 'kysely';
import type { AppContext } from '../context.ts';
import type { JobRow } from './registry.ts';

export interface WorkerOptions {
  /** How often to look for due jobs when idle. */
  pollMs?: number;
  batchSize?: number;
  /**
   * How many jobs of a batch run at once, each in its own transaction. Handlers already meet their events
   * in any order (several workers on several processes share the table, and a failed job is retried
   * later), so running a batch side by side changes nothing they can see; 1 runs them in order.
   */
  concurrency?: number;
  /** A job still running after this long is taken to have died with its process and is claimed again. */
  staleAfterMs?: number;
  /** First retry delay; doubles each attempt. */
  backoffBaseMs?: number;
}

/** A claimed job, with the retry budget the worker needs to decide between `failed` and `dead`. */
export interface ClaimedJob extends JobRow {
  maxAttempts: number;
}

/** Delay before attempt `attempts + 1`: exponential, capped at an hour, with jitter so retries spread. */
export function backoffMs(attempts: number, baseMs: number): number {
  const exp = Math.min(baseMs * 2 ** Math.max(0, attempts - 1), 3600_000);
  return Math.round(exp * (0.8 + Math.random() * 0.4));
}

/**
 * Runs due jobs. Claiming is one UPDATE over `FOR UPDATE SKIP LOCKED`, so any number of workers on
 * any number of processes share the table without running a job twice.
 */
export class JobWorker {
  readonly id = `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = true;
  readonly #opts: Required<WorkerOptions>;

  constructor(
    private readonly ctx: AppContext,
    opts: WorkerOptions = {},
  ) {
    this.#opts = { pollMs: 1000, batchSize: 10, concurrency: 1, staleAfterMs: 10 * 60_000, backoffBaseMs: 5000, ...opts };
  }

  start(): void {
    this.#stopped = false;
    this.#schedule(0);
  }

  /** Wakes the worker now (after enqueueing something urgent). */
  poke(): void {
    if (!this.#stopped && !this.#running) this.#schedule(0);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#running;
  }

  #schedule(ms: number): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#running = this.runDue()
        .catch((err: unknown) => this.ctx.log.warn({ err }, 'job worker pass failed'))
        .then((count) => {
          this.#running = undefined;
          if (!this.#stopped) this.#schedule(count ? 0 : this.#opts.pollMs);
        });
    }, ms);
    this.#timer.unref();
  }

  async claim(limit = this.#opts.batchSize): Promise<ClaimedJob[]> {
    const staleBefore = new Date(Date.now() - this.#opts.staleAfterMs);
    const result = await sql<{ id: number; kind: string; payload: unknown; attempts: number; max_attempts: number; event_id: number | null }>`
      with due as (
        select id from jobs where state in ('queued', 'failed') and run_at <= now() order by run_at, id limit ${limit} for update skip locked
      ), stale as (
        -- Jobs whose worker died come first: they are few, and a steady backlog of due jobs must not starve them.
        select id from jobs where state = 'running' and locked_at < ${staleBefore} order by locked_at limit ${limit} for update skip locked
      )
      update jobs set state = 'running', attempts = attempts + 1, locked_at = now(), locked_by = ${this.id}
      where id in (select id from stale union all (select id from due limit ${limit} - (select count(*) from stale)))
      returning id, kind, payload, attempts, max_attempts, event_id`.execute(this.ctx.db);
    // UPDATE … RETURNING does not keep the subquery's order: run the batch in the order jobs were enqueued.
    return [...result.rows].sort((a, b) => a.id - b.id).map((r) => ({ id: r.id, kind: r.kind, payload: r.payload, attempts: r.attempts, maxAttempts: r.max_attempts, eventId: r.event_id }));
  }

  /** Claims and runs one batch of due jobs; returns how many ran. The ones that succeeded are marked done together. */
  async runDue(): Promise<number> {
    const jobs = await this.claim();
    const done: number[] = [];
    // Jobs of a kind with a batch handler go together, as one unit of work taking one lane.
    const units: ClaimedJob[][] = [];
    const batches = new Map<string, ClaimedJob[]>();
    for (const job of jobs) {
      if (!this.ctx.jobs.batchHandlers.has(job.kind)) {
        units.push([job]);
        continue;
      }
      let batch = batches.get(job.kind);
      if (!batch) {
        batch = [];
        batches.set(job.kind, batch);
        units.push(batch);
      }
      batch.push(job);
    }
    let next = 0;
    const lane = async () => {
      for (let unit = units[next++]; unit; unit = units[next++]) done.push(...(await this.#runUnit(unit)));
    };
    await Promise.all(Array.from({ length: Math.min(this.#opts.concurrency, units.length) }, lane));
    if (done.length > 0) {
      await this.ctx.db
        .updateTable('jobs')
        .set({ state: 'done', finished_at: new Date(), last_error: null, locked_at: null, locked_by: null })
        .where('id', 'in', done)
        // A job reclaimed as stale by another worker belongs to that worker now; this one must not overwrite it.
        .where('locked_by', '=', this.id)
        .execute();
    }
    return jobs.length;
  }

  /** Runs jobs of one kind, through its batch handler when it has one; returns the ids that succeeded. */
  async #runUnit(unit: ClaimedJob[]): Promise<number[]> {
    const [first] = unit;
    const batch = first ? this.ctx.jobs.batchHandlers.get(first.kind) : undefined;
    if (batch && unit.length > 1) {
      try {
        await batch(this.ctx, unit);
        return unit.map((j) => j.id);
      } catch (err) {
        // Each job again on its own: the single-job handler is the reference, and names the one that fails.
        this.ctx.log.warn({ kind: first?.kind, jobs: unit.length, err: err instanceof Error ? err.message : String(err) }, 'batch of jobs failed; running them one by one');
      }
    }
    const ok: number[] = [];
    for (const job of unit) if (await this.#run(job)) ok.push(job.id);
    return ok;
  }

  /** Runs one job; true when it succeeded. A failure is recorded at once, with its retry time. */
  async #run(job: ClaimedJob): Promise<boolean> {
    const handler = this.ctx.jobs.handlers.get(job.kind);
    try {
      if (!handler) throw new Error(`No handler is defined for job kind ${job.kind}`);
      await handler(this.ctx, job);
      return true;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const dead = job.attempts >= job.maxAttempts;
      this.ctx.log.warn({ job: job.id, kind: job.kind, attempt: job.attempts, dead, err: message }, 'job failed');
      await this.ctx.db
        .updateTable('jobs')
        .set({
          state: dead ? 'dead' : 'failed',
          last_error: message.slice(0, 2000),
          // A dead job waits for an operator, not a time: its run_at stays when it was last due.
          ...(dead ? {} : { run_at: new Date(Date.now() + backoffMs(job.attempts, this.#opts.backoffBaseMs)) }),
          locked_at: null,
          locked_by: null,
          finished_at: dead ? new Date() : null,
        })
        .where('id', '=', job.id)
        .where('locked_by', '=', this.id)
        .execute();
      return false;
    }
  }
}
