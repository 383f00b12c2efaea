import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { AppContext } from '../context.ts';

export type Executor = Kysely<DB> | Transaction<DB>;

export interface JobRow {
  id: number;
  kind: string;
  payload: unknown;
  attempts: number;
  eventId: number | null;
}

export type JobHandler = (ctx: AppContext, job: JobRow) => Promise<void>;

export interface EnqueueOptions {
  runAt?: Date;
  /** A second job with the same key is not enqueued while the first exists. */
  uniqueKey?: string;
  maxAttempts?: number;
  eventId?: number;
}

/**
 * Job kinds and domain-event subscribers, declared once at start-up by each feature (see
 * `src/features/index.ts`). Publishing an event enqueues one job per subscriber in the caller's
 * transaction, so the event and the change it describes commit or roll back together.
 */
export class JobRegistry {
  readonly handlers = new Map<string, JobHandler>();
  readonly subscribers = new Map<string, string[]>();
  /** Counts the domain events this process published: caches of rendered pages compare it to drop stale copies. */
  eventsPublished = 0;

  define(kind: string, handler: JobHandler): void {
    if (this.handlers.has(kind)) throw new Error(`Job kind ${kind} is defined twice`);
    this.handlers.set(kind, handler);
  }

  /** `subscriber` names the reaction, e.g. `loyalty.awardPointsForOrder`; it becomes the job kind. */
  subscribe(eventName: string, subscriber: string, handler: JobHandler): void {
    this.define(subscriber, handler);
    const list = this.subscribers.get(eventName) ?? [];
    list.push(subscriber);
    this.subscribers.set(eventName, list);
  }
}

export async function enqueueJob(db: Executor, kind: string, payload: unknown, opts: EnqueueOptions = {}): Promise<number | null> {
  const row = await db
    .insertInto('jobs')
    .values({
      kind,
      payload: JSON.stringify(payload ?? {}),
      run_at: opts.runAt ?? new Date(),
      unique_key: opts.uniqueKey ?? null,
      max_attempts: opts.maxAttempts,
      event_id: opts.eventId ?? null,
    })
    .onConflict((oc) => oc.column('unique_key').where('unique_key', 'is not', null).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id ?? null;
}

export async function publishEvent(
  db: Executor,
  registry: JobRegistry,
  name: string,
  payload: Record<string, unknown>,
  actorId: number | null = null,
): Promise<number> {
  const event = await db
    .insertInto('domain_events')
    .values({ name, payload: JSON.stringify(payload), actor_id: actorId })
    .returning('id')
    .executeTakeFirstOrThrow();
  for (const subscriber of registry.subscribers.get(name) ?? []) {
    await enqueueJob(db, subscriber, payload, { eventId: event.id });
  }
  registry.eventsPublished++;
  return event.id;
}
