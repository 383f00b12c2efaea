import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHearth, type TestHearth } from '../../../test/helpers.ts';
import { createLogger } from '../../platform/logger.ts';
import { createContext } from '../../server.ts';
import type { AppContext } from '../../platform/context.ts';
import { AppError } from '../../platform/http/errors.ts';
import { ensureCustomerAccount, ensureUserAccount, linkCustomer } from './accounts.ts';
import { addPending, credit, debit, lockAccount, settlePending, type EntryRow } from './ledger.ts';
import { redeemReward } from './rewards.ts';
import { makeMember } from './testing.ts';

let t: TestHearth;

beforeAll(async () => {
  t = await createTestHearth();
});

afterAll(async () => {
  await t.close();
});

/** Every invariant of one account, recomputed from the ledger, the lots and the allocations. */
async function checkInvariants(ctx: AppContext, accountId: number): Promise<{ balance: number; pending: number; debt: number }> {
  const account = await ctx.db.selectFrom('loyalty_accounts').selectAll().where('id', '=', accountId).executeTakeFirstOrThrow();
  const sums = await ctx.db
    .selectFrom('loyalty_entries')
    .select([
      sql<string>`coalesce(sum(delta_available), 0)`.as('available'),
      sql<string>`coalesce(sum(delta_pending), 0)`.as('pending'),
      sql<string>`coalesce(sum(delta_debt), 0)`.as('debt'),
    ])
    .where('account_id', '=', accountId)
    .executeTakeFirstOrThrow();
  // Lifetime earned counts what was earned on accounts merged into this one too.
  const earned = await ctx.db
    .selectFrom('loyalty_entries')
    .select(sql<string>`coalesce(sum(points), 0)`.as('points'))
    .where('kind', 'in', ['earn', 'post'])
    .where((eb) => eb('account_id', '=', accountId).or('account_id', 'in', eb.selectFrom('loyalty_accounts').select('id').where('merged_into', '=', accountId)))
    .executeTakeFirstOrThrow();
  const lots = await ctx.db.selectFrom('loyalty_lots').select(sql<string>`coalesce(sum(remaining), 0)`.as('remaining')).where('account_id', '=', accountId).executeTakeFirstOrThrow();
  const unsettled = await ctx.db
    .selectFrom('loyalty_entries as p')
    .select(sql<string>`coalesce(sum(p.points), 0)`.as('points'))
    .where('p.account_id', '=', accountId)
    .where('p.kind', '=', 'pending')
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('loyalty_entries as s').select('s.id').whereRef('s.pending_id', '=', 'p.id'))))
    .executeTakeFirstOrThrow();
  const settledTwice = await ctx.db
    .selectFrom('loyalty_entries')
    .select('pending_id')
    .where('account_id', '=', accountId)
    .where('pending_id', 'is not', null)
    .groupBy('pending_id')
    .having(sql`count(*)`, '>', 1)
    .execute();
  const badLots = await ctx.db
    .selectFrom('loyalty_lots as l')
    .leftJoin('loyalty_allocations as a', 'a.lot_id', 'l.id')
    .select(['l.id', 'l.points', 'l.remaining', sql<string>`coalesce(sum(a.points), 0)`.as('allocated')])
    .where('l.account_id', '=', accountId)
    .groupBy(['l.id', 'l.points', 'l.remaining'])
    .having(sql`l.points - l.remaining`, '<>', sql`coalesce(sum(a.points), 0)`)
    .execute();
  const open = await ctx.db.selectFrom('loyalty_open_pending').select(sql<string>`coalesce(sum(e.points), 0)`.as('points')).innerJoin('loyalty_entries as e', 'e.id', 'loyalty_open_pending.entry_id').where('loyalty_open_pending.account_id', '=', accountId).executeTakeFirstOrThrow();

  expect(account.balance).toBeGreaterThanOrEqual(0);
  expect(account.pending).toBeGreaterThanOrEqual(0);
  expect(account.debt).toBeGreaterThanOrEqual(0);
  expect(account.balance).toBe(Number(sums.available));
  expect(account.balance).toBe(Number(lots.remaining));
  expect(account.pending).toBe(Number(sums.pending));
  expect(account.pending).toBe(Number(unsettled.points));
  expect(account.pending).toBe(Number(open.points));
  expect(account.debt).toBe(Number(sums.debt));
  expect(account.debt === 0 || account.balance === 0).toBe(true);
  expect(account.lifetime_earned).toBe(Number(earned.points));
  expect(settledTwice).toEqual([]);
  expect(badLots).toEqual([]);
  return { balance: account.balance, pending: account.pending, debt: account.debt };
}

type Op =
  | { op: 'earn'; points: number; months: number }
  | { op: 'pending'; points: number }
  | { op: 'post'; index: number }
  | { op: 'void'; index: number }
  | { op: 'spend'; points: number }
  | { op: 'refund'; points: number }
  | { op: 'expire' }
  | { op: 'replay'; index: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('earn' as const), points: fc.integer({ min: 1, max: 500 }), months: fc.integer({ min: 1, max: 24 }) }),
  fc.record({ op: fc.constant('pending' as const), points: fc.integer({ min: 1, max: 500 }) }),
  fc.record({ op: fc.constant('post' as const), index: fc.nat(20) }),
  fc.record({ op: fc.constant('void' as const), index: fc.nat(20) }),
  fc.record({ op: fc.constant('spend' as const), points: fc.integer({ min: 1, max: 600 }) }),
  fc.record({ op: fc.constant('refund' as const), points: fc.integer({ min: 1, max: 600 }) }),
  fc.record({ op: fc.constant('expire' as const) }),
  fc.record({ op: fc.constant('replay' as const), index: fc.nat(40) }),
);

let runSeq = 0;

describe('the points ledger', () => {
  it('keeps every invariant over random sequences of earn, pending, post, void, spend, refund, expire and replays', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 25 }), async (ops) => {
        runSeq++;
        const accountId = await t.ctx.db.transaction().execute((trx) => ensureCustomerAccount(trx, 900_000 + runSeq));
        // The model: net points (available minus debt), and what each step was.
        let net = 0;
        const pendings: EntryRow[] = [];
        const settled = new Set<number>();
        const applied: Op[] = [];
        let step = 0;
        for (const op of ops) {
          step++;
          const key = { source: `prop-${runSeq}`, externalId: String(step) };
          await t.ctx.db.transaction().execute(async (trx) => {
            const account = await lockAccount(trx, accountId);
            switch (op.op) {
              case 'earn': {
                const r = await credit(t.ctx, trx, account, { ...key, kind: 'earn', points: op.points, expiresAt: new Date(Date.now() + op.months * 30 * 86_400_000) });
                if (!r.replay) net += op.points;
                break;
              }
              case 'pending': {
                const r = await addPending(t.ctx, trx, account, { ...key, points: op.points, dueAt: new Date() });
                pendings.push(r.entry);
                break;
              }
              case 'post':
              case 'void': {
                const p = pendings[op.index % Math.max(1, pendings.length)];
                if (!p) break;
                const r = await settlePending(t.ctx, trx, account, p, op.op, { expiresAt: new Date(Date.now() + 365 * 86_400_000) });
                if (settled.has(p.id)) expect(r).toBeNull();
                else {
                  expect(r).not.toBeNull();
                  settled.add(p.id);
                  if (op.op === 'post') net += p.points;
                }
                break;
              }
              case 'spend': {
                const before = account.balance;
                try {
                  await debit(t.ctx, trx, account, { ...key, kind: 'spend', points: op.points, allowDebt: false });
                  expect(before).toBeGreaterThanOrEqual(op.points);
                  net -= op.points;
                } catch (err) {
                  expect(err).toBeInstanceOf(AppError);
                  expect(before).toBeLessThan(op.points);
                }
                break;
              }
              case 'refund': {
                await debit(t.ctx, trx, account, { ...key, kind: 'clawback', points: op.points, allowDebt: true });
                net -= op.points;
                break;
              }
              case 'expire': {
                // What the expiry job does for the lot that expires first.
                const lot = await trx.selectFrom('loyalty_lots').select(['id', 'remaining']).where('account_id', '=', accountId).where('remaining', '>', 0).orderBy('expires_at').orderBy('id').executeTakeFirst();
                if (!lot) break;
                await debit(t.ctx, trx, account, { source: 'lot', externalId: String(lot.id), kind: 'expire', points: lot.remaining, allowDebt: false, lotId: lot.id });
                net -= lot.remaining;
                break;
              }
              case 'replay': {
                // The same entry again (same source, external id and kind) must change nothing.
                const earlier = applied.length ? applied[op.index % applied.length] : undefined;
                const idx = earlier ? applied.indexOf(earlier) + 1 : 0;
                const again = { source: `prop-${runSeq}`, externalId: String(idx) };
                if (earlier?.op === 'earn') expect((await credit(t.ctx, trx, account, { ...again, kind: 'earn', points: earlier.points, expiresAt: null })).replay).toBe(true);
                if (earlier?.op === 'refund') expect((await debit(t.ctx, trx, account, { ...again, kind: 'clawback', points: earlier.points, allowDebt: true })).replay).toBe(true);
                if (earlier?.op === 'pending') expect((await addPending(t.ctx, trx, account, { ...again, points: earlier.points, dueAt: new Date() })).replay).toBe(true);
                break;
              }
            }
          });
          applied.push(op);
          const state = await checkInvariants(t.ctx, accountId);
          expect(state.balance - state.debt).toBe(net);
        }
      }),
      { numRuns: Number(process.env.LOYALTY_PROPERTY_RUNS ?? 40) },
    );
  }, 300_000);

  it('refuses to change or delete an entry', async () => {
    const accountId = await t.ctx.db.transaction().execute((trx) => ensureCustomerAccount(trx, 800_001));
    await t.ctx.db.transaction().execute(async (trx) => {
      await credit(t.ctx, trx, await lockAccount(trx, accountId), { source: 'test', externalId: 'immutable', kind: 'earn', points: 10, expiresAt: null });
    });
    await expect(t.ctx.db.updateTable('loyalty_entries').set({ points: 1000 }).where('account_id', '=', accountId).execute()).rejects.toThrow(/append-only/);
    await expect(t.ctx.db.deleteFrom('loyalty_entries').where('account_id', '=', accountId).execute()).rejects.toThrow(/append-only/);
  });

  it('merges a store customer into the member, keeping lots, expiry, pending and debt, once', async () => {
    const m = await makeMember(t);
    const customerId = 700_001;
    const expiry = new Date(Date.now() + 40 * 86_400_000);
    const customerAccount = await t.ctx.db.transaction().execute((trx) => ensureCustomerAccount(trx, customerId));
    let pendingEntry: EntryRow | undefined;
    await t.ctx.db.transaction().execute(async (trx) => {
      const a = await lockAccount(trx, customerAccount);
      await credit(t.ctx, trx, a, { source: 'test', externalId: 'm1', kind: 'earn', points: 120, expiresAt: expiry });
      pendingEntry = (await addPending(t.ctx, trx, a, { source: 'test', externalId: 'm2', points: 30, dueAt: new Date(Date.now() + 5 * 86_400_000), ref: 'order:1' })).entry;
    });
    const memberAccount = await t.ctx.db.transaction().execute((trx) => ensureUserAccount(trx, m.id));
    await t.ctx.db.transaction().execute(async (trx) => {
      await credit(t.ctx, trx, await lockAccount(trx, memberAccount), { source: 'test', externalId: 'm3', kind: 'earn', points: 10, expiresAt: null });
    });
    for (let i = 0; i < 3; i++) await t.ctx.db.transaction().execute((trx) => linkCustomer(t.ctx, trx, customerId, m.id));

    const member = await checkInvariants(t.ctx, memberAccount);
    const customer = await checkInvariants(t.ctx, customerAccount);
    expect(member).toEqual({ balance: 130, pending: 30, debt: 0 });
    expect(customer).toEqual({ balance: 0, pending: 0, debt: 0 });
    const lot = await t.ctx.db.selectFrom('loyalty_lots').select('expires_at').where('account_id', '=', memberAccount).where('points', '=', 120).executeTakeFirstOrThrow();
    expect(lot.expires_at?.getTime()).toBe(expiry.getTime());
    const moves = await t.ctx.db.selectFrom('loyalty_entries').select('kind').where('source', '=', 'merge').execute();
    expect(moves.map((e) => e.kind).sort()).toEqual(['merge_in', 'merge_out', 'pending']);
    // A later order naming only the customer lands in the member's account.
    expect(await t.ctx.db.transaction().execute((trx) => ensureCustomerAccount(trx, customerId))).toBe(memberAccount);
    expect(pendingEntry).toBeDefined();
  });

  it('records debt when a take-back exceeds the balance, and the next earning pays it first', async () => {
    const accountId = await t.ctx.db.transaction().execute((trx) => ensureCustomerAccount(trx, 800_002));
    const step = (fn: (a: Awaited<ReturnType<typeof lockAccount>>, trx: Parameters<typeof lockAccount>[0]) => Promise<unknown>) =>
      t.ctx.db.transaction().execute(async (trx) => fn(await lockAccount(trx, accountId), trx));
    await step((a, trx) => credit(t.ctx, trx, a, { source: 'd', externalId: '1', kind: 'earn', points: 100, expiresAt: null }));
    await step((a, trx) => debit(t.ctx, trx, a, { source: 'd', externalId: '2', kind: 'spend', points: 80, allowDebt: false }));
    await step((a, trx) => debit(t.ctx, trx, a, { source: 'd', externalId: '3', kind: 'clawback', points: 100, allowDebt: true }));
    expect(await checkInvariants(t.ctx, accountId)).toEqual({ balance: 0, pending: 0, debt: 80 });
    await expect(step((a, trx) => debit(t.ctx, trx, a, { source: 'd', externalId: '4', kind: 'spend', points: 1, allowDebt: false }))).rejects.toMatchObject({ code: 'insufficient_points' });
    await step((a, trx) => credit(t.ctx, trx, a, { source: 'd', externalId: '5', kind: 'earn', points: 50, expiresAt: null }));
    expect(await checkInvariants(t.ctx, accountId)).toEqual({ balance: 0, pending: 0, debt: 30 });
    await step((a, trx) => credit(t.ctx, trx, a, { source: 'd', externalId: '6', kind: 'earn', points: 50, expiresAt: null }));
    expect(await checkInvariants(t.ctx, accountId)).toEqual({ balance: 20, pending: 0, debt: 0 });
  });
});

describe('concurrent redemptions', () => {
  async function fundMember(ctx: AppContext, userId: number, points: number): Promise<number> {
    return ctx.db.transaction().execute(async (trx) => {
      const account = await lockAccount(trx, await ensureUserAccount(trx, userId));
      await credit(ctx, trx, account, { source: 'test', externalId: `fund-${userId}`, kind: 'earn', points, expiresAt: null });
      return account.id;
    });
  }

  async function attempt(ctx: AppContext, userId: number): Promise<'ok' | 'refused'> {
    try {
      await redeemReward(ctx, userId, { rewardId: 1, points: 200 });
      return 'ok';
    } catch (err) {
      if (err instanceof AppError && err.code === 'insufficient_points') return 'refused';
      throw err;
    }
  }

  it('200 concurrent redemptions in one process never overdraw', async () => {
    const m = await makeMember(t);
    const accountId = await fundMember(t.ctx, m.id, 2000);
    const results = await Promise.all(Array.from({ length: 200 }, () => attempt(t.ctx, m.id)));
    expect(results.filter((r) => r === 'ok')).toHaveLength(10);
    expect(await checkInvariants(t.ctx, accountId)).toEqual({ balance: 0, pending: 0, debt: 0 });
  }, 120_000);

  // Two pools stand for two server processes; PGlite is one in-process database that a second pool cannot open.
  it.skipIf(!process.env.DATABASE_URL)('200 concurrent redemptions from two processes (two pools) never overdraw', async () => {
    const second = await createContext(t.config, { memory: false, log: createLogger('silent'), poolSize: 10 });
    try {
      const m = await makeMember(t);
      const accountId = await fundMember(t.ctx, m.id, 2000);
      const results = await Promise.all(Array.from({ length: 200 }, (_, i) => attempt(i % 2 === 0 ? t.ctx : second, m.id)));
      expect(results.filter((r) => r === 'ok')).toHaveLength(10);
      expect(await checkInvariants(t.ctx, accountId)).toEqual({ balance: 0, pending: 0, debt: 0 });
      const codes = await t.ctx.db.selectFrom('loyalty_codes').select(sql<string>`count(distinct code)`.as('n')).where('account_id', '=', accountId).executeTakeFirstOrThrow();
      expect(Number(codes.n)).toBe(10);
    } finally {
      await second.realtime.close();
      await second.rateLimits.close();
      await second.database.close();
    }
  }, 120_000);
});
