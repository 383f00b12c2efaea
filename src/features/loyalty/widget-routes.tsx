import type { Context } from 'hono';
import { z } from 'zod';
import type { MountArgs } from '../index.ts';
import { clientIp } from '../../platform/http/client-ip.ts';
import type { HearthContext } from '../../platform/http/env.ts';
import { CodeBlock, Card, Notice, PageHeader } from '../../web/components.tsx';
import { renderAdminPage } from '../admin/views/shell.tsx';
import { findSampleStoreCustomerId } from '../commerce/lookups.ts';
import { adminGetSettings } from './service.ts';
import { checkWidgetDigest, widgetData, widgetDigest } from './widget.ts';
import { widgetScript } from './widget-script.ts';

const customerQuery = z.object({
  customer: z.string().trim().min(1).max(120).optional(),
  digest: z.string().trim().max(200).optional(),
});

/** The store's pages are another origin: anyone may read these (no cookies are sent or used). */
function allowCrossOrigin(c: Context): void {
  c.header('Access-Control-Allow-Origin', '*');
  c.header('Access-Control-Allow-Methods', 'GET, OPTIONS');
  c.header('Access-Control-Allow-Headers', 'Accept, Content-Type');
  c.header('Access-Control-Max-Age', '86400');
}

function widgetError(c: Context, status: 400 | 401 | 503, code: string, message: string): Response {
  allowCrossOrigin(c);
  c.header('Cache-Control', 'no-store');
  return c.json({ error: { code, message } }, status);
}

/**
 * The storefront widget: its script, its JSON endpoint (CORS-enabled, authenticated by the store's
 * HMAC of the customer id) and an admin page showing it with a sample digest and the snippet to paste.
 * `/widget/*` answers with `Cross-Origin-Resource-Policy: cross-origin` (set in app.ts) so a store's page
 * may load it.
 */
export function mountWidgetRoutes({ app, ctx }: Pick<MountArgs, 'app' | 'api' | 'ctx'>): void {
  app.get('/widget/hearth-loyalty.js', (c) => {
    allowCrossOrigin(c);
    c.header('Content-Type', 'text/javascript; charset=utf-8');
    c.header('Cache-Control', 'public, max-age=300');
    c.header('X-Content-Type-Options', 'nosniff');
    return c.body(widgetScript);
  });

  app.options('/widget/v1/customer', (c) => {
    allowCrossOrigin(c);
    return c.body(null, 204);
  });

  app.get('/widget/v1/customer', async (c) => {
    const parsed = customerQuery.safeParse(c.req.query());
    if (!parsed.success) return widgetError(c, 400, 'validation_failed', 'customer is a store customer id of at most 120 characters, and digest its HMAC-SHA256 in hex.');
    const { customer, digest } = parsed.data;
    let storeId: string | null = null;
    if (customer !== undefined || digest !== undefined) {
      if (!customer || !digest) return widgetError(c, 400, 'validation_failed', 'Send both customer and digest, or neither for the signed-out view.');
      const check = checkWidgetDigest(ctx.config.widgetSecret, customer, digest);
      if (check === 'unconfigured') return widgetError(c, 503, 'widget_not_configured', 'This community has no WIDGET_SECRET: the widget can show only the signed-out view.');
      if (check === 'bad') {
        ctx.log.warn({ ip: clientIp(c as HearthContext) }, 'widget: digest refused');
        return widgetError(c, 401, 'bad_digest', 'The digest does not match the customer id.');
      }
      storeId = customer;
    }
    const data = await widgetData(ctx, storeId);
    allowCrossOrigin(c);
    c.header('Cache-Control', storeId === null ? 'public, max-age=60' : 'private, no-store');
    return c.json(data);
  });

  app.get('/admin/loyalty/widget', async (c) => {
    const actor = { user: c.get('user'), apiScopes: c.get('apiScopes'), ip: clientIp(c) };
    const settings = await adminGetSettings(ctx, actor);
    const secret = ctx.config.widgetSecret;
    const asked = c.req.query('customer')?.trim().slice(0, 120);
    const sample = asked || (await findSampleStoreCustomerId(ctx));
    const base = ctx.config.publicUrl;
    const snippet = [
      `<script src="${base}/widget/hearth-loyalty.js" defer></script>`,
      '{% if customer %}',
      `  <hearth-loyalty customer="{{ customer.id }}" digest="{{ customer.id | hmac_sha256: settings.hearth_widget_secret }}"></hearth-loyalty>`,
      '{% else %}',
      '  <hearth-loyalty></hearth-loyalty>',
      '{% endif %}',
    ].join('\n');
    const node = ["import { createHmac } from 'node:crypto';", '', "const digest = createHmac('sha256', process.env.WIDGET_SECRET).update(String(customer.id)).digest('hex');", '// <hearth-loyalty customer="${customer.id}" digest="${digest}"></hearth-loyalty>'].join('\n');
    c.header('Cache-Control', 'private, no-store');
    return renderAdminPage(
      c,
      'Storefront widget',
      'loyalty',
      <>
        <PageHeader
          title="Storefront widget"
          subtitle={`<hearth-loyalty> shows ${settings.programName.toLowerCase()} on the store’s own pages: balance, what it is worth, tier and rewards.`}
          breadcrumbs={[{ href: '/admin/loyalty', label: 'Loyalty' }]}
        />
        {!secret && <Notice tone="warning">WIDGET_SECRET is not set: the widget shows only the signed-out view, and a signed customer is answered with 503. Set it on this server and in the store’s theme settings.</Notice>}
        <div class="grid-2">
          <Card title="A signed-in customer">
            {secret && sample ? (
              <div class="stack">
                <p class="muted small">
                  Store customer <code>{sample}</code>, signed here with the server’s secret as the store would.
                </p>
                <hearth-loyalty customer={sample} digest={widgetDigest(secret, sample)}></hearth-loyalty>
              </div>
            ) : (
              <p class="muted">{secret ? 'No store customer has a store id yet: import customers or connect the store.' : 'Needs WIDGET_SECRET.'}</p>
            )}
            <form method="get" action="/admin/loyalty/widget" class="cluster">
              <label for="widget-customer">Store customer id</label>
              <input id="widget-customer" name="customer" value={sample ?? ''} maxlength={120} />
              <button class="btn btn-secondary btn-sm">Show</button>
            </form>
          </Card>
          <Card title="A visitor who is not signed in">
            <hearth-loyalty></hearth-loyalty>
          </Card>
        </div>
        <Card title="Add it to the store">
          <p>Paste into the theme where the panel belongs (a Shopify theme shown; the secret is a theme setting only the store’s server reads):</p>
          <CodeBlock code={snippet} title="Theme (Liquid)" />
          <p>Any other store signs the customer id on its server the same way:</p>
          <CodeBlock code={node} title="Node.js" />
          <p class="muted small">
            The widget reads <code>{`${base}/widget/v1/customer?customer=…&digest=…`}</code> (401 for a digest that does not match, 503 without WIDGET_SECRET; without either it shows the signed-out view). Its colours follow the
            store through <code>--hearth-accent</code>, <code>--hearth-text</code>, <code>--hearth-surface</code> and <code>--hearth-border</code>.
          </p>
        </Card>
        <script src="/widget/hearth-loyalty.js" defer></script>
      </>,
    );
  });
}
