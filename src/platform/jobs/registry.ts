import { sql, type Kysely, type Transaction } from 'kysely';
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
/**
 * Runs several claimed jobs of one kind together (set-based, fewer round trips). It must leave every job
 * done, or throw having changed nothing that a job's own handler would not repeat harmlessly: on a throw
 * the worker runs each job through the kind's single-job handler instead.
 */
export type BatchJobHandler = (ctx: AppContext, jobs: JobRow[]) => Promise<void>;

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
  readonly batchHandlers = new Map<string, BatchJobHandler>();
  /** Counts the domain events this process published: caches of rendered pages compare it to drop stale copies. */
  eventsPublished = 0;

  define(kind: string, handler: JobHandler): void {
    if (this.handlers.has(kind)) throw new Error(`Job kind ${kind} is defined twice`);
    this.handlers.set(kind, handler);
  }

  /** Adds a handler for many jobs at once to a kind already defined (see `BatchJobHandler`). */
  defineBatch(kind: string, handler: BatchJobHandler): void {
    if (!this.handlers.has(kind)) throw new Error(`Job kind ${kind} needs its single-job handler before a batch one`);
    this.batchHandlers.set(kind, handler);
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

export interface EventToPublish {
  name: string;
  payload: Record<string, unknown>;
  actorId?: number | null;
}

/**
 * Publishes many events in two statements whatever their number: their ids are drawn from the sequence
 * in the order given (so readers of the stream see them in that order), then the subscribers' jobs are
 * inserted together. Same rows as calling `publishEvent` for each in turn; returns the ids in order.
 */
export async function publishEvents(db: Executor, registry: JobRegistry, events: EventToPublish[]): Promise<number[]> {
  if (events.length === 0) return [];
  const inserted = await sql<{ id: string | number }>`
    with ids as (
      select nextval(pg_get_serial_sequence('domain_events', 'id')) as id, n from generate_series(1, ${events.length}::int) as n
    ), written as (
      insert into domain_events (id, name, payload, actor_id) overriding system value
      select ids.id, e.name, e.payload::jsonb, e.actor_id
      from unnest(${events.map((e) => e.name)}::text[], ${events.map((e) => JSON.stringify(e.payload))}::text[], ${events.map((e) => e.actorId ?? null)}::bigint[]) with ordinality as e(name, payload, actor_id, n)
      join ids on ids.n = e.n
      returning id
    )
    select ids.id from ids join written on written.id = ids.id order by ids.n`.execute(db);
  const ids = inserted.rows.map((r) => Number(r.id));
  if (ids.length !== events.length) throw new Error(`publishEvents: ${ids.length} of ${events.length} events written`);
  const jobs: Array<{ kind: string; payload: string; eventId: number }> = [];
  events.forEach((e, i) => {
    const eventId = ids[i] ?? 0;
    const payload = JSON.stringify(e.payload);
    for (const subscriber of registry.subscribers.get(e.name) ?? []) jobs.push({ kind: subscriber, payload, eventId });
  });
  if (jobs.length > 0) {
    await sql`
      insert into jobs (kind, payload, event_id)
      select * from unnest(${jobs.map((j) => j.kind)}::text[], ${jobs.map((j) => j.payload)}::jsonb[], ${jobs.map((j) => j.eventId)}::bigint[])`.execute(db);
  }
  registry.eventsPublished += events.length;
  return ids;
}
