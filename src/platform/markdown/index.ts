import MarkdownIt from 'markdown-it';
import sanitizeHtml from 'sanitize-html';

/**
 * Members' markdown to safe HTML. markdown-it never passes raw HTML through (`html: false`); the
 * sanitiser then keeps only an allowlist, so a bug or plugin in the first step cannot open a hole.
 */
const markdown = new MarkdownIt({ html: false, linkify: true, breaks: false, typographer: false });

const LINK_REL = 'nofollow ugc noopener';

/** Images only from our own storage or over https: no tracking over http, no data: payloads. */
function isAllowedImageSource(src: string): boolean {
  return /^https:\/\/[^\s]+$/i.test(src) || /^\/uploads\/[^\s]*$/.test(src);
}

const sanitizeOptions: sanitizeHtml.IOptions = {
  allowedTags: [
    'p', 'br', 'strong', 'em', 's', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a', 'h2', 'h3', 'h4', 'hr', 'img',
    'table', 'thead', 'tbody', 'tr', 'th', 'td',
  ],
  allowedAttributes: { a: ['href', 'rel'], img: ['src', 'alt'], ol: ['start'] },
  allowedSchemes: ['https', 'http', 'mailto'],
  allowedSchemesByTag: { img: ['https'] },
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  transformTags: {
    // The page title is the only h1; headings in a post start at h2.
    h1: 'h2',
    h5: 'h4',
    h6: 'h4',
    a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, rel: LINK_REL } }),
    img: (tagName, attribs) => {
      const src = attribs.src ?? '';
      const alt = attribs.alt ?? '';
      const kept: sanitizeHtml.Attributes = isAllowedImageSource(src) ? { src, alt } : { alt };
      return { tagName, attribs: kept };
    },
  },
  // An image whose source was refused is dropped rather than left as a broken <img>.
  exclusiveFilter: (frame) => frame.tag === 'img' && !frame.attribs.src,
};

export function renderMarkdown(source: string): string {
  return sanitizeHtml(markdown.render(source), sanitizeOptions).trim();
}

/** Plain text of a markdown body, for descriptions and excerpts. */
export function markdownToText(source: string, maxLength = 200): string {
  const parts: string[] = [];
  for (const block of markdown.parse(source, {})) {
    if (block.type !== 'inline') continue;
    for (const token of block.children ?? []) {
      if (token.type === 'text' || token.type === 'code_inline') parts.push(token.content);
      else if (token.type === 'softbreak' || token.type === 'hardbreak') parts.push(' ');
    }
    parts.push(' ');
  }
  const text = parts.join('').replace(/\s+/g, ' ').trim();
  if (text.length <= maxLength) return text;
  return text.slice(0, maxLength - 1).replace(/\s+\S*$/, '') + '…';
}
