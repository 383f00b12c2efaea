import { sql } from 'kysely';
import type { Executor } from '../../platform/jobs/registry.ts';
import type { SpaceVisibility, TopicKind } from './tables.ts';

/** Kysely queries for spaces as administrators manage them; the rules live in space-admin.ts. */

export interface AdminSpaceRow {
  id: number;
  slug: string;
  name: string;
  description: string;
  icon: string;
  color: string;
  position: number;
  visibility: SpaceVisibility;
  default_kind: TopicKind;
  topic_count: number;
  reply_count: number;
  created_at: Date;
  moderator_count: number;
  member_count: number;
  rule_count: number;
}

function adminSpaceQuery(db: Executor) {
  return db
    .selectFrom('spaces')
    .select([
      'spaces.id',
      'spaces.slug',
      'spaces.name',
      'spaces.description',
      'spaces.icon',
      'spaces.color',
      'spaces.position',
      'spaces.visibility',
      'spaces.default_kind',
      'spaces.topic_count',
      'spaces.reply_count',
      'spaces.created_at',
      sql<number>`(select count(*)::int from space_moderators m where m.space_id = spaces.id)`.as('moderator_count'),
      sql<number>`(select count(*)::int from space_members m where m.space_id = spaces.id)`.as('member_count'),
      sql<number>`(select count(*)::int from space_access_rules r where r.space_id = spaces.id)`.as('rule_count'),
    ]);
}

/** Every space in order; spaces are few (tens), so the admin list is not paged. */
export function listAllSpaces(db: Executor): Promise<AdminSpaceRow[]> {
  return adminSpaceQuery(db).orderBy('spaces.position').orderBy('spaces.id').limit(1000).execute();
}

export function findAdminSpace(db: Executor, id: number): Promise<AdminSpaceRow | undefined> {
  return adminSpaceQuery(db).where('spaces.id', '=', id).executeTakeFirst();
}

export async function slugTaken(db: Executor, slug: string, exceptId?: number): Promise<boolean> {
  let q = db.selectFrom('spaces').select('id').where('slug', '=', slug);
  if (exceptId !== undefined) q = q.where('id', '<>', exceptId);
  return (await q.executeTakeFirst()) !== undefined;
}

export async function nextPosition(db: Executor): Promise<number> {
  const row = await db
    .selectFrom('spaces')
    .select(sql<number>`coalesce(max(position), 0)::int + 1`.as('next'))
    .executeTakeFirstOrThrow();
  return Number(row.next);
}

export interface SpaceValues {
  slug: string;
  name: string;
  description: string;
  icon: string;
  color: string;
  position: number;
  visibility: SpaceVisibility;
  defaultKind: TopicKind;
}

export function insertSpace(db: Executor, v: SpaceValues): Promise<{ id: number }> {
  return db
    .insertInto('spaces')
    .values({
      slug: v.slug,
      name: v.name,
      description: v.description,
      icon: v.icon,
      color: v.color,
      position: v.position,
      visibility: v.visibility,
      default_kind: v.defaultKind,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
}

export async function updateSpace(db: Executor, id: number, v: SpaceValues): Promise<void> {
  await db
    .updateTable('spaces')
    .set({
      slug: v.slug,
      name: v.name,
      description: v.description,
      icon: v.icon,
      color: v.color,
      position: v.position,
      visibility: v.visibility,
      default_kind: v.defaultKind,
    })
    .where('id', '=', id)
    .execute();
}

/** Writes positions 1..n in the given order, in one statement. */
export async function setPositions(db: Executor, orderedIds: number[]): Promise<void> {
  if (orderedIds.length === 0) return;
  const rows = sql.join(orderedIds.map((id, i) => sql`(${id}::bigint, ${i + 1}::int)`));
  await sql`update spaces set position = v.position from (values ${rows}) as v (id, position) where spaces.id = v.id`.execute(db);
}
