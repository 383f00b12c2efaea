import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { sql } from 'kysely';
import { bodyLimit } from 'hono/body-limit';
import { deleteCookie, getCookie } from 'hono/cookie';
import { secureHeaders } from 'hono/secure-headers';
import { serveStatic } from '@hono/node-server/serve-static';
import type { AppContext } from './platform/context.ts';
import type { Flash, HearthEnv } from './platform/http/env.ts';
import { ApiRegistry } from './platform/http/api.ts';
import { csrfProtection } from './platform/http/csrf.ts';
import { compression } from './platform/http/compression.ts';
import { anonymousPageCache } from './platform/http/page-cache.ts';
import { handleError, handleNotFound } from './platform/http/error-handler.tsx';
import { AppError } from './platform/http/errors.ts';
import { uploadBodyLimitFor } from './platform/storage/index.ts';
import { authenticate } from './features/accounts/authenticate.ts';
import { features } from './features/index.ts';
import { publicDir } from './web/assets.ts';

export interface HearthApp {
  app: Hono<HearthEnv>;
  api: ApiRegistry;
}

export function createApp(ctx: AppContext): HearthApp {
  const app = new Hono<HearthEnv>();
  const api = new ApiRegistry(app);

  app.use('*', async (c, next) => {
    c.set('app', ctx);
    c.set('requestId', c.req.header('x-request-id') ?? randomUUID());
    c.set('user', null);
    c.set('sessionId', null);
    c.set('apiScopes', null);
    c.set('flash', readFlash(c.req.raw.headers.get('cookie') ? getCookie(c, 'hearth_flash') : undefined));
    if (c.get('flash')) deleteCookie(c, 'hearth_flash', { path: '/' });
    const started = performance.now();
    await next();
    ctx.log.debug({ method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - started) }, 'request');
  });

  // Outermost after the context: compresses whatever the rest produced, error pages included.
  app.use('*', compression());
  app.use('*', anonymousPageCache());

  // Storefront widgets (loyalty's <hearth-loyalty>) are loaded by the store's pages, another origin.
  // Registered before secureHeaders so this runs after it and replaces its same-origin default.
  app.use('/widget/*', async (c, next) => {
    await next();
    c.res.headers.set('Cross-Origin-Resource-Policy', 'cross-origin');
  });

  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'https:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
      referrerPolicy: 'strict-origin-when-cross-origin',
      crossOriginEmbedderPolicy: false,
    }),
  );

  app.use(
    '/assets/*',
    async (c, next) => {
      await next();
      if (c.res.status === 200) c.header('Cache-Control', c.req.query('v') ? 'public, max-age=31536000, immutable' : 'public, max-age=300');
    },
    serveStatic({ root: publicDir, rewriteRequestPath: (p) => p.replace(/^\/assets/, '') }),
  );

  const limitBody = (maxSize: number) =>
    bodyLimit({
      maxSize,
      onError: () => {
        throw new AppError('payload_too_large', 413, `The request body is larger than the ${Math.round(maxSize / 1024)} KB limit.`);
      },
    });
  const defaultBodyLimit = limitBody(ctx.config.bodyLimitBytes);
  // Upload routes (e.g. avatars) declare a larger limit through the storage module.
  app.use('*', (c, next) => {
    const uploadLimit = c.req.method === 'POST' ? uploadBodyLimitFor(c.req.path) : undefined;
    return (uploadLimit === undefined ? defaultBodyLimit : limitBody(Math.max(uploadLimit, ctx.config.bodyLimitBytes)))(c, next);
  });
  app.use('*', authenticate());
  app.use('*', csrfProtection());

  for (const feature of features) feature.mount({ app, api, ctx });

  app.get('/api/v1/openapi.json', (c) => c.json(api.openApiDocument(ctx.config.publicUrl)));
  app.get('/healthz', async (c) => {
    await sql`select 1`.execute(ctx.db);
    return c.json({ status: 'ok' });
  });

  app.notFound(handleNotFound);
  app.onError(handleError);
  return { app, api };
}

function readFlash(raw: string | undefined): Flash | null {
  if (!raw) return null;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (parsed && typeof parsed === 'object' && 'kind' in parsed && 'message' in parsed) {
      const { kind, message } = parsed;
      if ((kind === 'success' || kind === 'error' || kind === 'info') && typeof message === 'string') return { kind, message: message.slice(0, 300) };
    }
  } catch {
    // an unreadable flash is dropped
  }
  return null;
}
