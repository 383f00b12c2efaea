// Page weight: what a first visit to a page transfers, the HTML and every same-origin stylesheet and
// script it links, as compressed bytes on the wire. Fails when the total is over the budget.
//   npm run bench:weight -- [--url http://127.0.0.1:3000] [--encoding gzip|br|identity] [--budget 60] [--cookie 'hearth_session=…'] PAGE
// e.g. npm run bench:weight -- /t/1/some-topic
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:3000' },
    encoding: { type: 'string', default: 'gzip' },
    budget: { type: 'string', default: '60' },
    cookie: { type: 'string' },
  },
});

const base = new URL(values.url);
const budgetKb = Number(values.budget);
const page = positionals[0] ?? '/';

interface Fetched {
  url: string;
  status: number;
  type: string;
  encoding: string;
  /** Bytes of the body as sent (compressed when the server compressed it). */
  wireBytes: number;
  /** Bytes after decoding, for the ratio; the body itself is read only for the HTML. */
  body: Buffer;
}

/**
 * node:http rather than fetch: fetch decompresses on its own and hides the bytes on the wire, which are
 * the whole point here.
 */
function get(url: URL): Promise<Fetched> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const headers: Record<string, string> = { 'accept-encoding': values.encoding, accept: 'text/html,*/*' };
  if (values.cookie) headers.cookie = values.cookie;
  return new Promise((resolve, reject) => {
    const req = send(url, { headers }, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        resolve({
          url: url.pathname + url.search,
          status: res.statusCode ?? 0,
          type: String(res.headers['content-type'] ?? ''),
          encoding: String(res.headers['content-encoding'] ?? 'identity'),
          wireBytes: raw.length,
          body: raw,
        });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function decoded(f: Fetched): Promise<string> {
  const zlib = await import('node:zlib');
  if (f.encoding === 'gzip') return zlib.gunzipSync(f.body).toString('utf8');
  if (f.encoding === 'br') return zlib.brotliDecompressSync(f.body).toString('utf8');
  return f.body.toString('utf8');
}

/** Same-origin stylesheets and scripts the page loads on first paint (preloads and icons are left out). */
function linkedResources(html: string, pageUrl: URL): URL[] {
  const found: string[] = [];
  for (const m of html.matchAll(/<link\b[^>]*>/g)) {
    const tag = m[0];
    if (!/\brel="stylesheet"/.test(tag)) continue;
    const href = /\bhref="([^"]+)"/.exec(tag)?.[1];
    if (href) found.push(href);
  }
  for (const m of html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"[^>]*>/g)) if (m[1]) found.push(m[1]);
  const urls = found.map((href) => new URL(href.replace(/&amp;/g, '&'), pageUrl));
  const sameOrigin = urls.filter((u) => u.origin === pageUrl.origin);
  return [...new Map(sameOrigin.map((u) => [u.href, u])).values()];
}

const pageUrl = new URL(page, base);
const html = await get(pageUrl).catch((err: unknown) => {
  process.stderr.write(`Cannot reach ${pageUrl.href}: ${err instanceof Error ? err.message : String(err)}. Start the server first (npm start).\n`);
  process.exit(1);
});
if (html.status !== 200) process.stderr.write(`note: ${page} answers ${html.status}\n`);
const text = await decoded(html);
const resources = await Promise.all(linkedResources(text, pageUrl).map((u) => get(u)));

const rows = [html, ...resources];
const total = rows.reduce((n, r) => n + r.wireBytes, 0);
const kb = (n: number) => (n / 1024).toFixed(1);
const table = [
  ['resource', 'status', 'encoding', 'KB on the wire'],
  ...rows.map((r) => [r.url, String(r.status), r.encoding, kb(r.wireBytes)]),
  ['total', '', '', kb(total)],
];
const widths = table[0]?.map((_, col) => Math.max(...table.map((row) => (row[col] ?? '').length))) ?? [];
for (const row of table) {
  process.stdout.write(row.map((cell, col) => (col === 0 ? cell.padEnd(widths[col] ?? 0) : cell.padStart(widths[col] ?? 0))).join('  ') + '\n');
}
const over = total > budgetKb * 1024;
process.stdout.write(`${over ? 'OVER' : 'within'} the budget of ${budgetKb} KB (${values.encoding}; HTML ${kb(Buffer.byteLength(text))} KB before compression)\n`);
if (over) process.exitCode = 1;
