import type { MountArgs } from '../index.ts';
import { renderPage } from '../../web/layout.tsx';
import { communityStats, latestTopics, listSpaces } from '../community/service.ts';
import { HomePage } from './views/home-page.tsx';
import { feedLinks } from '../seo/service.ts';

const LATEST_TOPICS = 20;

export function mountHomeRoutes({ app, ctx }: MountArgs): void {
  app.get('/', async (c) => {
    const viewer = c.get('user');
    const spaces = await listSpaces(ctx, viewer);
    const [latest, stats] = await Promise.all([latestTopics(ctx, viewer, LATEST_TOPICS, spaces), communityStats(ctx, viewer, spaces)]);
    return renderPage(
      c,
      { title: ctx.site.siteName, section: 'home', canonicalPath: '/', feeds: feedLinks(ctx.site.siteName, '/feed') },
      <HomePage c={c} siteName={ctx.site.siteName} tagline={ctx.site.tagline} spaces={spaces} latest={latest} stats={stats} />,
    );
  });
}
