import { createHash } from 'node:crypto';
import type { MountArgs } from '../index.ts';
import type { HearthContext } from '../../platform/http/env.ts';
import { notFound } from '../../platform/http/errors.ts';
import { renderAtom, renderRss, sitemap, siteFeed, spaceFeed, spacesSitemap, tagFeed, topicsSitemap, type Feed } from './service.ts';

/** Crawlers and feed readers poll; a few minutes of staleness is fine and spares the database. */
const PUBLIC_DOCUMENT_CACHE = 'public, max-age=300';

const RSS_TYPE = 'application/rss+xml; charset=utf-8';
const ATOM_TYPE = 'application/atom+xml; charset=utf-8';
const XML_TYPE = 'application/xml; charset=utf-8';

function etagOf(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
}

/** True when the client's copy (If-None-Match) is the one we would send; weak tags match too (compression weakens them). */
function clientHasCurrent(c: HearthContext, etag: string): boolean {
  const header = c.req.header('if-none-match');
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

/**
 * A public document (feed, sitemap, robots.txt) with an ETag and 304 for an unchanged copy. It is the
 * same for everyone, so it carries no cookie: the CSRF cookie set for pages would stop shared caches.
 */
function publicDocument(c: HearthContext, body: string, contentType: string): Response {
  const etag = etagOf(body);
  const headers = { ETag: etag, 'Cache-Control': PUBLIC_DOCUMENT_CACHE };
  const res = clientHasCurrent(c, etag) ? c.body(null, 304, headers) : c.body(body, 200, { ...headers, 'Content-Type': contentType });
  res.headers.delete('Set-Cookie');
  return res;
}

function feedResponse(c: HearthContext, feed: Feed, format: string): Response {
  if (format === 'rss') return publicDocument(c, renderRss(feed), RSS_TYPE);
  if (format === 'atom') return publicDocument(c, renderAtom(feed), ATOM_TYPE);
  throw notFound('There is no such feed.');
}

export function robotsTxt(publicUrl: string): string {
  return [
    'User-agent: *',
    'Disallow: /admin',
    'Disallow: /settings',
    'Disallow: /api/',
    'Disallow: /search',
    'Disallow: /notifications',
    'Disallow: /live',
    '',
    `Sitemap: ${publicUrl}/sitemap.xml`,
    '',
  ].join('\n');
}

export function mountSeoRoutes({ app, ctx }: MountArgs): void {
  app.get('/robots.txt', (c) => publicDocument(c, robotsTxt(ctx.config.publicUrl), 'text/plain; charset=utf-8'));

  app.get('/sitemap.xml', async (c) => publicDocument(c, await sitemap(ctx), XML_TYPE));
  app.get('/sitemap-spaces.xml', async (c) => publicDocument(c, await spacesSitemap(ctx), XML_TYPE));
  app.get('/:file{sitemap-topics-[0-9]+\\.xml}', async (c) => {
    const n = Number(/([0-9]+)/.exec(c.req.param('file'))?.[1]);
    return publicDocument(c, await topicsSitemap(ctx, n), XML_TYPE);
  });

  app.get('/:file{feed\\.(?:rss|atom)}', async (c) => feedResponse(c, await siteFeed(ctx), c.req.param('file').slice('feed.'.length)));
  app.get('/s/:slug/:file{feed\\.(?:rss|atom)}', async (c) => feedResponse(c, await spaceFeed(ctx, c.req.param('slug')), c.req.param('file').slice('feed.'.length)));
  app.get('/tag/:slug/:file{feed\\.(?:rss|atom)}', async (c) => feedResponse(c, await tagFeed(ctx, c.req.param('slug')), c.req.param('file').slice('feed.'.length)));
}
