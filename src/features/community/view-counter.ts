import type { AppContext } from '../../platform/context.ts';
import { addTopicViews } from './repo.ts';

/**
 * Topic views, counted without a write per view: each process buffers counts in memory and adds them
 * with one UPDATE every few seconds, or sooner once many views are waiting.
 *
 * Why a timer and not a scheduled job: the buffer lives in this process, and a schedule's job may run
 * on another node. The timer is armed only while views are waiting, so an idle process has none, and
 * the feature's `close` hook flushes what is left before the database closes. A crash loses at most
 * the last few seconds of views, which is acceptable for a popularity figure.
 */
export class TopicViewCounter {
  readonly #pending = new Map<number, number>();
  #pendingTotal = 0;
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(
    private readonly ctx: AppContext,
    readonly options: { flushAfterMs: number; flushAtViews: number } = { flushAfterMs: 5000, flushAtViews: 500 },
  ) {}

  get pendingViews(): number {
    return this.#pendingTotal;
  }

  record(topicId: number): void {
    if (this.#closed) return;
    this.#pending.set(topicId, (this.#pending.get(topicId) ?? 0) + 1);
    this.#pendingTotal++;
    if (this.#pendingTotal >= this.options.flushAtViews) {
      void this.flush();
      return;
    }
    if (!this.#timer) {
      this.#timer = setTimeout(() => void this.flush(), this.options.flushAfterMs);
      this.#timer.unref();
    }
  }

  /** Writes the buffered counts; flushes run one after another so none is lost or doubled. */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(() => this.#writePending());
    return this.#flushing;
  }

  async #writePending(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.size === 0) return;
    const batch = [...this.#pending];
    this.#pending.clear();
    this.#pendingTotal = 0;
    try {
      await addTopicViews(this.ctx.db, batch);
    } catch (err) {
      // Put the counts back for the next flush (the database may be briefly away).
      for (const [id, n] of batch) {
        this.#pending.set(id, (this.#pending.get(id) ?? 0) + n);
        this.#pendingTotal += n;
      }
      this.ctx.log.warn({ err, topics: batch.length }, 'could not save topic views; will retry');
      if (!this.#closed && !this.#timer) {
        this.#timer = setTimeout(() => void this.flush(), this.options.flushAfterMs);
        this.#timer.unref();
      }
    }
  }

  /** Flushes and stops counting; called on shutdown before the database closes. */
  async close(): Promise<void> {
    await this.flush();
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

const counters = new WeakMap<AppContext, TopicViewCounter>();

/** The view counter of this process for a context (one per running Hearth). */
export function topicViewCounter(ctx: AppContext): TopicViewCounter {
  let counter = counters.get(ctx);
  if (!counter) {
    counter = new TopicViewCounter(ctx);
    counters.set(ctx, counter);
  }
  return counter;
}
