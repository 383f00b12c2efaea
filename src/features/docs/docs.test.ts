import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTestHearth, TestClient, type TestHearth } from '../../../test/helpers.ts';
import { pageQuery, pageSchema } from '../../platform/http/pagination.ts';
import { loadSiteSettings, saveSiteSettings } from '../../platform/settings/index.ts';
import { renderPage } from '../../web/layout.tsx';
import { anchorId } from './schema-text.ts';

let t: TestHearth;

const widget = z.object({
  id: z.number().int().describe('the widget id'),
  name: z.string().min(1).max(80),
  colours: z.array(z.string()),
  owner: z.object({ username: z.string().describe('who made it') }).nullable(),
});

beforeAll(async () => {
  t = await createTestHearth();
  // Routes registered after the app was built, as later features do: the docs must still list them.
  t.hearth.api.route({
    method: 'get',
    path: '/docs-test/widgets',
    summary: 'List docs-test widgets',
    tag: 'Docs test widgets',
    access: { public: true },
    query: pageQuery,
    response: pageSchema(widget),
    handler: async () => ({ items: [], nextCursor: null }),
  });
  t.hearth.api.route({
    method: 'post',
    path: '/docs-test/widgets/{id}/rename',
    summary: 'Rename a docs-test widget',
    tag: 'Docs test admin',
    access: { scope: 'admin' },
    params: z.object({ id: z.coerce.number().int().describe('which widget') }),
    body: z.object({ name: z.string().min(3).max(80).describe('the new name'), note: z.string().optional() }),
    response: widget,
    handler: async (_c, { params, body }) => ({ id: params.id, name: body.name, colours: [], owner: null }),
  });
  t.hearth.app.get('/docs-test/htmx-page', (c) => renderPage(c, { title: 'With htmx', htmx: true }, 'htmx page'));
});

afterAll(async () => {
  await t.close();
});

describe('API reference', () => {
  it('has a heading per tag and describes each endpoint readably', async () => {
    const res = await t.hearth.app.request('/api/docs');
    expect(res.status).toBe(200);
    const html = await res.text();
    const tags = [...new Set(t.hearth.api.routes.map((r) => r.tag))];
    expect(tags).toContain('Docs test widgets');
    for (const tag of tags) {
      expect(html).toContain(`<h2 class="api-tag-title" id="${anchorId('tag', tag)}-title">${tag.replace(/&/g, '&amp;')}</h2>`);
      expect(html).toContain(`href="#${anchorId('tag', tag)}"`);
    }
    expect(html).toContain('<span class="method method-get">GET</span><span class="endpoint-path">/api/v1/docs-test/widgets</span>');
    expect(html).toContain('<span class="method method-post">POST</span><span class="endpoint-path">/api/v1/docs-test/widgets/{id}/rename</span>');
    expect(html).toContain('List docs-test widgets');
    expect(html).toContain('scope: admin');
    expect(html).toContain('<span class="badge badge-success">public</span>');
    // parameters: the query parameters with their descriptions and limits
    expect(html).toContain('<code>cursor</code>');
    expect(html).toContain('opaque cursor from a previous page');
    expect(html).toContain('items per page, 1–100 · 1–100 · default: 25');
    // the body: required marked, nested object of a nullable indented, arrays as T[]
    expect(html).toMatch(/<code class="schema-name">name<\/code><span class="schema-type">string<\/span><span class="schema-required">required<\/span>/);
    expect(html).toContain('3–80 characters');
    expect(html).toContain('<span class="schema-type">string[]</span>');
    expect(html).toMatch(/<code class="schema-name">owner<\/code><span class="schema-type">object \| null<\/span><\/span><ul class="schema"><li><span class="schema-head"><code class="schema-name">username<\/code>/);
    expect(html).toContain('who made it');
    // curl: public endpoints need no key, scoped ones send it along with the JSON body
    expect(html).toContain(`curl &#39;http://localhost:3000/api/v1/docs-test/widgets&#39;`);
    expect(html).toContain(`curl -X POST &#39;http://localhost:3000/api/v1/docs-test/widgets/1/rename&#39; \\\n  -H &quot;Authorization: Bearer $HEARTH_API_KEY&quot;`);
    expect(html).toContain('-d &#39;{\n  &quot;name&quot;: &quot;string&quot;,');
    // the guide
    expect(html).toContain('href="/api/v1/openapi.json"');
    for (const id of ['authentication', 'pagination', 'errors']) expect(html).toContain(`id="${id}"`);
    expect(html).toContain('validation_failed');
    expect(html).toContain(`/assets/docs.css?v=`);
  });
});

describe('theme stylesheet', () => {
  it('serves the brand colour from site settings with readable derived colours', async () => {
    await saveSiteSettings(t.ctx.db, { brandColor: '#2563eb' });
    t.ctx.site = await loadSiteSettings(t.ctx.db);
    const res = await t.hearth.app.request('/theme.css');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    const css = await res.text();
    expect(css).toContain('--brand:#2563eb;');
    expect(css).toContain('--on-brand:#ffffff;');
    expect(css).toContain('--brand-text-light:#2563eb;');
    const page = await (await t.hearth.app.request('/design')).text();
    expect(page).toContain('<link rel="stylesheet" href="/theme.css?v=2563eb"/>');
    expect(page.indexOf('/assets/app.css')).toBeLessThan(page.indexOf('/theme.css'));
  });

  it('picks dark text on a light brand colour and answers any query string', async () => {
    t.ctx.site = { ...t.ctx.site, brandColor: '#ffcc00' };
    const res = await t.hearth.app.request('/theme.css?v=anything&x=<y>');
    expect(res.status).toBe(200);
    const css = await res.text();
    expect(css).toContain('--brand:#ffcc00;--on-brand:#1c1917;');
    expect(css).toContain('--brand-text-light:#856a00;');
  });
});

describe('layout and design page', () => {
  it('serves /design with noindex and every component', async () => {
    const res = await t.hearth.app.request('/design');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<meta name="robots" content="noindex"/>');
    for (const cls of ['btn btn-primary', 'btn btn-secondary', 'btn btn-ghost', 'btn btn-danger', 'field field-invalid', 'field-error', 'notice notice-warning', 'badge badge-danger', 'class="tabs"', 'empty-state', 'class="pagination"', 'class="stat"', 'class="table"', 'avatar avatar-initials hue-11', 'admin-layout']) {
      expect(html).toContain(cls);
    }
    expect(html).toContain('aria-current="page"');
  });

  it('has a language, a skip link to the main landmark, and alt text on every image', async () => {
    for (const path of ['/', '/design', '/api/docs', '/no/such/page']) {
      const html = await (await t.hearth.app.request(path)).text();
      expect(html, path).toMatch(/^<!doctype html><html lang="en"/);
      expect(html, path).toContain('<a class="skip-link" href="#main">Skip to content</a>');
      expect(html, path).toMatch(/<main id="main" class="container main" tabindex="-1">/);
      expect(html, path).toMatch(/<nav class="main-nav" aria-label="Main">/);
      const images = html.match(/<img\b[^>]*>/g) ?? [];
      if (path === '/design') expect(images.length).toBeGreaterThan(0);
      for (const img of images) expect(img, path).toMatch(/\salt="[^"]*"/);
    }
  });

  it('loads htmx only on pages that ask for it', async () => {
    const plain = await (await t.hearth.app.request('/design')).text();
    expect(plain).not.toContain('build/htmx.js');
    expect(plain).toMatch(/<script type="module" src="\/assets\/build\/shell\.js\?v=[^"]+"><\/script>/);
    const withHtmx = await (await t.hearth.app.request('/docs-test/htmx-page')).text();
    expect(withHtmx).toMatch(/<script src="\/assets\/build\/htmx\.js\?v=[^"]+" defer=""><\/script>/);
  });

  it('remembers the theme chosen without JavaScript and renders it on <html>', async () => {
    const client = new TestClient(t.hearth);
    const before = await (await client.get('/design')).text();
    expect(before).toContain('<html lang="en">');
    expect(before).toContain('name="theme" value="dark"');
    const res = await client.postForm('/theme', { theme: 'dark', return: '/design?tab=1' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/design?tab=1');
    expect(client.cookies.get('hearth_theme')).toBe('dark');
    const after = await (await client.get('/design')).text();
    expect(after).toContain('<html lang="en" data-theme="dark">');
    expect(after).toContain('aria-pressed="true"');
    expect(after).toContain('name="theme" value="light"');

    const offsite = await client.postForm('/theme', { theme: 'system', return: '//evil.example/' });
    expect(offsite.headers.get('location')).toBe('/');
    expect(client.cookies.has('hearth_theme')).toBe(false);

    const invalid = await client.postForm('/theme', { theme: 'purple' });
    expect(invalid.status).toBe(400);
  });
});
