import type { Feature } from '../index.ts';
import { mountHomeRoutes } from './routes.tsx';

export const homeFeature: Feature = {
  name: 'home',
  mount: mountHomeRoutes,
};
