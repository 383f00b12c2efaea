import type { HearthContext } from '../../../platform/http/env.ts';
import { Badge, Button, Card, CsrfField, DataTable, EmptyState, Notice, PageHeader, Pagination, Stat, Tabs } from '../../../web/components.tsx';
import { RFM_SCORE_DEFINITION } from '../models/rfm.ts';
import type { Churn, Customers, Health, Personas, Retention, Roi, ScoreItem } from '../service.ts';

export type AnalyticsTab = 'health' | 'personas' | 'customers' | 'retention' | 'churn' | 'roi';

const tabs: Array<{ key: AnalyticsTab; href: string; label: string }> = [
  { key: 'health', href: '/admin/analytics', label: 'Community health' },
  { key: 'personas', href: '/admin/analytics/personas', label: 'Personas' },
  { key: 'customers', href: '/admin/analytics/customers', label: 'RFM and lifetime value' },
  { key: 'retention', href: '/admin/analytics/retention', label: 'Retention' },
  { key: 'churn', href: '/admin/analytics/churn', label: 'Churn risk' },
  { key: 'roi', href: '/admin/analytics/roi', label: 'Deflection and ROI' },
];

export function formatMoney(minor: number | null, currency: string): string {
  if (minor === null) return '–';
  try {
    return new Intl.NumberFormat('en-GB', { style: 'currency', currency, maximumFractionDigits: 0 }).format(minor / 100);
  } catch {
    return `${(minor / 100).toFixed(0)} ${currency}`;
  }
}

export const percent = (x: number | null, digits = 0) => (x === null ? '–' : `${(x * 100).toFixed(digits)}%`);
const number = (x: number) => new Intl.NumberFormat('en-GB', { maximumFractionDigits: 1 }).format(x);

export function formatDuration(seconds: number | null): string {
  if (seconds === null) return '–';
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86400 * 2) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} days`;
}

function AnalyticsHeader({ active, subtitle, computedAt, c }: { active: AnalyticsTab; subtitle: string; computedAt?: string | null; c: HearthContext }) {
  return (
    <>
      <PageHeader
        title="Analytics"
        subtitle={subtitle}
        actions={
          <form method="post" action="/admin/analytics/recompute" class="cluster">
            <CsrfField c={c} />
            <input type="hidden" name="return" value={new URL(c.req.url).pathname} />
            {computedAt !== undefined && <span class="small muted">{computedAt ? `Scores from ${computedAt.slice(0, 16).replace('T', ' ')} UTC` : 'Not computed yet'}</span>}
            <Button type="submit" variant="secondary" size="sm">
              Recompute now
            </Button>
          </form>
        }
      />
      <Tabs label="Analytics" items={tabs.map((t) => ({ href: t.href, label: t.label, active: t.key === active }))} />
    </>
  );
}

/** A chart drawn by the charts island from the JSON inside it; the table beside it carries the same figures. */
function Chart({ spec, label }: { spec: { kind: 'line' | 'bars' | 'curve'; x: string[]; series: Array<{ label: string; values: Array<number | null>; percent?: boolean }> }; label: string }) {
  return (
    <figure class="chart" data-chart aria-label={label}>
      <script type="application/json" dangerouslySetInnerHTML={{ __html: JSON.stringify(spec).replace(/</g, '\\u003c') }} />
      <p class="chart-fallback">{spec.x.length === 0 ? 'No data in this range yet.' : 'The chart needs JavaScript; the table below has the same figures.'}</p>
    </figure>
  );
}

function RangeForm({ action, from, to }: { action: string; from: string; to: string }) {
  return (
    <form method="get" action={action} class="analytics-range" aria-label="Date range">
      <label>
        From
        <input type="date" name="from" value={from} />
      </label>
      <label>
        To
        <input type="date" name="to" value={to} />
      </label>
      <Button type="submit" variant="secondary" size="sm">
        Apply
      </Button>
    </form>
  );
}

const rangeQs = (r: { from: string; to: string }) => `from=${r.from}&to=${r.to}`;

function Exports({ links }: { links: Array<{ href: string; label: string }> }) {
  return (
    <p class="export-links">
      <span class="muted">CSV:</span>
      {links.map((l) => (
        <a href={l.href} download>
          {l.label}
        </a>
      ))}
    </p>
  );
}

export function HealthPage({ c, health }: { c: HearthContext; health: Health }) {
  const h = health;
  const qs = rangeQs(h.range);
  return (
    <>
      <AnalyticsHeader c={c} active="health" subtitle="Active members, contributions and how fast questions get answered, from the daily rollups." />
      <RangeForm action="/admin/analytics" from={h.range.from} to={h.range.to} />
      <div class="analytics-stats">
        <Stat label="Daily active (mean)" value={number(h.dau)} hint={`${h.range.from} to ${h.range.to}`} />
        <Stat label="Monthly active" value={h.mau} hint="30 days to the end of the range" />
        <Stat label="DAU / MAU" value={percent(h.stickiness)} hint="stickiness" />
        <Stat label="New members" value={h.newMembers} />
        <Stat label="New contributors" value={h.newContributors} hint="first post, reply or reaction" />
        <Stat label="Contributor ratio" value={percent(h.contributorRatio)} hint={`${h.contributors} of ${h.activeMembers} active`} />
        <Stat label="Superuser share" value={percent(h.superuserShare)} hint="posts by the top 1% of contributors" />
        <Stat label="Questions" value={h.questions} />
        <Stat label="Answered" value={percent(h.answeredShare)} hint="a reply by someone other than the asker" />
        <Stat label="Solved" value={percent(h.solvedShare)} hint="an accepted answer" />
        <Stat label="Time to first response" value={formatDuration(h.medianFirstResponseSeconds)} hint="median, questions in the range" />
      </div>
      <Card title="Active members">
        <Chart label="Daily and monthly active members" spec={{ kind: 'line', x: h.series.map((p) => p.day), series: [{ label: 'DAU', values: h.series.map((p) => p.dau) }, { label: 'MAU', values: h.series.map((p) => p.mau) }] }} />
        <Exports links={[{ href: `/admin/analytics/export/daily.csv?${qs}`, label: 'Daily figures' }]} />
      </Card>
      <Card title="Top contributors">
        {h.topContributors.length === 0 ? (
          <EmptyState title="No contributions in this range" />
        ) : (
          <DataTable head={['Member', 'Topics', 'Replies', 'Accepted', 'Reactions received']} numeric={[1, 2, 3, 4]}>
            {h.topContributors.map((m) => (
              <tr>
                <td>{m.username ? <a href={`/u/${m.username}`}>{m.displayName}</a> : m.displayName}</td>
                <td class="text-right">{m.topics}</td>
                <td class="text-right">{m.replies}</td>
                <td class="text-right">{m.accepted}</td>
                <td class="text-right">{m.reactionsReceived}</td>
              </tr>
            ))}
          </DataTable>
        )}
        <Exports links={[{ href: `/admin/analytics/export/contributors.csv?${qs}`, label: 'Top contributors' }]} />
      </Card>
      <div class="grid-2">
        <Card title="Trending terms">
          {h.trendingTerms.length === 0 ? (
            <EmptyState title="No tagged topics in this range" />
          ) : (
            <DataTable head={['Tag', 'Uses', 'Period before']} numeric={[1, 2]}>
              {h.trendingTerms.map((t) => (
                <tr>
                  <td>
                    <a href={`/tag/${encodeURIComponent(t.term)}`}>{t.term}</a>
                  </td>
                  <td class="text-right">{t.uses}</td>
                  <td class="text-right">{t.previous}</td>
                </tr>
              ))}
            </DataTable>
          )}
          <Exports links={[{ href: `/admin/analytics/export/terms.csv?${qs}`, label: 'Trending terms' }]} />
        </Card>
      </div>
      <div class="grid-2">
        <Card title="Trending topics">
          {h.trendingTopics.length === 0 ? (
            <EmptyState title="No topics in this range" />
          ) : (
            <DataTable head={['Topic', 'Replies', 'Reactions']} numeric={[1, 2]}>
              {h.trendingTopics.map((t) => (
                <tr>
                  <td>
                    <a href={`/t/${t.topicId}`}>{t.title}</a> {t.solved && <Badge tone="success">solved</Badge>}
                  </td>
                  <td class="text-right">{t.replies}</td>
                  <td class="text-right">{t.reactions}</td>
                </tr>
              ))}
            </DataTable>
          )}
          <Exports links={[{ href: `/admin/analytics/export/topics.csv?${qs}`, label: 'Trending topics' }]} />
        </Card>
        <Card title="Unanswered questions">
          {h.unanswered.length === 0 ? (
            <EmptyState title="Every question has a reply" />
          ) : (
            <DataTable head={['Question', 'Asked']}>
              {h.unanswered.map((t) => (
                <tr>
                  <td>
                    <a href={`/t/${t.topicId}`}>{t.title}</a>
                  </td>
                  <td>{t.createdAt.slice(0, 10)}</td>
                </tr>
              ))}
            </DataTable>
          )}
          <Exports links={[{ href: '/admin/analytics/export/unanswered.csv', label: 'Unanswered questions' }]} />
        </Card>
      </div>
    </>
  );
}

export function PersonasPage({ c, personas, errors }: { c: HearthContext; personas: Personas; errors?: Record<string, string> }) {
  const p = personas;
  const total = p.split.reduce((s, x) => s + x.members, 0);
  const order = ['Drifters', 'Lurkers', 'Supporters', 'Insiders'];
  const cell = (from: string, to: string) => p.transitions.cells.find((x) => x.from === from && x.to === to)?.members ?? 0;
  const s = p.settings;
  return (
    <>
      <AnalyticsHeader c={c} active="personas" subtitle="Every member's persona from their engagement and the value that comes back, beside the study's benchmark." computedAt={p.computedAt} />
      {total === 0 && <Notice>No personas yet: they are computed nightly, or now with “Recompute now”.</Notice>}
      <Card title="Your split against the benchmark">
        <Chart
          label="Persona split against the benchmark"
          spec={{ kind: 'bars', x: p.split.map((x) => x.persona), series: [{ label: 'Your members', values: p.split.map((x) => x.share), percent: true }, { label: 'Benchmark', values: p.split.map((x) => x.benchmark), percent: true }] }}
        />
        <DataTable head={['Persona', 'Members', 'Share', 'Benchmark', 'Rule']} numeric={[1, 2, 3]}>
          {p.split.map((x) => (
            <tr>
              <th scope="row">{x.persona}</th>
              <td class="text-right">{x.members}</td>
              <td class="text-right">
                <meter class="share-meter" min={0} max={1} value={x.share} title={percent(x.share, 1)} /> {percent(x.share, 1)}
              </td>
              <td class="text-right">{percent(x.benchmark)}</td>
              <td class="definition">{x.rule}</td>
            </tr>
          ))}
        </DataTable>
        <p class="definition">{p.engagementDefinition}</p>
        <p class="definition">{p.valueDefinition}</p>
        <Exports links={[{ href: '/admin/analytics/export/personas.csv', label: 'Split' }, { href: '/admin/analytics/export/members.csv', label: 'Every member with persona and scores' }]} />
      </Card>
      <Card title={p.transitions.from && p.transitions.to ? `Movement from ${p.transitions.from} to ${p.transitions.to}` : 'Movement month over month'}>
        {p.transitions.cells.length === 0 ? (
          <EmptyState title="No two monthly snapshots yet">Each recompute keeps the month's personas; movement shows once a second month has one.</EmptyState>
        ) : (
          <div class="table-wrap">
            <table class="table matrix">
              <caption>Rows: persona last month; columns: persona this month (members)</caption>
              <thead>
                <tr>
                  <th scope="col">From \ to</th>
                  {order.map((o) => (
                    <th scope="col">{o}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {order.map((from) => (
                  <tr>
                    <th scope="row">{from}</th>
                    {order.map((to) => (
                      <td class={from === to ? 'diagonal' : undefined}>{cell(from, to)}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <Exports links={[{ href: `/admin/analytics/export/transitions.csv${p.transitions.to ? `?month=${p.transitions.to}` : ''}`, label: 'Transitions' }]} />
      </Card>
      <Card title="Supporters closest to becoming Insiders">
        {p.closestToInsiders.length === 0 ? (
          <EmptyState title="No Supporters yet" />
        ) : (
          <DataTable head={['Member', 'Engagement', 'Value', 'What would move them']} numeric={[1, 2]}>
            {p.closestToInsiders.map((m) => (
              <tr>
                <td>{m.displayName}</td>
                <td class="text-right">
                  {number(m.engagement)} / {s.insiderEngagement}
                </td>
                <td class="text-right">
                  {number(m.value)} / {s.insiderValue}
                </td>
                <td>{m.nextStep}</td>
              </tr>
            ))}
          </DataTable>
        )}
        <Exports links={[{ href: '/admin/analytics/export/closest-supporters.csv', label: 'Supporters closest to Insiders' }]} />
      </Card>
      <Card title="Thresholds">
        <form method="post" action="/admin/analytics/personas/settings" class="stack">
          <CsrfField c={c} />
          {errors && <Notice tone="danger">{Object.values(errors).join(' ')}</Notice>}
          <div class="analytics-range">
            <label>
              Window (days)
              <input type="number" name="windowDays" min={7} max={365} value={String(s.windowDays)} required />
            </label>
            <label>
              Drifter below (engagement)
              <input type="number" name="drifterBelow" min={0} step="0.5" value={String(s.drifterBelow)} required />
            </label>
            <label>
              Insider engagement from
              <input type="number" name="insiderEngagement" min={0} step="0.5" value={String(s.insiderEngagement)} required />
            </label>
            <label>
              Insider value from
              <input type="number" name="insiderValue" min={0} step="0.5" value={String(s.insiderValue)} required />
            </label>
            <Button type="submit" size="sm">
              Save thresholds
            </Button>
          </div>
          <p class="definition">New thresholds apply from the next recompute.</p>
        </form>
      </Card>
    </>
  );
}

function ScoreTable({ items, currency, mode }: { items: ScoreItem[]; currency: string; mode: 'value' | 'churn' }) {
  return mode === 'churn' ? (
    <DataTable head={['Customer', 'Segment', 'Orders', 'Last order', 'P(alive) 30 d ago', 'P(alive) now', 'Value at stake']} numeric={[2, 4, 5, 6]}>
      {items.map((s) => (
        <tr>
          <td>{s.displayName}</td>
          <td>{s.segment ?? '–'}</td>
          <td class="text-right">{s.orders}</td>
          <td class="nowrap">{s.lastOrderOn ?? '–'}</td>
          <td class="text-right">{percent(s.probabilityAliveBefore)}</td>
          <td class="text-right">{percent(s.probabilityAlive)}</td>
          <td class="text-right">{formatMoney(s.valueAtStakeMinor, currency)}</td>
        </tr>
      ))}
    </DataTable>
  ) : (
    <DataTable head={['Customer', 'RFM', 'Segment', 'Orders', 'Spend', 'P(alive)', 'Next 90 d', '12-mo value']} numeric={[3, 4, 5, 6, 7]}>
      {items.map((s) => (
        <tr>
          <td>{s.displayName}</td>
          <td>{s.rfm ?? '–'}</td>
          <td>{s.segment ?? '–'}</td>
          <td class="text-right">{s.orders}</td>
          <td class="text-right">{formatMoney(s.spendMinor, currency)}</td>
          <td class="text-right">{percent(s.probabilityAlive)}</td>
          <td class="text-right">{s.expectedPurchases90d === null ? '–' : s.expectedPurchases90d.toFixed(2)}</td>
          <td class="text-right">{formatMoney(s.lifetimeValue12mMinor, currency)}</td>
        </tr>
      ))}
    </DataTable>
  );
}

export function CustomersPage({ c, customers }: { c: HearthContext; customers: Customers }) {
  const k = customers;
  const names: Record<string, string> = { bgnbd: 'BG/NBD (purchases, weeks)', 'gamma-gamma': 'Gamma-Gamma (order value)' };
  return (
    <>
      <AnalyticsHeader c={c} active="customers" subtitle="RFM segments and predicted lifetime value per customer (BG/NBD and Gamma-Gamma, refitted at each recompute)." computedAt={k.computedAt} />
      <div class="analytics-stats">
        <Stat label="Customers scored" value={k.totals.customers} />
        <Stat label="Net spend" value={formatMoney(k.totals.spendMinor, k.currency)} hint="paid orders less refunds" />
        <Stat label="Predicted 12-month value" value={formatMoney(k.totals.lifetimeValue12mMinor, k.currency)} hint="discounted 1% a month" />
      </div>
      <Card title="RFM segments">
        <Chart label="Customers per RFM segment" spec={{ kind: 'bars', x: k.segments.map((s) => s.segment), series: [{ label: 'Customers', values: k.segments.map((s) => s.customers) }] }} />
        <p class="definition">{RFM_SCORE_DEFINITION}</p>
        <DataTable head={['Segment', 'Customers', 'Spend', '12-month value', 'Mean P(alive)', 'Definition and suggested action']} numeric={[1, 2, 3, 4]}>
          {k.segments.map((s) => (
            <tr>
              <th scope="row">{s.segment}</th>
              <td class="text-right">{s.customers}</td>
              <td class="text-right">{formatMoney(s.spendMinor, k.currency)}</td>
              <td class="text-right">{formatMoney(s.lifetimeValue12mMinor, k.currency)}</td>
              <td class="text-right">{percent(s.meanProbabilityAlive)}</td>
              <td class="definition wide">
                {s.definition} <em>{s.suggestedAction}</em>
              </td>
            </tr>
          ))}
        </DataTable>
        <Exports links={[{ href: '/admin/analytics/export/segments.csv', label: 'Segments' }, { href: '/admin/analytics/export/customers.csv', label: 'Every customer with scores' }]} />
      </Card>
      <Card title="Highest predicted lifetime value">
        {k.topCustomers.length === 0 ? <EmptyState title="No predictions yet">The models need at least 20 customers, 5 of them with repeat purchases.</EmptyState> : <ScoreTable items={k.topCustomers} currency={k.currency} mode="value" />}
      </Card>
      <Card title="Models">
        <DataTable head={['Model', 'Customers', 'Parameters', 'Log-likelihood', 'Status']}>
          {k.models.map((m) => (
            <tr>
              <td>{names[m.name] ?? m.name}</td>
              <td>{m.n}</td>
              <td>
                <code>
                  {Object.entries(m.params)
                    .map(([key, v]) => `${key} ${v.toPrecision(4)}`)
                    .join(', ') || '–'}
                </code>
              </td>
              <td>{m.logLikelihood === null ? '–' : m.logLikelihood.toFixed(1)}</td>
              <td>{m.converged ? <Badge tone="success">fitted</Badge> : <Badge tone="warning">{m.note ?? 'not fitted'}</Badge>}</td>
            </tr>
          ))}
        </DataTable>
      </Card>
    </>
  );
}

export function ChurnPage({ c, churn, nextHref }: { c: HearthContext; churn: Churn; nextHref: string | null }) {
  return (
    <>
      <AnalyticsHeader c={c} active="churn" subtitle="Customers whose probability of still being active has fallen over the last 30 days, by the value at stake: a list for personal outreach." computedAt={churn.computedAt} />
      <p class="definition">
        Value at stake = (P(alive) 30 days ago − P(alive) now) × the predicted 12-month value were they still active (predicted value ÷ P(alive)). P(alive) 30 days ago is the same model applied to the
        order history up to then.
      </p>
      <Card title="Churn risk">
        {churn.items.length === 0 ? <EmptyState title="Nobody’s probability of being active has fallen">Or the models have not been fitted yet.</EmptyState> : <ScoreTable items={churn.items} currency={churn.currency} mode="churn" />}
        <Pagination nextHref={nextHref} />
        <Exports links={[{ href: '/admin/analytics/export/churn.csv', label: 'The whole list' }]} />
      </Card>
    </>
  );
}

const dimensionTitles: Record<string, string> = {
  membership: 'Community members against store customers without an account',
  persona: 'By persona',
  tier: 'By loyalty tier (members)',
  referred: 'Referred against not (members)',
  referrer: 'Referrers against not (members)',
};

export function RetentionPage({ c, retention }: { c: HearthContext; retention: Retention }) {
  const r = retention;
  const dims = ['membership', 'persona', 'tier', 'referred', 'referrer'] as const;
  return (
    <>
      <AnalyticsHeader c={c} active="retention" subtitle="Repurchase rates and cohort retention, for community members and the rest, with sample sizes and 95% intervals." computedAt={r.computedAt} />
      <Notice tone="warning">{r.caveat}</Notice>
      <Card title="Cohort retention: share still buying, by months since the first order">
        <Chart
          label="Retention curves of members and non-members"
          spec={{ kind: 'curve', x: (r.curves[0]?.points ?? []).map((p) => String(p.month)), series: r.curves.map((cv) => ({ label: cv.group, values: cv.points.map((p) => p.rate), percent: true })) }}
        />
        <p class="definition">Pooled over the first-order cohorts of the last 12 months; month k counts only the cohorts at least k months old. Month 0 is the first order's month (100%).</p>
        {r.cohorts.length === 0 ? (
          <EmptyState title="No orders in the last 12 months" />
        ) : (
          <DataTable head={['Cohort', 'Group', 'Customers', ...Array.from({ length: 12 }, (_, k) => `M${k + 1}`)]} numeric={Array.from({ length: 13 }, (_, i) => i + 2)}>
            {r.cohorts.map((row) => (
              <tr>
                <td class="nowrap">{row.cohort}</td>
                {/* The chart's legend names the groups in full; the table has twelve months to fit beside them. */}
                <td class="nowrap">{row.group === 'Community members' ? 'Members' : 'Not members'}</td>
                <td class="text-right">{row.customers}</td>
                {row.retention.slice(1).map((x) => (
                  <td class="text-right">{percent(x)}</td>
                ))}
              </tr>
            ))}
          </DataTable>
        )}
        <Exports links={[{ href: '/admin/analytics/export/cohorts.csv', label: 'Cohorts' }]} />
      </Card>
      <Card title="Repurchase rate: share of customers with two or more orders">
        {dims.map((d) => {
          const rows = r.groups.filter((g) => g.dimension === d);
          return (
            rows.length > 0 && (
              <>
                <h3 class="small">{dimensionTitles[d]}</h3>
                <DataTable head={['Group', 'Customers (n)', 'Repeat buyers', 'Repurchase rate', '95% interval']} numeric={[1, 2, 3]}>
                  {rows.map((g) => (
                    <tr>
                      <th scope="row">{g.group}</th>
                      <td class="text-right">{g.customers}</td>
                      <td class="text-right">{g.repeaters}</td>
                      <td class="text-right">{percent(g.repurchaseRate, 1)}</td>
                      <td class="nowrap">
                        {percent(g.low, 1)} – {percent(g.high, 1)}
                      </td>
                    </tr>
                  ))}
                </DataTable>
              </>
            )
          );
        })}
        {r.groups.length === 0 && <EmptyState title="No customers scored yet" />}
        <Exports links={[{ href: '/admin/analytics/export/repurchase.csv', label: 'Repurchase rates' }]} />
      </Card>
    </>
  );
}

export function RoiPage({ c, roi, errors }: { c: HearthContext; roi: Roi; errors?: Record<string, string> }) {
  const r = roi;
  const money = (minor: number) => formatMoney(minor, r.currency);
  const s = r.settings;
  return (
    <>
      <AnalyticsHeader c={c} active="roi" subtitle="Support questions the community answered, what that saved, and the program's cost against the margin it may bring back." />
      <RangeForm action="/admin/analytics/roi" from={r.range.from} to={r.range.to} />
      <div class="analytics-stats">
        <Stat label="Direct deflections" value={r.directDeflections} hint="accepted answers" />
        <Stat label="Indirect deflections" value={r.indirectDeflections} hint={`${r.solvedViews} views of solved questions × ${percent(s.indirectDeflectionRate, 1)}`} />
        <Stat label="Support cost saved" value={money(r.supportSavingsMinor)} hint={`at ${money(s.costPerTicketMinor)} a ticket`} />
        <Stat label="Net return" value={money(r.netMinor)} hint={r.roi === null ? 'set the program cost to see the ROI' : `ROI ${percent(r.roi)}`} />
      </div>
      <Card title="How the return adds up">
        <DataTable head={['Item', 'Amount', 'How']} numeric={[1]}>
          <tr>
            <th scope="row">Support cost saved</th>
            <td class="text-right">{money(r.supportSavingsMinor)}</td>
            <td class="definition">
              ({r.directDeflections} accepted answers + {r.indirectDeflections} indirect) × {money(s.costPerTicketMinor)} per ticket
            </td>
          </tr>
          <tr>
            <th scope="row">Margin from retention</th>
            <td class="text-right">{money(r.retentionMarginMinor)}</td>
            <td class="definition">
              Members repurchase at {percent(r.memberRepurchaseRate, 1)}, others at {percent(r.otherRepurchaseRate, 1)}: {r.extraRepeatBuyers} extra repeat buyers × average order {money(r.averageOrderMinor)} × margin{' '}
              {percent(s.grossMargin)}. A comparison, not a cause: it counts as the community's only if the community made the difference.
            </td>
          </tr>
          <tr>
            <th scope="row">Margin from referrals</th>
            <td class="text-right">{money(r.referralMarginMinor)}</td>
            <td class="definition">
              {r.referrals} completed referrals × average order {money(r.averageOrderMinor)} × margin {percent(s.grossMargin)}
            </td>
          </tr>
          <tr>
            <th scope="row">Program cost</th>
            <td class="text-right">−{money(r.programCostMinor)}</td>
            <td class="definition">
              {money(s.programCostPerMonthMinor)} a month over {Math.round((Date.parse(r.range.to) - Date.parse(r.range.from)) / 86_400_000) + 1} days
            </td>
          </tr>
          <tr>
            <th scope="row">Net</th>
            <td class="text-right">
              <strong>{money(r.netMinor)}</strong>
            </td>
            <td class="definition">{r.roi === null ? 'ROI needs a program cost.' : `ROI = net ÷ cost = ${percent(r.roi)}`}</td>
          </tr>
        </DataTable>
        <Exports links={[{ href: `/admin/analytics/export/roi.csv?${rangeQs(r.range)}`, label: 'ROI' }]} />
      </Card>
      <Card title="What if the community answered more?">
        <form method="get" action="/admin/analytics/roi" class="analytics-range">
          <input type="hidden" name="from" value={r.range.from} />
          <input type="hidden" name="to" value={r.range.to} />
          <label>
            Support questions a month
            <input type="number" name="questions" min={0} value={String(r.whatIf.questionsPerMonth)} />
          </label>
          <label>
            Answered in the community first (%)
            <input type="number" name="share" min={0} max={100} step="0.5" value={String(Math.round(r.whatIf.share * 1000) / 10)} />
          </label>
          <Button type="submit" variant="secondary" size="sm">
            Calculate
          </Button>
        </form>
        <p>
          If {percent(r.whatIf.share, 1)} of {r.whatIf.questionsPerMonth} support questions a month were answered in the community before they reached the support team, that is{' '}
          <strong>{r.whatIf.deflectedPerMonth}</strong> fewer tickets a month: <strong>{money(r.whatIf.savingsPerMonthMinor)}</strong> a month, <strong>{money(r.whatIf.savingsPerYearMinor)}</strong> a year at{' '}
          {money(s.costPerTicketMinor)} a ticket.
        </p>
      </Card>
      <Card title="Assumptions">
        <form method="post" action="/admin/analytics/roi/settings" class="stack">
          <CsrfField c={c} />
          {errors && <Notice tone="danger">{Object.values(errors).join(' ')}</Notice>}
          <div class="analytics-range">
            <label>
              Cost per ticket (minor units)
              <input type="number" name="costPerTicketMinor" min={0} value={String(s.costPerTicketMinor)} required />
            </label>
            <label>
              Indirect deflection rate (%)
              <input type="number" name="indirectDeflectionRate" min={0} max={100} step="0.1" value={String(Math.round(s.indirectDeflectionRate * 1000) / 10)} required />
            </label>
            <label>
              Support questions a month
              <input type="number" name="supportQuestionsPerMonth" min={0} value={String(s.supportQuestionsPerMonth)} required />
            </label>
            <label>
              What-if share (%)
              <input type="number" name="whatIfShare" min={0} max={100} step="0.5" value={String(Math.round(s.whatIfShare * 1000) / 10)} required />
            </label>
            <label>
              Program cost a month (minor units)
              <input type="number" name="programCostPerMonthMinor" min={0} value={String(s.programCostPerMonthMinor)} required />
            </label>
            <label>
              Gross margin (%)
              <input type="number" name="grossMargin" min={0} max={100} step="0.5" value={String(Math.round(s.grossMargin * 1000) / 10)} required />
            </label>
            <Button type="submit" size="sm">
              Save assumptions
            </Button>
          </div>
        </form>
      </Card>
    </>
  );
}
