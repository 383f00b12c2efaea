import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { getCookie, setCookie } from 'hono/cookie';
import type { MiddlewareHandler } from 'hono';
import { AppError } from './errors.ts';
import type { HearthEnv } from './env.ts';

const COOKIE = 'hearth_csrf';
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * POSTs authenticated by a signed token in the request itself rather than by cookies, so a forged
 * cross-site request gains nothing: only the one-click unsubscribe of RFC 8058, which mail clients
 * send from their own servers with no cookie, origin or form token, and store webhooks, signed with an
 * HMAC of their body (commerce feature). Keep this list short and exact.
 */
const TOKEN_AUTHENTICATED_POSTS = new Set(['/unsubscribe', '/webhooks/shopify']);

/** POSTs a signed-out visitor may send without a token: they change only a cookie of their own. */
const ANONYMOUS_POSTS = new Set(['/theme']);

function sign(secret: string, value: string): string {
  return createHmac('sha256', secret).update(`csrf:${value}`).digest('base64url');
}

/**
 * Every browser carries a random `hearth_csrf` cookie; forms and htmx send an HMAC of it, which a
 * cross-site page cannot read or compute. On top, a state change must come from our own origin.
 * Requests authenticated by an API key carry no cookies and skip both checks.
 */
export function csrfProtection(): MiddlewareHandler<HearthEnv> {
  return async (c, next) => {
    const secret = c.get('app').config.sessionSecret;
    let seed = getCookie(c, COOKIE);
    if (!seed || seed.length < 16) {
      seed = randomBytes(18).toString('base64url');
      setCookie(c, COOKIE, seed, { httpOnly: true, sameSite: 'Lax', path: '/', secure: c.get('app').config.publicUrl.startsWith('https:') });
    }
    const expected = sign(secret, seed);
    c.set('csrfToken', expected);

    if (SAFE.has(c.req.method) || c.get('apiScopes')) return next();
    if (c.req.method === 'POST' && TOKEN_AUTHENTICATED_POSTS.has(c.req.path)) return next();

    const origin = c.req.header('origin');
    if (origin && origin !== 'null') {
      const host = c.req.header('host');
      const allowed = new URL(c.get('app').config.publicUrl).host;
      const originHost = new URL(origin).host;
      if (originHost !== host && originHost !== allowed) {
        throw new AppError('csrf_failed', 403, 'This request came from another site and was refused.');
      }
    }
    // A signed-out visitor's theme switch changes nothing but that browser's theme cookie, so it needs
    // no token (same-origin only, above): signed-out pages stay free of tokens and can be cached.
    if (c.req.method === 'POST' && ANONYMOUS_POSTS.has(c.req.path) && !c.get('sessionId')) return next();
    let sent = c.req.header('x-csrf-token');
    if (!sent) {
      const type = c.req.header('content-type') ?? '';
      if (type.includes('form')) {
        const body = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
        const field = body['_csrf'];
        if (typeof field === 'string') sent = field;
      }
    }
    const a = Buffer.from(sent ?? '');
    const b = Buffer.from(expected);
    if (a.length !== b.length || !timingSafeEqual(a, b)) {
      throw new AppError('csrf_failed', 403, 'Your form expired or was sent from elsewhere. Reload the page and try again.');
    }
    return next();
  };
}
