import type { Feature } from '../index.ts';
import { refreshRecent, runRecompute } from './recompute.ts';
import { runRollup } from './rollup.ts';
import { mountAnalyticsRoutes } from './routes.tsx';
import { recordVisits, visitRecorder } from './visits.ts';

/**
 * Analytics: reads the domain-event stream into fact and rollup tables (`analytics.rollup`, every few
 * minutes, incremental from a high-water mark), recomputes RFM, lifetime value, personas and churn risk
 * nightly (`analytics.recompute`, also `hearth analytics recompute`), records member visits, and shows it
 * all under /admin/analytics with CSV exports and /api/v1/analytics twins. Pages read rollups only.
 *
 * Mounted first: its visit recorder is middleware that must wrap every later route.
 */
export const analyticsFeature: Feature = {
  name: 'analytics',
  mount(args) {
    args.app.use('*', recordVisits(args.ctx));
    mountAnalyticsRoutes(args);
  },
  registerJobs(jobs) {
    // A run reads at most 200 batches (a million events); the next run carries on.
    jobs.define('analytics.rollup', async (ctx) => {
      await runRollup(ctx, { maxBatches: 200 });
      await refreshRecent(ctx);
    });
    jobs.define('analytics.recompute', async (ctx) => {
      await runRollup(ctx);
      const result = await runRecompute(ctx);
      ctx.log.info({ scored: result.scored, ms: result.ms, note: result.model.note }, 'analytics recomputed');
    });
  },
  schedules: [
    { name: 'analytics.rollup', cron: '*/5 * * * *', jobKind: 'analytics.rollup' },
    { name: 'analytics.recompute', cron: '15 3 * * *', jobKind: 'analytics.recompute' },
  ],
  close: (ctx) => visitRecorder(ctx).close(),
};
