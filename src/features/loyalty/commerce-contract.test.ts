import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHearth, type TestHearth } from '../../../test/helpers.ts';
import { publishEvent } from '../../platform/jobs/registry.ts';
import { JobWorker } from '../../platform/jobs/worker.ts';
import { createApiKey } from '../accounts/api-keys.ts';
import { findUserAccountId } from './accounts.ts';
import { loadProgramSettings, saveProgramSettings } from './settings.ts';
import { drainJobs } from './testing.ts';

/**
 * The loyalty side of the commerce contract: orders and refunds recorded through the store's own API
 * publish the events loyalty earns from, and a guest customer's points follow them into the community.
 */

let t: TestHearth;
let key: string;
let worker: JobWorker;

beforeAll(async () => {
  t = await createTestHearth();
  worker = new JobWorker(t.ctx);
  const admin = await t.ctx.db
    .insertInto('users')
    .values({ email: 'owner@contract.example', display_name: 'Owner', username: 'owner-contract', role: 'admin', email_verified_at: new Date(), notification_prefs: '{}' })
    .returning('id')
    .executeTakeFirstOrThrow();
  key = (await createApiKey(t.ctx.db, { name: 'store', scopes: ['commerce:read', 'commerce:write'], createdBy: admin.id })).key;
  await saveProgramSettings(t.ctx.db, { ...(await loadProgramSettings(t.ctx.db)), returnWindowDays: 0 }, null);
});

afterAll(async () => {
  await t.close();
});

function call(method: string, path: string, body: unknown) {
  return t.hearth.app.request(path, { method, body: JSON.stringify(body), headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' } });
}

describe('points from the store API', () => {
  it('a guest order earns on the customer, a refund of a fifth takes back a fifth, and confirming the email moves the points to the member', async () => {
    const paidAt = new Date().toISOString();
    const res = await call('POST', '/api/v1/orders', {
      externalId: 'LOY-1',
      currency: 'GBP',
      email: 'guest@contract.example',
      placedAt: paidAt,
      paidAt,
      shippingMinor: 395,
      taxMinor: 0,
      lines: [{ title: 'Jacket', quantity: 1, unitPriceMinor: 12_000 }],
    });
    expect(res.status).toBe(201);
    const order = (await res.json()) as { id: number; totalMinor: number };
    await drainJobs(worker);
    const guestAccount = await t.ctx.db.selectFrom('loyalty_accounts').selectAll().where('customer_id', 'is not', null).executeTakeFirstOrThrow();
    // £120 of goods, shipping excluded.
    expect(guestAccount).toMatchObject({ balance: 120, user_id: null });

    expect((await call('POST', '/api/v1/refunds', { orderId: order.id, amountMinor: order.totalMinor / 5 })).status).toBe(201);
    await drainJobs(worker);
    expect(await t.ctx.db.selectFrom('loyalty_accounts').select('balance').where('id', '=', guestAccount.id).executeTakeFirstOrThrow()).toEqual({ balance: 96 });

    const member = await t.ctx.db
      .insertInto('users')
      .values({ email: 'guest@contract.example', display_name: 'Guest', username: 'guest-contract', email_verified_at: new Date(), notification_prefs: '{}' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await t.ctx.db.transaction().execute((trx) => publishEvent(trx, t.ctx.jobs, 'user.email_verified', { userId: member.id }, member.id));
    await drainJobs(worker);
    const memberAccountId = await findUserAccountId(t.ctx.db, member.id);
    expect(memberAccountId).not.toBeNull();
    const memberAccount = await t.ctx.db.selectFrom('loyalty_accounts').selectAll().where('id', '=', memberAccountId ?? 0).executeTakeFirstOrThrow();
    // 96 from the store plus 50 for confirming the address.
    expect(memberAccount.balance).toBe(146);
    expect(await t.ctx.db.selectFrom('loyalty_accounts').select(['balance', 'merged_into']).where('id', '=', guestAccount.id).executeTakeFirstOrThrow()).toEqual({ balance: 0, merged_into: memberAccount.id });
  });
});
