import { setCookie } from 'hono/cookie';
import type { Flash, HearthContext } from './env.ts';

/** A one-time message shown on the next page, e.g. after a redirect. */
export function setFlash(c: HearthContext, kind: Flash['kind'], message: string): void {
  setCookie(c, 'hearth_flash', Buffer.from(JSON.stringify({ kind, message })).toString('base64url'), {
    path: '/',
    httpOnly: true,
    sameSite: 'Lax',
    maxAge: 60,
  });
}

export function redirectWithFlash(c: HearthContext, to: string, kind: Flash['kind'], message: string) {
  setFlash(c, kind, message);
  return c.redirect(to, 303);
}
