import type { Feature } from '../index.ts';
import { mainNavigation } from '../../web/layout.tsx';
import { mountCommunityRoutes } from './routes.tsx';
import { topicViewCounter } from './view-counter.ts';

mainNavigation.push({ href: '/spaces', label: 'Community', section: 'community' });

/**
 * The community hub: spaces, topics (questions, discussions, stories, announcements) and replies, as
 * pages and under /api/v1. Publishes `topic.created`, `reply.created` and `answer.accepted`; engagement
 * (engagement-routes.tsx) publishes `topic.edited`, `reply.edited`, `topic.deleted`, `topic.restored`,
 * `reply.deleted`, `reply.restored`, `reaction.added` and `reaction.removed`; space membership
 * (space-members.ts) publishes `space.join_requested`, `space.member_added`, `space.join_declined` and
 * `space.member_removed`.
 */
export const communityFeature: Feature = {
  name: 'community',
  mount: mountCommunityRoutes,
  // Buffered topic views are written before the database closes.
  close: (ctx) => topicViewCounter(ctx).close(),
};
