import type { HearthContext } from '../../../platform/http/env.ts';
import type { Page } from '../../../platform/http/pagination.ts';
import { Badge, Button, Card, EmptyState, Form, PageHeader, Pagination, Tabs, TimeAgo } from '../../../web/components.tsx';
import type { FollowItem } from '../service.ts';
import type { FollowTargetKind } from '../tables.ts';
import { NotificationTabs } from './notifications-page.tsx';

const kindLabels: Record<FollowTargetKind, string> = { topic: 'Topic', space: 'Space', tag: 'Tag' };

export function FollowingPage({ c, page, kind, cursor }: { c: HearthContext; page: Page<FollowItem>; kind?: FollowTargetKind; cursor?: string }) {
  const now = new Date();
  const base = kind ? `/notifications/following?kind=${kind}&` : '/notifications/following?';
  return (
    <div class="stack">
      <PageHeader title="Following" subtitle="You hear about new topics in the spaces and tags you follow, and about new replies in the topics you follow." />
      <NotificationTabs active="following" />
      <Tabs
        label="Filter follows"
        items={[
          { href: '/notifications/following', label: 'All', active: !kind },
          { href: '/notifications/following?kind=topic', label: 'Topics', active: kind === 'topic' },
          { href: '/notifications/following?kind=space', label: 'Spaces', active: kind === 'space' },
          { href: '/notifications/following?kind=tag', label: 'Tags', active: kind === 'tag' },
        ]}
      />
      {page.items.length === 0 ? (
        <EmptyState icon="bell" title="You do not follow anything here yet">
          Use the Follow button on a space, tag or topic. Topics you start or reply to are followed for you.
        </EmptyState>
      ) : (
        <Card>
          <ul class="list-plain stack">
            {page.items.map((f) => (
              <li class="cluster">
                <Badge>{kindLabels[f.kind]}</Badge>
                <a href={f.url}>
                  <strong>{f.name}</strong>
                </a>
                <span class="small muted">
                  since <TimeAgo date={f.followedAt} now={now} />
                </span>
                <Form c={c} action="/follows">
                  <input type="hidden" name="kind" value={f.kind} />
                  <input type="hidden" name="target" value={String(f.id)} />
                  <input type="hidden" name="action" value="unfollow" />
                  <input type="hidden" name="return" value={kind ? `/notifications/following?kind=${kind}` : '/notifications/following'} />
                  <Button variant="ghost" size="sm" icon="x" label={`Unfollow ${f.name}`}>
                    Unfollow
                  </Button>
                </Form>
              </li>
            ))}
          </ul>
        </Card>
      )}
      <Pagination prevHref={cursor ? (kind ? `/notifications/following?kind=${kind}` : '/notifications/following') : null} nextHref={page.nextCursor ? `${base}cursor=${encodeURIComponent(page.nextCursor)}` : null} />
    </div>
  );
}
