import type { HearthContext } from '../../../platform/http/env.ts';
import type { FieldErrors } from '../../../platform/http/errors.ts';
import type { Page } from '../../../platform/http/pagination.ts';
import { Badge, Button, Card, CodeBlock, EmptyState, Field, Form, FormErrors, PageHeader, Pagination, TimeAgo } from '../../../web/components.tsx';
import { Avatar } from '../../../web/layout.tsx';
import type { Bookmark } from '../bookmarks.ts';
import type { PostHistory } from '../edits.ts';
import { TITLE_MAX_LENGTH } from '../schema.ts';
import type { Topic } from '../service.ts';
import type { StoredImage } from '../uploads.ts';
import { EditorField } from './engagement-parts.tsx';

export interface EditFormState {
  title?: string;
  body?: string;
  message?: string;
  fields?: FieldErrors;
}

/** Editing a topic (title and body) or a reply (body). */
export function EditPostPage({ c, topic, replyId, form }: { c: HearthContext; topic: Topic; replyId: number | null; form: EditFormState }) {
  const isTopic = replyId === null;
  const action = isTopic ? `/t/${topic.id}/edit` : `/r/${replyId}/edit`;
  const back = isTopic ? topic.url : `/r/${replyId}`;
  return (
    <div class="stack">
      <PageHeader
        title={isTopic ? 'Edit topic' : 'Edit reply'}
        breadcrumbs={[
          { href: topic.spaceRecord.url, label: topic.space.name },
          { href: topic.url, label: topic.title },
        ]}
        subtitle="The previous version is kept in the post's history."
      />
      <Card>
        <Form c={c} action={action}>
          <FormErrors message={form.message} fields={form.fields} />
          {isTopic && <Field label="Title" name="title" value={form.title} error={form.fields?.title} required maxlength={TITLE_MAX_LENGTH} />}
          <EditorField label="Body" name="body" rows={12} value={form.body} error={form.fields?.body} required topicId={topic.id} images={topic.kind === 'story'} />
          <div class="cluster">
            <Button icon="check">Save changes</Button>
            <Button href={back} variant="ghost">
              Cancel
            </Button>
          </div>
        </Form>
      </Card>
    </div>
  );
}

/** Every version of a post, newest first. */
export function RevisionsPage({ history }: { history: PostHistory }) {
  const now = new Date();
  const { topic } = history;
  const what = history.replyId === null ? 'topic' : 'reply';
  return (
    <div class="stack">
      <PageHeader
        title={`History of this ${what}`}
        breadcrumbs={[
          { href: topic.spaceRecord.url, label: topic.space.name },
          { href: topic.url, label: topic.title },
        ]}
        subtitle={
          <>
            {history.versions.length} {history.versions.length === 1 ? 'version' : 'versions'} · <a href={history.url}>Back to the {what}</a>
          </>
        }
      />
      <ol class="list-plain stack">
        {history.versions.map((v) => (
          <li>
            <Card title={`Version ${v.version}`} id={`version-${v.version}`}>
              <p class="cluster small">
                {v.current && <Badge tone="success">Current</Badge>}
                <span>
                  {v.version === 1 ? 'Written' : 'Edited'} by <a href={`/u/${v.editor.username}`}>{v.editor.displayName}</a>
                </span>
                <span class="muted">
                  <TimeAgo date={v.at} now={now} />
                </span>
              </p>
              {v.title !== null && <h3>{v.title}</h3>}
              <div class="prose" dangerouslySetInnerHTML={{ __html: v.bodyHtml }} />
            </Card>
          </li>
        ))}
      </ol>
    </div>
  );
}

export function BookmarksPage({ bookmarks, cursor }: { bookmarks: Page<Bookmark>; cursor?: string }) {
  const now = new Date();
  return (
    <div class="stack">
      <PageHeader title="Bookmarks" subtitle="Topics and replies you kept to come back to. Only you see this list." />
      {bookmarks.items.length === 0 ? (
        <EmptyState icon="star" title={cursor ? 'No more bookmarks' : 'No bookmarks yet'}>
          Use Bookmark under a topic or a reply to keep it here.
        </EmptyState>
      ) : (
        <ol class="list-plain stack">
          {bookmarks.items.map((b) => (
            <li>
              <Card>
                <div class="cluster small">
                  <Avatar name={b.author.displayName} path={b.author.avatarUrl} size={24} />
                  <strong>{b.author.displayName}</strong>
                  <span class="muted">
                    in <a href={`/s/${b.topic.space.slug}`}>{b.topic.space.name}</a> · saved <TimeAgo date={b.createdAt} now={now} />
                  </span>
                </div>
                <h3>
                  <a href={b.url}>{b.replyId === null ? b.topic.title : `Reply in “${b.topic.title}”`}</a>
                </h3>
                <p class="muted">{b.excerpt}</p>
              </Card>
            </li>
          ))}
        </ol>
      )}
      <Pagination nextHref={bookmarks.nextCursor ? `/bookmarks?cursor=${encodeURIComponent(bookmarks.nextCursor)}` : null} prevHref={cursor ? '/bookmarks' : null} />
    </div>
  );
}

/** Uploading an image without the editor island: the page hands back the Markdown to paste. */
export function UploadPage({ c, stored, message, fields }: { c: HearthContext; stored?: StoredImage; message?: string; fields?: FieldErrors }) {
  return (
    <div class="stack narrow">
      <PageHeader title="Upload an image" subtitle="PNG, JPEG, WebP or GIF, up to 8 MB. Then paste the Markdown into your post." />
      {stored && (
        <Card title="Uploaded">
          <img src={stored.thumbnailUrl ?? stored.url} alt="" width={Math.min(stored.width, 320)} loading="lazy" />
          <CodeBlock code={stored.markdown} title="Markdown" />
        </Card>
      )}
      <Card>
        <Form c={c} action="/upload" multipart>
          <FormErrors message={message} fields={fields} />
          <Field label="Image" name="image" type="file" accept="image/png,image/jpeg,image/webp,image/gif" error={fields?.image} required />
          <Field label="Description (alt text)" name="alt" maxlength={200} hint="Say what the image shows, for people who cannot see it." />
          <Button icon="upload">Upload</Button>
        </Form>
      </Card>
    </div>
  );
}
