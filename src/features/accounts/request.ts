import { deleteCookie, setCookie } from 'hono/cookie';
import { clientIp } from '../../platform/http/client-ip.ts';
import type { HearthContext } from '../../platform/http/env.ts';
import { SESSION_COOKIE, SESSION_DAYS } from './sessions.ts';

export interface RequestMeta {
  ip: string;
  userAgent: string | undefined;
}

export function requestMeta(c: HearthContext): RequestMeta {
  return { ip: clientIp(c), userAgent: c.req.header('user-agent') };
}

export function setSessionCookie(c: HearthContext, token: string): void {
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'Lax',
    secure: c.get('app').config.publicUrl.startsWith('https:'),
    path: '/',
    maxAge: SESSION_DAYS * 86400,
  });
}

export function clearSessionCookie(c: HearthContext): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/', secure: c.get('app').config.publicUrl.startsWith('https:') });
}

/**
 * Where to go after signing in: only a path on this site. `//evil.example` and `/\evil.example` are
 * read by browsers as other hosts, so they are refused along with absolute URLs.
 */
export function safeNextPath(next: string | undefined | null, fallback = '/'): string {
  if (!next || next.length > 2000) return fallback;
  if (!next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return fallback;
  if ([...next].some((ch) => ch === '\\' || ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f)) return fallback;
  try {
    const url = new URL(next, 'http://hearth.invalid');
    if (url.host !== 'hearth.invalid') return fallback;
    return url.pathname + url.search + url.hash;
  } catch {
    return fallback;
  }
}
