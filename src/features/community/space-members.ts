import type { AppContext } from '../../platform/context.ts';
import type { CurrentUser } from '../../platform/http/env.ts';
import { badRequest, conflict, forbidden, notFound, unauthorized, validationFailed } from '../../platform/http/errors.ts';
import { publishEvent } from '../../platform/jobs/registry.ts';
import * as accessRepo from './access-repo.ts';
import { canModerateSpace, invalidateSpaceAccess, isStaffRole, loadSpaceAccess } from './access.ts';
import * as repo from './repo.ts';
import { canSeeSpace, getSpace, type Space, type Viewer } from './service.ts';
import type { SpaceVisibility } from './tables.ts';

/**
 * Membership of private spaces: a member asks to join and a moderator of the space (or staff) approves
 * or declines; a moderator may also invite a member by username, or remove one. Publishes
 * `space.join_requested`, `space.member_added`, `space.join_declined` and `space.member_removed`.
 *
 * What outsiders learn: a signed-in member may see a private space's name and description (the spaces
 * directory lists it with "Request to join", as closed groups do on Khoros and Discourse), never its
 * topics or counts. Anonymous visitors learn nothing, and exclusive spaces are not shown to anyone they
 * do not admit: their rules decide, so there is nothing to ask for.
 */

export const MEMBERS_PAGE_LIMIT = 500;
const REQUEST_MESSAGE_MAX = 500;

export interface SpacePerson {
  id: number;
  username: string;
  displayName: string;
  avatarUrl: string | null;
  since: Date;
}

export interface JoinRequest {
  id: number;
  spaceId: number;
  user: { id: number; username: string; displayName: string; avatarUrl: string | null };
  message: string;
  status: 'pending' | 'approved' | 'declined';
  createdAt: Date;
  decidedAt: Date | null;
}

/** What a signed-in outsider may know of a private space. */
export interface ClosedSpace {
  id: number;
  slug: string;
  name: string;
  description: string;
  icon: string;
  color: string;
  url: string;
  /** The viewer's request is waiting for a moderator. */
  requested: boolean;
}

function toPerson(row: accessRepo.SpacePersonRow): SpacePerson {
  return { id: row.user_id, username: row.username, displayName: row.display_name, avatarUrl: row.avatar_path, since: row.created_at };
}

function toJoinRequest(row: accessRepo.JoinRequestRow): JoinRequest {
  return {
    id: row.id,
    spaceId: row.space_id,
    user: { id: row.user_id, username: row.username, displayName: row.display_name, avatarUrl: row.avatar_path },
    message: row.message,
    status: row.status,
    createdAt: row.created_at,
    decidedAt: row.decided_at,
  };
}

function toClosedSpace(row: repo.SpaceRow, requested: boolean): ClosedSpace {
  return { id: row.id, slug: row.slug, name: row.name, description: row.description, icon: row.icon, color: row.color, url: `/s/${row.slug}`, requested };
}

// ------------------------------------------------------------------------------------------- outsiders

/**
 * A private space the viewer may not enter yet, for the "This space is private" page; null when the
 * viewer may enter it, or may not know of it (anonymous, exclusive, unknown), so the caller answers as
 * for any space.
 */
export async function findClosedSpace(ctx: AppContext, viewer: Viewer, slug: string): Promise<ClosedSpace | null> {
  if (!viewer || isStaffRole(viewer.role)) return null;
  const row = await repo.findSpaceBySlug(ctx.db, slug);
  if (!row || row.visibility !== 'private') return null;
  if (await canSeeSpace(ctx, viewer, row)) return null;
  const pending = await accessRepo.findPendingJoinRequest(ctx.db, row.id, viewer.id);
  return toClosedSpace(row, pending !== undefined);
}

/** Private spaces the viewer could ask to join, for the spaces directory. */
export async function listJoinableSpaces(ctx: AppContext, viewer: Viewer): Promise<ClosedSpace[]> {
  if (!viewer || isStaffRole(viewer.role)) return [];
  const rows = await repo.listSpaces(ctx.db, ['private']);
  if (rows.length === 0) return [];
  const access = await loadSpaceAccess(ctx, viewer);
  const closed = rows.filter((r) => !access.memberOf.has(r.id) && !access.moderates.has(r.id));
  const pending = new Set(
    await accessRepo.pendingRequestSpaceIds(
      ctx.db,
      viewer.id,
      closed.map((r) => r.id),
    ),
  );
  return closed.map((r) => toClosedSpace(r, pending.has(r.id)));
}

/** Asks to join a private space. Asking again while a request waits changes nothing. */
export async function requestToJoin(ctx: AppContext, viewer: Viewer, slug: string, message = ''): Promise<{ status: 'pending' | 'member'; requestId: number | null; space: ClosedSpace }> {
  if (!viewer) throw unauthorized('Sign in to ask to join this space.');
  const row = await repo.findSpaceBySlug(ctx.db, slug);
  // Only private spaces reveal themselves to outsiders; for any other the answer is "not found".
  if (!row || (row.visibility !== 'private' && !(await canSeeSpace(ctx, viewer, row)))) throw notFound('We could not find that space.');
  if (await canSeeSpace(ctx, viewer, row)) return { status: 'member', requestId: null, space: toClosedSpace(row, false) };
  if (row.visibility !== 'private') throw badRequest('Only private spaces take requests to join.', 'not_private');
  const text = message.trim().slice(0, REQUEST_MESSAGE_MAX);
  const request = await ctx.db.transaction().execute(async (trx) => {
    const created = await accessRepo.insertJoinRequest(trx, row.id, viewer.id, text);
    if (created.created) {
      await publishEvent(trx, ctx.jobs, 'space.join_requested', { requestId: created.id, spaceId: row.id, userId: viewer.id }, viewer.id);
    }
    return created;
  });
  return { status: 'pending', requestId: request.id, space: toClosedSpace(row, true) };
}

// ------------------------------------------------------------------------------------------ moderators

/** The space, for someone who may moderate it: staff or its own moderators. Others get 404 or 403. */
async function spaceToModerate(ctx: AppContext, viewer: Viewer, slug: string): Promise<{ actor: CurrentUser; space: Space }> {
  if (!viewer) throw unauthorized('Sign in to manage this space.');
  const space = await getSpace(ctx, viewer, slug);
  if (!(await canModerateSpace(ctx, viewer, space.id))) throw forbidden('Only the moderators of this space can manage its members.');
  return { actor: viewer, space };
}

function assertHasMembers(space: { visibility: SpaceVisibility; name: string }): void {
  if (space.visibility !== 'private') throw badRequest(`${space.name} is not private: there are no members to manage.`, 'not_private');
}

export interface SpaceMembership {
  space: Space;
  requests: JoinRequest[];
  members: SpacePerson[];
  memberCount: number;
  moderators: SpacePerson[];
}

export async function getSpaceMembership(ctx: AppContext, viewer: Viewer, slug: string): Promise<SpaceMembership> {
  const { space } = await spaceToModerate(ctx, viewer, slug);
  const [requests, members, memberCount, moderators] = await Promise.all([
    space.visibility === 'private' ? accessRepo.listPendingJoinRequests(ctx.db, space.id, MEMBERS_PAGE_LIMIT) : Promise.resolve([]),
    space.visibility === 'private' ? accessRepo.listSpaceMembers(ctx.db, space.id, MEMBERS_PAGE_LIMIT) : Promise.resolve([]),
    space.visibility === 'private' ? accessRepo.countSpaceMembers(ctx.db, space.id) : Promise.resolve(0),
    accessRepo.listSpaceModerators(ctx.db, space.id),
  ]);
  return { space, requests: requests.map(toJoinRequest), members: members.map(toPerson), memberCount, moderators: moderators.map(toPerson) };
}

async function decide(ctx: AppContext, viewer: Viewer, slug: string, requestId: number, decision: 'approved' | 'declined'): Promise<JoinRequest> {
  const { actor, space } = await spaceToModerate(ctx, viewer, slug);
  const request = await accessRepo.findJoinRequest(ctx.db, requestId);
  if (!request || request.space_id !== space.id) throw notFound('We could not find that request.');
  if (request.status !== 'pending') throw conflict(`That request was already ${request.status}.`, 'already_decided');
  const at = new Date();
  await ctx.db.transaction().execute(async (trx) => {
    if (!(await accessRepo.decideJoinRequest(trx, request.id, decision, actor.id, at))) throw conflict('That request was decided a moment ago.', 'already_decided');
    if (decision === 'declined') {
      await publishEvent(trx, ctx.jobs, 'space.join_declined', { requestId: request.id, spaceId: space.id, userId: request.user_id, decidedById: actor.id }, actor.id);
      return;
    }
    if (space.visibility === 'private' && (await accessRepo.addSpaceMember(trx, space.id, request.user_id, actor.id))) {
      await publishEvent(trx, ctx.jobs, 'space.member_added', { spaceId: space.id, userId: request.user_id, addedById: actor.id, via: 'request', requestId: request.id }, actor.id);
    }
  });
  invalidateSpaceAccess();
  const decided = await accessRepo.findJoinRequest(ctx.db, request.id);
  if (!decided) throw notFound('We could not find that request.');
  return toJoinRequest(decided);
}

export function approveJoinRequest(ctx: AppContext, viewer: Viewer, slug: string, requestId: number): Promise<JoinRequest> {
  return decide(ctx, viewer, slug, requestId, 'approved');
}

export function declineJoinRequest(ctx: AppContext, viewer: Viewer, slug: string, requestId: number): Promise<JoinRequest> {
  return decide(ctx, viewer, slug, requestId, 'declined');
}

/** Adds a member by username; a request they had waiting is approved with it. */
export async function inviteMember(ctx: AppContext, viewer: Viewer, slug: string, username: string): Promise<{ member: { id: number; username: string; displayName: string }; added: boolean }> {
  const { actor, space } = await spaceToModerate(ctx, viewer, slug);
  assertHasMembers(space);
  const name = username.trim().replace(/^@/, '');
  if (!name) throw validationFailed({ username: 'Type the username of the member to invite.' });
  const [user] = await accessRepo.findUsersByUsername(ctx.db, [name]);
  if (!user) throw validationFailed({ username: `No member is called ${name}.` });
  const at = new Date();
  const added = await ctx.db.transaction().execute(async (trx) => {
    const isNew = await accessRepo.addSpaceMember(trx, space.id, user.id, actor.id);
    await accessRepo.approvePendingRequest(trx, space.id, user.id, actor.id, at);
    if (isNew) await publishEvent(trx, ctx.jobs, 'space.member_added', { spaceId: space.id, userId: user.id, addedById: actor.id, via: 'invitation' }, actor.id);
    return isNew;
  });
  invalidateSpaceAccess();
  return { member: { id: user.id, username: user.username, displayName: user.display_name }, added };
}

export async function removeMember(ctx: AppContext, viewer: Viewer, slug: string, userId: number): Promise<void> {
  const { actor, space } = await spaceToModerate(ctx, viewer, slug);
  assertHasMembers(space);
  await ctx.db.transaction().execute(async (trx) => {
    if (!(await accessRepo.removeSpaceMember(trx, space.id, userId))) throw notFound('That member is not in this space.');
    await publishEvent(trx, ctx.jobs, 'space.member_removed', { spaceId: space.id, userId, removedById: actor.id, via: 'removed' }, actor.id);
  });
  invalidateSpaceAccess();
}

/** A member leaves a private space of their own accord. */
export async function leaveSpace(ctx: AppContext, viewer: Viewer, slug: string): Promise<Space> {
  if (!viewer) throw unauthorized('Sign in to leave this space.');
  const space = await getSpace(ctx, viewer, slug);
  assertHasMembers(space);
  await ctx.db.transaction().execute(async (trx) => {
    if (!(await accessRepo.removeSpaceMember(trx, space.id, viewer.id))) throw badRequest('You are not a member of this space.', 'not_a_member');
    await publishEvent(trx, ctx.jobs, 'space.member_removed', { spaceId: space.id, userId: viewer.id, removedById: viewer.id, via: 'left' }, viewer.id);
  });
  invalidateSpaceAccess();
  return space;
}

/** Whether the viewer is a member of this private space (for the space page's "Leave" button). */
export async function isMemberOf(ctx: AppContext, viewer: Viewer, spaceId: number): Promise<boolean> {
  if (!viewer) return false;
  return (await loadSpaceAccess(ctx, viewer)).memberOf.has(spaceId);
}
