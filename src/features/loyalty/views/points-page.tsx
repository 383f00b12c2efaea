import type { HearthContext } from '../../../platform/http/env.ts';
import type { Page } from '../../../platform/http/pagination.ts';
import { Badge, Button, Card, DataTable, EmptyState, Field, Form, PageHeader, Pagination, Progress, Select, Stat } from '../../../web/components.tsx';
import type { CodeRow, RewardRow } from '../rewards.ts';
import type { LedgerLine, PointsSummary, WayToEarn } from '../service.ts';
import { formatMoney } from '../settings.ts';

const dateFormat = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'UTC' });
const months = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

export function signed(n: number): string {
  return n > 0 ? `+${n.toLocaleString('en')}` : n.toLocaleString('en');
}

/** The change a ledger line made, as a member reads it: available points, or pending ones. */
export function lineChange(line: LedgerLine): string {
  if (line.deltaAvailable !== 0) return signed(line.deltaAvailable);
  if (line.deltaPending !== 0) return `${signed(line.deltaPending)} pending`;
  if (line.deltaDebt !== 0) return `${signed(-line.deltaDebt)} (debt)`;
  return '0';
}

export function HistoryTable({ entries, nextHref }: { entries: Page<LedgerLine>; nextHref: string | null }) {
  if (entries.items.length === 0) return <EmptyState icon="inbox" title="No points yet">Your points history will appear here.</EmptyState>;
  return (
    <>
      <DataTable head={['Date', 'What', 'Points']} numeric={[2]}>
        {entries.items.map((e) => (
          <tr>
            <td>{dateFormat.format(e.createdAt)}</td>
            <td>
              {e.description}
              {e.kind === 'pending' && e.dueAt && <span class="muted small"> · confirmed after {dateFormat.format(e.dueAt)}</span>}
            </td>
            <td class="text-right">{lineChange(e)}</td>
          </tr>
        ))}
      </DataTable>
      <Pagination nextHref={nextHref} />
    </>
  );
}

export function PointsSummaryCards({ summary }: { summary: PointsSummary }) {
  return (
    <div class="stats">
      <Stat label="Available" value={summary.balance.toLocaleString('en')} hint={`worth ${formatMoney(summary.balanceValueMinor, summary.currency)}`} />
      <Stat label="Pending" value={summary.pending.toLocaleString('en')} hint="confirmed when the return window closes" />
      <Stat
        label="Expiring soon"
        value={summary.expiringSoon.toLocaleString('en')}
        hint={summary.nextExpiry ? `next: ${summary.nextExpiry.points.toLocaleString('en')} on ${dateFormat.format(summary.nextExpiry.at)}` : 'nothing expires soon'}
      />
      <Stat label="Earned in total" value={summary.lifetimeEarned.toLocaleString('en')} />
      {summary.debt > 0 && <Stat label="Owed" value={summary.debt.toLocaleString('en')} hint="points taken back after a refund; new points pay this first" />}
    </div>
  );
}

export function PointsPage(props: { c: HearthContext; summary: PointsSummary; entries: Page<LedgerLine>; nextHref: string | null; ways: WayToEarn[]; rewards: RewardRow[]; codes: CodeRow[] }) {
  const { c, summary, entries, nextHref, ways, rewards, codes } = props;
  const tierAmount = summary.tierProgress.basis === 'spend' ? formatMoney(summary.tierProgress.amount, summary.currency) : `${summary.tierProgress.amount.toLocaleString('en')} points`;
  return (
    <div class="stack">
      <PageHeader title={`Your ${summary.programName.toLowerCase()}`} subtitle={`${summary.balance.toLocaleString('en')} points, worth ${formatMoney(summary.balanceValueMinor, summary.currency)}`} />
      <PointsSummaryCards summary={summary} />
      <div class="grid-2">
        <Card title="Tier">
          <p>
            {summary.tier ? (
              <>
                You are <Badge tone="success">{summary.tier.name}</Badge>
                {summary.tier.multiplierPct > 100 && ` · ${summary.tier.multiplierPct / 100}× points`}
                {summary.tier.earlyAccess && ' · early access'}
              </>
            ) : (
              'You have no tier yet.'
            )}
          </p>
          <p class="muted small">So far this period: {tierAmount}.</p>
          {summary.nextTier && (
            <Progress
              label={`Towards ${summary.nextTier.name}`}
              value={summary.tierProgress.amount}
              max={summary.nextTier.threshold}
              hint={`${summary.tierProgress.basis === 'spend' ? formatMoney(summary.tierProgress.needed ?? 0, summary.currency) : `${(summary.tierProgress.needed ?? 0).toLocaleString('en')} points`} to go`}
            />
          )}
        </Card>
        <Card title="Your birthday">
          <Form c={c} action="/points/birthday">
            <p class="muted small">Birthday points arrive each year on the day; a birthday set or changed in the last 30 days waits until next time.</p>
            <div class="grid-2">
              <Select label="Month" name="month" value={summary.birthday ? String(summary.birthday.month) : '1'} options={months.map((m, i) => ({ value: String(i + 1), label: m }))} />
              <Field label="Day" name="day" type="number" value={summary.birthday ? String(summary.birthday.day) : ''} required />
            </div>
            <Button variant="secondary" size="sm">
              Save birthday
            </Button>
          </Form>
        </Card>
      </div>
      <Card title="Rewards">
        {rewards.length === 0 ? (
          <p class="muted">No rewards are offered right now.</p>
        ) : (
          <ul class="list-plain stack">
            {rewards.map((r) => (
              <li>
                <Form c={c} action="/points/redeem">
                  <input type="hidden" name="rewardId" value={String(r.id)} />
                  <p>
                    <strong>{r.name}</strong>:{' '}
                    {r.kind === 'fixed'
                      ? `${r.points.toLocaleString('en')} points for ${formatMoney(r.value_minor, summary.currency)} off`
                      : `every ${r.points} points is ${formatMoney(r.value_minor, summary.currency)} off, from ${Math.max(r.min_points, summary.redeemMinimumPoints).toLocaleString('en')} points`}
                  </p>
                  {r.kind === 'incremental' && (
                    <div class="field">
                      <label for={`reward-${r.id}-points`}>Points to redeem</label>
                      <input id={`reward-${r.id}-points`} name="points" type="number" min={Math.max(r.min_points, summary.redeemMinimumPoints)} step={r.points} value={String(Math.max(r.min_points, summary.redeemMinimumPoints))} />
                    </div>
                  )}
                  <Button size="sm" variant={summary.canRedeem ? 'primary' : 'secondary'}>
                    Redeem
                  </Button>
                </Form>
              </li>
            ))}
          </ul>
        )}
        {codes.length > 0 && (
          <DataTable head={['Code', 'Value', 'Status', '']}>
            {codes.map((code) => (
              <tr>
                <td>
                  <code>{code.code}</code>
                </td>
                <td>{formatMoney(code.value_minor, code.currency)}</td>
                <td>{code.status === 'issued' && code.expires_at.getTime() < Date.now() ? 'expired' : code.status}</td>
                <td>
                  {code.status === 'issued' && code.expires_at.getTime() > Date.now() && (
                    <Form c={c} action={`/points/codes/${code.id}/return`}>
                      <Button size="sm" variant="ghost">
                        Return for {code.points} points
                      </Button>
                    </Form>
                  )}
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </Card>
      <Card title="Ways to earn">
        <ul class="list-plain stack">
          {ways.map((w) => (
            <li>
              <strong>{w.label}</strong>: {w.description}
            </li>
          ))}
        </ul>
      </Card>
      <Card title="History">
        <HistoryTable entries={entries} nextHref={nextHref} />
      </Card>
    </div>
  );
}
