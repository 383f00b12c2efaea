/**
 * Screenshots of a running Hearth for the README and for visual review, taken with Debian's Chromium.
 *
 *   node --import tsx scripts/screenshots.ts [--url http://127.0.0.1:3400] [--review] [--only home,topic]
 *
 * Without --review it writes the README images to docs/screenshots/. With --review it also writes every
 * page at desktop and phone width, light and dark, to test-results/screenshots/ (not committed); --only
 * limits the review to the named pages. Signed-in pages use the demo admin, so run it against a server
 * that seeded the demo community (`hearth start` on an empty data directory does).
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

const root = fileURLToPath(new URL('../', import.meta.url));
const DEMO_ADMIN = { email: 'admin@demo.hearth.local', password: 'hearth-demo-admin' };

type Theme = 'light' | 'dark';

interface Shot {
  file: string;
  path: string;
  width: number;
  /** Viewport height; the default suits the width. */
  height?: number;
  theme: Theme;
  fullPage: boolean;
  signedIn: boolean;
}

interface ReviewPage {
  name: string;
  path: string;
  signedIn?: boolean;
}

/** The solved question with the most replies: the topic page that shows the most (accepted answer, thread). */
async function solvedQuestionPath(baseUrl: string): Promise<string> {
  const res = await fetch(new URL('/api/v1/topics?limit=50', baseUrl));
  if (!res.ok) return '/';
  const body: unknown = await res.json();
  if (!body || typeof body !== 'object' || !('items' in body) || !Array.isArray(body.items)) return '/';
  let best: { url: string; replies: number } | null = null;
  for (const item of body.items) {
    if (!item || typeof item !== 'object') continue;
    const { kind, solved, url, replyCount } = item as Record<string, unknown>;
    if (kind !== 'question' || solved !== true || typeof url !== 'string' || typeof replyCount !== 'number') continue;
    if (!best || replyCount > best.replies) best = { url, replies: replyCount };
  }
  return best?.url ?? '/';
}

function readmeShots(topicPath: string): Shot[] {
  const shot = (file: string, path: string, theme: Theme = 'light', height?: number, signedIn = false): Shot => ({ file, path, width: 1280, height, theme, fullPage: false, signedIn });
  return [
    shot('home-light.png', '/'),
    shot('home-dark.png', '/', 'dark'),
    // Tall enough to show the accepted answer under the question.
    shot('topic-light.png', topicPath, 'light', 1000),
    shot('design-light.png', '/design'),
    shot('api-docs.png', '/api/docs'),
    shot('points-light.png', '/points', 'light', 900, true),
    shot('analytics-retention.png', '/admin/analytics/retention', 'light', 900, true),
    shot('admin-referrals.png', '/admin/referrals', 'light', 800, true),
  ];
}

function reviewPages(topicPath: string): ReviewPage[] {
  return [
    { name: 'home', path: '/' },
    { name: 'spaces', path: '/spaces' },
    { name: 'space', path: '/s/ask' },
    { name: 'topic', path: topicPath },
    { name: 'topic-signed-in', path: topicPath, signedIn: true },
    { name: 'profile', path: '/u/maya-okafor' },
    { name: 'search', path: '/search?q=waterproof+jacket' },
    { name: 'tags', path: '/tags' },
    { name: 'tag', path: '/tag/gear' },
    { name: 'admin-spaces', path: '/admin/spaces', signedIn: true },
    { name: 'new-topic', path: '/new', signedIn: true },
    { name: 'bookmarks', path: '/bookmarks', signedIn: true },
    { name: 'notifications', path: '/notifications', signedIn: true },
    { name: 'following', path: '/notifications/following', signedIn: true },
    { name: 'settings', path: '/settings', signedIn: true },
    { name: 'settings-notifications', path: '/settings/notifications', signedIn: true },
    { name: 'admin', path: '/admin', signedIn: true },
    { name: 'admin-jobs', path: '/admin/jobs', signedIn: true },
    { name: 'admin-users', path: '/admin/users', signedIn: true },
    { name: 'admin-mail', path: '/admin/mail', signedIn: true },
    { name: 'admin-api-keys', path: '/admin/api-keys', signedIn: true },
    { name: 'points', path: '/points', signedIn: true },
    { name: 'refer', path: '/refer', signedIn: true },
    { name: 'admin-loyalty', path: '/admin/loyalty', signedIn: true },
    { name: 'admin-loyalty-widget', path: '/admin/loyalty/widget', signedIn: true },
    { name: 'admin-referrals', path: '/admin/referrals', signedIn: true },
    { name: 'admin-store', path: '/admin/store', signedIn: true },
    { name: 'admin-store-webhooks', path: '/admin/store/webhooks', signedIn: true },
    { name: 'admin-analytics', path: '/admin/analytics', signedIn: true },
    { name: 'admin-retention', path: '/admin/analytics/retention', signedIn: true },
    { name: 'admin-personas', path: '/admin/analytics/personas', signedIn: true },
    { name: 'admin-customers', path: '/admin/analytics/customers', signedIn: true },
    { name: 'login', path: '/login' },
    { name: 'design', path: '/design' },
    { name: 'api-docs', path: '/api/docs' },
    { name: 'not-found', path: '/no/such/page' },
  ];
}

function reviewShots(pages: ReviewPage[]): Shot[] {
  const shots: Shot[] = [];
  for (const page of pages) {
    for (const width of [1280, 390]) {
      for (const theme of ['light', 'dark'] as const) {
        shots.push({ file: `${page.name}-${theme}-${width}.png`, path: page.path, width, theme, fullPage: true, signedIn: page.signedIn ?? false });
      }
    }
  }
  return shots;
}

type SignedInState = Awaited<ReturnType<BrowserContext['storageState']>>;

/** Signs in once per run (sign-ins are rate limited) and returns the cookies for every signed-in shot. */
async function signIn(browser: Browser, baseUrl: string): Promise<SignedInState> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(new URL('/login', baseUrl).toString());
  await page.fill('input[name=email]', DEMO_ADMIN.email);
  await page.fill('input[name=password]', DEMO_ADMIN.password);
  await Promise.all([page.waitForNavigation(), page.click('main form button[type=submit]')]);
  const state = await context.storageState();
  await context.close();
  return state;
}

async function take(browser: Browser, baseUrl: string, dir: string, shot: Shot, signedIn: () => Promise<SignedInState>): Promise<void> {
  const context = await browser.newContext({
    viewport: { width: shot.width, height: shot.height ?? (shot.width < 600 ? 844 : 800) },
    deviceScaleFactor: 1,
    colorScheme: shot.theme,
    storageState: shot.signedIn ? await signedIn() : undefined,
  });
  const page = await context.newPage();
  const response = await page.goto(new URL(shot.path, baseUrl).toString(), { waitUntil: 'networkidle' });
  await page.screenshot({ path: `${dir}${shot.file}`, fullPage: shot.fullPage });
  process.stdout.write(`${response?.status() ?? '?'} ${shot.path} → ${dir}${shot.file}\n`);
  await context.close();
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { url: { type: 'string' }, review: { type: 'boolean' }, only: { type: 'string' } } });
  const baseUrl = values.url ?? process.env.HEARTH_URL ?? 'http://127.0.0.1:3400';
  const topicPath = await solvedQuestionPath(baseUrl);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  let state: Promise<SignedInState> | undefined;
  const signedIn = () => (state ??= signIn(browser, baseUrl));
  try {
    if (!values.only) {
      const readmeDir = `${root}docs/screenshots/`;
      mkdirSync(readmeDir, { recursive: true });
      for (const shot of readmeShots(topicPath)) await take(browser, baseUrl, readmeDir, shot, signedIn);
    }
    if (values.review || values.only) {
      const only = values.only?.split(',');
      const pages = reviewPages(topicPath).filter((p) => !only || only.includes(p.name));
      const reviewDir = `${root}test-results/screenshots/`;
      mkdirSync(reviewDir, { recursive: true });
      for (const shot of reviewShots(pages)) await take(browser, baseUrl, reviewDir, shot, signedIn);
    }
  } finally {
    await browser.close();
  }
}

await main();
