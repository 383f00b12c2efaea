import { Cron } from 'croner';
import { sql } from 'kysely';
import type { AppContext } from '../context.ts';
import { enqueueJob } from './registry.ts';

export interface Schedule {
  name: string;
  /** Cron pattern in UTC, e.g. `0 3 * * *`. */
  cron: string;
  /** The job kind enqueued at each tick. */
  jobKind: string;
}

/**
 * Fires each schedule's job once per tick across all processes: every node's timer fires, but only the
 * one holding the schedule's advisory lock, and seeing the slot not yet taken, enqueues the job.
 */
export class Scheduler {
  readonly #crons: Cron[] = [];

  constructor(
    private readonly ctx: AppContext,
    private readonly schedules: Schedule[],
  ) {}

  start(): void {
    for (const schedule of this.schedules) {
      this.#crons.push(
        new Cron(schedule.cron, { timezone: 'UTC', protect: true, unref: true }, (cron: Cron) => {
          const slot = cron.currentRun() ?? new Date();
          this.fire(schedule, slot).catch((err: unknown) => this.ctx.log.warn({ err, schedule: schedule.name }, 'schedule tick failed'));
        }),
      );
    }
  }

  stop(): void {
    for (const c of this.#crons) c.stop();
  }

  /** Enqueues the schedule's job for `slot` unless another node already did; returns whether this one did. */
  async fire(schedule: Schedule, slot: Date): Promise<boolean> {
    const slotStart = new Date(Math.floor(slot.getTime() / 1000) * 1000);
    return this.ctx.db.transaction().execute(async (trx) => {
      const lock = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(hashtext(${'hearth:schedule:' + schedule.name})) as locked`.execute(trx);
      if (!lock.rows[0]?.locked) return false;
      const row = await trx.selectFrom('schedules').select('last_slot').where('name', '=', schedule.name).executeTakeFirst();
      if (row?.last_slot && row.last_slot.getTime() >= slotStart.getTime()) return false;
      await trx
        .insertInto('schedules')
        .values({ name: schedule.name, cron: schedule.cron, last_slot: slotStart, last_run_at: new Date() })
        .onConflict((oc) => oc.column('name').doUpdateSet({ cron: schedule.cron, last_slot: slotStart, last_run_at: new Date() }))
        .execute();
      await enqueueJob(trx, schedule.jobKind, { slot: slotStart.toISOString() }, { uniqueKey: `schedule:${schedule.name}:${slotStart.toISOString()}` });
      return true;
    });
  }
}
