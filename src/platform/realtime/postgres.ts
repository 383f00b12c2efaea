import { sql } from 'kysely';
import pg from 'pg';
import type { Database } from '../db/index.ts';
import type { Logger } from '../logger.ts';
import type { RealtimeTransport } from './index.ts';

/** The one NOTIFY channel every Hearth process listens on; the message names the hub channel. */
export const NOTIFY_CHANNEL = 'hearth_realtime';
/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more. */
const MAX_PAYLOAD_BYTES = 7900;
const MAX_BACKOFF_MS = 30_000;

/**
 * LISTEN on a dedicated connection (a pooled one would be handed to other queries and lose it), NOTIFY
 * through the pool. A lost connection is reopened with backoff; messages sent meanwhile are missed,
 * which live updates tolerate (the page is right on its next load).
 */
export class PostgresTransport implements RealtimeTransport {
  readonly name = 'postgres';
  #client: pg.Client | undefined;
  #onMessage: ((raw: string) => void) | undefined;
  #stopped = false;
  #retryTimer: NodeJS.Timeout | undefined;
  #attempt = 0;

  constructor(
    private readonly url: string,
    private readonly db: Database,
    private readonly log: Logger,
  ) {}

  async start(onMessage: (raw: string) => void): Promise<void> {
    this.#onMessage = onMessage;
    await this.#connect();
  }

  async send(raw: string): Promise<void> {
    if (Buffer.byteLength(raw) > MAX_PAYLOAD_BYTES) throw new Error(`realtime message of ${Buffer.byteLength(raw)} bytes is too large for NOTIFY`);
    await sql`select pg_notify(${NOTIFY_CHANNEL}, ${raw})`.execute(this.db);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => undefined);
  }

  async #connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, keepAlive: true });
    client.on('notification', (msg) => {
      if (msg.channel === NOTIFY_CHANNEL && msg.payload) this.#onMessage?.(msg.payload);
    });
    client.on('error', (err) => {
      this.log.warn({ err: err.message }, 'realtime listener connection lost');
      this.#reconnectLater(client);
    });
    client.on('end', () => this.#reconnectLater(client));
    try {
      await client.connect();
      await client.query(`listen ${NOTIFY_CHANNEL}`);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    if (this.#stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.#client = client;
    this.#attempt = 0;
  }

  #reconnectLater(lost: pg.Client): void {
    if (this.#stopped || this.#client !== lost) return;
    this.#client = undefined;
    lost.end().catch(() => undefined);
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (this.#stopped || this.#retryTimer) return;
    const delay = Math.min(500 * 2 ** this.#attempt, MAX_BACKOFF_MS);
    this.#attempt++;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#connect()
        .then(() => this.log.info('realtime listener reconnected'))
        .catch((err: unknown) => {
          this.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'realtime listener reconnect failed');
          this.#scheduleReconnect();
        });
    }, delay);
    this.#retryTimer.unref();
  }
}
