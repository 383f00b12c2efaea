import type { Feature } from '../index.ts';
import { footerNavigation } from '../../web/layout.tsx';
import { mountSeoRoutes } from './routes.tsx';

export const seoFeature: Feature = {
  name: 'seo',
  mount: (args) => {
    if (!footerNavigation.some((item) => item.href === '/feed.rss')) footerNavigation.push({ href: '/feed.rss', label: 'RSS' });
    mountSeoRoutes(args);
  },
};
