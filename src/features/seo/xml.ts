/** Small XML writers for sitemaps and feeds: every text and attribute goes through `escapeXml`. */

// Characters XML 1.0 forbids outright; a stray one in a member's post would make the whole feed unreadable.
// eslint-disable-next-line no-control-regex
const INVALID_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

export function escapeXml(text: string): string {
  return text
    .replace(INVALID_XML_CHARS, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** `<name>text</name>`, escaped. */
export function element(name: string, text: string, attrs: Record<string, string> = {}): string {
  const attributes = Object.entries(attrs)
    .map(([k, v]) => ` ${k}="${escapeXml(v)}"`)
    .join('');
  return `<${name}${attributes}>${escapeXml(text)}</${name}>`;
}

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

export interface SitemapUrl {
  loc: string;
  lastmod?: Date;
}

export function renderUrlset(urls: SitemapUrl[]): string {
  const items = urls.map((u) => `<url>${element('loc', u.loc)}${u.lastmod ? element('lastmod', u.lastmod.toISOString()) : ''}</url>`);
  return `${XML_DECLARATION}\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${items.join('\n')}\n</urlset>\n`;
}

export function renderSitemapIndex(sitemaps: SitemapUrl[]): string {
  const items = sitemaps.map((s) => `<sitemap>${element('loc', s.loc)}${s.lastmod ? element('lastmod', s.lastmod.toISOString()) : ''}</sitemap>`);
  return `${XML_DECLARATION}\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${items.join('\n')}\n</sitemapindex>\n`;
}
