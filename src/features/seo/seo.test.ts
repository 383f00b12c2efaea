import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHearth, TestClient, type TestHearth } from '../../../test/helpers.ts';
import { createSession } from '../accounts/sessions.ts';
import type { Role } from '../accounts/tables.ts';
import { acceptAnswer, createReply, createTopic, type Viewer } from '../community/service.ts';
import type { SpaceVisibility, TopicKind } from '../community/tables.ts';
import { chooseEncoding } from '../../platform/http/compression.ts';
import { encodeCursor } from '../../platform/http/pagination.ts';
import { sitemap, topicsSitemap } from './service.ts';
import { escapeXml } from './xml.ts';

let t: TestHearth;
let userSeq = 0;
const BASE = 'http://localhost:3000';

interface Member {
  id: number;
  viewer: NonNullable<Viewer>;
  client: TestClient;
}

async function member(role: Role = 'member'): Promise<Member> {
  userSeq++;
  const row = await t.ctx.db
    .insertInto('users')
    .values({
      email: `seo${userSeq}@example.com`,
      display_name: `Seo Member ${userSeq}`,
      username: `seo-member-${userSeq}`,
      password_hash: null,
      role,
      email_verified_at: new Date(),
      notification_prefs: JSON.stringify({}),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const client = new TestClient(t.hearth);
  client.cookies.set('hearth_session', await createSession(t.ctx.db, row.id, {}));
  const viewer = { id: row.id, email: `seo${userSeq}@example.com`, displayName: `Seo Member ${userSeq}`, username: `seo-member-${userSeq}`, role, emailVerified: true, avatarPath: null };
  return { id: row.id, viewer, client };
}

async function space(slug: string, visibility: SpaceVisibility, defaultKind: TopicKind = 'discussion') {
  return t.ctx.db
    .insertInto('spaces')
    .values({ slug, name: `Space ${slug}`, description: `About ${slug}`, visibility, default_kind: defaultKind })
    .returning(['id', 'slug'])
    .executeTakeFirstOrThrow();
}

async function tag(slug: string, topicIds: number[]) {
  const row = await t.ctx.db.insertInto('tags').values({ slug, name: `Tag ${slug}` }).returning('id').executeTakeFirstOrThrow();
  for (const topicId of topicIds) await t.ctx.db.insertInto('topic_tags').values({ topic_id: topicId, tag_id: row.id }).execute();
}

/** The parsed JSON-LD of a page, or undefined when it has none. */
function jsonLdOf(html: string): unknown {
  const m = /<script type="application\/ld\+json">([\s\S]*?)<\/script>/.exec(html);
  return m?.[1] === undefined ? undefined : JSON.parse(m[1]);
}

function metaContent(html: string, attr: 'name' | 'property', key: string): string | undefined {
  const m = new RegExp(`<meta ${attr}="${key.replace(/[.:]/g, '\\$&')}" content="([^"]*)"`).exec(html);
  return m?.[1];
}

function decodeEntities(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;|&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

/**
 * A small well-formedness check: one root, every tag closed in order, and no raw `<` or bare `&` in text
 * or attribute values (the mistakes an unescaped title would make).
 */
function assertWellFormedXml(xml: string): void {
  expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
  const body = xml.replace(/^<\?xml[^?]*\?>/, '');
  const stack: string[] = [];
  let roots = 0;
  let pos = 0;
  const tagPattern = /<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>/y;
  while (pos < body.length) {
    const next = body.indexOf('<', pos);
    const text = body.slice(pos, next === -1 ? body.length : next);
    expect(text).not.toMatch(/&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)/);
    expect(text).not.toContain('>');
    if (next === -1) break;
    tagPattern.lastIndex = next;
    const m = tagPattern.exec(body);
    if (!m) throw new Error(`Malformed tag at ${next}: ${body.slice(next, next + 60)}`);
    const [, closing, name = '', attrs = '', selfClosing] = m;
    expect(attrs).not.toMatch(/&(?!(?:amp|lt|gt|quot|apos|#[0-9]+);)/);
    if (closing) {
      expect(stack.pop()).toBe(name);
    } else if (!selfClosing) {
      if (stack.length === 0) roots++;
      stack.push(name);
    } else if (stack.length === 0) {
      roots++;
    }
    pos = tagPattern.lastIndex;
  }
  expect(stack).toEqual([]);
  expect(roots).toBe(1);
}

function locs(xml: string): string[] {
  return [...xml.matchAll(/<loc>([^<]*)<\/loc>/g)].map((m) => decodeEntities(m[1] ?? ''));
}

let asker: Member;
let answerer: Member;
let other: Member;
let staff: Member;
let solved: { id: number; url: string };
let acceptedReplyId: number;
let discussion: { id: number; url: string };
let membersTopic: { id: number; url: string };
let privateTopic: { id: number; url: string };
let trickyTopic: { id: number; url: string };

beforeAll(async () => {
  t = await createTestHearth();
  await space('help', 'public', 'question');
  await space('lounge', 'public');
  await space('insiders', 'members');
  await space('vault', 'private');
  asker = await member();
  answerer = await member();
  other = await member();
  staff = await member('admin');

  solved = await createTopic(t.ctx, asker.viewer, {
    space: 'help',
    kind: 'question',
    title: 'How do I reset my trail watch?',
    body: 'My **watch** froze after the update. What should I do?',
    pinned: false,
  });
  const first = await createReply(t.ctx, other.viewer, solved.id, { body: 'Have you tried turning it off and on?' });
  const best = await createReply(t.ctx, answerer.viewer, solved.id, { body: 'Hold the *crown* for ten seconds until the logo shows.' });
  acceptedReplyId = best.reply.id;
  await acceptAnswer(t.ctx, asker.viewer, solved.id, acceptedReplyId);
  expect(first.reply.id).not.toBe(acceptedReplyId);

  discussion = await createTopic(t.ctx, asker.viewer, { space: 'lounge', kind: 'discussion', title: 'Favourite winter routes', body: 'Share your **best** winter routes.', pinned: false });
  await createReply(t.ctx, other.viewer, discussion.id, { body: 'The ridge above the lake, every January.' });
  await createReply(t.ctx, answerer.viewer, discussion.id, { body: 'Forest loop near the old mill.' });

  membersTopic = await createTopic(t.ctx, asker.viewer, { space: 'insiders', kind: 'discussion', title: 'Members sample sale', body: 'Only for members.', pinned: false });
  privateTopic = await createTopic(t.ctx, staff.viewer, { space: 'vault', kind: 'discussion', title: 'Vault roadmap secrets', body: 'Staff only.', pinned: false });
  trickyTopic = await createTopic(t.ctx, asker.viewer, { space: 'lounge', kind: 'story', title: 'Salt & pepper <b>trails</b> "quoted"', body: 'A & B < C, see [the map](/uploads/map.png).', pinned: false });
  await tag('winter', [discussion.id, membersTopic.id, privateTopic.id]);
});

afterAll(async () => {
  await t.close();
});

describe('structured data', () => {
  it('describes a solved question as a QAPage with the accepted reply as acceptedAnswer', async () => {
    const html = await (await new TestClient(t.hearth).get(solved.url)).text();
    const data = jsonLdOf(html);
    expect(data).toMatchObject({
      '@context': 'https://schema.org',
      '@type': 'QAPage',
      mainEntity: {
        '@type': 'Question',
        name: 'How do I reset my trail watch?',
        text: 'My watch froze after the update. What should I do?',
        answerCount: 2,
        url: `${BASE}${solved.url}`,
        author: { '@type': 'Person', name: asker.viewer.displayName, url: `${BASE}/u/${asker.viewer.username}` },
        acceptedAnswer: {
          '@type': 'Answer',
          text: 'Hold the crown for ten seconds until the logo shows.',
          url: `${BASE}${solved.url}#reply-${acceptedReplyId}`,
          author: { '@type': 'Person', name: answerer.viewer.displayName },
        },
        suggestedAnswer: [{ '@type': 'Answer', text: 'Have you tried turning it off and on?', author: { name: other.viewer.displayName } }],
      },
    });
    expect(typeof (data as { mainEntity: { dateCreated: unknown } }).mainEntity.dateCreated).toBe('string');
  });

  it('describes a discussion as a DiscussionForumPosting with its replies as comments', async () => {
    const html = await (await new TestClient(t.hearth).get(discussion.url)).text();
    expect(jsonLdOf(html)).toMatchObject({
      '@context': 'https://schema.org',
      '@type': 'DiscussionForumPosting',
      headline: 'Favourite winter routes',
      text: 'Share your best winter routes.',
      url: `${BASE}${discussion.url}`,
      articleSection: 'Space lounge',
      author: { '@type': 'Person', name: asker.viewer.displayName },
      interactionStatistic: { '@type': 'InteractionCounter', interactionType: 'https://schema.org/CommentAction', userInteractionCount: 2 },
      comment: [
        { '@type': 'Comment', text: 'The ridge above the lake, every January.', author: { name: other.viewer.displayName } },
        { '@type': 'Comment', text: 'Forest loop near the old mill.', author: { name: answerer.viewer.displayName } },
      ],
    });
  });

  it('keeps the JSON-LD script safe when a title holds markup', async () => {
    const html = await (await new TestClient(t.hearth).get(trickyTopic.url)).text();
    const script = /<script type="application\/ld\+json">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
    expect(script).not.toContain('<');
    expect(jsonLdOf(html)).toMatchObject({ headline: 'Salt & pepper <b>trails</b> "quoted"' });
  });
});

describe('page meta', () => {
  it('gives a topic page its canonical URL, description and Open Graph and Twitter tags, also on a later page of replies', async () => {
    const client = new TestClient(t.hearth);
    // A cursor after every reply: the page exists, with no replies on it.
    const cursor = encodeCursor(['2999-01-01 00:00:00+00', 1]);
    const res = await client.get(`${solved.url}?cursor=${encodeURIComponent(cursor)}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    const canonical = `${BASE}${solved.url}`;
    expect(html).toContain(`<link rel="canonical" href="${canonical}"/>`);
    expect(metaContent(html, 'property', 'og:type')).toBe('article');
    expect(metaContent(html, 'property', 'og:url')).toBe(canonical);
    expect(metaContent(html, 'property', 'og:title')).toBe('How do I reset my trail watch?');
    expect(metaContent(html, 'property', 'og:description')).toBe('My watch froze after the update. What should I do?');
    expect(metaContent(html, 'property', 'og:site_name')).toBe(t.ctx.site.siteName);
    expect(metaContent(html, 'name', 'twitter:card')).toBe('summary');
    expect(metaContent(html, 'name', 'twitter:title')).toBe('How do I reset my trail watch?');
    expect(metaContent(html, 'name', 'description')).toBe('My watch froze after the update. What should I do?');
    // A later page of replies is not indexed separately and carries no second copy of the structured data.
    expect(metaContent(html, 'name', 'robots')).toBe('noindex');
    expect(jsonLdOf(html)).toBeUndefined();

    const first = await (await client.get(solved.url)).text();
    expect(metaContent(first, 'name', 'robots')).toBeUndefined();
  });

  it('keeps descriptions to 160 characters', async () => {
    const long = await createTopic(t.ctx, asker.viewer, { space: 'lounge', kind: 'discussion', title: 'A long one', body: 'word '.repeat(200), pinned: false });
    const html = await (await new TestClient(t.hearth).get(long.url)).text();
    const description = metaContent(html, 'name', 'description') ?? '';
    expect(description.length).toBeLessThanOrEqual(160);
    expect(description.length).toBeGreaterThan(100);
    expect(description.endsWith('…')).toBe(true);
  });

  it('marks sign-in, search and settings pages noindex', async () => {
    const client = new TestClient(t.hearth);
    for (const path of ['/login', '/signup', '/search?q=watch']) {
      const html = await (await client.get(path)).text();
      expect(metaContent(html, 'name', 'robots'), path).toBe('noindex');
    }
    const settings = await (await staff.client.get('/settings')).text();
    expect(metaContent(settings, 'name', 'robots')).toBe('noindex');
    const admin = await (await staff.client.get('/admin')).text();
    expect(metaContent(admin, 'name', 'robots')).toBe('noindex');
    const home = await (await client.get('/')).text();
    expect(metaContent(home, 'name', 'robots')).toBeUndefined();
  });

  it('announces feeds on the home and public space pages, not on a members-only one', async () => {
    const home = await (await new TestClient(t.hearth).get('/')).text();
    expect(home).toContain('<link rel="alternate" type="application/rss+xml"');
    expect(home).toContain('href="/feed.rss"');
    expect(home).toContain('href="/feed.atom"');
    const lounge = await (await new TestClient(t.hearth).get('/s/lounge')).text();
    expect(lounge).toContain('href="/s/lounge/feed.rss"');
    expect(lounge).toContain('href="/s/lounge/feed.atom"');
    const insiders = await (await other.client.get('/s/insiders')).text();
    expect(insiders).toContain('Space insiders');
    expect(insiders).not.toContain('/s/insiders/feed.rss');
  });
});

describe('share links', () => {
  it('offers copy, email, WhatsApp, X and Facebook links with encoded URLs and no third-party script', async () => {
    const html = await (await new TestClient(t.hearth).get(trickyTopic.url)).text();
    const url = `${BASE}${trickyTopic.url}`;
    const u = encodeURIComponent(url);
    const title = 'Salt & pepper <b>trails</b> "quoted"';
    expect(html).toContain(`data-copy="${url}"`);
    const hrefs = [...html.matchAll(/<a class="btn btn-ghost btn-sm" href="([^"]*)" rel="noopener noreferrer"( target="_blank")?/g)].map((m) => ({
      href: decodeEntities(m[1] ?? ''),
      blank: m[2] !== undefined,
    }));
    expect(hrefs).toContainEqual({ href: `https://twitter.com/intent/tweet?url=${u}&text=${encodeURIComponent(title)}`, blank: true });
    expect(hrefs).toContainEqual({ href: `https://www.facebook.com/sharer/sharer.php?u=${u}`, blank: true });
    expect(hrefs).toContainEqual({ href: `https://wa.me/?text=${encodeURIComponent(`${title} ${url}`)}`, blank: true });
    expect(hrefs).toContainEqual({ href: `mailto:?subject=${encodeURIComponent(title)}&body=${encodeURIComponent(`${title}\n\n${url}`)}`, blank: false });
    const scripts = [...html.matchAll(/<script[^>]*\ssrc="([^"]*)"/g)].map((m) => m[1] ?? '');
    expect(scripts.length).toBeGreaterThan(0);
    for (const src of scripts) expect(src.startsWith('/')).toBe(true);
    expect(html).not.toMatch(/<iframe/);
  });
});

describe('sitemap and robots.txt', () => {
  it('lists the home page, public spaces and public topics only', async () => {
    const res = await new TestClient(t.hearth).get('/sitemap.xml');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/xml');
    expect(res.headers.get('set-cookie')).toBeNull();
    const xml = await res.text();
    assertWellFormedXml(xml);
    const urls = locs(xml);
    expect(urls).toContain(`${BASE}/`);
    expect(urls).toContain(`${BASE}/s/help`);
    expect(urls).toContain(`${BASE}${solved.url}`);
    expect(urls).toContain(`${BASE}${discussion.url}`);
    expect(urls).not.toContain(`${BASE}/s/insiders`);
    expect(urls).not.toContain(`${BASE}/s/vault`);
    expect(urls).not.toContain(`${BASE}${membersTopic.url}`);
    expect(urls).not.toContain(`${BASE}${privateTopic.url}`);
    expect(xml).toMatch(new RegExp(`<loc>${BASE}${solved.url}</loc><lastmod>\\d{4}-\\d\\d-\\d\\dT`));
  });

  it('is the same for a signed-in moderator', async () => {
    const xml = await (await staff.client.get('/sitemap.xml')).text();
    expect(locs(xml)).not.toContain(`${BASE}${privateTopic.url}`);
    expect(locs(xml)).not.toContain(`${BASE}${membersTopic.url}`);
  });

  it('becomes an index of topic files when there are more URLs than one file may hold', async () => {
    const index = await sitemap(t.ctx, 3);
    assertWellFormedXml(index);
    expect(index).toContain('<sitemapindex');
    const files = locs(index);
    expect(files[0]).toBe(`${BASE}/sitemap-spaces.xml`);
    const topicFiles = files.slice(1);
    expect(topicFiles[0]).toBe(`${BASE}/sitemap-topics-1.xml`);
    const listed: string[] = [];
    for (let n = 1; n <= topicFiles.length; n++) listed.push(...locs(await topicsSitemap(t.ctx, n, 3)));
    expect(listed).toContain(`${BASE}${solved.url}`);
    expect(listed).not.toContain(`${BASE}${membersTopic.url}`);
    expect(new Set(listed).size).toBe(listed.length);
    await expect(topicsSitemap(t.ctx, topicFiles.length + 1, 3)).rejects.toMatchObject({ status: 404 });

    const spaces = await new TestClient(t.hearth).get('/sitemap-spaces.xml');
    expect(locs(await spaces.text())).toEqual(expect.arrayContaining([`${BASE}/`, `${BASE}/s/help`, `${BASE}/s/lounge`]));
    const topics = await (await new TestClient(t.hearth).get('/sitemap-topics-1.xml')).text();
    expect(locs(topics)).toContain(`${BASE}${solved.url}`);
    expect((await new TestClient(t.hearth).get('/sitemap-topics-9.xml')).status).toBe(404);
  });

  it('serves robots.txt pointing at the sitemap and keeping crawlers out of private areas', async () => {
    const res = await new TestClient(t.hearth).get('/robots.txt');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toContain('User-agent: *');
    for (const path of ['/admin', '/settings', '/api/', '/search']) expect(text).toContain(`Disallow: ${path}\n`);
    expect(text).toContain(`Sitemap: ${BASE}/sitemap.xml`);
  });
});

describe('feeds', () => {
  it('serves well-formed RSS and Atom for the community with escaped titles', async () => {
    const rss = await new TestClient(t.hearth).get('/feed.rss');
    expect(rss.status).toBe(200);
    expect(rss.headers.get('content-type')).toContain('application/rss+xml');
    const rssXml = await rss.text();
    assertWellFormedXml(rssXml);
    expect(rssXml).toContain('<title>Salt &amp; pepper &lt;b&gt;trails&lt;/b&gt; &quot;quoted&quot;</title>');
    expect(rssXml).toContain(`<link>${BASE}${trickyTopic.url}</link>`);
    // Relative links in posts become absolute for readers far from the site.
    expect(rssXml).toContain(`href=&quot;${BASE}/uploads/map.png&quot;`);

    const atom = await new TestClient(t.hearth).get('/feed.atom');
    expect(atom.headers.get('content-type')).toContain('application/atom+xml');
    const atomXml = await atom.text();
    assertWellFormedXml(atomXml);
    expect(atomXml).toContain('<feed xmlns="http://www.w3.org/2005/Atom">');
    expect(atomXml).toContain('<title>Salt &amp; pepper &lt;b&gt;trails&lt;/b&gt; &quot;quoted&quot;</title>');
    expect(atomXml).toContain('<summary>A &amp; B &lt; C, see the map.</summary>');
    expect(atomXml).toContain(`<id>${BASE}${solved.url}</id>`);
  });

  it('leaves out hidden spaces from the community feed even for a signed-in moderator', async () => {
    for (const path of ['/feed.rss', '/feed.atom']) {
      const xml = await (await staff.client.get(path)).text();
      expect(xml).toContain('Favourite winter routes');
      expect(xml).not.toContain('Members sample sale');
      expect(xml).not.toContain('Vault roadmap secrets');
    }
  });

  it('serves a public space feed and refuses a hidden space feed to everyone, moderators included', async () => {
    const lounge = await (await new TestClient(t.hearth).get('/s/lounge/feed.atom')).text();
    assertWellFormedXml(lounge);
    expect(lounge).toContain('Favourite winter routes');
    expect(lounge).not.toContain('How do I reset my trail watch?');
    expect(lounge).toContain(`<link rel="self" type="application/atom+xml" href="${BASE}/s/lounge/feed.atom"/>`);

    expect((await new TestClient(t.hearth).get('/s/insiders/feed.rss')).status).toBe(404);
    expect((await other.client.get('/s/insiders/feed.rss')).status).toBe(404);
    expect((await staff.client.get('/s/vault/feed.atom')).status).toBe(404);
    expect((await staff.client.get('/s/insiders/feed.atom')).status).toBe(404);
  });

  it('serves a tag feed with only the tagged public topics', async () => {
    const xml = await (await staff.client.get('/tag/winter/feed.rss')).text();
    assertWellFormedXml(xml);
    expect(xml).toContain('Favourite winter routes');
    expect(xml).not.toContain('Members sample sale');
    expect(xml).not.toContain('Vault roadmap secrets');
    expect(xml).not.toContain('How do I reset my trail watch?');
    expect((await new TestClient(t.hearth).get('/tag/no-such-tag/feed.rss')).status).toBe(404);
  });

  it('answers 304 to a reader that has the current copy', async () => {
    const first = await new TestClient(t.hearth).get('/s/lounge/feed.rss');
    const etag = first.headers.get('etag') ?? '';
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(first.headers.get('cache-control')).toBe('public, max-age=300');
    expect(first.headers.get('set-cookie')).toBeNull();
    const again = await new TestClient(t.hearth).get('/s/lounge/feed.rss', { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    // Through compression the tag is weak; the weak form matches as well.
    const gz = await new TestClient(t.hearth).get('/s/lounge/feed.rss', { 'accept-encoding': 'gzip' });
    expect(gz.headers.get('etag')).toBe(`W/${etag}`);
    expect((await new TestClient(t.hearth).get('/s/lounge/feed.rss', { 'if-none-match': `W/${etag}` })).status).toBe(304);
    expect((await new TestClient(t.hearth).get('/sitemap.xml', { 'if-none-match': '"stale"' })).status).toBe(200);
  });

  it('escapes every XML special character', () => {
    expect(escapeXml(`a & b < c > d "e" 'f'\u0001`)).toBe('a &amp; b &lt; c &gt; d &quot;e&quot; &apos;f&apos;');
  });
});

describe('compression and caching', () => {
  it('gzips HTML for a client that accepts it', async () => {
    const res = await new TestClient(t.hearth).get(discussion.url, { 'accept-encoding': 'gzip' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(res.headers.get('vary')).toMatch(/accept-encoding/i);
    const compressed = Buffer.from(await res.arrayBuffer());
    expect(Number(res.headers.get('content-length'))).toBe(compressed.length);
    const html = gunzipSync(compressed).toString('utf8');
    expect(html).toContain('Favourite winter routes');
    expect(compressed.length).toBeLessThan(html.length / 2);
  });

  it('prefers brotli, and sends plain bytes to a client that asks for none', async () => {
    const br = await new TestClient(t.hearth).get(discussion.url, { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers.get('content-encoding')).toBe('br');
    const plain = await new TestClient(t.hearth).get(discussion.url);
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(await plain.text()).toContain('Favourite winter routes');
    expect(chooseEncoding('gzip;q=0, br;q=0')).toBeUndefined();
    expect(chooseEncoding('gzip, br;q=0.5')).toBe('gzip');
    expect(chooseEncoding('*')).toBe('br');
  });

  it('compresses JSON and stylesheets but never a Server-Sent Events stream', async () => {
    const json = await new TestClient(t.hearth).get('/api/v1/openapi.json', { 'accept-encoding': 'gzip' });
    expect(json.headers.get('content-encoding')).toBe('gzip');
    const css = await new TestClient(t.hearth).get('/assets/app.css?v=test', { 'accept-encoding': 'gzip' });
    expect(css.status).toBe(200);
    expect(css.headers.get('content-encoding')).toBe('gzip');
    expect(gunzipSync(Buffer.from(await css.arrayBuffer())).toString('utf8').length).toBeGreaterThan(1000);

    const sse = await new TestClient(t.hearth).get(`/live?topic=${discussion.id}`, { 'accept-encoding': 'gzip, br' });
    expect(sse.status).toBe(200);
    expect(sse.headers.get('content-type')).toContain('text/event-stream');
    expect(sse.headers.get('content-encoding')).toBeNull();
    await sse.body?.cancel();
  });

  it('lets a returning anonymous visitor reuse a page briefly, but never a signed-in member', async () => {
    const visitor = new TestClient(t.hearth);
    const first = await visitor.get(discussion.url);
    // Signed-out pages carry no CSRF token, so even the first one may be reused.
    expect(first.headers.get('cache-control')).toBe('private, max-age=60');
    expect(await first.text()).not.toContain('_csrf');
    const second = await visitor.get(discussion.url);
    expect(second.headers.get('set-cookie')).toBeNull();
    expect(second.headers.get('cache-control')).toBe('private, max-age=60');
    expect(second.headers.get('vary')).toMatch(/cookie/i);

    const signedIn = await other.client.get(discussion.url);
    expect(signedIn.headers.get('cache-control')).toBe('private, no-store');
  });
});
