import { z } from 'zod';
import type { MountArgs } from '../index.ts';
import type { HearthContext } from '../../platform/http/env.ts';
import { AppError, fromZodError, notFound } from '../../platform/http/errors.ts';
import { readFormBody } from '../../platform/http/body.ts';
import { clientIp } from '../../platform/http/client-ip.ts';
import { redirectWithFlash } from '../../platform/http/flash.ts';
import { pageSchema } from '../../platform/http/pagination.ts';
import { renderPage } from '../../web/layout.tsx';
import { requireAdmin } from '../admin/service.ts';
import { renderAdminPage } from '../admin/views/shell.tsx';
import { accessRuleKinds } from './access.ts';
import * as spaceAdmin from './space-admin.ts';
import {
  adminSpaceDetailSchema,
  adminSpaceSchema,
  closedSpaceSchema,
  joinBody,
  joinRequestSchema,
  joinResultSchema,
  membershipSchema,
  moveBody,
  ruleBody,
  slugParams,
  slugRequestParams,
  slugUserParams,
  spaceForm,
  spaceIdParams,
  spaceInput,
  spaceRuleParams,
  spaceUpdate,
  spaceUserParams,
  usernameBody,
} from './space-admin-schema.ts';
import * as members from './space-members.ts';
import { EditSpacePage, NewSpacePage, spaceFormState, AdminSpacesPage, type PersonFormState, type RuleFormState, type SpaceFormState } from './views/space-admin-pages.tsx';
import { PrivateSpacePage, SpaceMembersPage, type InviteFormState } from './views/space-access-pages.tsx';

/**
 * Space administration (/admin/spaces and /api/v1/admin/spaces) and space membership (joining private
 * spaces, and each space's members page for its moderators). Mounted before the community's own routes,
 * so the "This space is private" page answers `/s/:slug` for members who may not enter yet.
 */

function actorOf(c: HearthContext): spaceAdmin.Actor {
  return { user: c.get('user'), apiScopes: c.get('apiScopes'), ip: clientIp(c) };
}

/** A visitor who is not signed in is sent to sign in and brought back, rather than shown a 401 page. */
function signInFirst(handler: (c: HearthContext) => Promise<Response>) {
  return async (c: HearthContext): Promise<Response> => {
    try {
      return await handler(c);
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 401) throw err;
      const url = new URL(c.req.url);
      const next = c.req.method === 'GET' ? url.pathname + url.search : url.pathname.replace(/\/[^/]+$/, '');
      return c.redirect(`/login?next=${encodeURIComponent(next)}`, 303);
    }
  };
}

function slugOf(c: HearthContext): string {
  return c.req.param('slug') ?? '';
}

function parseOr404<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw notFound();
  return result.data;
}

function text(raw: Record<string, unknown>, key: string): string | undefined {
  const v = raw[key];
  return typeof v === 'string' ? v : undefined;
}

const iso = (d: Date) => d.toISOString();

const personJson = (p: members.SpacePerson) => ({ id: p.id, username: p.username, displayName: p.displayName, avatarUrl: p.avatarUrl, since: iso(p.since) });

const requestJson = (r: members.JoinRequest) => ({ ...r, createdAt: iso(r.createdAt), decidedAt: r.decidedAt ? iso(r.decidedAt) : null });

const adminSpaceJson = (s: spaceAdmin.AdminSpace) => ({
  id: s.id,
  slug: s.slug,
  name: s.name,
  description: s.description,
  icon: s.icon,
  color: s.color,
  position: s.position,
  visibility: s.visibility,
  defaultKind: s.defaultKind,
  topicCount: s.topicCount,
  replyCount: s.replyCount,
  moderatorCount: s.moderatorCount,
  memberCount: s.memberCount,
  ruleCount: s.ruleCount,
  createdAt: iso(s.createdAt),
  url: s.url,
});

const adminSpaceDetailJson = (s: spaceAdmin.AdminSpaceDetail) => ({ ...adminSpaceJson(s), moderators: s.moderators.map(personJson), rules: s.rules });

const membershipJson = (m: members.SpaceMembership) => ({
  space: { id: m.space.id, slug: m.space.slug, name: m.space.name, visibility: m.space.visibility },
  requests: m.requests.map(requestJson),
  members: m.members.map(personJson),
  memberCount: m.memberCount,
  moderators: m.moderators.map(personJson),
});

function spaceStateFromForm(raw: Record<string, unknown>): SpaceFormState {
  return {
    name: text(raw, 'name'),
    slug: text(raw, 'slug'),
    description: text(raw, 'description'),
    icon: text(raw, 'icon'),
    color: text(raw, 'color'),
    position: text(raw, 'position'),
    visibility: text(raw, 'visibility'),
    defaultKind: text(raw, 'defaultKind'),
  };
}

/** Field problems (400) go back to the form; anything else is the global handler's. */
function formProblem(err: unknown): AppError | null {
  return err instanceof AppError && err.status === 400 && err.fields ? err : null;
}

export function mountSpaceAccessRoutes({ app, api, ctx }: MountArgs): void {
  // ------------------------------------------------------------------------------- membership pages

  // Falls through to the space page unless a signed-in member is outside a private space.
  app.get('/s/:slug', async (c, next) => {
    const closed = await members.findClosedSpace(ctx, c.get('user'), c.req.param('slug'));
    if (!closed) return next();
    return renderPage(c, { title: closed.name, description: closed.description, section: 'community', noindex: true }, <PrivateSpacePage c={c} space={closed} />, 403);
  });

  app.post(
    '/s/:slug/join',
    signInFirst(async (c) => {
      const raw = await readFormBody(c);
      const result = await members.requestToJoin(ctx, c.get('user'), slugOf(c), text(raw, 'message') ?? '');
      if (result.status === 'member') return redirectWithFlash(c, result.space.url, 'info', `You are already in ${result.space.name}.`);
      return redirectWithFlash(c, result.space.url, 'success', `Your request to join ${result.space.name} is sent to its moderators.`);
    }),
  );

  app.post(
    '/s/:slug/leave',
    signInFirst(async (c) => {
      const space = await members.leaveSpace(ctx, c.get('user'), slugOf(c));
      return redirectWithFlash(c, '/spaces', 'success', `You left ${space.name}.`);
    }),
  );

  async function renderMembers(c: HearthContext, invite: InviteFormState = {}, status: 200 | 400 = 200) {
    const membership = await members.getSpaceMembership(ctx, c.get('user'), slugOf(c));
    return renderPage(c, { title: `Members of ${membership.space.name}`, section: 'community', noindex: true }, <SpaceMembersPage c={c} membership={membership} invite={invite} />, status);
  }

  app.get(
    '/s/:slug/members',
    signInFirst((c) => renderMembers(c)),
  );

  app.post(
    '/s/:slug/members/invite',
    signInFirst(async (c) => {
      const raw = await readFormBody(c);
      const username = text(raw, 'username') ?? '';
      try {
        const { member, added } = await members.inviteMember(ctx, c.get('user'), slugOf(c), username);
        const to = `/s/${slugOf(c)}/members`;
        return redirectWithFlash(c, to, added ? 'success' : 'info', added ? `${member.displayName} is now a member.` : `${member.displayName} was already a member.`);
      } catch (err) {
        const problem = formProblem(err);
        if (!problem) throw err;
        return renderMembers(c, { username, error: problem.fields?.username ?? problem.message }, 400);
      }
    }),
  );

  for (const decision of ['approve', 'decline'] as const) {
    app.post(
      `/s/:slug/members/requests/:requestId{[0-9]+}/${decision}`,
      signInFirst(async (c) => {
        const slug = slugOf(c);
        const requestId = Number(c.req.param('requestId') ?? '');
        const request = decision === 'approve' ? await members.approveJoinRequest(ctx, c.get('user'), slug, requestId) : await members.declineJoinRequest(ctx, c.get('user'), slug, requestId);
        const message = decision === 'approve' ? `${request.user.displayName} is now a member.` : `The request from ${request.user.displayName} was declined.`;
        return redirectWithFlash(c, `/s/${slug}/members`, 'success', message);
      }),
    );
  }

  app.post(
    '/s/:slug/members/:userId{[0-9]+}/remove',
    signInFirst(async (c) => {
      const slug = slugOf(c);
      await members.removeMember(ctx, c.get('user'), slug, Number(c.req.param('userId') ?? ''));
      return redirectWithFlash(c, `/s/${slug}/members`, 'success', 'The member was removed from the space.');
    }),
  );

  // ------------------------------------------------------------------------------------ admin pages

  app.get(
    '/admin/spaces',
    signInFirst(async (c) => renderAdminPage(c, 'Spaces', 'spaces', <AdminSpacesPage c={c} spaces={await spaceAdmin.listSpacesForAdmin(ctx, actorOf(c))} />)),
  );

  app.get(
    '/admin/spaces/new',
    signInFirst(async (c) => {
      requireAdmin(actorOf(c));
      return renderAdminPage(c, 'New space', 'spaces', <NewSpacePage c={c} form={{ visibility: 'public', defaultKind: 'discussion', icon: 'message', color: '#64748b' }} />);
    }),
  );

  app.post(
    '/admin/spaces/new',
    signInFirst(async (c) => {
      const actor = actorOf(c);
      const raw = await readFormBody(c);
      const state = spaceStateFromForm(raw);
      const parsed = spaceForm.safeParse(raw);
      try {
        if (!parsed.success) throw fromZodError(parsed.error);
        const space = await spaceAdmin.createSpace(ctx, actor, parsed.data);
        return redirectWithFlash(c, `/admin/spaces/${space.id}`, 'success', `${space.name} is created.`);
      } catch (err) {
        const problem = formProblem(err);
        if (!problem) throw err;
        return renderAdminPage(c, 'New space', 'spaces', <NewSpacePage c={c} form={{ ...state, message: 'Please correct the highlighted fields.', fields: problem.fields }} />, 400);
      }
    }),
  );

  async function renderEdit(c: HearthContext, id: number, opts: { form?: SpaceFormState; moderatorForm?: PersonFormState; ruleForm?: RuleFormState; status?: 200 | 400 } = {}) {
    const space = await spaceAdmin.getSpaceForAdmin(ctx, actorOf(c), id);
    return renderAdminPage(
      c,
      space.name,
      'spaces',
      <EditSpacePage c={c} space={space} form={opts.form ?? spaceFormState(space)} ruleKinds={accessRuleKinds()} moderatorForm={opts.moderatorForm} ruleForm={opts.ruleForm} />,
      opts.status ?? 200,
    );
  }

  app.get(
    '/admin/spaces/:id{[0-9]+}',
    signInFirst(async (c) => renderEdit(c, parseOr404(spaceIdParams, c.req.param()).id)),
  );

  app.post(
    '/admin/spaces/:id{[0-9]+}',
    signInFirst(async (c) => {
      const { id } = parseOr404(spaceIdParams, c.req.param());
      const raw = await readFormBody(c);
      const state = spaceStateFromForm(raw);
      try {
        const parsed = spaceForm.safeParse(raw);
        if (!parsed.success) throw fromZodError(parsed.error);
        const space = await spaceAdmin.updateSpace(ctx, actorOf(c), id, parsed.data);
        return redirectWithFlash(c, `/admin/spaces/${id}`, 'success', `${space.name} is saved.`);
      } catch (err) {
        const problem = formProblem(err);
        if (!problem) throw err;
        return renderEdit(c, id, { form: { ...state, message: 'Please correct the highlighted fields.', fields: problem.fields }, status: 400 });
      }
    }),
  );

  app.post(
    '/admin/spaces/:id{[0-9]+}/move',
    signInFirst(async (c) => {
      const { id } = parseOr404(spaceIdParams, c.req.param());
      const parsed = moveBody.safeParse(await readFormBody(c));
      if (!parsed.success) throw fromZodError(parsed.error);
      await spaceAdmin.moveSpace(ctx, actorOf(c), id, parsed.data.direction);
      return redirectWithFlash(c, '/admin/spaces', 'success', 'The order of spaces is saved.');
    }),
  );

  app.post(
    '/admin/spaces/:id{[0-9]+}/moderators',
    signInFirst(async (c) => {
      const { id } = parseOr404(spaceIdParams, c.req.param());
      const username = text(await readFormBody(c), 'username') ?? '';
      try {
        await spaceAdmin.addSpaceModerator(ctx, actorOf(c), id, username);
        return redirectWithFlash(c, `/admin/spaces/${id}#moderators`, 'success', `@${username.replace(/^@/, '')} now moderates this space.`);
      } catch (err) {
        if (err instanceof AppError && err.status === 409) return redirectWithFlash(c, `/admin/spaces/${id}#moderators`, 'info', err.message);
        const problem = formProblem(err);
        if (!problem) throw err;
        return renderEdit(c, id, { moderatorForm: { username, error: problem.fields?.username ?? problem.message }, status: 400 });
      }
    }),
  );

  app.post(
    '/admin/spaces/:id{[0-9]+}/moderators/:userId{[0-9]+}/remove',
    signInFirst(async (c) => {
      const { id, userId } = parseOr404(spaceUserParams, c.req.param());
      await spaceAdmin.removeSpaceModerator(ctx, actorOf(c), id, userId);
      return redirectWithFlash(c, `/admin/spaces/${id}#moderators`, 'success', 'The moderator was removed.');
    }),
  );

  app.post(
    '/admin/spaces/:id{[0-9]+}/rules',
    signInFirst(async (c) => {
      const { id } = parseOr404(spaceIdParams, c.req.param());
      const raw = await readFormBody(c);
      const ruleForm = { kind: text(raw, 'kind'), value: text(raw, 'value') };
      try {
        const parsed = ruleBody.safeParse(ruleForm);
        if (!parsed.success) throw fromZodError(parsed.error);
        await spaceAdmin.addAccessRule(ctx, actorOf(c), id, parsed.data.kind, parsed.data.value);
        return redirectWithFlash(c, `/admin/spaces/${id}#rules`, 'success', 'The rule is added.');
      } catch (err) {
        const problem = formProblem(err);
        if (!problem) throw err;
        return renderEdit(c, id, { ruleForm: { ...ruleForm, fields: problem.fields }, status: 400 });
      }
    }),
  );

  app.post(
    '/admin/spaces/:id{[0-9]+}/rules/:ruleId{[0-9]+}/remove',
    signInFirst(async (c) => {
      const { id, ruleId } = parseOr404(spaceRuleParams, c.req.param());
      await spaceAdmin.removeAccessRule(ctx, actorOf(c), id, ruleId);
      return redirectWithFlash(c, `/admin/spaces/${id}#rules`, 'success', 'The rule was removed.');
    }),
  );

  // ------------------------------------------------------------------------------- JSON: membership

  const tag = 'Space membership';

  api.route({
    method: 'get',
    path: '/spaces/joinable',
    summary: 'Private spaces you could ask to join',
    description: 'Names and descriptions only: their topics stay hidden until a moderator admits you.',
    tag,
    access: { scope: 'read' },
    response: pageSchema(closedSpaceSchema),
    handler: async (c) => {
      const spaces = await members.listJoinableSpaces(ctx, c.get('user'));
      return { items: spaces.map((s) => ({ slug: s.slug, name: s.name, description: s.description, icon: s.icon, color: s.color, url: s.url, requested: s.requested })), nextCursor: null };
    },
  });

  api.route({
    method: 'post',
    path: '/spaces/{slug}/join',
    summary: 'Ask to join a private space',
    description: 'Publishes `space.join_requested`. Asking again while a request waits changes nothing.',
    tag,
    access: { scope: 'write' },
    params: slugParams,
    body: joinBody,
    response: joinResultSchema,
    status: 202,
    handler: async (c, { params, body }) => {
      const result = await members.requestToJoin(ctx, c.get('user'), params.slug, body.message ?? '');
      return { status: result.status, requestId: result.requestId };
    },
  });

  api.route({
    method: 'post',
    path: '/spaces/{slug}/leave',
    summary: 'Leave a private space',
    description: 'Publishes `space.member_removed`.',
    tag,
    access: { scope: 'write' },
    params: slugParams,
    response: z.object({ left: z.literal(true) }),
    handler: async (c, { params }) => {
      await members.leaveSpace(ctx, c.get('user'), params.slug);
      return { left: true as const };
    },
  });

  api.route({
    method: 'get',
    path: '/spaces/{slug}/members',
    summary: "A space's pending requests, members and moderators",
    description: "For the space's moderators and staff.",
    tag,
    access: { scope: 'read' },
    params: slugParams,
    response: membershipSchema,
    handler: async (c, { params }) => membershipJson(await members.getSpaceMembership(ctx, c.get('user'), params.slug)),
  });

  api.route({
    method: 'post',
    path: '/spaces/{slug}/members',
    summary: 'Invite a member into a private space by username',
    description: 'For the space\'s moderators and staff; the member is added at once. Publishes `space.member_added`.',
    tag,
    access: { scope: 'write' },
    params: slugParams,
    body: usernameBody,
    response: z.object({ member: z.object({ id: z.number().int(), username: z.string(), displayName: z.string() }), added: z.boolean() }),
    status: 201,
    handler: async (c, { params, body }) => members.inviteMember(ctx, c.get('user'), params.slug, body.username),
  });

  api.route({
    method: 'delete',
    path: '/spaces/{slug}/members/{userId}',
    summary: 'Remove a member from a private space',
    description: 'Publishes `space.member_removed`.',
    tag,
    access: { scope: 'write' },
    params: slugUserParams,
    response: z.object({ removed: z.literal(true) }),
    handler: async (c, { params }) => {
      await members.removeMember(ctx, c.get('user'), params.slug, params.userId);
      return { removed: true as const };
    },
  });

  for (const decision of ['approve', 'decline'] as const) {
    api.route({
      method: 'post',
      path: `/spaces/{slug}/join-requests/{requestId}/${decision}`,
      summary: decision === 'approve' ? 'Approve a request to join' : 'Decline a request to join',
      description: decision === 'approve' ? 'Adds the member. Publishes `space.member_added`.' : 'Publishes `space.join_declined`.',
      tag,
      access: { scope: 'write' },
      params: slugRequestParams,
      response: joinRequestSchema,
      handler: async (c, { params }) => {
        const request =
          decision === 'approve'
            ? await members.approveJoinRequest(ctx, c.get('user'), params.slug, params.requestId)
            : await members.declineJoinRequest(ctx, c.get('user'), params.slug, params.requestId);
        return requestJson(request);
      },
    });
  }

  // ------------------------------------------------------------------------------------ JSON: admin

  const adminTag = 'Admin: spaces';
  const access = { scope: 'admin' } as const;

  api.route({
    method: 'get',
    path: '/admin/spaces',
    summary: 'Every space, in order, with counts',
    tag: adminTag,
    access,
    response: pageSchema(adminSpaceSchema),
    handler: async (c) => ({ items: (await spaceAdmin.listSpacesForAdmin(ctx, actorOf(c))).map(adminSpaceJson), nextCursor: null }),
  });

  api.route({
    method: 'post',
    path: '/admin/spaces',
    summary: 'Create a space',
    tag: adminTag,
    access,
    body: spaceInput,
    response: adminSpaceDetailSchema,
    status: 201,
    handler: async (c, { body }) => adminSpaceDetailJson(await spaceAdmin.createSpace(ctx, actorOf(c), body)),
  });

  api.route({
    method: 'get',
    path: '/admin/spaces/{id}',
    summary: 'One space with its moderators and access rules',
    tag: adminTag,
    access,
    params: spaceIdParams,
    response: adminSpaceDetailSchema,
    handler: async (c, { params }) => adminSpaceDetailJson(await spaceAdmin.getSpaceForAdmin(ctx, actorOf(c), params.id)),
  });

  api.route({
    method: 'patch',
    path: '/admin/spaces/{id}',
    summary: 'Change a space; only the fields given change',
    tag: adminTag,
    access,
    params: spaceIdParams,
    body: spaceUpdate,
    response: adminSpaceDetailSchema,
    handler: async (c, { params, body }) => adminSpaceDetailJson(await spaceAdmin.updateSpace(ctx, actorOf(c), params.id, body)),
  });

  api.route({
    method: 'post',
    path: '/admin/spaces/{id}/move',
    summary: 'Move a space one place up or down',
    tag: adminTag,
    access,
    params: spaceIdParams,
    body: moveBody,
    response: pageSchema(adminSpaceSchema),
    handler: async (c, { params, body }) => ({ items: (await spaceAdmin.moveSpace(ctx, actorOf(c), params.id, body.direction)).map(adminSpaceJson), nextCursor: null }),
  });

  api.route({
    method: 'post',
    path: '/admin/spaces/{id}/moderators',
    summary: 'Make a member a moderator of this space',
    tag: adminTag,
    access,
    params: spaceIdParams,
    body: usernameBody,
    response: adminSpaceDetailSchema,
    status: 201,
    handler: async (c, { params, body }) => adminSpaceDetailJson(await spaceAdmin.addSpaceModerator(ctx, actorOf(c), params.id, body.username)),
  });

  api.route({
    method: 'delete',
    path: '/admin/spaces/{id}/moderators/{userId}',
    summary: 'Remove a moderator of this space',
    tag: adminTag,
    access,
    params: spaceUserParams,
    response: adminSpaceDetailSchema,
    handler: async (c, { params }) => adminSpaceDetailJson(await spaceAdmin.removeSpaceModerator(ctx, actorOf(c), params.id, params.userId)),
  });

  api.route({
    method: 'get',
    path: '/admin/access-rule-kinds',
    summary: 'The kinds of access rule exclusive spaces can use',
    description: 'Built in: role, member_since, user_list; other features register more (a loyalty tier, a purchase).',
    tag: adminTag,
    access,
    response: z.object({ items: z.array(z.object({ kind: z.string(), label: z.string(), inputHint: z.string() })) }),
    handler: async (c) => {
      requireAdmin(actorOf(c));
      return { items: accessRuleKinds().map((k) => ({ kind: k.kind, label: k.label, inputHint: k.inputHint })) };
    },
  });

  api.route({
    method: 'post',
    path: '/admin/spaces/{id}/rules',
    summary: 'Add an access rule to a space',
    description: 'A member who satisfies any rule of an exclusive space may enter it. `value` is read by the kind, e.g. usernames for user_list.',
    tag: adminTag,
    access,
    params: spaceIdParams,
    body: ruleBody,
    response: adminSpaceDetailSchema,
    status: 201,
    handler: async (c, { params, body }) => adminSpaceDetailJson(await spaceAdmin.addAccessRule(ctx, actorOf(c), params.id, body.kind, body.value)),
  });

  api.route({
    method: 'delete',
    path: '/admin/spaces/{id}/rules/{ruleId}',
    summary: 'Remove an access rule',
    tag: adminTag,
    access,
    params: spaceRuleParams,
    response: adminSpaceDetailSchema,
    handler: async (c, { params }) => adminSpaceDetailJson(await spaceAdmin.removeAccessRule(ctx, actorOf(c), params.id, params.ruleId)),
  });

}
