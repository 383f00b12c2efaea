import type { AppContext } from '../../platform/context.ts';
import { badRequest, validationFailed } from '../../platform/http/errors.ts';
import { decodeCursor, encodeCursor } from '../../platform/http/pagination.ts';
import * as searchRepo from '../community/search-repo.ts';
import { listSpaces, topicUrl, type Space, type Viewer } from '../community/service.ts';
import { normaliseTag } from '../community/tags.ts';
import type { TopicKind } from '../community/tables.ts';
import { MAX_OFFSET, type SearchFilters } from './schema.ts';

export interface SearchHit {
  type: 'topic' | 'reply';
  topicId: number;
  replyId: number | null;
  url: string;
  title: string;
  titleHtml: string;
  snippetHtml: string;
  space: { slug: string; name: string };
  kind: TopicKind;
  solved: boolean;
  replyCount: number;
  author: { username: string; displayName: string; avatarUrl: string | null };
  createdAt: Date;
  similarTitle: boolean;
}

export interface SearchResults {
  query: string;
  items: SearchHit[];
  /** Offset of the next page, or null at the end (or at the cap). */
  nextOffset: number | null;
  offset: number;
  /** Full text found little and similar titles were added (typo tolerance). */
  fallback: boolean;
  /** No post had every word, so these are posts with any of them. */
  anyWords: boolean;
}

const FALLBACK_BELOW = 3;

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Text from `ts_headline` as HTML: everything escaped first, then only our own markers become
 * <mark>, so content can never inject markup. Markers left unbalanced (never expected) are dropped.
 */
export function highlightHtml(text: string): string {
  const escaped = text.replaceAll(searchRepo.LESS_THAN, '<').replace(/[&<>"']/g, (ch) => escapes[ch] ?? ch);
  let open = false;
  let html = '';
  for (const ch of escaped) {
    if (ch === searchRepo.MARK_START) {
      if (!open) html += '<mark>';
      open = true;
    } else if (ch === searchRepo.MARK_END) {
      if (open) html += '</mark>';
      open = false;
    } else {
      html += ch;
    }
  }
  return open ? `${html}</mark>` : html;
}

/**
 * Typo variants for words full text did not find: each word OR'd with itself with two neighbouring
 * letters swapped, matched against titles only (`:A`). Words are reduced to [a-z0-9], so the
 * result is always valid `to_tsquery` syntax.
 */
export function swappedLetterQuery(text: string): string | null {
  const words = (text.toLowerCase().match(/[a-z0-9]+/g) ?? []).filter((w) => w.length >= 3 && w.length <= 20).slice(0, 6);
  const groups = words.map((word) => {
    const variants = new Set([word]);
    for (let i = 0; i < word.length - 1; i++) variants.add(word.slice(0, i) + word.charAt(i + 1) + word.charAt(i) + word.slice(i + 2));
    return `(${[...variants].map((v) => `${v}:A`).join(' | ')})`;
  });
  return groups.length ? groups.join(' & ') : null;
}

/**
 * The words of a plain query (no quotes, OR or -exclusions) joined with OR, for a second try when no
 * post has them all: "waterproof jacket" still finds the jacket thread and the waterproofing one.
 */
export function anyWordQuery(text: string): string | null {
  if (/["-]|\bor\b/i.test(text)) return null;
  const words = text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w));
  return words.length >= 2 ? words.slice(0, 8).join(' or ') : null;
}

/** A query with nothing to find but exclusions (`-tent`) would scan every post; it finds nothing instead. */
function hasPositiveTerm(text: string): boolean {
  return text
    .replace(/"/g, ' ')
    .split(/\s+/)
    .some((w) => w !== '' && !w.startsWith('-') && w.toLowerCase() !== 'or' && /[\p{L}\p{N}]/u.test(w));
}

interface ResolvedScope {
  scope: searchRepo.SearchScope;
  /** A filter that can match nothing the viewer may see (e.g. a tag no visible topic has). */
  empty: boolean;
}

/** Turns the filters into SQL conditions, refusing unknown spaces and members with a clear message. */
async function resolveScope(ctx: AppContext, viewer: Viewer, filters: SearchFilters, spaces?: Space[]): Promise<ResolvedScope> {
  const visible = spaces ?? (await listSpaces(ctx, viewer));
  let spaceIds = visible.map((s) => s.id);
  if (filters.space) {
    // A hidden space is answered exactly like one that does not exist.
    const space = visible.find((s) => s.slug === filters.space);
    if (!space) throw validationFailed({ space: `There is no space "${filters.space}" to search in.` }, `Unknown space: ${filters.space}.`);
    spaceIds = [space.id];
  }
  let authorId: number | undefined;
  if (filters.author) {
    const username = filters.author.replace(/^@/, '');
    authorId = await searchRepo.findAuthorId(ctx.db, username);
    if (authorId === undefined) throw validationFailed({ author: `No member has the username "${username}".` }, `Unknown author: ${username}.`);
  }
  if (filters.after && filters.before && filters.after >= filters.before) {
    throw validationFailed({ before: 'The "to" date must come after the "from" date.' }, 'The date range is empty.');
  }
  let tagId: number | undefined;
  let empty = false;
  if (filters.tag) {
    // An unknown tag matches nothing rather than failing: a 400 would tell which tags private spaces use.
    tagId = await searchRepo.findTagId(ctx.db, normaliseTag(filters.tag));
    if (tagId === undefined) empty = true;
  }
  const kind: TopicKind | undefined = filters.solved !== undefined ? 'question' : filters.kind;
  if (filters.solved !== undefined && filters.kind && filters.kind !== 'question') {
    throw validationFailed({ solved: 'Only questions are solved or not; choose the question kind or any solved state.' }, 'Solved applies to questions only.');
  }
  return { scope: { spaceIds, kind, solved: filters.solved, tagId, authorId, after: filters.after, before: filters.before }, empty };
}

function toHit(row: searchRepo.HitDetailRow, similarTitle: boolean): SearchHit {
  const url = topicUrl({ id: row.topic_id, slug: row.slug });
  return {
    type: row.reply_id === null ? 'topic' : 'reply',
    topicId: row.topic_id,
    replyId: row.reply_id,
    url: row.reply_id === null ? url : `/r/${row.reply_id}`,
    title: row.title,
    titleHtml: highlightHtml(row.title_headline),
    snippetHtml: highlightHtml(row.body_headline),
    space: { slug: row.space_slug, name: row.space_name },
    kind: row.kind,
    solved: row.solved,
    replyCount: row.reply_count,
    author: { username: row.author_username, displayName: row.author_name, avatarUrl: row.author_avatar },
    createdAt: row.post_created_at,
    similarTitle,
  };
}

const cache = new WeakMap<AppContext, Map<string, { at: number; results: SearchResults }>>();
const CACHE_TTL_MS = 15_000;
const CACHE_ENTRIES = 500;

/**
 * Ranked search over the topics and replies the viewer may see. Identical searches by the same
 * audience (the same visible spaces) within a few seconds share one answer: a popular query costs
 * one ranking, not one per visitor.
 */
export async function search(ctx: AppContext, viewer: Viewer, filters: SearchFilters, page: { offset: number; limit: number }): Promise<SearchResults> {
  const query = filters.q;
  if (page.offset > MAX_OFFSET) throw badRequest(`Search pages stop after ${MAX_OFFSET} results; narrow the search with a filter.`, 'offset_too_large');
  const spaces = await listSpaces(ctx, viewer);
  const { scope, empty } = await resolveScope(ctx, viewer, filters, spaces);
  const none: SearchResults = { query, items: [], nextOffset: null, offset: page.offset, fallback: false, anyWords: false };
  if (!query || empty || !hasPositiveTerm(query)) return none;

  const key = JSON.stringify([spaces.map((s) => s.id), filters, page]);
  let byKey = cache.get(ctx);
  if (!byKey) {
    byKey = new Map();
    cache.set(ctx, byKey);
  }
  const hit = byKey.get(key);
  if (hit && Date.now() - hit.at < CACHE_TTL_MS) return hit.results;

  const full: searchRepo.SearchQuery = { kind: 'websearch', text: query };
  const rows = await searchRepo.searchHits(ctx.db, full, scope, page);
  let more = rows.length > page.limit;
  const items = (await searchRepo.hitDetails(ctx.db, full, rows.slice(0, page.limit))).map((r) => toHit(r, false));
  let fallback = false;
  let anyWords = false;
  // Both second tries at once (they are independent): titles similar to the query (typos), and, when no
  // post has every word, posts with any of them. Later pages of such a query find nothing with every
  // word either, so they go on through the same any-word list.
  const variants = swappedLetterQuery(query);
  const anyWordText = rows.length === 0 ? anyWordQuery(query) : null;
  const some: searchRepo.SearchQuery | null = anyWordText ? { kind: 'websearch', text: anyWordText } : null;
  const [similarRows, someRows] = await Promise.all([
    page.offset === 0 && items.length < FALLBACK_BELOW ? searchRepo.similarTitleHits(ctx.db, query, variants, scope, page.limit) : [],
    some ? searchRepo.searchHits(ctx.db, some, scope, page) : [],
  ]);
  const similar = similarRows.filter((s) => !items.some((i) => i.type === 'topic' && i.topicId === s.topic_id));
  if (similar.length > 0) {
    fallback = true;
    const marks: searchRepo.SearchQuery = variants ? { kind: 'variants', tsquery: variants } : full;
    items.push(...(await searchRepo.hitDetails(ctx.db, marks, similar.slice(0, page.limit - items.length))).map((r) => toHit(r, true)));
  } else if (some && someRows.length > 0) {
    more = someRows.length > page.limit;
    items.push(...(await searchRepo.hitDetails(ctx.db, some, someRows.slice(0, page.limit))).map((r) => toHit(r, false)));
    anyWords = true;
  }
  const next = page.offset + page.limit;
  const results: SearchResults = { query, items, nextOffset: more && next <= MAX_OFFSET ? next : null, offset: page.offset, fallback, anyWords };
  if (byKey.size >= CACHE_ENTRIES) byKey.clear();
  byKey.set(key, { at: Date.now(), results });
  return results;
}

export function offsetFromCursor(cursor: string | undefined): number {
  const values = decodeCursor(cursor, 1);
  if (!values) return 0;
  const [offset] = values;
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) throw badRequest('The cursor is not valid; use the nextCursor of a previous page.', 'invalid_cursor');
  return offset;
}

export function cursorFromOffset(offset: number | null): string | null {
  return offset === null ? null : encodeCursor([offset]);
}

export interface SimilarQuestion {
  id: number;
  title: string;
  url: string;
  solved: boolean;
  replyCount: number;
  space: { slug: string; name: string };
}

const SIMILAR_CANDIDATES = 20;

function toSimilar(rows: searchRepo.SimilarRow[], limit: number): SimilarQuestion[] {
  // Solved questions first (they hold an answer), each group by how well it matches.
  const ordered = [...rows].sort((a, b) => Number(b.solved) - Number(a.solved) || b.rank - a.rank);
  return ordered.slice(0, limit).map((r) => ({
    id: r.id,
    title: r.title,
    url: topicUrl(r),
    solved: r.solved,
    replyCount: r.reply_count,
    space: { slug: r.space_slug, name: r.space_name },
  }));
}

/**
 * Questions like the one being typed, solved ones first: the moment a member may find their answer
 * before asking. Nothing is recorded; the form asks at most every 300 ms while typing.
 */
export async function similarQuestions(ctx: AppContext, viewer: Viewer, input: { title: string; spaceId?: number; space?: string }, limit = 5): Promise<SimilarQuestion[]> {
  if (input.title.trim().length < 3) return [];
  const spaces = await listSpaces(ctx, viewer);
  // A space the viewer may not see narrows to nothing rather than failing: suggestions are a hint.
  const spaceIds = spaces.filter((s) => (input.spaceId === undefined || s.id === input.spaceId) && (!input.space || s.slug === input.space)).map((s) => s.id);
  const rows = await searchRepo.similarQuestions(ctx.db, input.title, { spaceIds, limit: SIMILAR_CANDIDATES });
  return toSimilar(rows, limit);
}

const relatedCache = new WeakMap<AppContext, Map<string, { at: number; related: SimilarQuestion[] }>>();
const RELATED_TTL_MS = 5 * 60_000;

/**
 * Questions related to a question the viewer is reading, by its title's words, excluding itself.
 * Cached for a few minutes per topic and audience: a topic page is read far more often than it changes.
 */
export async function relatedQuestions(ctx: AppContext, viewer: Viewer, topic: { id: number; title: string }, limit = 5): Promise<SimilarQuestion[]> {
  const spaceIds = (await listSpaces(ctx, viewer)).map((s) => s.id);
  const key = `${topic.id}:${spaceIds.join(',')}`;
  let byKey = relatedCache.get(ctx);
  if (!byKey) {
    byKey = new Map();
    relatedCache.set(ctx, byKey);
  }
  const cached = byKey.get(key);
  if (cached && Date.now() - cached.at < RELATED_TTL_MS) return cached.related;
  const rows = await searchRepo.similarQuestions(ctx.db, topic.title, { spaceIds, excludeTopicId: topic.id, limit: SIMILAR_CANDIDATES });
  const related = toSimilar(rows, limit);
  if (byKey.size >= 2000) byKey.clear();
  byKey.set(key, { at: Date.now(), related });
  return related;
}
