import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHearth, TestClient, type TestHearth } from '../../../test/helpers.ts';
import { createSession } from '../accounts/sessions.ts';
import type { Role } from '../accounts/tables.ts';
import { registerAccessRuleKind } from './access.ts';
import { createReply, createTopic, visibleSpaceIds, type Viewer } from './service.ts';
import type { SpaceVisibility, TopicKind } from './tables.ts';

let t: TestHearth;
let userSeq = 0;

beforeAll(async () => {
  t = await createTestHearth();
});
afterAll(async () => {
  await t.close();
});

interface Member {
  id: number;
  username: string;
  viewer: NonNullable<Viewer>;
  client: TestClient;
}

async function member(role: Role = 'member', opts: { email?: string; joinedAt?: Date } = {}): Promise<Member> {
  userSeq++;
  const username = `access-${userSeq}`;
  const email = opts.email ?? `a${userSeq}@example.com`;
  const row = await t.ctx.db
    .insertInto('users')
    .values({
      email,
      display_name: `Access Member ${userSeq}`,
      username,
      password_hash: null,
      role,
      email_verified_at: new Date(),
      notification_prefs: JSON.stringify({}),
      created_at: opts.joinedAt ?? new Date(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const client = new TestClient(t.hearth);
  client.cookies.set('hearth_session', await createSession(t.ctx.db, row.id, {}));
  const viewer = { id: row.id, email, displayName: `Access Member ${userSeq}`, username, role, emailVerified: true, avatarPath: null };
  return { id: row.id, username, viewer, client };
}

async function space(slug: string, visibility: SpaceVisibility, defaultKind: TopicKind = 'discussion'): Promise<{ id: number; slug: string }> {
  return t.ctx.db
    .insertInto('spaces')
    .values({ slug, name: `Space ${slug}`, description: `About ${slug}`, visibility, default_kind: defaultKind })
    .returning(['id', 'slug'])
    .executeTakeFirstOrThrow();
}

async function events(name: string): Promise<Array<Record<string, unknown>>> {
  const rows = await t.ctx.db.selectFrom('domain_events').select('payload').where('name', '=', name).orderBy('id').execute();
  return rows.map((r) => (typeof r.payload === 'object' && r.payload !== null ? Object.fromEntries(Object.entries(r.payload)) : {}));
}

function need<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('missing test fixture');
  return value;
}

function slugs(body: { items: Array<{ slug: string }> }): string[] {
  return body.items.map((s) => s.slug);
}

describe('who sees what: public, members, private and exclusive spaces', () => {
  type Who = 'anonymous' | 'member' | 'spaceMember' | 'spaceModerator' | 'staff';
  const visibleTo: Record<SpaceVisibility, Who[]> = {
    public: ['anonymous', 'member', 'spaceMember', 'spaceModerator', 'staff'],
    members: ['member', 'spaceMember', 'spaceModerator', 'staff'],
    private: ['spaceMember', 'spaceModerator', 'staff'],
    exclusive: ['spaceMember', 'spaceModerator', 'staff'],
  };
  const clients = new Map<Who, TestClient>();
  const topics = new Map<SpaceVisibility, { id: number; url: string; title: string }>();
  const slugOf = (v: SpaceVisibility) => `matrix-${v}`;

  beforeAll(async () => {
    const staff = await member('moderator');
    const plain = await member();
    const insider = await member();
    const spaceModerator = await member();
    clients.set('anonymous', new TestClient(t.hearth));
    clients.set('member', plain.client);
    clients.set('spaceMember', insider.client);
    clients.set('spaceModerator', spaceModerator.client);
    clients.set('staff', staff.client);
    const spaces = {
      public: await space(slugOf('public'), 'public'),
      members: await space(slugOf('members'), 'members'),
      private: await space(slugOf('private'), 'private'),
      exclusive: await space(slugOf('exclusive'), 'exclusive'),
    };
    await t.ctx.db.insertInto('space_members').values({ space_id: spaces.private.id, user_id: insider.id }).execute();
    await t.ctx.db
      .insertInto('space_access_rules')
      .values({ space_id: spaces.exclusive.id, kind: 'user_list', config: JSON.stringify({ userIds: [insider.id] }) })
      .execute();
    await t.ctx.db
      .insertInto('space_moderators')
      .values([
        { space_id: spaces.private.id, user_id: spaceModerator.id },
        { space_id: spaces.exclusive.id, user_id: spaceModerator.id },
      ])
      .execute();
    for (const v of ['public', 'members', 'private', 'exclusive'] as const) {
      const title = `Matrix topic of the ${v} space`;
      const created = await createTopic(t.ctx, staff.viewer, { space: slugOf(v), kind: 'discussion', title, body: `Body of ${v}.`, pinned: false });
      topics.set(v, { ...created, title });
    }
  });

  for (const who of ['anonymous', 'member', 'spaceMember', 'spaceModerator', 'staff'] as const) {
    it(`${who}: sees exactly the spaces meant for them, on pages and in the API`, async () => {
      const client = need(clients.get(who));
      const home = await (await client.get('/')).text();
      const apiSpaces = slugs(await (await client.get('/api/v1/spaces')).json());
      for (const v of ['public', 'members', 'private', 'exclusive'] as const) {
        const sees = visibleTo[v].includes(who);
        const topic = need(topics.get(v));
        const spacePage = await client.get(`/s/${slugOf(v)}`);
        const spaceHtml = await spacePage.text();
        if (sees) {
          expect(spacePage.status, `${who} on ${v} space page`).toBe(200);
          expect(spaceHtml).toContain(topic.title);
        } else {
          // A signed-in outsider of a private space finds its door; nobody else learns it exists.
          expect(spacePage.status, `${who} on ${v} space page`).toBe(who !== 'anonymous' && v === 'private' ? 403 : 404);
          expect(spaceHtml).not.toContain(topic.title);
        }
        const topicPage = await client.get(topic.url);
        expect(topicPage.status, `${who} on ${v} topic page`).toBe(sees ? 200 : 404);
        if (!sees) expect(await topicPage.text()).not.toContain(topic.title);
        expect(home.includes(topic.title), `${who} home lists ${v} topic`).toBe(sees);
        expect(apiSpaces.includes(slugOf(v)), `${who} /api/v1/spaces lists ${v}`).toBe(sees);
        const apiTopic = await client.get(`/api/v1/topics/${topic.id}`);
        expect(apiTopic.status, `${who} /api/v1/topics/{id} in ${v}`).toBe(sees ? 200 : 404);
        if (sees) expect((await apiTopic.json()).title).toBe(topic.title);
        const apiList = await client.get(`/api/v1/spaces/${slugOf(v)}/topics`);
        expect(apiList.status, `${who} /api/v1/spaces/{slug}/topics in ${v}`).toBe(sees ? 200 : 404);
        if (sees) expect((await apiList.json()).items.map((x: { id: number }) => x.id)).toEqual([topic.id]);
        const latest = (await (await client.get('/api/v1/topics')).json()).items.map((x: { id: number }) => x.id);
        expect(latest.includes(topic.id), `${who} /api/v1/topics lists ${v}`).toBe(sees);
      }
    });
  }

  it('shows signed-in outsiders a private space in the directory with "Request to join", and nobody its topics', async () => {
    const privateTitle = need(topics.get('private')).title;
    const html = await (await need(clients.get('member')).get('/spaces')).text();
    expect(html).toContain('Private spaces you can ask to join');
    expect(html).toContain(`action="/s/${slugOf('private')}/join"`);
    expect(html).not.toContain('Space matrix-exclusive');
    expect(html).not.toContain(privateTitle);
    const anonymous = await (await need(clients.get('anonymous')).get('/spaces')).text();
    expect(anonymous).not.toContain('Space matrix-private');
    const insider = await (await need(clients.get('spaceMember')).get('/spaces')).text();
    expect(insider).not.toContain(`action="/s/${slugOf('private')}/join"`);
    const joinable = await (await need(clients.get('member')).get('/api/v1/spaces/joinable')).json();
    expect(joinable.items).toEqual([{ slug: slugOf('private'), name: 'Space matrix-private', description: 'About matrix-private', icon: 'message', color: '#64748b', url: `/s/${slugOf('private')}`, requested: false }]);
  });
});

describe('joining a private space', () => {
  it('request → approve: the member can then see and post; decline: still outside', async () => {
    const club = await space('field-club', 'private');
    const moderator = await member();
    await t.ctx.db.insertInto('space_moderators').values({ space_id: club.id, user_id: moderator.id }).execute();
    const staff = await member('admin');
    const secret = await createTopic(t.ctx, staff.viewer, { space: 'field-club', kind: 'discussion', title: 'Prototype tent pole field notes', body: 'Secret.', pinned: false });
    const applicant = await member();
    const rejected = await member();

    const door = await applicant.client.get('/s/field-club');
    expect(door.status).toBe(403);
    const doorHtml = await door.text();
    expect(doorHtml).toContain('This space is private');
    expect(doorHtml).toContain('Request to join');
    expect(doorHtml).not.toContain('Prototype tent pole');

    const asked = await applicant.client.postForm('/s/field-club/join', { message: 'I test tents every weekend.' });
    expect(asked.status).toBe(303);
    expect(asked.headers.get('location')).toBe('/s/field-club');
    const waiting = await (await applicant.client.get('/s/field-club')).text();
    expect(waiting).toContain('Your request to join is waiting for a moderator');
    // Asking twice keeps one request and one event.
    await applicant.client.postForm('/s/field-club/join', {});
    const requested = await events('space.join_requested');
    const mine = requested.filter((e) => e.userId === applicant.id);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ spaceId: club.id, userId: applicant.id });

    // Outsiders cannot manage the space; its moderator sees the request.
    expect((await applicant.client.get('/s/field-club/members')).status).toBe(404);
    const membersPage = await moderator.client.get('/s/field-club/members');
    expect(membersPage.status).toBe(200);
    const membersHtml = await membersPage.text();
    expect(membersHtml).toContain(applicant.viewer.displayName);
    expect(membersHtml).toContain('I test tents every weekend.');
    const requestId = Number(mine[0]?.requestId);

    const approved = await moderator.client.postForm(`/s/field-club/members/requests/${requestId}/approve`, {});
    expect(approved.status).toBe(303);
    const added = (await events('space.member_added')).filter((e) => e.userId === applicant.id);
    expect(added).toEqual([{ spaceId: club.id, userId: applicant.id, addedById: moderator.id, via: 'request', requestId }]);

    const inside = await applicant.client.get('/s/field-club');
    expect(inside.status).toBe(200);
    expect(await inside.text()).toContain('Prototype tent pole field notes');
    expect((await applicant.client.get(secret.url)).status).toBe(200);
    const posted = await applicant.client.postForm('/new', { space: 'field-club', kind: 'question', title: 'Which guy lines survive hail?', body: 'Asking the testers.' });
    expect(posted.status).toBe(303);
    const reply = await applicant.client.json('POST', `/api/v1/topics/${secret.id}/replies`, { body: 'Mine bent at 40 km/h.' });
    expect(reply.status).toBe(201);

    // The other applicant asks through the API and is declined.
    const apiAsk = await rejected.client.json('POST', '/api/v1/spaces/field-club/join', { message: 'Please?' });
    expect(apiAsk.status).toBe(202);
    const ask = await apiAsk.json();
    expect(ask.status).toBe('pending');
    const pending = await (await moderator.client.get('/api/v1/spaces/field-club/members')).json();
    expect(pending.requests.map((r: { user: { id: number } }) => r.user.id)).toEqual([rejected.id]);
    expect(pending.members.map((m: { id: number }) => m.id)).toEqual([applicant.id]);
    const declined = await moderator.client.json('POST', `/api/v1/spaces/field-club/join-requests/${ask.requestId}/decline`);
    expect(declined.status).toBe(200);
    expect((await declined.json()).status).toBe('declined');
    expect((await events('space.join_declined')).filter((e) => e.userId === rejected.id)).toHaveLength(1);
    expect((await rejected.client.get(secret.url)).status).toBe(404);
    expect((await rejected.client.get('/s/field-club')).status).toBe(403);
    expect((await rejected.client.json('POST', `/api/v1/topics/${secret.id}/replies`, { body: 'Let me in' })).status).toBe(404);
    const refused = await rejected.client.postForm('/new', { space: 'field-club', kind: 'discussion', title: 'Sneaking a topic in', body: 'x' });
    expect(refused.status).toBe(400);
    // Deciding twice is refused.
    expect((await moderator.client.json('POST', `/api/v1/spaces/field-club/join-requests/${ask.requestId}/approve`)).status).toBe(409);
  });

  it('lets a space moderator invite by username and remove a member; plain members cannot', async () => {
    const club = await space('invite-club', 'private');
    const moderator = await member();
    await t.ctx.db.insertInto('space_moderators').values({ space_id: club.id, user_id: moderator.id }).execute();
    const guest = await member();
    const insider = await member();
    await t.ctx.db.insertInto('space_members').values({ space_id: club.id, user_id: insider.id }).execute();

    // A member of the space who is not its moderator sees it but may not manage it.
    expect((await insider.client.get('/s/invite-club/members')).status).toBe(403);
    expect((await insider.client.json('POST', '/api/v1/spaces/invite-club/members', { username: guest.username })).status).toBe(403);

    const unknown = await moderator.client.postForm('/s/invite-club/members/invite', { username: 'nobody-by-that-name' });
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain('No member is called nobody-by-that-name.');

    const invited = await moderator.client.postForm('/s/invite-club/members/invite', { username: `@${guest.username}` });
    expect(invited.status).toBe(303);
    expect((await guest.client.get('/s/invite-club')).status).toBe(200);
    expect((await events('space.member_added')).filter((e) => e.userId === guest.id)).toEqual([{ spaceId: club.id, userId: guest.id, addedById: moderator.id, via: 'invitation' }]);
    expect((await visibleSpaceIds(t.ctx, guest.viewer)).includes(club.id)).toBe(true);

    const removed = await moderator.client.postForm(`/s/invite-club/members/${guest.id}/remove`, {});
    expect(removed.status).toBe(303);
    expect((await guest.client.get('/s/invite-club')).status).toBe(403);
    expect((await visibleSpaceIds(t.ctx, guest.viewer)).includes(club.id)).toBe(false);

    const left = await insider.client.postForm('/s/invite-club/leave', {});
    expect(left.status).toBe(303);
    expect((await insider.client.get('/s/invite-club')).status).toBe(403);
    expect((await events('space.member_removed')).filter((e) => e.spaceId === club.id).map((e) => e.via)).toEqual(['removed', 'left']);
  });
});

describe('exclusive spaces and access rules', () => {
  it('admits exactly the members a user_list rule names', async () => {
    const vault = await space('summit-vault', 'exclusive');
    const listed = [await member(), await member()];
    const others = [await member(), await member()];
    await t.ctx.db
      .insertInto('space_access_rules')
      .values({ space_id: vault.id, kind: 'user_list', config: JSON.stringify({ userIds: listed.map((m) => m.id) }) })
      .execute();
    for (const m of listed) expect((await visibleSpaceIds(t.ctx, m.viewer)).includes(vault.id)).toBe(true);
    for (const m of others) expect((await visibleSpaceIds(t.ctx, m.viewer)).includes(vault.id)).toBe(false);
    // An exclusive space takes no requests: there is nothing to ask for.
    expect((await others[0]?.client.json('POST', '/api/v1/spaces/summit-vault/join', {}))?.status).toBe(404);
  });

  it('admits members by role and by join date', async () => {
    const old = await space('old-timers', 'exclusive');
    await t.ctx.db
      .insertInto('space_access_rules')
      .values([{ space_id: old.id, kind: 'member_since', config: JSON.stringify({ before: '2020-01-01' }) }])
      .execute();
    const veteran = await member('member', { joinedAt: new Date('2019-06-01T00:00:00Z') });
    const newcomer = await member('member', { joinedAt: new Date('2021-06-01T00:00:00Z') });
    expect((await visibleSpaceIds(t.ctx, veteran.viewer)).includes(old.id)).toBe(true);
    expect((await visibleSpaceIds(t.ctx, newcomer.viewer)).includes(old.id)).toBe(false);
  });

  it('honours a rule kind another feature registers, and ignores unknown kinds', async () => {
    registerAccessRuleKind('email_domain', (_ctx, subject, config) => {
      const domain = typeof config === 'object' && config !== null && 'domain' in config ? config.domain : null;
      return typeof domain === 'string' && subject.user.email.endsWith(`@${domain}`);
    });
    const admin = await member('admin');
    const lounge = await space('partner-lounge', 'exclusive');
    const added = await admin.client.json('POST', `/api/v1/admin/spaces/${lounge.id}/rules`, { kind: 'email_domain', value: '{"domain":"partner.test"}' });
    expect(added.status).toBe(201);
    expect((await added.json()).rules.map((r: { kind: string; config: unknown }) => [r.kind, r.config])).toEqual([['email_domain', { domain: 'partner.test' }]]);
    const partner = await member('member', { email: 'kim@partner.test' });
    const outsider = await member('member', { email: 'kim@elsewhere.test' });
    await createTopic(t.ctx, admin.viewer, { space: 'partner-lounge', kind: 'discussion', title: 'Partner pricing for next season', body: 'Prices.', pinned: false });
    expect((await partner.client.get('/s/partner-lounge')).status).toBe(200);
    expect(await (await partner.client.get('/')).text()).toContain('Partner pricing for next season');
    expect((await outsider.client.get('/s/partner-lounge')).status).toBe(404);
    expect(await (await outsider.client.get('/')).text()).not.toContain('Partner pricing for next season');

    const ghost = await space('ghost-rule', 'exclusive');
    await t.ctx.db.insertInto('space_access_rules').values({ space_id: ghost.id, kind: 'no_such_kind', config: JSON.stringify({}) }).execute();
    expect((await visibleSpaceIds(t.ctx, partner.viewer)).includes(ghost.id)).toBe(false);
  });
});

describe('space moderators', () => {
  it('accept answers in their own space but not elsewhere', async () => {
    const help = await space('trail-help', 'public', 'question');
    const other = await space('other-help', 'public', 'question');
    const moderator = await member();
    await t.ctx.db.insertInto('space_moderators').values({ space_id: help.id, user_id: moderator.id }).execute();
    const asker = await member();
    const answerer = await member();
    const mine = await createTopic(t.ctx, asker.viewer, { space: 'trail-help', kind: 'question', title: 'How do I re-proof a rain shell?', body: 'It wets out.', pinned: false });
    const theirs = await createTopic(t.ctx, asker.viewer, { space: 'other-help', kind: 'question', title: 'Which insoles for flat feet?', body: 'Long days.', pinned: false });
    const answer = await createReply(t.ctx, answerer.viewer, mine.id, { body: 'Wash it, then tumble dry warm.' });
    const otherAnswer = await createReply(t.ctx, answerer.viewer, theirs.id, { body: 'Try a firm arch.' });

    const page = await (await moderator.client.get(mine.url)).text();
    expect(page).toContain(`action="/t/${mine.id}/accept"`);
    const otherPage = await (await moderator.client.get(theirs.url)).text();
    expect(otherPage).not.toContain(`action="/t/${theirs.id}/accept"`);

    const accepted = await moderator.client.json('POST', `/api/v1/topics/${mine.id}/accept`, { replyId: answer.reply.id });
    expect(accepted.status).toBe(200);
    expect((await accepted.json()).acceptedReplyId).toBe(answer.reply.id);
    const refused = await moderator.client.json('POST', `/api/v1/topics/${theirs.id}/accept`, { replyId: otherAnswer.reply.id });
    expect(refused.status).toBe(403);
    expect(other.id).toBeGreaterThan(0);
  });
});

describe('space administration', () => {
  it('refuses members and moderators with 403, and sends visitors to sign in', async () => {
    const plain = await member();
    const moderator = await member('moderator');
    for (const who of [plain, moderator]) {
      expect((await who.client.get('/admin/spaces')).status).toBe(403);
      expect((await who.client.get('/api/v1/admin/spaces')).status).toBe(403);
      expect((await who.client.json('POST', '/api/v1/admin/spaces', { name: 'Nope', slug: 'nope' })).status).toBe(403);
      expect((await who.client.postForm('/admin/spaces/new', { name: 'Nope', slug: 'nope' })).status).toBe(403);
    }
    const anonymous = await new TestClient(t.hearth).get('/admin/spaces');
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toBe('/login?next=%2Fadmin%2Fspaces');
    expect(await t.ctx.db.selectFrom('spaces').select('id').where('slug', '=', 'nope').executeTakeFirst()).toBeUndefined();
  });

  it('creates, edits, orders and closes spaces, and names their moderators', async () => {
    const admin = await member('admin');
    const reader = await member();
    const list = await admin.client.get('/admin/spaces');
    expect(list.status).toBe(200);
    expect(await list.text()).toContain('href="/admin/spaces"');

    const bad = await admin.client.postForm('/admin/spaces/new', { name: '', slug: 'Not A Slug', icon: 'message', color: '#123456', visibility: 'public', defaultKind: 'discussion' });
    expect(bad.status).toBe(400);
    const badHtml = await bad.text();
    expect(badHtml).toContain('Give the space a name.');
    expect(badHtml).toContain('Use lowercase letters, digits and single hyphens');

    const created = await admin.client.postForm('/admin/spaces/new', {
      name: 'Camp Kitchen',
      slug: 'camp-kitchen',
      description: 'Stoves, pots and recipes.',
      icon: 'flame',
      color: '#EA580C',
      position: '',
      visibility: 'public',
      defaultKind: 'question',
    });
    expect(created.status).toBe(303);
    const row = await t.ctx.db.selectFrom('spaces').selectAll().where('slug', '=', 'camp-kitchen').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ name: 'Camp Kitchen', icon: 'flame', color: '#ea580c', visibility: 'public', default_kind: 'question' });
    expect(created.headers.get('location')).toBe(`/admin/spaces/${row.id}`);
    const edit = await (await admin.client.get(`/admin/spaces/${row.id}`)).text();
    expect(edit).toContain('value="Camp Kitchen"');

    const taken = await admin.client.json('POST', '/api/v1/admin/spaces', { name: 'Again', slug: 'camp-kitchen' });
    expect(taken.status).toBe(400);
    expect((await taken.json()).error.fields.slug).toBe('Another space already uses /s/camp-kitchen.');
    const second = await admin.client.json('POST', '/api/v1/admin/spaces', { name: 'Map Room', slug: 'map-room', icon: 'book', visibility: 'members' });
    expect(second.status).toBe(201);
    const secondBody = await second.json();
    expect(secondBody).toMatchObject({ slug: 'map-room', icon: 'book', visibility: 'members', defaultKind: 'discussion', moderators: [], rules: [] });
    expect(secondBody.position).toBeGreaterThan(row.position);

    // Up/down buttons swap neighbours.
    const before = slugs(await (await admin.client.get('/api/v1/admin/spaces')).json());
    expect(before.slice(-2)).toEqual(['camp-kitchen', 'map-room']);
    const moved = await admin.client.postForm(`/admin/spaces/${secondBody.id}/move`, { direction: 'up' });
    expect(moved.status).toBe(303);
    const after = slugs(await (await admin.client.get('/api/v1/admin/spaces')).json());
    expect(after.slice(-2)).toEqual(['map-room', 'camp-kitchen']);
    expect(slugs(await (await reader.client.get('/api/v1/spaces')).json()).slice(-2)).toEqual(['map-room', 'camp-kitchen']);

    // Moderators by username, through the page and the API.
    const helper = await member();
    const named = await admin.client.postForm(`/admin/spaces/${row.id}/moderators`, { username: helper.username });
    expect(named.status).toBe(303);
    const detail = await (await admin.client.get(`/api/v1/admin/spaces/${row.id}`)).json();
    expect(detail.moderators.map((m: { id: number }) => m.id)).toEqual([helper.id]);
    const unknown = await admin.client.postForm(`/admin/spaces/${row.id}/moderators`, { username: 'ghost-user' });
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain('No member is called ghost-user.');
    const dropped = await admin.client.json('DELETE', `/api/v1/admin/spaces/${row.id}/moderators/${helper.id}`);
    expect((await dropped.json()).moderators).toEqual([]);

    // Closing a space hides it from members at once.
    await createTopic(t.ctx, admin.viewer, { space: 'camp-kitchen', kind: 'question', title: 'Best one-pot trail dinner?', body: 'Go.', pinned: false });
    expect(await (await reader.client.get('/')).text()).toContain('Best one-pot trail dinner?');
    const closed = await admin.client.postForm(`/admin/spaces/${row.id}`, {
      name: 'Camp Kitchen',
      slug: 'camp-kitchen',
      description: 'Stoves, pots and recipes.',
      icon: 'flame',
      color: '#ea580c',
      position: String(row.position),
      visibility: 'private',
      defaultKind: 'question',
    });
    expect(closed.status).toBe(303);
    expect(await (await reader.client.get('/')).text()).not.toContain('Best one-pot trail dinner?');
    expect((await reader.client.get('/s/camp-kitchen')).status).toBe(403);
    const patched = await admin.client.json('PATCH', `/api/v1/admin/spaces/${row.id}`, { visibility: 'exclusive' });
    expect((await patched.json()).visibility).toBe('exclusive');
    expect((await reader.client.get('/s/camp-kitchen')).status).toBe(404);

    // Rules through the form: usernames become ids; a wrong name is a field error.
    const wrong = await admin.client.postForm(`/admin/spaces/${row.id}/rules`, { kind: 'user_list', value: 'ghost-user' });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain('No member is called ghost-user.');
    const rule = await admin.client.postForm(`/admin/spaces/${row.id}/rules`, { kind: 'user_list', value: `${reader.username}` });
    expect(rule.status).toBe(303);
    expect((await reader.client.get('/s/camp-kitchen')).status).toBe(200);
    const rules = (await (await admin.client.get(`/api/v1/admin/spaces/${row.id}`)).json()).rules;
    expect(rules).toEqual([{ id: rules[0].id, kind: 'user_list', label: 'Listed members', config: { userIds: [reader.id] }, description: `Listed members: @${reader.username}` }]);
    const removed = await admin.client.postForm(`/admin/spaces/${row.id}/rules/${rules[0].id}/remove`, {});
    expect(removed.status).toBe(303);
    expect((await reader.client.get('/s/camp-kitchen')).status).toBe(404);

    const audit = await t.ctx.db.selectFrom('audit_log').select('action').where('subject', '=', `space:${row.id}`).orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual([
      'space.created',
      'space.moderator_added',
      'space.moderator_removed',
      'space.updated',
      'space.updated',
      'space.rule_added',
      'space.rule_removed',
    ]);
  });
});
