// Analytics benchmark: the nightly recompute on 100,000 members and 1,000,000 orders, the dashboard pages
// on that data, and the event rollup's throughput, against the PostgreSQL in DATABASE_URL.
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/analytics_bench npm run bench:analytics -- [--customers 100000] [--orders 1000000] [--events 100000] [--runs 20]
//
// The facts go straight into the analytics fact tables (analytics_members, analytics_customer_orders,
// analytics_member_days, analytics_topics) with set-based INSERT … SELECT generate_series: that is
// what the rollup would have written from the events, and generating a million `order.paid` events and
// rolling them up is measured separately (--events, at its own scale). Every analytics table is emptied
// first; the rest of the database is left alone.
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { loadConfig } from '../src/config.ts';
import { createApp } from '../src/app.ts';
import { createContext } from '../src/server.ts';
import { createSession } from '../src/features/accounts/sessions.ts';
import { runRecompute } from '../src/features/analytics/recompute.ts';
import { runRollup } from '../src/features/analytics/rollup.ts';

const { values } = parseArgs({
  options: {
    customers: { type: 'string', default: '100000' },
    orders: { type: 'string', default: '1000000' },
    events: { type: 'string', default: '100000' },
    runs: { type: 'string', default: '20' },
  },
});
const customers = Number(values.customers);
const orders = Number(values.orders);
const events = Number(values.events);
const runs = Number(values.runs);
if (!process.env.DATABASE_URL) {
  process.stderr.write('bench:analytics needs DATABASE_URL (a PostgreSQL database it may fill)\n');
  process.exit(2);
}
if (![customers, orders, events, runs].every((n) => Number.isInteger(n) && n >= 0) || customers === 0) {
  process.stderr.write('--customers, --orders, --events and --runs must be whole numbers (customers > 0)\n');
  process.exit(2);
}

const config = loadConfig({ ...process.env, LOG_LEVEL: 'warn' }, { worker: false, pageCacheSeconds: 0 });
const ctx = await createContext(config);
const { app } = createApp(ctx);
const out = (line: string) => process.stdout.write(`${line}\n`);
const time = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
  const started = performance.now();
  const result = await fn();
  return [result, performance.now() - started];
};

try {
  await sql`truncate analytics_state, analytics_members, analytics_customers, analytics_customer_orders, analytics_member_days, analytics_topics,
    analytics_terms, analytics_daily, analytics_customer_scores, analytics_persona_snapshots, analytics_models, analytics_summaries`.execute(ctx.db);
  // The rollup starts after every event already in the stream.
  await sql`insert into analytics_state (name, last_event_id) select 'rollup', coalesce(max(id), 0) from domain_events`.execute(ctx.db);

  const perCustomer = orders / customers;
  const [, genMs] = await time(async () => {
    await sql`select setseed(0.42)`.execute(ctx.db);
    await sql`
      insert into analytics_members (user_id, display_name, username, registered_at, first_contribution_at, referrals, shares)
      select i, 'Member ' || i, 'member-' || i, now() - (random() * 900 || ' days')::interval,
        case when random() < 0.4 then now() - (random() * 400 || ' days')::interval end, (random() < 0.05)::int, (random() < 0.1)::int
      from generate_series(1, ${customers}) i`.execute(ctx.db);
    await sql`insert into analytics_customers (customer_id, user_id, email, created_at) select i, i, 'member-' || i || '@example.com', now() - interval '900 days' from generate_series(1, ${customers}) i`.execute(ctx.db);
    // As the BG/NBD story goes: each customer buys at their own rate (exponential gaps) and, after each
    // purchase, leaves with their own probability; order values vary around each customer's own mean.
    await sql`
      with c as (
        select i as id, (0.5 + random()) / (1.35 * ${perCustomer}::float8) as p, 5 + 40 * random() as mean_gap, 30 + random() * 870 as first_days_ago,
          1000 + 8000 * random() * random() as mean_value
        from generate_series(1, ${customers}) i
      ),
      n as (select c.*, 1 + floor(ln(1 - random()) / ln(1 - p))::int as n from c),
      k as (
        select n.id, n.first_days_ago, n.mean_value, k,
          sum(case when k = 1 then 0 else -ln(1 - random()) * n.mean_gap end) over (partition by n.id order by k) as since_first
        from n, generate_series(1, least(n.n, ${Math.ceil(perCustomer * 8)}::int)) k
      )
      insert into analytics_customer_orders (order_id, customer_id, user_id, currency, total_minor, paid_at)
      select row_number() over (), id, id, 'GBP', round(mean_value * (0.5 + random()))::bigint, now() - ((first_days_ago - since_first) || ' days')::interval
      from k where since_first < first_days_ago`.execute(ctx.db);
    // Activity: about a third of members active on a few days of the last 90, a few very active.
    await sql`
      insert into analytics_member_days (user_id, day, visits, topics, questions, replies, answers_accepted, reactions_given, reactions_received)
      select distinct on (u, d) u, d, 1, (random() < 0.05)::int, (random() < 0.03)::int, (random() < 0.2)::int * floor(random() * 4)::int,
        (random() < 0.02)::int, (random() < 0.2)::int, (random() < 0.1)::int
      from (select u, (current_date - floor(random() * 120)::int) as d
            from generate_series(1, ${customers}) u, generate_series(1, 6) k where u % 3 = 0 or (u % 50 = 1 and k < 6)) x`.execute(ctx.db);
    await sql`
      insert into analytics_topics (topic_id, space_id, author_id, kind, title, public, created_at, first_response_at, reply_count, reaction_count, accepted_at)
      select i, 1, 1 + floor(random() * ${customers})::int, case when random() < 0.5 then 'question' else 'discussion' end, 'Benchmark topic ' || i, true,
        t, case when random() < 0.85 then t + (random() * 20 || ' hours')::interval end, floor(random() * 12)::int, floor(random() * 20)::int,
        case when random() < 0.4 then t + interval '1 day' end
      from (select i, now() - (random() * 400 || ' days')::interval as t from generate_series(1, ${Math.round(customers / 5)}) i) x`.execute(ctx.db);
    await sql`
      insert into analytics_terms (day, term, uses)
      select current_date - d, 'tag-' || k, 1 + floor(random() * 20)::int from generate_series(0, 400) d, generate_series(1, 40) k`.execute(ctx.db);
    await sql`analyze`.execute(ctx.db);
  });
  const counts = await sql<{ orders: number; days: number }>`select (select count(*) from analytics_customer_orders)::int as orders, (select count(*) from analytics_member_days)::int as days`.execute(ctx.db);
  out(`generated ${customers.toLocaleString('en')} members/customers, ${counts.rows[0]?.orders.toLocaleString('en')} orders, ${counts.rows[0]?.days.toLocaleString('en')} member-days in ${(genMs / 1000).toFixed(1)} s`);

  const [result, recomputeMs] = await time(() => runRecompute(ctx));
  out(`recompute: ${(recomputeMs / 1000).toFixed(2)} s for ${result.scored.toLocaleString('en')} scores (${result.customers.toLocaleString('en')} customers) — ${JSON.stringify(result.ms)}`);
  out(`  BG/NBD ${JSON.stringify(result.model.bgnbd)}; Gamma-Gamma ${JSON.stringify(result.model.gammaGamma)}${result.model.note ? `; ${result.model.note}` : ''}`);

  // The dashboards, as an administrator: server time of app.request (no network), median and worst of --runs.
  const admin = await ctx.db
    .insertInto('users')
    .values({ email: `bench-admin-${Date.now()}@example.com`, display_name: 'Bench admin', username: `bench-admin-${Date.now()}`, password_hash: null, role: 'admin', email_verified_at: new Date(), notification_prefs: '{}' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const cookie = `hearth_session=${await createSession(ctx.db, admin.id, {})}`;
  const paths = [
    '/admin/analytics',
    '/admin/analytics?from=' + new Date(Date.now() - 364 * 86_400_000).toISOString().slice(0, 10),
    '/admin/analytics/personas',
    '/admin/analytics/customers',
    '/admin/analytics/churn',
    '/api/v1/analytics/health',
    '/api/v1/analytics/personas',
    '/api/v1/analytics/customers',
    '/api/v1/analytics/churn-risk',
  ];
  for (const path of paths) {
    const ms: number[] = [];
    let status = 0;
    for (let i = 0; i < runs + 2; i++) {
      const started = performance.now();
      const res = await app.request(path, { headers: { cookie } });
      await res.arrayBuffer();
      status = res.status;
      if (i >= 2) ms.push(performance.now() - started);
    }
    ms.sort((a, b) => a - b);
    out(`page ${path.padEnd(44)} ${status}  median ${(ms[Math.floor(ms.length / 2)] ?? 0).toFixed(1)} ms  max ${(ms[ms.length - 1] ?? 0).toFixed(1)} ms`);
  }
  const [, csvMs] = await time(async () => (await app.request('/admin/analytics/export/customers.csv', { headers: { cookie } })).arrayBuffer());
  out(`export customers.csv (every scored customer): ${(csvMs / 1000).toFixed(2)} s`);

  if (events > 0) {
    // The rollup: `order.paid` events (as commerce writes them) for new customers, read in batches of 5,000.
    await sql`
      insert into domain_events (name, payload, occurred_at)
      select 'order.paid', jsonb_build_object('orderId', 100000000 + i, 'customerId', 1000000 + (i % 20000), 'userId', null, 'currency', 'GBP',
        'subtotalMinor', 2500, 'shippingMinor', 0, 'taxMinor', 0, 'discountMinor', 0, 'totalMinor', 2500, 'paidAt', now() - (i % 300 || ' days')::interval), now() - interval '1 hour'
      from generate_series(1, ${events}) i`.execute(ctx.db);
    const [rolled, rollupMs] = await time(() => runRollup(ctx, { settleSeconds: 0 }));
    out(`rollup: ${rolled.events.toLocaleString('en')} events in ${(rollupMs / 1000).toFixed(2)} s (${Math.round(rolled.events / (rollupMs / 1000)).toLocaleString('en')} events/s)`);
  }
} finally {
  await ctx.rateLimits.close();
  await ctx.database.close();
}
