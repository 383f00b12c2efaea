import { stream } from 'hono/streaming';
import type { z } from 'zod';
import type { MountArgs } from '../index.ts';
import type { HearthContext } from '../../platform/http/env.ts';
import { AppError, fromZodError, notFound } from '../../platform/http/errors.ts';
import { readFormBody } from '../../platform/http/body.ts';
import { pageQuery, pageSchema } from '../../platform/http/pagination.ts';
import { allowUploadBody } from '../../platform/storage/index.ts';
import { renderAdminPage } from '../admin/views/shell.tsx';
import { actorId, type CommerceActor } from './access.ts';
import { importKinds, type ImportKind } from './csv-import.ts';
import { idempotentRequest, runIdempotent } from './idempotency.ts';
import { customerJson, orderJson, orderSummaryJson, productJson, refundJson } from './json.ts';
import type { Trx } from './customers.ts';
import type { OrderInput, OrderTransition } from './orders.ts';
import {
  customerBody,
  customerSchema,
  customersQuery,
  idParams,
  orderBody,
  orderSchema,
  orderSummarySchema,
  ordersQuery,
  productBody,
  productSchema,
  productsQuery,
  refundBody,
  refundSchema,
  transitionBody,
} from './schema.ts';
import * as store from './service.ts';
import { ImportPage, ImportResultCard } from './views/import-page.tsx';
import { CustomerDetailPage, CustomersPage, OrderDetailPage, OrdersPage, ProductsPage, WebhooksPage } from './views/store-pages.tsx';

/** Uploaded CSV files may be larger than ordinary requests. */
export const IMPORT_MAX_BYTES = 50 * 1024 * 1024;
/** What the import page's island sends as Accept to get progress lines instead of a page. */
const IMPORT_PROGRESS_TYPE = 'application/x-ndjson';
/** A large Shopify order (hundreds of lines) can pass the default body limit. */
const WEBHOOK_MAX_BYTES = 5 * 1024 * 1024;

function actorOf(c: HearthContext): CommerceActor {
  return { kind: 'request', user: c.get('user'), apiScopes: c.get('apiScopes') };
}

/** A visitor who is not signed in is sent to sign in and brought back, as on every admin page. */
function adminPage(handler: (c: HearthContext) => Promise<Response>) {
  return async (c: HearthContext): Promise<Response> => {
    try {
      return await handler(c);
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 401) throw err;
      const url = new URL(c.req.url);
      return c.redirect(`/login?next=${encodeURIComponent(c.req.method === 'GET' ? url.pathname + url.search : '/admin/store')}`, 303);
    }
  };
}

function parseQuery<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw fromZodError(result.error);
  return result.data;
}

function pageId(c: HearthContext): number {
  const parsed = idParams.safeParse({ id: c.req.param('id') });
  if (!parsed.success) throw notFound();
  return parsed.data.id;
}

function toOrderInput(body: z.output<typeof orderBody>): OrderInput {
  const subtotal = body.subtotalMinor ?? body.lines.reduce((sum, l) => sum + l.quantity * l.unitPriceMinor - l.discountMinor, 0);
  return {
    source: body.source,
    externalId: body.externalId,
    name: body.name,
    customer: body.customer ?? null,
    email: body.email ?? body.customer?.email ?? null,
    currency: body.currency,
    subtotalMinor: subtotal,
    shippingMinor: body.shippingMinor,
    taxMinor: body.taxMinor,
    discountMinor: body.discountMinor,
    totalMinor: body.totalMinor ?? subtotal + body.shippingMinor + body.taxMinor - body.discountMinor,
    placedAt: new Date(body.placedAt),
    lines: body.lines.map((l) => ({ externalId: l.externalId, sku: l.sku, title: l.title, quantity: l.quantity, unitPriceMinor: l.unitPriceMinor, discountMinor: l.discountMinor, variantExternalId: l.variantExternalId })),
    financialStatus: body.paidAt ? 'paid' : 'pending',
    paidAt: body.paidAt ? new Date(body.paidAt) : null,
    fulfilledAt: body.fulfilledAt ? new Date(body.fulfilledAt) : null,
    cancelledAt: body.cancelledAt ? new Date(body.cancelledAt) : null,
    cancelReason: body.cancelReason ?? null,
  };
}

async function* readStream(stream: ReadableStream<Uint8Array>, onBytes?: (n: number) => void): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      onBytes?.(value.byteLength);
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

export function mountCommerceRoutes({ app, api, ctx }: MountArgs): void {
  allowUploadBody('/admin/store/import', IMPORT_MAX_BYTES);
  allowUploadBody('/webhooks/shopify', WEBHOOK_MAX_BYTES);

  /** Runs a POST once per Idempotency-Key (idempotency.ts); the stored body is replayed as is. */
  async function idempotentPost<T>(c: HearthContext, status: number, run: (trx: Trx) => Promise<T>): Promise<T> {
    const raw: unknown = await c.req.json();
    const result = await runIdempotent(ctx, idempotentRequest(c, raw), status, run);
    if (result.replayed) c.header('Idempotent-Replayed', 'true');
    return result.body;
  }

  // ------------------------------------------------------------------------------------------ webhooks

  // A machine calls this, never a browser: errors are JSON whatever the Accept header says.
  app.post('/webhooks/shopify', async (c) => {
    try {
      const result = await store.receiveShopifyWebhook(ctx, {
        topic: c.req.header('x-shopify-topic'),
        webhookId: c.req.header('x-shopify-webhook-id'),
        shopDomain: c.req.header('x-shopify-shop-domain'),
        hmac: c.req.header('x-shopify-hmac-sha256'),
        rawBody: new Uint8Array(await c.req.arrayBuffer()),
      });
      return c.json({ ok: true, outcome: result.outcome, detail: result.detail }, result.status);
    } catch (err) {
      if (!(err instanceof AppError) || (err.status >= 500 && err.status !== 503)) throw err;
      const status = err.status === 401 || err.status === 409 || err.status === 503 ? err.status : 400;
      return c.json({ error: { code: err.code, message: err.message, fields: err.fields } }, status);
    }
  });

  // ------------------------------------------------------------------------------------------ API: orders

  const transitionDoc: Record<OrderTransition, { path: string; summary: string; event: string }> = {
    paid: { path: '/orders/{id}/paid', summary: 'Mark an order paid', event: 'order.paid' },
    fulfilled: { path: '/orders/{id}/fulfilled', summary: 'Mark an order fulfilled', event: 'order.fulfilled' },
    cancelled: { path: '/orders/{id}/cancel', summary: 'Cancel an order', event: 'order.cancelled' },
  };

  api.route({
    method: 'post',
    path: '/orders',
    summary: 'Record an order',
    description:
      'Creates the order with its lines, or returns the existing one with the same source and externalId. Publishes `order.created`, and `order.paid`, `order.fulfilled`, `order.cancelled` for the states given. Honours `Idempotency-Key`.',
    tag: 'Store',
    access: { scope: 'commerce:write' },
    body: orderBody,
    response: orderSchema,
    status: 201,
    handler: async (c, { body }) =>
      idempotentPost(c, 201, async (trx) => {
        const actor = actorOf(c);
        const { order } = await store.createOrder(ctx, actor, trx, toOrderInput(body), actorId(actor));
        return orderJson(await store.getOrder(ctx, actor, order.id, trx));
      }),
  });

  api.route({
    method: 'get',
    path: '/orders',
    summary: 'List orders, newest first',
    tag: 'Store',
    access: { scope: 'commerce:read' },
    query: ordersQuery,
    response: pageSchema(orderSummarySchema),
    handler: async (c, { query }) => {
      const page = await store.listOrders(ctx, actorOf(c), query);
      return { items: page.items.map(orderSummaryJson), nextCursor: page.nextCursor };
    },
  });

  api.route({
    method: 'get',
    path: '/orders/{id}',
    summary: 'An order with its lines, refunds and customer',
    tag: 'Store',
    access: { scope: 'commerce:read' },
    params: idParams,
    response: orderSchema,
    handler: async (c, { params }) => orderJson(await store.getOrder(ctx, actorOf(c), params.id)),
  });

  for (const transition of ['paid', 'fulfilled', 'cancelled'] as const) {
    const doc = transitionDoc[transition];
    api.route({
      method: 'post',
      path: doc.path,
      summary: doc.summary,
      description: `Publishes \`${doc.event}\` the first time; later calls change nothing. Send \`{}\` or \`{"at": "…"}\`. Honours \`Idempotency-Key\`.`,
      tag: 'Store',
      access: { scope: 'commerce:write' },
      params: idParams,
      body: transitionBody,
      response: orderSchema,
      handler: async (c, { params, body }) =>
        idempotentPost(c, 200, async (trx) => {
          const actor = actorOf(c);
          await store.transitionOrder(ctx, actor, trx, params.id, transition, body.at ? new Date(body.at) : new Date(), actorId(actor), body.reason ?? null);
          return orderJson(await store.getOrder(ctx, actor, params.id, trx));
        }),
    });
  }

  api.route({
    method: 'post',
    path: '/refunds',
    summary: 'Record a refund, partial or full',
    description:
      'Refunds part or all of an order; the refunded total can never pass the order total (409 `refund_exceeds_order`). Publishes `refund.created` with the cumulative refunded total. Honours `Idempotency-Key`.',
    tag: 'Store',
    access: { scope: 'commerce:write' },
    body: refundBody,
    response: refundSchema,
    status: 201,
    handler: async (c, { body }) =>
      idempotentPost(c, 201, async (trx) => {
        const actor = actorOf(c);
        const { refund } = await store.createRefund(
          ctx,
          actor,
          trx,
          {
            orderId: body.orderId,
            source: body.source,
            externalId: body.externalId,
            amountMinor: body.amountMinor,
            note: body.note,
            refundedAt: body.refundedAt ? new Date(body.refundedAt) : undefined,
            lines: body.lines,
          },
          actorId(actor),
        );
        return refundJson(refund);
      }),
  });

  // ------------------------------------------------------------------------------------------ API: customers

  api.route({
    method: 'post',
    path: '/customers',
    summary: 'Create or update a customer',
    description:
      'Found by source and externalId, else by email. Publishes `customer.created`, or `customer.updated` when something changed, and `customer.linked` when a member has confirmed that email. Honours `Idempotency-Key`.',
    tag: 'Store',
    access: { scope: 'commerce:write' },
    body: customerBody,
    response: customerSchema,
    handler: async (c, { body }) =>
      idempotentPost(c, 200, async (trx) => {
        const { customer } = await store.saveCustomer(ctx, actorOf(c), trx, body);
        return customerJson(customer);
      }),
  });

  api.route({
    method: 'get',
    path: '/customers',
    summary: 'List customers, newest first',
    tag: 'Store',
    access: { scope: 'commerce:read' },
    query: customersQuery,
    response: pageSchema(customerSchema),
    handler: async (c, { query }) => {
      const page = await store.listCustomers(ctx, actorOf(c), query);
      return { items: page.items.map(customerJson), nextCursor: page.nextCursor };
    },
  });

  api.route({
    method: 'get',
    path: '/customers/{id}',
    summary: 'A customer',
    tag: 'Store',
    access: { scope: 'commerce:read' },
    params: idParams,
    response: customerSchema,
    handler: async (c, { params }) => customerJson(await store.getCustomer(ctx, actorOf(c), params.id)),
  });

  // ------------------------------------------------------------------------------------------ API: products

  api.route({
    method: 'post',
    path: '/products',
    summary: 'Create or update a product',
    description: 'Found by source and externalId; variants by their externalId, else SKU; images replaced as sent. Publishes `product.created` or `product.updated`. Honours `Idempotency-Key`.',
    tag: 'Store',
    access: { scope: 'commerce:write' },
    body: productBody,
    response: productSchema,
    handler: async (c, { body }) =>
      idempotentPost(c, 200, async (trx) => {
        const { product } = await store.saveProduct(ctx, actorOf(c), trx, { ...body, url: body.url ?? null });
        return productJson(product);
      }),
  });

  api.route({
    method: 'get',
    path: '/products',
    summary: 'List products, newest first',
    tag: 'Store',
    access: { scope: 'commerce:read' },
    query: productsQuery,
    response: pageSchema(productSchema),
    handler: async (c, { query }) => {
      const page = await store.listProducts(ctx, actorOf(c), query);
      return { items: page.items.map(productJson), nextCursor: page.nextCursor };
    },
  });

  api.route({
    method: 'get',
    path: '/products/{id}',
    summary: 'A product with its variants and images',
    tag: 'Store',
    access: { scope: 'commerce:read' },
    params: idParams,
    response: productSchema,
    handler: async (c, { params }) => productJson(await store.getProduct(ctx, actorOf(c), params.id)),
  });

  // ------------------------------------------------------------------------------------------ admin pages

  app.get(
    '/admin/store',
    adminPage(async (c) => {
      const query = parseQuery(ordersQuery, c.req.query());
      const filters = { financialStatus: query.financialStatus || undefined, fulfillmentStatus: query.fulfillmentStatus || undefined, email: query.email || undefined };
      const page = await store.listOrders(ctx, actorOf(c), { ...query, ...filters });
      return renderAdminPage(c, 'Store', 'store', <OrdersPage c={c} page={page} filters={filters} />);
    }),
  );

  app.get(
    '/admin/store/orders/:id',
    adminPage(async (c) => {
      const order = await store.getOrder(ctx, actorOf(c), pageId(c));
      return renderAdminPage(c, `Order ${order.name || order.externalId}`, 'store', <OrderDetailPage order={order} />);
    }),
  );

  app.get(
    '/admin/store/customers',
    adminPage(async (c) => {
      const query = parseQuery(customersQuery, c.req.query());
      const email = query.email || undefined;
      const page = await store.listCustomers(ctx, actorOf(c), { ...query, email });
      return renderAdminPage(c, 'Customers', 'store', <CustomersPage c={c} page={page} email={email} />);
    }),
  );

  app.get(
    '/admin/store/customers/:id',
    adminPage(async (c) => {
      const actor = actorOf(c);
      const customer = await store.getCustomer(ctx, actor, pageId(c));
      const orders = await store.listCustomerOrders(ctx, actor, customer.id);
      return renderAdminPage(c, 'Customer', 'store', <CustomerDetailPage customer={customer} orders={orders} />);
    }),
  );

  app.get(
    '/admin/store/products',
    adminPage(async (c) => {
      const page = await store.listProducts(ctx, actorOf(c), parseQuery(productsQuery, c.req.query()));
      return renderAdminPage(c, 'Products', 'store', <ProductsPage c={c} page={page} />);
    }),
  );

  app.get(
    '/admin/store/webhooks',
    adminPage(async (c) => {
      const page = await store.listWebhookDeliveries(ctx, actorOf(c), parseQuery(pageQuery, c.req.query()));
      return renderAdminPage(c, 'Webhooks', 'store', <WebhooksPage c={c} page={page} configured={Boolean(ctx.config.shopifyWebhookSecret)} publicUrl={ctx.config.publicUrl} />);
    }),
  );

  const kindOf = (v: unknown): ImportKind => importKinds.find((k) => k === v) ?? 'orders';

  app.get(
    '/admin/store/import',
    adminPage(async (c) => {
      store.requireCommerce(actorOf(c), 'write');
      return renderAdminPage(c, 'CSV import', 'store', <ImportPage c={c} kind={kindOf(c.req.query('kind'))} />, 200, ['import']);
    }),
  );

  /**
   * The import page's island asks for progress: one JSON line per 500 rows (`rows`, and `bytes` of
   * `size` read), then `{done, ok, html}` with the result card. The import is the same all-or-nothing
   * run as without it; only what the page sees while it runs differs.
   */
  function importWithProgress(c: HearthContext, kind: ImportKind, file: File): Response {
    const actor = actorOf(c);
    c.header('Content-Type', `${IMPORT_PROGRESS_TYPE}; charset=utf-8`);
    c.header('Cache-Control', 'no-store');
    return stream(c, async (s) => {
      const line = (value: unknown) => s.write(`${JSON.stringify(value)}\n`);
      let bytes = 0;
      try {
        const result = await store.importCsv(ctx, actor, kind, readStream(file.stream(), (n) => (bytes += n)), {
          onProgress: (rows) => void line({ rows, bytes, size: file.size }),
        });
        const html = await (<ImportResultCard result={result} />).toString();
        await line({ done: true, ok: result.ok, rows: result.rows, html });
      } catch (err) {
        // Headers are sent: the failure goes in the stream, as the page shows it.
        const message = err instanceof AppError && err.status < 500 ? err.message : 'The import failed; nothing was imported. Try again.';
        if (!(err instanceof AppError) || err.status >= 500) ctx.log.error({ err }, 'csv import failed');
        await line({ done: true, ok: false, error: message });
      }
    });
  }

  app.post(
    '/admin/store/import',
    adminPage(async (c) => {
      const form = await readFormBody(c);
      const kind = kindOf(form.kind);
      const file = form.file;
      if (!(file instanceof File) || file.size === 0) {
        return renderAdminPage(c, 'CSV import', 'store', <ImportPage c={c} kind={kind} error="Choose a CSV file to upload." />, 400, ['import']);
      }
      if (c.req.header('accept') === IMPORT_PROGRESS_TYPE) return importWithProgress(c, kind, file);
      const result = await store.importCsv(ctx, actorOf(c), kind, readStream(file.stream()));
      return renderAdminPage(c, 'CSV import', 'store', <ImportPage c={c} kind={kind} result={result} />, result.ok ? 200 : 400, ['import']);
    }),
  );
}
