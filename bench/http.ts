// HTTP benchmark: drives a running Hearth with autocannon, one page at a time, and prints a table.
//   npm run bench:http -- [--url http://127.0.0.1:3000] [--connections 8] [--duration 10] [--warmup 2] PAGE...
// e.g. npm run bench:http -- --connections 32 / /s/ask /t/1/some-topic /api/v1/spaces
import autocannon from 'autocannon';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:3000' },
    connections: { type: 'string', default: '8' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
  },
});

const base = values.url.replace(/\/$/, '');
const connections = Number(values.connections);
const duration = Number(values.duration);
const warmup = Number(values.warmup);
const pages = positionals.length ? positionals : ['/'];
if (![connections, duration, warmup].every((n) => Number.isFinite(n) && n >= 0) || connections < 1 || duration <= 0) {
  process.stderr.write('--connections and --duration must be positive numbers, --warmup zero or more\n');
  process.exit(2);
}

interface Row {
  page: string;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  non2xx: number;
  errors: number;
  bytes: number;
}

const rows: Row[] = [];
for (const page of pages) {
  const url = base + (page.startsWith('/') ? page : `/${page}`);
  const probe = await fetch(url, { redirect: 'manual' }).catch((err: unknown) => err);
  if (probe instanceof Error) {
    process.stderr.write(`Cannot reach ${url}: ${probe.message}. Start the server first (npm start).\n`);
    process.exit(1);
  }
  if (probe instanceof Response && probe.status >= 300) process.stderr.write(`note: ${page} answers ${probe.status}; it is measured as is\n`);
  process.stderr.write(`${page}: ${connections} connections, ${duration} s${warmup ? ` after ${warmup} s warm-up` : ''}…\n`);
  const result = await autocannon({
    url,
    connections,
    duration,
    // What a browser sends: pages are served compressed, as visitors get them.
    headers: { accept: 'text/html,application/json', 'accept-encoding': 'gzip, deflate, br' },
    warmup: warmup ? { connections, duration: warmup } : undefined,
  });
  rows.push({
    page,
    rps: result.requests.average,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    bytes: result.requests.total ? result.throughput.total / result.requests.total : 0,
  });
}

const table = [
  ['page', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'non-2xx', 'errors', 'bytes/resp'],
  ...rows.map((r) => [r.page, r.rps.toFixed(0), r.p50.toFixed(1), r.p90.toFixed(1), r.p99.toFixed(1), String(r.non2xx), String(r.errors), r.bytes.toFixed(0)]),
];
const widths = table[0]?.map((_, col) => Math.max(...table.map((row) => (row[col] ?? '').length))) ?? [];
for (const row of table) {
  process.stdout.write(row.map((cell, col) => (col === 0 ? cell.padEnd(widths[col] ?? 0) : cell.padStart(widths[col] ?? 0))).join('  ') + '\n');
}
