import { sql } from 'kysely';
import type { AppContext } from '../../platform/context.ts';
import { enqueueJob } from '../../platform/jobs/registry.ts';

/**
 * The webhook inbox. A verified delivery is stored before it is answered and applied afterwards by
 * the `commerce.processWebhooks` job, so answering costs one INSERT, and that INSERT is shared: while
 * one is being written, the deliveries that arrive wait and go together in the next one (group
 * commit). Each process has one writer per database.
 */

export const PROCESS_WEBHOOKS_JOB = 'commerce.processWebhooks';
/**
 * A wake-up job is enqueued at most once per slot of this length per process; a delivery stored after
 * its slot's job was enqueued gets one at the start of the next slot, so none waits for the minute schedule.
 */
const WAKE_SLOT_MS = 250;

export interface DeliveryToWrite {
  webhookId: string;
  topic: string;
  shopDomain: string | null;
  outcome: 'queued' | 'ignored' | 'failed';
  detail: string;
  body: string | null;
}

interface Waiting extends DeliveryToWrite {
  resolve: (stored: boolean) => void;
  reject: (err: unknown) => void;
}

class DeliveryWriter {
  #waiting: Waiting[] = [];
  #writing = false;
  #wokenSlot = -1;
  #wakeLater: NodeJS.Timeout | undefined;

  constructor(private readonly ctx: AppContext) {}

  write(d: DeliveryToWrite): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ ...d, resolve, reject });
      void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    if (this.#writing || this.#waiting.length === 0) return;
    this.#writing = true;
    const batch = this.#waiting;
    this.#waiting = [];
    try {
      // The same delivery twice in one batch: the later one is a duplicate of the first.
      const first = new Map<string, Waiting>();
      for (const d of batch) if (!first.has(d.webhookId)) first.set(d.webhookId, d);
      const rows = [...first.values()];
      // A delivery seen before is stored again only if it had failed: Shopify is delivering it again.
      const stored = await sql<{ webhook_id: string }>`
        insert into commerce_webhook_deliveries (provider, webhook_id, topic, shop_domain, outcome, detail, body)
        select 'shopify', * from unnest(
          ${rows.map((r) => r.webhookId)}::text[], ${rows.map((r) => r.topic)}::text[], ${rows.map((r) => r.shopDomain)}::text[],
          ${rows.map((r) => r.outcome)}::text[], ${rows.map((r) => r.detail)}::text[], ${rows.map((r) => r.body)}::text[])
        on conflict (provider, webhook_id) do update
          set topic = excluded.topic, shop_domain = excluded.shop_domain, outcome = excluded.outcome, detail = excluded.detail,
              body = excluded.body, attempts = 0, next_attempt_at = null, claimed_at = null, received_at = now()
          where commerce_webhook_deliveries.outcome = 'failed' and excluded.outcome <> 'failed'
        returning webhook_id`.execute(this.ctx.db);
      const ids = new Set(stored.rows.map((r) => r.webhook_id));
      if (rows.some((r) => r.outcome === 'queued' && ids.has(r.webhookId))) await this.#wake();
      for (const d of batch) d.resolve(first.get(d.webhookId) === d && ids.has(d.webhookId));
    } catch (err) {
      for (const d of batch) d.reject(err);
    } finally {
      this.#writing = false;
      void this.#flush();
    }
  }

  /**
   * Enqueues the job that applies queued deliveries, once per slot from this process. Within a slot
   * already woken, the job may have run before this delivery was stored: then the next slot wakes it.
   */
  async #wake(): Promise<void> {
    const slot = Math.floor(Date.now() / WAKE_SLOT_MS);
    if (slot === this.#wokenSlot) return this.#wakeNextSlot();
    this.#wokenSlot = slot;
    const enqueued = await enqueueJob(this.ctx.db, PROCESS_WEBHOOKS_JOB, {}, { uniqueKey: `${PROCESS_WEBHOOKS_JOB}:${slot}` });
    // Another process woke this slot, and its job may have run already.
    if (enqueued === null) this.#wakeNextSlot();
  }

  #wakeNextSlot(): void {
    if (this.#wakeLater) return;
    this.#wakeLater = setTimeout(
      () => {
        this.#wakeLater = undefined;
        this.#wake().catch((err: unknown) => this.ctx.log.error({ err }, 'could not wake the webhook inbox'));
      },
      WAKE_SLOT_MS - (Date.now() % WAKE_SLOT_MS),
    ).unref();
  }
}

const writers = new WeakMap<AppContext['db'], DeliveryWriter>();

/** Stores a delivery; false when it was already received (and had not failed). */
export function writeDelivery(ctx: AppContext, d: DeliveryToWrite): Promise<boolean> {
  let writer = writers.get(ctx.db);
  if (!writer) {
    writer = new DeliveryWriter(ctx);
    writers.set(ctx.db, writer);
  }
  return writer.write(d);
}

/** A delivery being applied for longer than this is taken to have died with its process. */
const STALE_AFTER_MS = 10 * 60_000;

export interface ClaimedDelivery {
  id: number;
  webhook_id: string;
  topic: string;
  shop_domain: string | null;
  body: string | null;
  attempts: number;
}

/** Claims up to `limit` due deliveries, oldest first, for this processor alone (`FOR UPDATE SKIP LOCKED`). */
export async function claimQueuedDeliveries(ctx: AppContext, limit: number, now: Date): Promise<ClaimedDelivery[]> {
  const staleBefore = new Date(now.getTime() - STALE_AFTER_MS);
  const result = await sql<ClaimedDelivery>`
    update commerce_webhook_deliveries set outcome = 'processing', claimed_at = ${now}, attempts = attempts + 1
    where id in (
      select id from commerce_webhook_deliveries
      where (outcome = 'queued' and (next_attempt_at is null or next_attempt_at <= ${now}))
         or (outcome = 'processing' and claimed_at < ${staleBefore})
      order by id
      limit ${limit}
      for update skip locked
    )
    returning id, webhook_id, topic, shop_domain, body, attempts`.execute(ctx.db);
  return [...result.rows].sort((a, b) => a.id - b.id);
}
