import type { Feature } from '../index.ts';
import { mountSearchRoutes } from './routes.tsx';

/**
 * Search and tags: ranked full-text search with filters and typo-tolerant titles, similar questions
 * while a question is typed, related questions on a question's page, and tag pages. Publishes no
 * events of its own: tags are part of `topic.created`.
 */
export const searchFeature: Feature = {
  name: 'search',
  mount: mountSearchRoutes,
};
