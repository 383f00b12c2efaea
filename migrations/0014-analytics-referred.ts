import { sql, type Kysely } from 'kysely';

/** Members who joined through a friend's referral, for retention's "referred against not". */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table analytics_members add column referred boolean not null default false`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table analytics_members drop column referred`.execute(db);
}
