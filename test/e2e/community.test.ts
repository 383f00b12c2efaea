import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession } from '../../src/features/accounts/sessions.ts';
import type { Role } from '../../src/features/accounts/tables.ts';
import { acceptAnswer, createReply, createTopic, type Viewer } from '../../src/features/community/service.ts';
import { decodeQuotedPrintable, launchBrowser, startSmtpSink, startTestServer, waitFor } from './support.ts';

let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
let server: Awaited<ReturnType<typeof startTestServer>>;
let browser: Browser;
let asker: NonNullable<Viewer>;
let answerer: NonNullable<Viewer>;
let privateTopicUrl = '';

async function makeUser(username: string, role: Role = 'member'): Promise<NonNullable<Viewer>> {
  const email = `${username}@example.com`;
  const row = await server.ctx.db
    .insertInto('users')
    .values({ email, display_name: username[0]?.toUpperCase() + username.slice(1), username, password_hash: null, role, email_verified_at: new Date(), notification_prefs: JSON.stringify({}) })
    .returning(['id', 'display_name'])
    .executeTakeFirstOrThrow();
  return { id: row.id, email, displayName: row.display_name, username, role, emailVerified: true, avatarPath: null };
}

/** A browser context signed in as the member, through a real session cookie. */
async function signedIn(user: NonNullable<Viewer>): Promise<BrowserContext> {
  const context = await browser.newContext();
  const token = await createSession(server.ctx.db, user.id, {});
  await context.addCookies([{ name: 'hearth_session', value: token, url: server.url, httpOnly: true, sameSite: 'Lax' }]);
  return context;
}

beforeAll(async () => {
  smtp = await startSmtpSink();
  server = await startTestServer(smtp.port);
  browser = await launchBrowser();
  const db = server.ctx.db;
  await db
    .insertInto('spaces')
    .values([
      { slug: 'help', name: 'Help', description: 'Ask anything', visibility: 'public', default_kind: 'question' },
      { slug: 'vault', name: 'Vault', description: 'Invited members only', visibility: 'private', default_kind: 'discussion' },
    ])
    .execute();
  asker = await makeUser('asker');
  answerer = await makeUser('answerer');
  const admin = await makeUser('keeper', 'admin');
  // An earlier solved question, the one the new asker should find while typing.
  const earlier = await createTopic(server.ctx, admin, { space: 'help', kind: 'question', title: 'How do I reproof a waterproof jacket?', body: 'The rain soaks through now.', pinned: false });
  const { reply } = await createReply(server.ctx, answerer, earlier.id, { body: 'Wash it with a tech wash, then a wash-in proofer.' });
  await acceptAnswer(server.ctx, admin, earlier.id, reply.id);
  const secret = await createTopic(server.ctx, admin, { space: 'vault', kind: 'discussion', title: 'Secret sample sale on marmalade jackets', body: 'Only for the vault.', pinned: false });
  privateTopicUrl = secret.url;
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await server?.dropDatabase();
  await smtp?.close();
});

describe('a question is asked, answered and solved', () => {
  it('shows similar questions while typing; the accepted answerer hears of it live and by mail', async () => {
    const askerContext = await signedIn(asker);
    const answererContext = await signedIn(answerer);
    const ask = await askerContext.newPage();
    await ask.goto(`${server.url}/s/help/new`);
    await ask.getByLabel('Title').pressSequentially('reproof my waterproof jacket', { delay: 20 });
    const suggestion = ask.locator('#similar-questions').getByRole('link', { name: 'How do I reproof a waterproof jacket?' });
    await suggestion.waitFor({ timeout: 10_000 });
    expect(await ask.locator('#similar-questions').textContent()).toContain('Solved');

    await ask.getByLabel('Title').fill('Can I reproof a waterproof jacket twice a year?');
    await ask.locator('textarea[name=body]').fill('Mine is two years old and sees a lot of rain.');
    await ask.getByRole('button', { name: 'Post topic' }).click();
    await ask.waitForURL(/\/t\/\d+\//);
    const questionUrl = ask.url();

    // The answerer watches the question page: its bell must update without a reload.
    const watch = await answererContext.newPage();
    await watch.goto(questionUrl);
    const bell = watch.locator('[data-bell-count]');
    const unread = async () => ((await bell.isHidden()) ? 0 : Number(/\d+/.exec((await bell.textContent()) ?? '')?.[0] ?? 0));
    const before = await unread();
    await watch.locator('textarea[name=body]').fill('Yes: wash it first, and reproof only when water stops beading.');
    await watch.getByRole('button', { name: 'Post reply' }).click();
    await watch.waitForURL(/#reply-\d+/);
    await watch.waitForLoadState('load');

    await ask.reload();
    await ask.getByRole('button', { name: 'Accept as answer' }).click();
    await ask.waitForLoadState('load');
    expect(await ask.locator('main').textContent()).toContain('Solved');

    // No reload on the answerer's page: the live island raises the count.
    await expect.poll(unread, { timeout: 15_000 }).toBe(before + 1);

    const mail = await waitFor(() => smtp.messages.find((m) => m.to === answerer.email && decodeQuotedPrintable(m.raw).includes('Can I reproof a waterproof jacket twice a year?') && /accepted your answer/.test(decodeQuotedPrintable(m.raw))), 20_000);
    expect(decodeQuotedPrintable(mail.raw)).toMatch(/^List-Unsubscribe:/m);
    await askerContext.close();
    await answererContext.close();
  });
});

describe('a private space stays private', () => {
  it('keeps an outsider from its topic by URL, search and feed', async () => {
    const outsider = await browser.newContext();
    const page = await outsider.newPage();
    const direct = await page.goto(`${server.url}${privateTopicUrl}`);
    expect(direct?.status()).toBe(404);
    expect(await page.locator('body').textContent()).not.toContain('marmalade');

    await page.goto(`${server.url}/search?q=marmalade`);
    expect(await page.locator('main').textContent()).not.toContain('Secret sample sale');

    const feed = await page.request.get(`${server.url}/s/vault/feed.rss`);
    expect(feed.status()).toBe(404);
    const latest = await page.request.get(`${server.url}/feed.rss`);
    expect(await latest.text()).not.toContain('marmalade');
    const index = await (await page.request.get(`${server.url}/sitemap.xml`)).text();
    const maps = [...index.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => new URL(m[1] ?? '').pathname);
    expect(maps.length).toBeGreaterThan(0);
    const listed = await Promise.all(maps.map(async (path) => (await page.request.get(`${server.url}${path}`)).text()));
    expect(listed.join('\n')).toContain('/t/');
    expect(listed.join('\n')).not.toContain(privateTopicUrl);
    await outsider.close();
  });
});
