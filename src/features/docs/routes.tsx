import { z } from 'zod';
import { setCookie, deleteCookie } from 'hono/cookie';
import type { MountArgs } from '../index.ts';
import { parseForm } from '../../platform/http/body.ts';
import { renderPage, themeCookie } from '../../web/layout.tsx';
import { operationsOf, type Operation } from './schema-text.ts';
import { defaultBrandColor, parseHexColor, themeStylesheet } from './theme.ts';
import { ApiReference } from './views/api-reference.tsx';
import { DesignPage } from './views/design.tsx';

const themeForm = z.object({
  theme: z.enum(['light', 'dark', 'system']),
  return: z.string().max(2000).optional(),
});

/** Only a path on this site: never `//host` or a full URL, so the form cannot redirect elsewhere. */
function safeReturnPath(value: string | undefined): string {
  if (!value || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return '/';
  return value;
}

export function mountDocsRoutes({ app, api, ctx }: MountArgs): void {
  // Features register API routes after this one mounts, so the document is built on request and
  // kept until another route is registered (tests add some at run time).
  let cached: { routeCount: number; operations: Operation[] } | null = null;
  const operations = (): Operation[] => {
    if (cached?.routeCount !== api.routes.length) {
      cached = { routeCount: api.routes.length, operations: operationsOf(api.openApiDocument(ctx.config.publicUrl)) };
    }
    return cached.operations;
  };

  app.get('/api/docs', (c) =>
    renderPage(
      c,
      {
        title: 'API reference',
        description: `The REST API of ${ctx.site.siteName}: authentication, pagination, errors and every endpoint.`,
        stylesheets: ['docs.css'],
      },
      <ApiReference operations={operations()} baseUrl={ctx.config.publicUrl} siteName={ctx.site.siteName} />,
    ),
  );

  app.get('/design', (c) =>
    renderPage(c, { title: 'Design system', noindex: true, stylesheets: ['docs.css'] }, <DesignPage c={c} now={new Date()} />),
  );
  // The sample form on /design posts here; it only exists for review, so it goes back to the page.
  app.post('/design', (c) => c.redirect('/design#forms', 303));

  app.get('/theme.css', (c) => {
    const color = parseHexColor(ctx.site.brandColor) ? ctx.site.brandColor : defaultBrandColor;
    c.header('Content-Type', 'text/css; charset=utf-8');
    // The layout links it with ?v=<colour>, so a new colour is a new URL; a short life covers the rest.
    c.header('Cache-Control', 'public, max-age=300');
    return c.body(themeStylesheet(color));
  });

  // The theme toggle without JavaScript: remember the choice in a cookie the layout reads.
  app.post('/theme', async (c) => {
    const form = await parseForm(c, themeForm);
    if (form.theme === 'system') deleteCookie(c, themeCookie, { path: '/' });
    else setCookie(c, themeCookie, form.theme, { path: '/', sameSite: 'Lax', maxAge: 60 * 60 * 24 * 365, secure: ctx.config.publicUrl.startsWith('https:') });
    return c.redirect(safeReturnPath(form.return), 303);
  });
}
