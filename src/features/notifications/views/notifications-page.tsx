import type { HearthContext } from '../../../platform/http/env.ts';
import type { Page } from '../../../platform/http/pagination.ts';
import { Badge, Button, Card, EmptyState, Form, PageHeader, Pagination, Tabs, TimeAgo } from '../../../web/components.tsx';
import { Icon } from '../../../web/icons.tsx';
import { Avatar } from '../../../web/layout.tsx';
import type { NotificationItem } from '../service.ts';
import type { NotificationKind } from '../tables.ts';

const kindIcons: Record<NotificationKind, string> = {
  mention: 'user',
  reply_to_topic: 'message',
  reply_to_reply: 'message',
  answer_accepted: 'checkCircle',
  new_topic: 'plus',
  new_reply: 'message',
  reaction: 'heart',
};

/** "Ana replied to your topic": the sentence before the topic's title. */
export function notificationSentence(n: Pick<NotificationItem, 'kind' | 'actor' | 'reaction'>): string {
  const who = n.actor?.displayName ?? 'Someone';
  switch (n.kind) {
    case 'mention':
      return `${who} mentioned you in`;
    case 'reply_to_topic':
      return `${who} replied to your topic`;
    case 'reply_to_reply':
      return `${who} replied to you in`;
    case 'answer_accepted':
      return `${who} accepted your answer to`;
    case 'new_topic':
      return `${who} started a topic you may like:`;
    case 'new_reply':
      return `${who} replied in`;
    case 'reaction':
      return `${who} reacted${n.reaction ? ` (${n.reaction})` : ''} to your post in`;
  }
}

export function NotificationTabs({ active }: { active: 'all' | 'unread' | 'following' }) {
  return (
    <Tabs
      label="Notifications"
      items={[
        { href: '/notifications', label: 'All', active: active === 'all' },
        { href: '/notifications?unread=true', label: 'Unread', active: active === 'unread' },
        { href: '/notifications/following', label: 'Following', active: active === 'following' },
      ]}
    />
  );
}

function NotificationRow({ c, n, now }: { c: HearthContext; n: NotificationItem; now: Date }) {
  return (
    <li class={n.read ? 'notification' : 'notification notification-unread'} id={`notification-${n.id}`}>
      <div class="cluster">
        {n.actor ? <Avatar name={n.actor.displayName} path={n.actor.avatarUrl} size={32} /> : <Icon name={kindIcons[n.kind]} />}
        <div class="stack">
          <p>
            {!n.read && (
              <>
                <Badge tone="info">New</Badge>{' '}
              </>
            )}
            <span class={n.read ? 'muted' : undefined}>{notificationSentence(n)}</span>{' '}
            <a href={`/notifications/${n.id}/open`}>{n.read ? n.topicTitle : <strong>{n.topicTitle}</strong>}</a>
          </p>
          {n.excerpt && <p class="small muted">{n.excerpt}</p>}
          <p class="small muted cluster">
            <Icon name={kindIcons[n.kind]} size={14} />
            <TimeAgo date={n.createdAt} now={now} />
          </p>
        </div>
        {!n.read && (
          <Form c={c} action="/notifications/read" class="text-right">
            <input type="hidden" name="id" value={String(n.id)} />
            <Button variant="ghost" size="sm" icon="check" label={`Mark "${n.topicTitle}" read`}>
              Mark read
            </Button>
          </Form>
        )}
      </div>
    </li>
  );
}

export function NotificationsPage({ c, page, unreadOnly, cursor, unread }: { c: HearthContext; page: Page<NotificationItem>; unreadOnly: boolean; cursor?: string; unread: number }) {
  const now = new Date();
  const base = unreadOnly ? '/notifications?unread=true&' : '/notifications?';
  return (
    <div class="stack">
      <PageHeader
        title="Notifications"
        subtitle={unread === 0 ? 'You are all caught up.' : `${unread >= 100 ? '99+' : unread} unread`}
        actions={
          unread > 0 ? (
            <Form c={c} action="/notifications/read">
              <input type="hidden" name="all" value="true" />
              <Button variant="secondary" size="sm" icon="check">
                Mark all read
              </Button>
            </Form>
          ) : undefined
        }
      />
      <NotificationTabs active={unreadOnly ? 'unread' : 'all'} />
      {page.items.length === 0 ? (
        <EmptyState icon="bell" title={unreadOnly ? 'No unread notifications' : 'No notifications yet'}>
          When someone mentions you, replies to you or accepts your answer, you will see it here. Follow spaces, tags and topics to hear about new posts.
        </EmptyState>
      ) : (
        <Card>
          <ol class="notification-list list-plain stack">
            {page.items.map((n) => (
              <NotificationRow c={c} n={n} now={now} />
            ))}
          </ol>
        </Card>
      )}
      <Pagination
        prevHref={cursor ? (unreadOnly ? '/notifications?unread=true' : '/notifications') : null}
        nextHref={page.nextCursor ? `${base}cursor=${encodeURIComponent(page.nextCursor)}` : null}
      />
    </div>
  );
}
