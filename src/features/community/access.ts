import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import type { CurrentUser } from '../../platform/http/env.ts';
import { validationFailed } from '../../platform/http/errors.ts';
import type { Role } from '../accounts/tables.ts';
import * as accessRepo from './access-repo.ts';
import type { SpaceVisibility } from './tables.ts';

/**
 * Who may enter which space. Public spaces are open to everyone and members-only spaces to anyone signed
 * in; a private space admits its members (invited, or admitted on request by its moderators); an
 * exclusive space admits whoever satisfies one of its access rules. Staff and a space's own moderators
 * always enter. `visibleSpaceIds` in service.ts turns this into the one answer every feature filters by.
 */

// ------------------------------------------------------------------------------------ kept answers

/**
 * Pages ask "may this viewer see that space?" many times per request, so a member's access is loaded
 * once and kept on their `CurrentUser` object, which lives for one request. A change of membership in
 * this process bumps the generation and so drops every kept answer; the short lifetime bounds what a
 * long-lived object (a live-updates stream) could miss from a change made on another process.
 */
const ACCESS_TTL_MS = 5_000;
let accessGeneration = 0;
const accessByViewer = new WeakMap<CurrentUser, { generation: number; at: number; access: Promise<SpaceAccess> }>();

function bumpAccessGeneration(): void {
  accessGeneration++;
}

// ------------------------------------------------------------------------------------------ access rules

/** The member an access rule is judged against. */
export interface AccessSubject {
  user: CurrentUser;
  joinedAt: Date;
}

/**
 * Decides whether a member satisfies one rule. `config` is the rule's stored JSON, untrusted: parse it
 * and answer false when it does not fit. Runs for every exclusive space's rules on each signed-in
 * request (once per request), so an evaluator that queries should use an index and stay cheap.
 */
export type AccessRuleEvaluator = (ctx: AppContext, subject: AccessSubject, config: unknown) => boolean | Promise<boolean>;

export interface AccessRuleKindOptions {
  /** How the admin area names this kind, e.g. "Loyalty tier". */
  label: string;
  /** What an administrator types in the rule's value field. */
  inputHint: string;
  /** Turns the value field's text into the stored config; throws `validationFailed({ value })` when it is wrong. */
  configFromInput(ctx: AppContext, input: string): Promise<unknown> | unknown;
  /** The rule in words for the admin area, e.g. "Members who joined before 1 Jan 2024". */
  describe(ctx: AppContext, config: unknown): Promise<string> | string;
}

export interface AccessRuleKind extends AccessRuleKindOptions {
  kind: string;
  evaluate: AccessRuleEvaluator;
}

const ruleKinds = new Map<string, AccessRuleKind>();

const defaultOptions = (kind: string): AccessRuleKindOptions => ({
  label: kind,
  inputHint: 'JSON configuration of the rule.',
  configFromInput: (_ctx, input) => {
    try {
      return JSON.parse(input) as unknown;
    } catch {
      throw validationFailed({ value: 'Write the configuration as JSON.' });
    }
  },
  describe: (_ctx, config) => `${kind}: ${JSON.stringify(config)}`,
});

/**
 * Adds a rule kind other features grant access with (loyalty registers `tier`, commerce `purchase`).
 * Registering a kind again replaces it, so a feature can be reloaded in tests.
 */
export function registerAccessRuleKind(kind: string, evaluate: AccessRuleEvaluator, options: Partial<AccessRuleKindOptions> = {}): void {
  if (!/^[a-z][a-z0-9_]*$/.test(kind)) throw new Error(`Access rule kinds are lower_snake_case; got "${kind}".`);
  ruleKinds.set(kind, { ...defaultOptions(kind), ...options, kind, evaluate });
  bumpAccessGeneration();
}

export function accessRuleKinds(): AccessRuleKind[] {
  return [...ruleKinds.values()];
}

export function accessRuleKind(kind: string): AccessRuleKind | undefined {
  return ruleKinds.get(kind);
}

/** An unknown kind (its feature was removed) admits nobody: access fails closed. */
async function evaluateRule(ctx: AppContext, subject: AccessSubject, rule: accessRepo.AccessRuleRow): Promise<boolean> {
  const kind = ruleKinds.get(rule.kind);
  if (!kind) return false;
  try {
    return (await kind.evaluate(ctx, subject, rule.config)) === true;
  } catch (err) {
    ctx.log.error({ err, ruleId: rule.id, kind: rule.kind }, 'access rule failed; it admits nobody');
    return false;
  }
}

const roleRuleConfig = z.object({ roles: z.array(z.enum(['member', 'moderator', 'admin'])).min(1) });
const memberSinceConfig = z.object({ before: z.iso.date() });
const userListConfig = z.object({ userIds: z.array(z.number().int().positive()) });

export const roleRuleKind = 'role';
export const memberSinceRuleKind = 'member_since';
export const userListRuleKind = 'user_list';

registerAccessRuleKind(roleRuleKind, (_ctx, subject, config) => {
  const parsed = roleRuleConfig.safeParse(config);
  return parsed.success && parsed.data.roles.includes(subject.user.role);
}, {
  label: 'Role',
  inputHint: 'Roles admitted, separated by commas: member, moderator, admin.',
  configFromInput: (_ctx, input) => {
    const roles = splitList(input).map((r) => r.toLowerCase());
    const parsed = roleRuleConfig.safeParse({ roles });
    if (!parsed.success) throw validationFailed({ value: 'List one or more of member, moderator and admin.' });
    return { roles: [...new Set(parsed.data.roles)] };
  },
  describe: (_ctx, config) => {
    const parsed = roleRuleConfig.safeParse(config);
    return parsed.success ? `Members with the role ${parsed.data.roles.join(' or ')}` : 'Role (invalid configuration)';
  },
});

registerAccessRuleKind(memberSinceRuleKind, (_ctx, subject, config) => {
  const parsed = memberSinceConfig.safeParse(config);
  return parsed.success && subject.joinedAt.getTime() < Date.parse(`${parsed.data.before}T00:00:00Z`);
}, {
  label: 'Member since',
  inputHint: 'A date, YYYY-MM-DD: members who joined before it are admitted.',
  configFromInput: (_ctx, input) => {
    const parsed = memberSinceConfig.safeParse({ before: input.trim() });
    if (!parsed.success) throw validationFailed({ value: 'Give a date as YYYY-MM-DD.' });
    return parsed.data;
  },
  describe: (_ctx, config) => {
    const parsed = memberSinceConfig.safeParse(config);
    return parsed.success ? `Members who joined before ${parsed.data.before}` : 'Member since (invalid configuration)';
  },
});

registerAccessRuleKind(userListRuleKind, (_ctx, subject, config) => {
  const parsed = userListConfig.safeParse(config);
  return parsed.success && parsed.data.userIds.includes(subject.user.id);
}, {
  label: 'Listed members',
  inputHint: 'Usernames, separated by commas or spaces.',
  configFromInput: async (ctx, input) => {
    const names = [...new Set(splitList(input).map((n) => n.replace(/^@/, '')))];
    if (names.length === 0) throw validationFailed({ value: 'List at least one username.' });
    const users = await accessRepo.findUsersByUsername(ctx.db, names);
    const found = new Set(users.map((u) => u.username.toLowerCase()));
    const missing = names.filter((n) => !found.has(n.toLowerCase()));
    if (missing.length) throw validationFailed({ value: `No member is called ${missing.join(', ')}.` });
    return { userIds: users.map((u) => u.id).sort((a, b) => a - b) };
  },
  describe: async (ctx, config) => {
    const parsed = userListConfig.safeParse(config);
    if (!parsed.success) return 'Listed members (invalid configuration)';
    const users = await accessRepo.findUsersById(ctx.db, parsed.data.userIds);
    return `Listed members: ${users.map((u) => `@${u.username}`).join(', ') || 'nobody'}`;
  },
});

function splitList(input: string): string[] {
  return input
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

// ------------------------------------------------------------------------------- a member's space access

/** Which private and exclusive spaces one member may enter, and which spaces they moderate. */
export interface SpaceAccess {
  memberOf: ReadonlySet<number>;
  moderates: ReadonlySet<number>;
  admittedByRule: ReadonlySet<number>;
}

const NO_ACCESS: SpaceAccess = { memberOf: new Set(), moderates: new Set(), admittedByRule: new Set() };

/** Call after any change to memberships, moderators, rules or a space's visibility. */
export function invalidateSpaceAccess(): void {
  bumpAccessGeneration();
}

export function isStaffRole(role: Role): boolean {
  return role === 'moderator' || role === 'admin';
}

export function loadSpaceAccess(ctx: AppContext, viewer: CurrentUser): Promise<SpaceAccess> {
  const kept = accessByViewer.get(viewer);
  if (kept && kept.generation === accessGeneration && Date.now() - kept.at < ACCESS_TTL_MS) return kept.access;
  const access = computeSpaceAccess(ctx, viewer);
  accessByViewer.set(viewer, { generation: accessGeneration, at: Date.now(), access });
  // A failed load is not kept: the next question asks the database again.
  access.catch(() => accessByViewer.delete(viewer));
  return access;
}

async function computeSpaceAccess(ctx: AppContext, viewer: CurrentUser): Promise<SpaceAccess> {
  const profile = await accessRepo.loadAccessProfile(ctx.db, viewer.id);
  if (!profile) return NO_ACCESS;
  const subject: AccessSubject = { user: viewer, joinedAt: profile.joinedAt };
  const admitted = new Set<number>();
  const verdicts = await Promise.all(profile.rules.map(async (rule) => ({ spaceId: rule.spaceId, ok: await evaluateRule(ctx, subject, rule) })));
  for (const v of verdicts) if (v.ok) admitted.add(v.spaceId);
  return { memberOf: new Set(profile.memberOf), moderates: new Set(profile.moderates), admittedByRule: admitted };
}

/**
 * Whether a viewer may see a space, given the viewer's loaded access (null when not needed: anonymous
 * visitors, staff, or a public or members-only space).
 */
export function canSeeSpaceWith(viewer: CurrentUser | null, space: { id: number; visibility: SpaceVisibility }, access: SpaceAccess | null): boolean {
  if (space.visibility === 'public') return true;
  if (!viewer) return false;
  if (isStaffRole(viewer.role) || space.visibility === 'members') return true;
  if (!access) return false;
  if (access.moderates.has(space.id)) return true;
  if (space.visibility === 'private') return access.memberOf.has(space.id);
  return access.admittedByRule.has(space.id);
}

/** True when answering needs the viewer's memberships (a signed-in non-staff member and a closed space). */
export function needsSpaceAccess(viewer: CurrentUser | null, visibility: SpaceVisibility): viewer is CurrentUser {
  return viewer !== null && !isStaffRole(viewer.role) && (visibility === 'private' || visibility === 'exclusive');
}

/** A member named moderator of this one space (global staff are not, though they may moderate it). */
export async function isSpaceModerator(ctx: AppContext, viewer: CurrentUser | null, spaceId: number): Promise<boolean> {
  if (!viewer) return false;
  return (await loadSpaceAccess(ctx, viewer)).moderates.has(spaceId);
}

/** Staff, or a moderator of this space: who may accept answers in it and admit its members. */
export async function canModerateSpace(ctx: AppContext, viewer: CurrentUser | null, spaceId: number): Promise<boolean> {
  if (!viewer) return false;
  return isStaffRole(viewer.role) || isSpaceModerator(ctx, viewer, spaceId);
}
