import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/platform/db/index.ts';

const hearthBin = fileURLToPath(new URL('../../bin/hearth.js', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'hearth-datadir-'));
const open: DatabaseHandle[] = [];

beforeAll(async () => {
  // `hearth` rebuilds its server bundle when a source file is newer; do that once here, so the timed
  // runs below measure the command and not the bundler.
  await runHearth(['--help'], {});
}, 120_000);

afterAll(async () => {
  for (const handle of open) await handle.close();
  rmSync(scratch, { recursive: true, force: true });
});

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `hearth` command as an operator would, with the environment given and nothing else of ours. */
function runHearth(args: string[], env: Record<string, string>): Promise<Exit> {
  const base: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'NODE_OPTIONS']) {
    const value = process.env[name];
    if (value !== undefined) base[name] = value;
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [hearthBin, ...args], {
      cwd: scratch,
      env: { ...base, WORKER: 'off', DEMO_SEED: 'off', LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * What the operator reads on stderr. In a checkout where someone is editing the sources the bundler may
 * announce that it runs from source instead; that note is about the checkout, not the command under test.
 */
function operatorLines(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('hearth: could not bundle the server'));
}

/** The pid of a process that has certainly exited. */
function deadPid(): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', () => (child.pid ? resolve(child.pid) : reject(new Error('no pid'))));
  });
}

describe('the data directory lock', () => {
  const dataDir = join(scratch, 'locked');

  it('a second process refuses to open a data directory in use, naming the process holding it', { timeout: 120_000 }, async () => {
    const holder = await openDatabase({ dataDir });
    open.push(holder);
    expect(readFileSync(join(dataDir, 'hearth.lock'), 'utf8')).toBe(String(process.pid));

    const second = await runHearth(['migrate'], { DATA_DIR: dataDir });
    expect(second.code).not.toBe(0);
    expect(second.stderr).toContain(`Another Hearth process (pid ${process.pid}) is using the data directory ${dataDir}`);
    expect(second.stderr).not.toMatch(/\n\s+at /);
    expect(second.stdout).not.toContain('up to date');
    // The refused process left the holder's lock alone.
    expect(readFileSync(join(dataDir, 'hearth.lock'), 'utf8')).toBe(String(process.pid));
    await holder.close();
    expect(existsSync(join(dataDir, 'hearth.lock'))).toBe(false);
  });

  it('takes over a stale lock left by a process that died', { timeout: 120_000 }, async () => {
    const pid = await deadPid();
    writeFileSync(join(dataDir, 'hearth.lock'), String(pid));

    const run = await runHearth(['migrate'], { DATA_DIR: dataDir });
    expect(operatorLines(run.stderr)).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Database is up to date.');
    // It released the lock on the way out.
    expect(existsSync(join(dataDir, 'hearth.lock'))).toBe(false);

    // And in this process too.
    writeFileSync(join(dataDir, 'hearth.lock'), String(pid));
    const handle = await openDatabase({ dataDir });
    open.push(handle);
    expect(readFileSync(join(dataDir, 'hearth.lock'), 'utf8')).toBe(String(process.pid));
    await handle.close();
  });
});

describe('first initialisation', () => {
  it('cleans up an interrupted initialisation and opens a working database', { timeout: 120_000 }, async () => {
    const dataDir = join(scratch, 'interrupted');
    // What a first start killed half way leaves: a scratch cluster and no pgdata.
    const leftover = join(dataDir, 'pgdata.init-424242');
    mkdirSync(join(leftover, 'base'), { recursive: true });
    writeFileSync(join(leftover, 'base', 'half-written'), 'x'.repeat(1000));
    expect(existsSync(join(dataDir, 'pgdata'))).toBe(false);

    const handle = await openDatabase({ dataDir });
    open.push(handle);
    const entries = readdirSync(dataDir);
    expect(entries.filter((e) => e.startsWith('pgdata.init-'))).toEqual([]);
    expect(entries).toContain('pgdata');
    expect(existsSync(join(dataDir, 'pgdata', 'PG_VERSION'))).toBe(true);
    // Migrated and usable.
    const users = await handle.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(users.n)).toBe(0);
    const migrations = await sql<{ n: number }>`select count(*)::int as n from schema_migrations`.execute(handle.db);
    expect(migrations.rows[0]?.n).toBeGreaterThan(0);
    await handle.close();

    // The next start opens the same cluster without initialising again.
    const again = await openDatabase({ dataDir });
    open.push(again);
    await again.db.insertInto('site_settings').values({ key: 'siteName', value: JSON.stringify('Kept') }).execute();
    await again.close();
    const third = await openDatabase({ dataDir });
    open.push(third);
    const kept = await third.db.selectFrom('site_settings').select('value').where('key', '=', 'siteName').executeTakeFirst();
    expect(kept?.value).toBe('Kept');
    await third.close();
  });
});

describe('an unreachable PostgreSQL at start', () => {
  it('exits with code 1 and one clear line on stderr, no stack trace', { timeout: 120_000 }, async () => {
    const run = await runHearth(['migrate'], { DATABASE_URL: 'postgres://postgres:secret@127.0.0.1:1/x', DATA_DIR: join(scratch, 'unused') });
    expect(run.code).toBe(1);
    const lines = operatorLines(run.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^hearth migrate: Cannot reach PostgreSQL at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/x: .*ECONNREFUSED/);
    // The password never reaches the terminal.
    expect(run.stderr).not.toContain('secret');
  });
});
