import type { AppContext } from './context.ts';

/**
 * A small map whose entries expire after `ttlMs`, kept per running Hearth (per AppContext, so test
 * instances never share one). When it holds `maxEntries` it is emptied whole rather than kept in
 * exact LRU order: it serves answers that are cheap to recompute once and asked for many times.
 */
export class ExpiringCache<V> {
  readonly #entries = new Map<string, { at: number; value: V }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
  ) {}

  get(key: string): V | undefined {
    const entry = this.#entries.get(key);
    return entry && Date.now() - entry.at < this.ttlMs ? entry.value : undefined;
  }

  set(key: string, value: V): void {
    if (this.#entries.size >= this.maxEntries && !this.#entries.has(key)) this.#entries.clear();
    this.#entries.set(key, { at: Date.now(), value });
  }
}

/** One ExpiringCache per AppContext, made on first use. */
export function expiringCachePerContext<V>(ttlMs: number, maxEntries: number): (ctx: AppContext) => ExpiringCache<V> {
  const caches = new WeakMap<AppContext, ExpiringCache<V>>();
  return (ctx) => {
    let cache = caches.get(ctx);
    if (!cache) {
      cache = new ExpiringCache<V>(ttlMs, maxEntries);
      caches.set(ctx, cache);
    }
    return cache;
  };
}
