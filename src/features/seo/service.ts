import type { AppContext } from '../../platform/context.ts';
import { notFound } from '../../platform/http/errors.ts';
import { markdownToText } from '../../platform/markdown/index.ts';
import { getSpace, listSpaces, topicUrl, visibleSpaceIds } from '../community/service.ts';
import * as repo from './repo.ts';
import { element, escapeXml, renderSitemapIndex, renderUrlset, XML_DECLARATION, type SitemapUrl } from './xml.ts';

/**
 * Sitemaps and feeds are public documents: they are built for an anonymous visitor whoever asks
 * (`visibleSpaceIds(ctx, null)`), so a signed-in moderator's feed reader never republishes a members-only
 * topic, and a cached copy is the same for everyone.
 */
const ANONYMOUS = null;

/** The sitemap protocol's limit of URLs per file. */
export const SITEMAP_URLS_PER_FILE = 50_000;
export const FEED_ENTRIES = 30;
const SUMMARY_LENGTH = 300;

// Sitemaps.

export type SitemapResult = { kind: 'urlset'; xml: string } | { kind: 'index'; xml: string };

/**
 * `/sitemap.xml`: one urlset while everything fits in a file, otherwise an index of
 * `/sitemap-spaces.xml` and `/sitemap-topics-N.xml` (N from 1).
 */
export async function sitemap(ctx: AppContext, perFile = SITEMAP_URLS_PER_FILE): Promise<string> {
  const base = ctx.config.publicUrl;
  const spaces = await publicSpaces(ctx);
  const spaceIds = spaces.map((s) => s.id);
  const [topicCount, activity] = await Promise.all([repo.countTopicsInSpaces(ctx.db, spaceIds), repo.lastActivityBySpace(ctx.db, spaceIds)]);
  const latest = latestOf([...activity.values()]);
  if (topicCount + spaces.length + 1 <= perFile) {
    const topics = await repo.listSitemapTopics(ctx.db, spaceIds, { offset: 0, limit: perFile });
    return renderUrlset([...spaceUrls(base, spaces, activity, latest), ...topics.map((t) => topicSitemapUrl(base, t))]);
  }
  const files: SitemapUrl[] = [{ loc: `${base}/sitemap-spaces.xml`, lastmod: latest }];
  const topicFiles = Math.ceil(topicCount / perFile);
  for (let n = 1; n <= topicFiles; n++) files.push({ loc: `${base}/sitemap-topics-${n}.xml` });
  return renderSitemapIndex(files);
}

/** The spaces anonymous visitors may see, by the one access answer. */
async function publicSpaces(ctx: AppContext) {
  const [spaces, ids] = await Promise.all([listSpaces(ctx, ANONYMOUS), visibleSpaceIds(ctx, ANONYMOUS)]);
  const visible = new Set(ids);
  return spaces.filter((s) => visible.has(s.id));
}

export async function spacesSitemap(ctx: AppContext): Promise<string> {
  const spaces = await publicSpaces(ctx);
  const activity = await repo.lastActivityBySpace(
    ctx.db,
    spaces.map((s) => s.id),
  );
  return renderUrlset(spaceUrls(ctx.config.publicUrl, spaces, activity, latestOf([...activity.values()])));
}

/** The N-th (from 1) file of topics; a file past the end is "not found". */
export async function topicsSitemap(ctx: AppContext, n: number, perFile = SITEMAP_URLS_PER_FILE): Promise<string> {
  const spaceIds = await visibleSpaceIds(ctx, ANONYMOUS);
  const topics = n >= 1 ? await repo.listSitemapTopics(ctx.db, spaceIds, { offset: (n - 1) * perFile, limit: perFile }) : [];
  if (topics.length === 0 && n !== 1) throw notFound('There is no such sitemap.');
  return renderUrlset(topics.map((t) => topicSitemapUrl(ctx.config.publicUrl, t)));
}

function spaceUrls(base: string, spaces: Array<{ id: number; url: string }>, activity: Map<number, Date>, latest: Date | undefined): SitemapUrl[] {
  return [{ loc: `${base}/`, lastmod: latest }, ...spaces.map((s) => ({ loc: `${base}${s.url}`, lastmod: activity.get(s.id) }))];
}

function topicSitemapUrl(base: string, t: repo.SitemapTopicRow): SitemapUrl {
  return { loc: `${base}${topicUrl(t)}`, lastmod: t.last_activity_at };
}

function latestOf(dates: Date[]): Date | undefined {
  let latest: Date | undefined;
  for (const d of dates) if (!latest || d > latest) latest = d;
  return latest;
}

// Feeds.

export interface FeedEntry {
  id: number;
  title: string;
  url: string;
  summary: string;
  contentHtml: string;
  authorName: string;
  category: string;
  published: Date;
  updated: Date;
}

export interface Feed {
  title: string;
  subtitle: string;
  /** The HTML page the feed follows. */
  pageUrl: string;
  /** The feed's own address without extension: `.rss` and `.atom` are appended. */
  feedBase: string;
  updated: Date;
  entries: FeedEntry[];
}

/** Relative links in a post (uploads, /t/…) made absolute: feed readers show posts far from our site. */
function absoluteLinks(html: string, base: string): string {
  return html.replace(/\b(href|src)="\/(?!\/)/g, `$1="${base}/`);
}

function toEntries(rows: repo.FeedTopicRow[], base: string): FeedEntry[] {
  return rows.map((r) => ({
    id: r.id,
    title: r.title,
    url: `${base}${topicUrl(r)}`,
    summary: markdownToText(r.body_md, SUMMARY_LENGTH),
    contentHtml: absoluteLinks(r.body_html, base),
    authorName: r.author_name,
    category: r.space_name,
    published: r.created_at,
    updated: r.last_activity_at,
  }));
}

function feedOf(ctx: AppContext, opts: { title: string; subtitle: string; pagePath: string; feedPath: string }, rows: repo.FeedTopicRow[]): Feed {
  const base = ctx.config.publicUrl;
  const entries = toEntries(rows, base);
  return {
    title: opts.title,
    subtitle: opts.subtitle,
    pageUrl: `${base}${opts.pagePath}`,
    feedBase: `${base}${opts.feedPath}`,
    // An empty feed keeps a stable date so its ETag does not change on every request.
    updated: latestOf(entries.map((e) => e.updated)) ?? new Date(0),
    entries,
  };
}

export async function siteFeed(ctx: AppContext): Promise<Feed> {
  const spaceIds = await visibleSpaceIds(ctx, ANONYMOUS);
  const rows = await repo.listFeedTopics(ctx.db, spaceIds, { limit: FEED_ENTRIES });
  return feedOf(ctx, { title: ctx.site.siteName, subtitle: ctx.site.tagline, pagePath: '/', feedPath: '/feed' }, rows);
}

/** A space's feed; a space anonymous visitors may not see is "not found", as its page would be. */
export async function spaceFeed(ctx: AppContext, slug: string): Promise<Feed> {
  const space = await getSpace(ctx, ANONYMOUS, slug);
  const rows = await repo.listFeedTopics(ctx.db, [space.id], { limit: FEED_ENTRIES });
  const subtitle = space.description || `Latest topics in ${space.name}`;
  return feedOf(ctx, { title: `${space.name} · ${ctx.site.siteName}`, subtitle, pagePath: space.url, feedPath: `${space.url}/feed` }, rows);
}

/** A tag's feed: its topics in the spaces anonymous visitors may see. */
export async function tagFeed(ctx: AppContext, slug: string): Promise<Feed> {
  const tag = await repo.findTagBySlug(ctx.db, slug);
  if (!tag) throw notFound('We could not find that tag.');
  const spaceIds = await visibleSpaceIds(ctx, ANONYMOUS);
  const rows = await repo.listFeedTopics(ctx.db, spaceIds, { tagId: tag.id, limit: FEED_ENTRIES });
  const path = `/tag/${encodeURIComponent(tag.slug)}`;
  return feedOf(ctx, { title: `${tag.name} · ${ctx.site.siteName}`, subtitle: `Latest topics tagged ${tag.name}`, pagePath: path, feedPath: `${path}/feed` }, rows);
}

export function renderRss(feed: Feed): string {
  const items = feed.entries.map((e) =>
    [
      '<item>',
      element('title', e.title),
      element('link', e.url),
      element('guid', e.url, { isPermaLink: 'true' }),
      element('dc:creator', e.authorName),
      element('category', e.category),
      element('pubDate', e.published.toUTCString()),
      element('description', e.contentHtml),
      '</item>',
    ].join(''),
  );
  return [
    XML_DECLARATION,
    '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/">',
    '<channel>',
    element('title', feed.title),
    element('link', feed.pageUrl),
    element('description', feed.subtitle || feed.title),
    `<atom:link href="${escapeXml(`${feed.feedBase}.rss`)}" rel="self" type="application/rss+xml"/>`,
    element('lastBuildDate', feed.updated.toUTCString()),
    element('generator', 'Hearth'),
    ...items,
    '</channel>',
    '</rss>',
    '',
  ].join('\n');
}

export function renderAtom(feed: Feed): string {
  const entries = feed.entries.map((e) =>
    [
      '<entry>',
      element('title', e.title),
      `<link rel="alternate" type="text/html" href="${escapeXml(e.url)}"/>`,
      element('id', e.url),
      element('published', e.published.toISOString()),
      element('updated', e.updated.toISOString()),
      `<author>${element('name', e.authorName)}</author>`,
      `<category term="${escapeXml(e.category)}"/>`,
      element('summary', e.summary),
      element('content', e.contentHtml, { type: 'html' }),
      '</entry>',
    ].join(''),
  );
  return [
    XML_DECLARATION,
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    element('title', feed.title),
    ...(feed.subtitle ? [element('subtitle', feed.subtitle)] : []),
    `<link rel="alternate" type="text/html" href="${escapeXml(feed.pageUrl)}"/>`,
    `<link rel="self" type="application/atom+xml" href="${escapeXml(`${feed.feedBase}.atom`)}"/>`,
    element('id', `${feed.feedBase}.atom`),
    element('updated', feed.updated.toISOString()),
    element('generator', 'Hearth'),
    ...entries,
    '</feed>',
    '',
  ].join('\n');
}

/** Autodiscovery links (`<link rel="alternate">`) for a page that has feeds at `feedPath` + `.rss`/`.atom`. */
export function feedLinks(title: string, feedPath: string): Array<{ title: string; href: string; type: string }> {
  return [
    { title: `${title} (RSS)`, href: `${feedPath}.rss`, type: 'application/rss+xml' },
    { title: `${title} (Atom)`, href: `${feedPath}.atom`, type: 'application/atom+xml' },
  ];
}
