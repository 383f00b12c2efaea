import { serve, type ServerType } from '@hono/node-server';
import type { Config } from './config.ts';
import { createApp, type HearthApp } from './app.ts';
import { features } from './features/index.ts';
import type { AppContext } from './platform/context.ts';
import { openDatabase } from './platform/db/index.ts';
import { RateLimits } from './platform/http/rate-limit.ts';
import { JobRegistry } from './platform/jobs/registry.ts';
import { Scheduler } from './platform/jobs/schedules.ts';
import { JobWorker } from './platform/jobs/worker.ts';
import { createLogger, type Logger } from './platform/logger.ts';
import { createRealtimeHub } from './platform/realtime/index.ts';
import { closeMailTransports, registerMailJobs } from './platform/mail/index.ts';
import { loadSiteSettings } from './platform/settings/index.ts';

export function buildJobRegistry(): JobRegistry {
  const jobs = new JobRegistry();
  registerMailJobs(jobs);
  for (const feature of features) feature.registerJobs?.(jobs);
  return jobs;
}

export interface ContextOptions {
  /** In-memory embedded database (tests). */
  memory?: boolean;
  log?: Logger;
  poolSize?: number;
  rateLimitNamespace?: string;
}

/** Opens the database (migrating it) and assembles the services every feature receives. */
export async function createContext(config: Config, opts: ContextOptions = {}): Promise<AppContext> {
  const log = opts.log ?? createLogger(config.logLevel);
  const database = await openDatabase({
    dataDir: config.dataDir,
    databaseUrl: config.databaseUrl,
    memory: opts.memory,
    sharedBuffers: config.pgliteSharedBuffers,
    poolSize: opts.poolSize,
    log,
  });
  return {
    config,
    db: database.db,
    database,
    log,
    jobs: buildJobRegistry(),
    rateLimits: new RateLimits(config.redisUrl, opts.rateLimitNamespace),
    site: await loadSiteSettings(database.db),
    realtime: createRealtimeHub(config, database, log),
  };
}

export interface RunningHearth {
  ctx: AppContext;
  hearth: HearthApp;
  server: ServerType | undefined;
  worker: JobWorker | undefined;
  url: string;
  close(): Promise<void>;
}

export async function startServer(ctx: AppContext, opts: { listen?: boolean } = {}): Promise<RunningHearth> {
  const hearth = createApp(ctx);
  let worker: JobWorker | undefined;
  let scheduler: Scheduler | undefined;
  if (ctx.config.worker) {
    // On PostgreSQL a batch runs side by side, each job on its own connection; PGlite has only one.
    worker = new JobWorker(ctx, ctx.database.kind === 'postgres' ? { concurrency: ctx.config.jobConcurrency, batchSize: 25 * ctx.config.jobConcurrency } : { batchSize: 50 });
    worker.start();
    scheduler = new Scheduler(ctx, features.flatMap((f) => f.schedules ?? []));
    scheduler.start();
  }
  let server: ServerType | undefined;
  let port = ctx.config.port;
  if (opts.listen !== false) {
    server = await new Promise<ServerType>((resolve, reject) => {
      const s = serve({ fetch: hearth.app.fetch, port: ctx.config.port, hostname: ctx.config.host }, (info) => {
        port = info.port;
        resolve(s);
      });
      s.once('error', reject);
    });
  }
  let closed = false;
  return {
    ctx,
    hearth,
    server,
    worker,
    url: `http://${ctx.config.host === '0.0.0.0' ? 'localhost' : ctx.config.host}:${port}`,
    async close() {
      if (closed) return;
      closed = true;
      scheduler?.stop();
      await worker?.stop();
      if (server) {
        const s = server;
        await new Promise<void>((resolve) => s.close(() => resolve()));
        if ('closeAllConnections' in s) s.closeAllConnections();
      }
      for (const feature of features) await feature.close?.(ctx);
      await ctx.realtime.close();
      await ctx.rateLimits.close();
      closeMailTransports();
      await ctx.database.close();
    },
  };
}
