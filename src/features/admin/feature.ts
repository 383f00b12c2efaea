import type { Feature } from '../index.ts';
import { pruneDoneJobs } from '../../platform/jobs/manage.ts';
import { mountAdminRoutes } from './routes.tsx';

/** The operator's area: members and roles, jobs (finished ones pruned after a week), the mail outbox, API keys, site settings, audit log. */
export const adminFeature: Feature = {
  name: 'admin',
  mount: mountAdminRoutes,
  registerJobs(jobs) {
    jobs.define('admin.pruneDoneJobs', async (ctx) => {
      await pruneDoneJobs(ctx.db);
    });
  },
  schedules: [{ name: 'admin.pruneDoneJobs', cron: '7 * * * *', jobKind: 'admin.pruneDoneJobs' }],
};
