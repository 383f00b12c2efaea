import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHearth, TestClient, type TestHearth } from '../../../test/helpers.ts';
import { queueMail } from '../../platform/mail/index.ts';
import { enqueueJob } from '../../platform/jobs/registry.ts';
import { JobWorker } from '../../platform/jobs/worker.ts';
import { createSession, SESSION_COOKIE } from '../accounts/sessions.ts';
import type { Role } from '../accounts/tables.ts';

let t: TestHearth;
let adminId: number;
let memberId: number;
let admin: TestClient;
let member: TestClient;

async function createUser(name: string, role: Role, verified = true): Promise<number> {
  const username = name.toLowerCase().replace(/\s+/g, '-');
  const row = await t.ctx.db
    .insertInto('users')
    .values({
      email: `${username}@example.com`,
      display_name: name,
      username,
      role,
      email_verified_at: verified ? new Date() : null,
      notification_prefs: JSON.stringify({}),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function signedIn(userId: number): Promise<TestClient> {
  const client = new TestClient(t.hearth);
  client.cookies.set(SESSION_COOKIE, await createSession(t.ctx.db, userId, {}));
  return client;
}

async function lastAudit() {
  return t.ctx.db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').executeTakeFirstOrThrow();
}

beforeAll(async () => {
  t = await createTestHearth();
  adminId = await createUser('Ada Admin', 'admin');
  memberId = await createUser('Mo Member', 'member', false);
  admin = await signedIn(adminId);
  member = await signedIn(memberId);
});
afterAll(async () => {
  await t.close();
});

describe('admin access', () => {
  const pages = ['/admin', '/admin/jobs', '/admin/mail', '/admin/api-keys', '/admin/users', '/admin/settings', '/admin/audit'];

  it('sends an anonymous visitor to sign in and back', async () => {
    const res = await t.hearth.app.request('/admin/jobs?state=dead');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/login?next=${encodeURIComponent('/admin/jobs?state=dead')}`);
  });

  it('refuses members every page and JSON twin with 403', async () => {
    for (const path of pages) {
      expect((await member.get(path)).status, path).toBe(403);
    }
    const json = await member.get('/api/v1/admin/overview', { accept: 'application/json' });
    expect(json.status).toBe(403);
    expect((await json.json()).error.code).toBe('forbidden');
    expect((await t.hearth.app.request('/api/v1/admin/users')).status).toBe(401);
  });

  it('shows every page to an admin inside the admin shell', async () => {
    for (const path of pages) {
      const res = await admin.get(path);
      expect(res.status, path).toBe(200);
      const html = await res.text();
      expect(html, path).toContain('aria-label="Admin"');
      expect(html, path).toContain(`href="${path}" aria-current="page"`);
    }
  });

  it('lists every admin endpoint in the OpenAPI document with the admin scope', async () => {
    const doc = await (await t.hearth.app.request('/api/v1/openapi.json')).json();
    for (const path of ['/api/v1/admin/overview', '/api/v1/admin/jobs', '/api/v1/admin/jobs/{id}', '/api/v1/admin/mail', '/api/v1/admin/api-keys', '/api/v1/admin/users', '/api/v1/admin/settings', '/api/v1/admin/audit']) {
      expect(doc.paths[path], path).toBeDefined();
      expect(doc.paths[path].get.security[0].bearerAuth).toEqual(['admin']);
    }
    expect(doc.paths['/api/v1/admin/users/{id}'].patch).toBeDefined();
  });
});

describe('overview', () => {
  it('counts members, verified members, jobs and kept mail', async () => {
    const before = await (await admin.get('/api/v1/admin/overview')).json();
    await enqueueJob(t.ctx.db, 'test.overview', {});
    const res = await admin.get('/api/v1/admin/overview');
    const overview = await res.json();
    const users = await t.ctx.db.selectFrom('users').select(['email_verified_at']).execute();
    expect(overview.members).toBe(users.length);
    expect(overview.verifiedMembers).toBe(users.filter((u) => u.email_verified_at).length);
    expect(overview.verifiedMembers).toBeLessThan(overview.members);
    expect(overview.jobs.queued).toBe(before.jobs.queued + 1);
    const html = await (await admin.get('/admin')).text();
    expect(html).toContain('Jobs queued');
    await t.ctx.db.deleteFrom('jobs').where('kind', '=', 'test.overview').execute();
  });
});

describe('jobs', () => {
  it('retries a dead job from the page, resetting attempts, and writes an audit entry', async () => {
    const id = await enqueueJob(t.ctx.db, 'test.never-defined', { order: 7 }, { maxAttempts: 1 });
    if (id === null) throw new Error('job not enqueued');
    await new JobWorker(t.ctx).runDue();
    const dead = await t.ctx.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(dead.state).toBe('dead');
    expect(dead.attempts).toBe(1);

    const list = await (await admin.get('/admin/jobs?state=dead')).text();
    expect(list).toContain(`href="/admin/jobs/${id}"`);
    expect(list).toContain('No handler is defined for job kind test.never-defined');
    expect(list).toContain('Retry all dead');

    const detail = await (await admin.get(`/admin/jobs/${id}`)).text();
    expect(detail).toContain('&quot;order&quot;: 7');

    const res = await admin.postForm(`/admin/jobs/${id}/retry`, { return: '/admin/jobs?state=dead' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/admin/jobs?state=dead');
    const queued = await t.ctx.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(queued.state).toBe('queued');
    expect(queued.attempts).toBe(0);
    expect(queued.finished_at).toBeNull();
    expect(queued.run_at.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
    const audit = await lastAudit();
    expect(audit).toMatchObject({ actor_id: adminId, action: 'job.retried', subject: `job:${id}` });
    expect(audit.detail).toMatchObject({ previousState: 'dead', kind: 'test.never-defined' });

    // A queued job is not retryable.
    const again = await admin.json('POST', `/api/v1/admin/jobs/${id}/retry`);
    expect(again.status).toBe(409);
    await t.ctx.db.deleteFrom('jobs').where('id', '=', id).execute();
  });

  it('retries all dead jobs at once through the API', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) {
      const id = await enqueueJob(t.ctx.db, 'test.never-defined', { i }, { maxAttempts: 1 });
      if (id !== null) ids.push(id);
    }
    await new JobWorker(t.ctx).runDue();
    const res = await admin.json('POST', '/api/v1/admin/jobs/retry-dead');
    expect(res.status).toBe(200);
    expect((await res.json()).retried).toBe(3);
    const states = await t.ctx.db.selectFrom('jobs').select('state').where('id', 'in', ids).execute();
    expect(states.map((s) => s.state)).toEqual(['queued', 'queued', 'queued']);
    expect((await lastAudit()).action).toBe('job.retried_all_dead');
    await t.ctx.db.deleteFrom('jobs').where('id', 'in', ids).execute();
  });

  it('pages through jobs with a cursor without skipping or repeating', async () => {
    const ids = new Set<number>();
    await t.ctx.db.transaction().execute(async (trx) => {
      // One transaction: every row gets the same created_at, so only the id orders them.
      for (let i = 0; i < 7; i++) {
        const id = await enqueueJob(trx, 'test.paging', { i }, { runAt: new Date(Date.now() + 3600_000) });
        if (id !== null) ids.add(id);
      }
    });
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/api/v1/admin/jobs?state=queued&limit=3${cursor ? `&cursor=${cursor}` : ''}`;
      const page: { items: Array<{ id: number; kind: string }>; nextCursor: string | null } = await (await admin.get(url)).json();
      seen.push(...page.items.filter((j) => j.kind === 'test.paging').map((j) => j.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].sort((a, b) => b - a));
    const bad = await admin.get('/api/v1/admin/jobs?cursor=nonsense');
    expect(bad.status).toBe(400);
    await t.ctx.db.deleteFrom('jobs').where('kind', '=', 'test.paging').execute();
  });
});

describe('mail outbox', () => {
  it('shows a kept message with its text and the HTML only as escaped source', async () => {
    const id = await queueMail(t.ctx.db, {
      to: 'new@example.com',
      subject: 'Confirm your address',
      text: 'Open https://example.test/verify?token=abc to confirm.',
      html: '<p>Open <a href="https://example.test/verify?token=abc">this link</a></p><script>alert(1)</script>',
      template: 'verify-email',
    });
    await new JobWorker(t.ctx).runDue();
    const list = await (await admin.get('/admin/mail')).text();
    expect(list).toContain(`href="/admin/mail/${id}"`);
    expect(list).toContain('verify-email');
    expect(list).toContain('kept');

    const detail = await (await admin.get(`/admin/mail/${id}`)).text();
    expect(detail).toContain('<pre class="mail-text">Open https://example.test/verify?token=abc to confirm.</pre>');
    expect(detail).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(detail).not.toContain('<script>alert(1)</script>');

    const json = await (await admin.get(`/api/v1/admin/mail/${id}`)).json();
    expect(json).toMatchObject({ id, to: 'new@example.com', status: 'kept', template: 'verify-email' });
    expect((await admin.get('/admin/mail/999999')).status).toBe(404);
  });
});

describe('API keys', () => {
  it('creates a key shown once, which then authenticates, and revokes it', async () => {
    const res = await admin.postForm('/admin/api-keys', { name: 'Shop sync', scopes: ['read', 'admin'] });
    expect(res.status).toBe(200);
    const html = await res.text();
    const key = /data-copy="(hk_[A-Za-z0-9]{8}_[A-Za-z0-9_-]+)"/.exec(html)?.[1];
    expect(key).toBeDefined();
    expect(html).toContain(`<code class="api-key-secret">${key}</code>`);

    const row = await t.ctx.db.selectFrom('api_keys').selectAll().where('name', '=', 'Shop sync').executeTakeFirstOrThrow();
    expect(row.scopes).toEqual(['read', 'admin']);
    expect(row.created_by).toBe(adminId);
    expect(await lastAudit()).toMatchObject({ action: 'api_key.created', subject: `api_key:${row.id}`, actor_id: adminId });

    // The list never shows the secret again, only the prefix.
    const list = await (await admin.get('/admin/api-keys')).text();
    expect(list).toContain(`hk_${row.prefix}…`);
    expect(list).not.toContain(key);

    const viaKey = await t.hearth.app.request('/api/v1/admin/overview', { headers: { authorization: `Bearer ${key}` } });
    expect(viaKey.status).toBe(200);

    const revoke = await admin.postForm(`/admin/api-keys/${row.id}/revoke`, {});
    expect(revoke.status).toBe(303);
    expect(await lastAudit()).toMatchObject({ action: 'api_key.revoked', subject: `api_key:${row.id}` });
    const refused = await t.hearth.app.request('/api/v1/admin/overview', { headers: { authorization: `Bearer ${key}` } });
    expect(refused.status).toBe(401);
  });

  it('re-renders the form with inline errors when the name or scopes are missing', async () => {
    const res = await admin.postForm('/admin/api-keys', { name: '' });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('id="name-error"');
    expect(html).toContain('Choose at least one scope.');
  });

  it('refuses a key without the admin scope on admin endpoints', async () => {
    const res = await admin.json('POST', '/api/v1/admin/api-keys', { name: 'Reader', scopes: ['read'] });
    expect(res.status).toBe(201);
    const { key } = await res.json();
    const denied = await t.hearth.app.request('/api/v1/admin/users', { headers: { authorization: `Bearer ${key}` } });
    expect(denied.status).toBe(403);
  });
});

describe('members', () => {
  it('searches by name or email and pages with a cursor', async () => {
    for (let i = 0; i < 4; i++) await createUser(`Searchable Person ${i}`, 'member');
    const html = await (await admin.get('/admin/users?q=searchable')).text();
    expect(html).toContain('Searchable Person 3');
    expect(html).not.toContain('Mo Member');
    const first = await (await admin.get('/api/v1/admin/users?q=SEARCHABLE-PERSON&limit=3')).json();
    expect(first.items).toHaveLength(3);
    const second = await (await admin.get(`/api/v1/admin/users?q=SEARCHABLE-PERSON&limit=3&cursor=${first.nextCursor}`)).json();
    expect(second.items).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    const names = [...first.items, ...second.items].map((u: { displayName: string }) => u.displayName);
    expect(new Set(names).size).toBe(4);
    const literal = await (await admin.get('/api/v1/admin/users?q=%25')).json();
    expect(literal.items).toHaveLength(0);
  });

  it('changes a role and records it; the last admin cannot be demoted', async () => {
    const res = await admin.postForm(`/admin/users/${memberId}/role`, { role: 'moderator' });
    expect(res.status).toBe(303);
    const row = await t.ctx.db.selectFrom('users').select('role').where('id', '=', memberId).executeTakeFirstOrThrow();
    expect(row.role).toBe('moderator');
    expect(await lastAudit()).toMatchObject({ action: 'user.role_changed', subject: `user:${memberId}`, detail: { from: 'member', to: 'moderator' } });

    const self = await admin.json('PATCH', `/api/v1/admin/users/${adminId}`, { role: 'member' });
    expect(self.status).toBe(409);
    expect((await self.json()).error.code).toBe('last_admin');
    const form = await admin.postForm(`/admin/users/${adminId}/role`, { role: 'member' });
    expect(form.status).toBe(303);
    const flash = JSON.parse(Buffer.from(admin.cookies.get('hearth_flash') ?? '', 'base64url').toString('utf8'));
    expect(flash).toEqual({ kind: 'error', message: 'You are the last administrator: make someone else an administrator before changing your own role.' });
    const still = await t.ctx.db.selectFrom('users').select('role').where('id', '=', adminId).executeTakeFirstOrThrow();
    expect(still.role).toBe('admin');

    // With a second admin the first may step down.
    const other = await createUser('Second Admin', 'admin');
    const ok = await admin.json('PATCH', `/api/v1/admin/users/${adminId}`, { role: 'moderator' });
    expect(ok.status).toBe(200);
    expect((await ok.json()).role).toBe('moderator');
    // Now a moderator: the admin area is closed to them.
    expect((await admin.get('/admin')).status).toBe(403);
    await t.ctx.db.updateTable('users').set({ role: 'admin' }).where('id', '=', adminId).execute();
    await t.ctx.db.updateTable('users').set({ role: 'member' }).where('id', '=', other).execute();
  });
});

describe('settings', () => {
  it('shows inline errors for bad values and changes nothing', async () => {
    const before = { ...t.ctx.site };
    const res = await admin.postForm('/admin/settings', { siteName: '', tagline: 'x', brandColor: 'orange' });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('id="siteName-error"');
    expect(html).toContain('must be a colour like #c2410c');
    expect(t.ctx.site).toEqual(before);
  });

  it('saves, updates the running site at once and audits the change', async () => {
    const res = await admin.postForm('/admin/settings', { siteName: 'Trail Runners', tagline: 'Run further together.', brandColor: '#0f766e' });
    expect(res.status).toBe(303);
    expect(t.ctx.site).toEqual({ siteName: 'Trail Runners', tagline: 'Run further together.', brandColor: '#0f766e', allowSignups: false });
    const home = await (await t.hearth.app.request('/')).text();
    expect(home).toContain('Trail Runners');
    const stored = await t.ctx.db.selectFrom('site_settings').selectAll().where('key', '=', 'siteName').executeTakeFirstOrThrow();
    expect(stored.value).toBe('Trail Runners');
    const audit = await lastAudit();
    expect(audit.action).toBe('settings.updated');
    expect(audit.detail).toMatchObject({ siteName: { to: 'Trail Runners' }, allowSignups: { from: true, to: false } });

    const json = await admin.json('PATCH', '/api/v1/admin/settings', { allowSignups: true });
    expect(await json.json()).toMatchObject({ siteName: 'Trail Runners', allowSignups: true });
    const invalid = await admin.json('PATCH', '/api/v1/admin/settings', { brandColor: 'red' });
    expect(invalid.status).toBe(400);
    expect((await invalid.json()).error.fields.brandColor).toBeDefined();
  });
});

describe('audit log', () => {
  it('lists entries newest first with the actor’s name, paged', async () => {
    const page = await (await admin.get('/api/v1/admin/audit?limit=2')).json();
    expect(page.items).toHaveLength(2);
    expect(page.items[0].id).toBeGreaterThan(page.items[1].id);
    expect(page.items[0].actorName).toBe('Ada Admin');
    expect(page.nextCursor).not.toBeNull();
    const html = await (await admin.get('/admin/audit')).text();
    expect(html).toContain('settings.updated');
    expect(html).toContain('user.role_changed');
  });
});
