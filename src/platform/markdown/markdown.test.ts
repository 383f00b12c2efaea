import { describe, expect, it } from 'vitest';
import { markdownToText, renderMarkdown } from './index.ts';

describe('renderMarkdown', () => {
  it('renders ordinary markdown', () => {
    expect(renderMarkdown('Hello **world**, *really*.\n\n- one\n- two')).toBe('<p>Hello <strong>world</strong>, <em>really</em>.</p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>');
  });

  it('turns a level-one heading into h2, since the page title is the only h1', () => {
    expect(renderMarkdown('# Big\n\n###### small')).toBe('<h2>Big</h2>\n<h4>small</h4>');
  });

  it('escapes script tags instead of running them', () => {
    const html = renderMarkdown('<script>alert(1)</script>');
    expect(html).toBe('<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>');
    expect(html).not.toContain('<script');
  });

  it('never produces a javascript: link, whatever the spelling', () => {
    for (const source of ['[x](javascript:alert(1))', '[x](JAVASCRIPT:alert(1))', '[x](  javascript:alert(1))', '[x](java\tscript:alert(1))', '<javascript:alert(1)>', '[x](vbscript:msgbox(1))']) {
      const html = renderMarkdown(source);
      expect(html, source).not.toMatch(/href="\s*(java|vb)/i);
      expect(html, source).not.toContain('<a');
    }
  });

  it('neutralises raw img tags with event handlers', () => {
    const html = renderMarkdown('<img src=x onerror=alert(1)>');
    expect(html).toBe('<p>&lt;img src=x onerror=alert(1)&gt;</p>');
  });

  it('refuses data: URLs in links and images', () => {
    expect(renderMarkdown('[x](data:text/html;base64,PHNjcmlwdD4=)')).not.toContain('href');
    const image = renderMarkdown('![pixel](data:image/png;base64,iVBORw0KGgo=)');
    expect(image).not.toContain('<img');
    expect(image).not.toContain('data:');
  });

  it('keeps images only from our uploads or https', () => {
    const html = renderMarkdown('![a](https://cdn.example.com/a.png) ![b](http://insecure.example.com/b.png) ![c](/uploads/c.png)');
    expect(html).toBe('<p><img src="https://cdn.example.com/a.png" alt="a" />  <img src="/uploads/c.png" alt="c" /></p>');
  });

  it('marks every link nofollow ugc noopener, including bare URLs', () => {
    const html = renderMarkdown('See [the guide](https://example.com/guide) or https://example.org/x');
    expect(html).toBe(
      '<p>See <a href="https://example.com/guide" rel="nofollow ugc noopener">the guide</a> or <a href="https://example.org/x" rel="nofollow ugc noopener">https://example.org/x</a></p>',
    );
  });

  it('drops attributes outside the allowlist', () => {
    const html = renderMarkdown('| a | b |\n|--:|---|\n| 1 | 2 |');
    expect(html).toContain('<th>a</th>');
    expect(html).not.toContain('style');
  });
});

describe('markdownToText', () => {
  it('gives plain text without markup or entities, shortened on a word boundary', () => {
    expect(markdownToText('# Hi\n\nHello **world** & <x>')).toBe('Hi Hello world & <x>');
    expect(markdownToText('one two three four five', 12)).toBe('one two…');
  });
});
