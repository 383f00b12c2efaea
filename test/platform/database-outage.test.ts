import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type HearthApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { AppContext } from '../../src/platform/context.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { createContext } from '../../src/server.ts';
import { createTestDatabaseUrl } from '../helpers.ts';

/**
 * A TCP proxy in front of PostgreSQL that the test can cut and restore, standing in for a database
 * server that restarts or a network that drops.
 */
class CuttableProxy {
  #server: Server | undefined;
  readonly #sockets = new Set<Socket>();
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async listen(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.targetPort, this.targetHost);
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on('close', () => this.#sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (address && typeof address === 'object') this.port = address.port;
    this.#server = server;
  }

  /** Drops every open connection and stops accepting new ones. */
  async cut(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const s of this.#sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  get openConnections(): number {
    return this.#sockets.size;
  }
}

let proxy: CuttableProxy | undefined;
let ctx: AppContext | undefined;
let hearth: HearthApp | undefined;
let dropDatabase: (() => Promise<void>) | undefined;

beforeAll(async () => {
  if (!process.env.DATABASE_URL) return;
  const database = await createTestDatabaseUrl();
  dropDatabase = database.drop;
  if (!database.url) return;
  const direct = new URL(database.url);
  proxy = new CuttableProxy(direct.hostname, Number(direct.port || 5432));
  await proxy.listen();
  const viaProxy = new URL(database.url);
  viaProxy.hostname = '127.0.0.1';
  viaProxy.port = String(proxy.port);
  const config = loadConfig(
    { NODE_ENV: 'test', LOG_LEVEL: 'silent' },
    {
      dataDir: '/tmp/hearth-test-unused',
      sessionSecret: 'test-secret-test-secret-test-secret-0123',
      publicUrl: 'http://localhost:3000',
      databaseUrl: viaProxy.toString(),
      worker: false,
      demoSeed: false,
      // The page must come from the database, not from the anonymous page cache.
      pageCacheSeconds: 0,
    },
  );
  ctx = await createContext(config, { log: createLogger('silent'), poolSize: 4 });
  hearth = createApp(ctx);
});

afterAll(async () => {
  await ctx?.rateLimits.close();
  await ctx?.database.close();
  await proxy?.cut();
  await dropDatabase?.();
});

describe('losing the database while running', () => {
  // PostgreSQL only: the embedded database lives inside the process and cannot be cut off from it.
  it.skipIf(!process.env.DATABASE_URL)('answers 503 while the database is away and recovers by itself when it is back', { timeout: 60_000 }, async () => {
    if (!proxy || !hearth) throw new Error('setup failed');
    const app = hearth.app;
    // Warm the pool so idle connections exist to be broken.
    await Promise.all([app.request('/'), app.request('/'), app.request('/')]);
    expect((await app.request('/')).status).toBe(200);
    expect(proxy.openConnections).toBeGreaterThan(0);

    await proxy.cut();

    const page = await app.request('/');
    expect(page.status).toBe(503);
    expect(page.headers.get('retry-after')).toBe('5');
    const html = await page.text();
    expect(html).toContain('<!doctype html>');
    expect(html).toContain('Back in a moment');
    expect(html).toContain('briefly unavailable');

    const json = await app.request('/', { headers: { accept: 'application/json' } });
    expect(json.status).toBe(503);
    expect(await json.json()).toEqual({
      error: { code: 'service_unavailable', message: 'The community is briefly unavailable while its database reconnects. Please try again in a moment.' },
    });
    const api = await app.request('/api/v1/admin/overview', { headers: { cookie: 'hearth_session=some-session-token' } });
    expect(api.status).toBe(503);
    expect((await api.json()).error.code).toBe('service_unavailable');

    // Back: the same app, with no restart, serves pages again.
    await proxy.listen();
    const recovered = await app.request('/');
    expect(recovered.status).toBe(200);
    expect(await recovered.text()).toContain('<main');
    const again = await Promise.all([app.request('/'), app.request('/'), app.request('/'), app.request('/')]);
    expect(again.map((r) => r.status)).toEqual([200, 200, 200, 200]);
  });
});
