import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig, type Config } from '../src/config.ts';
import { createApp, type HearthApp } from '../src/app.ts';
import type { AppContext } from '../src/platform/context.ts';
import { createLogger } from '../src/platform/logger.ts';
import { createContext } from '../src/server.ts';

/**
 * A fresh database per test file: in-memory PGlite by default, or, when DATABASE_URL is set, a new
 * database on that PostgreSQL server, dropped afterwards.
 */
export async function createTestDatabaseUrl(): Promise<{ url: string | undefined; drop(): Promise<void> }> {
  const base = process.env.DATABASE_URL;
  if (!base) return { url: undefined, drop: async () => undefined };
  const name = `hearth_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export interface TestHearth {
  ctx: AppContext;
  hearth: HearthApp;
  config: Config;
  close(): Promise<void>;
}

export async function createTestHearth(overrides: Partial<Config> = {}, opts: { poolSize?: number } = {}): Promise<TestHearth> {
  const database = await createTestDatabaseUrl();
  const config = loadConfig(
    { NODE_ENV: 'test', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' },
    {
      dataDir: '/tmp/hearth-test-unused',
      sessionSecret: 'test-secret-test-secret-test-secret-0123',
      publicUrl: 'http://localhost:3000',
      databaseUrl: database.url,
      smtpUrl: undefined,
      worker: false,
      demoSeed: false,
      // Tests stand for clients at different addresses through X-Forwarded-For.
      trustProxy: true,
      // Most tests change data through services and read pages at once; page-cache.test.ts turns it on.
      pageCacheSeconds: 0,
      ...overrides,
    },
  );
  const ctx = await createContext(config, { memory: !database.url, log: createLogger(config.logLevel), poolSize: opts.poolSize, rateLimitNamespace: `hearth-test-${randomBytes(4).toString('hex')}` });
  const hearth = createApp(ctx);
  return {
    ctx,
    hearth,
    config,
    async close() {
      await ctx.realtime.close();
      await ctx.rateLimits.close();
      await ctx.database.close();
      await database.drop();
    },
  };
}

/** A browser-like client for app.request(): keeps cookies and sends the CSRF token with forms. */
export class TestClient {
  readonly cookies = new Map<string, string>();
  csrfToken = '';

  constructor(private readonly hearth: HearthApp) {}

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await this.hearth.app.request(path, { ...init, headers });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair?.indexOf('=') ?? -1;
      if (!pair || eq < 0) continue;
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      if (value === '' || /max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const type = res.headers.get('content-type') ?? '';
    if (type.includes('text/html')) {
      const html = await res.clone().text();
      // Signed-in pages carry the token in a meta tag; signed-out ones only in forms that need it.
      const m = /<meta name="csrf-token" content="([^"]+)"/.exec(html) ?? /<input type="hidden" name="_csrf" value="([^"]+)"/.exec(html);
      if (m?.[1]) this.csrfToken = m[1];
    }
    return res;
  }

  /** Signed-in pages carry the token in a meta tag; signed out, the sign-in form has one. */
  async ensureCsrfToken(): Promise<void> {
    if (!this.csrfToken) await this.get('/');
    if (!this.csrfToken) await this.get('/login');
  }

  get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    return this.request(path, { headers });
  }

  /** Posts a form as a browser would, fetching a page with a form first when no CSRF token is known yet. */
  async postForm(path: string, fields: Record<string, string | string[]>): Promise<Response> {
    await this.ensureCsrfToken();
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) for (const item of Array.isArray(v) ? v : [v]) body.append(k, item);
    if (!('_csrf' in fields)) body.set('_csrf', this.csrfToken);
    return this.request(path, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost:3000' } });
  }

  async json(method: string, path: string, body?: unknown): Promise<Response> {
    await this.ensureCsrfToken();
    return this.request(path, {
      method,
      body: body === undefined ? undefined : JSON.stringify(body),
      headers: { 'content-type': 'application/json', 'x-csrf-token': this.csrfToken, accept: 'application/json' },
    });
  }
}
