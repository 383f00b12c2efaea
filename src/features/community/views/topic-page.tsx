import type { HearthContext } from '../../../platform/http/env.ts';
import type { FieldErrors } from '../../../platform/http/errors.ts';
import type { Page } from '../../../platform/http/pagination.ts';
import { Badge, Button, Card, DescriptionList, Form, FormErrors, Notice, PageHeader, TimeAgo } from '../../../web/components.tsx';
import { Icon } from '../../../web/icons.tsx';
import { Avatar } from '../../../web/layout.tsx';
import { canAccept, type Reply, type Topic } from '../service.ts';
import { KindBadge, SolvedBadge, SpaceMark } from './parts.tsx';
import { FollowButton } from '../../notifications/views/follow-button.tsx';
import type { TopicEngagement } from '../topic-engagement.ts';
import { DeletedPlaceholder, EditedMarker, EditorField, PostActions, ReactionBar, ReplyContext } from './engagement-parts.tsx';
import { ShareLinks } from '../../seo/views/share-links.tsx';
import { RelatedQuestions, TagChips } from '../../search/views/parts.tsx';
import type { SimilarQuestion } from '../../search/service.ts';

export interface ReplyFormState {
  body?: string;
  /** The reply this one answers (from "Reply" or "Quote" on a reply). */
  replyTo?: number;
  replyToName?: string;
  message?: string;
  fields?: FieldErrors;
}

function Byline({ author, date, now }: { author: Reply['author']; date: Date; now: Date }) {
  return (
    <div class="cluster small byline">
      <Avatar name={author.displayName} path={author.avatarUrl} size={32} />
      <a href={`/u/${author.username}`}>
        <strong>{author.displayName}</strong>
      </a>
      <span class="muted">
        <TimeAgo date={date} now={now} />
      </span>
    </div>
  );
}

export function ReplyItem({ c, topic, reply, now, engagement }: { c: HearthContext; topic: Topic; reply: Reply; now: Date; engagement?: TopicEngagement }) {
  const viewer = c.get('user');
  const acceptable = canAccept(viewer, topic) && !reply.accepted && reply.author.id !== topic.author.id && !reply.deletedAt;
  const post = { topicId: topic.id, replyId: reply.id, authorId: reply.author.id, editedAt: reply.editedAt, deletedAt: reply.deletedAt };
  if (reply.deletedAt) {
    return (
      <li id={`reply-${reply.id}`}>
        <Card class="reply reply-deleted">
          <Byline author={reply.author} date={reply.createdAt} now={now} />
          <DeletedPlaceholder c={c} post={post} bodyHtml={reply.bodyHtml} now={now} />
        </Card>
      </li>
    );
  }
  return (
    <li id={`reply-${reply.id}`}>
      <Card
        class={reply.accepted ? 'reply reply-accepted' : 'reply'}
        footer={
          <>
            {engagement && <ReactionBar c={c} post={post} summary={engagement.reactions(reply.id)} />}
            {engagement && <PostActions c={c} post={post} topicUrl={topic.url} bookmarked={engagement.bookmarks.has(reply.id)} />}
            {acceptable && (
              <Form c={c} action={`/t/${topic.id}/accept`}>
                <input type="hidden" name="replyId" value={String(reply.id)} />
                <Button variant="secondary" size="sm" icon="check">
                  {topic.acceptedReplyId ? 'Accept this answer instead' : 'Accept as answer'}
                </Button>
              </Form>
            )}
          </>
        }
      >
        <div class="cluster">
          <Byline author={reply.author} date={reply.createdAt} now={now} />
          <EditedMarker post={post} now={now} />
          {engagement && <ReplyContext replyToId={reply.replyToId} parents={engagement.parents} />}
          {reply.accepted && (
            <Badge tone="success">
              <Icon name="checkCircle" size={14} /> Accepted answer
            </Badge>
          )}
        </div>
        <div class="prose" dangerouslySetInnerHTML={{ __html: reply.bodyHtml }} />
      </Card>
    </li>
  );
}

export function TopicPage({
  c,
  topic,
  replies,
  accepted,
  cursor,
  form = {},
  engagement,
  related = [],
}: {
  c: HearthContext;
  topic: Topic;
  replies: Page<Reply>;
  accepted: Reply | null;
  cursor?: string;
  form?: ReplyFormState;
  engagement?: TopicEngagement;
  /** Related questions (search feature), for a question's sidebar. */
  related?: SimilarQuestion[];
}) {
  const viewer = c.get('user');
  const now = new Date();
  const space = topic.spaceRecord;
  const openingPost = { topicId: topic.id, replyId: null, authorId: topic.author.id, editedAt: topic.editedAt, deletedAt: topic.deletedAt };
  return (
    <div class="split">
      <article class="stack topic">
        <PageHeader
          title={topic.title}
          breadcrumbs={[
            { href: '/', label: 'Home' },
            { href: space.url, label: space.name },
          ]}
          subtitle={
            <span class="cluster">
              <KindBadge kind={topic.kind} />
              {topic.solved && <SolvedBadge />}
              {topic.tags && <TagChips tags={topic.tags} />}
              {topic.pinned && (
                <Badge>
                  <Icon name="pin" size={14} /> Pinned
                </Badge>
              )}
            </span>
          }
        />
        {topic.deletedAt ? (
          <Card class="topic-deleted">
            <Byline author={topic.author} date={topic.createdAt} now={now} />
            <DeletedPlaceholder c={c} post={openingPost} bodyHtml={topic.bodyHtml} now={now} />
          </Card>
        ) : (
          <Card
            footer={
              engagement && (
                <>
                  <ReactionBar c={c} post={openingPost} summary={engagement.reactions(null)} />
                  <PostActions c={c} post={openingPost} topicUrl={topic.url} bookmarked={engagement.bookmarks.has(null)} />
                </>
              )
            }
          >
            <div class="cluster">
              <Byline author={topic.author} date={topic.createdAt} now={now} />
              <EditedMarker post={openingPost} now={now} />
            </div>
            <div class="prose" dangerouslySetInnerHTML={{ __html: topic.bodyHtml }} />
          </Card>
        )}
        {accepted && !cursor && (
          <Card title="Accepted answer" id="accepted-answer" class="reply-accepted">
            <Byline author={accepted.author} date={accepted.createdAt} now={now} />
            <div class="prose" dangerouslySetInnerHTML={{ __html: accepted.bodyHtml }} />
            <p class="small">
              <a href={`#reply-${accepted.id}`}>Go to the answer in the thread</a>
            </p>
          </Card>
        )}
        <section class="stack" aria-labelledby="replies-title">
          <h2 id="replies-title">
            {topic.replyCount.toLocaleString('en')} {topic.replyCount === 1 ? 'reply' : 'replies'}
          </h2>
          {/* The live island appends new replies here, on the last page only (see notifications/live.tsx). */}
          <ol class="reply-list list-plain stack" hidden={replies.items.length === 0} data-live-topic={replies.nextCursor ? undefined : String(topic.id)}>
            {replies.items.map((r) => (
              <ReplyItem c={c} topic={topic} reply={r} now={now} engagement={engagement} />
            ))}
          </ol>
          {(cursor || replies.nextCursor) && (
            <nav class="pagination" aria-label="Replies">
              {cursor ? (
                <Button href={topic.url} variant="secondary" size="sm" icon="chevronLeft">
                  First replies
                </Button>
              ) : (
                <span />
              )}
              {replies.nextCursor && (
                <Button href={`${topic.url}?cursor=${encodeURIComponent(replies.nextCursor)}`} variant="secondary" size="sm">
                  Later replies
                </Button>
              )}
            </nav>
          )}
        </section>
        {!topic.deletedAt && <ReplyBox c={c} topic={topic} form={form} />}
      </article>
      <aside class="sidebar stack">
        <Card>
          <div class="cluster">
            <SpaceMark space={space} size={32} />
            <a href={space.url}>
              <strong>{space.name}</strong>
            </a>
          </div>
          <DescriptionList
            items={[
              { term: 'Asked by', detail: topic.author.displayName },
              { term: 'Replies', detail: topic.replyCount.toLocaleString('en') },
              { term: 'Views', detail: topic.viewCount.toLocaleString('en') },
              { term: 'Last activity', detail: <TimeAgo date={topic.lastActivityAt} now={now} /> },
            ]}
          />
          <FollowButton c={c} kind="topic" id={topic.id} target={String(topic.id)} name={topic.title} />
        </Card>
        {!topic.deletedAt && (
          <Card>
            <ShareLinks url={`${c.get('app').config.publicUrl}${topic.url}`} title={topic.title} />
          </Card>
        )}
        <RelatedQuestions questions={related} />
        {viewer === null && (
          <Card>
            <p>Join the community to ask questions and share what you know.</p>
            <Button href="/signup">Join</Button>
          </Card>
        )}
      </aside>
    </div>
  );
}

function ReplyBox({ c, topic, form }: { c: HearthContext; topic: Topic; form: ReplyFormState }) {
  const viewer = c.get('user');
  if (!viewer) {
    return (
      <Notice>
        <a href={`/login?next=${encodeURIComponent(topic.url)}`}>Sign in</a> or <a href="/signup">join</a> to reply.
      </Notice>
    );
  }
  if (!viewer.emailVerified) {
    return <Notice tone="warning">Confirm your email address to reply: use the link we emailed you.</Notice>;
  }
  return (
    <Card title={topic.kind === 'question' ? 'Your answer' : 'Your reply'} id="reply">
      <Form c={c} action={`/t/${topic.id}/replies`} id="reply-form">
        <FormErrors message={form.message} fields={form.fields} />
        {form.replyTo !== undefined && (
          <p class="small muted reply-context">
            <input type="hidden" name="replyTo" value={String(form.replyTo)} />
            Replying to <a href={`/r/${form.replyTo}`}>@{form.replyToName}</a> · <a href={`${topic.url}#reply-form`}>reply to the topic instead</a>
          </p>
        )}
        <EditorField
          label="Reply"
          name="body"
          rows={6}
          value={form.body}
          error={form.fields?.body}
          required
          topicId={topic.id}
          images={topic.kind === 'story'}
          hint="Markdown works: **bold**, *italic*, [links](https://…), lists and `code`."
        />
        <Button icon="message">Post reply</Button>
      </Form>
    </Card>
  );
}
