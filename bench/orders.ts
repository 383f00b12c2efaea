// Order ingestion benchmark: signed Shopify `orders/paid` webhooks sent to a running Hearth (answered once
// the delivery is stored in the inbox), and the time until loyalty has recorded every one of them (points
// awarded, after the inbox job applied the order and the loyalty job reacted), read from the database.
//   npm run bench:orders -- --url http://127.0.0.1:3000 --secret S [--orders 5000] [--concurrency 32] [--customers 2000] [--pgbench] [--api-key K]
// The server must run with SHOPIFY_WEBHOOK_SECRET=S. With DATABASE_URL naming its PostgreSQL database the
// benchmark also waits until every order has its points and reports that rate. A server on the embedded
// database cannot be read from outside: with --api-key (an admin key, `hearth apikey create --name bench
// --scopes admin` before starting it) the benchmark instead waits until the server's job queue is empty. --pgbench also runs pgbench's built-in TPC-B-like
// script on a scratch database of the same server, for scale.
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { signShopifyBody } from '../src/features/commerce/shopify.ts';
import { shopifyOrder } from '../test/fixtures/commerce/shopify.ts';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:3000' },
    secret: { type: 'string' },
    orders: { type: 'string', default: '5000' },
    concurrency: { type: 'string', default: '32' },
    customers: { type: 'string', default: '2000' },
    pgbench: { type: 'boolean', default: false },
    'api-key': { type: 'string' },
  },
});

const total = Number(values.orders);
const concurrency = Number(values.concurrency);
const customers = Number(values.customers);
const databaseUrl = process.env.DATABASE_URL;
if (!values.secret) {
  process.stderr.write('--secret (the server’s SHOPIFY_WEBHOOK_SECRET) is required\n');
  process.exit(2);
}
if (![total, concurrency, customers].every((n) => Number.isInteger(n) && n > 0)) {
  process.stderr.write('--orders, --concurrency and --customers must be whole numbers above 0\n');
  process.exit(2);
}
const secret = values.secret;
const endpoint = `${values.url.replace(/\/$/, '')}/webhooks/shopify`;

const db = databaseUrl ? new pg.Client({ connectionString: databaseUrl }) : null;
await db?.connect();
const count = async (): Promise<number> => (db ? Number((await db.query<{ n: string }>('select count(*) as n from loyalty_orders')).rows[0]?.n ?? 0) : 0);
const before = await count();
// Ids above anything a previous run used, so each run sends new orders.
const run = Date.now();

function body(i: number): string {
  const c = (i * 7919) % customers;
  const price = 20 + (i % 80);
  // Paid now, so every order earns (orders older than the program's maxOrderAgeDays earn nothing).
  const now = new Date().toISOString();
  return JSON.stringify(
    shopifyOrder({
      id: run * 1000 + i,
      created_at: now,
      processed_at: now,
      updated_at: now,
      name: `#B${run}-${i}`,
      email: `bench-${c}@customers.example`,
      financial_status: 'paid',
      subtotal_price: `${price}.00`,
      total_line_items_price: `${price}.00`,
      total_discounts: '0.00',
      total_tax: '0.00',
      total_price: `${price}.00`,
      line_items: [{ id: run * 1000 + i, variant_id: 808950810, product_id: 632910392, sku: 'BENCH-1', title: 'Bench item', name: 'Bench item', quantity: 1, price: `${price}.00`, total_discount: '0.00' }],
      customer: { id: 9_000_000 + c, email: `bench-${c}@customers.example`, first_name: 'Bench', last_name: `Customer ${c}`, state: 'enabled', verified_email: true },
    }),
  );
}

const latencies: number[] = [];
let failures = 0;
let next = 0;
const started = performance.now();
async function sender(): Promise<void> {
  for (;;) {
    const i = next++;
    if (i >= total) return;
    const raw = body(i);
    const t0 = performance.now();
    const res = await fetch(endpoint, {
      method: 'POST',
      body: raw,
      headers: {
        'content-type': 'application/json',
        'x-shopify-topic': 'orders/paid',
        'x-shopify-webhook-id': `bench-${run}-${i}`,
        'x-shopify-shop-domain': 'bench.myshopify.com',
        'x-shopify-hmac-sha256': signShopifyBody(secret, raw),
      },
    }).catch((err: unknown) => err as Error);
    latencies.push(performance.now() - t0);
    if (res instanceof Error) {
      failures++;
      if (failures === 1) process.stderr.write(`request failed: ${res.message}\n`);
    } else {
      if (!res.ok) {
        failures++;
        if (failures === 1) process.stderr.write(`request failed: ${res.status} ${await res.text()}\n`);
      } else await res.arrayBuffer();
    }
  }
}
process.stderr.write(`sending ${total} orders/paid webhooks over ${concurrency} connections…\n`);
await Promise.all(Array.from({ length: concurrency }, sender));
const sentMs = performance.now() - started;

// Points are awarded by the job worker; wait until every order is recorded (or nothing moves for 30 s).
let done = await count();
let lastChange = performance.now();
while (db && done - before < total - failures) {
  await new Promise((r) => setTimeout(r, 100));
  const n = await count();
  if (n !== done) lastChange = performance.now();
  done = n;
  if (performance.now() - lastChange > 30_000) {
    process.stderr.write(`stalled: ${done - before} of ${total - failures} orders have points\n`);
    break;
  }
}
let awardedMs = performance.now() - started;
await db?.end();

// Without the database: the queue is empty (no job queued or running) twice in a row, 300 ms apart, the
// gap within which a delivery stored after its wake-up job ran gets the next one.
const apiKey = values['api-key'];
let drained = false;
if (!db && apiKey) {
  const overview = `${values.url.replace(/\/$/, '')}/api/v1/admin/overview`;
  const busy = async (): Promise<number> => {
    const res = await fetch(overview, { headers: { authorization: `Bearer ${apiKey}` } });
    if (!res.ok) throw new Error(`${overview} answered ${res.status}: ${await res.text()}`);
    const { jobs } = (await res.json()) as { jobs: { queued: number; running: number } };
    return jobs.queued + jobs.running;
  };
  let idleSince: number | null = null;
  for (;;) {
    const now = performance.now();
    if ((await busy()) > 0) idleSince = null;
    else if (idleSince === null) idleSince = now;
    else if (now - idleSince >= 300) break;
    if (now - started > 600_000) throw new Error('the job queue did not empty within ten minutes');
    await new Promise((r) => setTimeout(r, 100));
  }
  awardedMs = (idleSince ?? performance.now()) - started;
  drained = true;
}

latencies.sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
const f = (n: number) => n.toFixed(1);
console.log(`orders sent:              ${total} (${failures} failed) in ${(sentMs / 1000).toFixed(2)} s = ${Math.round((total / sentMs) * 1000)} webhooks/s`);
console.log(`webhook latency:          p50 ${f(pct(50))} ms, p90 ${f(pct(90))} ms, p99 ${f(pct(99))} ms, max ${f(pct(100))} ms`);
if (db) console.log(`with points awarded:      ${done - before} in ${(awardedMs / 1000).toFixed(2)} s = ${Math.round(((done - before) / awardedMs) * 1000)} orders/s end to end`);
const applied = total - failures;
if (drained) console.log(`job queue drained:        ${applied} orders in ${(awardedMs / 1000).toFixed(2)} s = ${Math.round((applied / awardedMs) * 1000)} orders/s end to end`);

if (values.pgbench && databaseUrl) {
  const url = new URL(databaseUrl);
  const args = ['-h', url.hostname, '-p', url.port || '5432', '-U', decodeURIComponent(url.username || 'postgres')];
  const scratch = 'hearth_pgbench_scratch';
  execFileSync('psql', [...args, '-d', 'postgres', '-qc', `drop database if exists ${scratch}`]);
  execFileSync('psql', [...args, '-d', 'postgres', '-qc', `create database ${scratch}`]);
  execFileSync('pgbench', [...args, '-i', '-q', '-s', '10', scratch], { stdio: 'ignore' });
  const out = execFileSync('pgbench', [...args, '-c', String(concurrency), '-j', '2', '-T', '15', scratch], { encoding: 'utf8' });
  const tps = /tps = ([\d.]+)/.exec(out)?.[1];
  console.log(`pgbench (TPC-B-like, scale 10, ${concurrency} clients, 15 s): ${tps ?? '?'} tps`);
  execFileSync('psql', [...args, '-d', 'postgres', '-qc', `drop database ${scratch}`]);
}
