import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { chooseEncoding } from './compression.ts';
import type { HearthContext, HearthEnv } from './env.ts';

/** How long a browser may reuse an anonymous page without asking again. */
const ANONYMOUS_PAGE_MAX_AGE = 60;
const MAX_ENTRIES = 1000;
const MAX_BYTES = 48 * 1024 * 1024;
/** Cookies that change what a signed-out visitor sees; any other cookie does not. */
const SESSION_COOKIE = 'hearth_session';
const FLASH_COOKIE = 'hearth_flash';
const THEME_COOKIE = 'hearth_theme';

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

interface Entry {
  storedAt: number;
  headers: Array<[string, string]>;
  body: Buffer;
  encoded: Map<'br' | 'gzip', Buffer>;
  /** Work the page's route does on every view (counting it), replayed when the copy is served. */
  onHit: (() => void) | undefined;
}

/**
 * Pages for signed-out visitors, rendered once and served from memory for `PAGE_CACHE_SECONDS`, already
 * compressed: a busy public thread costs one render per few seconds, not one per visitor (Discourse keeps
 * an anonymous cache for the same reason).
 *
 * Only a page that holds nothing of the visitor's own is kept: no session, no flash, and no CSRF token in
 * the HTML (signed-out pages leave it out unless they carry a form that needs it, like the sign-in page).
 * A change made through this process drops every copy at once: any request other than GET or HEAD, and
 * any domain event published here (a business change made by a job or another caller). Changes made
 * through another process show after at most `PAGE_CACHE_SECONDS`.
 *
 * It also lets the visitor's browser reuse the page for a minute (`private`, `Vary: Cookie`), so signing
 * in or switching theme, which change the cookie, miss.
 */
export function anonymousPageCache(): MiddlewareHandler<HearthEnv> {
  const entries = new Map<string, Entry>();
  const inflight = new Map<string, Promise<Entry | undefined>>();
  let bytes = 0;
  let clearedAtVersion = 0;

  const clear = () => {
    entries.clear();
    bytes = 0;
  };
  const remove = (key: string) => {
    const entry = entries.get(key);
    if (!entry) return;
    entries.delete(key);
    bytes -= entry.body.length + [...entry.encoded.values()].reduce((n, b) => n + b.length, 0);
  };

  const serve = async (c: HearthContext, entry: Entry): Promise<Response> => {
    entry.onHit?.();
    const encoding = chooseEncoding(c.req.header('accept-encoding'));
    let body = entry.body;
    const headers = new Headers(entry.headers);
    if (encoding) {
      let encoded = entry.encoded.get(encoding);
      if (!encoded) {
        encoded = await (encoding === 'br'
          ? brotli(entry.body, { params: { [constants.BROTLI_PARAM_QUALITY]: 9, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT } })
          : gzipAsync(entry.body, { level: constants.Z_BEST_COMPRESSION }));
        entry.encoded.set(encoding, encoded);
        bytes += encoded.length;
      }
      body = encoded;
      headers.set('Content-Encoding', encoding);
    }
    headers.set('Content-Length', String(body.length));
    headers.set('X-Page-Cache', 'hit');
    return new Response(new Uint8Array(body), { status: 200, headers });
  };

  return async (c, next) => {
    const ctx = c.get('app');
    const ttlMs = ctx.config.pageCacheSeconds * 1000;
    const method = c.req.method;
    if (method !== 'GET' && method !== 'HEAD') {
      try {
        await next();
      } finally {
        clear();
      }
      return;
    }
    const version = ctx.jobs.eventsPublished;
    if (version !== clearedAtVersion) {
      clear();
      clearedAtVersion = version;
    }
    const hasCookies = c.req.raw.headers.has('cookie');
    const cacheable =
      ttlMs > 0 &&
      method === 'GET' &&
      !c.req.header('authorization') &&
      !c.req.header('hx-request') &&
      !(hasCookies && (getCookie(c, SESSION_COOKIE) || getCookie(c, FLASH_COOKIE))) &&
      !c.req.path.startsWith('/api/') &&
      !c.req.path.startsWith('/assets/');
    const accept = c.req.header('accept') ?? '';
    const key = `${(hasCookies && getCookie(c, THEME_COOKIE)) || '-'} ${/json/.test(accept) && !/html/.test(accept) ? 'json' : 'html'} ${c.req.url}`;

    let settle: ((entry: Entry | undefined) => void) | undefined;
    if (cacheable) {
      const entry = entries.get(key);
      const age = entry ? Date.now() - entry.storedAt : Infinity;
      if (entry && age < ttlMs) return serve(c, entry);
      const pending = inflight.get(key);
      if (pending) {
        // One request is rendering this page again: the others get the copy just expired, or, when
        // there is none, wait for the new one instead of all rendering it at once.
        if (entry && age < 2 * ttlMs) return serve(c, entry);
        const rendered = await pending;
        if (rendered) return serve(c, rendered);
      } else {
        inflight.set(key, new Promise<Entry | undefined>((resolve) => (settle = resolve)));
      }
    }
    try {
      await next();
      await keep(c, key, cacheable);
    } finally {
      if (settle) {
        inflight.delete(key);
        settle(entries.get(key));
      }
    }
  };

  /** Marks a signed-out page for the browser's cache and, when it holds nothing personal, keeps it. */
  async function keep(c: HearthContext, key: string, cacheable: boolean): Promise<void> {
    const res = c.res;
    if (res.status !== 200 || c.get('user') || c.get('sessionId') || c.get('flash')) return;
    if (!(res.headers.get('content-type') ?? '').startsWith('text/html')) return;
    // renderPage marks signed-out pages `no-cache`; anything else chose its own policy.
    if (res.headers.get('cache-control') !== 'no-cache') return;
    res.headers.set('Cache-Control', `private, max-age=${ANONYMOUS_PAGE_MAX_AGE}`);
    const vary = res.headers.get('vary');
    if (!vary || !/(?:^|,)\s*cookie\s*(?:,|$)/i.test(vary)) res.headers.set('Vary', vary ? `${vary}, Cookie` : 'Cookie');
    if (!cacheable) return;

    const body = Buffer.from(await res.arrayBuffer());
    c.res = new Response(new Uint8Array(body), res);
    if (body.length > MAX_BYTES / 16 || body.includes(c.get('csrfToken'))) return;
    const headers: Array<[string, string]> = [];
    res.headers.forEach((value, name) => {
      if (name !== 'set-cookie' && name !== 'content-length' && name !== 'content-encoding') headers.push([name, value]);
    });
    remove(key);
    while (entries.size >= MAX_ENTRIES || (bytes + body.length > MAX_BYTES && entries.size > 0)) remove(entries.keys().next().value ?? '');
    entries.set(key, { storedAt: Date.now(), headers, body, encoded: new Map(), onHit: c.get('onPageCacheHit') });
    bytes += body.length;
  }
}
