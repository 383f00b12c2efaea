import type { Feature } from '../index.ts';
import { mountSearchRoutes } from './routes.tsx';
import { refreshSearchLexicon } from './service.ts';

/**
 * Search and tags: ranked full-text search with filters and spelling correction, similar questions
 * while a question is typed, related questions on a question's page, and tag pages. Publishes no
 * events of its own: tags are part of `topic.created`. Recounts the lexicon spelling correction
 * draws on nightly (`search.refreshLexicon`).
 */
export const searchFeature: Feature = {
  name: 'search',
  mount: mountSearchRoutes,
  registerJobs(jobs) {
    jobs.define('search.refreshLexicon', async (ctx) => {
      await refreshSearchLexicon(ctx);
    });
  },
  schedules: [{ name: 'search.refreshLexicon', cron: '40 3 * * *', jobKind: 'search.refreshLexicon' }],
};
