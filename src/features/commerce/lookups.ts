import type { AppContext } from '../../platform/context.ts';

/**
 * Small reads other features need from the store without a commerce actor: loyalty's storefront widget
 * (which customer a signed store id names) and its free-product rewards (which product a reward gives).
 */

/** The store customer with this id at the store (any source; the oldest when two sources share it). */
export async function findCustomerByStoreId(ctx: AppContext, externalId: string): Promise<{ id: number; userId: number | null } | null> {
  const row = await ctx.db.selectFrom('commerce_customers').select(['id', 'user_id']).where('external_id', '=', externalId).orderBy('id').limit(1).executeTakeFirst();
  return row ? { id: row.id, userId: row.user_id } : null;
}

/** A store id to show a demo with: a customer linked to a member, with the most orders; else any with a store id. */
export async function findSampleStoreCustomerId(ctx: AppContext): Promise<string | null> {
  const row = await ctx.db
    .selectFrom('commerce_customers as c')
    .select('c.external_id')
    .where('c.external_id', 'is not', null)
    .orderBy((eb) => eb('c.user_id', 'is', null))
    .orderBy((eb) => eb.selectFrom('commerce_orders as o').select(eb.fn.countAll().as('n')).whereRef('o.customer_id', '=', 'c.id'), 'desc')
    .orderBy('c.id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.external_id ?? null;
}

export interface RewardProduct {
  productId: number;
  variantId: number | null;
  sku: string | null;
  title: string;
}

/**
 * A product for a free-product reward, by Hearth's product id (its first variant, or the variant given)
 * or by a variant's SKU (the newest variant carrying it). Null when nothing matches.
 */
export async function findRewardProduct(ctx: AppContext, ref: { productId?: number | null; variantId?: number | null; sku?: string | null }): Promise<RewardProduct | null> {
  let q = ctx.db
    .selectFrom('commerce_product_variants as v')
    .innerJoin('commerce_products as p', 'p.id', 'v.product_id')
    .select(['p.id as product_id', 'p.title as product_title', 'v.id as variant_id', 'v.sku', 'v.title as variant_title'])
    .limit(1);
  if (ref.variantId) q = q.where('v.id', '=', ref.variantId);
  if (ref.productId) q = q.where('p.id', '=', ref.productId).orderBy('v.position').orderBy('v.id');
  else if (ref.sku) q = q.where('v.sku', '=', ref.sku).orderBy('v.id', 'desc');
  else if (!ref.variantId) return null;
  const row = await q.executeTakeFirst();
  if (row) {
    const variant = row.variant_title && row.variant_title !== 'Default Title' ? ` (${row.variant_title})` : '';
    return { productId: row.product_id, variantId: row.variant_id, sku: row.sku, title: `${row.product_title}${variant}` };
  }
  // A product without variants can still be given by id.
  if (!ref.productId || ref.variantId) return null;
  const product = await ctx.db.selectFrom('commerce_products').select(['id', 'title']).where('id', '=', ref.productId).executeTakeFirst();
  return product ? { productId: product.id, variantId: null, sku: null, title: product.title } : null;
}
