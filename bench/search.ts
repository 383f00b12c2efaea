// Search latency: many different queries against a running Hearth, one after another, so neither the
// page cache nor the search cache answers them. Prints percentiles of the server's answer time.
//   npm run bench:search -- [--url http://127.0.0.1:3000] [--queries 300] [--concurrency 4]
// Queries are one to three words drawn deterministically from a vocabulary of the community's
// subjects (gear, places, problems), some with a typo, the way members type them.
import { parseArgs } from 'node:util';
import { Random } from '../src/demo/random.ts';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:3000' },
    queries: { type: 'string', default: '300' },
    concurrency: { type: 'string', default: '4' },
  },
});
const base = values.url.replace(/\/$/, '');
const total = Number(values.queries);
const concurrency = Number(values.concurrency);
if (!Number.isInteger(total) || total < 1 || !Number.isInteger(concurrency) || concurrency < 1) {
  process.stderr.write('--queries and --concurrency must be positive whole numbers\n');
  process.exit(2);
}

const words = (
  'tent boots jacket waterproof sleeping bag stove backpack zip seam leak warranty return order size fit ' +
  'resole repair rain winter summer trail hike camp lake mountain coast snow wind quilt pad pole stake ' +
  'fabric down synthetic merino socks gloves hood pocket strap buckle frame hip belt lid torch lantern ' +
  'headlamp battery filter bottle pot kettle fuel canister gas lighter map compass river forest desert'
).split(' ');
const random = new Random(7);
const typo = (w: string) => (w.length > 4 ? w.slice(0, 2) + w.charAt(3) + w.charAt(2) + w.slice(4) : w);
const queries = Array.from({ length: total }, () => {
  const n = 1 + Math.floor(random.next() * 3);
  const picked = Array.from({ length: n }, () => words[Math.floor(random.next() * words.length)] ?? 'tent');
  if (random.next() < 0.15) picked[0] = typo(picked[0] ?? 'tent');
  return picked.join(' ');
});

const probe = await fetch(`${base}/api/v1/search?q=tent`).catch((err: unknown) => err);
if (!(probe instanceof Response) || !probe.ok) {
  process.stderr.write(`Cannot search at ${base}: start the server first (npm start).\n`);
  process.exit(1);
}

const times: number[] = [];
let empty = 0;
let next = 0;
async function worker(): Promise<void> {
  for (;;) {
    const i = next++;
    const q = queries[i];
    if (q === undefined) return;
    const started = performance.now();
    const res = await fetch(`${base}/api/v1/search?q=${encodeURIComponent(q)}&limit=20`);
    const body = (await res.json()) as { items?: unknown[] };
    times.push(performance.now() - started);
    if (!res.ok) throw new Error(`${q}: ${res.status}`);
    if (!body.items?.length) empty++;
  }
}
const wall = performance.now();
await Promise.all(Array.from({ length: concurrency }, () => worker()));
const seconds = (performance.now() - wall) / 1000;
times.sort((a, b) => a - b);
const pct = (p: number) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))] ?? 0;
process.stdout.write(
  `${total} different searches, ${concurrency} at a time: ${(total / seconds).toFixed(0)} searches/s; ` +
    `p50 ${pct(50).toFixed(1)} ms, p95 ${pct(95).toFixed(1)} ms, p99 ${pct(99).toFixed(1)} ms; ${empty} found nothing\n`,
);
