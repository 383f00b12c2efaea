import { sql, type RawBuilder } from 'kysely';
import type { Executor } from '../../platform/jobs/registry.ts';
import type { TopicKind } from './tables.ts';

/**
 * Full-text and trigram queries over topics and replies, for the search feature. Every query takes the
 * ids of the spaces the viewer may see and filters by them in SQL, so hidden content never leaves the
 * database. Topics and replies carry generated `search_vector` columns with GIN indexes (migration
 * 0004); titles have a trigram index for typo-tolerant matching.
 */

/** Marks around matched words in headlines; the caller escapes the text and then turns them into <mark>. */
export const MARK_START = '\u0001';
export const MARK_END = '\u0002';
/**
 * Stands in for "<" while `ts_headline` runs: its parser drops anything that looks like an HTML tag,
 * and a member who wrote `<script>` should see exactly that (escaped), not a silently shortened text.
 */
export const LESS_THAN = '\u0003';

export interface SearchScope {
  /** Already narrowed to what the viewer may see (and to the chosen space, if any). */
  spaceIds: number[];
  kind?: TopicKind;
  solved?: boolean;
  tagId?: number;
  authorId?: number;
  /** Posts written at or after this instant. */
  after?: Date;
  /** Posts written before this instant. */
  before?: Date;
}

/** A tsquery, as SQL: the user's text through `websearch_to_tsquery`, or our own typo variants through `to_tsquery`. */
export type SearchQuery = { kind: 'websearch'; text: string } | { kind: 'variants'; tsquery: string };

function tsquery(q: SearchQuery): RawBuilder<unknown> {
  return q.kind === 'websearch' ? sql`websearch_to_tsquery('english', ${q.text})` : sql`to_tsquery('english', ${q.tsquery})`;
}

function and(conditions: RawBuilder<unknown>[]): RawBuilder<unknown> {
  return sql.join(conditions, sql` and `);
}

/** Conditions on the topic (alias `t`) that apply to topic hits and to the topics of reply hits. */
function topicConditions(scope: SearchScope): RawBuilder<unknown>[] {
  const c: RawBuilder<unknown>[] = [sql`t.deleted_at is null`, sql`t.space_id in (${sql.join(scope.spaceIds)})`];
  if (scope.kind) c.push(sql`t.kind = ${scope.kind}`);
  if (scope.solved !== undefined) c.push(scope.solved ? sql`t.accepted_reply_id is not null` : sql`t.accepted_reply_id is null`);
  if (scope.tagId !== undefined) c.push(sql`exists (select 1 from topic_tags tt where tt.topic_id = t.id and tt.tag_id = ${scope.tagId})`);
  return c;
}

/** Author and dates apply to the post itself: the topic's opening post (`t`) or the reply (`r`). */
function postConditions(alias: 't' | 'r', scope: SearchScope): RawBuilder<unknown>[] {
  const c: RawBuilder<unknown>[] = [];
  const ref = (column: string) => sql.ref(`${alias}.${column}`);
  if (scope.authorId !== undefined) c.push(sql`${ref('author_id')} = ${scope.authorId}`);
  if (scope.after) c.push(sql`${ref('created_at')} >= ${scope.after}`);
  if (scope.before) c.push(sql`${ref('created_at')} < ${scope.before}`);
  return c;
}

export interface SearchHitRow {
  topic_id: number;
  reply_id: number | null;
  rank: number;
}

/**
 * Weights of the D, C, B and A labels for `ts_rank_cd`: a word in a title (A) counts five times one in
 * a topic's body (B) and ten times one in a reply (C), so a title match ranks above a body-only match
 * unless the body repeats the words many times. (Checking the title separately doubled the cost.)
 */
const weights = sql`'{0.05, 0.1, 0.2, 1.0}'::float4[]`;

/**
 * How many of the newest matching topics, and of the newest matching replies, are ranked. Ranking
 * reads every candidate's vector, so a common word over half a million posts would cost a second;
 * the newest few hundred matches keep a search in milliseconds, and a rare word still has all its
 * matches ranked. The price: for a very common word an older post only shows when its ranking
 * among the recent ones earns it, which suits a community where recent answers are the useful ones.
 */
export const RANKED_CANDIDATES = 400;
/** How many of the newest topics (and replies) are searched first, before the whole table. */
const SEARCH_WINDOW = 20_000;

/**
 * One page of hits: topics and replies ranked together by `ts_rank_cd`. A topic gives at most one
 * reply hit (its best), so one long thread cannot fill the page. Fetches `limit + 1`.
 *
 * Candidates are collected first in MATERIALIZED CTEs: that keeps the planner on the GIN indexes
 * (without it, "newest first" tempts it into walking the primary key backwards and testing every row).
 * Visiting each match's row is what costs (about 5 µs each), so a common word is looked for among
 * the newest posts first.
 */
export async function searchHits(db: Executor, query: SearchQuery, scope: SearchScope, page: { offset: number; limit: number }): Promise<SearchHitRow[]> {
  if (scope.spaceIds.length === 0) return [];
  const want = page.offset + page.limit + 1;
  const candidates = Math.max(RANKED_CANDIDATES, want);
  const q = tsquery(query);
  const newest = await sql<{ topic: number | null; reply: number | null }>`
    select (select max(id) from topics) as topic, (select max(id) from replies) as reply
  `.execute(db);
  // First the newest posts only (a cheap range on the primary key next to the GIN index); the whole
  // table only when that window holds fewer than `candidates` matches. Either way the candidates
  // are the newest matches, so the window changes the cost, never the result.
  const topicFloor = Math.max(0, (newest.rows[0]?.topic ?? 0) - SEARCH_WINDOW);
  const replyFloor = Math.max(0, (newest.rows[0]?.reply ?? 0) - SEARCH_WINDOW);
  const topicWhere = and([sql`t.search_vector @@ ${q}`, ...topicConditions(scope), ...postConditions('t', scope)]);
  const replyWhere = and([sql`r.search_vector @@ ${q}`, sql`r.deleted_at is null`, ...topicConditions(scope), ...postConditions('r', scope)]);
  const statement = sql<SearchHitRow>`
    with q as materialized (select ${q} as query),
    topic_recent as materialized (
      select t.id from topics t where t.id > ${topicFloor} and ${topicWhere}
    ),
    topic_matches as (
      select id from topic_recent
      union all
      select t.id from topics t where (select count(*) from topic_recent) < ${candidates} and t.id <= ${topicFloor} and ${topicWhere}
    ),
    topic_hits as (
      select t.id as topic_id, null::bigint as reply_id, ts_rank_cd(${weights}, t.search_vector, q.query) as rank,
        t.last_activity_at as at
      from (select id from topic_matches order by id desc limit ${candidates}) m join topics t on t.id = m.id, q
      order by rank desc, t.id desc
      limit ${want}
    ),
    reply_recent as materialized (
      select r.id from replies r join topics t on t.id = r.topic_id where r.id > ${replyFloor} and ${replyWhere}
    ),
    reply_matches as (
      select id from reply_recent
      union all
      select r.id from replies r join topics t on t.id = r.topic_id
      where (select count(*) from reply_recent) < ${candidates} and r.id <= ${replyFloor} and ${replyWhere}
    ),
    reply_ranked as (
      select r.topic_id, r.id as reply_id, ts_rank_cd(${weights}, r.search_vector, q.query) as rank, r.created_at as at
      from (select id from reply_matches order by id desc limit ${candidates}) m join replies r on r.id = m.id, q
      order by rank desc, r.id desc
      limit ${want * 3}
    ),
    reply_hits as (
      select distinct on (topic_id) topic_id, reply_id, rank, at from reply_ranked order by topic_id, rank desc, reply_id desc
    )
    select topic_id, reply_id, rank::float8 as rank from (
      select * from topic_hits union all select * from reply_hits
    ) h
    order by rank desc, at desc, topic_id desc, reply_id desc nulls first
    offset ${page.offset} limit ${page.limit + 1}
  `;
  return (await statement.execute(db)).rows;
}

/**
 * Typo tolerance: titles similar to the text by trigrams (`%`, threshold 0.3, served by the trigram
 * index), or containing a word of the text with two neighbouring letters swapped (`tnet` → `tent`),
 * which trigrams alone miss. `variants` is that second query, built by the caller from plain words.
 */
export async function similarTitleHits(db: Executor, text: string, variants: string | null, scope: SearchScope, limit: number): Promise<SearchHitRow[]> {
  if (scope.spaceIds.length === 0) return [];
  const swapped = variants ? sql`or t.search_vector @@ to_tsquery('english', ${variants})` : sql``;
  const { rows } = await sql<SearchHitRow>`
    select t.id as topic_id, null::bigint as reply_id,
      greatest(similarity(t.title, ${text}), ${variants ? sql`case when t.search_vector @@ to_tsquery('english', ${variants}) then 0.5 else 0 end` : sql`0`})::float8 as rank
    from topics t
    where (t.title % ${text} ${swapped}) and ${and([...topicConditions(scope), ...postConditions('t', scope)])}
    order by rank desc, t.last_activity_at desc, t.id desc
    limit ${limit}
  `.execute(db);
  return rows;
}

export interface HitDetailRow {
  topic_id: number;
  reply_id: number | null;
  space_id: number;
  space_slug: string;
  space_name: string;
  kind: TopicKind;
  title: string;
  slug: string;
  solved: boolean;
  reply_count: number;
  topic_created_at: Date;
  post_created_at: Date;
  author_username: string;
  author_name: string;
  author_avatar: string | null;
  /** Title and body excerpt with matches between MARK_START and MARK_END; nothing else is marked up. */
  title_headline: string;
  body_headline: string;
}

/** Markdown punctuation out of the way of the excerpt; the text is escaped when shown anyway. */
const plainBody = (column: RawBuilder<unknown>) => keepTags(sql`regexp_replace(left(${column}, 4000), '^\\s*[#>]+|[*_\`|~]+|\\]\\([^)]*\\)|!?\\[', ' ', 'gn')`);
const keepTags = (text: RawBuilder<unknown>) => sql`replace(${text}, '<', ${LESS_THAN})`;

/** Headlines for one page of hits only: `ts_headline` is too slow to run over every match. */
export async function hitDetails(db: Executor, query: SearchQuery, hits: SearchHitRow[]): Promise<HitDetailRow[]> {
  if (hits.length === 0) return [];
  const q = tsquery(query);
  const titleOpts = `StartSel=${MARK_START}, StopSel=${MARK_END}, HighlightAll=true`;
  const bodyOpts = `StartSel=${MARK_START}, StopSel=${MARK_END}, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "`;
  const values = sql.join(hits.map((h, i) => sql`(${h.topic_id}::bigint, ${h.reply_id}::bigint, ${i}::int)`));
  const { rows } = await sql<HitDetailRow>`
    with q as (select ${q} as query)
    select t.id as topic_id, h.reply_id, t.space_id, s.slug as space_slug, s.name as space_name, t.kind, t.title, t.slug,
      t.accepted_reply_id is not null as solved, t.reply_count, t.created_at as topic_created_at,
      coalesce(r.created_at, t.created_at) as post_created_at,
      u.username as author_username, u.display_name as author_name, u.avatar_path as author_avatar,
      ts_headline('english', ${keepTags(sql`t.title`)}, q.query, ${titleOpts}) as title_headline,
      ts_headline('english', ${plainBody(sql`coalesce(r.body_md, t.body_md)`)}, q.query, ${bodyOpts}) as body_headline
    from (values ${values}) as h (topic_id, reply_id, position)
    join topics t on t.id = h.topic_id
    join spaces s on s.id = t.space_id
    left join replies r on r.id = h.reply_id
    join users u on u.id = coalesce(r.author_id, t.author_id)
    cross join q
    order by h.position
  `.execute(db);
  return rows;
}

export interface SimilarRow {
  id: number;
  title: string;
  slug: string;
  space_slug: string;
  space_name: string;
  solved: boolean;
  reply_count: number;
  rank: number;
}

/**
 * Questions sharing words with a title (any of them: the words joined with OR), best matches first;
 * the caller puts solved ones first. Only the `limit` best are ranked further, so a common word stays
 * cheap.
 */
export async function similarQuestions(db: Executor, title: string, opts: { spaceIds: number[]; excludeTopicId?: number; limit: number }): Promise<SimilarRow[]> {
  if (opts.spaceIds.length === 0) return [];
  const exclude = opts.excludeTopicId !== undefined ? sql`and t.id <> ${opts.excludeTopicId}` : sql``;
  const { rows } = await sql<SimilarRow>`
    with q as (select nullif(replace(plainto_tsquery('english', ${title})::text, ' & ', ' | '), '')::tsquery as query)
    select t.id, t.title, t.slug, s.slug as space_slug, s.name as space_name, t.accepted_reply_id is not null as solved, t.reply_count,
      ts_rank_cd(t.search_vector, q.query)::float8 as rank
    from topics t join spaces s on s.id = t.space_id, q
    where q.query is not null and t.search_vector @@ q.query and t.kind = 'question' and t.deleted_at is null
      and t.space_id in (${sql.join(opts.spaceIds)}) ${exclude}
    order by rank desc, t.id desc
    limit ${opts.limit}
  `.execute(db);
  return rows;
}

/** The id of a member who may appear as an author (confirmed email, as on profiles), by username. */
export async function findAuthorId(db: Executor, username: string): Promise<number | undefined> {
  const row = await db.selectFrom('users').select('id').where('username', '=', username).where('email_verified_at', 'is not', null).executeTakeFirst();
  return row?.id;
}

export async function findTagId(db: Executor, slug: string): Promise<number | undefined> {
  const row = await db.selectFrom('tags').select('id').where('slug', '=', slug).executeTakeFirst();
  return row?.id;
}
