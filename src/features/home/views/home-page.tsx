import type { HearthContext } from '../../../platform/http/env.ts';
import { Button, Card, EmptyState, Stat } from '../../../web/components.tsx';
import type { CommunityStats, Space, TopicSummary } from '../../community/service.ts';
import { SpaceCard, TopicList } from '../../community/views/parts.tsx';

export function HomePage({
  c,
  siteName,
  tagline,
  spaces,
  latest,
  stats,
}: {
  c: HearthContext;
  siteName: string;
  tagline: string;
  spaces: Space[];
  latest: TopicSummary[];
  stats: CommunityStats;
}) {
  const viewer = c.get('user');
  return (
    <div class="stack">
      <section class="hero stack">
        <h1>{siteName}</h1>
        <p class="lead">{tagline}</p>
        <div class="cluster">
          {viewer ? (
            <Button href="/new" icon="plus" size="lg">
              Start a topic
            </Button>
          ) : (
            <Button href="/signup" size="lg">
              Join the community
            </Button>
          )}
          <Button href="/spaces" variant="secondary" size="lg">
            Browse spaces
          </Button>
        </div>
      </section>

      <section class="grid-3 stats" aria-label="Community at a glance">
        <Stat label="Members" value={stats.members.toLocaleString('en')} />
        <Stat label="Topics" value={stats.topics.toLocaleString('en')} />
        <Stat label="Replies" value={stats.replies.toLocaleString('en')} hint={`${stats.activeThisWeek.toLocaleString('en')} topics active this week`} />
      </section>

      <div class="split">
        <Card title="Latest topics" id="latest">
          {latest.length === 0 ? (
            <EmptyState icon="message" title="No topics yet">
              Start the first conversation.
            </EmptyState>
          ) : (
            <TopicList topics={latest} showSpace />
          )}
        </Card>
        <aside class="sidebar stack" aria-labelledby="spaces-title">
          <h2 id="spaces-title">Spaces</h2>
          {spaces.length === 0 ? (
            <EmptyState icon="users" title="No spaces yet" />
          ) : (
            <div class="stack">
              {spaces.map((s) => (
                <SpaceCard space={s} />
              ))}
            </div>
          )}
        </aside>
      </div>
    </div>
  );
}
