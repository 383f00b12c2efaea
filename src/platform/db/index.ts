import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { closeSync, existsSync, linkSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import { pgliteDialect } from './pglite-driver.ts';
import { migrateToLatest } from './migrate.ts';
import type { DB } from './schema.ts';

export type { DB } from './schema.ts';
export type Database = Kysely<DB>;

export interface DatabaseHandle {
  db: Database;
  kind: 'pglite' | 'postgres';
  /** The PGlite instance when embedded; realtime uses its LISTEN/NOTIFY. */
  pglite?: PGlite;
  /** The pool when on PostgreSQL; realtime takes a dedicated client from it. */
  pool?: pg.Pool;
  close(): Promise<void>;
}

export class DatabaseLockedError extends Error {}
export class DatabaseUnreachableError extends Error {}

const INT8_OID = 20;
const parseInt8 = (value: string) => Number(value);

/** Both drivers return int8 (ids, counts) as JavaScript numbers, so rows look the same on either. */
const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? parseInt8 : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export interface OpenOptions {
  dataDir: string;
  databaseUrl?: string;
  /** In-memory embedded database (tests). */
  memory?: boolean;
  sharedBuffers?: string;
  log?: Logger;
  poolSize?: number;
  migrate?: boolean;
}

const lockedDirs = new Set<string>();

function acquireLock(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'hearth.lock');
  if (lockedDirs.has(dataDir)) {
    throw new DatabaseLockedError(`The data directory ${dataDir} is already open in this process.`);
  }
  for (let attempt = 0; attempt < 3; attempt++) {
    if (createLockFile(file)) {
      lockedDirs.add(dataDir);
      return () => {
        lockedDirs.delete(dataDir);
        try {
          unlinkSync(file);
        } catch {
          // already gone: nothing to release
        }
      };
    }
    const holder = readLockPid(file);
    if (holder !== null && holder !== process.pid && isAlive(holder)) {
      throw new DatabaseLockedError(
        `Another Hearth process (pid ${holder}) is using the data directory ${dataDir}. Stop it first, or set DATA_DIR to another directory.`,
      );
    }
    // The process that held the lock is gone: the lock is stale. Another process starting at this
    // moment may have replaced it already, so only the stale file we just read is removed.
    if (readLockPid(file) === holder) rmSync(file, { force: true });
  }
  throw new DatabaseLockedError(`Could not lock the data directory ${dataDir}.`);
}

/**
 * Creates the lock file holding our pid, or returns false when it exists. The pid is written to a
 * private file first and linked into place, so nobody ever reads a lock file that is still empty.
 */
function createLockFile(file: string): boolean {
  const scratch = `${file}.${process.pid}`;
  const fd = openSync(scratch, 'w');
  try {
    writeSync(fd, String(process.pid));
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(scratch, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return false;
  } finally {
    rmSync(scratch, { force: true });
  }
}

function readLockPid(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** PGlite's own start parameters, with a smaller buffer cache so an idle community stays light. */
const pgliteDefaults: unknown = (PGlite as unknown as { defaultStartParams?: unknown }).defaultStartParams;

function pgliteOptions(sharedBuffers: string) {
  const base = Array.isArray(pgliteDefaults) ? pgliteDefaults.filter((p): p is string => typeof p === 'string') : [];
  return {
    parsers: { [INT8_OID]: parseInt8 },
    // Extensions are loaded when PGlite starts; the migrations then `create extension` them.
    extensions: { pg_trgm },
    startParams: [...base, '-c', `shared_buffers=${sharedBuffers}`],
  };
}

async function openPglite(opts: OpenOptions): Promise<DatabaseHandle> {
  const sharedBuffers = opts.sharedBuffers ?? '16MB';
  if (opts.memory) {
    const client = await PGlite.create(pgliteOptions(sharedBuffers));
    return wrapPglite(client, () => undefined);
  }
  const release = acquireLock(opts.dataDir);
  try {
    const pgdata = join(opts.dataDir, 'pgdata');
    if (!existsSync(join(pgdata, 'PG_VERSION'))) {
      await initialisePgdata(opts.dataDir, pgdata, sharedBuffers, opts.log);
    }
    const client = await PGlite.create(pgdata, pgliteOptions(sharedBuffers));
    return wrapPglite(client, release);
  } catch (err) {
    release();
    throw err;
  }
}

/**
 * The first start creates the cluster in a scratch directory and renames it into place once it is
 * complete and migrated, so a start interrupted half way never leaves a broken data directory.
 */
async function initialisePgdata(dataDir: string, pgdata: string, sharedBuffers: string, log?: Logger) {
  for (const entry of readdirSync(dataDir)) {
    if (entry.startsWith('pgdata.init-')) rmSync(join(dataDir, entry), { recursive: true, force: true });
  }
  if (existsSync(pgdata)) rmSync(pgdata, { recursive: true, force: true });
  const scratch = join(dataDir, `pgdata.init-${process.pid}`);
  log?.info({ dataDir }, 'creating the embedded database');
  const client = await PGlite.create(scratch, pgliteOptions(sharedBuffers));
  const db = new Kysely<DB>({ dialect: pgliteDialect(client) });
  try {
    await migrateToLatest(db, log);
  } finally {
    await db.destroy();
  }
  renameSync(scratch, pgdata);
}

function wrapPglite(client: PGlite, release: () => void): DatabaseHandle {
  const db = new Kysely<DB>({ dialect: pgliteDialect(client) });
  let closed = false;
  return {
    db,
    kind: 'pglite',
    pglite: client,
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
      release();
    },
  };
}

async function openPostgres(url: string, opts: OpenOptions): Promise<DatabaseHandle> {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.poolSize ?? 10,
    types: pgTypes,
    connectionTimeoutMillis: 5000,
    // Notices a silently dropped connection (a server or network gone without closing the socket).
    keepAlive: true,
    idleTimeoutMillis: 30_000,
    // Every connection is for short queries (pages, the API, jobs in small batches). Parallel workers
    // and JIT compilation each cost more than such a query: a search whose plan merely looks expensive
    // spent 40 ms compiling and 180 ms starting workers for a 30 ms answer. Set at connection start, so
    // no query pays a round trip for it; a job that needs either can `set local` it in its transaction.
    options: '-c jit=off -c max_parallel_workers_per_gather=0',
  });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on('error', (err) => opts.log?.warn({ err: err.message }, 'database connection lost'));
  // The pool only listens for errors on idle clients. A client checked out by a query when the server
  // goes away emits 'error' with no listener, which would crash the process; the query itself already
  // fails (and becomes a 503), and the pool discards the broken client when it is released.
  pool.on('connect', (client) => {
    client.on('error', (err) => opts.log?.warn({ err: err.message }, 'database connection lost during a query'));
  });
  try {
    const client = await pool.connect();
    client.release();
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new DatabaseUnreachableError(
      `Cannot reach PostgreSQL at ${redactUrl(url)}: ${(err as Error).message || (err as NodeJS.ErrnoException).code}`,
    );
  }
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  let closed = false;
  return {
    db,
    kind: 'postgres',
    pool,
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable url)';
  }
}

export async function openDatabase(opts: OpenOptions): Promise<DatabaseHandle> {
  const handle = opts.databaseUrl ? await openPostgres(opts.databaseUrl, opts) : await openPglite(opts);
  if (opts.migrate !== false) {
    try {
      await migrateToLatest(handle.db, opts.log);
    } catch (err) {
      await handle.close();
      throw err;
    }
  }
  return handle;
}

const unavailableCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '08000', '08003', '08006']);

/** True when an error means the database went away, as opposed to a bad query. */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as NodeJS.ErrnoException).code;
  if (code && unavailableCodes.has(code)) return true;
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
    err.message,
  );
}
