import type { AppContext } from '../../platform/context.ts';
import { AppError } from '../../platform/http/errors.ts';
import { requireCommerce, actorId, type CommerceActor } from './access.ts';
import { CsvSyntaxError, readCsv, type CsvRecord } from './csv.ts';
import { isEmail, upsertCustomerIn, type Trx } from './customers.ts';
import { fromMinorUnits, MoneyError, toMinorUnits } from './money.ts';
import { upsertOrderIn, type OrderInput } from './orders.ts';
import { upsertProductIn, type ProductInput } from './products.ts';
import { importColumns, type ImportKind } from './import-columns.ts';

export { importColumns, importKinds, type ImportKind } from './import-columns.ts';

export const MAX_PROBLEMS = 100;

export interface ImportProblem {
  row: number;
  column: string | null;
  message: string;
}

export interface ImportResult {
  kind: ImportKind;
  ok: boolean;
  /** Data rows read (the header not counted). */
  rows: number;
  created: number;
  existing: number;
  problems: ImportProblem[];
  /** More problems than MAX_PROBLEMS were found; only the first are listed. */
  moreProblems: number;
}

export interface ImportOptions {
  onProgress?: (rows: number) => void;
}

class Rollback extends Error {}

type Row = { number: number; get(column: string): string };

class Problems {
  readonly list: ImportProblem[] = [];
  more = 0;
  add(row: number, column: string | null, message: string): void {
    if (this.list.length < MAX_PROBLEMS) this.list.push({ row, column, message });
    else this.more++;
  }
  get any(): boolean {
    return this.list.length > 0;
  }
}

const SOURCE = /^[a-z][a-z0-9_]{0,31}$/;

/** Parses the cells of a row, recording a problem per bad cell; returns null when any was bad. */
class Cells {
  ok = true;
  constructor(
    private readonly row: Row,
    private readonly problems: Problems,
  ) {}
  fail(column: string | null, message: string): undefined {
    this.ok = false;
    this.problems.add(this.row.number, column, message);
    return undefined;
  }
  text(column: string, required = false, max = 500): string | undefined {
    const v = this.row.get(column).trim();
    if (v === '') return required ? this.fail(column, 'is required') : undefined;
    if (v.length > max) return this.fail(column, `is longer than ${max} characters`);
    return v;
  }
  email(column: string): string | undefined {
    const v = this.text(column, false, 254);
    if (v !== undefined && !isEmail(v)) return this.fail(column, `“${v}” is not an email address`);
    return v;
  }
  source(column: string): string {
    const v = this.text(column, false, 32);
    if (v !== undefined && !SOURCE.test(v)) {
      this.fail(column, 'use lower-case letters, digits and _');
      return 'csv';
    }
    return v ?? 'csv';
  }
  bool(column: string): boolean | undefined {
    const v = this.text(column)?.toLowerCase();
    if (v === undefined) return undefined;
    if (['true', 'yes', '1', 'y'].includes(v)) return true;
    if (['false', 'no', '0', 'n'].includes(v)) return false;
    return this.fail(column, `“${v}” is not true/false, yes/no or 1/0`);
  }
  currency(column: string, fallback?: string): string | undefined {
    const v = this.text(column, fallback === undefined)?.toUpperCase();
    if (v === undefined) return fallback;
    if (!/^[A-Z]{3}$/.test(v)) return this.fail(column, `“${v}” is not a three-letter currency code`);
    return v;
  }
  money(column: string, currency: string | undefined, required = false): number | undefined {
    const v = this.text(column, required);
    if (v === undefined || currency === undefined) return v === undefined && !required ? 0 : undefined;
    try {
      const n = toMinorUnits(v, currency);
      if (n < 0) return this.fail(column, 'must not be negative');
      return n;
    } catch (err) {
      if (err instanceof MoneyError) return this.fail(column, err.message);
      throw err;
    }
  }
  int(column: string, required = false): number | undefined {
    const v = this.text(column, required);
    if (v === undefined) return undefined;
    if (!/^\d{1,9}$/.test(v) || Number(v) < 1) return this.fail(column, `“${v}” is not a whole number of 1 or more`);
    return Number(v);
  }
  time(column: string, required = false): Date | undefined {
    const v = this.text(column, required);
    if (v === undefined) return undefined;
    if (!/^\d{4}-\d\d-\d\d([T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?)?$/.test(v) || Number.isNaN(Date.parse(v))) {
      return this.fail(column, `“${v}” is not an ISO 8601 date and time such as 2025-03-01T10:00:00Z`);
    }
    return new Date(v);
  }
}

/** An AppError from the service names its fields; they become the problem's column where they map. */
function problemsFromError(problems: Problems, row: number, err: AppError): void {
  const fields = Object.entries(err.fields ?? {});
  if (fields.length === 0) problems.add(row, null, err.message);
  for (const [field, message] of fields) problems.add(row, field === '_' ? null : field, message);
}

/**
 * Imports one CSV file in one transaction: every row is checked, all problems are reported (up to
 * MAX_PROBLEMS) by row and column, and if there is any the transaction is rolled back, so a file is
 * applied whole or not at all. Records already known (same source and id) are left as they are, so
 * importing the same file twice changes nothing the second time.
 */
export async function importCsv(ctx: AppContext, actor: CommerceActor, kind: ImportKind, chunks: AsyncIterable<Uint8Array | string>, opts: ImportOptions = {}): Promise<ImportResult> {
  requireCommerce(actor, 'write');
  const by = actorId(actor);
  const problems = new Problems();
  const result: ImportResult = { kind, ok: false, rows: 0, created: 0, existing: 0, problems: problems.list, moreProblems: 0 };
  const finish = (): ImportResult => ({ ...result, problems: problems.list, moreProblems: problems.more, ok: !problems.any });

  try {
    await ctx.db.transaction().execute(async (trx) => {
      const importer = new Importer(ctx, trx, kind, problems, result, by);
      let header: string[] | null = null;
      for await (const record of readCsv(chunks)) {
        if (!header) {
          header = importer.readHeader(record);
          if (!header) break;
          continue;
        }
        result.rows++;
        if (record.fields.length !== header.length) {
          problems.add(record.number, null, `has ${record.fields.length} fields but the header has ${header.length}`);
        } else {
          const cols = header;
          const fields = record.fields;
          await importer.row({ number: record.number, get: (column) => fields[cols.indexOf(column)] ?? '' });
        }
        if (result.rows % 500 === 0) opts.onProgress?.(result.rows);
      }
      if (header === null && !problems.any) problems.add(1, null, 'the file is empty: it needs a header row and at least one data row');
      else if (header !== null && result.rows === 0) problems.add(2, null, 'the file has a header but no data rows');
      await importer.flush();
      opts.onProgress?.(result.rows);
      if (problems.any) throw new Rollback();
    });
  } catch (err) {
    if (err instanceof CsvSyntaxError) problems.add(err.record, null, err.message.replace(/^Row \d+: /, ''));
    else if (!(err instanceof Rollback)) throw err;
    return { ...finish(), created: 0, existing: 0 };
  }
  return finish();
}

interface PendingGroup {
  key: string;
  firstRow: number;
  rows: Row[];
}

class Importer {
  private pending: PendingGroup | null = null;
  private readonly seen = new Set<string>();
  /** After a failed write the transaction is no use: rows are then only checked. */
  private writing = true;

  constructor(
    private readonly ctx: AppContext,
    private readonly trx: Trx,
    private readonly kind: ImportKind,
    private readonly problems: Problems,
    private readonly result: ImportResult,
    private readonly by: number | null,
  ) {}

  readHeader(record: CsvRecord): string[] | null {
    const names = record.fields.map((f) => f.trim().toLowerCase());
    const known = importColumns[this.kind].map((c) => c.name);
    let ok = true;
    names.forEach((n) => {
      if (!known.includes(n)) {
        ok = false;
        this.problems.add(record.number, n || '(empty)', `is not a column of a ${this.kind} file; the columns are ${known.join(', ')}`);
      }
    });
    for (const c of importColumns[this.kind]) {
      if (c.required && !names.includes(c.name)) {
        ok = false;
        this.problems.add(record.number, c.name, 'is a required column and is missing from the header');
      }
    }
    const dupes = names.filter((n, i) => names.indexOf(n) !== i);
    for (const d of new Set(dupes)) {
      ok = false;
      this.problems.add(record.number, d, 'appears twice in the header');
    }
    return ok ? names : null;
  }

  private async write(row: number, fn: () => Promise<boolean>): Promise<void> {
    if (!this.writing || this.problems.any) return;
    try {
      if (await fn()) this.result.created++;
      else this.result.existing++;
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      problemsFromError(this.problems, row, err);
      this.writing = false;
    }
  }

  async row(row: Row): Promise<void> {
    if (this.kind === 'customers') return this.customer(row);
    const keyColumn = this.kind === 'orders' ? 'order_id' : 'product_id';
    const key = row.get(keyColumn).trim();
    if (key === '') {
      this.problems.add(row.number, keyColumn, 'is required');
      return;
    }
    if (this.pending && this.pending.key === key) {
      this.pending.rows.push(row);
      return;
    }
    await this.flush();
    if (this.seen.has(key)) {
      this.problems.add(row.number, keyColumn, `${key} appeared earlier in the file; keep the rows of one ${this.kind === 'orders' ? 'order' : 'product'} together`);
      return;
    }
    this.seen.add(key);
    this.pending = { key, firstRow: row.number, rows: [row] };
  }

  async flush(): Promise<void> {
    const group = this.pending;
    this.pending = null;
    if (!group) return;
    if (this.kind === 'orders') await this.order(group);
    else if (this.kind === 'products') await this.product(group);
  }

  private async customer(row: Row): Promise<void> {
    const c = new Cells(row, this.problems);
    const input = {
      source: c.source('source'),
      externalId: c.text('external_id', false, 200) ?? null,
      email: c.email('email') ?? null,
      firstName: c.text('first_name', false, 200),
      lastName: c.text('last_name', false, 200),
      acceptsMarketing: c.bool('accepts_marketing'),
      addressLine: c.text('address_line'),
      postcode: c.text('postcode', false, 40),
      country: c.text('country', false, 80),
    };
    if (!input.email && !input.externalId) c.fail('email', 'is required when there is no external_id');
    if (!c.ok) return;
    await this.write(row.number, async () => (await upsertCustomerIn(this.ctx, this.trx, input, this.by)).created);
  }

  private async product(group: PendingGroup): Promise<void> {
    const [first] = group.rows;
    if (!first) return;
    const head = new Cells(first, this.problems);
    const input: ProductInput = {
      source: head.source('source'),
      externalId: group.key,
      title: head.text('title', true, 300) ?? '',
      handle: head.text('handle', false, 200),
      url: head.text('url', false, 2000) ?? null,
      vendor: head.text('vendor', false, 200),
      productType: head.text('product_type', false, 200),
      status: head.text('status', false, 20),
      variants: [],
      images: [],
    };
    if (input.status && !['active', 'draft', 'archived'].includes(input.status)) head.fail('status', 'is not active, draft or archived');
    if (input.url && !/^https?:\/\/\S+$/.test(input.url)) head.fail('url', 'is not an http(s) address');
    let ok = head.ok;
    for (const r of group.rows) {
      const c = new Cells(r, this.problems);
      const currency = c.currency('currency', this.ctx.config.storeCurrency);
      const price = c.money('price', currency, true);
      const sku = c.text('sku', false, 100) ?? null;
      const variantId = c.text('variant_id', false, 200) ?? null;
      const title = c.text('variant_title', false, 200);
      const image = c.text('image_url', false, 2000);
      if (image && !/^https?:\/\/\S+$/.test(image)) c.fail('image_url', 'is not an http(s) address');
      ok = ok && c.ok;
      if (c.ok && price !== undefined && currency) input.variants.push({ externalId: variantId, sku, title, priceMinor: price, currency });
      if (image) input.images.push({ url: image });
    }
    if (!ok) return;
    await this.write(group.firstRow, async () => (await upsertProductIn(this.ctx, this.trx, input, this.by)).created);
  }

  private async order(group: PendingGroup): Promise<void> {
    const [first] = group.rows;
    if (!first) return;
    const head = new Cells(first, this.problems);
    const currency = head.currency('currency');
    const email = head.email('customer_email');
    const status = head.text('status')?.toLowerCase() ?? 'paid';
    if (!['pending', 'paid', 'fulfilled', 'cancelled'].includes(status)) head.fail('status', `“${status}” is not pending, paid, fulfilled or cancelled`);
    const placedAt = head.time('placed_at', true);
    const shipping = head.money('shipping', currency) ?? 0;
    const tax = head.money('tax', currency) ?? 0;
    const discount = head.money('discount', currency) ?? 0;
    const total = head.text('total') === undefined ? undefined : head.money('total', currency);
    const firstName = head.text('customer_first_name', false, 200);
    const lastName = head.text('customer_last_name', false, 200);
    let ok = head.ok;

    // Order-level cells are read from the first row; later rows may leave them empty or repeat them.
    const orderColumns = ['currency', 'customer_email', 'placed_at', 'shipping', 'tax', 'discount', 'total', 'status', 'name', 'source', 'customer_first_name', 'customer_last_name'];
    const lines: OrderInput['lines'] = [];
    for (const r of group.rows) {
      const c = new Cells(r, this.problems);
      if (r !== first) {
        for (const col of orderColumns) {
          const v = r.get(col).trim();
          if (v !== '' && v !== first.get(col).trim()) c.fail(col, `differs from row ${first.number}, the first row of order ${group.key}`);
        }
      }
      const quantity = c.int('quantity', true);
      const unit = c.money('unit_price', currency, true);
      const lineDiscount = c.money('line_discount', currency) ?? 0;
      const sku = c.text('sku', false, 100);
      const title = c.text('product_title', false, 300);
      if (!sku && !title) c.fail('product_title', 'give the item’s sku or product_title');
      ok = ok && c.ok;
      if (c.ok && quantity !== undefined && unit !== undefined) {
        if (lineDiscount > quantity * unit) {
          c.fail('line_discount', 'is more than the line’s price');
          ok = false;
        }
        lines.push({ sku: sku ?? null, title: title ?? '', quantity, unitPriceMinor: unit, discountMinor: lineDiscount });
      }
    }
    if (!ok || !currency || !placedAt) return;
    const subtotal = lines.reduce((sum, l) => sum + l.quantity * l.unitPriceMinor - (l.discountMinor ?? 0), 0);
    const computed = subtotal + shipping + tax - discount;
    if (computed < 0) {
      this.problems.add(first.number, 'discount', 'is more than the order’s lines, shipping and tax');
      return;
    }
    if (total !== undefined && total !== computed) {
      this.problems.add(first.number, 'total', `${head.text('total')} is not lines + shipping + tax − discount, which come to ${fromMinorUnits(computed, currency)}`);
      return;
    }
    const input: OrderInput = {
      source: head.source('source'),
      externalId: group.key,
      name: head.text('name', false, 100),
      customer: email ? { source: head.source('source'), email, firstName, lastName } : null,
      email: email ?? null,
      currency,
      subtotalMinor: subtotal,
      shippingMinor: shipping,
      taxMinor: tax,
      discountMinor: discount,
      totalMinor: computed,
      placedAt,
      lines,
      financialStatus: status === 'pending' ? 'pending' : 'paid',
      fulfillmentStatus: status === 'fulfilled' ? 'fulfilled' : 'unfulfilled',
      paidAt: status === 'paid' || status === 'fulfilled' ? placedAt : null,
      fulfilledAt: status === 'fulfilled' ? placedAt : null,
      cancelledAt: status === 'cancelled' ? placedAt : null,
    };
    await this.write(group.firstRow, async () => (await upsertOrderIn(this.ctx, this.trx, input, this.by)).created);
  }
}
