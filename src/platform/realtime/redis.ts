import { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';
import type { RealtimeTransport } from './index.ts';

export const REDIS_CHANNEL = 'hearth:realtime';

/**
 * Redis pub/sub: a connection in subscriber mode can do nothing else, so publishing uses a second one.
 * ioredis reconnects and re-subscribes by itself.
 */
export class RedisTransport implements RealtimeTransport {
  readonly name = 'redis';
  readonly #subscriber: Redis;
  readonly #publisher: Redis;
  #publisherConnected: Promise<void> | undefined;

  constructor(url: string, log: Logger) {
    this.#subscriber = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: null });
    this.#publisher = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
    for (const connection of [this.#subscriber, this.#publisher]) {
      connection.on('error', (err: Error) => log.warn({ err: err.message }, 'realtime redis connection problem'));
    }
  }

  async start(onMessage: (raw: string) => void): Promise<void> {
    this.#subscriber.on('message', (channel: string, message: string) => {
      if (channel === REDIS_CHANNEL) onMessage(message);
    });
    await Promise.all([this.#subscriber.connect(), this.#connectPublisher()]);
    await this.#subscriber.subscribe(REDIS_CHANNEL);
  }

  async send(raw: string): Promise<void> {
    await this.#connectPublisher();
    await this.#publisher.publish(REDIS_CHANNEL, raw);
  }

  #connectPublisher(): Promise<void> {
    this.#publisherConnected ??= this.#publisher.connect();
    return this.#publisherConnected;
  }

  async stop(): Promise<void> {
    this.#subscriber.disconnect();
    this.#publisher.disconnect();
  }
}
