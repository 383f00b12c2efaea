import type { Config } from '../config.ts';
import type { Database, DatabaseHandle } from './db/index.ts';
import type { JobRegistry } from './jobs/registry.ts';
import type { Logger } from './logger.ts';
import type { RateLimits } from './http/rate-limit.ts';
import type { RealtimeHub } from './realtime/index.ts';
import type { SiteSettings } from './settings/index.ts';

/** What every service function receives: configuration, the database and the platform services. */
export interface AppContext {
  config: Config;
  db: Database;
  database: DatabaseHandle;
  log: Logger;
  jobs: JobRegistry;
  rateLimits: RateLimits;
  /** Site settings, loaded at start and replaced when an admin saves them. */
  site: SiteSettings;
  /** Live updates (SSE): publish/subscribe, across processes when on PostgreSQL or Redis. */
  realtime: RealtimeHub;
}
