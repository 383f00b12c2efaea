import type { MiddlewareHandler } from 'hono';
import type { AppContext } from '../../platform/context.ts';
import type { HearthEnv } from '../../platform/http/env.ts';
import { upsertMemberDays } from './rollup.ts';

/**
 * "This member was here today", without a write per request: visits have no domain event, so each
 * process remembers which members it has seen today and adds one visit per member and day to
 * `analytics_member_days` with one upsert every few seconds (as the community's topic-view counter does).
 * A member seen by two processes on one day counts one visit on each; the personas count days visited
 * (visits > 0), which that does not change.
 */
export class VisitRecorder {
  readonly #seen = new Set<string>();
  readonly #pending = new Map<string, { userId: number; day: string }>();
  #seenDay = '';
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(
    private readonly ctx: AppContext,
    readonly options: { flushAfterMs: number } = { flushAfterMs: 5000 },
  ) {}

  get pending(): number {
    return this.#pending.size;
  }

  record(userId: number, at: Date = new Date()): void {
    if (this.#closed) return;
    const day = at.toISOString().slice(0, 10);
    if (day !== this.#seenDay) {
      this.#seen.clear();
      this.#seenDay = day;
    }
    const key = `${userId}|${day}`;
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    this.#pending.set(key, { userId, day });
    if (!this.#timer) {
      this.#timer = setTimeout(() => void this.flush(), this.options.flushAfterMs);
      this.#timer.unref();
    }
  }

  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(() => this.#write());
    return this.#flushing;
  }

  async #write(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.size === 0) return;
    const batch = [...this.#pending.values()];
    this.#pending.clear();
    try {
      await upsertMemberDays(
        this.ctx.db,
        batch.map((v) => ({ user_id: v.userId, day: v.day, visits: 1 })),
      );
    } catch (err) {
      for (const v of batch) this.#pending.set(`${v.userId}|${v.day}`, v);
      this.ctx.log.warn({ err, members: batch.length }, 'could not save member visits; will retry');
      if (!this.#closed && !this.#timer) {
        this.#timer = setTimeout(() => void this.flush(), this.options.flushAfterMs);
        this.#timer.unref();
      }
    }
  }

  async close(): Promise<void> {
    await this.flush();
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

const recorders = new WeakMap<AppContext, VisitRecorder>();

export function visitRecorder(ctx: AppContext): VisitRecorder {
  let recorder = recorders.get(ctx);
  if (!recorder) {
    recorder = new VisitRecorder(ctx);
    recorders.set(ctx, recorder);
  }
  return recorder;
}

/** Records a visit for every signed-in member's page or API request that succeeds (assets are not requests of a member). */
export function recordVisits(ctx: AppContext): MiddlewareHandler<HearthEnv> {
  const recorder = visitRecorder(ctx);
  return async (c, next) => {
    await next();
    const user = c.get('user');
    if (user && c.res.status < 400 && !c.req.path.startsWith('/assets/')) recorder.record(user.id);
  };
}
