import type { AppContext } from '../../platform/context.ts';
import type { CurrentUser } from '../../platform/http/env.ts';
import { AppError, badRequest, notFound, unauthorized } from '../../platform/http/errors.ts';
import { decodeCursor, type Page, toPage } from '../../platform/http/pagination.ts';
import { queueMail } from '../../platform/mail/index.ts';
import { publishEvent } from '../../platform/jobs/registry.ts';
import { markdownToText } from '../../platform/markdown/index.ts';
import { findMembersByUsernames, getMemberContact, getMemberContacts, updateNotificationPrefs, type MemberContact } from '../accounts/members.ts';
import * as community from '../community/service.ts';
import { answerAcceptedEmail, mentionEmail, replyToReplyEmail, replyToTopicEmail, type NotificationEmail, type PostEmailArgs } from './emails.ts';
import { parseMentions } from './mentions.ts';
import * as repo from './repo.ts';
import type { FollowTargetKind, NotificationKind } from './tables.ts';
import { emailCategoryLabels, unsubscribeHeaders, unsubscribeUrl, verifyUnsubscribeToken, type EmailCategory } from './unsubscribe.ts';

/** The bell counts up to this; beyond it shows "99+". */
export const UNREAD_CAP = 100;

export const userChannel = (userId: number) => `user:${userId}`;
export const topicChannel = (topicId: number) => `topic:${topicId}`;

function requireMember(viewer: community.Viewer): CurrentUser {
  if (!viewer) throw unauthorized('Sign in to see your notifications.');
  return viewer;
}

function isNotFound(err: unknown): boolean {
  return err instanceof AppError && err.status === 404;
}

// ---------------------------------------------------------------------------------------------
// Reading notifications

export interface NotificationActor {
  id: number;
  username: string;
  displayName: string;
  avatarUrl: string | null;
}

export interface NotificationItem {
  id: number;
  kind: NotificationKind;
  actor: NotificationActor | null;
  topicId: number | null;
  replyId: number | null;
  topicTitle: string;
  excerpt: string;
  /** Where the notification leads (path on this site). */
  url: string;
  reaction: string | null;
  read: boolean;
  createdAt: Date;
}

/** What is kept with each notification when it is made, so the list needs no other feature's tables. */
interface NotificationData {
  topicTitle: string;
  url: string;
  excerpt: string;
  reaction?: string;
}

function readData(raw: unknown): NotificationData {
  const value = raw && typeof raw === 'object' ? raw : {};
  const text = (key: string) => {
    const v: unknown = Reflect.get(value, key);
    return typeof v === 'string' ? v : '';
  };
  return { topicTitle: text('topicTitle'), url: text('url') || '/', excerpt: text('excerpt'), reaction: text('reaction') || undefined };
}

function toItem(row: repo.NotificationRow): NotificationItem {
  const data = readData(row.data);
  return {
    id: row.id,
    kind: row.kind,
    actor:
      row.actor_id !== null && row.actor_username !== null
        ? { id: row.actor_id, username: row.actor_username, displayName: row.actor_name ?? row.actor_username, avatarUrl: row.actor_avatar }
        : null,
    topicId: row.topic_id,
    replyId: row.reply_id,
    topicTitle: data.topicTitle,
    excerpt: data.excerpt,
    url: data.url,
    reaction: data.reaction ?? null,
    read: row.read_at !== null,
    createdAt: row.created_at,
  };
}

function timeCursor(cursor: string | undefined): { createdKey: string; id: number } | undefined {
  const values = decodeCursor(cursor, 2);
  if (!values) return undefined;
  const [createdKey, id] = values;
  if (typeof createdKey !== 'string' || typeof id !== 'number' || !Number.isInteger(id)) {
    throw badRequest('The cursor is not valid; use the nextCursor of a previous page.', 'invalid_cursor');
  }
  return { createdKey, id };
}

export async function listNotifications(
  ctx: AppContext,
  viewer: community.Viewer,
  opts: { cursor?: string; limit: number; unreadOnly?: boolean },
): Promise<Page<NotificationItem>> {
  const member = requireMember(viewer);
  const spaceIds = await community.visibleSpaceIds(ctx, member);
  const rows = await repo.listNotifications(ctx.db, member.id, spaceIds, { before: timeCursor(opts.cursor), unreadOnly: opts.unreadOnly, limit: opts.limit });
  const page = toPage(rows, opts.limit, (r) => [r.created_key, r.id]);
  return { items: page.items.map(toItem), nextCursor: page.nextCursor };
}

export async function unreadCount(ctx: AppContext, viewer: CurrentUser): Promise<number> {
  const spaceIds = await community.visibleSpaceIds(ctx, viewer);
  return repo.countUnread(ctx.db, viewer.id, spaceIds, UNREAD_CAP);
}

/** Marks some (or all) of the member's notifications read; other tabs' bells follow through the live channel. */
export async function markNotificationsRead(ctx: AppContext, viewer: community.Viewer, ids: number[] | 'all'): Promise<number> {
  const member = requireMember(viewer);
  const changed = await repo.markRead(ctx.db, member.id, ids, new Date());
  if (changed > 0) await ctx.realtime.publish(userChannel(member.id), { type: 'notification', data: { read: changed } });
  return changed;
}

/** Opening a notification marks it read and leads to what it is about. */
export async function openNotification(ctx: AppContext, viewer: community.Viewer, id: number): Promise<string> {
  const member = requireMember(viewer);
  const row = await repo.findNotification(ctx.db, member.id, id);
  if (!row) throw notFound('We could not find that notification.');
  if (row.space_id !== null && !(await community.visibleSpaceIds(ctx, member)).includes(row.space_id)) throw notFound('We could not find that notification.');
  await markNotificationsRead(ctx, member, [row.id]);
  return readData(row.data).url;
}

// ---------------------------------------------------------------------------------------------
// Follows

export interface FollowTarget {
  kind: FollowTargetKind;
  id: number;
  name: string;
  url: string;
}

/**
 * The thing to follow, which the member must be able to see: a topic by id, a space or a tag by slug
 * (or id). Anything else is "not found", so following cannot probe for hidden spaces.
 */
export async function resolveFollowTarget(ctx: AppContext, viewer: community.Viewer, kind: FollowTargetKind, ref: string): Promise<FollowTarget> {
  if (kind === 'topic') {
    const id = Number(ref);
    if (!Number.isInteger(id) || id <= 0) throw notFound('We could not find that topic.');
    const topic = await community.getTopic(ctx, viewer, id);
    return { kind, id: topic.id, name: topic.title, url: topic.url };
  }
  if (kind === 'space') {
    const spaces = await community.listSpaces(ctx, viewer);
    const space = spaces.find((s) => s.slug === ref || String(s.id) === ref);
    if (!space) throw notFound('We could not find that space.');
    return { kind, id: space.id, name: space.name, url: space.url };
  }
  const tag = /^\d+$/.test(ref) ? (await repo.findTagsByIds(ctx.db, [Number(ref)]))[0] : await repo.findTagBySlug(ctx.db, ref);
  if (!tag) throw notFound('We could not find that tag.');
  return { kind, id: tag.id, name: tag.name, url: `/tag/${tag.slug}` };
}

export async function follow(ctx: AppContext, viewer: community.Viewer, kind: FollowTargetKind, ref: string): Promise<FollowTarget> {
  const member = requireMember(viewer);
  const target = await resolveFollowTarget(ctx, member, kind, ref);
  await ctx.db.transaction().execute(async (trx) => {
    // Following again changes nothing and says nothing.
    if (await repo.insertFollow(trx, member.id, target.kind, target.id)) {
      await publishEvent(trx, ctx.jobs, 'follow.added', { userId: member.id, kind: target.kind, targetId: target.id }, member.id);
    }
  });
  return target;
}

export async function unfollow(ctx: AppContext, viewer: community.Viewer, kind: FollowTargetKind, ref: string): Promise<FollowTarget | null> {
  const member = requireMember(viewer);
  if (kind === 'topic' || /^\d+$/.test(ref)) {
    // Unfollowing needs no right to see: a member who lost access can still stop following.
    const id = Number(ref);
    if (Number.isInteger(id) && id > 0) {
      await repo.deleteFollow(ctx.db, member.id, kind, id);
      return null;
    }
  }
  const target = await resolveFollowTarget(ctx, member, kind, ref);
  await repo.deleteFollow(ctx.db, member.id, target.kind, target.id);
  return target;
}

export async function isFollowing(ctx: AppContext, viewer: community.Viewer, kind: FollowTargetKind, id: number): Promise<boolean> {
  if (!viewer) return false;
  return repo.isFollowing(ctx.db, viewer.id, kind, id);
}

export interface FollowItem extends FollowTarget {
  followedAt: Date;
}

/** What the member follows, newest first; things they can no longer see are left out. */
export async function listFollowing(ctx: AppContext, viewer: community.Viewer, opts: { kind?: FollowTargetKind; cursor?: string; limit: number }): Promise<Page<FollowItem>> {
  const member = requireMember(viewer);
  const after = timeCursor(opts.cursor);
  const rows = await repo.listFollows(ctx.db, member.id, { kind: opts.kind, before: after ? { createdAt: after.createdKey, id: after.id } : undefined, limit: opts.limit });
  const page = toPage(rows, opts.limit, (r) => [r.created_at.toISOString(), r.id]);
  const spaces = await community.listSpaces(ctx, member);
  const tags = await repo.findTagsByIds(
    ctx.db,
    page.items.filter((r) => r.target_kind === 'tag').map((r) => r.target_id),
  );
  const items: FollowItem[] = [];
  for (const row of page.items) {
    const base = { kind: row.target_kind, id: row.target_id, followedAt: row.created_at };
    if (row.target_kind === 'space') {
      const space = spaces.find((s) => s.id === row.target_id);
      if (space) items.push({ ...base, name: space.name, url: space.url });
    } else if (row.target_kind === 'tag') {
      const tag = tags.find((t) => t.id === row.target_id);
      if (tag) items.push({ ...base, name: tag.name, url: `/tag/${tag.slug}` });
    } else {
      try {
        const topic = await community.getTopic(ctx, member, row.target_id);
        items.push({ ...base, name: topic.title, url: topic.url });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }
  return { items, nextCursor: page.nextCursor };
}

// ---------------------------------------------------------------------------------------------
// Making notifications (job subscribers of the community events)

const EXCERPT_LENGTH = 240;

/** One post (a topic's opening post or a reply) and who wrote it. */
interface PostContext {
  actor: CurrentUser;
  topic: community.Topic;
  reply: community.Reply | null;
  excerpt: string;
  /** Absolute link to the post, for emails; `path` for the in-app list. */
  link: string;
  path: string;
}

type EmailBuilder = (args: PostEmailArgs) => NotificationEmail;

const emailFor: Partial<Record<NotificationKind, { category: EmailCategory; build: EmailBuilder }>> = {
  mention: { category: 'mention', build: mentionEmail },
  reply_to_topic: { category: 'reply', build: replyToTopicEmail },
  reply_to_reply: { category: 'reply', build: replyToReplyEmail },
  answer_accepted: { category: 'reply', build: answerAcceptedEmail },
};

function wantsEmail(contact: MemberContact, category: EmailCategory): boolean {
  if (!contact.user.emailVerified) return false;
  if (category === 'mention') return contact.prefs.emailOnMention;
  if (category === 'reply') return contact.prefs.emailOnReply;
  return contact.prefs.digest !== 'none';
}

/**
 * Notifies each candidate once about a post, with the kind given (the most specific reason). Nobody
 * hears about their own action, nor about content of a space they may not see. The notification and its
 * email are written in one transaction, and only when the notification is new: an event handled twice
 * notifies and emails once.
 */
async function deliver(ctx: AppContext, post: PostContext, candidates: Map<number, NotificationKind>, dedupeKey: string, extra: { reaction?: string } = {}): Promise<number> {
  candidates.delete(post.actor.id);
  if (candidates.size === 0) return 0;
  const contacts = await getMemberContacts(ctx, [...candidates.keys()]);
  let delivered = 0;
  for (const contact of contacts) {
    const kind = candidates.get(contact.user.id);
    if (!kind) continue;
    const visible = await community.visibleSpaceIds(ctx, contact.user);
    if (!visible.includes(post.topic.space.id)) continue;
    const data: NotificationData = { topicTitle: post.topic.title, url: post.path, excerpt: post.excerpt, ...extra };
    const email = emailFor[kind];
    const created = await ctx.db.transaction().execute(async (trx) => {
      const id = await repo.insertNotification(trx, {
        recipientId: contact.user.id,
        kind,
        actorId: post.actor.id,
        spaceId: post.topic.space.id,
        topicId: post.topic.id,
        replyId: post.reply?.id ?? null,
        data: { ...data },
        dedupeKey,
      });
      if (id === null) return false;
      if (email && wantsEmail(contact, email.category)) {
        const message = email.build({
          siteName: ctx.site.siteName,
          recipientName: contact.user.displayName,
          actorName: post.actor.displayName,
          topicTitle: post.topic.title,
          excerpt: post.excerpt,
          link: post.link,
          footer: {
            unsubscribeUrl: unsubscribeUrl(ctx.config, contact.user.id, email.category),
            unsubscribeWhat: emailCategoryLabels[email.category],
            settingsUrl: `${ctx.config.publicUrl}/settings/notifications`,
          },
        });
        await queueMail(trx, { to: contact.user.email, ...message, headers: unsubscribeHeaders(ctx.config, contact.user.id, email.category) });
      }
      return true;
    });
    if (!created) continue;
    delivered++;
    await ctx.realtime.publish(userChannel(contact.user.id), { type: 'notification', data: { kind } });
  }
  return delivered;
}

function postPath(topic: community.Topic, reply: community.Reply | null): string {
  return reply ? `${topic.url}#reply-${reply.id}` : topic.url;
}

function makePostContext(ctx: AppContext, actor: CurrentUser, topic: community.Topic, reply: community.Reply | null): PostContext {
  const path = postPath(topic, reply);
  return {
    actor,
    topic,
    reply,
    excerpt: markdownToText(reply ? reply.bodyMarkdown : topic.bodyMarkdown, EXCERPT_LENGTH),
    link: `${ctx.config.publicUrl}${path}`,
    path,
  };
}

/** Adds each mentioned member who exists, as a mention (which outranks every other reason). */
async function addMentions(ctx: AppContext, markdown: string, candidates: Map<number, NotificationKind>): Promise<void> {
  const usernames = parseMentions(markdown);
  if (usernames.length === 0) return;
  for (const member of await findMembersByUsernames(ctx, usernames)) candidates.set(member.user.id, 'mention');
}

function setIfAbsent(candidates: Map<number, NotificationKind>, ids: number[], kind: NotificationKind): void {
  for (const id of ids) if (!candidates.has(id)) candidates.set(id, kind);
}

export interface TopicCreatedPayload {
  topicId: number;
  authorId: number;
}

/** A new topic: the author follows it; mentioned members and followers of its space or tags hear of it. */
export async function notifyTopicCreated(ctx: AppContext, payload: TopicCreatedPayload): Promise<number> {
  const author = await getMemberContact(ctx, payload.authorId);
  if (!author) return 0;
  let topic: community.Topic;
  try {
    topic = await community.getTopic(ctx, author.user, payload.topicId);
  } catch (err) {
    if (isNotFound(err)) return 0;
    throw err;
  }
  await repo.insertFollow(ctx.db, author.user.id, 'topic', topic.id);
  const candidates = new Map<number, NotificationKind>();
  await addMentions(ctx, topic.bodyMarkdown, candidates);
  setIfAbsent(candidates, await repo.followerIds(ctx.db, 'space', [topic.space.id]), 'new_topic');
  setIfAbsent(candidates, await repo.followerIds(ctx.db, 'tag', await repo.topicTagIds(ctx.db, topic.id)), 'new_topic');
  return deliver(ctx, makePostContext(ctx, author.user, topic, null), candidates, `post:t:${topic.id}`);
}

export interface ReplyCreatedPayload {
  replyId: number;
  authorId: number;
}

/**
 * A new reply: its author now follows the topic (Discourse's "watching" after posting). Then, one
 * notification per member, for the strongest reason: mentioned, replied to, their topic, or a topic they follow.
 */
export async function notifyReplyCreated(ctx: AppContext, payload: ReplyCreatedPayload): Promise<number> {
  const author = await getMemberContact(ctx, payload.authorId);
  if (!author) return 0;
  let found: { reply: community.Reply; topic: community.Topic };
  try {
    found = await community.getReply(ctx, author.user, payload.replyId);
  } catch (err) {
    if (isNotFound(err)) return 0;
    throw err;
  }
  const { reply, topic } = found;
  await repo.insertFollow(ctx.db, author.user.id, 'topic', topic.id);
  const candidates = new Map<number, NotificationKind>();
  await addMentions(ctx, reply.bodyMarkdown, candidates);
  if (reply.replyToId !== null) {
    try {
      const target = await community.getReply(ctx, author.user, reply.replyToId);
      setIfAbsent(candidates, [target.reply.author.id], 'reply_to_reply');
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  setIfAbsent(candidates, [topic.author.id], 'reply_to_topic');
  setIfAbsent(candidates, await repo.followerIds(ctx.db, 'topic', [topic.id]), 'new_reply');
  return deliver(ctx, makePostContext(ctx, author.user, topic, reply), candidates, `post:r:${reply.id}`);
}

export interface AnswerAcceptedPayload {
  replyId: number;
  answererId: number;
  acceptedById: number;
}

export async function notifyAnswerAccepted(ctx: AppContext, payload: AnswerAcceptedPayload): Promise<number> {
  const acceptor = await getMemberContact(ctx, payload.acceptedById);
  if (!acceptor) return 0;
  let found: { reply: community.Reply; topic: community.Topic };
  try {
    found = await community.getReply(ctx, acceptor.user, payload.replyId);
  } catch (err) {
    if (isNotFound(err)) return 0;
    throw err;
  }
  const candidates = new Map<number, NotificationKind>([[found.reply.author.id, 'answer_accepted']]);
  return deliver(ctx, makePostContext(ctx, acceptor.user, found.topic, found.reply), candidates, `accepted:${found.reply.id}`);
}

export interface ReactionAddedPayload {
  topicId: number;
  replyId: number | null;
  kind: string;
  userId: number;
  postAuthorId: number;
}

/** A reaction on a member's post: in-app only, once per reactor, post and reaction. */
export async function notifyReactionAdded(ctx: AppContext, payload: ReactionAddedPayload): Promise<number> {
  const reactor = await getMemberContact(ctx, payload.userId);
  if (!reactor) return 0;
  let topic: community.Topic;
  let reply: community.Reply | null = null;
  try {
    if (payload.replyId === null) {
      topic = await community.getTopic(ctx, reactor.user, payload.topicId);
    } else {
      const found = await community.getReply(ctx, reactor.user, payload.replyId);
      topic = found.topic;
      reply = found.reply;
    }
  } catch (err) {
    if (isNotFound(err)) return 0;
    throw err;
  }
  const candidates = new Map<number, NotificationKind>([[payload.postAuthorId, 'reaction']]);
  const key = `reaction:${topic.id}:${reply?.id ?? 0}:${reactor.user.id}:${payload.kind}`;
  return deliver(ctx, makePostContext(ctx, reactor.user, topic, reply), candidates, key, { reaction: payload.kind });
}

// ---------------------------------------------------------------------------------------------
// Unsubscribe links

export interface UnsubscribeTarget {
  userId: number;
  category: EmailCategory;
  email: string;
}

/** What a signed unsubscribe token stands for; a forged or altered one is refused. */
export async function readUnsubscribeToken(ctx: AppContext, token: string): Promise<UnsubscribeTarget> {
  const verified = verifyUnsubscribeToken(ctx.config, token);
  const contact = verified ? await getMemberContact(ctx, verified.userId) : null;
  if (!verified || !contact) throw badRequest('This unsubscribe link is not valid. Change your email settings after signing in instead.', 'invalid_token');
  return { userId: verified.userId, category: verified.category, email: contact.user.email };
}

/** Turns off the emails the token names. Idempotent: a second click changes nothing. */
export async function unsubscribe(ctx: AppContext, token: string): Promise<UnsubscribeTarget> {
  const target = await readUnsubscribeToken(ctx, token);
  const patch = target.category === 'mention' ? { emailOnMention: false } : target.category === 'reply' ? { emailOnReply: false } : { digest: 'none' as const };
  await updateNotificationPrefs(ctx, target.userId, patch);
  ctx.log.info({ userId: target.userId, category: target.category }, 'unsubscribed from emails');
  return target;
}
