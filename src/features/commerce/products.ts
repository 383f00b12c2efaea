import type { AppContext } from '../../platform/context.ts';
import { notFound, validationFailed } from '../../platform/http/errors.ts';
import { toPage, type Page } from '../../platform/http/pagination.ts';
import { publishEvent, type Executor } from '../../platform/jobs/registry.ts';
import { requireCommerce, type CommerceActor } from './access.ts';
import type { Trx } from './customers.ts';
import * as repo from './repo.ts';
import type { Product } from './repo.ts';

export interface VariantInput {
  externalId?: string | null;
  sku?: string | null;
  title?: string;
  priceMinor: number;
  currency: string;
}

export interface ProductInput {
  source: string;
  externalId?: string | null;
  title: string;
  handle?: string;
  url?: string | null;
  vendor?: string;
  productType?: string;
  status?: string;
  variants: VariantInput[];
  images: Array<{ url: string; alt?: string }>;
}

/** What a product looks like to someone comparing two versions of it (ids and times left out). */
function fingerprint(p: Product): string {
  return JSON.stringify([
    p.title,
    p.handle,
    p.url,
    p.vendor,
    p.productType,
    p.status,
    p.variants.map((v) => [v.externalId, v.sku, v.title, v.priceMinor, v.currency]),
    p.images.map((i) => [i.url, i.alt]),
  ]);
}

/**
 * Creates or updates a product with its variants and images, found by its id at the source.
 * Variants are matched by their own store id, else by SKU; images are replaced as sent. Publishes
 * `product.created`, or `product.updated` only when something changed.
 */
export async function upsertProductIn(ctx: AppContext, trx: Trx, input: ProductInput, actor: number | null = null): Promise<{ product: Product; created: boolean; changed: boolean }> {
  if (input.title.trim() === '') throw validationFailed({ title: 'A product needs a title.' });
  const found = input.externalId
    ? await trx.selectFrom('commerce_products').selectAll().where('source', '=', input.source).where('external_id', '=', input.externalId).forUpdate().executeTakeFirst()
    : undefined;
  const before = found ? (await repo.loadProducts(trx, [found]))[0] : undefined;

  const fields = {
    title: input.title.trim(),
    handle: input.handle ?? before?.handle ?? '',
    url: input.url === undefined ? (before?.url ?? null) : input.url,
    vendor: input.vendor ?? before?.vendor ?? '',
    product_type: input.productType ?? before?.productType ?? '',
    status: input.status ?? before?.status ?? 'active',
  };
  let productId = found?.id;
  if (productId === undefined) {
    const inserted = await trx
      .insertInto('commerce_products')
      .values({ source: input.source, external_id: input.externalId ?? null, ...fields })
      .onConflict((oc) => oc.columns(['source', 'external_id']).where('external_id', 'is not', null).doNothing())
      .returning('id')
      .executeTakeFirst();
    // Created by a concurrent delivery a moment ago: this one is then an update of it.
    if (!inserted) return upsertProductIn(ctx, trx, input, actor);
    productId = inserted.id;
  }
  if (found) await trx.updateTable('commerce_products').set(fields).where('id', '=', productId).execute();

  const kept: number[] = [];
  for (const [position, v] of input.variants.entries()) {
    const match = before?.variants.find((old) => !kept.includes(old.id) && ((v.externalId && old.externalId === v.externalId) || (!v.externalId && v.sku && old.sku === v.sku)));
    const values = { external_id: v.externalId ?? null, sku: v.sku ?? null, title: v.title ?? '', price_minor: v.priceMinor, currency: v.currency.toUpperCase(), position };
    if (match) {
      await trx.updateTable('commerce_product_variants').set(values).where('id', '=', match.id).execute();
      kept.push(match.id);
    } else {
      const row = await trx.insertInto('commerce_product_variants').values({ product_id: productId, ...values }).returning('id').executeTakeFirstOrThrow();
      kept.push(row.id);
    }
  }
  // Variants the store no longer lists go; order lines keep their SKU and title (variant_id → null).
  const gone = (before?.variants ?? []).filter((v) => !kept.includes(v.id)).map((v) => v.id);
  if (gone.length > 0) await trx.deleteFrom('commerce_product_variants').where('id', 'in', gone).execute();

  await trx.deleteFrom('commerce_product_images').where('product_id', '=', productId).execute();
  if (input.images.length > 0) {
    await trx
      .insertInto('commerce_product_images')
      .values(input.images.map((img, position) => ({ product_id: productId, url: img.url, alt: img.alt ?? '', position })))
      .execute();
  }

  const after = await repo.findProductById(trx, productId);
  if (!after) throw new Error(`product ${productId} vanished inside its own transaction`);
  if (!before) {
    await publishEvent(trx, ctx.jobs, 'product.created', { productId }, actor);
    return { product: after, created: true, changed: true };
  }
  const changed = fingerprint(before) !== fingerprint(after);
  if (changed) {
    await trx.updateTable('commerce_products').set({ updated_at: new Date() }).where('id', '=', productId).execute();
    await publishEvent(trx, ctx.jobs, 'product.updated', { productId }, actor);
  }
  return { product: after, created: false, changed };
}

export async function getProduct(ctx: AppContext, actor: CommerceActor, id: number, db: Executor = ctx.db): Promise<Product> {
  requireCommerce(actor, 'read');
  const product = await repo.findProductById(db, id);
  if (!product) throw notFound(`There is no product ${id}.`);
  return product;
}

export interface ProductListQuery {
  cursor?: string;
  limit: number;
  sku?: string;
}

export async function listProducts(ctx: AppContext, actor: CommerceActor, query: ProductListQuery): Promise<Page<Product>> {
  requireCommerce(actor, 'read');
  let q = ctx.db
    .selectFrom('commerce_products')
    .selectAll()
    .select(repo.timeText('commerce_products.created_at').as('created_text'))
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(query.limit + 1);
  const older = repo.olderThan(query.cursor, 'commerce_products.created_at', 'commerce_products.id');
  if (older) q = q.where(older);
  const sku = query.sku;
  if (sku) q = q.where((eb) => eb.exists(eb.selectFrom('commerce_product_variants as v').select('v.id').whereRef('v.product_id', '=', 'commerce_products.id').where('v.sku', '=', sku)));
  const rows = await q.execute();
  const page = toPage(rows, query.limit, (r) => [r.created_text, r.id]);
  return { items: await repo.loadProducts(ctx.db, page.items), nextCursor: page.nextCursor };
}
