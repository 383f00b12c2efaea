import type { HearthContext } from '../../../platform/http/env.ts';
import { Icon } from '../../../web/icons.tsx';
import { UNREAD_CAP, unreadCount } from '../service.ts';

export function unreadLabel(count: number): string {
  return count >= UNREAD_CAP ? '99+' : String(count);
}

export function bellAriaLabel(count: number): string {
  return `Notifications, ${unreadLabel(count)} unread`;
}

/**
 * The header's bell: a plain link to /notifications with the unread count, which the live island keeps
 * current. Async, so only signed-in pages pay for the count; visitors get nothing.
 */
export async function NotificationBell({ c }: { c: HearthContext }) {
  const user = c.get('user');
  if (!user) return null;
  const count = await unreadCount(c.get('app'), user);
  return (
    <a href="/notifications" class="icon-button bell" aria-label={bellAriaLabel(count)} data-live-bell="/live/me">
      <Icon name="bell" />
      <span class="bell-count" data-bell-count hidden={count === 0}>
        {unreadLabel(count)}
      </span>
    </a>
  );
}
