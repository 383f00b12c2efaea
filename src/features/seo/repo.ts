import type { Executor } from '../../platform/jobs/registry.ts';
import type { TopicKind } from '../community/tables.ts';

/**
 * Read-only queries for the sitemap and feeds. The community service pages topics for people (by
 * activity, without bodies); crawlers and feed readers need other shapes (every topic in id order, the
 * latest bodies), so these few selects live here. Callers always pass the space ids from
 * `visibleSpaceIds(ctx, null)`: nothing here decides who may see what.
 */

export interface SitemapTopicRow {
  id: number;
  slug: string;
  last_activity_at: Date;
}

export async function countTopicsInSpaces(db: Executor, spaceIds: number[]): Promise<number> {
  if (spaceIds.length === 0) return 0;
  const row = await db
    .selectFrom('topics')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('space_id', 'in', spaceIds)
    .where('deleted_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** One file's worth of topics in id order; `offset` is the file's index times its size. */
export function listSitemapTopics(db: Executor, spaceIds: number[], opts: { offset: number; limit: number }): Promise<SitemapTopicRow[]> {
  if (spaceIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('topics')
    .select(['id', 'slug', 'last_activity_at'])
    .where('space_id', 'in', spaceIds)
    .where('deleted_at', 'is', null)
    .orderBy('id')
    .offset(opts.offset)
    .limit(opts.limit)
    .execute();
}

export async function lastActivityBySpace(db: Executor, spaceIds: number[]): Promise<Map<number, Date>> {
  if (spaceIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('topics')
    .select((eb) => ['space_id', eb.fn.max('last_activity_at').as('last_activity_at')])
    .where('space_id', 'in', spaceIds)
    .where('deleted_at', 'is', null)
    .groupBy('space_id')
    .execute();
  const bySpace = new Map<number, Date>();
  for (const row of rows) bySpace.set(row.space_id, new Date(row.last_activity_at));
  return bySpace;
}

export interface FeedTopicRow {
  id: number;
  slug: string;
  kind: TopicKind;
  title: string;
  body_md: string;
  body_html: string;
  created_at: Date;
  last_activity_at: Date;
  space_name: string;
  space_slug: string;
  author_name: string;
  author_username: string;
}

/** The latest topics by activity (the home page's order), optionally only those with a tag. */
export function listFeedTopics(db: Executor, spaceIds: number[], opts: { tagId?: number; limit: number }): Promise<FeedTopicRow[]> {
  if (spaceIds.length === 0) return Promise.resolve([]);
  let q = db
    .selectFrom('topics')
    .innerJoin('spaces', 'spaces.id', 'topics.space_id')
    .innerJoin('users', 'users.id', 'topics.author_id')
    .select([
      'topics.id',
      'topics.slug',
      'topics.kind',
      'topics.title',
      'topics.body_md',
      'topics.body_html',
      'topics.created_at',
      'topics.last_activity_at',
      'spaces.name as space_name',
      'spaces.slug as space_slug',
      'users.display_name as author_name',
      'users.username as author_username',
    ])
    .where('topics.space_id', 'in', spaceIds)
    .where('topics.deleted_at', 'is', null);
  const tagId = opts.tagId;
  if (tagId !== undefined) {
    q = q.where((eb) => eb.exists(eb.selectFrom('topic_tags').select('topic_tags.topic_id').whereRef('topic_tags.topic_id', '=', 'topics.id').where('topic_tags.tag_id', '=', tagId)));
  }
  return q.orderBy('topics.last_activity_at', 'desc').orderBy('topics.id', 'desc').limit(opts.limit).execute();
}

export function findTagBySlug(db: Executor, slug: string): Promise<{ id: number; slug: string; name: string } | undefined> {
  return db.selectFrom('tags').select(['id', 'slug', 'name']).where('slug', '=', slug).executeTakeFirst();
}
