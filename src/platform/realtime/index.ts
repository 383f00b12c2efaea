import { randomBytes } from 'node:crypto';
import type { Config } from '../../config.ts';
import type { DatabaseHandle } from '../db/index.ts';
import type { Logger } from '../logger.ts';
import { PostgresTransport } from './postgres.ts';
import { RedisTransport } from './redis.ts';

/** Something that happened, told to whoever watches a channel (`topic:42`, `user:7`). Keep it small: ids, not pages. */
export interface RealtimeEvent {
  type: string;
  data: Record<string, unknown>;
}

export type RealtimeListener = (event: RealtimeEvent) => void;

/** Carries messages between processes; the hub delivers them inside this one. */
export interface RealtimeTransport {
  readonly name: 'postgres' | 'redis';
  /** Connects and starts handing every message from any process to `onMessage` (reconnecting by itself). */
  start(onMessage: (raw: string) => void): Promise<void>;
  send(raw: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Publish/subscribe for live updates (SSE). Within a process it is a map of listeners; across processes a
 * transport carries each message: PostgreSQL LISTEN/NOTIFY, or Redis pub/sub when REDIS_URL is set. The
 * embedded database runs in one process, so it needs no transport.
 */
export class RealtimeHub {
  readonly #listeners = new Map<string, Set<RealtimeListener>>();
  /** Marks this process's own messages, which it already delivered when publishing. */
  readonly #origin = randomBytes(8).toString('hex');
  #started: Promise<void> | undefined;
  #closed = false;

  constructor(
    private readonly transport: RealtimeTransport | undefined,
    private readonly log: Logger,
  ) {}

  get transportName(): 'memory' | 'postgres' | 'redis' {
    return this.transport?.name ?? 'memory';
  }

  /** Tells local listeners at once and other processes through the transport. */
  async publish(channel: string, event: RealtimeEvent): Promise<void> {
    this.#deliver(channel, event);
    if (!this.transport || this.#closed) return;
    const raw = JSON.stringify({ o: this.#origin, c: channel, e: event });
    try {
      await this.transport.send(raw);
    } catch (err) {
      // A live update is a courtesy: the page shows it on the next load anyway.
      this.log.warn({ err: err instanceof Error ? err.message : String(err), channel }, 'realtime publish failed');
    }
  }

  /** Returns the function that unsubscribes; call it when the client goes away. */
  subscribe(channel: string, listener: RealtimeListener): () => void {
    let set = this.#listeners.get(channel);
    if (!set) {
      set = new Set();
      this.#listeners.set(channel, set);
    }
    set.add(listener);
    // The cross-process link opens with the first subscriber, so processes that never serve a live page hold no connection.
    void this.ready().catch(() => undefined);
    return () => {
      const current = this.#listeners.get(channel);
      if (!current) return;
      current.delete(listener);
      if (current.size === 0) this.#listeners.delete(channel);
    };
  }

  /** How many listeners a channel has in this process (for tests and diagnostics). */
  listenerCount(channel: string): number {
    return this.#listeners.get(channel)?.size ?? 0;
  }

  /** Resolves once messages published by other processes reach this one. */
  ready(): Promise<void> {
    if (!this.transport || this.#closed) return Promise.resolve();
    this.#started ??= this.transport.start((raw) => this.#receive(raw)).catch((err: unknown) => {
      this.#started = undefined;
      this.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'realtime transport failed to start');
      throw err;
    });
    return this.#started;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#listeners.clear();
    if (this.#started) await this.#started.catch(() => undefined);
    await this.transport?.stop();
  }

  #receive(raw: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      return;
    }
    if (!parsed || typeof parsed !== 'object' || !('o' in parsed) || !('c' in parsed) || !('e' in parsed)) return;
    const { o, c, e } = parsed;
    if (o === this.#origin || typeof c !== 'string' || !isRealtimeEvent(e)) return;
    this.#deliver(c, e);
  }

  #deliver(channel: string, event: RealtimeEvent): void {
    for (const listener of this.#listeners.get(channel) ?? []) {
      try {
        listener(event);
      } catch (err) {
        this.log.warn({ err: err instanceof Error ? err.message : String(err), channel }, 'realtime listener failed');
      }
    }
  }
}

function isRealtimeEvent(value: unknown): value is RealtimeEvent {
  if (!value || typeof value !== 'object' || !('type' in value) || !('data' in value)) return false;
  return typeof value.type === 'string' && typeof value.data === 'object' && value.data !== null;
}

/** Redis when configured (it also carries rate limits), else PostgreSQL's own LISTEN/NOTIFY, else in-process. */
export function createRealtimeHub(config: Config, database: DatabaseHandle, log: Logger): RealtimeHub {
  if (config.redisUrl) return new RealtimeHub(new RedisTransport(config.redisUrl, log), log);
  if (database.kind === 'postgres' && config.databaseUrl) return new RealtimeHub(new PostgresTransport(config.databaseUrl, database.db, log), log);
  return new RealtimeHub(undefined, log);
}
