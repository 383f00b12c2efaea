import { Badge, type Tone } from '../../../web/components.tsx';
import { Icon } from '../../../web/icons.tsx';
import { Avatar } from '../../../web/layout.tsx';
import { TimeAgo } from '../../../web/components.tsx';
import type { Space, TopicSummary } from '../service.ts';
import type { TopicKind } from '../tables.ts';
import { TagChips } from '../../search/views/parts.tsx';

export const kindLabels: Record<TopicKind, string> = {
  question: 'Question',
  discussion: 'Discussion',
  story: 'Story',
  announcement: 'Announcement',
};

export const kindPluralLabels: Record<TopicKind, string> = {
  question: 'Questions',
  discussion: 'Discussions',
  story: 'Stories',
  announcement: 'Announcements',
};

export const visibilityLabels: Record<Space['visibility'], string> = {
  public: 'Public',
  members: 'Members only',
  private: 'Private',
  exclusive: 'Exclusive',
};

const kindTones: Record<TopicKind, Tone> = {
  question: 'info',
  discussion: 'neutral',
  story: 'success',
  announcement: 'warning',
};

export function KindBadge({ kind }: { kind: TopicKind }) {
  return <Badge tone={kindTones[kind]}>{kindLabels[kind]}</Badge>;
}

export function SolvedBadge() {
  return (
    <Badge tone="success">
      <Icon name="checkCircle" size={14} /> Solved
    </Badge>
  );
}

/**
 * A space's icon on its colour. The colour is an SVG fill attribute, not a style, so the strict CSP
 * (no inline styles) allows it.
 */
export function SpaceMark({ space, size = 40 }: { space: Pick<Space, 'icon' | 'color'>; size?: number }) {
  return (
    <span class="space-mark" aria-hidden="true" data-size={size}>
      <svg class="space-mark-bg" width={size} height={size} viewBox="0 0 40 40">
        <rect width="40" height="40" rx="10" fill={space.color} />
      </svg>
      <Icon name={space.icon} size={Math.round(size / 2)} class="space-mark-icon" />
    </span>
  );
}

export function TopicList({ topics, showSpace = false, now = new Date() }: { topics: TopicSummary[]; showSpace?: boolean; now?: Date }) {
  return (
    <ol class="topic-list list-plain">
      {topics.map((t) => (
        <li class="topic-row">
          <Avatar name={t.author.displayName} path={t.author.avatarUrl} size={36} />
          <div class="topic-main">
            <a class="topic-title" href={t.url}>
              {t.pinned && <Icon name="pin" size={16} label="Pinned" />}
              {t.title}
            </a>
            <div class="cluster small muted topic-meta">
              <KindBadge kind={t.kind} />
              {t.solved && <SolvedBadge />}
              {t.tags && <TagChips tags={t.tags} />}
              {showSpace && <a href={`/s/${t.space.slug}`}>{t.space.name}</a>}
              <span>{t.author.displayName}</span>
              <TimeAgo date={t.lastActivityAt} now={now} />
            </div>
          </div>
          <div class="topic-stats small muted text-right">
            <Icon name="message" size={16} />
            <span>
              {t.replyCount.toLocaleString('en')}
              <span class="visually-hidden"> {t.replyCount === 1 ? 'reply' : 'replies'}</span>
            </span>
          </div>
        </li>
      ))}
    </ol>
  );
}

export function SpaceCard({ space }: { space: Space }) {
  return (
    <a class="card space-card" href={space.url}>
      <div class="card-body cluster">
        <SpaceMark space={space} />
        <div class="stack">
          <h3>{space.name}</h3>
          <p class="muted small">{space.description}</p>
          <p class="small">
            {space.topicCount.toLocaleString('en')} {space.topicCount === 1 ? 'topic' : 'topics'} · {space.replyCount.toLocaleString('en')}{' '}
            {space.replyCount === 1 ? 'reply' : 'replies'}
            {space.visibility !== 'public' && (
              <>
                {' '}
                · <Icon name="lock" size={14} /> {visibilityLabels[space.visibility]}
              </>
            )}
          </p>
        </div>
      </div>
    </a>
  );
}
