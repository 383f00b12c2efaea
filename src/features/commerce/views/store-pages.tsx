import type { Child } from 'hono/jsx';
import type { HearthContext } from '../../../platform/http/env.ts';
import type { Page } from '../../../platform/http/pagination.ts';
import { Badge, Button, Card, DataTable, DescriptionList, EmptyState, Field, PageHeader, Pagination, Select, Tabs, TimeAgo, type Tone } from '../../../web/components.tsx';
import { withQuery } from '../../admin/views/shell.tsx';
import { formatMoney } from '../money.ts';
import type { Customer, Order, OrderSummary, Product, WebhookDelivery } from '../repo.ts';
import { financialStatuses, fulfillmentStatuses } from '../tables.ts';

export type StoreTab = 'orders' | 'customers' | 'products' | 'import' | 'webhooks';

export function StoreTabs({ active }: { active: StoreTab }) {
  const tabs: Array<[StoreTab, string, string]> = [
    ['orders', '/admin/store', 'Orders'],
    ['customers', '/admin/store/customers', 'Customers'],
    ['products', '/admin/store/products', 'Products'],
    ['import', '/admin/store/import', 'CSV import'],
    ['webhooks', '/admin/store/webhooks', 'Webhooks'],
  ];
  return <Tabs label="Store" items={tabs.map(([key, href, label]) => ({ href, label, active: key === active }))} />;
}

const financialTone: Record<string, Tone> = { paid: 'success', pending: 'warning', authorized: 'info', partially_paid: 'warning', partially_refunded: 'warning', refunded: 'danger', voided: 'neutral' };

export function OrderStatus({ order }: { order: OrderSummary }) {
  return (
    <span class="cluster">
      {order.cancelledAt ? <Badge tone="danger">cancelled</Badge> : null}
      <Badge tone={financialTone[order.financialStatus] ?? 'neutral'}>{order.financialStatus.replace(/_/g, ' ')}</Badge>
      <Badge tone={order.fulfillmentStatus === 'fulfilled' ? 'success' : 'neutral'}>{order.fulfillmentStatus}</Badge>
    </span>
  );
}

const customerName = (c: Customer) => [c.firstName, c.lastName].filter(Boolean).join(' ') || c.email || `Customer #${c.id}`;

export interface OrderFilters {
  financialStatus?: string;
  fulfillmentStatus?: string;
  email?: string;
}

export function OrdersPage({ c, page, filters }: { c: HearthContext; page: Page<OrderSummary>; filters: OrderFilters }) {
  return (
    <>
      <PageHeader title="Store" subtitle="Orders, customers and products from the store: webhooks, the API and CSV imports." />
      <StoreTabs active="orders" />
      <form method="get" action="/admin/store" class="form cluster store-filters">
        <Select
          label="Payment"
          name="financialStatus"
          value={filters.financialStatus ?? ''}
          options={[{ value: '', label: 'Any' }, ...financialStatuses.map((s) => ({ value: s, label: s.replace(/_/g, ' ') }))]}
        />
        <Select label="Fulfilment" name="fulfillmentStatus" value={filters.fulfillmentStatus ?? ''} options={[{ value: '', label: 'Any' }, ...fulfillmentStatuses.map((s) => ({ value: s, label: s }))]} />
        <Field label="Customer email" name="email" type="email" value={filters.email} />
        <Button variant="secondary" icon="search">
          Filter
        </Button>
      </form>
      {page.items.length === 0 ? (
        <EmptyState icon="inbox" title="No orders">
          Orders arrive from Shopify webhooks, the /api/v1/orders API or a CSV import.
        </EmptyState>
      ) : (
        <DataTable caption="Orders, newest first" head={['Order', 'Placed', 'Customer', 'Status', 'Total', 'Refunded']} numeric={[4, 5]}>
          {page.items.map((o) => (
            <tr>
              <td>
                <a href={`/admin/store/orders/${o.id}`}>{o.name || `#${o.externalId}`}</a> <span class="muted small">{o.source}</span>
              </td>
              <td>
                <TimeAgo date={o.placedAt} />
              </td>
              <td>{o.customerId ? <a href={`/admin/store/customers/${o.customerId}`}>{o.email ?? `#${o.customerId}`}</a> : <span class="muted">{o.email ?? 'guest'}</span>}</td>
              <td>
                <OrderStatus order={o} />
              </td>
              <td class="text-right">{formatMoney(o.totalMinor, o.currency)}</td>
              <td class="text-right">{o.refundedMinor > 0 ? formatMoney(o.refundedMinor, o.currency) : <span class="muted">—</span>}</td>
            </tr>
          ))}
        </DataTable>
      )}
      <Pagination nextHref={page.nextCursor ? withQuery(c, { cursor: page.nextCursor }) : null} />
    </>
  );
}

const absolute = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });

/** A record's own dates are shown exactly (UTC), with how long ago beside them. */
const when = (d: Date | null): Child =>
  d ? (
    <>
      <time datetime={d.toISOString()}>{absolute.format(d)} UTC</time> <span class="muted small">(<TimeAgo date={d} />)</span>
    </>
  ) : (
    <span class="muted">—</span>
  );

export function OrderDetailPage({ order }: { order: Order }) {
  const money = (n: number) => formatMoney(n, order.currency);
  return (
    <>
      <PageHeader
        title={`Order ${order.name || `#${order.externalId}`}`}
        subtitle={
          <>
            {order.source} id <code>{order.externalId}</code>
          </>
        }
        breadcrumbs={[
          { href: '/admin', label: 'Admin' },
          { href: '/admin/store', label: 'Store' },
        ]}
      />
      <Card title="Summary">
        <DescriptionList
          items={[
            { term: 'Status', detail: <OrderStatus order={order} /> },
            { term: 'Customer', detail: order.customer ? <a href={`/admin/store/customers/${order.customer.id}`}>{customerName(order.customer)}</a> : (order.email ?? 'guest') },
            { term: 'Placed', detail: when(order.placedAt) },
            { term: 'Paid', detail: when(order.paidAt) },
            { term: 'Fulfilled', detail: when(order.fulfilledAt) },
            { term: 'Cancelled', detail: order.cancelledAt ? <>{when(order.cancelledAt)} {order.cancelReason ? `(${order.cancelReason})` : ''}</> : when(null) },
            { term: 'Subtotal', detail: money(order.subtotalMinor) },
            { term: 'Shipping', detail: money(order.shippingMinor) },
            { term: 'Tax', detail: money(order.taxMinor) },
            { term: 'Discount', detail: money(order.discountMinor) },
            { term: 'Total', detail: <strong>{money(order.totalMinor)}</strong> },
            { term: 'Refunded', detail: money(order.refundedMinor) },
          ]}
        />
      </Card>
      <Card title="Lines">
        <DataTable head={['Item', 'SKU', 'Quantity', 'Unit price', 'Discount', 'Line total']} numeric={[2, 3, 4, 5]}>
          {order.lines.map((l) => (
            <tr>
              <td>{l.title}</td>
              <td>{l.sku ? <code>{l.sku}</code> : <span class="muted">—</span>}</td>
              <td class="text-right">{l.quantity}</td>
              <td class="text-right">{money(l.unitPriceMinor)}</td>
              <td class="text-right">{l.discountMinor ? money(l.discountMinor) : '—'}</td>
              <td class="text-right">{money(l.quantity * l.unitPriceMinor - l.discountMinor)}</td>
            </tr>
          ))}
        </DataTable>
      </Card>
      <Card title="Refunds">
        {order.refunds.length === 0 ? (
          <p class="muted">No refunds.</p>
        ) : (
          <DataTable head={['Refund', 'When', 'Amount', 'Items', 'Note']} numeric={[2, 3]}>
            {order.refunds.map((r) => (
              <tr>
                <td>
                  #{r.id} {r.externalId ? <span class="muted small">{r.source} {r.externalId}</span> : null}
                </td>
                <td>
                  <TimeAgo date={r.refundedAt} />
                </td>
                <td class="text-right">{money(r.amountMinor)}</td>
                <td class="text-right">{r.lines.reduce((n, l) => n + l.quantity, 0)}</td>
                <td>{r.note || <span class="muted">—</span>}</td>
              </tr>
            ))}
          </DataTable>
        )}
      </Card>
    </>
  );
}

export function CustomersPage({ c, page, email }: { c: HearthContext; page: Page<Customer>; email?: string }) {
  return (
    <>
      <PageHeader title="Store" subtitle="Customers of the store, and the community members they are linked to by verified email." />
      <StoreTabs active="customers" />
      <form method="get" action="/admin/store/customers" class="form cluster store-filters">
        <Field label="Email" name="email" type="email" value={email} />
        <Button variant="secondary" icon="search">
          Find
        </Button>
      </form>
      {page.items.length === 0 ? (
        <EmptyState icon="users" title="No customers" />
      ) : (
        <DataTable caption="Customers, newest first" head={['Customer', 'Email', 'Source', 'Member', 'Since']}>
          {page.items.map((cu) => (
            <tr>
              <td>
                <a href={`/admin/store/customers/${cu.id}`}>{customerName(cu)}</a>
              </td>
              <td>{cu.email ?? <span class="muted">—</span>}</td>
              <td>
                {cu.source} {cu.externalId ? <code class="small">{cu.externalId}</code> : null}
              </td>
              <td>{cu.userId ? <Badge tone="success">linked</Badge> : <span class="muted">—</span>}</td>
              <td>
                <TimeAgo date={cu.createdAt} />
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      <Pagination nextHref={page.nextCursor ? withQuery(c, { cursor: page.nextCursor }) : null} />
    </>
  );
}

export function CustomerDetailPage({ customer, orders }: { customer: Customer; orders: OrderSummary[] }) {
  return (
    <>
      <PageHeader
        title={customerName(customer)}
        breadcrumbs={[
          { href: '/admin/store', label: 'Store' },
          { href: '/admin/store/customers', label: 'Customers' },
        ]}
      />
      <Card title="Details">
        <DescriptionList
          items={[
            { term: 'Email', detail: customer.email ?? '—' },
            { term: 'Source', detail: `${customer.source}${customer.externalId ? ` ${customer.externalId}` : ''}` },
            { term: 'Community member', detail: customer.userId ? <a href={`/admin/users?q=${encodeURIComponent(customer.email ?? '')}`}>member #{customer.userId}</a> : 'not linked (no member has confirmed this email)' },
            { term: 'Accepts marketing', detail: customer.acceptsMarketing ? 'yes' : 'no' },
            { term: 'Address', detail: [customer.addressLine, customer.postcode, customer.country].filter(Boolean).join(', ') || '—' },
            { term: 'Customer since', detail: <TimeAgo date={customer.createdAt} /> },
          ]}
        />
      </Card>
      <Card title="Orders">
        {orders.length === 0 ? (
          <p class="muted">No orders.</p>
        ) : (
          <DataTable head={['Order', 'Placed', 'Status', 'Total']} numeric={[3]}>
            {orders.map((o) => (
              <tr>
                <td>
                  <a href={`/admin/store/orders/${o.id}`}>{o.name || `#${o.externalId}`}</a>
                </td>
                <td>
                  <TimeAgo date={o.placedAt} />
                </td>
                <td>
                  <OrderStatus order={o} />
                </td>
                <td class="text-right">{formatMoney(o.totalMinor, o.currency)}</td>
              </tr>
            ))}
          </DataTable>
        )}
      </Card>
    </>
  );
}

export function ProductsPage({ c, page }: { c: HearthContext; page: Page<Product> }) {
  return (
    <>
      <PageHeader title="Store" subtitle="Products and their variants." />
      <StoreTabs active="products" />
      {page.items.length === 0 ? (
        <EmptyState icon="inbox" title="No products" />
      ) : (
        <DataTable caption="Products, newest first" head={['Product', 'Variants', 'Prices', 'Status', 'Source']}>
          {page.items.map((p) => (
            <tr>
              <td>{p.url ? <a href={p.url}>{p.title}</a> : p.title}</td>
              <td class="small">{p.variants.map((v) => v.sku ?? v.title).filter(Boolean).join(', ') || <span class="muted">—</span>}</td>
              <td class="small">{[...new Set(p.variants.map((v) => formatMoney(v.priceMinor, v.currency)))].join(', ')}</td>
              <td>
                <Badge tone={p.status === 'active' ? 'success' : 'neutral'}>{p.status}</Badge>
              </td>
              <td>
                {p.source} {p.externalId ? <code class="small">{p.externalId}</code> : null}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      <Pagination nextHref={page.nextCursor ? withQuery(c, { cursor: page.nextCursor }) : null} />
    </>
  );
}

const outcomeTone: Record<string, Tone> = { processed: 'success', ignored: 'neutral', failed: 'danger', processing: 'info', queued: 'info' };

export function WebhooksPage({ c, page, configured, publicUrl }: { c: HearthContext; page: Page<WebhookDelivery>; configured: boolean; publicUrl: string }) {
  return (
    <>
      <PageHeader title="Store" subtitle={<>Shopify webhooks received at <code>{publicUrl}/webhooks/shopify</code>.</>} />
      <StoreTabs active="webhooks" />
      {!configured && (
        <Card>
          <p>
            <strong>Not set up:</strong> set <code>SHOPIFY_WEBHOOK_SECRET</code> to your Shopify app’s signing secret; until then deliveries are refused with 503.
          </p>
        </Card>
      )}
      {page.items.length === 0 ? (
        <EmptyState icon="inbox" title="No deliveries yet" />
      ) : (
        <DataTable caption="Recent deliveries, newest first" head={['Received', 'Topic', 'Webhook id', 'Shop', 'Outcome', 'Detail']}>
          {page.items.map((d) => (
            <tr>
              <td>
                <TimeAgo date={d.receivedAt} />
              </td>
              <td>
                <code>{d.topic}</code>
              </td>
              <td class="small">
                <code>{d.webhookId}</code>
              </td>
              <td class="small">{d.shopDomain ?? '—'}</td>
              <td>
                {d.outcome === 'queued' && d.attempts > 0 ? <Badge tone="warning">retrying</Badge> : <Badge tone={outcomeTone[d.outcome] ?? 'neutral'}>{d.outcome}</Badge>}
                {d.attempts > 1 && <div class="small muted">{d.attempts} attempts</div>}
                {d.outcome === 'queued' && d.nextAttemptAt && (
                  <div class="small muted">
                    next at <time datetime={d.nextAttemptAt.toISOString()}>{d.nextAttemptAt.toISOString().slice(11, 19)} UTC</time>
                  </div>
                )}
              </td>
              <td class="small">{d.detail}</td>
            </tr>
          ))}
        </DataTable>
      )}
      <Pagination nextHref={page.nextCursor ? withQuery(c, { cursor: page.nextCursor }) : null} />
    </>
  );
}
