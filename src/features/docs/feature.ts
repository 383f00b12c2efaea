import type { Feature } from '../index.ts';
import { mountDocsRoutes } from './routes.tsx';

/** The API reference (/api/docs), the design-system review page (/design) and the brand stylesheet (/theme.css). */
export const docsFeature: Feature = {
  name: 'docs',
  mount: mountDocsRoutes,
};
