import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { Hono } from 'hono';
import type { AppContext } from '../context.ts';
import { notFound } from '../http/errors.ts';
import type { HearthEnv } from '../http/env.ts';

/** Where uploaded files are served from; a stored key `avatars/7/x.png` is `/uploads/avatars/7/x.png`. */
export const UPLOADS_PATH = '/uploads/';

/**
 * File types we serve, by extension. Anything else is sent as a download so a browser never renders
 * an uploaded file as HTML or script.
 */
const contentTypes: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
};

/** One segment of a key: starts with a letter or digit, so `.`, `..` and hidden files never match. */
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const MAX_SEGMENTS = 8;

export function isValidKey(key: string): boolean {
  const segments = key.split('/');
  return segments.length <= MAX_SEGMENTS && segments.every((s) => SEGMENT.test(s));
}

export function contentTypeForKey(key: string): string {
  const ext = key.slice(key.lastIndexOf('.') + 1).toLowerCase();
  return contentTypes[ext] ?? 'application/octet-stream';
}

/** A place to keep uploaded files. Local disk today; an object store can implement the same shape. */
export interface Storage {
  put(key: string, data: Uint8Array): Promise<void>;
  get(key: string): Promise<Buffer | null>;
  delete(key: string): Promise<void>;
  /** The path a page links to, e.g. `/uploads/avatars/7/abc.png`. */
  urlFor(key: string): string;
  /** The key behind a URL made by `urlFor`, or null when the URL is not one of ours. */
  keyFromUrl(url: string): string | null;
}

export class LocalDiskStorage implements Storage {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  /** The file for a key, refusing anything that would leave the root. */
  #pathFor(key: string): string | null {
    if (!isValidKey(key)) return null;
    const path = resolve(this.root, ...key.split('/'));
    return path.startsWith(this.root + sep) ? path : null;
  }

  async put(key: string, data: Uint8Array): Promise<void> {
    const path = this.#pathFor(key);
    if (!path) throw new Error(`Invalid storage key: ${key}`);
    await mkdir(dirname(path), { recursive: true });
    // Written beside and renamed, so a reader never sees half a file.
    const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(temp, data, { mode: 0o644 });
    await rename(temp, path);
  }

  async get(key: string): Promise<Buffer | null> {
    const path = this.#pathFor(key);
    if (!path) return null;
    try {
      const info = await stat(path);
      if (!info.isFile()) return null;
      return await readFile(path);
    } catch {
      return null;
    }
  }

  async delete(key: string): Promise<void> {
    const path = this.#pathFor(key);
    if (!path) return;
    await rm(path, { force: true });
  }

  urlFor(key: string): string {
    return UPLOADS_PATH + key;
  }

  keyFromUrl(url: string): string | null {
    if (!url.startsWith(UPLOADS_PATH)) return null;
    const key = url.slice(UPLOADS_PATH.length);
    return isValidKey(key) ? key : null;
  }
}

const byRoot = new Map<string, Storage>();

/** The storage for this installation: `${DATA_DIR}/uploads`. */
export function storageFor(ctx: AppContext): Storage {
  const root = join(ctx.config.dataDir, 'uploads');
  let storage = byRoot.get(root);
  if (!storage) {
    storage = new LocalDiskStorage(root);
    byRoot.set(root, storage);
  }
  return storage;
}

/**
 * Request paths that take an uploaded file, with the largest body each accepts. The global body limit
 * (BODY_LIMIT_BYTES) defers to these, so one route can take a 2 MB image while the rest stay small.
 */
const uploadBodyLimits = new Map<string, number>();

export function allowUploadBody(path: string, maxBytes: number): void {
  uploadBodyLimits.set(path, maxBytes);
}

export function uploadBodyLimitFor(path: string): number | undefined {
  return uploadBodyLimits.get(path);
}

/** The key a request path names, or null for anything malformed (bad escapes, `..`, empty segments). */
export function keyFromRequestPath(pathname: string): string | null {
  if (!pathname.startsWith(UPLOADS_PATH)) return null;
  const segments: string[] = [];
  for (const raw of pathname.slice(UPLOADS_PATH.length).split('/')) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return null;
    }
    segments.push(segment);
  }
  const key = segments.join('/');
  // Re-checking after decoding catches an encoded `/` or `..` smuggled inside one segment.
  return segments.every((s) => SEGMENT.test(s)) && isValidKey(key) ? key : null;
}

/** Serves `/uploads/*`: only well-formed keys, with a fixed content type and no sniffing. */
export function mountUploads(app: Hono<HearthEnv>, ctx: AppContext): void {
  const storage = storageFor(ctx);
  app.get(`${UPLOADS_PATH}*`, async (c) => {
    const key = keyFromRequestPath(new URL(c.req.url).pathname);
    if (!key) throw notFound();
    const data = await storage.get(key);
    if (!data) throw notFound();
    const contentType = contentTypeForKey(key);
    c.header('Content-Type', contentType);
    c.header('X-Content-Type-Options', 'nosniff');
    // Stored names are random and never reused, so a file can be cached for good.
    c.header('Cache-Control', 'public, max-age=31536000, immutable');
    if (contentType === 'application/octet-stream') c.header('Content-Disposition', 'attachment');
    return c.body(new Uint8Array(data));
  });
}
