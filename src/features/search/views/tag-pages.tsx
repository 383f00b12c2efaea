import type { Page } from '../../../platform/http/pagination.ts';
import { Card, EmptyState, PageHeader, Pagination } from '../../../web/components.tsx';
import type { TopicSummary } from '../../community/service.ts';
import type { Tag } from '../../community/tags.ts';
import { TopicList } from '../../community/views/parts.tsx';

export function TagsPage({ tags }: { tags: Page<Tag> }) {
  return (
    <div class="stack">
      <PageHeader title="Tags" subtitle="Topics by subject, most used first." breadcrumbs={[{ href: '/', label: 'Home' }]} />
      {tags.items.length === 0 ? (
        <EmptyState icon="tag" title="No tags yet">
          Tags appear here once members add them to their topics.
        </EmptyState>
      ) : (
        <Card>
          <ul class="cluster list-plain">
            {tags.items.map((t) => (
              <li>
                <a class="badge badge-neutral tag-chip" href={t.url}>
                  {t.slug} <span class="muted">× {t.topicCount.toLocaleString('en')}</span>
                </a>
              </li>
            ))}
          </ul>
        </Card>
      )}
      <Pagination nextHref={tags.nextCursor ? `/tags?cursor=${encodeURIComponent(tags.nextCursor)}` : null} />
    </div>
  );
}

export function TagPage({ tag, topics, cursor }: { tag: Tag; topics: Page<TopicSummary>; cursor?: string }) {
  return (
    <div class="stack">
      <PageHeader
        title={`Tagged ${tag.slug}`}
        subtitle={`${tag.topicCount.toLocaleString('en')} ${tag.topicCount === 1 ? 'topic' : 'topics'}`}
        breadcrumbs={[
          { href: '/', label: 'Home' },
          { href: '/tags', label: 'Tags' },
        ]}
      />
      <Card>
        <TopicList topics={topics.items} showSpace />
      </Card>
      <Pagination prevHref={cursor ? tag.url : null} nextHref={topics.nextCursor ? `${tag.url}?cursor=${encodeURIComponent(topics.nextCursor)}` : null} />
    </div>
  );
}
