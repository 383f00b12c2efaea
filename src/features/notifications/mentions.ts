import MarkdownIt from 'markdown-it';

/** A post mentions at most this many members; more are ignored, so one post cannot page a crowd. */
export const MAX_MENTIONS_PER_POST = 10;

// The same settings as the renderer, so what counts as code here is what shows as code on the page.
const markdown = new MarkdownIt({ html: false, linkify: true, breaks: false, typographer: false });

/** Usernames are lowercase letters, digits and hyphens (see accounts' uniqueUsername); underscores are tolerated. */
const MENTION = /(^|[^\w@./-])@([a-z0-9][a-z0-9_-]{0,39})/gi;

/**
 * The usernames a Markdown post mentions (`@name`), lowercased, in order, without repeats. Text in code
 * spans, code blocks and links does not count: `@decorator` in a snippet is nobody's name.
 */
export function parseMentions(source: string, max = MAX_MENTIONS_PER_POST): string[] {
  const found: string[] = [];
  for (const block of markdown.parse(source, {})) {
    if (block.type !== 'inline') continue;
    let text = '';
    let linkDepth = 0;
    for (const token of block.children ?? []) {
      if (token.type === 'link_open') linkDepth++;
      else if (token.type === 'link_close') linkDepth = Math.max(0, linkDepth - 1);
      else if (token.type === 'text' && linkDepth === 0) text += token.content;
      // Anything else (code, breaks, images, link text) separates words.
      else text += ' ';
    }
    for (const match of text.matchAll(MENTION)) {
      const name = (match[2] ?? '').replace(/[-_]+$/, '').toLowerCase();
      if (!name || found.includes(name)) continue;
      found.push(name);
      if (found.length >= max) return found;
    }
  }
  return found;
}
