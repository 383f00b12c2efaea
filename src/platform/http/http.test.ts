import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHearth, TestClient, type TestHearth } from '../../../test/helpers.ts';

let t: TestHearth;
beforeAll(async () => {
  t = await createTestHearth({ bodyLimitBytes: 2048 });
});
afterAll(async () => {
  await t.close();
});

describe('http platform', () => {
  it('serves the home page with security headers and a strict CSP', async () => {
    const res = await t.hearth.app.request('/');
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toContain('<!doctype html>');
  });

  it('answers unknown routes with a designed 404 page or JSON', async () => {
    const page = await t.hearth.app.request('/no/such/page');
    expect(page.status).toBe(404);
    expect(await page.text()).toContain('Page not found');
    const json = await t.hearth.app.request('/api/v1/no-such-endpoint');
    expect(json.status).toBe(404);
    expect(await json.json()).toEqual({ error: { code: 'not_found', message: 'We could not find that page.' } });
  });

  it('refuses a state change without the CSRF token', async () => {
    const client = new TestClient(t.hearth);
    await client.get('/');
    const res = await client.postForm('/logout', { _csrf: 'forged' });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('Your form expired');
  });

  it('refuses a state change from another origin even with a token', async () => {
    const client = new TestClient(t.hearth);
    await client.get('/');
    const res = await client.request('/logout', {
      method: 'POST',
      body: new URLSearchParams({ _csrf: client.csrfToken }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
    });
    expect(res.status).toBe(403);
  });

  it('rejects oversized bodies with 413', async () => {
    const client = new TestClient(t.hearth);
    const res = await client.json('POST', '/api/v1/anything', { blob: 'x'.repeat(5000) });
    expect(res.status).toBe(413);
    expect((await res.json()).error.code).toBe('payload_too_large');
  });

  it('publishes an OpenAPI 3.1 document', async () => {
    const res = await t.hearth.app.request('/api/v1/openapi.json');
    const doc = await res.json();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components.securitySchemes.bearerAuth.scheme).toBe('bearer');
  });
});
