import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { unauthorized } from '../../platform/http/errors.ts';
import type { HearthEnv } from '../../platform/http/env.ts';
import { findApiKey } from './api-keys.ts';
import { SESSION_COOKIE, findSession } from './sessions.ts';

/**
 * Identifies the caller once per request: an `Authorization: Bearer` API key (JSON API only), or the
 * session cookie. Sets `user`, `sessionId` and `apiScopes` for routes and services.
 */
export function authenticate(): MiddlewareHandler<HearthEnv> {
  return async (c, next) => {
    const ctx = c.get('app');
    const authorization = c.req.header('authorization');
    if (authorization) {
      const match = /^Bearer\s+(\S+)$/i.exec(authorization);
      if (!match?.[1] || !c.req.path.startsWith('/api/')) {
        throw unauthorized('Use `Authorization: Bearer <api key>` on /api/ endpoints.');
      }
      const key = await findApiKey(ctx, match[1]);
      if (!key) throw unauthorized('The API key is unknown or revoked.');
      c.set('apiScopes', key.scopes);
      c.set('user', key.user);
      return next();
    }
    const token = getCookie(c, SESSION_COOKIE);
    if (token) {
      const session = await findSession(ctx, token);
      if (session) {
        c.set('user', session.user);
        c.set('sessionId', session.id);
      }
    }
    return next();
  };
}
