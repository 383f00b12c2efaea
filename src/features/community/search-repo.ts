import { sql, type RawBuilder } from 'kysely';
import type { Executor } from '../../platform/jobs/registry.ts';
import type { TopicKind } from './tables.ts';

/**
 * Full-text queries over topics and replies, and the search lexicon, for the search feature. Every query
 * takes the ids of the spaces the viewer may see and filters by them in SQL, so hidden content never
 * leaves the database. Topics and replies carry generated `search_vector` columns with GIN indexes
 * (migration 0004); the lexicon of the words they use, per space, serves spelling correction (0015).
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

/** A query as the user types it (quotes, OR, -word), read by `websearch_to_tsquery`. */
export interface SearchQuery {
  kind: 'websearch';
  text: string;
}

function tsquery(q: SearchQuery): RawBuilder<unknown> {
  return sql`websearch_to_tsquery('english', ${q.text})`;
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
/**
 * How many of the newest matching topic documents are ranked. A document holds a whole thread, so 200
 * of them cover more posts than the 400 topics and 400 replies a search about posts ranks.
 */
export const RANKED_DOCUMENTS = 200;
/**
 * The newest posts are searched in widening windows (the newest 2,000 topics, then the 8,000 before
 * them, …), each only when the windows before it held fewer than the wanted candidates, the last one
 * being the rest of the table. Every match found costs a visit to its row, so a common word stops
 * in the first window instead of visiting thousands of matches, while a rare word reaches all of
 * the table through the GIN index in a few steps.
 */
export const SEARCH_WINDOWS = { topics: [2_000, 10_000, 50_000], replies: [5_000, 25_000, 125_000], documents: [1_000, 5_000, 50_000] } as const;

/**
 * Ids of the newest `want` rows matching, found window by window (see SEARCH_WINDOWS): CTEs named
 * `${name}_0` …, each MATERIALIZED (so each is planned alone and a skipped one costs nothing), and a
 * `${name}_matches` over them all. `window` writes the select of one window from its id range and
 * one-time filter; `first` marks the newest window. There `order by id desc limit` lets the planner
 * walk the primary key backwards and stop at `want` matches, which is what a common word needs, and
 * the window bounds the walk when it misjudges a word as common. In later windows the same shape
 * could walk up to 100,000 rows on such a misjudgement, so they are collected through the GIN index.
 */
function windowedMatches(name: string, newest: number, windows: readonly number[], want: number, idColumn: string, window: (range: RawBuilder<unknown>, first: boolean) => RawBuilder<unknown>): RawBuilder<unknown> {
  const floors = windows.map((w) => Math.max(0, newest - w));
  const id = sql.ref(idColumn);
  const ctes: RawBuilder<unknown>[] = [];
  const found: RawBuilder<unknown>[] = [];
  for (let i = 0; i <= floors.length; i++) {
    const lower = floors[i];
    const upper = i === 0 ? undefined : floors[i - 1];
    // A window below an empty id range, or entirely below the first id, is skipped.
    if (upper !== undefined && upper <= 0) break;
    const bounds = [...(lower !== undefined && lower > 0 ? [sql`${id} > ${lower}`] : []), ...(upper !== undefined ? [sql`${id} <= ${upper}`] : [])];
    // A later window runs only while the windows before it held fewer than `want` (a one-time filter).
    const enough = found.length ? [sql`(${sql.join(found, sql` + `)}) < ${want}`] : [];
    const cte = sql.raw(`${name}_${i}`);
    ctes.push(sql`${cte} as materialized (${window(and([...enough, ...bounds, sql`true`]), i === 0)})`);
    found.push(sql`(select count(*) from ${cte})`);
    if (lower === undefined || lower <= 0) break;
  }
  const union = sql.join(
    ctes.map((_, i) => sql`select id from ${sql.raw(`${name}_${i}`)}`),
    sql` union all `,
  );
  return sql`${sql.join(ctes)}, ${sql.raw(`${name}_matches`)} as (${union})`;
}

/**
 * One page of hits, ranked by `ts_rank_cd`, fetching `limit + 1`. A search about posts (by author or
 * date) ranks posts; any other ranks topics by their search documents (title, opening post and
 * replies, migration 0018): one match per topic instead of one per post.
 */
export async function searchHits(db: Executor, query: SearchQuery, scope: SearchScope, page: { offset: number; limit: number }): Promise<SearchHitRow[]> {
  if (scope.spaceIds.length === 0) return [];
  const aboutPosts = scope.authorId !== undefined || scope.after !== undefined || scope.before !== undefined;
  return aboutPosts ? searchPosts(db, query, scope, page) : searchTopics(db, query, scope, page);
}

/** A topic (by `column`) the scope allows, checked row by row from the narrow `topics_search_scope` index. */
function allowedTopic(column: string, scope: SearchScope): RawBuilder<unknown> {
  // `offset 0` keeps the subquery from becoming a join that reads every topic.
  return sql`cross join lateral (select 1 from topics t where t.id = ${sql.ref(column)} and ${and(topicConditions(scope))} offset 0) t`;
}

/**
 * Topics ranked by their search documents; among the newest matching documents (see SEARCH_WINDOWS).
 * Each hit is the topic when its own title or opening post matches, else its best matching reply, so
 * a hit links to the post that holds the words.
 */
async function searchTopics(db: Executor, query: SearchQuery, scope: SearchScope, page: { offset: number; limit: number }): Promise<SearchHitRow[]> {
  const candidates = Math.max(RANKED_DOCUMENTS, page.offset + page.limit + 1);
  const q = tsquery(query);
  const newest = await newestIds(db);
  // In the newest window the match is a filter (`is true` hides it from the GIN index): walking the
  // newest thousand documents costs less than the index's list of every topic holding a common word.
  const documentMatches = windowedMatches('document', newest.topic, SEARCH_WINDOWS.documents, candidates, 'd.topic_id', (range, first) =>
    first
      ? sql`select d.topic_id as id from search_documents d ${allowedTopic('d.topic_id', scope)} where ${range} and (d.document @@ ${q}) is true order by d.topic_id desc limit ${candidates}`
      : sql`select w.id from (select d.topic_id as id from search_documents d where ${range} and d.document @@ ${q} order by d.topic_id desc offset 0) w ${allowedTopic('w.id', scope)} order by w.id desc limit ${candidates}`,
  );
  const statement = sql<SearchHitRow>`
    with q as materialized (select ${q} as query),
    ${documentMatches},
    ranked as (
      select d.topic_id, ts_rank_cd(${weights}, d.document, q.query) as rank, t.last_activity_at as at, t.search_vector @@ q.query as in_topic
      from (select id from document_matches order by id desc limit ${candidates}) m
      join search_documents d on d.topic_id = m.id
      join topics t on t.id = m.id, q
      order by rank desc, at desc, d.topic_id desc
      offset ${page.offset} limit ${page.limit + 1}
    )
    select h.topic_id, best.id as reply_id, h.rank::float8 as rank
    from ranked h cross join q
    left join lateral (
      select r.id from replies r
      where not h.in_topic and r.topic_id = h.topic_id and r.deleted_at is null and r.search_vector @@ q.query
      order by ts_rank_cd(${weights}, r.search_vector, q.query) desc, r.id desc
      limit 1
    ) best on true
    order by h.rank desc, h.at desc, h.topic_id desc
  `;
  return (await statement.execute(db)).rows;
}

/**
 * Posts ranked one by one: topics and replies together, a topic giving at most one reply hit (its
 * best), so one long thread cannot fill the page. For searches by author or date, whose conditions
 * are about posts; candidates are the newest matches (see SEARCH_WINDOWS).
 */
async function searchPosts(db: Executor, query: SearchQuery, scope: SearchScope, page: { offset: number; limit: number }): Promise<SearchHitRow[]> {
  const want = page.offset + page.limit + 1;
  const candidates = Math.max(RANKED_CANDIDATES, want);
  const q = tsquery(query);
  const newest = await newestIds(db);
  const topicWhere = and([sql`t.search_vector @@ ${q}`, ...topicConditions(scope), ...postConditions('t', scope)]);
  const replyWhere = and([sql`r.search_vector @@ ${q}`, sql`r.deleted_at is null`, ...postConditions('r', scope)]);
  const topicMatches = windowedMatches('topic', newest.topic, SEARCH_WINDOWS.topics, candidates, 't.id', (range, first) =>
    first ? sql`select t.id from topics t where ${range} and ${topicWhere} order by t.id desc limit ${candidates}` : sql`select t.id from topics t where ${range} and ${topicWhere}`,
  );
  // A reply's topic is checked row by row, newest reply first, only until enough replies passed: a later
  // window's matches are sorted first, then checked lazily.
  const topicOf = (reply: string) => allowedTopic(`${reply}.topic_id`, scope);
  const replyMatches = windowedMatches('reply', newest.reply, SEARCH_WINDOWS.replies, candidates, 'r.id', (range, first) =>
    first
      ? sql`select r.id from replies r ${topicOf('r')} where ${range} and ${replyWhere} order by r.id desc limit ${candidates}`
      : sql`select w.id from (select r.id, r.topic_id from replies r where ${range} and ${replyWhere} order by r.id desc offset 0) w ${topicOf('w')} order by w.id desc limit ${candidates}`,
  );
  const statement = sql<SearchHitRow>`
    with q as materialized (select ${q} as query),
    ${topicMatches},
    topic_hits as (
      select t.id as topic_id, null::bigint as reply_id, ts_rank_cd(${weights}, t.search_vector, q.query) as rank,
        t.last_activity_at as at
      from (select id from topic_matches order by id desc limit ${candidates}) m join topics t on t.id = m.id, q
      order by rank desc, t.id desc
      limit ${want}
    ),
    ${replyMatches},
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

const newestCache = new WeakMap<Executor, { at: number; ids: { topic: number; reply: number } }>();
const NEWEST_TTL_MS = 10_000;

/**
 * The newest topic and reply ids, where the windows of `searchHits` start; remembered for a few
 * seconds. A stale value costs nothing in correctness: the first window has no upper bound, so posts
 * newer than it are searched first all the same.
 */
async function newestIds(db: Executor): Promise<{ topic: number; reply: number }> {
  const cached = newestCache.get(db);
  if (cached && Date.now() - cached.at < NEWEST_TTL_MS) return cached.ids;
  const { rows } = await sql<{ topic: number | null; reply: number | null }>`
    select (select max(id) from topics) as topic, (select max(id) from replies) as reply
  `.execute(db);
  const ids = { topic: rows[0]?.topic ?? 0, reply: rows[0]?.reply ?? 0 };
  if (!db.isTransaction) newestCache.set(db, { at: Date.now(), ids });
  return ids;
}

/** `spaceIds` as SQL, for the lexicon. */
const inSpaces = (spaceIds: number[]) => sql`l.space_id in (${sql.join(spaceIds)})`;

/**
 * The words of a query that no post in these spaces contains (by their `english` lexeme, from the
 * search lexicon, migration 0015): the only ones typo tolerance tries to correct. Words with no
 * lexeme (stop words) count as known. Words are made of letters only (see the service).
 */
export async function unknownWords(db: Executor, words: string[], spaceIds: number[]): Promise<string[]> {
  if (words.length === 0 || spaceIds.length === 0) return [];
  const { rows } = await sql<{ word: string }>`
    select u.word
    from unnest(string_to_array(${words.join(' ')}, ' ')) as u (word)
    cross join lateral (select tsvector_to_array(to_tsvector('english', u.word)) as lexemes) x
    where cardinality(x.lexemes) > 0
      and not exists (select 1 from search_lexicon l where l.word = any (x.lexemes) and ${inSpaces(spaceIds)})
  `.execute(db);
  return rows.map((r) => r.word);
}

/**
 * The best known spelling for each misspelt word, from the lexicon of these spaces: first among
 * `variants` (the word one edit away, given as [word, variant] pairs), the one whose lexeme most posts
 * contain; otherwise the lexeme most similar by trigrams (at least 0.4), for words further off. Words
 * with neither are left out.
 */
export async function spellingCorrections(db: Executor, variants: Array<[string, string]>, spaceIds: number[]): Promise<Map<string, string>> {
  const words = [...new Set(variants.map(([w]) => w))];
  if (words.length === 0 || spaceIds.length === 0) return new Map();
  const { rows } = await sql<{ word: string; correction: string; pass: number }>`
    with v (word, variant) as (
      select * from unnest(string_to_array(${variants.map(([w]) => w).join(' ')}, ' '), string_to_array(${variants.map(([, v]) => v).join(' ')}, ' '))
    ),
    edits as (
      select distinct on (v.word) v.word, v.variant as correction
      from v cross join lateral unnest(ts_lexize('english_stem', v.variant)) as s (lexeme)
      join search_lexicon l on l.word = s.lexeme and ${inSpaces(spaceIds)}
      group by v.word, v.variant
      order by v.word, sum(l.ndoc) desc, v.variant
    ),
    trigrams as (
      select u.word, c.word as correction
      from unnest(string_to_array(${words.join(' ')}, ' ')) as u (word)
      cross join lateral (
        select l.word, similarity(l.word, u.word) as similarity
        from search_lexicon l
        where l.word % u.word and l.word ~ '^[[:alpha:]]+$' and ${inSpaces(spaceIds)}
        group by l.word
        order by similarity desc, sum(l.ndoc) desc, l.word
        limit 1
      ) c
      where c.similarity >= 0.4 and not exists (select 1 from edits e where e.word = u.word)
    )
    select word, correction, 1 as pass from edits
    union all
    select word, correction, 2 as pass from trigrams
  `.execute(db);
  return new Map(rows.map((r) => [r.word, r.correction]));
}

/**
 * Recounts the lexicon from the posts: words of deleted posts go, counts become exact. The triggers
 * only ever add words, so this is what keeps it true (the `search.refreshLexicon` job, daily).
 * Counting reads every post, outside any lock; only the differences are then written. One snapshot
 * (repeatable read) for all of it, so a word a new post brings while the posts are counted is not
 * taken for the word of a deleted one.
 */
export async function refreshLexicon(db: Executor): Promise<{ added: number; removed: number }> {
  const run = async (trx: Executor) => {
    await sql`
      create temporary table fresh_lexicon on commit drop as
      select w.word, s.id as space_id, w.ndoc
      from spaces s cross join lateral ts_stat(format(
        'select search_vector from topics where space_id = %s and deleted_at is null
         union all
         select r.search_vector from replies r join topics t on t.id = r.topic_id
         where t.space_id = %s and t.deleted_at is null and r.deleted_at is null',
        s.id, s.id)) as w
    `.execute(trx);
    await sql`create index on fresh_lexicon (word, space_id)`.execute(trx);
    const removed = await sql`
      delete from search_lexicon l where not exists (select 1 from fresh_lexicon f where f.word = l.word and f.space_id = l.space_id)
    `.execute(trx);
    await sql`
      update search_lexicon l set ndoc = f.ndoc from fresh_lexicon f where f.word = l.word and f.space_id = l.space_id and l.ndoc <> f.ndoc
    `.execute(trx);
    const added = await sql`
      insert into search_lexicon (word, space_id, ndoc) select word, space_id, ndoc from fresh_lexicon order by word, space_id
      on conflict (word, space_id) do nothing
    `.execute(trx);
    return { added: Number(added.numAffectedRows ?? 0), removed: Number(removed.numAffectedRows ?? 0) };
  };
  return db.isTransaction ? run(db) : db.transaction().setIsolationLevel('repeatable read').execute(run);
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
