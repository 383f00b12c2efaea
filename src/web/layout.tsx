import { raw } from 'hono/html';
import { getCookie } from 'hono/cookie';
import type { Child } from 'hono/jsx';
import type { HearthContext } from '../platform/http/env.ts';
import { assetUrl } from './assets.ts';
import { Icon } from './icons.tsx';

export interface PageMeta {
  title: string;
  description?: string;
  /** Path of the canonical URL, e.g. `/t/42-my-topic`. Defaults to the request path. */
  canonicalPath?: string;
  noindex?: boolean;
  /** Marks the current section in the navigation. */
  section?: string;
  /** Extra client islands this page needs, by bundle name (see scripts/build.ts). */
  islands?: string[];
  /** Extra stylesheets under public/ this page needs (e.g. `docs.css`), linked after app.css. */
  stylesheets?: string[];
  /** Loads htmx (deferred) for pages that use `hx-*` attributes; other pages stay without it. */
  htmx?: boolean;
  /** Open Graph type; `website` by default. */
  ogType?: string;
  /** JSON-LD structured data for the page. */
  jsonLd?: unknown;
  /** Feeds of this page's content, announced with `<link rel="alternate">` for feed readers. */
  feeds?: Array<{ title: string; href: string; type: string }>;
}

interface NavItem {
  href: string;
  label: string;
  section: string;
}

/** Links features add to the footer (about, privacy, feeds…), in order. */
export const footerNavigation: Array<{ href: string; label: string }> = [{ href: '/api/docs', label: 'API' }];

/** Sections each feature adds to the main navigation, in order. */
export const mainNavigation: NavItem[] = [{ href: '/', label: 'Home', section: 'home' }];

/** Widgets features add to the header beside the account menu (the notification bell); may be async. */
export const headerWidgets: Array<(props: { c: HearthContext }) => Child | Promise<Child>> = [];

/** The cookie remembering a visitor's chosen colour theme; absent means "follow the system". */
export const themeCookie = 'hearth_theme';

export type ThemeChoice = 'light' | 'dark';

export function chosenTheme(c: HearthContext): ThemeChoice | undefined {
  const value = c.req.raw.headers.get('cookie') ? getCookie(c, themeCookie) : undefined;
  return value === 'light' || value === 'dark' ? value : undefined;
}

/**
 * Switches between light and dark. It is a real form so it works without JavaScript (the server
 * remembers the choice in a cookie); the shell island switches instantly instead of submitting.
 */
function ThemeToggle({ c, theme }: { c: HearthContext; theme: ThemeChoice | undefined }) {
  const url = new URL(c.req.url);
  return (
    <form method="post" action="/theme" class="theme-form">
      {c.get('user') && <input type="hidden" name="_csrf" value={c.get('csrfToken')} />}
      <input type="hidden" name="return" value={url.pathname + url.search} />
      <button
        type="submit"
        name="theme"
        value={theme === 'dark' ? 'light' : 'dark'}
        class="icon-button theme-toggle"
        data-theme-toggle
        aria-label="Dark theme"
        aria-pressed={theme ? String(theme === 'dark') : undefined}
        title="Switch between light and dark"
      >
        <Icon name="sun" class="icon-sun" />
        <Icon name="moon" class="icon-moon" />
      </button>
    </form>
  );
}

function UserMenu({ c }: { c: HearthContext }) {
  const user = c.get('user');
  if (!user) {
    return (
      <div class="nav-actions">
        <a class="btn btn-ghost btn-sm" href="/login">
          Sign in
        </a>
        <a class="btn btn-primary btn-sm" href="/signup">
          Join
        </a>
      </div>
    );
  }
  return (
    <div class="nav-actions">
      <details class="menu">
        <summary class="menu-trigger" aria-label={`Account menu for ${user.displayName}`}>
          <Avatar name={user.displayName} path={user.avatarPath} size={32} />
          <span class="menu-name">{user.displayName}</span>
          <Icon name="chevronDown" size={16} class="menu-caret" />
        </summary>
        <div class="menu-panel">
          <p class="menu-heading">
            <strong>{user.displayName}</strong>
            <span class="muted small">@{user.username}</span>
          </p>
          <a href={`/u/${user.username}`}>
            <Icon name="user" size={16} /> Profile
          </a>
          <a href="/bookmarks">
            <Icon name="star" size={16} /> Bookmarks
          </a>
          <a href="/points">
            <Icon name="star" size={16} /> Points
          </a>
          <a href="/settings">
            <Icon name="settings" size={16} /> Settings
          </a>
          {user.role === 'admin' && (
            <a href="/admin">
              <Icon name="shield" size={16} /> Admin
            </a>
          )}
          <form method="post" action="/logout">
            <input type="hidden" name="_csrf" value={c.get('csrfToken')} />
            <button type="submit" class="menu-button">
              <Icon name="logout" size={16} /> Sign out
            </button>
          </form>
        </div>
      </details>
    </div>
  );
}

export function Avatar({ name, path, size = 40 }: { name: string; path: string | null; size?: number }) {
  if (path) {
    return <img class="avatar" src={path} alt="" width={size} height={size} data-size={size} loading="lazy" />;
  }
  const initials = name
    .split(/\s+/)
    .map((p) => p[0] ?? '')
    .join('')
    .slice(0, 2)
    .toUpperCase();
  let hue = 0;
  for (const ch of name) hue = (hue * 31 + ch.charCodeAt(0)) % 360;
  return (
    <span class={`avatar avatar-initials hue-${Math.round(hue / 30) % 12}`} data-size={size} aria-hidden="true">
      {initials}
    </span>
  );
}

/** The page's islands; signed-in members always get `live`, which keeps the header bell's count current. */
function pageIslands(c: HearthContext, meta: PageMeta): string[] {
  const islands = meta.islands ?? [];
  return c.get('user') && !islands.includes('live') ? [...islands, 'live'] : islands;
}

export function Layout({ c, meta, children }: { c: HearthContext; meta: PageMeta; children: Child }) {
  const app = c.get('app');
  const site = app.site;
  const flash = c.get('flash');
  const url = new URL(c.req.url);
  const canonical = `${app.config.publicUrl}${meta.canonicalPath ?? url.pathname}`;
  const fullTitle = meta.title === site.siteName ? site.siteName : `${meta.title} · ${site.siteName}`;
  const description = meta.description ?? site.tagline;
  const theme = chosenTheme(c);
  return (
    <html lang="en" data-theme={theme}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{fullTitle}</title>
        <meta name="description" content={description} />
        <link rel="canonical" href={canonical} />
        {meta.noindex && <meta name="robots" content="noindex" />}
        <meta property="og:site_name" content={site.siteName} />
        <meta property="og:title" content={meta.title} />
        <meta property="og:description" content={description} />
        <meta property="og:type" content={meta.ogType ?? 'website'} />
        <meta property="og:url" content={canonical} />
        <meta name="twitter:card" content="summary" />
        <meta name="twitter:title" content={meta.title} />
        <meta name="twitter:description" content={description} />
        {(meta.feeds ?? []).map((feed) => (
          <link rel="alternate" type={feed.type} title={feed.title} href={feed.href} />
        ))}
        {/* Signed-out pages carry no token unless a form on them needs one, so they can be cached. */}
        {c.get('user') && <meta name="csrf-token" content={c.get('csrfToken')} />}
        <meta name="color-scheme" content="light dark" />
        <link rel="icon" href={assetUrl('favicon.svg')} type="image/svg+xml" />
        <link rel="stylesheet" href={assetUrl('app.css')} />
        {(meta.stylesheets ?? []).map((name) => (
          <link rel="stylesheet" href={assetUrl(name)} />
        ))}
        <link rel="stylesheet" href={`/theme.css?v=${site.brandColor.replace('#', '').toLowerCase()}`} />
        {meta.jsonLd !== undefined && (
          <script type="application/ld+json" dangerouslySetInnerHTML={{ __html: JSON.stringify(meta.jsonLd).replace(/</g, '\\u003c') }} />
        )}
        <script type="module" src={assetUrl('build/shell.js')} />
        {meta.htmx && <script src={assetUrl('build/htmx.js')} defer />}
        {pageIslands(c, meta).map((name) => (
          <script type="module" src={assetUrl(`build/${name}.js`)} />
        ))}
      </head>
      <body>
        <a class="skip-link" href="#main">
          Skip to content
        </a>
        <header class="site-header">
          <div class="container header-inner">
            <a class="brand" href="/">
              <span class="brand-mark" aria-hidden="true">
                <Icon name="flame" />
              </span>
              <span class="brand-name">{site.siteName}</span>
            </a>
            <nav class="main-nav" aria-label="Main">
              {mainNavigation.map((item) => (
                <a href={item.href} aria-current={meta.section === item.section ? 'page' : undefined}>
                  {item.label}
                </a>
              ))}
            </nav>
            <div class="header-actions">
              <form class="header-search" method="get" action="/search" role="search">
                <label for="header-q" class="visually-hidden">
                  Search the community
                </label>
                <input id="header-q" name="q" type="search" placeholder="Search" maxlength={200} value={url.pathname === '/search' ? (url.searchParams.get('q') ?? undefined) : undefined} />
                <button type="submit" class="icon-button" aria-label="Search">
                  <Icon name="search" size={18} />
                </button>
              </form>
              <ThemeToggle c={c} theme={theme} />
              {headerWidgets.map((Widget) => (
                <Widget c={c} />
              ))}
              <UserMenu c={c} />
            </div>
          </div>
        </header>
        {flash && (
          <div class="container">
            <div class={`flash flash-${flash.kind}`} role={flash.kind === 'error' ? 'alert' : 'status'}>
              <Icon name={flash.kind === 'success' ? 'checkCircle' : flash.kind === 'error' ? 'alert' : 'info'} size={18} />
              <span>{flash.message}</span>
            </div>
          </div>
        )}
        <main id="main" class="container main" tabindex={-1}>
          {children}
        </main>
        <footer class="site-footer">
          <div class="container footer-inner">
            <p class="footer-brand">
              <span class="brand-mark brand-mark-sm" aria-hidden="true">
                <Icon name="flame" size={14} />
              </span>
              <span>
                {site.siteName} · <span class="muted">powered by Hearth</span>
              </span>
            </p>
            <nav class="footer-nav" aria-label="Footer">
              {footerNavigation.map((item) => (
                <a href={item.href}>{item.label}</a>
              ))}
            </nav>
          </div>
        </footer>
      </body>
    </html>
  );
}

export function renderPage(c: HearthContext, meta: PageMeta, body: Child, status: 200 | 400 | 401 | 403 | 404 | 409 | 413 | 422 | 429 | 500 | 503 = 200) {
  c.header('Cache-Control', c.get('user') ? 'private, no-store' : 'no-cache');
  return c.html(
    <>
      {raw('<!doctype html>')}
      <Layout c={c} meta={meta}>
        {body}
      </Layout>
    </>,
    status,
  );
}
