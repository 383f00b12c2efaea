import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHearth, type TestHearth } from '../../../test/helpers.ts';
import type { AppContext } from '../context.ts';
import { createLogger } from '../logger.ts';
import { createContext } from '../../server.ts';
import { Scheduler, type Schedule } from './schedules.ts';

let t: TestHearth;
/**
 * A second process's view of the same database. On PostgreSQL it is a real second context with its own
 * connection pool; the embedded database lives inside one process, so there the two schedulers share it.
 */
let other: AppContext;

beforeAll(async () => {
  t = await createTestHearth();
  other = t.config.databaseUrl ? await createContext(t.config, { log: createLogger('silent') }) : t.ctx;
});
afterAll(async () => {
  if (other !== t.ctx) await other.database.close();
  await t.close();
});

const digest: Schedule = { name: 'test.nightly-digest', cron: '0 3 * * *', jobKind: 'test.digest' };

async function digestJobs() {
  return t.ctx.db.selectFrom('jobs').select(['kind', 'payload', 'unique_key']).where('kind', '=', 'test.digest').orderBy('id').execute();
}

describe('Scheduler', () => {
  it('fires a slot from two nodes at once and enqueues exactly one job', async () => {
    const a = new Scheduler(t.ctx, [digest]);
    const b = new Scheduler(other, [digest]);
    const slot = new Date('2030-01-01T03:00:00.000Z');
    const fired = await Promise.all([a.fire(digest, slot), b.fire(digest, slot), a.fire(digest, slot), b.fire(digest, slot)]);
    expect(fired.filter(Boolean)).toHaveLength(1);
    // Later ticks of the same slot (a slow node's timer) do nothing either.
    expect(await b.fire(digest, new Date(slot.getTime() + 400))).toBe(false);
    const jobs = await digestJobs();
    expect(jobs).toEqual([{ kind: 'test.digest', payload: { slot: '2030-01-01T03:00:00.000Z' }, unique_key: 'schedule:test.nightly-digest:2030-01-01T03:00:00.000Z' }]);
    const row = await t.ctx.db.selectFrom('schedules').selectAll().where('name', '=', digest.name).executeTakeFirstOrThrow();
    expect(row.last_slot?.toISOString()).toBe('2030-01-01T03:00:00.000Z');
  });

  it('enqueues another job for the next slot, and none for an earlier one', async () => {
    const a = new Scheduler(t.ctx, [digest]);
    const b = new Scheduler(other, [digest]);
    const next = new Date('2030-01-02T03:00:00.000Z');
    const fired = await Promise.all([b.fire(digest, next), a.fire(digest, next)]);
    expect(fired.filter(Boolean)).toHaveLength(1);
    expect(await a.fire(digest, new Date('2029-12-31T03:00:00.000Z'))).toBe(false);
    expect((await digestJobs()).map((j) => j.payload)).toEqual([{ slot: '2030-01-01T03:00:00.000Z' }, { slot: '2030-01-02T03:00:00.000Z' }]);
  });
});
