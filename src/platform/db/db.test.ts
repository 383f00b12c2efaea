import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHearth, type TestHearth } from '../../../test/helpers.ts';
import { DatabaseLockedError, DatabaseUnreachableError, isDatabaseUnavailable, openDatabase, redactUrl } from './index.ts';

const scratch = mkdtempSync(join(tmpdir(), 'hearth-db-'));
let t: TestHearth;

beforeAll(async () => {
  t = await createTestHearth();
});
afterAll(async () => {
  await t.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe('the database handle', () => {
  it('returns int8 values (ids, counts) as JavaScript numbers', async () => {
    const row = await sql<{ big: unknown; n: unknown }>`select 9007199254740991::int8 as big, count(*) as n from generate_series(1, 3)`.execute(t.ctx.db);
    expect(row.rows[0]).toEqual({ big: 9007199254740991, n: 3 });
  });

  it('reports an unreachable server as DatabaseUnreachableError without the password', async () => {
    const err = await openDatabase({ dataDir: scratch, databaseUrl: 'postgres://hearth:hunter2@127.0.0.1:1/hearth' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabaseUnreachableError);
    expect(String(err)).toContain('postgres://hearth:***@127.0.0.1:1/hearth');
    expect(String(err)).not.toContain('hunter2');
  });

  it('tells a lost database apart from a bad query', async () => {
    expect(isDatabaseUnavailable(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe(true);
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    const badQuery = await sql`select * from no_such_table`.execute(t.ctx.db).catch((e: unknown) => e);
    expect(isDatabaseUnavailable(badQuery)).toBe(false);
    expect(isDatabaseUnavailable('not an error')).toBe(false);
  });

  it('redacts only the password of a URL', () => {
    expect(redactUrl('postgres://u:p@db.internal:5432/x?sslmode=require')).toBe('postgres://u:***@db.internal:5432/x?sslmode=require');
    expect(redactUrl('not a url')).toBe('(unparseable url)');
  });
});

describe('the embedded data directory', () => {
  it('refuses to open the same directory twice in one process, and reopens once closed', { timeout: 60_000 }, async () => {
    const dataDir = join(scratch, 'twice');
    const first = await openDatabase({ dataDir });
    try {
      await expect(openDatabase({ dataDir })).rejects.toBeInstanceOf(DatabaseLockedError);
      // The failed attempt left the first holder's lock in place.
      expect(readFileSync(join(dataDir, 'hearth.lock'), 'utf8')).toBe(String(process.pid));
    } finally {
      await first.close();
    }
    expect(existsSync(join(dataDir, 'hearth.lock'))).toBe(false);

    // An unreadable lock file (say, a crash while it was being written by an older version) is stale.
    writeFileSync(join(dataDir, 'hearth.lock'), '');
    const again = await openDatabase({ dataDir });
    expect(readFileSync(join(dataDir, 'hearth.lock'), 'utf8')).toBe(String(process.pid));
    // No scratch lock files are left behind.
    expect(readdirSync(dataDir).filter((e) => e.startsWith('hearth.lock'))).toEqual(['hearth.lock']);
    await again.close();
  });
});
