import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestHearth, TestClient, type TestHearth } from '../../../test/helpers.ts';
import { createSession, SESSION_COOKIE } from '../accounts/sessions.ts';
import { systemActor } from './access.ts';
import { runImportCommand } from './cli.ts';
import { importCsv, MAX_PROBLEMS } from './csv-import.ts';

let t: TestHearth;
let adminId: number;

beforeAll(async () => {
  t = await createTestHearth();
  const row = await t.ctx.db
    .insertInto('users')
    .values({ email: 'admin@shop.example', display_name: 'Admin', username: 'admin', role: 'admin', email_verified_at: new Date(), notification_prefs: '{}' })
    .returning('id')
    .executeTakeFirstOrThrow();
  adminId = row.id;
});
afterAll(async () => {
  await t.close();
});

async function* text(s: string) {
  yield new TextEncoder().encode(s);
}

async function snapshot() {
  const n = async (table: 'commerce_orders' | 'commerce_customers' | 'commerce_order_lines' | 'commerce_products' | 'domain_events') =>
    Number((await t.ctx.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  return { orders: await n('commerce_orders'), customers: await n('commerce_customers'), lines: await n('commerce_order_lines'), products: await n('commerce_products'), events: await n('domain_events') };
}

const goodOrders = [
  'order_id,placed_at,currency,customer_email,sku,product_title,quantity,unit_price,shipping,tax,status,total',
  '1001,2025-03-01T10:00:00Z,GBP,ada@example.com,MUG-1,Mug,2,12.50,3.95,0,paid,29.05',
  '1001,,,,TEA-1,"Tea, loose ""earl grey""",1,0.10,,,,',
  '1002,2025-03-02T11:00:00Z,JPY,bo@example.com,,Matcha,3,1500,0,0,fulfilled,4500',
  '1003,2025-03-03T12:00:00Z,GBP,,,Gift card,1,20,,,pending,',
].join('\r\n');

describe('CSV import', () => {
  it('a file with bad rows changes nothing and names every bad row and column', async () => {
    const before = await snapshot();
    const bad = [
      'order_id,placed_at,currency,customer_email,sku,product_title,quantity,unit_price,shipping,status',
      '2001,2025-03-01T10:00:00Z,GBP,ada@example.com,MUG-1,Mug,2,12.50,3.95,paid',
      '2002,2025-03-02,GBP,not-an-email,,Tea,0,1.999,,paid',
      '2003,last tuesday,XX,,,,1,5,,shipped',
      '2004,2025-03-02T11:00:00Z,JPY,,,Matcha,1,1500.50,,paid',
      '2001,2025-03-01T10:00:00Z,GBP,ada@example.com,MUG-1,Mug,1,12.50,3.95,paid',
      '2005,2025-03-01T10:00:00Z,GBP,,,Mug,1,1',
    ].join('\n');
    const result = await importCsv(t.ctx, systemActor, 'orders', text(bad));
    expect(result.ok).toBe(false);
    expect(result.rows).toBe(6);
    expect(result.created).toBe(0);
    expect(result.problems).toEqual([
      { row: 3, column: 'customer_email', message: '“not-an-email” is not an email address' },
      { row: 3, column: 'quantity', message: '“0” is not a whole number of 1 or more' },
      { row: 3, column: 'unit_price', message: '1.999 has more decimal places than GBP allows (2)' },
      { row: 4, column: 'currency', message: '“XX” is not a three-letter currency code' },
      { row: 4, column: 'status', message: '“shipped” is not pending, paid, fulfilled or cancelled' },
      { row: 4, column: 'placed_at', message: '“last tuesday” is not an ISO 8601 date and time such as 2025-03-01T10:00:00Z' },
      { row: 4, column: 'product_title', message: 'give the item’s sku or product_title' },
      { row: 5, column: 'unit_price', message: '1500.50 has more decimal places than JPY allows (0)' },
      { row: 6, column: 'order_id', message: '2001 appeared earlier in the file; keep the rows of one order together' },
      { row: 7, column: null, message: 'has 8 fields but the header has 10' },
    ]);
    // Row 2 was valid and came first, yet the whole file rolled back.
    expect(await snapshot()).toEqual(before);
  });

  it('reports a missing required column and unknown columns from the header', async () => {
    const result = await importCsv(t.ctx, systemActor, 'orders', text('order_id,currency,colour\n1,GBP,red\n'));
    expect(result.ok).toBe(false);
    expect(result.problems.map((p) => [p.row, p.column])).toEqual([
      [1, 'colour'],
      [1, 'placed_at'],
      [1, 'quantity'],
      [1, 'unit_price'],
    ]);
  });

  it('lists at most MAX_PROBLEMS problems and counts the rest', async () => {
    const rows = Array.from({ length: 150 }, (_, i) => `c${i},not-an-email`);
    const result = await importCsv(t.ctx, systemActor, 'customers', text(['external_id,email', ...rows].join('\n')));
    expect(result.problems).toHaveLength(MAX_PROBLEMS);
    expect(result.moreProblems).toBe(50);
    expect(result.problems[0]).toEqual({ row: 2, column: 'email', message: '“not-an-email” is not an email address' });
  });

  it('imports a good file whole, with exact money, and a second import changes nothing', async () => {
    const progress: number[] = [];
    const result = await importCsv(t.ctx, systemActor, 'orders', text(goodOrders), { onProgress: (n) => progress.push(n) });
    expect(result).toMatchObject({ ok: true, rows: 4, created: 3, existing: 0, problems: [] });
    expect(progress.at(-1)).toBe(4);
    const orders = await t.ctx.db.selectFrom('commerce_orders').selectAll().where('source', '=', 'csv').orderBy('external_id').execute();
    expect(orders.map((o) => [o.external_id, o.currency, o.subtotal_minor, o.shipping_minor, o.total_minor, o.financial_status, o.fulfillment_status, o.paid_at !== null])).toEqual([
      ['1001', 'GBP', 2510, 395, 2905, 'paid', 'unfulfilled', true],
      ['1002', 'JPY', 4500, 0, 4500, 'paid', 'fulfilled', true],
      ['1003', 'GBP', 2000, 0, 2000, 'pending', 'unfulfilled', false],
    ]);
    const lines = await t.ctx.db.selectFrom('commerce_order_lines').select(['title', 'unit_price_minor', 'quantity']).where('order_id', '=', orders[0]?.id ?? 0).orderBy('position').execute();
    expect(lines).toEqual([
      { title: 'Mug', unit_price_minor: 1250, quantity: 2 },
      { title: 'Tea, loose "earl grey"', unit_price_minor: 10, quantity: 1 },
    ]);
    const events = await t.ctx.db.selectFrom('domain_events').select('name').where('name', 'like', 'order.%').execute();
    expect(events.map((e) => e.name).sort()).toEqual(['order.created', 'order.created', 'order.created', 'order.fulfilled', 'order.paid', 'order.paid']);

    const before = await snapshot();
    const again = await importCsv(t.ctx, systemActor, 'orders', text(goodOrders));
    expect(again).toMatchObject({ ok: true, rows: 4, created: 0, existing: 3 });
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a total that does not add up', async () => {
    const result = await importCsv(t.ctx, systemActor, 'orders', text('order_id,placed_at,currency,product_title,quantity,unit_price,total\n9,2025-01-01,GBP,Mug,1,10.00,12.00\n'));
    expect(result.problems).toEqual([{ row: 2, column: 'total', message: '12.00 is not lines + shipping + tax − discount, which come to 10.00' }]);
  });

  it('imports customers and products', async () => {
    const customers = await importCsv(
      t.ctx,
      systemActor,
      'customers',
      text('email,external_id,source,first_name,last_name,accepts_marketing,postcode,country\ncy@example.com,77,shopify,Cy,Young,yes,SW1A 1AA,GB\n'),
    );
    expect(customers).toMatchObject({ ok: true, created: 1 });
    expect(await t.ctx.db.selectFrom('commerce_customers').select(['first_name', 'accepts_marketing', 'source', 'external_id']).where('email', '=', 'cy@example.com').executeTakeFirstOrThrow()).toEqual({
      first_name: 'Cy',
      accepts_marketing: true,
      source: 'shopify',
      external_id: '77',
    });
    const products = await importCsv(
      t.ctx,
      systemActor,
      'products',
      text('product_id,title,sku,variant_title,price,currency,image_url\nP1,Mug,MUG-S,Small,10.00,GBP,https://x.example/a.png\nP1,,MUG-L,Large,12.50,GBP,\nP2,Tea,TEA,,1500,JPY,\n'),
    );
    expect(products).toMatchObject({ ok: true, rows: 3, created: 2 });
    const variants = await t.ctx.db.selectFrom('commerce_product_variants').select(['sku', 'price_minor', 'currency']).orderBy('id').execute();
    expect(variants).toEqual([
      { sku: 'MUG-S', price_minor: 1000, currency: 'GBP' },
      { sku: 'MUG-L', price_minor: 1250, currency: 'GBP' },
      { sku: 'TEA', price_minor: 1500, currency: 'JPY' },
    ]);
  });

  it('the admin page imports an uploaded file and shows the problems of a bad one', async () => {
    const admin = new TestClient(t.hearth);
    admin.cookies.set(SESSION_COOKIE, await createSession(t.ctx.db, adminId, {}));
    await admin.get('/admin/store/import');
    const upload = (csv: string, kind: string) => {
      const form = new FormData();
      form.set('_csrf', admin.csrfToken);
      form.set('kind', kind);
      form.set('file', new File([csv], 'upload.csv', { type: 'text/csv' }));
      return admin.request('/admin/store/import', { method: 'POST', body: form, headers: { origin: 'http://localhost:3000' } });
    };
    const before = await snapshot();
    const bad = await upload('email,first_name\nok@example.com,Ok\nbroken,Bad\n', 'customers');
    expect(bad.status).toBe(400);
    const html = await bad.text();
    expect(html).toContain('Nothing was imported');
    expect(html).toMatch(/<td>3<\/td>\s*<td><code>email<\/code><\/td>\s*<td>“broken” is not an email address<\/td>/);
    expect(await snapshot()).toEqual(before);
    const good = await upload('email,first_name\nok@example.com,Ok\n', 'customers');
    expect(good.status).toBe(200);
    expect(await good.text()).toContain('Imported 1 row of customers: 1 new, 0 already known.');
  });

  it('the admin page streams progress lines to its island, then the result card', async () => {
    const admin = new TestClient(t.hearth);
    admin.cookies.set(SESSION_COOKIE, await createSession(t.ctx.db, adminId, {}));
    const page = await (await admin.get('/admin/store/import')).text();
    expect(page).toContain('id="import-progress"');
    expect(page).toMatch(/<script type="module" src="\/assets\/build\/import\.js\?v=/);
    const upload = async (csv: string) => {
      const form = new FormData();
      form.set('_csrf', admin.csrfToken);
      form.set('kind', 'customers');
      form.set('file', new File([csv], 'upload.csv', { type: 'text/csv' }));
      const res = await admin.request('/admin/store/import', { method: 'POST', body: form, headers: { origin: 'http://localhost:3000', accept: 'application/x-ndjson' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('application/x-ndjson');
      return (await res.text()).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    };
    const rows = Array.from({ length: 1200 }, (_, i) => `stream-${i}@example.com,Stream ${i}`);
    const csv = `email,first_name\n${rows.join('\n')}\n`;
    const lines = await upload(csv);
    const progress = lines.filter((l) => !l.done);
    expect(progress.map((l) => l.rows)).toEqual(expect.arrayContaining([500, 1000]));
    expect(progress.every((l) => l.size === Buffer.byteLength(csv) && Number(l.bytes) <= Number(l.size))).toBe(true);
    const last = lines.at(-1);
    expect(last).toMatchObject({ done: true, ok: true, rows: 1200 });
    expect(String(last?.html)).toContain('Imported 1,200 rows of customers: 1,200 new, 0 already known.');
    const bad = (await upload('email,first_name\nbroken,Bad\n')).at(-1);
    expect(bad).toMatchObject({ done: true, ok: false });
    expect(String(bad?.html)).toContain('Nothing was imported');
  });

  it('hearth import reads a file, shows progress on stderr and exits 1 on problems', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hearth-import-'));
    const good = join(dir, 'customers.csv');
    writeFileSync(good, 'email\ncli@example.com\n');
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'email\ncli2@example.com\nnope\n');
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(await runImportCommand(t.ctx, 'customers', good)).toBe(0);
      expect(await runImportCommand(t.ctx, 'customers', bad)).toBe(1);
      const err = stderr.mock.calls.map((c) => String(c[0])).join('');
      expect(err).toContain('100% read');
      expect(err).toContain('row 3, column email: “nope” is not an email address');
      expect(stdout.mock.calls.map((c) => String(c[0])).join('')).toContain('Imported 1 customers rows');
    } finally {
      stderr.mockRestore();
      stdout.mockRestore();
    }
    const emails = await t.ctx.db.selectFrom('commerce_customers').select('email').where('email', 'like', 'cli%').execute();
    expect(emails.map((e) => e.email)).toEqual(['cli@example.com']);
  });
});
