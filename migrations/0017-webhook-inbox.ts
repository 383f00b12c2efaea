import { sql, type Kysely } from 'kysely';

/**
 * Webhook deliveries become an inbox: a verified delivery is stored with its body as `queued` and
 * answered at once; a worker applies it, retrying with backoff (`attempts`, `next_attempt_at`) when it
 * cannot be applied yet, and `claimed_at` lets a delivery whose processor died be claimed again.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table commerce_webhook_deliveries drop constraint commerce_webhook_deliveries_outcome_check;
    alter table commerce_webhook_deliveries add constraint commerce_webhook_deliveries_outcome_check
      check (outcome in ('queued', 'processing', 'processed', 'ignored', 'failed'));
    alter table commerce_webhook_deliveries add column body text;
    alter table commerce_webhook_deliveries add column attempts integer not null default 0;
    alter table commerce_webhook_deliveries add column next_attempt_at timestamptz;
    alter table commerce_webhook_deliveries add column claimed_at timestamptz;
    create index commerce_webhook_deliveries_queue on commerce_webhook_deliveries (id) where outcome in ('queued', 'processing');
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop index commerce_webhook_deliveries_queue;
    update commerce_webhook_deliveries set outcome = 'failed' where outcome = 'queued';
    alter table commerce_webhook_deliveries drop column claimed_at;
    alter table commerce_webhook_deliveries drop column next_attempt_at;
    alter table commerce_webhook_deliveries drop column attempts;
    alter table commerce_webhook_deliveries drop column body;
    alter table commerce_webhook_deliveries drop constraint commerce_webhook_deliveries_outcome_check;
    alter table commerce_webhook_deliveries add constraint commerce_webhook_deliveries_outcome_check
      check (outcome in ('processing', 'processed', 'ignored', 'failed'));
  `.execute(db);
}
