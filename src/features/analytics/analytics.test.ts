import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHearth, TestClient, type TestHearth } from '../../../test/helpers.ts';
import { publishEvent } from '../../platform/jobs/registry.ts';
import type { CurrentUser } from '../../platform/http/env.ts';
import { createSession } from '../accounts/sessions.ts';
import type { Role } from '../accounts/tables.ts';
import { acceptAnswer, createReply, createTopic } from '../community/service.ts';
import { follow } from '../notifications/service.ts';
import { csvLine } from './exports.ts';
import { assignPersona, defaultPersonaSettings, nextStepToInsider } from './personas.ts';
import { runRecompute } from './recompute.ts';
import { wilson } from './retention.ts';
import { runRollup } from './rollup.ts';
import { resolveRange } from './service.ts';
import { VisitRecorder, visitRecorder } from './visits.ts';

let t: TestHearth;
let seq = 0;
const DAY = 86_400_000;

interface Member {
  id: number;
  user: CurrentUser;
  client: TestClient;
}

/** A confirmed member with a session, registered as accounts does it (with `user.registered`). */
async function member(name: string, role: Role = 'member'): Promise<Member> {
  seq++;
  const username = `an-${seq}`;
  const email = `${username}@example.com`;
  const row = await t.ctx.db
    .insertInto('users')
    .values({ email, display_name: name, username, password_hash: null, role, email_verified_at: new Date(), notification_prefs: '{}' })
    .returning('id')
    .executeTakeFirstOrThrow();
  await publish('user.registered', { userId: row.id }, row.id);
  const client = new TestClient(t.hearth);
  client.cookies.set('hearth_session', await createSession(t.ctx.db, row.id, {}));
  return { id: row.id, client, user: { id: row.id, email, displayName: name, username, role, emailVerified: true, avatarPath: null } };
}

async function publish(name: string, payload: Record<string, unknown>, actorId: number | null = null): Promise<number> {
  return t.ctx.db.transaction().execute((trx) => publishEvent(trx, t.ctx.jobs, name, payload, actorId));
}

let orderId = 5000;
/** `order.paid` as commerce publishes it. */
async function paid(customerId: number, userId: number | null, totalMinor: number, paidAt: Date): Promise<number> {
  orderId++;
  await publish('order.paid', {
    orderId,
    customerId,
    userId,
    currency: 'GBP',
    subtotalMinor: totalMinor,
    shippingMinor: 0,
    taxMinor: 0,
    discountMinor: 0,
    totalMinor,
    placedAt: paidAt.toISOString(),
    paidAt: paidAt.toISOString(),
  });
  return orderId;
}

const daysAgo = (n: number) => new Date(Date.now() - n * DAY);
const rollup = () => runRollup(t.ctx, { settleSeconds: 0, batchSize: 100 });

beforeAll(async () => {
  t = await createTestHearth();
});

afterAll(async () => {
  await t.close();
});

describe('personas (rules)', () => {
  const none = { visitDays: 0, posts: 0, acceptedAnswers: 0, reactionsReceived: 0, reactionsGiven: 0 };
  const noValue = { orders: 0, spend: 0, predicted: 0, referrals: 0, shares: 0 };
  it('assigns by the thresholds and says what would move a Supporter', () => {
    const s = defaultPersonaSettings;
    expect(assignPersona(none, noValue, s).persona).toBe('Drifters');
    expect(assignPersona({ ...none, visitDays: 5 }, noValue, s).persona).toBe('Lurkers');
    const supporter = assignPersona({ ...none, visitDays: 5, posts: 5 }, { ...noValue, orders: 3 }, s);
    expect(supporter).toMatchObject({ persona: 'Supporters', engagement: 20, value: 30 });
    expect(supporter.nextStep).toBe('answer 2 more questions (accepted) and one more order');
    expect(assignPersona({ ...none, visitDays: 10, posts: 5, acceptedAnswers: 1 }, { ...noValue, orders: 4 }, s).persona).toBe('Insiders');
    expect(nextStepToInsider(0, 25)).toBe('3 more orders');
  });

  it('refuses a reversed or too long date range', () => {
    expect(resolveRange({ from: '2026-01-01', to: '2026-01-31' })).toEqual({ from: '2026-01-01', to: '2026-01-31' });
    expect(() => resolveRange({ from: '2026-02-01', to: '2026-01-31' })).toThrow();
    expect(() => resolveRange({ from: '2024-01-01', to: '2026-01-31' })).toThrow();
  });

  it('gives Wilson 95% intervals', () => {
    const half = wilson(5, 10);
    expect(half?.low).toBeCloseTo(0.2366, 4);
    expect(half?.high).toBeCloseTo(0.7634, 4);
    expect(wilson(0, 10)?.low).toBe(0);
    expect(wilson(0, 10)?.high).toBeCloseTo(0.2775, 4);
    expect(wilson(0, 0)).toBeNull();
  });

  it('writes CSV safely', () => {
    expect(csvLine(['a,b', 'say "hi"', '=HYPERLINK()', 3, null])).toBe('"a,b","say ""hi""",\'=HYPERLINK(),3,\r\n');
  });
});

describe('analytics from the event stream', () => {
  let admin: Member;
  let asker: Member;
  let helper: Member;
  let champion: Member;
  let lapsed: Member;
  let lurker: Member;
  let drifter: Member;
  let supporter: Member;

  beforeAll(async () => {
    admin = await member('Ada Admin', 'admin');
    asker = await member('Asha Asker');
    helper = await member('Hugo Helper');
    champion = await member('Chloe Champion');
    lapsed = await member('Luca Lapsed');
    lurker = await member('Lena Lurker');
    drifter = await member('Dan Drifter');
    supporter = await member('Sam Supporter');
    await t.ctx.db.insertInto('spaces').values({ slug: 'help', name: 'Help', description: 'Ask', visibility: 'public', default_kind: 'question' }).execute();
  });

  it('rolls community content into member days and topics, and reports health', async () => {
    const answered = await createTopic(t.ctx, asker.user, { space: 'help', kind: 'question', title: 'Tent zipper keeps splitting', body: 'Any fix?', pinned: false });
    const open = await createTopic(t.ctx, asker.user, { space: 'help', kind: 'question', title: 'Which stove for winter?', body: 'Gas or liquid?', pinned: false });
    const { reply } = await createReply(t.ctx, helper.user, answered.id, { body: 'Squeeze the slider gently with pliers.' });
    // The question was asked two hours before its first response (the rollup reads the events' times).
    const asked = await t.ctx.db.selectFrom('domain_events').select('id').where('name', '=', 'topic.created').orderBy('id').executeTakeFirstOrThrow();
    await t.ctx.db.updateTable('domain_events').set({ occurred_at: new Date(Date.now() - 2 * 3600_000) }).where('id', '=', asked.id).execute();
    await acceptAnswer(t.ctx, asker.user, answered.id, reply.id);
    await createReply(t.ctx, asker.user, answered.id, { body: 'Thanks, that worked!' });
    // The champion is a busy contributor (engagement), the supporter replied once.
    for (let i = 0; i < 10; i++) await createReply(t.ctx, champion.user, open.id, { body: `Idea ${i}: try a canister stove.` });
    await createReply(t.ctx, supporter.user, open.id, { body: 'Liquid fuel for real cold.' });
    await publish('topic.created', { topicId: 999_001, spaceId: 1, authorId: helper.id, kind: 'discussion', tags: ['tents', 'zips'] }, helper.id);

    const first = await rollup();
    expect(first.events).toBeGreaterThan(10);
    // Running again reads nothing new: the high-water mark moved with the batch.
    expect((await rollup()).events).toBe(0);

    const topic = await t.ctx.db.selectFrom('analytics_topics').selectAll().where('topic_id', '=', answered.id).executeTakeFirstOrThrow();
    expect(topic).toMatchObject({ title: 'Tent zipper keeps splitting', public: true, reply_count: 2, kind: 'question' });
    expect(topic.accepted_at).not.toBeNull();
    const openRow = await t.ctx.db.selectFrom('analytics_topics').selectAll().where('topic_id', '=', open.id).executeTakeFirstOrThrow();
    expect(openRow.reply_count).toBe(11);
    expect(openRow.first_response_at).not.toBeNull();
    const days = await t.ctx.db.selectFrom('analytics_member_days').selectAll().where('user_id', '=', champion.id).execute();
    expect(days.reduce((s, d) => s + d.replies, 0)).toBe(10);
    const helperDays = await t.ctx.db.selectFrom('analytics_member_days').selectAll().where('user_id', '=', helper.id).execute();
    expect(helperDays.reduce((s, d) => s + d.answers_accepted, 0)).toBe(1);

    // Visits: a signed-in page view is buffered and written with one upsert. Reading a topic counts a read;
    // following a space (once, however often it is asked) is an event the rollup counts.
    await lurker.client.get('/');
    expect((await lurker.client.get(open.url)).status).toBe(200);
    expect((await lurker.client.get(open.url)).status).toBe(200);
    await visitRecorder(t.ctx).flush();
    await follow(t.ctx, lurker.user, 'space', 'help');
    await follow(t.ctx, lurker.user, 'space', 'help');
    expect((await rollup()).events).toBe(1);
    const signals = await t.ctx.db.selectFrom('analytics_member_days').select(['reads', 'follows']).where('user_id', '=', lurker.id).execute();
    expect([signals.reduce((n, d) => n + d.reads, 0), signals.reduce((n, d) => n + d.follows, 0)]).toEqual([2, 1]);
    const recorder = new VisitRecorder(t.ctx);
    for (const ago of [2, 5, 9]) recorder.record(lurker.id, daysAgo(ago));
    recorder.record(lurker.id, daysAgo(2));
    await recorder.close();
    const lurkerDays = await t.ctx.db.selectFrom('analytics_member_days').select(['visits']).where('user_id', '=', lurker.id).execute();
    expect(lurkerDays.length).toBe(4);
    expect(lurkerDays.every((d) => d.visits === 1)).toBe(true);

    await runRecompute(t.ctx);
    const today = new Date().toISOString().slice(0, 10);
    const yesterday = daysAgo(1).toISOString().slice(0, 10);
    const res = await admin.client.get(`/api/v1/analytics/health?from=${yesterday}&to=${today}`);
    expect(res.status).toBe(200);
    const health = await res.json();
    expect(health).toMatchObject({ questions: 2, answeredShare: 1, solvedShare: 0.5, medianFirstResponseSeconds: expect.any(Number), newContributors: 4 });
    // Median of 2 h (the answered question) and seconds (the open one's first reply).
    expect(health.medianFirstResponseSeconds).toBeGreaterThan(3500);
    expect(health.medianFirstResponseSeconds).toBeLessThan(3700);
    // Active today: asker, helper, champion, supporter, lurker (visit).
    expect(health.series.at(-1)).toMatchObject({ day: today, dau: 5 });
    expect(health.mau).toBe(5);
    expect(health.contributorRatio).toBeCloseTo(4 / 5);
    expect(health.superuserShare).toBeCloseTo(10 / 16);
    expect(health.topContributors[0]).toMatchObject({ displayName: 'Chloe Champion', replies: 10 });
    expect(health.trendingTerms.map((x: { term: string }) => x.term)).toEqual(['tents', 'zips']);
    expect(health.unanswered).toEqual([]);
    // The default range (the last 30 days) reads the figures precomputed by the recompute: the same answers.
    const preset = await (await admin.client.get('/api/v1/analytics/health')).json();
    expect(preset).toMatchObject({ contributorRatio: health.contributorRatio, superuserShare: health.superuserShare, topContributors: health.topContributors, questions: 2 });

    const page = await admin.client.get('/admin/analytics');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Community health');
    expect(html).toContain('Chloe Champion');
    expect(html).toContain('data-chart');
    expect(html).toMatch(/\/assets\/build\/charts\.js/);
    expect(html).not.toMatch(/<script>(?!<)/);
    const csv = await (await admin.client.get(`/admin/analytics/export/contributors.csv?from=${yesterday}&to=${today}`)).text();
    expect(csv.split('\r\n')[0]).toBe('user_id,name,username,topics,replies,accepted_answers,reactions_received');
    expect(csv).toContain(`${champion.id},Chloe Champion,`);

    // Views of the solved question count towards indirect deflection.
    await new TestClient(t.hearth).get(`/t/${answered.id}`);
    await new TestClient(t.hearth).get(`/t/${answered.id}`);
    await visitRecorder(t.ctx).flush();
    expect((await t.ctx.db.selectFrom('analytics_topics').select('views').where('topic_id', '=', answered.id).executeTakeFirstOrThrow()).views).toBe(2);
    const saved = await admin.client.postForm('/admin/analytics/roi/settings', {
      costPerTicketMinor: '600',
      indirectDeflectionRate: '50',
      supportQuestionsPerMonth: '1000',
      whatIfShare: '15',
      programCostPerMonthMinor: '3000',
      grossMargin: '40',
    });
    expect(saved.status).toBe(303);
    const roi = await (await admin.client.get(`/api/v1/analytics/roi?from=${yesterday}&to=${today}&questions=2000&share=10`)).json();
    // One accepted answer + 2 solved views × 50% = 2 tickets at £6; the cost is £30 a month over 2 days.
    expect(roi).toMatchObject({ directDeflections: 1, solvedViews: 2, indirectDeflections: 1, supportSavingsMinor: 1200, programCostMinor: 200, whatIf: { deflectedPerMonth: 200, savingsPerMonthMinor: 120_000, savingsPerYearMinor: 1_440_000 } });
    const roiPage = await (await admin.client.get('/admin/analytics/roi?questions=1000&share=15')).text();
    expect(roiPage).toContain('<strong>150</strong> fewer tickets a month');
    expect((await (await admin.client.get('/admin/analytics/export/roi.csv')).text()).split('\r\n')[0]).toContain('direct_deflections,solved_views');

    // Members and signed-out visitors are refused.
    expect((await asker.client.get('/api/v1/analytics/health')).status).toBe(403);
    expect((await asker.client.get('/admin/analytics')).status).toBe(403);
    expect((await new TestClient(t.hearth).get('/admin/analytics/churn')).status).toBe(303);
  });

  it('scores customers from orders: RFM, lifetime value, churn risk and personas', async () => {
    // 60 store customers without accounts, buying and dropping out as the BG/NBD story goes (a purchase
    // rate each, and a chance of leaving after every purchase), so the models have something to fit.
    let x = 7;
    const rand = () => (x = (x * 48271) % 2147483647) / 2147483647;
    for (let c = 1; c <= 60; c++) {
      await publish('customer.created', { customerId: c, userId: null, email: `buyer${c}@example.com` });
      const rate = 0.01 + rand() * 0.06;
      const leave = 0.1 + rand() * 0.5;
      let day = 30 + Math.floor(rand() * 570);
      for (;;) {
        await paid(c, null, 2000 + Math.floor(rand() * 6000), daysAgo(day));
        if (rand() < leave) break;
        day -= Math.max(1, Math.round(-Math.log(1 - rand()) / rate));
        if (day < 2) break;
      }
    }
    // Members' customers: the champion buys every 20 days, the lapsed member bought every 10 days and stopped 45 days ago.
    await publish('customer.created', { customerId: 101, userId: champion.id, email: 'chloe@example.com' });
    for (let k = 0; k < 10; k++) await paid(101, champion.id, 6000, daysAgo(3 + 20 * k));
    await publish('customer.created', { customerId: 102, userId: null, email: 'luca@example.com' });
    for (let k = 0; k < 30; k++) await paid(102, null, 8000, daysAgo(45 + 10 * k));
    await publish('customer.linked', { customerId: 102, userId: lapsed.id });
    // A refunded and a cancelled order change the figures.
    const refunded = await paid(101, champion.id, 10_000, daysAgo(1));
    await publish('refund.created', { refundId: 1, orderId: refunded, customerId: 101, userId: champion.id, currency: 'GBP', amountMinor: 4000 });
    const cancelled = await paid(1, null, 99_999, daysAgo(1));
    await publish('order.cancelled', { orderId: cancelled, customerId: 1, userId: null });
    // The lapsed member joined through the champion's referral.
    await publish('referral.created', { referralId: 1, referrerUserId: champion.id, friendUserId: lapsed.id });

    await rollup();
    const linked = await t.ctx.db.selectFrom('analytics_customer_orders').select(['user_id']).where('customer_id', '=', 102).execute();
    expect(linked.every((o) => o.user_id === lapsed.id)).toBe(true);

    const result = await runRecompute(t.ctx);
    expect(result.model.note).toBeNull();
    expect(result.model.bgnbd).not.toBeNull();
    expect(result.model.gammaGamma).not.toBeNull();

    const score = (userId: number) => t.ctx.db.selectFrom('analytics_customer_scores').selectAll().where('user_id', '=', userId).executeTakeFirstOrThrow();
    const chloe = await score(champion.id);
    expect(chloe).toMatchObject({ orders: 11, spend_minor: 10 * 6000 + 6000, segment: 'Champions', r: 5, persona: 'Insiders' });
    expect(chloe.p_alive).toBeGreaterThan(0.9);
    expect(chloe.clv_12m_minor).toBeGreaterThan(0);
    const luca = await score(lapsed.id);
    expect(luca.orders).toBe(30);
    expect(luca.p_alive_before).toBeGreaterThan(luca.p_alive ?? 1);
    expect(luca.value_at_stake_minor).toBeGreaterThan(0);
    expect((await score(lurker.id)).persona).toBe('Lurkers');
    expect((await score(drifter.id)).persona).toBe('Drifters');
    const sam = await score(supporter.id);
    expect(sam.persona).toBe('Supporters');
    expect(sam.next_step).toContain('more orders');
    const cancelledCustomer = await t.ctx.db.selectFrom('analytics_customer_scores').selectAll().where('subject', '=', 'c1').executeTakeFirstOrThrow();
    expect(cancelledCustomer.spend_minor).toBeLessThan(99_999);

    // Churn risk: the lapsed member first, by value at stake, in the API, the page and the CSV.
    const churn = await (await admin.client.get('/api/v1/analytics/churn-risk?limit=5')).json();
    expect(churn.items[0]).toMatchObject({ userId: lapsed.id, displayName: 'Luca Lapsed', orders: 30 });
    const values = churn.items.map((i: { valueAtStakeMinor: number }) => i.valueAtStakeMinor);
    expect([...values].sort((a, b) => b - a)).toEqual(values);
    const churnPage = await (await admin.client.get('/admin/analytics/churn')).text();
    expect(churnPage).toContain('Luca Lapsed');
    const churnCsv = await admin.client.get('/admin/analytics/export/churn.csv');
    expect(churnCsv.headers.get('content-type')).toContain('text/csv');
    const lines = (await churnCsv.text()).trim().split('\r\n');
    expect(lines[0]).toContain('value_at_stake_minor');
    expect(lines[1]).toContain('Luca Lapsed');
    expect(lines.length - 1).toBe(churn.items.length < 5 ? churn.items.length : lines.length - 1);

    // RFM and CLV page and API.
    const customers = await (await admin.client.get('/api/v1/analytics/customers')).json();
    expect(customers.totals.customers).toBe(62);
    expect(customers.segments.find((s: { segment: string }) => s.segment === 'Champions').customers).toBeGreaterThan(0);
    expect(customers.models.find((m: { name: string }) => m.name === 'bgnbd')).toMatchObject({ converged: true, n: 62 });
    const customersPage = await (await admin.client.get('/admin/analytics/customers')).text();
    expect(customersPage).toContain('Bought recently (R 4–5)');
    expect(customersPage).toContain('Chloe Champion');
    const segmentsCsv = await (await admin.client.get('/admin/analytics/export/segments.csv')).text();
    expect(segmentsCsv).toContain('Champions,');

    // Retention: members against store customers without an account, with sample sizes and intervals.
    const retention = await (await admin.client.get('/api/v1/analytics/retention')).json();
    const membership = retention.groups.filter((g: { dimension: string }) => g.dimension === 'membership');
    expect(membership).toContainEqual(expect.objectContaining({ group: 'Community members', customers: 2, repeaters: 2, repurchaseRate: 1 }));
    const members = membership.find((g: { group: string }) => g.group === 'Community members');
    expect(members.low).toBeCloseTo(wilson(2, 2)?.low ?? 0, 6);
    const others = membership.find((g: { group: string }) => g.group === 'Store customers without an account');
    expect(others.customers).toBe(60);
    expect(retention.groups.filter((g: { dimension: string }) => g.dimension === 'referred').map((g: { group: string; customers: number }) => [g.group, g.customers]).sort()).toEqual([
      ['Joined through a referral', 1],
      ['Not referred', 1],
    ]);
    expect(retention.groups.filter((g: { dimension: string }) => g.dimension === 'persona').map((g: { group: string }) => g.group).sort()).toEqual(['Drifters', 'Insiders']);
    expect(retention.curves[0].points[0]).toMatchObject({ month: 0, rate: 1 });
    expect(retention.caveat).toContain('comparisons, not causes');
    const retentionPage = await (await admin.client.get('/admin/analytics/retention')).text();
    expect(retentionPage).toContain('comparisons, not causes');
    expect((await (await admin.client.get('/admin/analytics/export/repurchase.csv')).text()).split('\r\n')[0]).toBe('dimension,group,customers,repeat_buyers,repurchase_rate,ci95_low,ci95_high');

    // Personas: the split beside the benchmark, with the rules.
    const personas = await (await admin.client.get('/api/v1/analytics/personas')).json();
    const split = Object.fromEntries(personas.split.map((p: { persona: string; members: number }) => [p.persona, p.members]));
    // Asker, helper and supporter contributed; the lurker visited on 4 days; the champion is an Insider; the
    // admin (one day of page views), the drifter and the lapsed buyer barely came.
    expect(split).toEqual({ Drifters: 3, Lurkers: 1, Supporters: 3, Insiders: 1 });
    expect(personas.split.find((p: { persona: string }) => p.persona === 'Supporters').benchmark).toBe(0.52);
    expect(personas.closestToInsiders.map((m: { displayName: string }) => m.displayName)).toContain('Sam Supporter');
    const personasPage = await (await admin.client.get('/admin/analytics/personas')).text();
    expect(personasPage).toContain('Engagement 30 or more and value 40 or more');
  });

  it('keeps monthly snapshots for movement and applies new thresholds from the next recompute', async () => {
    const now = new Date();
    const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 15));
    await runRecompute(t.ctx, { asOf: lastMonth });
    // Raising the Drifter threshold above the lurker's engagement (four visit days, two reads, a follow: 5.4) makes them a Drifter.
    const save = await admin.client.postForm('/admin/analytics/personas/settings', { windowDays: '90', drifterBelow: '6', insiderEngagement: '30', insiderValue: '40' });
    expect(save.status).toBe(303);
    const bad = await admin.client.postForm('/admin/analytics/personas/settings', { windowDays: '90', drifterBelow: '50', insiderEngagement: '30', insiderValue: '40' });
    expect(bad.status).toBe(400);
    await runRecompute(t.ctx);
    const lena = await t.ctx.db.selectFrom('analytics_customer_scores').select('persona').where('user_id', '=', lurker.id).executeTakeFirstOrThrow();
    expect(lena.persona).toBe('Drifters');

    const personas = await (await admin.client.get('/api/v1/analytics/personas')).json();
    expect(personas.transitions.to).toBe(now.toISOString().slice(0, 7));
    expect(personas.transitions.from).toBe(lastMonth.toISOString().slice(0, 7));
    const total = personas.transitions.cells.reduce((s: number, c: { members: number }) => s + c.members, 0);
    expect(total).toBe(8);
    const cell = (from: string, to: string) => personas.transitions.cells.find((c: { from: string; to: string }) => c.from === from && c.to === to)?.members ?? 0;
    // Last month nobody had posted yet (all content is from today), so the contributors moved up.
    expect(cell('Drifters', 'Supporters')).toBeGreaterThan(0);
    const transitionsCsv = await (await admin.client.get('/admin/analytics/export/transitions.csv')).text();
    expect(transitionsCsv.split('\r\n')[0]).toBe('from_month,to_month,from_persona,to_persona,members');

    const openapi = await (await admin.client.get('/api/v1/openapi.json')).json();
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining(['/api/v1/analytics/health', '/api/v1/analytics/personas', '/api/v1/analytics/customers', '/api/v1/analytics/retention', '/api/v1/analytics/churn-risk']),
    );
  });
});
