import type { Child } from 'hono/jsx';
import type { HearthContext } from '../../../platform/http/env.ts';
import { renderPage } from '../../../web/layout.tsx';
import { Icon } from '../../../web/icons.tsx';

export type AdminSection = 'overview' | 'analytics' | 'loyalty' | 'referrals' | 'jobs' | 'mail' | 'users' | 'spaces' | 'store' | 'api-keys' | 'settings' | 'audit';

const sections: Array<{ key: AdminSection; href: string; label: string; icon: string }> = [
  { key: 'overview', href: '/admin', label: 'Overview', icon: 'chart' },
  { key: 'analytics', href: '/admin/analytics', label: 'Analytics', icon: 'chart' },
  { key: 'users', href: '/admin/users', label: 'Members', icon: 'users' },
  { key: 'spaces', href: '/admin/spaces', label: 'Spaces', icon: 'message' },
  { key: 'store', href: '/admin/store', label: 'Store', icon: 'gift' },
  { key: 'loyalty', href: '/admin/loyalty', label: 'Loyalty', icon: 'star' },
  { key: 'referrals', href: '/admin/referrals', label: 'Referrals', icon: 'gift' },
  { key: 'jobs', href: '/admin/jobs', label: 'Jobs', icon: 'clock' },
  { key: 'mail', href: '/admin/mail', label: 'Mail outbox', icon: 'mail' },
  { key: 'api-keys', href: '/admin/api-keys', label: 'API keys', icon: 'key' },
  { key: 'settings', href: '/admin/settings', label: 'Settings', icon: 'settings' },
  { key: 'audit', href: '/admin/audit', label: 'Audit log', icon: 'shield' },
];

/** Every admin page: the side navigation, then the page's own content. */
export function AdminShell({ active, children }: { active: AdminSection; children: Child }) {
  return (
    <div class="split admin-shell">
      <nav class="sidebar admin-nav" aria-label="Admin">
        <p class="small muted">Admin</p>
        <ul class="list-plain">
          {sections.map((s) => (
            <li>
              <a href={s.href} aria-current={s.key === active ? 'page' : undefined}>
                <Icon name={s.icon} size={16} /> {s.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <div class="stack admin-main">{children}</div>
    </div>
  );
}

export function renderAdminPage(c: HearthContext, title: string, active: AdminSection, body: Child, status: 200 | 400 | 409 = 200, islands?: string[]) {
  return renderPage(c, { title: `${title} · Admin`, noindex: true, section: 'admin', islands }, <AdminShell active={active}>{body}</AdminShell>, status);
}

/** The current URL with some query parameters replaced (undefined removes one), for tabs and paging links. */
export function withQuery(c: HearthContext, changes: Record<string, string | undefined>): string {
  const url = new URL(c.req.url);
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) url.searchParams.delete(k);
    else url.searchParams.set(k, v);
  }
  const search = url.searchParams.toString();
  return url.pathname + (search ? `?${search}` : '');
}

export function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Where a form came from, when it is an admin page; otherwise `fallback`. */
export function adminReturnPath(value: unknown, fallback: string): string {
  return typeof value === 'string' && /^\/admin(\/[\w\-/]*)?(\?[\w\-=&%.]*)?$/.test(value) ? value : fallback;
}
