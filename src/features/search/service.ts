import type { AppContext } from '../../platform/context.ts';
import { expiringCachePerContext } from '../../platform/expiring-cache.ts';
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
  /** Found by the corrected spelling of the query (`correctedQuery`), not by the words as typed. */
  corrected: boolean;
}

export interface SearchResults {
  query: string;
  items: SearchHit[];
  /** Offset of the next page, or null at the end (or at the cap). */
  nextOffset: number | null;
  offset: number;
  /** Full text found little and results for a corrected spelling were added (typo tolerance). */
  fallback: boolean;
  /** The query with its misspelt words corrected, when its results were added; null otherwise. */
  correctedQuery: string | null;
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

/** Words of a query worth correcting: plain ones (letters only, 3 to 20), not excluded (`-word`) or OR. */
export function correctableWords(text: string): string[] {
  const words = text
    .toLowerCase()
    .split(/\s+/)
    .map((token) => token.replace(/^"+|"+$/g, ''))
    .filter((w) => /^[a-z]{3,20}$/.test(w) && w !== 'or');
  return [...new Set(words)].slice(0, 6);
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz';

/** Every spelling one edit away from `word` (a deletion, a swap of neighbours, a substitution or an insertion). */
export function spellingsOneEditAway(word: string): string[] {
  const variants = new Set<string>();
  for (let i = 0; i <= word.length; i++) {
    const head = word.slice(0, i);
    const tail = word.slice(i);
    if (tail) variants.add(head + tail.slice(1));
    if (tail.length > 1) variants.add(head + tail.charAt(1) + tail.charAt(0) + tail.slice(2));
    for (const ch of ALPHABET) {
      if (tail && ch !== tail.charAt(0)) variants.add(head + ch + tail.slice(1));
      variants.add(head + ch + tail);
    }
  }
  variants.delete(word);
  return [...variants];
}

/** `text` with each whole word that has a correction replaced by it (case aside); quotes, OR and -word stay. */
export function applyCorrections(text: string, corrections: Map<string, string>): string {
  return text.replace(/\p{L}+/gu, (word) => corrections.get(word.toLowerCase()) ?? word);
}

/** Per audience and word: its correction, or null for a known word or one beyond correction. */
const spellingCache = expiringCachePerContext<string | null>(60_000, 5_000);

/**
 * The misspelt words of a query and their corrections, or null: only words no post the viewer may see
 * contains are tried, against the search lexicon of the spaces searched (so a word only a hidden space
 * uses is never suggested), first by the spellings one edit away, then by trigram similarity. What a
 * word turned out to be (known, corrected, or beyond correction) is remembered for a minute per set of
 * spaces: the same misspellings and unknown words come back in search after search.
 */
async function spellingCorrections(ctx: AppContext, text: string, spaceIds: number[]): Promise<Map<string, string> | null> {
  const cache = spellingCache(ctx);
  const audience = spaceIds.join(',');
  const corrections = new Map<string, string>();
  const fresh: string[] = [];
  for (const word of correctableWords(text)) {
    const known = cache.get(`${audience} ${word}`);
    if (known === undefined) fresh.push(word);
    else if (known !== null) corrections.set(word, known);
  }
  if (fresh.length > 0) {
    const unknown = await searchRepo.unknownWords(ctx.db, fresh, spaceIds);
    const pairs = unknown.flatMap((word) => spellingsOneEditAway(word).map((variant): [string, string] => [word, variant]));
    const found = pairs.length > 0 ? await searchRepo.spellingCorrections(ctx.db, pairs, spaceIds) : new Map<string, string>();
    for (const word of fresh) {
      const correction = found.get(word);
      const useful = correction !== undefined && correction !== word ? correction : null;
      cache.set(`${audience} ${word}`, useful);
      if (useful) corrections.set(word, useful);
    }
  }
  return corrections.size > 0 ? corrections : null;
}

/** Levenshtein distance, for the short words of a query. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * A correction as members write it. A correction is a spelling whose stem posts use ("foame" for
 * "foam"), or the stem itself ("prototyp"): either finds the right posts but neither reads well. The
 * words highlighted in the hits it found are real ones, so each correction shows as the closest of them.
 */
export function readableCorrections(corrections: Map<string, string>, headlines: string[]): Map<string, string> {
  const marked = new Set<string>();
  for (const headline of headlines) {
    for (const m of headline.matchAll(new RegExp(`${searchRepo.MARK_START}([^${searchRepo.MARK_END}]*)${searchRepo.MARK_END}`, 'g'))) {
      const word = (m[1] ?? '').toLowerCase();
      if (/^\p{L}+$/u.test(word)) marked.add(word);
    }
  }
  const readable = new Map<string, string>();
  for (const [word, correction] of corrections) {
    let best = correction;
    let bestDistance = 3;
    for (const candidate of marked) {
      const distance = editDistance(candidate, correction);
      if (distance < bestDistance || (distance === bestDistance && best !== correction && candidate < best)) {
        best = candidate;
        bestDistance = distance;
      }
    }
    readable.set(word, best);
  }
  return readable;
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

function toHit(row: searchRepo.HitDetailRow, corrected: boolean): SearchHit {
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
    corrected,
  };
}

const resultsCache = expiringCachePerContext<SearchResults>(15_000, 500);

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
  const none: SearchResults = { query, items: [], nextOffset: null, offset: page.offset, fallback: false, correctedQuery: null, anyWords: false };
  if (!query || empty || !hasPositiveTerm(query)) return none;

  const key = JSON.stringify([spaces.map((s) => s.id), filters, page]);
  const cached = resultsCache(ctx).get(key);
  if (cached) return cached;

  const full: searchRepo.SearchQuery = { kind: 'websearch', text: query };
  const rows = await searchRepo.searchHits(ctx.db, full, scope, page);
  let more = rows.length > page.limit;
  const shown = rows.slice(0, page.limit);
  // When full text found little: the query with its misspelt words corrected (first page only; it links
  // to the search for the corrected words) and, when no post has every word, posts with any of them.
  // Later pages of such a query find nothing with every word either, so they go on through the same
  // any-word list. Both tries run beside the excerpts of what was found: none waits for another.
  const correct = async (): Promise<{ text: string; items: SearchHit[] } | null> => {
    const corrections = await spellingCorrections(ctx, query, scope.spaceIds);
    if (!corrections) return null;
    const corrected: searchRepo.SearchQuery = { kind: 'websearch', text: applyCorrections(query, corrections) };
    const found = await searchRepo.searchHits(ctx.db, corrected, scope, { offset: 0, limit: page.limit });
    const added = found.filter((c) => !shown.some((r) => r.topic_id === c.topic_id && r.reply_id === c.reply_id)).slice(0, page.limit - shown.length);
    if (added.length === 0) return null;
    const details = await searchRepo.hitDetails(ctx.db, corrected, added);
    const readable = readableCorrections(corrections, details.flatMap((d) => [d.title_headline, d.body_headline]));
    return { text: applyCorrections(query, readable), items: details.map((r) => toHit(r, true)) };
  };
  const anyWordText = rows.length === 0 ? anyWordQuery(query) : null;
  const some: searchRepo.SearchQuery | null = anyWordText ? { kind: 'websearch', text: anyWordText } : null;
  const [details, correction, someRows] = await Promise.all([
    searchRepo.hitDetails(ctx.db, full, shown),
    page.offset === 0 && shown.length < FALLBACK_BELOW ? correct() : null,
    some ? searchRepo.searchHits(ctx.db, some, scope, page) : [],
  ]);
  const items = details.map((r) => toHit(r, false));
  let correctedQuery: string | null = null;
  let anyWords = false;
  if (correction) {
    correctedQuery = correction.text;
    items.push(...correction.items);
  } else if (some && someRows.length > 0) {
    more = someRows.length > page.limit;
    items.push(...(await searchRepo.hitDetails(ctx.db, some, someRows.slice(0, page.limit))).map((r) => toHit(r, false)));
    anyWords = true;
  }
  const next = page.offset + page.limit;
  const results: SearchResults = { query, items, nextOffset: more && next <= MAX_OFFSET ? next : null, offset: page.offset, fallback: correctedQuery !== null, correctedQuery, anyWords };
  resultsCache(ctx).set(key, results);
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

const relatedCache = expiringCachePerContext<SimilarQuestion[]>(5 * 60_000, 2_000);

/**
 * Questions related to a question the viewer is reading, by its title's words, excluding itself.
 * Cached for a few minutes per topic and audience: a topic page is read far more often than it changes.
 */
export async function relatedQuestions(ctx: AppContext, viewer: Viewer, topic: { id: number; title: string }, limit = 5): Promise<SimilarQuestion[]> {
  const spaceIds = (await listSpaces(ctx, viewer)).map((s) => s.id);
  const key = `${topic.id}:${spaceIds.join(',')}`;
  const cache = relatedCache(ctx);
  const cached = cache.get(key);
  if (cached) return cached;
  const rows = await searchRepo.similarQuestions(ctx.db, topic.title, { spaceIds, excludeTopicId: topic.id, limit: SIMILAR_CANDIDATES });
  const related = toSimilar(rows, limit);
  cache.set(key, related);
  return related;
}

/**
 * The daily recount of the search lexicon (`search.refreshLexicon`): new words arrive with their posts,
 * but only this drops the words of deleted posts, so a deleted post's words stop being suggested.
 */
export async function refreshSearchLexicon(ctx: AppContext): Promise<void> {
  const started = performance.now();
  const { added, removed } = await searchRepo.refreshLexicon(ctx.db);
  ctx.log.info({ added, removed, ms: Math.round(performance.now() - started) }, 'search lexicon refreshed');
}
