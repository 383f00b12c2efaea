import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Config } from '../../config.ts';

/** What an email's unsubscribe link turns off: mention emails, reply (and accepted answer) emails, or digests. */
export const emailCategories = ['mention', 'reply', 'digest'] as const;
export type EmailCategory = (typeof emailCategories)[number];

export const emailCategoryLabels: Record<EmailCategory, string> = {
  mention: 'emails when someone mentions you',
  reply: 'emails about replies to you and your accepted answers',
  digest: 'the activity digest',
};

function signature(secret: string, userId: number, category: EmailCategory): string {
  return createHmac('sha256', secret).update(`unsubscribe:${userId}:${category}`).digest('base64url');
}

/**
 * `userId.category.hmac`: the link works without signing in (mail clients post it in one click), so
 * the signature is what proves it was ours. It does not expire: an old email must still unsubscribe.
 */
export function unsubscribeToken(config: Pick<Config, 'sessionSecret'>, userId: number, category: EmailCategory): string {
  return `${userId}.${category}.${signature(config.sessionSecret, userId, category)}`;
}

export function verifyUnsubscribeToken(config: Pick<Config, 'sessionSecret'>, token: string): { userId: number; category: EmailCategory } | null {
  const [id, category, sig, ...rest] = token.split('.');
  if (rest.length > 0 || !id || !category || !sig || !/^\d{1,15}$/.test(id)) return null;
  const known = emailCategories.find((c) => c === category);
  if (!known) return null;
  const userId = Number(id);
  const expected = Buffer.from(signature(config.sessionSecret, userId, known));
  const given = Buffer.from(sig);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  return { userId, category: known };
}

export function unsubscribeUrl(config: Pick<Config, 'publicUrl' | 'sessionSecret'>, userId: number, category: EmailCategory): string {
  return `${config.publicUrl}/unsubscribe?token=${encodeURIComponent(unsubscribeToken(config, userId, category))}`;
}

/** RFC 8058 one-click headers; the mailto form goes to the sender's own address for clients that only know that. */
export function unsubscribeHeaders(config: Pick<Config, 'publicUrl' | 'sessionSecret' | 'mailFrom'>, userId: number, category: EmailCategory): Record<string, string> {
  const url = unsubscribeUrl(config, userId, category);
  const sender = /<([^>]+)>/.exec(config.mailFrom)?.[1] ?? config.mailFrom.trim();
  const mailto = `mailto:${sender}?subject=${encodeURIComponent(`unsubscribe ${unsubscribeToken(config, userId, category)}`)}`;
  return {
    'List-Unsubscribe': `<${url}>, <${mailto}>`,
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  };
}
