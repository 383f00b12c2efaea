import { getConnInfo } from '@hono/node-server/conninfo';
import type { HearthContext } from './env.ts';

/**
 * Who is asking. Behind a reverse proxy (TRUST_PROXY=on) that is the first `X-Forwarded-For` entry;
 * otherwise the header is ignored, since any client could write it to slip past per-IP limits.
 */
export function clientIp(c: HearthContext): string {
  if (c.get('app').config.trustProxy) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
    if (forwarded) return forwarded.slice(0, 64);
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    // app.request() in tests has no socket.
    return 'unknown';
  }
}
