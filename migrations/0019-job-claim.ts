import { sql, type Kysely } from 'kysely';

/**
 * Claiming jobs under load. The claim looks for due jobs and, separately, for jobs whose worker died;
 * each has a partial index it can walk in order and stop after a batch, so the rows of finished jobs
 * that vacuum has not reclaimed yet are skipped by the index scan instead of rechecked on every claim.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop index jobs_claim;
    create index jobs_claim on jobs (run_at, id) where state in ('queued', 'failed');
    create index jobs_running on jobs (locked_at) where state = 'running';
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop index jobs_running;
    drop index jobs_claim;
    create index jobs_claim on jobs (run_at) where state in ('queued', 'failed');
  `.execute(db);
}
