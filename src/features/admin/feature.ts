import type { Feature } from '../index.ts';
import { mountAdminRoutes } from './routes.tsx';

/** The operator's area: members and roles, jobs, the mail outbox, API keys, site settings, audit log. */
export const adminFeature: Feature = {
  name: 'admin',
  mount: mountAdminRoutes,
};
