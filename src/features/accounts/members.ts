import type { AppContext } from '../../platform/context.ts';
import type { CurrentUser } from '../../platform/http/env.ts';
import { readNotificationPrefs } from './service.ts';
import { notificationPrefsSchema, type NotificationPrefs } from './schema.ts';
import { toCurrentUser } from './sessions.ts';

/**
 * Members as other features need them when acting on their behalf outside a request (notifications,
 * digests, unsubscribe links): who they are, what they may see, and how they want to be told.
 */
export interface MemberContact {
  user: CurrentUser;
  prefs: NotificationPrefs;
}

const memberColumns = ['id', 'email', 'display_name', 'username', 'role', 'email_verified_at', 'avatar_path', 'notification_prefs'] as const;

export async function getMemberContacts(ctx: AppContext, ids: number[]): Promise<MemberContact[]> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return [];
  const rows = await ctx.db.selectFrom('users').select(memberColumns).where('id', 'in', unique).execute();
  return rows.map((row) => ({ user: toCurrentUser(row), prefs: readNotificationPrefs(row.notification_prefs) }));
}

export async function getMemberContact(ctx: AppContext, id: number): Promise<MemberContact | null> {
  const [contact] = await getMemberContacts(ctx, [id]);
  return contact ?? null;
}

/** Confirmed members by username (case-insensitive), e.g. for @mentions; unknown names are skipped. */
export async function findMembersByUsernames(ctx: AppContext, usernames: string[]): Promise<MemberContact[]> {
  const lowered = [...new Set(usernames.map((u) => u.toLowerCase()))];
  if (lowered.length === 0) return [];
  const rows = await ctx.db
    .selectFrom('users')
    .select(memberColumns)
    .where((eb) => eb(eb.fn('lower', ['username']), 'in', lowered))
    .where('email_verified_at', 'is not', null)
    .execute();
  return rows.map((row) => ({ user: toCurrentUser(row), prefs: readNotificationPrefs(row.notification_prefs) }));
}

/** Changes some of a member's notification preferences, e.g. from an unsubscribe link (no session needed). */
export async function updateNotificationPrefs(ctx: AppContext, userId: number, patch: Partial<NotificationPrefs>): Promise<NotificationPrefs | null> {
  const contact = await getMemberContact(ctx, userId);
  if (!contact) return null;
  const prefs = notificationPrefsSchema.parse({ ...contact.prefs, ...patch });
  await ctx.db.updateTable('users').set({ notification_prefs: JSON.stringify(prefs), updated_at: new Date() }).where('id', '=', userId).execute();
  return prefs;
}
