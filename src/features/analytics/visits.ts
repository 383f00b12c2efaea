import type { MiddlewareHandler } from 'hono';
import type { AppContext } from '../../platform/context.ts';
import type { HearthEnv } from '../../platform/http/env.ts';
import { sql } from 'kysely';
import type { Executor } from '../../platform/jobs/registry.ts';
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
  /** Topic page views since the last flush (everyone's, signed in or not), for the deflection figures. */
  readonly #topicViews = new Map<number, number>();
  readonly #pending = new Map<string, { userId: number; day: string }>();
  /** Topic pages each member read, per day, since the last flush: the personas' "reads". */
  readonly #reads = new Map<string, { userId: number; day: string; n: number }>();
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

  recordTopicView(topicId: number, readerId: number | null = null, at: Date = new Date()): void {
    if (this.#closed) return;
    this.#topicViews.set(topicId, (this.#topicViews.get(topicId) ?? 0) + 1);
    if (readerId !== null) {
      const day = at.toISOString().slice(0, 10);
      const key = `${readerId}|${day}`;
      const read = this.#reads.get(key);
      if (read) read.n++;
      else this.#reads.set(key, { userId: readerId, day, n: 1 });
    }
    this.#arm();
  }

  #arm(): void {
    if (!this.#timer) {
      this.#timer = setTimeout(() => void this.flush(), this.options.flushAfterMs);
      this.#timer.unref();
    }
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
    this.#arm();
  }

  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(() => this.#write());
    return this.#flushing;
  }

  async #write(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.size === 0 && this.#topicViews.size === 0) return;
    const batch = [...this.#pending.values()];
    this.#pending.clear();
    const views = [...this.#topicViews];
    this.#topicViews.clear();
    const reads = [...this.#reads.values()];
    this.#reads.clear();
    try {
      await upsertMemberDays(this.ctx.db, [
        ...batch.map((v) => ({ user_id: v.userId, day: v.day, visits: 1 })),
        ...reads.map((r) => ({ user_id: r.userId, day: r.day, reads: r.n })),
      ]);
      if (views.length > 0) await addTopicViews(this.ctx.db, views);
    } catch (err) {
      for (const v of batch) this.#pending.set(`${v.userId}|${v.day}`, v);
      for (const [id, n] of views) this.#topicViews.set(id, (this.#topicViews.get(id) ?? 0) + n);
      for (const r of reads) {
        const key = `${r.userId}|${r.day}`;
        const now = this.#reads.get(key);
        if (now) now.n += r.n;
        else this.#reads.set(key, r);
      }
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

/**
 * Views of topics the rollup knows, added to the topic and, for a question with an accepted answer, to the
 * day's `solved_views` (the indirect deflection). Unknown ids (a topic not yet rolled up) are dropped.
 */
async function addTopicViews(db: Executor, views: Array<[number, number]>): Promise<void> {
  const rows = JSON.stringify(views.map(([topic_id, n]) => ({ topic_id, n })));
  await sql`
    with v as (select topic_id, n from jsonb_to_recordset(${rows}::jsonb) as t(topic_id bigint, n int)),
    u as (
      update analytics_topics t set views = t.views + v.n from v where t.topic_id = v.topic_id
      returning v.n, t.kind = 'question' and t.accepted_at is not null as solved
    )
    insert into analytics_daily (day, solved_views)
    select (now() at time zone 'UTC')::date, coalesce(sum(n), 0) from u where solved
    on conflict (day) do update set solved_views = analytics_daily.solved_views + excluded.solved_views`.execute(db);
}

const topicPath = /^\/t\/(\d+)(?:\/[^/]*)?$/;

/**
 * Records a visit for every signed-in member's page or API request that succeeds (assets are not requests
 * of a member), and counts topic page views. A page served from the anonymous page cache does not reach
 * this middleware, so signed-out views are undercounted while that cache is on.
 */
export function recordVisits(ctx: AppContext): MiddlewareHandler<HearthEnv> {
  const recorder = visitRecorder(ctx);
  return async (c, next) => {
    await next();
    if (c.req.method !== 'GET' || c.res.status >= 400 || c.req.path.startsWith('/assets/')) return;
    const user = c.get('user');
    if (user) recorder.record(user.id);
    const topic = topicPath.exec(c.req.path);
    if (topic?.[1]) recorder.recordTopicView(Number(topic[1]), user?.id ?? null);
  };
}
