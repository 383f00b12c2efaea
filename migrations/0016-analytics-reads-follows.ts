import { sql, type Kysely } from 'kysely';

/** Topic pages a member read and things they followed, per day: engagement signals of the personas. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table analytics_member_days add column reads integer not null default 0;
    alter table analytics_member_days add column follows integer not null default 0;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table analytics_member_days drop column follows;
    alter table analytics_member_days drop column reads;
  `.execute(db);
}
