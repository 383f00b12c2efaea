import { sql } from 'kysely';
import type { AppContext } from '../platform/context.ts';
import { systemActor } from '../features/commerce/access.ts';
import { createOrder, createRefund, upsertProductIn } from '../features/commerce/service.ts';
import type { OrderLineInput } from '../features/commerce/orders.ts';
import { awardPointsForOrder, expireDueLots, orderPaidPayload, postDuePending, reviewDueTiers } from '../features/loyalty/earning.ts';
import { loadProgramSettings } from '../features/loyalty/settings.ts';
import * as content from './content.ts';
import type { Random } from './random.ts';

const DAY = 86_400_000;
const SOURCE = 'demo_store';
const CURRENCY = 'GBP';

/** A demo member who may also be a store customer. */
export interface StorePerson {
  id: number;
  email: string;
  displayName: string;
  joinedAt: number;
  /** Buys for sure, and often (the demo admin, so the points pages of a first visit have a history). */
  regular?: boolean;
}

export interface StoreSeedResult {
  products: number;
  customers: number;
  orders: number;
  refunds: number;
}

/** Prices in pence; a few products come in sizes (variants with their own SKU). */
const catalogue: Array<{ title: string; price: number; type: string; sizes?: string[] }> = [
  { title: 'Ridgeline 45 backpack', price: 16_500, type: 'Packs', sizes: ['S/M', 'M/L'] },
  { title: 'Ridgeline 28 daypack', price: 9_500, type: 'Packs' },
  { title: 'Cedar 2P tent', price: 32_000, type: 'Tents' },
  { title: 'Cedar UL 1P tent', price: 38_500, type: 'Tents' },
  { title: 'Talus 3L rain shell', price: 22_000, type: 'Jackets', sizes: ['S', 'M', 'L', 'XL'] },
  { title: 'Aspen 800 down jacket', price: 26_000, type: 'Jackets', sizes: ['S', 'M', 'L', 'XL'] },
  { title: 'Basin 20° sleeping bag', price: 28_500, type: 'Sleep', sizes: ['Regular', 'Long'] },
  { title: 'Switchback trail runners', price: 12_500, type: 'Footwear', sizes: ['UK 6', 'UK 8', 'UK 10'] },
  { title: 'Summit Mid boots', price: 17_500, type: 'Footwear', sizes: ['UK 6', 'UK 8', 'UK 10'] },
  { title: 'Ember canister stove', price: 5_500, type: 'Cooking' },
  { title: 'Drift merino base layer', price: 6_500, type: 'Clothing', sizes: ['S', 'M', 'L'] },
  { title: 'Canyon trekking poles', price: 7_900, type: 'Accessories' },
  { title: 'Lumen 400 headlamp', price: 4_500, type: 'Accessories' },
  { title: 'Fjell softshell trousers', price: 9_900, type: 'Clothing', sizes: ['30', '32', '34'] },
  { title: 'Meadow camp chair', price: 6_900, type: 'Camp' },
];

const streets = ['High Street', 'Station Road', 'Church Lane', 'Mill Road', 'Park Avenue', 'Victoria Road', 'Green Lane', 'Manor Way'];
const postcodes = ['LA22 9HP', 'PH22 1RB', 'LL55 4UR', 'EH1 2NG', 'M4 1HQ', 'BS1 5TR', 'YO1 7HH', 'CF10 1EP', 'N1 9GU', 'G2 3BZ'];

function slug(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/°/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** Days between two orders of one customer: exponential around `meanDays`. */
function gap(rng: Random, meanDays: number): number {
  return Math.max(3, -Math.log(1 - rng.next()) * meanDays) * DAY;
}

/**
 * The Juniper store: its catalogue, customers (most demo members buy, and so do shoppers who never
 * joined the community) and eighteen months of orders, with a few cancellations and refunds. All of it
 * goes through the commerce service, as a real store's webhooks would, so every order publishes its
 * events. Loyalty then earns on each paid order as of the day it was paid, so the demo ledger has
 * posted, pending and expired points and the members have tiers.
 */
export async function seedStore(ctx: AppContext, rng: Random, now: number, members: StorePerson[]): Promise<StoreSeedResult> {
  const counts = await ctx.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('loyalty_tiers')
      .values([
        { name: 'Trailhead', threshold: 0, multiplier_pct: 100 },
        { name: 'Summit', threshold: 600, multiplier_pct: 125 },
        { name: 'Peak', threshold: 1500, multiplier_pct: 150, early_access: true },
      ])
      .execute();

    const variants: Array<{ title: string; variantTitle: string; sku: string; price: number; externalId: string }> = [];
    for (const [i, p] of catalogue.entries()) {
      const handle = slug(p.title);
      const sizes = p.sizes ?? ['Default'];
      const productVariants = sizes.map((size, j) => ({
        externalId: `${1000 + i}-${j}`,
        sku: `JNP-${String(101 + i)}${p.sizes ? `-${slug(size).toUpperCase()}` : ''}`,
        title: size,
        priceMinor: p.price,
        currency: CURRENCY,
      }));
      await upsertProductIn(ctx, trx, {
        source: SOURCE,
        externalId: String(1000 + i),
        title: p.title,
        handle,
        url: `https://shop.juniper.example/products/${handle}`,
        vendor: 'Juniper Outdoor Co.',
        productType: p.type,
        status: 'active',
        variants: productVariants,
        images: [],
      });
      for (const v of productVariants) variants.push({ title: p.title, variantTitle: v.title, sku: v.sku ?? '', price: p.price, externalId: v.externalId });
    }

    // Shoppers: most members (community members buy more often), and people who only shop.
    const buyers: Array<{ email: string; firstName: string; lastName: string; since: number; meanGapDays: number }> = [];
    for (const m of members) {
      if (!rng.chance(0.8) && !m.regular) continue;
      const [firstName = m.displayName, ...rest] = m.displayName.split(' ');
      buyers.push({ email: m.email, firstName, lastName: rest.join(' '), since: Math.max(now - 540 * DAY, m.joinedAt - rng.int(0, 120) * DAY), meanGapDays: m.regular ? 35 : rng.int(60, 150) });
    }
    for (let i = 0; i < 50; i++) {
      const firstName = rng.pick(content.firstNames);
      const lastName = rng.pick(content.lastNames);
      buyers.push({ email: `${slug(firstName)}.${slug(lastName)}.${i + 1}@shoppers.example`, firstName, lastName, since: now - rng.int(40, 540) * DAY, meanGapDays: rng.int(120, 300) });
    }

    let orders = 0;
    let refunds = 0;
    const customers = new Set<string>();
    const planned: Array<{ buyer: (typeof buyers)[number]; at: number }> = [];
    for (const buyer of buyers) {
      for (let at = buyer.since + rng.int(0, 30) * DAY; at < now - DAY; at += gap(rng, buyer.meanGapDays)) planned.push({ buyer, at });
    }
    planned.sort((a, b) => a.at - b.at);

    for (const { buyer, at } of planned) {
      const picks = rng.sample(variants, rng.chance(0.7) ? 1 : rng.int(2, 3));
      const lines: OrderLineInput[] = picks.map((v, j) => ({
        externalId: `L${orders + 1}-${j + 1}`,
        sku: v.sku,
        title: v.variantTitle === 'Default' ? v.title : `${v.title} – ${v.variantTitle}`,
        quantity: rng.chance(0.1) ? 2 : 1,
        unitPriceMinor: v.price,
        variantExternalId: v.externalId,
      }));
      const subtotal = lines.reduce((n, l) => n + l.unitPriceMinor * l.quantity, 0);
      const shipping = subtotal >= 5_000 ? 0 : 495;
      // UK prices include VAT at 20%: a sixth of the goods is tax.
      const tax = Math.round(subtotal / 6);
      const placedAt = new Date(at);
      const cancelled = rng.chance(0.02);
      const paidAt = cancelled ? null : new Date(at + 2 * 60_000);
      const { order } = await createOrder(
        ctx,
        systemActor,
        trx,
        {
          source: SOURCE,
          externalId: String(5001 + orders),
          name: `#J${5001 + orders}`,
          customer: { source: SOURCE, externalId: `C-${buyer.email}`, email: buyer.email, firstName: buyer.firstName, lastName: buyer.lastName, addressLine: `${rng.int(1, 120)} ${rng.pick(streets)}`, postcode: rng.pick(postcodes), country: 'GB' },
          currency: CURRENCY,
          subtotalMinor: subtotal,
          shippingMinor: shipping,
          taxMinor: tax,
          discountMinor: 0,
          totalMinor: subtotal + shipping,
          placedAt,
          lines,
          financialStatus: paidAt ? 'paid' : 'voided',
          paidAt,
          fulfilledAt: paidAt && at < now - 3 * DAY ? new Date(at + 2 * DAY) : null,
          cancelledAt: cancelled ? new Date(at + 3 * 3_600_000) : null,
          cancelReason: cancelled ? 'customer' : null,
        },
        null,
      );
      orders++;
      customers.add(buyer.email);
      if (paidAt && at < now - 10 * DAY && rng.chance(0.05)) {
        const [line] = lines;
        const whole = rng.chance(0.4) || !line;
        const amount = whole ? subtotal + shipping : (line?.unitPriceMinor ?? 0);
        await createRefund(
          ctx,
          systemActor,
          trx,
          { orderId: order.id, source: SOURCE, externalId: `R${order.id}`, amountMinor: amount, note: whole ? 'Returned unworn' : 'Wrong size', refundedAt: new Date(at + 8 * DAY), lines: whole ? [] : [{ lineExternalId: line?.externalId ?? '', quantity: 1 }] },
          null,
        );
        refunds++;
      }
    }
    return { products: catalogue.length, customers: customers.size, orders, refunds };
  });

  // Points as each paid order earned them on the day it was paid; the order.paid jobs the store just
  // queued then find the order recorded and change nothing.
  const paid = await ctx.db.selectFrom('domain_events').select('payload').where('name', '=', 'order.paid').orderBy('id').execute();
  const events = paid.map((e) => orderPaidPayload.parse(e.payload)).sort((a, b) => a.paidAt.getTime() - b.paidAt.getTime());
  // Week by week, pending points post when their return window closes and lots expire on their day,
  // as the daily jobs would have done.
  let week = (events[0]?.paidAt.getTime() ?? now) + 7 * DAY;
  for (const order of events) {
    for (; week <= order.paidAt.getTime(); week += 7 * DAY) {
      await postDuePending(ctx, new Date(week));
      await expireDueLots(ctx, new Date(week));
    }
    await awardPointsForOrder(ctx, order, order.paidAt);
  }
  const at = new Date(now);
  await postDuePending(ctx, at);
  await expireDueLots(ctx, at);
  // The ledger was written today: date each entry when it happened (earned when paid, posted when the
  // return window closed, expired on its lot's day), so a member's history reads as it was lived. Entries
  // are append-only (a trigger refuses updates); only this demo history, once, lifts that in its own
  // transaction.
  const returnWindowDays = (await loadProgramSettings(ctx.db)).returnWindowDays;
  await ctx.db.transaction().execute(async (trx) => {
    await sql`alter table loyalty_entries disable trigger loyalty_entries_no_change`.execute(trx);
    await sql`
      update loyalty_entries e set created_at = o.paid_at + case when e.kind = 'post' then make_interval(days => ${returnWindowDays}) else interval '0' end
      from loyalty_orders o where e.ref = 'order:' || o.order_id and e.kind in ('pending', 'post')
    `.execute(trx);
    await sql`
      update loyalty_entries e set created_at = l.expires_at from loyalty_lots l where e.kind = 'expire' and e.source = 'lot' and e.external_id = l.id::text
    `.execute(trx);
    await sql`alter table loyalty_entries enable trigger loyalty_entries_no_change`.execute(trx);
  });
  await reviewDueTiers(ctx, at);
  return counts;
}
