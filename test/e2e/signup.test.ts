import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeQuotedPrintable, launchBrowser, startSmtpSink, startTestServer, waitFor } from './support.ts';

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

describe('a newcomer joins the community', () => {
  it('signs up, verifies the email from the SMTP sink, signs in and sees the home page', async () => {
    const page = await browser.newPage();
    const email = `river.${Date.now()}@example.com`;

    await page.goto(`${server.url}/signup`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Display name').fill('River Song');
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: /create account|sign up|join/i }).click();
    await expect.poll(() => page.textContent('main')).toMatch(/check your inbox/i);

    const mail = await waitFor(() => smtp.messages.find((m) => m.to === email));
    const link = /(https?:\/\/[^\s"<>]+\/verify-email\?token=[A-Za-z0-9_-]+)/.exec(decodeQuotedPrintable(mail.raw))?.[1];
    expect(link, 'the verification mail carries a link').toBeDefined();

    await page.goto(link ?? '');
    await expect.poll(() => page.textContent('body')).toMatch(/confirmed|verified/i);

    if (!page.url().includes('/login')) await page.goto(`${server.url}/login`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: /sign in|log in/i }).click();

    await page.waitForURL(`${server.url}/`);
    expect(await page.getByRole('banner').textContent()).toContain('River Song');
    expect(await page.title()).toContain(server.ctx.site.siteName);
    await page.close();
  });
});
