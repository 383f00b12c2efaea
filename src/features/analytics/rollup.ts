// The incremental rollup: reads `domain_events` after the stored high-water mark, in batches, and applies
// them to the fact tables. Each batch and the mark that ends it commit in one transaction, so a batch is
// applied exactly once whatever crashes or runs twice.
import { sql } from 'kysely';
import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import type { Executor } from '../../platform/jobs/registry.ts';
import { getMemberContacts } from '../accounts/members.ts';
import { getTopic } from '../community/service.ts';

const STATE = 'rollup';

export interface RollupOptions {
  batchSize?: number;
  /**
   * Only events whose transaction started this long ago are read, and only up to the first younger one:
   * event ids are taken before their transaction commits, so a younger id may commit before an older one.
   * Any transaction shorter than this is then never skipped. Tests pass 0.
   */
  settleSeconds?: number;
  /** Stop after this many batches (the scheduled job's budget); the next run carries on. */
  maxBatches?: number;
}

export interface RollupResult {
  events: number;
  batches: number;
  lastEventId: number;
}

const id = z.coerce.number().int().positive();
const optionalId = id.nullable().optional();
const payloads = {
  userRegistered: z.object({ userId: id }),
  topicCreated: z.object({ topicId: id, spaceId: id, authorId: id, kind: z.string(), tags: z.array(z.string()).optional() }),
  topicChanged: z.object({ topicId: id }),
  replyCreated: z.object({ replyId: id, topicId: id, authorId: id, topicAuthorId: optionalId }),
  answerAccepted: z.object({ topicId: id, replyId: id, answererId: id }),
  reaction: z.object({ topicId: id, userId: id, postAuthorId: optionalId }),
  customer: z.object({ customerId: id, userId: optionalId, email: z.string().nullable().optional() }),
  orderPaid: z.object({ orderId: id, customerId: id, userId: optionalId, currency: z.string(), totalMinor: z.number().int(), paidAt: z.string().optional() }),
  orderCancelled: z.object({ orderId: id, cancelledAt: z.string().optional() }),
  refund: z.object({ orderId: id, amountMinor: z.number().int() }),
  referral: z.object({ referrerUserId: id }),
  referred: z.object({ friendUserId: id }),
  followed: z.object({ userId: id }),
  points: z.object({ userId: optionalId, ruleKey: z.string().nullable().optional() }),
  tier: z.object({ userId: optionalId, toTier: z.string().nullable().optional() }),
};

/** The names the rollup reads; other events are skipped (and still advance the mark). */
export const ROLLUP_EVENTS = [
  'user.registered',
  'topic.created',
  'topic.edited',
  'topic.deleted',
  'topic.restored',
  'reply.created',
  'answer.accepted',
  'reaction.added',
  'reaction.removed',
  'customer.created',
  'customer.updated',
  'customer.linked',
  'order.paid',
  'order.cancelled',
  'refund.created',
  'follow.added',
  'referral.created',
  'referral.completed',
  'points.earned',
  'points.pending',
  'tier.changed',
] as const;

const MEMBER_DAY_COUNTERS = ['visits', 'reads', 'follows', 'topics', 'questions', 'replies', 'answers_accepted', 'reactions_given', 'reactions_received'] as const;
type DayCounters = Record<(typeof MEMBER_DAY_COUNTERS)[number], number>;
type DailyCounters = { new_members: number; topics: number; questions: number; replies: number; accepted: number; orders: number; revenue_minor: number; refunds_minor: number };

const dayOf = (d: Date) => d.toISOString().slice(0, 10);
function dateOr(value: string | undefined, fallback: Date): Date {
  if (!value) return fallback;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? fallback : d;
}

/** Everything one batch changes, gathered in memory and written with a few set-based statements. */
class Batch {
  readonly memberDays = new Map<string, DayCounters>();
  readonly daily = new Map<string, DailyCounters>();
  readonly terms = new Map<string, number>();
  readonly newMembers = new Map<number, Date>();
  readonly contributors = new Map<number, Date>();
  readonly topics = new Map<number, { spaceId: number; authorId: number; kind: string; at: Date }>();
  readonly topicsToTitle = new Set<number>();
  readonly topicUpdates: Array<{ topicId: number; at: Date; change: 'reply' | 'response' | 'accepted' | 'deleted' | 'restored' | 'reaction' | 'unreaction' }> = [];
  readonly customers = new Map<number, { userId: number | null; email: string | null; at: Date }>();
  readonly links: Array<{ customerId: number; userId: number }> = [];
  readonly orders = new Map<number, { customerId: number; userId: number | null; currency: string; totalMinor: number; paidAt: Date }>();
  readonly cancellations: Array<{ orderId: number; at: Date }> = [];
  readonly refunds: Array<{ orderId: number; amountMinor: number }> = [];
  readonly memberCounters = new Map<number, { referrals: number; shares: number; referred?: boolean; tier?: string | null }>();

  memberDay(userId: number, day: string): DayCounters {
    const key = `${userId}|${day}`;
    let c = this.memberDays.get(key);
    if (!c) {
      c = { visits: 0, reads: 0, follows: 0, topics: 0, questions: 0, replies: 0, answers_accepted: 0, reactions_given: 0, reactions_received: 0 };
      this.memberDays.set(key, c);
    }
    return c;
  }

  day(day: string): DailyCounters {
    let c = this.daily.get(day);
    if (!c) {
      c = { new_members: 0, topics: 0, questions: 0, replies: 0, accepted: 0, orders: 0, revenue_minor: 0, refunds_minor: 0 };
      this.daily.set(day, c);
    }
    return c;
  }

  member(userId: number) {
    let c = this.memberCounters.get(userId);
    if (!c) {
      c = { referrals: 0, shares: 0 };
      this.memberCounters.set(userId, c);
    }
    return c;
  }

  contributed(userId: number, at: Date) {
    const seen = this.contributors.get(userId);
    if (!seen || at < seen) this.contributors.set(userId, at);
  }
}

function apply(batch: Batch, name: string, payload: unknown, at: Date): void {
  const day = dayOf(at);
  switch (name) {
    case 'user.registered': {
      const p = payloads.userRegistered.safeParse(payload);
      if (p.success && !batch.newMembers.has(p.data.userId)) batch.newMembers.set(p.data.userId, at);
      return;
    }
    case 'topic.created': {
      const p = payloads.topicCreated.safeParse(payload);
      if (!p.success) return;
      const t = p.data;
      batch.topics.set(t.topicId, { spaceId: t.spaceId, authorId: t.authorId, kind: t.kind, at });
      batch.topicsToTitle.add(t.topicId);
      const md = batch.memberDay(t.authorId, day);
      md.topics++;
      if (t.kind === 'question') md.questions++;
      const d = batch.day(day);
      d.topics++;
      if (t.kind === 'question') d.questions++;
      for (const tag of t.tags ?? []) batch.terms.set(`${day}|${tag}`, (batch.terms.get(`${day}|${tag}`) ?? 0) + 1);
      batch.contributed(t.authorId, at);
      return;
    }
    case 'topic.edited':
    case 'topic.deleted':
    case 'topic.restored': {
      const p = payloads.topicChanged.safeParse(payload);
      if (!p.success) return;
      if (name === 'topic.edited') batch.topicsToTitle.add(p.data.topicId);
      else batch.topicUpdates.push({ topicId: p.data.topicId, at, change: name === 'topic.deleted' ? 'deleted' : 'restored' });
      return;
    }
    case 'reply.created': {
      const p = payloads.replyCreated.safeParse(payload);
      if (!p.success) return;
      batch.memberDay(p.data.authorId, day).replies++;
      batch.day(day).replies++;
      batch.topicUpdates.push({ topicId: p.data.topicId, at, change: p.data.topicAuthorId === p.data.authorId ? 'reply' : 'response' });
      batch.contributed(p.data.authorId, at);
      return;
    }
    case 'answer.accepted': {
      const p = payloads.answerAccepted.safeParse(payload);
      if (!p.success) return;
      batch.memberDay(p.data.answererId, day).answers_accepted++;
      batch.day(day).accepted++;
      batch.topicUpdates.push({ topicId: p.data.topicId, at, change: 'accepted' });
      return;
    }
    case 'reaction.added':
    case 'reaction.removed': {
      const p = payloads.reaction.safeParse(payload);
      if (!p.success) return;
      const delta = name === 'reaction.added' ? 1 : -1;
      batch.memberDay(p.data.userId, day).reactions_given += delta;
      if (p.data.postAuthorId) batch.memberDay(p.data.postAuthorId, day).reactions_received += delta;
      batch.topicUpdates.push({ topicId: p.data.topicId, at, change: delta > 0 ? 'reaction' : 'unreaction' });
      if (delta > 0) batch.contributed(p.data.userId, at);
      return;
    }
    case 'customer.created':
    case 'customer.updated':
    case 'customer.linked': {
      const p = payloads.customer.safeParse(payload);
      if (!p.success) return;
      const prev = batch.customers.get(p.data.customerId);
      batch.customers.set(p.data.customerId, { userId: p.data.userId ?? prev?.userId ?? null, email: p.data.email ?? prev?.email ?? null, at: prev?.at ?? at });
      if (p.data.userId) batch.links.push({ customerId: p.data.customerId, userId: p.data.userId });
      return;
    }
    case 'order.paid': {
      const p = payloads.orderPaid.safeParse(payload);
      if (!p.success) return;
      const paidAt = dateOr(p.data.paidAt, at);
      batch.orders.set(p.data.orderId, { customerId: p.data.customerId, userId: p.data.userId ?? null, currency: p.data.currency, totalMinor: p.data.totalMinor, paidAt });
      const d = batch.day(dayOf(paidAt));
      d.orders++;
      d.revenue_minor += p.data.totalMinor;
      return;
    }
    case 'order.cancelled': {
      const p = payloads.orderCancelled.safeParse(payload);
      if (p.success) batch.cancellations.push({ orderId: p.data.orderId, at: dateOr(p.data.cancelledAt, at) });
      return;
    }
    case 'refund.created': {
      const p = payloads.refund.safeParse(payload);
      if (!p.success) return;
      batch.refunds.push({ orderId: p.data.orderId, amountMinor: p.data.amountMinor });
      batch.day(day).refunds_minor += p.data.amountMinor;
      return;
    }
    case 'follow.added': {
      const p = payloads.followed.safeParse(payload);
      if (p.success) batch.memberDay(p.data.userId, day).follows++;
      break;
    }
    case 'referral.created': {
      const p = payloads.referred.safeParse(payload);
      if (p.success) batch.member(p.data.friendUserId).referred = true;
      break;
    }
    case 'referral.completed': {
      const p = payloads.referral.safeParse(payload);
      if (p.success) batch.member(p.data.referrerUserId).referrals++;
      return;
    }
    case 'points.earned':
    case 'points.pending': {
      const p = payloads.points.safeParse(payload);
      if (p.success && p.data.userId && p.data.ruleKey && /share|social/.test(p.data.ruleKey)) batch.member(p.data.userId).shares++;
      return;
    }
    case 'tier.changed': {
      const p = payloads.tier.safeParse(payload);
      if (p.success && p.data.userId) batch.member(p.data.userId).tier = p.data.toTier ?? null;
      return;
    }
  }
}

/** Names and titles from the accounts and community services, fetched before the write transaction opens. */
interface Lookups {
  members: Map<number, { displayName: string; username: string }>;
  titles: Map<number, string | null>;
}

async function lookUp(ctx: AppContext, b: Batch): Promise<Lookups> {
  const ids = [...new Set([...b.newMembers.keys(), ...b.contributors.keys(), ...b.memberCounters.keys()])];
  const members = new Map<number, { displayName: string; username: string }>();
  for (let i = 0; i < ids.length; i += 1000) {
    for (const m of await getMemberContacts(ctx, ids.slice(i, i + 1000))) members.set(m.user.id, { displayName: m.user.displayName, username: m.user.username });
  }
  // Titles as a signed-out visitor sees them: a topic in a restricted space keeps no title here, so no
  // dashboard can show it to someone who may not see the space.
  const titles = new Map<number, string | null>();
  for (const topicId of b.topicsToTitle) {
    try {
      titles.set(topicId, (await getTopic(ctx, null, topicId)).title);
    } catch {
      titles.set(topicId, null);
    }
  }
  return { members, titles };
}

/** Reads and applies events until none are left (or `maxBatches`); returns how many it applied. */
export async function runRollup(ctx: AppContext, options: RollupOptions = {}): Promise<RollupResult> {
  const batchSize = options.batchSize ?? 5000;
  const settle = options.settleSeconds ?? 30;
  let events = 0;
  let batches = 0;
  let lastEventId = 0;
  for (let attempt = 0; ; attempt++) {
    if (options.maxBatches !== undefined && batches >= options.maxBatches) break;
    // Read and prepare outside the transaction (the lookups go through other features' services, and
    // PGlite has one connection); the transaction then checks that nobody moved the mark meanwhile.
    const state = await ctx.db.selectFrom('analytics_state').select('last_event_id').where('name', '=', STATE).executeTakeFirst();
    const from = state?.last_event_id ?? 0;
    lastEventId = from;
    const young = await sql<{ id: number | null }>`
      select min(id) as id from domain_events where id > ${from} and occurred_at > now() - make_interval(secs => ${settle})`.execute(ctx.db);
    const limitId = young.rows[0]?.id ?? null;
    let q = ctx.db.selectFrom('domain_events').select(['id', 'name', 'payload', 'occurred_at']).where('id', '>', from).orderBy('id').limit(batchSize);
    if (limitId !== null) q = q.where('id', '<', limitId);
    const rows = await q.execute();
    if (rows.length === 0) break;
    const batch = new Batch();
    for (const row of rows) apply(batch, row.name, row.payload, row.occurred_at);
    const lookups = await lookUp(ctx, batch);
    const last = rows[rows.length - 1]?.id ?? from;
    const outcome = await ctx.db.transaction().execute(async (trx) => {
      // One rollup at a time across every process: another finds the lock taken and leaves the work to this one.
      const lock = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(hashtext('hearth:analytics:rollup')) as locked`.execute(trx);
      if (!lock.rows[0]?.locked) return 'busy' as const;
      await trx.insertInto('analytics_state').values({ name: STATE }).onConflict((oc) => oc.column('name').doNothing()).execute();
      const current = await trx.selectFrom('analytics_state').select('last_event_id').where('name', '=', STATE).forUpdate().executeTakeFirstOrThrow();
      if (current.last_event_id !== from) return 'moved' as const;
      await writeBatch(trx, batch, lookups);
      await trx.updateTable('analytics_state').set({ last_event_id: last, updated_at: new Date() }).where('name', '=', STATE).execute();
      return 'applied' as const;
    });
    if (outcome === 'busy') break;
    if (outcome === 'moved') {
      if (attempt > 20) break;
      continue;
    }
    events += rows.length;
    batches++;
    lastEventId = last;
    if (rows.length < batchSize) break;
  }
  return { events, batches, lastEventId };
}

const json = (rows: unknown[]) => JSON.stringify(rows);

async function writeBatch(trx: Executor, b: Batch, lookups: Lookups): Promise<void> {
  const nameOf = (userId: number) => lookups.members.get(userId) ?? { displayName: `Member ${userId}`, username: '' };
  if (b.newMembers.size > 0) {
    const rows = [...b.newMembers].map(([userId, at]) => ({ user_id: userId, display_name: nameOf(userId).displayName, username: nameOf(userId).username, registered_at: at.toISOString() }));
    await sql`
      insert into analytics_members (user_id, display_name, username, registered_at)
      select user_id, display_name, username, registered_at from jsonb_to_recordset(${json(rows)}::jsonb)
        as t(user_id bigint, display_name text, username text, registered_at timestamptz)
      on conflict (user_id) do update set display_name = excluded.display_name, username = excluded.username,
        registered_at = least(analytics_members.registered_at, excluded.registered_at)`.execute(trx);
    for (const at of b.newMembers.values()) b.day(dayOf(at)).new_members++;
  }
  // Members that act before their registration was read (imports, old data) still get a row.
  const others = [...new Set([...b.contributors.keys(), ...b.memberCounters.keys()])].filter((u) => !b.newMembers.has(u));
  if (others.length > 0) {
    const rows = others.map((u) => ({ user_id: u, display_name: nameOf(u).displayName, username: nameOf(u).username }));
    await sql`
      insert into analytics_members (user_id, display_name, username)
      select user_id, display_name, username from jsonb_to_recordset(${json(rows)}::jsonb) as t(user_id bigint, display_name text, username text)
      on conflict (user_id) do nothing`.execute(trx);
  }
  if (b.contributors.size > 0) {
    const rows = [...b.contributors].map(([userId, at]) => ({ user_id: userId, at: at.toISOString() }));
    // New contributors per day: members whose first contribution is in this batch.
    await sql`
      with c as (select user_id, at from jsonb_to_recordset(${json(rows)}::jsonb) as t(user_id bigint, at timestamptz)),
      firsts as (
        update analytics_members m set first_contribution_at = c.at from c
        where m.user_id = c.user_id and m.first_contribution_at is null
        returning (c.at at time zone 'UTC')::date as day
      )
      insert into analytics_daily (day, new_contributors)
      select day, count(*) from firsts group by day
      on conflict (day) do update set new_contributors = analytics_daily.new_contributors + excluded.new_contributors`.execute(trx);
  }
  if (b.memberCounters.size > 0) {
    const rows = [...b.memberCounters].map(([userId, c]) => ({ user_id: userId, referrals: c.referrals, shares: c.shares, referred: c.referred ?? false, tier: c.tier ?? null, has_tier: c.tier !== undefined }));
    await sql`
      update analytics_members m set referrals = m.referrals + t.referrals, shares = m.shares + t.shares, referred = m.referred or t.referred,
        tier = case when t.has_tier then t.tier else m.tier end
      from jsonb_to_recordset(${json(rows)}::jsonb) as t(user_id bigint, referrals int, shares int, referred boolean, tier text, has_tier boolean)
      where m.user_id = t.user_id`.execute(trx);
  }

  if (b.memberDays.size > 0) {
    const rows = [...b.memberDays].map(([key, c]) => {
      const [userId, day = ''] = key.split('|');
      return { user_id: Number(userId), day, ...c };
    });
    await upsertMemberDays(trx, rows);
  }

  if (b.topics.size > 0) {
    const rows = [...b.topics].map(([topicId, t]) => ({ topic_id: topicId, space_id: t.spaceId, author_id: t.authorId, kind: t.kind, created_at: t.at.toISOString() }));
    await sql`
      insert into analytics_topics (topic_id, space_id, author_id, kind, created_at)
      select * from jsonb_to_recordset(${json(rows)}::jsonb) as t(topic_id bigint, space_id bigint, author_id bigint, kind text, created_at timestamptz)
      on conflict (topic_id) do nothing`.execute(trx);
  }
  for (const u of b.topicUpdates) {
    const q = trx.updateTable('analytics_topics').where('topic_id', '=', u.topicId);
    if (u.change === 'response') await q.set((eb) => ({ reply_count: eb('reply_count', '+', 1), first_response_at: eb.fn.coalesce('first_response_at', eb.val(u.at)) })).execute();
    else if (u.change === 'reply') await q.set((eb) => ({ reply_count: eb('reply_count', '+', 1) })).execute();
    else if (u.change === 'accepted') await q.set({ accepted_at: u.at }).execute();
    else if (u.change === 'deleted') await q.set({ deleted_at: u.at }).execute();
    else if (u.change === 'restored') await q.set({ deleted_at: null }).execute();
    else await q.set((eb) => ({ reaction_count: eb('reaction_count', '+', u.change === 'reaction' ? 1 : -1) })).execute();
  }
  for (const [topicId, title] of lookups.titles) {
    await trx.updateTable('analytics_topics').set({ title: title ?? '', public: title !== null }).where('topic_id', '=', topicId).execute();
  }
  if (b.terms.size > 0) {
    const rows = [...b.terms].map(([key, uses]) => {
      const [day, term] = key.split('|');
      return { day, term, uses };
    });
    await sql`
      insert into analytics_terms (day, term, uses)
      select * from jsonb_to_recordset(${json(rows)}::jsonb) as t(day date, term text, uses int)
      on conflict (day, term) do update set uses = analytics_terms.uses + excluded.uses`.execute(trx);
  }

  if (b.customers.size > 0) {
    const rows = [...b.customers].map(([customerId, c]) => ({ customer_id: customerId, user_id: c.userId, email: c.email, created_at: c.at.toISOString() }));
    await sql`
      insert into analytics_customers (customer_id, user_id, email, created_at)
      select * from jsonb_to_recordset(${json(rows)}::jsonb) as t(customer_id bigint, user_id bigint, email text, created_at timestamptz)
      on conflict (customer_id) do update set user_id = coalesce(excluded.user_id, analytics_customers.user_id), email = coalesce(excluded.email, analytics_customers.email)`.execute(trx);
  }
  if (b.orders.size > 0) {
    const rows = [...b.orders].map(([orderId, o]) => ({ order_id: orderId, customer_id: o.customerId, user_id: o.userId, currency: o.currency, total_minor: o.totalMinor, paid_at: o.paidAt.toISOString() }));
    await insertOrders(trx, rows);
  }
  if (b.links.length > 0) {
    const rows = b.links.map((l) => ({ customer_id: l.customerId, user_id: l.userId }));
    await sql`
      update analytics_customer_orders o set user_id = t.user_id
      from jsonb_to_recordset(${json(rows)}::jsonb) as t(customer_id bigint, user_id bigint)
      where o.customer_id = t.customer_id and o.user_id is distinct from t.user_id`.execute(trx);
  }
  for (const c of b.cancellations) {
    await trx.updateTable('analytics_customer_orders').set({ cancelled_at: c.at }).where('order_id', '=', c.orderId).where('cancelled_at', 'is', null).execute();
  }
  for (const r of b.refunds) {
    await trx.updateTable('analytics_customer_orders').set((eb) => ({ refunded_minor: eb('refunded_minor', '+', r.amountMinor) })).where('order_id', '=', r.orderId).execute();
  }

  if (b.daily.size > 0) {
    const rows = [...b.daily].map(([day, c]) => ({ day, ...c }));
    await sql`
      insert into analytics_daily (day, new_members, topics, questions, replies, accepted, orders, revenue_minor, refunds_minor)
      select * from jsonb_to_recordset(${json(rows)}::jsonb)
        as t(day date, new_members int, topics int, questions int, replies int, accepted int, orders int, revenue_minor bigint, refunds_minor bigint)
      on conflict (day) do update set
        new_members = analytics_daily.new_members + excluded.new_members,
        topics = analytics_daily.topics + excluded.topics,
        questions = analytics_daily.questions + excluded.questions,
        replies = analytics_daily.replies + excluded.replies,
        accepted = analytics_daily.accepted + excluded.accepted,
        orders = analytics_daily.orders + excluded.orders,
        revenue_minor = analytics_daily.revenue_minor + excluded.revenue_minor,
        refunds_minor = analytics_daily.refunds_minor + excluded.refunds_minor`.execute(trx);
  }
}

export interface MemberDayRow extends Partial<DayCounters> {
  user_id: number;
  day: string;
}

/** Adds counters to member days (one statement for the whole set). */
export async function upsertMemberDays(db: Executor, rows: MemberDayRow[]): Promise<void> {
  if (rows.length === 0) return;
  // Two rows of one member and day (a visit and reads, say) would hit the same row twice in one
  // statement, which PostgreSQL refuses: they are added up first.
  const byKey = new Map<string, Required<MemberDayRow>>();
  for (const r of rows) {
    const key = `${r.user_id}|${r.day}`;
    const sum = byKey.get(key) ?? { user_id: r.user_id, day: r.day, visits: 0, reads: 0, follows: 0, topics: 0, questions: 0, replies: 0, answers_accepted: 0, reactions_given: 0, reactions_received: 0 };
    for (const c of MEMBER_DAY_COUNTERS) sum[c] += r[c] ?? 0;
    byKey.set(key, sum);
  }
  await sql`
    insert into analytics_member_days (user_id, day, visits, reads, follows, topics, questions, replies, answers_accepted, reactions_given, reactions_received)
    select * from jsonb_to_recordset(${json([...byKey.values()])}::jsonb)
      as t(user_id bigint, day date, visits int, reads int, follows int, topics int, questions int, replies int, answers_accepted int, reactions_given int, reactions_received int)
    on conflict (user_id, day) do update set
      visits = analytics_member_days.visits + excluded.visits,
      reads = analytics_member_days.reads + excluded.reads,
      follows = analytics_member_days.follows + excluded.follows,
      topics = analytics_member_days.topics + excluded.topics,
      questions = analytics_member_days.questions + excluded.questions,
      replies = analytics_member_days.replies + excluded.replies,
      answers_accepted = analytics_member_days.answers_accepted + excluded.answers_accepted,
      reactions_given = analytics_member_days.reactions_given + excluded.reactions_given,
      reactions_received = analytics_member_days.reactions_received + excluded.reactions_received`.execute(db);
}

export interface OrderFactRow {
  order_id: number;
  customer_id: number;
  user_id: number | null;
  currency: string;
  total_minor: number;
  paid_at: string;
}

/** Paid orders into the fact table; an order already there is kept as first recorded. */
export async function insertOrders(db: Executor, rows: OrderFactRow[]): Promise<void> {
  if (rows.length === 0) return;
  // A customer linked to a member before this order's event carries the member over.
  await sql`
    insert into analytics_customer_orders (order_id, customer_id, user_id, currency, total_minor, paid_at)
    select t.order_id, t.customer_id, coalesce(t.user_id, c.user_id), t.currency, t.total_minor, t.paid_at
    from jsonb_to_recordset(${json(rows)}::jsonb) as t(order_id bigint, customer_id bigint, user_id bigint, currency text, total_minor bigint, paid_at timestamptz)
    left join analytics_customers c on c.customer_id = t.customer_id
    on conflict (order_id) do nothing`.execute(db);
}
