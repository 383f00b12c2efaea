import type { HearthContext } from '../../../platform/http/env.ts';
import { Button, Card, EmptyState, PageHeader, Pagination, Tabs } from '../../../web/components.tsx';
import type { Page } from '../../../platform/http/pagination.ts';
import type { Space, TopicSummary } from '../service.ts';
import { canPostKind } from '../service.ts';
import { topicKinds, type TopicKind } from '../tables.ts';
import { kindPluralLabels, SpaceMark, TopicList, visibilityLabels } from './parts.tsx';
import { FollowButton } from '../../notifications/views/follow-button.tsx';
import { SpaceAccessActions } from './space-access-pages.tsx';

export function SpacePage({
  c,
  space,
  topics,
  pinned,
  kind,
  cursor,
}: {
  c: HearthContext;
  space: Space;
  topics: Page<TopicSummary>;
  pinned: TopicSummary[];
  kind?: TopicKind;
  cursor?: string;
}) {
  const viewer = c.get('user');
  const base = `/s/${space.slug}`;
  const kindQuery = kind ? `kind=${kind}&` : '';
  const now = new Date();
  const kindsShown = topicKinds.filter((k) => k !== 'announcement' || space.defaultKind === 'announcement');
  return (
    <div class="stack">
      <PageHeader
        title={space.name}
        subtitle={space.description}
        breadcrumbs={[{ href: '/', label: 'Home' }, { href: '/spaces', label: 'Spaces' }]}
        actions={
          viewer && canPostKind(viewer, space.defaultKind) ? (
            <Button href={`${base}/new`} icon="plus">
              New topic
            </Button>
          ) : viewer ? undefined : (
            <Button href={`/login?next=${encodeURIComponent(`${base}/new`)}`} variant="secondary">
              Sign in to post
            </Button>
          )
        }
      />
      <div class="split">
        <div class="stack">
          <Tabs
            label="Filter by kind"
            items={[
              { href: base, label: 'All', active: !kind },
              ...kindsShown.map((k) => ({ href: `${base}?kind=${k}`, label: kindPluralLabels[k], active: kind === k })),
            ]}
          />
          {pinned.length > 0 && (
            <Card title="Pinned">
              <TopicList topics={pinned} now={now} />
            </Card>
          )}
          {topics.items.length === 0 ? (
            <EmptyState icon="message" title={kind ? `No ${kindPluralLabels[kind].toLowerCase()} here yet` : 'No topics here yet'}>
              Be the first to start a conversation in {space.name}.
            </EmptyState>
          ) : (
            <TopicList topics={topics.items} now={now} />
          )}
          <Pagination
            prevHref={cursor ? (kind ? `${base}?kind=${kind}` : base) : null}
            nextHref={topics.nextCursor ? `${base}?${kindQuery}cursor=${encodeURIComponent(topics.nextCursor)}` : null}
          />
        </div>
        <aside class="sidebar stack">
          <Card>
            <div class="cluster">
              <SpaceMark space={space} />
              <strong>{space.name}</strong>
            </div>
            <p class="small muted">
              {space.topicCount.toLocaleString('en')} topics · {space.replyCount.toLocaleString('en')} replies · {visibilityLabels[space.visibility]}
            </p>
            <FollowButton c={c} kind="space" id={space.id} target={space.slug} name={space.name} />
            <SpaceAccessActions c={c} space={space} />
          </Card>
        </aside>
      </div>
    </div>
  );
}
