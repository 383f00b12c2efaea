/** Notification emails: plain text first, with a simple HTML twin; every one ends with its unsubscribe link. */

export interface NotificationEmail {
  subject: string;
  text: string;
  html: string;
  template: string;
}

function escapeHtml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

interface Footer {
  unsubscribeUrl: string;
  /** What the link turns off, e.g. "emails when someone mentions you". */
  unsubscribeWhat: string;
  settingsUrl: string;
}

function layout(siteName: string, blocks: string[], footer: Footer, action?: { label: string; url: string }): string {
  const button = action
    ? `<p style="margin:24px 0"><a href="${escapeHtml(action.url)}" style="background:#c2410c;color:#ffffff;padding:12px 20px;border-radius:6px;text-decoration:none;display:inline-block">${escapeHtml(action.label)}</a></p>`
    : '';
  return `<!doctype html>
<html><body style="font-family:system-ui,-apple-system,Segoe UI,sans-serif;line-height:1.5;color:#1c1917;max-width:560px;margin:0 auto;padding:24px">
<p style="margin:0 0 24px;font-weight:600">${escapeHtml(siteName)}</p>
${blocks.join('\n')}
${button}
<p style="margin:32px 0 0;font-size:13px;color:#57534e">You get this because of your notification settings. <a href="${escapeHtml(footer.unsubscribeUrl)}">Unsubscribe from ${escapeHtml(footer.unsubscribeWhat)}</a> · <a href="${escapeHtml(footer.settingsUrl)}">All email settings</a></p>
</body></html>`;
}

const paragraph = (text: string) => `<p style="margin:0 0 16px">${escapeHtml(text)}</p>`;
const quote = (text: string) => `<blockquote style="margin:0 0 16px;padding:8px 16px;border-left:3px solid #d6d3d1;color:#44403c">${escapeHtml(text)}</blockquote>`;

function textFooter(footer: Footer): string {
  return `--\nUnsubscribe from ${footer.unsubscribeWhat}: ${footer.unsubscribeUrl}\nAll email settings: ${footer.settingsUrl}\n`;
}

export interface PostEmailArgs {
  siteName: string;
  recipientName: string;
  actorName: string;
  topicTitle: string;
  excerpt: string;
  link: string;
  footer: Footer;
}

function postEmail(args: PostEmailArgs, template: string, subject: string, lead: string, actionLabel: string): NotificationEmail {
  const greeting = `Hi ${args.recipientName},`;
  return {
    subject,
    template,
    text: `${greeting}\n\n${lead}\n\n> ${args.excerpt.replace(/\n/g, '\n> ')}\n\n${actionLabel}: ${args.link}\n\n${textFooter(args.footer)}`,
    html: layout(args.siteName, [paragraph(greeting), paragraph(lead), quote(args.excerpt)], args.footer, { label: actionLabel, url: args.link }),
  };
}

export function mentionEmail(args: PostEmailArgs): NotificationEmail {
  return postEmail(args, 'notify-mention', `${args.actorName} mentioned you in "${args.topicTitle}"`, `${args.actorName} mentioned you in "${args.topicTitle}":`, 'Read and reply');
}

export function replyToTopicEmail(args: PostEmailArgs): NotificationEmail {
  return postEmail(args, 'notify-reply', `New reply to "${args.topicTitle}"`, `${args.actorName} replied to your topic "${args.topicTitle}":`, 'Read and reply');
}

export function replyToReplyEmail(args: PostEmailArgs): NotificationEmail {
  return postEmail(args, 'notify-reply', `${args.actorName} replied to you in "${args.topicTitle}"`, `${args.actorName} replied to your post in "${args.topicTitle}":`, 'Read and reply');
}

export function answerAcceptedEmail(args: PostEmailArgs): NotificationEmail {
  return postEmail(
    args,
    'notify-answer-accepted',
    `Your answer was accepted: "${args.topicTitle}"`,
    `${args.actorName} accepted your answer to "${args.topicTitle}". Thank you for helping!`,
    'See the solved question',
  );
}

export interface DigestTopic {
  title: string;
  url: string;
  spaceName: string;
  authorName: string;
  excerpt: string;
}

export function digestEmail(args: { siteName: string; recipientName: string; period: 'daily' | 'weekly'; topics: DigestTopic[]; moreCount: number; footer: Footer; siteUrl: string }): NotificationEmail {
  const when = args.period === 'daily' ? 'since yesterday' : 'this past week';
  const count = args.topics.length + args.moreCount;
  const lead = `${count} new ${count === 1 ? 'topic' : 'topics'} ${when} in what you follow:`;
  const greeting = `Hi ${args.recipientName},`;
  const textItems = args.topics.map((t) => `* ${t.title} (${t.spaceName}, by ${t.authorName})\n  ${t.url}`).join('\n\n');
  const more = args.moreCount > 0 ? `\n\n…and ${args.moreCount} more at ${args.siteUrl}` : '';
  const htmlItems = args.topics
    .map(
      (t) =>
        `<li style="margin:0 0 16px"><a href="${escapeHtml(t.url)}" style="font-weight:600">${escapeHtml(t.title)}</a><br><span style="font-size:13px;color:#57534e">${escapeHtml(t.spaceName)} · ${escapeHtml(t.authorName)}</span><br>${escapeHtml(t.excerpt)}</li>`,
    )
    .join('\n');
  const moreHtml = args.moreCount > 0 ? paragraph(`…and ${args.moreCount} more.`) : '';
  return {
    subject: `${args.period === 'daily' ? 'Your daily' : 'Your weekly'} digest from ${args.siteName}`,
    template: `digest-${args.period}`,
    text: `${greeting}\n\n${lead}\n\n${textItems}${more}\n\n${textFooter(args.footer)}`,
    html: layout(args.siteName, [paragraph(greeting), paragraph(lead), `<ul style="padding-left:20px">${htmlItems}</ul>`, moreHtml], args.footer, {
      label: `Visit ${args.siteName}`,
      url: args.siteUrl,
    }),
  };
}
