import type { HearthContext } from '../../../platform/http/env.ts';
import { Badge, Button, CsrfField, Form, TextArea, TimeAgo } from '../../../web/components.tsx';
import { Icon } from '../../../web/icons.tsx';
import { canDeletePost, canEditPost, canRestorePost } from '../edits.ts';
import { reactionEmoji, type ReactionSummary } from '../reactions.ts';
import type { Viewer } from '../service.ts';
import type { TopicEngagement } from '../topic-engagement.ts';

/** Pieces of a topic page for engagement: reactions, bookmarks, post actions, deleted placeholders, the editor. */


export interface PostInfo {
  topicId: number;
  /** null for the opening post. */
  replyId: number | null;
  authorId: number;
  editedAt: Date | null;
  deletedAt: Date | null;
}

function postDomId(post: { topicId: number; replyId: number | null }): string {
  return post.replyId === null ? `topic-${post.topicId}` : `reply-${post.replyId}`;
}

/**
 * Reaction buttons with counts. Each button states the end state it asks for (`on:like`/`off:like`), so
 * a double submit does not undo itself. htmx swaps just this form; without JavaScript the form posts and
 * the page reloads at the post.
 */
export function ReactionBar({ c, post, summary }: { c: HearthContext; post: PostInfo; summary: ReactionSummary }) {
  const viewer = c.get('user');
  const canReact = viewer !== null && viewer.emailVerified && viewer.id !== post.authorId && !post.deletedAt;
  const id = `reactions-${postDomId(post)}`;
  if (!canReact) {
    const given = summary.filter((r) => r.count > 0);
    if (given.length === 0) return null;
    return (
      <ul class="reaction-bar cluster list-plain" id={id} aria-label="Reactions">
        {given.map((r) => (
          <li class="reaction" title={reactionEmoji[r.kind].label}>
            <span aria-hidden="true">{reactionEmoji[r.kind].emoji}</span>
            <span class="visually-hidden">{reactionEmoji[r.kind].label}</span> <span class="reaction-count">{r.count}</span>
          </li>
        ))}
      </ul>
    );
  }
  const action = `/t/${post.topicId}/reactions`;
  return (
    <form method="post" action={action} class="reaction-bar cluster" id={id} aria-label="Reactions" hx-post={action} hx-target="this" hx-swap="outerHTML">
      <CsrfField c={c} />
      {post.replyId !== null && <input type="hidden" name="replyId" value={String(post.replyId)} />}
      {summary.map((r) => (
        <button
          type="submit"
          name="reaction"
          value={`${r.mine ? 'off' : 'on'}:${r.kind}`}
          class={`btn btn-ghost btn-sm reaction${r.mine ? ' reaction-mine' : ''}`}
          aria-pressed={r.mine ? 'true' : 'false'}
          aria-label={`${reactionEmoji[r.kind].label}${r.count ? `, ${r.count}` : ''}`}
          title={reactionEmoji[r.kind].label}
        >
          <span aria-hidden="true">{reactionEmoji[r.kind].emoji}</span>
          {r.count > 0 && (
            <span class="reaction-count" aria-hidden="true">
              {r.count}
            </span>
          )}
        </button>
      ))}
    </form>
  );
}

/** "edited" beside a post's date, linking to its history. */
export function EditedMarker({ post, now }: { post: PostInfo; now: Date }) {
  if (!post.editedAt) return null;
  const href = post.replyId === null ? `/t/${post.topicId}/revisions` : `/r/${post.replyId}/revisions`;
  return (
    <a class="small muted edited-marker" href={href} title="See the edit history">
      edited <TimeAgo date={post.editedAt} now={now} />
    </a>
  );
}

/** "in reply to @name", linking to the reply answered. */
export function ReplyContext({ replyToId, parents }: { replyToId: number | null; parents: TopicEngagement['parents'] }) {
  if (replyToId === null) return null;
  const parent = parents.get(replyToId);
  if (!parent) return null;
  return (
    <a class="small muted reply-context" href={`/r/${replyToId}`}>
      <Icon name="arrowUp" size={14} /> in reply to @{parent.username}
    </a>
  );
}

/** The actions under a post: reply, quote, bookmark, edit, delete (each only to whom it applies). */
export function PostActions({ c, post, topicUrl, bookmarked }: { c: HearthContext; post: PostInfo; topicUrl: string; bookmarked: boolean }) {
  const viewer: Viewer = c.get('user');
  if (!viewer || post.deletedAt) return null;
  const base = post.replyId === null ? `/t/${post.topicId}` : `/r/${post.replyId}`;
  return (
    <div class="cluster post-actions">
      {post.replyId !== null && viewer.emailVerified && (
        <>
          <Button href={`${topicUrl}?replyTo=${post.replyId}#reply-form`} variant="ghost" size="sm" icon="message">
            Reply
          </Button>
          <a class="btn btn-ghost btn-sm" href={`${topicUrl}?quote=${post.replyId}#reply-form`} data-quote-reply={String(post.replyId)}>
            Quote
          </a>
        </>
      )}
      <form method="post" action={`/t/${post.topicId}/bookmark`} class="inline-form">
        <CsrfField c={c} />
        {post.replyId !== null && <input type="hidden" name="replyId" value={String(post.replyId)} />}
        <button type="submit" name="bookmark" value={bookmarked ? 'off' : 'on'} class="btn btn-ghost btn-sm" aria-pressed={bookmarked ? 'true' : 'false'}>
          <Icon name="star" size={16} /> {bookmarked ? 'Bookmarked' : 'Bookmark'}
        </button>
      </form>
      {canEditPost(viewer, post) && (
        <Button href={`${base}/edit`} variant="ghost" size="sm" icon="edit">
          Edit
        </Button>
      )}
      {canDeletePost(viewer, post) && (
        <Form c={c} action={`${base}/delete`} class="inline-form">
          <Button variant="ghost" size="sm" icon="trash">
            Delete
          </Button>
        </Form>
      )}
    </div>
  );
}

/** What staff see in place of a deleted post: who removed it, a Restore button, the content on demand. */
export function DeletedPlaceholder({ c, post, bodyHtml, now }: { c: HearthContext; post: PostInfo; bodyHtml: string; now: Date }) {
  const viewer = c.get('user');
  if (!post.deletedAt) return null;
  const base = post.replyId === null ? `/t/${post.topicId}` : `/r/${post.replyId}`;
  return (
    <div class="stack deleted-post">
      <p class="cluster">
        <Badge tone="danger">
          <Icon name="trash" size={14} /> Deleted
        </Badge>
        <span class="small muted">
          <TimeAgo date={post.deletedAt} now={now} />; only moderators see this.
        </span>
      </p>
      <details>
        <summary class="small">Show the deleted content</summary>
        <div class="prose" dangerouslySetInnerHTML={{ __html: bodyHtml }} />
      </details>
      {canRestorePost(viewer) && (
        <Form c={c} action={`${base}/restore`} class="inline-form">
          <Button variant="secondary" size="sm" icon="refresh">
            Restore
          </Button>
        </Form>
      )}
    </div>
  );
}

/**
 * A Markdown textarea the editor island enhances (toolbar, preview, @mentions, image upload). Without
 * JavaScript it is the plain textarea, which is all a post needs.
 */
export function EditorField({
  label,
  name,
  value,
  error,
  hint,
  rows,
  required,
  topicId,
  images,
}: {
  label: string;
  name: string;
  value?: string;
  error?: string;
  hint?: string;
  rows?: number;
  required?: boolean;
  /** Limits @mention suggestions to members who can see this topic. */
  topicId?: number;
  /** Offers the image upload button. */
  images?: boolean;
}) {
  return (
    <div class="editor" data-editor={name} data-topic-id={topicId === undefined ? undefined : String(topicId)} data-images={images ? 'true' : undefined}>
      <TextArea label={label} name={name} value={value} error={error} hint={hint} rows={rows} required={required} />
      {images && (
        <p class="small muted editor-fallback">
          <a href="/upload" target="_blank" rel="noopener">
            <Icon name="image" size={14} /> Upload an image
          </a>{' '}
          and paste the Markdown it gives you.
        </p>
      )}
    </div>
  );
}
