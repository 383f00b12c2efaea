import { sql } from 'kysely';
import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import { badRequest, notFound, validationFailed } from '../../platform/http/errors.ts';
import { decodeCursor, type Page, toPage } from '../../platform/http/pagination.ts';
import type { Executor } from '../../platform/jobs/registry.ts';
import { topicListQuery } from './repo.ts';
import { toTopicSummary, type TopicSummary, type Viewer, visibleSpaceIds } from './service.ts';

/**
 * Tags on topics: members choose up to five when they start a topic, free-form, normalised to
 * lowercase slugs. `tags.topic_count` is the total; `tag_space_counts` splits it by space, so a tag
 * list only counts (and only names) tags of topics the viewer may see.
 */

export const MAX_TAGS_PER_TOPIC = 5;
export const TAG_MAX_LENGTH = 30;

/** "Rain Jackets!" → "rain-jackets"; an empty string when nothing usable is left. */
export function normaliseTag(raw: string): string {
  return raw
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/^#+/, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** Splits a comma-separated field (or takes a list) into unique tag slugs, in the order given. */
export function splitTags(value: string | string[]): string[] {
  const parts = Array.isArray(value) ? value : value.split(',');
  const slugs: string[] = [];
  for (const part of parts) {
    const slug = normaliseTag(part);
    if (slug && !slugs.includes(slug)) slugs.push(slug);
  }
  return slugs;
}

const tooMany = `Use at most ${MAX_TAGS_PER_TOPIC} tags.`;

function checkTags(slugs: string[], ctx: z.RefinementCtx): void {
  if (slugs.length > MAX_TAGS_PER_TOPIC) ctx.addIssue({ code: 'custom', message: tooMany });
  const long = slugs.find((s) => s.length > TAG_MAX_LENGTH);
  if (long) ctx.addIssue({ code: 'custom', message: `Keep each tag to ${TAG_MAX_LENGTH} characters ("${long.slice(0, 40)}" is longer).` });
}

/** The new-topic form's tag field: comma-separated text. */
export const tagsFormField = z
  .string()
  .max(1000, tooMany)
  .optional()
  .transform((v) => splitTags(v ?? ''))
  .superRefine(checkTags);

/** The API's tag list. */
export const tagsApiField = z
  .array(z.string().max(100))
  .max(20, tooMany)
  .default([])
  .transform((v) => splitTags(v))
  .superRefine(checkTags)
  .describe(`up to ${MAX_TAGS_PER_TOPIC} tags; normalised to lowercase slugs, e.g. "Rain jackets" → rain-jackets`);

/** The service's own check, whatever the caller parsed: normalised, unique, at most five. */
export function checkTopicTags(raw: string[]): string[] {
  const slugs = splitTags(raw);
  if (slugs.length > MAX_TAGS_PER_TOPIC) throw validationFailed({ tags: tooMany });
  const long = slugs.find((s) => s.length > TAG_MAX_LENGTH);
  if (long) throw validationFailed({ tags: `Keep each tag to ${TAG_MAX_LENGTH} characters.` });
  return slugs;
}

export interface Tag {
  slug: string;
  topicCount: number;
  url: string;
}

export function tagUrl(slug: string): string {
  return `/tag/${slug}`;
}

// Writing, inside the caller's transaction.

/** Gives a topic exactly these tags (creating new ones), keeping both counts right. */
export async function setTopicTags(trx: Executor, topic: { id: number; spaceId: number }, slugs: string[]): Promise<void> {
  const current = await trx
    .selectFrom('topic_tags')
    .innerJoin('tags', 'tags.id', 'topic_tags.tag_id')
    .select(['tags.id', 'tags.slug'])
    .where('topic_tags.topic_id', '=', topic.id)
    .execute();
  const removedIds = current.filter((c) => !slugs.includes(c.slug)).map((c) => c.id);
  const added = slugs.filter((s) => !current.some((c) => c.slug === s));
  if (added.length > 0) {
    await trx
      .insertInto('tags')
      .values(added.map((slug) => ({ slug, name: slug })))
      .onConflict((oc) => oc.column('slug').doNothing())
      .execute();
    const addedIds = (await trx.selectFrom('tags').select('id').where('slug', 'in', added).execute()).map((r) => r.id);
    await trx
      .insertInto('topic_tags')
      .values(addedIds.map((tagId) => ({ topic_id: topic.id, tag_id: tagId })))
      .execute();
    await addToCounts(trx, addedIds, topic.spaceId, 1);
  }
  if (removedIds.length > 0) {
    await trx.deleteFrom('topic_tags').where('topic_id', '=', topic.id).where('tag_id', 'in', removedIds).execute();
    await addToCounts(trx, removedIds, topic.spaceId, -1);
  }
}

async function addToCounts(trx: Executor, tagIds: number[], spaceId: number, delta: 1 | -1): Promise<void> {
  await trx
    .updateTable('tags')
    .set((eb) => ({ topic_count: eb('topic_count', '+', delta) }))
    .where('id', 'in', tagIds)
    .execute();
  await trx
    .insertInto('tag_space_counts')
    .values(tagIds.map((tagId) => ({ tag_id: tagId, space_id: spaceId, topic_count: delta })))
    .onConflict((oc) => oc.columns(['tag_id', 'space_id']).doUpdateSet((eb) => ({ topic_count: eb('tag_space_counts.topic_count', '+', delta) })))
    .execute();
}

// Reading.

/** The tags of each topic, in name order. */
export async function tagsForTopics(db: Executor, topicIds: number[]): Promise<Map<number, string[]>> {
  const byTopic = new Map<number, string[]>();
  if (topicIds.length === 0) return byTopic;
  const rows = await db
    .selectFrom('topic_tags')
    .innerJoin('tags', 'tags.id', 'topic_tags.tag_id')
    .select(['topic_tags.topic_id', 'tags.slug'])
    .where('topic_tags.topic_id', 'in', topicIds)
    .orderBy('tags.slug')
    .execute();
  for (const row of rows) {
    const list = byTopic.get(row.topic_id) ?? [];
    list.push(row.slug);
    byTopic.set(row.topic_id, list);
  }
  return byTopic;
}

/** The same topics with their tags filled in (one query for the whole list). */
export async function withTags<T extends { id: number; tags?: string[] }>(ctx: AppContext, topics: T[]): Promise<T[]> {
  const tags = await tagsForTopics(
    ctx.db,
    topics.map((t) => t.id),
  );
  return topics.map((t) => ({ ...t, tags: tags.get(t.id) ?? [] }));
}

function countCursor(cursor: string | undefined): { count: number; slug: string } | undefined {
  const values = decodeCursor(cursor, 2);
  if (!values) return undefined;
  const [count, slug] = values;
  if (typeof count !== 'number' || typeof slug !== 'string') throw badRequest('The cursor is not valid; use the nextCursor of a previous page.', 'invalid_cursor');
  return { count, slug };
}

async function visibleTagRows(db: Executor, spaceIds: number[], opts: { prefix?: string; after?: { count: number; slug: string }; limit: number }) {
  if (spaceIds.length === 0) return [];
  const visibleCount = sql<number>`sum(tag_space_counts.topic_count)::int`;
  let q = db
    .selectFrom('tag_space_counts')
    .innerJoin('tags', 'tags.id', 'tag_space_counts.tag_id')
    .select(['tags.slug', visibleCount.as('topic_count')])
    .where('tag_space_counts.space_id', 'in', spaceIds)
    .groupBy(['tags.id', 'tags.slug'])
    .having(visibleCount, '>', 0);
  if (opts.prefix) q = q.where('tags.slug', 'like', `${opts.prefix.replace(/[\\%_]/g, '\\$&')}%`);
  const after = opts.after;
  if (after) {
    q = q.having((eb) => eb.or([eb(visibleCount, '<', after.count), eb.and([eb(visibleCount, '=', after.count), eb('tags.slug', '>', after.slug)])]));
  }
  return q.orderBy(visibleCount, 'desc').orderBy('tags.slug').limit(opts.limit + 1).execute();
}

/** Every tag used on a topic the viewer may see, most used first, counting only those topics. */
export async function listTags(ctx: AppContext, viewer: Viewer, opts: { cursor?: string; limit: number }): Promise<Page<Tag>> {
  const spaceIds = await visibleSpaceIds(ctx, viewer);
  const rows = await visibleTagRows(ctx.db, spaceIds, { after: countCursor(opts.cursor), limit: opts.limit });
  const page = toPage(rows, opts.limit, (r) => [r.topic_count, r.slug]);
  return { items: page.items.map((r) => ({ slug: r.slug, topicCount: r.topic_count, url: tagUrl(r.slug) })), nextCursor: page.nextCursor };
}

/** Autocomplete for the tag field: visible tags starting with what was typed. */
export async function suggestTags(ctx: AppContext, viewer: Viewer, typed: string, limit: number): Promise<Tag[]> {
  const prefix = normaliseTag(typed);
  const spaceIds = await visibleSpaceIds(ctx, viewer);
  const rows = await visibleTagRows(ctx.db, spaceIds, { prefix: prefix || undefined, limit });
  return rows.slice(0, limit).map((r) => ({ slug: r.slug, topicCount: r.topic_count, url: tagUrl(r.slug) }));
}

function activityCursor(cursor: string | undefined): { activityKey: string; id: number } | undefined {
  const values = decodeCursor(cursor, 2);
  if (!values) return undefined;
  const [activityKey, id] = values;
  if (typeof activityKey !== 'string' || typeof id !== 'number') throw badRequest('The cursor is not valid; use the nextCursor of a previous page.', 'invalid_cursor');
  return { activityKey, id };
}

/**
 * A tag's topics in the spaces the viewer may see, latest activity first. A tag with no visible
 * topic is "not found", so a private space's tags do not leak by name.
 */
export async function listTagTopics(ctx: AppContext, viewer: Viewer, rawSlug: string, opts: { cursor?: string; limit: number }): Promise<{ tag: Tag; topics: Page<TopicSummary> }> {
  const slug = normaliseTag(rawSlug);
  const spaceIds = await visibleSpaceIds(ctx, viewer);
  const tagRow = slug ? await ctx.db.selectFrom('tags').select(['id', 'slug']).where('slug', '=', slug).executeTakeFirst() : undefined;
  const counted = tagRow && spaceIds.length > 0
    ? await ctx.db
        .selectFrom('tag_space_counts')
        .select(sql<number>`coalesce(sum(topic_count), 0)::int`.as('n'))
        .where('tag_id', '=', tagRow.id)
        .where('space_id', 'in', spaceIds)
        .executeTakeFirstOrThrow()
    : { n: 0 };
  if (!tagRow || counted.n <= 0) throw notFound('We could not find that tag.');
  const after = activityCursor(opts.cursor);
  let q = topicListQuery(ctx.db)
    .where('topics.space_id', 'in', spaceIds)
    .where('topics.id', 'in', (eb) => eb.selectFrom('topic_tags').select('topic_tags.topic_id').where('topic_tags.tag_id', '=', tagRow.id));
  if (after) {
    q = q.where((eb) => eb(eb.refTuple('topics.last_activity_at', 'topics.id'), '<', eb.tuple(sql<Date>`${after.activityKey}::timestamptz`, after.id)));
  }
  const rows = await q.orderBy('topics.last_activity_at', 'desc').orderBy('topics.id', 'desc').limit(opts.limit + 1).execute();
  const page = toPage(rows, opts.limit, (r) => [r.activity_key, r.id]);
  const items = await withTags(ctx, page.items.map(toTopicSummary));
  return { tag: { slug: tagRow.slug, topicCount: counted.n, url: tagUrl(tagRow.slug) }, topics: { items, nextCursor: page.nextCursor } };
}

/**
 * Recomputes both tag counts from the rows, for bulk writers (the demo seed, the benchmark generator)
 * that insert `topic_tags` directly rather than through `setTopicTags`.
 */
export async function recountTags(db: Executor): Promise<void> {
  await sql`update tags set topic_count = (select count(*)::int from topic_tags tt where tt.tag_id = tags.id)`.execute(db);
  await sql`delete from tag_space_counts`.execute(db);
  await sql`
    insert into tag_space_counts (tag_id, space_id, topic_count)
    select tt.tag_id, t.space_id, count(*)::int from topic_tags tt join topics t on t.id = tt.topic_id group by tt.tag_id, t.space_id`.execute(db);
}

/** Inserts tags by slug (existing ones kept) and links them to topics; counts are left to `recountTags`. */
export async function insertTopicTags(db: Executor, links: Array<{ topicId: number; slugs: string[] }>): Promise<void> {
  const slugs = [...new Set(links.flatMap((l) => l.slugs))];
  if (slugs.length === 0) return;
  await db
    .insertInto('tags')
    .values(slugs.map((slug) => ({ slug, name: slug })))
    .onConflict((oc) => oc.column('slug').doNothing())
    .execute();
  const ids = new Map((await db.selectFrom('tags').select(['id', 'slug']).where('slug', 'in', slugs).execute()).map((r) => [r.slug, r.id]));
  const rows = links.flatMap((l) => l.slugs.flatMap((slug) => {
    const tagId = ids.get(slug);
    return tagId === undefined ? [] : [{ topic_id: l.topicId, tag_id: tagId }];
  }));
  for (let start = 0; start < rows.length; start += 5000) {
    await db.insertInto('topic_tags').values(rows.slice(start, start + 5000)).onConflict((oc) => oc.doNothing()).execute();
  }
}
