import type { FieldErrors } from '../../../platform/http/errors.ts';
import { Badge, Button, Card, EmptyState, Field, FormErrors, PageHeader, Pagination, Select, TimeAgo } from '../../../web/components.tsx';
import { Icon } from '../../../web/icons.tsx';
import type { Space } from '../../community/service.ts';
import type { Tag } from '../../community/tags.ts';
import { topicKinds } from '../../community/tables.ts';
import { KindBadge, kindLabels, SolvedBadge } from '../../community/views/parts.tsx';
import { QUERY_MAX_LENGTH } from '../schema.ts';
import type { SearchHit, SearchResults } from '../service.ts';

/** What the form was given, as text, to fill it again. */
export interface SearchFormValues {
  q?: string;
  space?: string;
  kind?: string;
  solved?: string;
  tag?: string;
  author?: string;
  after?: string;
  before?: string;
}

function pageHref(values: SearchFormValues, offset: number, perPage: number): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) if (typeof v === 'string' && v !== '') params.set(k, v);
  const page = Math.floor(offset / perPage) + 1;
  if (page > 1) params.set('page', String(page));
  return `/search?${params.toString()}`;
}

function HitItem({ hit, now }: { hit: SearchHit; now: Date }) {
  return (
    <li class="topic-row search-hit">
      <div class="topic-main stack">
        <a class="topic-title" href={hit.url}>
          {hit.type === 'reply' && <span class="visually-hidden">Reply in </span>}
          <span dangerouslySetInnerHTML={{ __html: hit.titleHtml }} />
        </a>
        {hit.snippetHtml && <p class="small search-snippet" dangerouslySetInnerHTML={{ __html: hit.snippetHtml }} />}
        <div class="cluster small muted topic-meta">
          <KindBadge kind={hit.kind} />
          {hit.solved && <SolvedBadge />}
          {hit.type === 'reply' && <Badge>Reply</Badge>}
          <a href={`/s/${hit.space.slug}`}>{hit.space.name}</a>
          <a href={`/u/${hit.author.username}`}>{hit.author.displayName}</a>
          <TimeAgo date={hit.createdAt} now={now} />
        </div>
      </div>
    </li>
  );
}

export function SearchPage({
  values,
  results,
  spaces,
  popularTags,
  perPage,
  fields,
}: {
  values: SearchFormValues;
  results: SearchResults | null;
  spaces: Space[];
  popularTags: Tag[];
  perPage: number;
  fields?: FieldErrors;
}) {
  const now = new Date();
  const filtersOpen = Boolean(values.space || values.kind || values.solved || values.tag || values.author || values.after || values.before || fields);
  const fullText = results?.items.filter((h) => !h.corrected) ?? [];
  const corrected = results?.items.filter((h) => h.corrected) ?? [];
  return (
    <div class="stack">
      <PageHeader title={values.q ? `Search: ${values.q}` : 'Search'} breadcrumbs={[{ href: '/', label: 'Home' }]} />
      <Card>
        <form method="get" action="/search" class="form" role="search" novalidate>
          <FormErrors message={fields ? 'Some filters are not valid: see below.' : undefined} fields={fields} />
          <div class="cluster">
            <Field label="Search for" name="q" type="search" value={values.q} maxlength={QUERY_MAX_LENGTH} error={fields?.q} hint='Use "quotes" for a phrase, OR for either word, and -word to leave a word out.' />
            <Button icon="search">Search</Button>
          </div>
          <details open={filtersOpen}>
            <summary>
              <Icon name="filter" size={16} /> Filters
            </summary>
            <div class="grid-3">
              <Select label="Space" name="space" value={values.space ?? ''} options={[{ value: '', label: 'All spaces' }, ...spaces.map((s) => ({ value: s.slug, label: s.name }))]} error={fields?.space} />
              <Select label="Kind" name="kind" value={values.kind ?? ''} options={[{ value: '', label: 'Any kind' }, ...topicKinds.map((k) => ({ value: k, label: kindLabels[k] }))]} error={fields?.kind} />
              <Select
                label="Solved"
                name="solved"
                value={values.solved ?? ''}
                options={[
                  { value: '', label: 'Any' },
                  { value: 'yes', label: 'Solved questions' },
                  { value: 'no', label: 'Unsolved questions' },
                ]}
                error={fields?.solved}
              />
              <Field label="Tag" name="tag" value={values.tag} error={fields?.tag} placeholder="e.g. tent" />
              <Field label="Author" name="author" value={values.author} error={fields?.author} placeholder="username" />
              <Field label="From" name="after" type="date" value={values.after} error={fields?.after} />
              <Field label="To" name="before" type="date" value={values.before} error={fields?.before} hint="Posts written before this day." />
            </div>
          </details>
        </form>
      </Card>
      {results === null ? (
        <EmptyState icon="search" title={values.q ? 'Nothing to search for' : 'Search the community'}>
          {values.q ? 'Add a word to look for; a search of only -excluded words finds nothing.' : 'Look for questions, answers, stories and discussions.'}
          {popularTags.length > 0 && <PopularTags tags={popularTags} />}
        </EmptyState>
      ) : results.items.length === 0 ? (
        <EmptyState icon="search" title={`No results for “${results.query}”`}>
          Try fewer or more general words, check the spelling, or remove a filter.
          {popularTags.length > 0 && <PopularTags tags={popularTags} />}
        </EmptyState>
      ) : (
        <section class="stack" aria-labelledby="results-title">
          <h2 id="results-title" class="visually-hidden">
            Results
          </h2>
          {results.anyWords && (
            <p class="muted" role="status">
              No post has every word of “{results.query}”; showing posts with any of them.
            </p>
          )}
          {fullText.length > 0 && (
            <ol class="topic-list list-plain">
              {fullText.map((h) => (
                <HitItem hit={h} now={now} />
              ))}
            </ol>
          )}
          {corrected.length > 0 && results.correctedQuery !== null && (
            <>
              <p class="muted" role="status">
                {fullText.length === 0 ? `No results for “${results.query}”. ` : ''}Showing results for <a href={pageHref({ ...values, q: results.correctedQuery }, 0, perPage)}>{results.correctedQuery}</a>.
              </p>
              <ol class="topic-list list-plain">
                {corrected.map((h) => (
                  <HitItem hit={h} now={now} />
                ))}
              </ol>
            </>
          )}
          <Pagination
            prevHref={results.offset > 0 ? pageHref(values, Math.max(0, results.offset - perPage), perPage) : null}
            nextHref={results.nextOffset !== null ? pageHref(values, results.nextOffset, perPage) : null}
          />
        </section>
      )}
    </div>
  );
}

function PopularTags({ tags }: { tags: Tag[] }) {
  return (
    <span class="cluster">
      <span>Popular tags:</span>
      {tags.map((t) => (
        <a class="badge badge-neutral tag-chip" href={t.url}>
          {t.slug}
        </a>
      ))}
    </span>
  );
}
