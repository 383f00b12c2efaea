import type { MiddlewareHandler } from 'hono';
import type { HearthEnv } from './env.ts';

/** How long a browser may reuse an anonymous page without asking again. */
const ANONYMOUS_PAGE_MAX_AGE = 60;

/**
 * Lets a signed-out visitor's browser reuse a page for a minute (back button, a second look at a
 * thread). Only when the response sets no cookie and shows no flash, and only `private` with
 * `Vary: Cookie`: every page carries a CSRF token bound to the visitor's own `hearth_csrf` cookie (the
 * header's theme switch and the sign-in forms are real forms), so a copy must never reach another visitor
 * through a shared cache, and signing in or switching theme (both change the cookie) must miss.
 */
export function anonymousPageCaching(): MiddlewareHandler<HearthEnv> {
  return async (c, next) => {
    await next();
    if (c.req.method !== 'GET' || c.res.status !== 200) return;
    if (c.get('user') || c.get('sessionId') || c.get('flash')) return;
    if (!(c.res.headers.get('content-type') ?? '').startsWith('text/html')) return;
    // renderPage marks anonymous pages `no-cache`; anything else chose its own policy.
    if (c.res.headers.get('cache-control') !== 'no-cache') return;
    if (c.res.headers.getSetCookie().length > 0) return;
    c.res.headers.set('Cache-Control', `private, max-age=${ANONYMOUS_PAGE_MAX_AGE}`);
    const vary = c.res.headers.get('vary');
    if (!vary || !/(?:^|,)\s*cookie\s*(?:,|$)/i.test(vary)) c.res.headers.set('Vary', vary ? `${vary}, Cookie` : 'Cookie');
  };
}
