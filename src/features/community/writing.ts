import type { AppContext } from '../../platform/context.ts';
import type { CurrentUser } from '../../platform/http/env.ts';
import { unauthorized } from '../../platform/http/errors.ts';
import { renderMarkdown } from '../../platform/markdown/index.ts';
import * as engagementRepo from './engagement-repo.ts';
import { getTopic, visibleSpaceIds, type Viewer } from './service.ts';

/** Help while writing: the editor's preview and @mention suggestions. */

export const MENTION_SUGGESTIONS = 8;
/** Candidates read before the access filter; enough that a private space still fills the list. */
const MENTION_CANDIDATES = 40;

/** The preview is the very HTML a post would get: the same renderer and sanitiser. */
export function previewMarkdown(viewer: Viewer, markdown: string): string {
  if (!viewer) throw unauthorized('Sign in to preview.');
  return renderMarkdown(markdown);
}

export interface MentionSuggestion {
  username: string;
  displayName: string;
  avatarUrl: string | null;
}

function asViewer(row: engagementRepo.MemberMatchRow): CurrentUser {
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    username: row.username,
    role: row.role,
    emailVerified: row.email_verified_at !== null,
    avatarPath: row.avatar_path,
  };
}

/**
 * Members to mention whose username or display name starts with `query`. With a topic, only members
 * who may see the topic's space are suggested, decided by the same access answer as every page
 * (`visibleSpaceIds`), so a mention never names an outsider into a private space's conversation.
 * The topic itself must be visible to the one asking, or it is "not found".
 */
export async function suggestMentions(ctx: AppContext, viewer: Viewer, query: string, topicId?: number): Promise<MentionSuggestion[]> {
  if (!viewer) throw unauthorized('Sign in to mention members.');
  const prefix = query.trim().replace(/^@/, '');
  if (prefix === '') return [];
  const spaceId = topicId === undefined ? undefined : (await getTopic(ctx, viewer, topicId)).space.id;
  const candidates = await engagementRepo.membersByPrefix(ctx.db, prefix, spaceId === undefined ? MENTION_SUGGESTIONS : MENTION_CANDIDATES);
  const suggestions: MentionSuggestion[] = [];
  for (const row of candidates) {
    if (suggestions.length >= MENTION_SUGGESTIONS) break;
    if (spaceId !== undefined && !(await visibleSpaceIds(ctx, asViewer(row))).includes(spaceId)) continue;
    suggestions.push({ username: row.username, displayName: row.display_name, avatarUrl: row.avatar_path });
  }
  return suggestions;
}
