import type { Hono } from 'hono';
import type { AppContext } from '../platform/context.ts';
import type { ApiRegistry } from '../platform/http/api.ts';
import type { HearthEnv } from '../platform/http/env.ts';
import type { JobRegistry } from '../platform/jobs/registry.ts';
import type { Schedule } from '../platform/jobs/schedules.ts';
import { accountsFeature } from './accounts/feature.ts';
import { adminFeature } from './admin/feature.ts';
import { analyticsFeature } from './analytics/feature.ts';
import { commerceFeature } from './commerce/feature.ts';
import { communityFeature } from './community/feature.ts';
import { docsFeature } from './docs/feature.ts';
import { homeFeature } from './home/feature.ts';
import { loyaltyFeature } from './loyalty/feature.ts';
import { notificationsFeature } from './notifications/feature.ts';
import { referralsFeature } from './referrals/feature.ts';
import { searchFeature } from './search/feature.ts';
import { seoFeature } from './seo/feature.ts';

export interface MountArgs {
  app: Hono<HearthEnv>;
  api: ApiRegistry;
  ctx: AppContext;
}

/** A capability: its routes, and the jobs and event subscribers it defines. */
export interface Feature {
  name: string;
  mount(args: MountArgs): void;
  registerJobs?(jobs: JobRegistry): void;
  schedules?: Schedule[];
  /** Runs on shutdown before the database closes, e.g. to write buffered counters. */
  close?(ctx: AppContext): Promise<void>;
}

/** Every feature, in mount order (earlier features win on overlapping routes). */
// analyticsFeature comes first: its visit recorder is middleware around every later route. referralsFeature
// comes next: its middleware attaches a followed referral link on the first page a new member opens.
export const features: Feature[] = [analyticsFeature, referralsFeature, accountsFeature, adminFeature, docsFeature, communityFeature, searchFeature, notificationsFeature, seoFeature, commerceFeature, loyaltyFeature, homeFeature];
