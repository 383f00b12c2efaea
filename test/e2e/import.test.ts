import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession } from '../../src/features/accounts/sessions.ts';
import { launchBrowser, startSmtpSink, startTestServer } from './support.ts';

let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
let server: Awaited<ReturnType<typeof startTestServer>>;
let browser: Browser;

beforeAll(async () => {
  smtp = await startSmtpSink();
  server = await startTestServer(smtp.port);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await server?.dropDatabase();
  await smtp?.close();
});

describe('the admin CSV import', () => {
  it('uploads with a progress bar and shows the result on the same page; a bad file names its rows', async () => {
    const admin = await server.ctx.db
      .insertInto('users')
      .values({ email: 'importer@example.com', display_name: 'Importer', username: 'importer', password_hash: null, role: 'admin', email_verified_at: new Date(), notification_prefs: '{}' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const context = await browser.newContext();
    await context.addCookies([{ name: 'hearth_session', value: await createSession(server.ctx.db, admin.id, {}), url: server.url, httpOnly: true, sameSite: 'Lax' }]);
    const page = await context.newPage();
    await page.goto(`${server.url}/admin/store/import`);
    await page.getByLabel('What the file holds').selectOption('customers');

    const rows = Array.from({ length: 3000 }, (_, i) => `buyer-${i}@example.com,Buyer ${i}`).join('\n');
    await page.locator('input[type=file]').setInputFiles({ name: 'customers.csv', mimeType: 'text/csv', buffer: Buffer.from(`email,first_name\n${rows}\n`) });
    const url = page.url();
    // The bar shows while the file goes up and its rows are imported: too fast here to catch by polling, so
    // the page notes every state it takes.
    await page.evaluate(() => {
      const panel = document.getElementById('import-progress');
      const seen: string[] = [];
      (window as unknown as { seen: string[] }).seen = seen;
      if (panel) new MutationObserver(() => seen.push(`${panel.hidden ? 'hidden' : 'shown'}:${panel.querySelector('label')?.textContent ?? ''}`)).observe(panel, { attributes: true, subtree: true, childList: true, characterData: true });
    });
    let navigated = false;
    page.on('framenavigated', () => (navigated = true));
    await page.getByRole('button', { name: 'Import' }).click();
    await page.locator('#import-result').getByText('Imported 3,000 rows of customers').waitFor({ timeout: 30_000 });
    const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
    expect(seen).toContain('shown:Uploading');
    expect(seen.some((s) => s.startsWith('shown:Checking and importing'))).toBe(true);
    expect(navigated).toBe(false);
    expect(page.url()).toBe(url);
    expect(await page.locator('#import-progress').isHidden()).toBe(true);
    expect(Number((await server.ctx.db.selectFrom('commerce_customers').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)).toBe(3000);

    await page.locator('input[type=file]').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('email,first_name\nfine@example.com,Fine\nbroken,Bad\n') });
    await page.getByRole('button', { name: 'Import' }).click();
    await page.locator('#import-result').getByText('Nothing was imported').waitFor({ timeout: 15_000 });
    expect(await page.locator('#import-result').textContent()).toContain('is not an email address');
    await context.close();
  });
});
