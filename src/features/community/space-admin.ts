import type { AppContext } from '../../platform/context.ts';
import { recordAudit } from '../../platform/audit/index.ts';
import { badRequest, conflict, notFound, validationFailed } from '../../platform/http/errors.ts';
import { requireAdmin, type Actor } from '../admin/service.ts';
import * as accessRepo from './access-repo.ts';
import { accessRuleKind, accessRuleKinds, invalidateSpaceAccess } from './access.ts';
import * as adminRepo from './space-admin-repo.ts';
import type { SpaceInput, SpaceUpdate } from './space-admin-schema.ts';
import type { SpacePerson } from './space-members.ts';
import type { SpaceVisibility, TopicKind } from './tables.ts';

/**
 * Spaces as administrators manage them: create, edit, order, name their moderators and, for exclusive
 * spaces, set the access rules. Every change is audited and drops cached access answers.
 */

export type { Actor };

export interface AdminSpace {
  id: number;
  slug: string;
  name: string;
  description: string;
  icon: string;
  color: string;
  position: number;
  visibility: SpaceVisibility;
  defaultKind: TopicKind;
  topicCount: number;
  replyCount: number;
  moderatorCount: number;
  memberCount: number;
  ruleCount: number;
  createdAt: Date;
  url: string;
}

export interface AccessRule {
  id: number;
  kind: string;
  label: string;
  config: unknown;
  description: string;
}

export interface AdminSpaceDetail extends AdminSpace {
  moderators: SpacePerson[];
  rules: AccessRule[];
}

function toAdminSpace(row: adminRepo.AdminSpaceRow): AdminSpace {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    description: row.description,
    icon: row.icon,
    color: row.color,
    position: row.position,
    visibility: row.visibility,
    defaultKind: row.default_kind,
    topicCount: row.topic_count,
    replyCount: row.reply_count,
    moderatorCount: Number(row.moderator_count),
    memberCount: Number(row.member_count),
    ruleCount: Number(row.rule_count),
    createdAt: row.created_at,
    url: `/s/${row.slug}`,
  };
}

export async function listSpacesForAdmin(ctx: AppContext, actor: Actor): Promise<AdminSpace[]> {
  requireAdmin(actor);
  return (await adminRepo.listAllSpaces(ctx.db)).map(toAdminSpace);
}

async function describeRule(ctx: AppContext, rule: accessRepo.AccessRuleRow): Promise<AccessRule> {
  const kind = accessRuleKind(rule.kind);
  if (!kind) return { id: rule.id, kind: rule.kind, label: rule.kind, config: rule.config, description: `Unknown rule kind "${rule.kind}": it admits nobody.` };
  return { id: rule.id, kind: rule.kind, label: kind.label, config: rule.config, description: await kind.describe(ctx, rule.config) };
}

export async function getSpaceForAdmin(ctx: AppContext, actor: Actor, id: number): Promise<AdminSpaceDetail> {
  requireAdmin(actor);
  const row = await adminRepo.findAdminSpace(ctx.db, id);
  if (!row) throw notFound('We could not find that space.');
  const [moderators, rules] = await Promise.all([accessRepo.listSpaceModerators(ctx.db, id), accessRepo.listAccessRules(ctx.db, id)]);
  return {
    ...toAdminSpace(row),
    moderators: moderators.map((m) => ({ id: m.user_id, username: m.username, displayName: m.display_name, avatarUrl: m.avatar_path, since: m.created_at })),
    rules: await Promise.all(rules.map((r) => describeRule(ctx, r))),
  };
}

export async function createSpace(ctx: AppContext, actor: Actor, input: SpaceInput): Promise<AdminSpaceDetail> {
  const { actorId } = requireAdmin(actor);
  if (await adminRepo.slugTaken(ctx.db, input.slug)) throw validationFailed({ slug: `Another space already uses /s/${input.slug}.` });
  const id = await ctx.db.transaction().execute(async (trx) => {
    const position = input.position ?? (await adminRepo.nextPosition(trx));
    const created = await adminRepo.insertSpace(trx, { ...input, position });
    await recordAudit(trx, { actorId, action: 'space.created', subject: `space:${created.id}`, detail: { slug: input.slug, visibility: input.visibility }, ip: actor.ip });
    return created.id;
  });
  invalidateSpaceAccess();
  return getSpaceForAdmin(ctx, actor, id);
}

export async function updateSpace(ctx: AppContext, actor: Actor, id: number, changes: SpaceUpdate): Promise<AdminSpaceDetail> {
  const { actorId } = requireAdmin(actor);
  const current = await adminRepo.findAdminSpace(ctx.db, id);
  if (!current) throw notFound('We could not find that space.');
  const next: adminRepo.SpaceValues = {
    slug: changes.slug ?? current.slug,
    name: changes.name ?? current.name,
    description: changes.description ?? current.description,
    icon: changes.icon ?? current.icon,
    color: changes.color ?? current.color,
    position: changes.position ?? current.position,
    visibility: changes.visibility ?? current.visibility,
    defaultKind: changes.defaultKind ?? current.default_kind,
  };
  if (next.slug !== current.slug && (await adminRepo.slugTaken(ctx.db, next.slug, id))) throw validationFailed({ slug: `Another space already uses /s/${next.slug}.` });
  const changed = Object.entries(changes)
    .filter(([, v]) => v !== undefined)
    .map(([k]) => k);
  await ctx.db.transaction().execute(async (trx) => {
    await adminRepo.updateSpace(trx, id, next);
    await recordAudit(trx, { actorId, action: 'space.updated', subject: `space:${id}`, detail: { changed, visibility: next.visibility }, ip: actor.ip });
  });
  invalidateSpaceAccess();
  return getSpaceForAdmin(ctx, actor, id);
}

/** Swaps a space with its neighbour; positions are renumbered 1..n so equal positions cannot stick. */
export async function moveSpace(ctx: AppContext, actor: Actor, id: number, direction: 'up' | 'down'): Promise<AdminSpace[]> {
  const { actorId } = requireAdmin(actor);
  await ctx.db.transaction().execute(async (trx) => {
    const ids = (await adminRepo.listAllSpaces(trx)).map((s) => s.id);
    const at = ids.indexOf(id);
    if (at < 0) throw notFound('We could not find that space.');
    const to = direction === 'up' ? at - 1 : at + 1;
    if (to >= 0 && to < ids.length) {
      const other = ids[to];
      if (other !== undefined) {
        ids[to] = id;
        ids[at] = other;
      }
    }
    await adminRepo.setPositions(trx, ids);
    await recordAudit(trx, { actorId, action: 'space.moved', subject: `space:${id}`, detail: { direction }, ip: actor.ip });
  });
  return listSpacesForAdmin(ctx, actor);
}

async function spaceExists(ctx: AppContext, id: number): Promise<adminRepo.AdminSpaceRow> {
  const row = await adminRepo.findAdminSpace(ctx.db, id);
  if (!row) throw notFound('We could not find that space.');
  return row;
}

export async function addSpaceModerator(ctx: AppContext, actor: Actor, id: number, username: string): Promise<AdminSpaceDetail> {
  const { actorId } = requireAdmin(actor);
  await spaceExists(ctx, id);
  const name = username.trim().replace(/^@/, '');
  const [user] = await accessRepo.findUsersByUsername(ctx.db, [name]);
  if (!user) throw validationFailed({ username: `No member is called ${name || 'that'}.` });
  await ctx.db.transaction().execute(async (trx) => {
    if (!(await accessRepo.addSpaceModerator(trx, id, user.id, actorId))) throw conflict(`${user.display_name} already moderates this space.`, 'already_moderator');
    await recordAudit(trx, { actorId, action: 'space.moderator_added', subject: `space:${id}`, detail: { userId: user.id }, ip: actor.ip });
  });
  invalidateSpaceAccess();
  return getSpaceForAdmin(ctx, actor, id);
}

export async function removeSpaceModerator(ctx: AppContext, actor: Actor, id: number, userId: number): Promise<AdminSpaceDetail> {
  const { actorId } = requireAdmin(actor);
  await spaceExists(ctx, id);
  await ctx.db.transaction().execute(async (trx) => {
    if (!(await accessRepo.removeSpaceModerator(trx, id, userId))) throw notFound('That member does not moderate this space.');
    await recordAudit(trx, { actorId, action: 'space.moderator_removed', subject: `space:${id}`, detail: { userId }, ip: actor.ip });
  });
  invalidateSpaceAccess();
  return getSpaceForAdmin(ctx, actor, id);
}

/** Adds an access rule; rules only matter while the space is exclusive, but may be prepared before. */
export async function addAccessRule(ctx: AppContext, actor: Actor, id: number, kindName: string, value: string): Promise<AdminSpaceDetail> {
  const { actorId } = requireAdmin(actor);
  await spaceExists(ctx, id);
  const kind = accessRuleKind(kindName);
  if (!kind) throw validationFailed({ kind: `Choose one of: ${accessRuleKinds().map((k) => k.kind).join(', ')}.` });
  const config = await kind.configFromInput(ctx, value);
  if (config === undefined) throw badRequest('The rule has no configuration.');
  await ctx.db.transaction().execute(async (trx) => {
    const rule = await accessRepo.insertAccessRule(trx, { spaceId: id, kind: kind.kind, config, createdBy: actorId });
    await recordAudit(trx, { actorId, action: 'space.rule_added', subject: `space:${id}`, detail: { ruleId: rule.id, kind: kind.kind }, ip: actor.ip });
  });
  invalidateSpaceAccess();
  return getSpaceForAdmin(ctx, actor, id);
}

export async function removeAccessRule(ctx: AppContext, actor: Actor, id: number, ruleId: number): Promise<AdminSpaceDetail> {
  const { actorId } = requireAdmin(actor);
  await spaceExists(ctx, id);
  await ctx.db.transaction().execute(async (trx) => {
    if (!(await accessRepo.deleteAccessRule(trx, id, ruleId))) throw notFound('We could not find that rule.');
    await recordAudit(trx, { actorId, action: 'space.rule_removed', subject: `space:${id}`, detail: { ruleId }, ip: actor.ip });
  });
  invalidateSpaceAccess();
  return getSpaceForAdmin(ctx, actor, id);
}
