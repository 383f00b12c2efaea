import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { tooManyRequests } from './errors.ts';

export interface RateLimitRule {
  points: number;
  durationSeconds: number;
}

/** Named limits; memory per process, or shared through Redis when REDIS_URL is set. */
export const rateLimitRules = {
  login: { points: 10, durationSeconds: 60 },
  signup: { points: 5, durationSeconds: 600 },
  passwordReset: { points: 5, durationSeconds: 600 },
  api: { points: 600, durationSeconds: 60 },
} satisfies Record<string, RateLimitRule>;

export type RateLimitName = keyof typeof rateLimitRules;

export class RateLimits {
  readonly #limiters = new Map<RateLimitName, RateLimiterAbstract>();
  readonly #redis: Redis | undefined;

  /** `namespace` separates the counters of independent deployments (or test runs) sharing one Redis. */
  constructor(redisUrl?: string, namespace = 'hearth') {
    this.#redis = redisUrl ? new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 }) : undefined;
    for (const [name, rule] of Object.entries(rateLimitRules) as Array<[RateLimitName, RateLimitRule]>) {
      const opts = { keyPrefix: `${namespace}:rl:${name}`, points: rule.points, duration: rule.durationSeconds };
      this.#limiters.set(
        name,
        this.#redis
          ? new RateLimiterRedis({ ...opts, storeClient: this.#redis, insuranceLimiter: new RateLimiterMemory(opts) })
          : new RateLimiterMemory(opts),
      );
    }
  }

  /** Counts one attempt for `key`; throws 429 with the wait when the limit is reached. */
  async consume(name: RateLimitName, key: string): Promise<void> {
    const limiter = this.#limiters.get(name);
    if (!limiter) return;
    try {
      await limiter.consume(key);
    } catch (err) {
      if (err instanceof RateLimiterRes) {
        const seconds = Math.ceil(err.msBeforeNext / 1000);
        throw tooManyRequests(`Too many attempts. Try again in ${seconds} second${seconds === 1 ? '' : 's'}.`);
      }
      throw err;
    }
  }

  async reset(name: RateLimitName, key: string): Promise<void> {
    await this.#limiters.get(name)?.delete(key);
  }

  async close(): Promise<void> {
    this.#redis?.disconnect();
  }
}
