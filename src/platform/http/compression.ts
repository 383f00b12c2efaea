import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { MiddlewareHandler } from 'hono';
import type { HearthEnv } from './env.ts';

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

type Encoding = 'br' | 'gzip';

/** Text formats worth compressing; never `text/event-stream`, whose events must leave as they are written. */
const COMPRESSIBLE = /^\s*(?:text\/(?!event-stream)[^;\s]+|application\/(?:json|javascript|xml|rss\+xml|atom\+xml|manifest\+json|ld\+json)|image\/svg\+xml)\s*(?:;|$)/i;
const NO_TRANSFORM = /(?:^|,)\s*no-transform\s*(?:,|$)/i;
/** Below this, the encoding headers cost about what compression saves. */
const THRESHOLD_BYTES = 1024;
const MAX_CACHED_ASSETS = 64;

/** The client's preferred encoding we support: brotli before gzip, anything with q=0 refused. */
export function chooseEncoding(acceptEncoding: string | undefined): Encoding | undefined {
  if (!acceptEncoding) return undefined;
  const weights = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    weights.set(name.trim(), q === undefined ? 1 : Number(q));
  }
  const weight = (name: Encoding) => weights.get(name) ?? weights.get('*') ?? 0;
  const br = weight('br');
  const gz = weight('gzip');
  if (br > 0 && br >= gz) return 'br';
  if (gz > 0) return 'gzip';
  return undefined;
}

/**
 * Compresses text responses with node:zlib (brotli or gzip). Pages are rendered whole before they are
 * sent, so the body is compressed in one piece off the main thread. Versioned assets (immutable) are
 * compressed once at the best ratio and kept in memory; pages use a fast level, since a topic page is
 * rendered for every request. Streams (SSE, `stream()` with Transfer-Encoding) pass through untouched.
 */
export function compression(): MiddlewareHandler<HearthEnv> {
  const assetCache = new Map<string, Buffer>();

  const encode = async (body: Buffer, encoding: Encoding, best: boolean): Promise<Buffer> => {
    if (encoding === 'br') {
      return brotli(body, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: best ? constants.BROTLI_MAX_QUALITY : 4,
          [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
          [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
        },
      });
    }
    return gzipAsync(body, { level: best ? constants.Z_BEST_COMPRESSION : 6 });
  };

  return async (c, next) => {
    await next();
    const res = c.res;
    const type = res.headers.get('content-type');
    if (!type || !COMPRESSIBLE.test(type)) return;
    if (c.req.method === 'HEAD' || res.status === 204 || res.status === 206 || res.status === 304 || !res.body) return;
    if (res.headers.has('content-encoding') || res.headers.has('transfer-encoding') || NO_TRANSFORM.test(res.headers.get('cache-control') ?? '')) return;

    const vary = res.headers.get('vary');
    if (!vary || !/accept-encoding/i.test(vary)) c.header('Vary', vary ? `${vary}, Accept-Encoding` : 'Accept-Encoding');
    const encoding = chooseEncoding(c.req.header('accept-encoding'));
    if (!encoding) return;
    const length = Number(res.headers.get('content-length') ?? NaN);
    if (length < THRESHOLD_BYTES) return;

    const body = Buffer.from(await res.arrayBuffer());
    const immutable = /immutable/i.test(res.headers.get('cache-control') ?? '');
    let compressed: Buffer | undefined;
    const cacheKey = `${encoding} ${c.req.url}`;
    if (immutable) compressed = assetCache.get(cacheKey);
    if (!compressed && body.length >= THRESHOLD_BYTES) {
      compressed = await encode(body, encoding, immutable);
      if (immutable) {
        if (assetCache.size >= MAX_CACHED_ASSETS) assetCache.delete(assetCache.keys().next().value ?? '');
        assetCache.set(cacheKey, compressed);
      }
    }
    // The body was read either way, so the response is rebuilt; a small one goes out as it was.
    c.res = new Response(new Uint8Array(compressed ?? body), res);
    if (!compressed) {
      c.res.headers.set('Content-Length', String(body.length));
      return;
    }
    c.res.headers.set('Content-Encoding', encoding);
    c.res.headers.set('Content-Length', String(compressed.length));
    const etag = c.res.headers.get('etag');
    // The compressed bytes differ from the uncompressed ones: the tag can only promise the same meaning.
    if (etag && !etag.startsWith('W/')) c.res.headers.set('ETag', `W/${etag}`);
  };
}
