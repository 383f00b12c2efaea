import type { AppContext } from '../../platform/context.ts';
import { AppError } from '../../platform/http/errors.ts';
import { queueMail } from '../../platform/mail/index.ts';
import { markdownToText } from '../../platform/markdown/index.ts';
import { getMemberContacts, type MemberContact } from '../accounts/members.ts';
import * as community from '../community/service.ts';
import { digestEmail, type DigestTopic } from './emails.ts';
import * as repo from './repo.ts';
import { emailCategoryLabels, unsubscribeHeaders, unsubscribeUrl } from './unsubscribe.ts';

export type DigestPeriod = 'daily' | 'weekly';

const PERIOD_MS: Record<DigestPeriod, number> = { daily: 86400_000, weekly: 7 * 86400_000 };
/** Topics listed in one digest; the rest are counted. */
const DIGEST_TOPICS = 20;
const MEMBER_BATCH = 200;

/** The period a schedule slot closes: the digest of `daily:2026-05-04` covers the 24 hours before that slot. */
export function digestWindow(period: DigestPeriod, slot: Date): { key: string; from: Date; to: Date } {
  const to = new Date(Math.floor(slot.getTime() / 60_000) * 60_000);
  return { key: `${period}:${to.toISOString().slice(0, 10)}`, from: new Date(to.getTime() - PERIOD_MS[period]), to };
}

/**
 * The new topics a member was told about in the window (followed spaces and tags), checked again
 * against what they may see now: a topic deleted or moved out of their reach since is left out.
 */
async function digestTopicsFor(ctx: AppContext, member: MemberContact, from: Date, to: Date): Promise<{ topics: DigestTopic[]; more: number }> {
  const rows = await repo.newTopicNotifications(ctx.db, member.user.id, from, to, DIGEST_TOPICS * 2);
  const visible = await community.visibleSpaceIds(ctx, member.user);
  const topics: DigestTopic[] = [];
  let more = 0;
  for (const row of rows) {
    if (row.topic_id === null || row.space_id === null || !visible.includes(row.space_id)) continue;
    if (topics.length >= DIGEST_TOPICS) {
      more++;
      continue;
    }
    try {
      const topic = await community.getTopic(ctx, member.user, row.topic_id);
      topics.push({
        title: topic.title,
        url: `${ctx.config.publicUrl}${topic.url}`,
        spaceName: topic.space.name,
        authorName: topic.author.displayName,
        excerpt: markdownToText(topic.bodyMarkdown, 160),
      });
    } catch (err) {
      if (!(err instanceof AppError && err.status === 404)) throw err;
    }
  }
  return { topics, more };
}

/**
 * Builds one digest email per member who chose this frequency and has news in the window. A member's
 * digest of a period is claimed by a unique row written with the email, so a rerun sends nothing twice.
 * Returns how many digests were queued.
 */
export async function sendDigests(ctx: AppContext, period: DigestPeriod, slot: Date): Promise<number> {
  const { key, from, to } = digestWindow(period, slot);
  let sent = 0;
  let after = 0;
  for (;;) {
    const ids = await repo.digestCandidateIds(ctx.db, after, MEMBER_BATCH);
    if (ids.length === 0) break;
    after = ids[ids.length - 1] ?? after;
    const members = await getMemberContacts(ctx, ids);
    for (const member of members) {
      if (member.prefs.digest !== period || !member.user.emailVerified) continue;
      const { topics, more } = await digestTopicsFor(ctx, member, from, to);
      if (topics.length === 0) continue;
      const message = digestEmail({
        siteName: ctx.site.siteName,
        recipientName: member.user.displayName,
        period,
        topics,
        moreCount: more,
        siteUrl: `${ctx.config.publicUrl}/`,
        footer: {
          unsubscribeUrl: unsubscribeUrl(ctx.config, member.user.id, 'digest'),
          unsubscribeWhat: emailCategoryLabels.digest,
          settingsUrl: `${ctx.config.publicUrl}/settings/notifications`,
        },
      });
      const queued = await ctx.db.transaction().execute(async (trx) => {
        if (!(await repo.claimDigest(trx, member.user.id, key, topics.length + more))) return false;
        const mailId = await queueMail(trx, { to: member.user.email, ...message, headers: unsubscribeHeaders(ctx.config, member.user.id, 'digest') });
        await repo.setDigestMail(trx, member.user.id, key, mailId);
        return true;
      });
      if (queued) sent++;
    }
    if (ids.length < MEMBER_BATCH) break;
  }
  return sent;
}
