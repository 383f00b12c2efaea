import type { HearthContext } from '../../../platform/http/env.ts';
import type { Page } from '../../../platform/http/pagination.ts';
import { Badge, Button, Card, DataTable, EmptyState, Field, Form, PageHeader, Pagination, Progress, Select, Stat } from '../../../web/components.tsx';
import { codeBenefit, type CodeRow } from '../rewards.ts';
import { describeBenefit } from '../reward-kinds.ts';
import type { AccessGrantView, LedgerLine, PointsSummary, RewardView, WayToEarn } from '../service.ts';
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

export function PointsPage(props: { c: HearthContext; summary: PointsSummary; entries: Page<LedgerLine>; nextHref: string | null; ways: WayToEarn[]; rewards: RewardView[]; codes: CodeRow[]; access: AccessGrantView[] }) {
  const { c, summary, entries, nextHref, ways, rewards, codes, access } = props;
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
                    <strong>{r.name}</strong>: {r.description}
                    {r.access && <span class="muted small"> · opens as soon as you redeem</span>}
                  </p>
                  {r.kind === 'incremental' && (
                    <div class="field">
                      <label for={`reward-${r.id}-points`}>Points to redeem</label>
                      <input id={`reward-${r.id}-points`} name="points" type="number" min={r.minPoints} step={r.points} value={String(r.minPoints)} />
                    </div>
                  )}
                  <Button size="sm" variant={summary.canRedeem && summary.balance >= r.minPoints ? 'primary' : 'secondary'}>
                    Redeem
                  </Button>
                </Form>
              </li>
            ))}
          </ul>
        )}
        {codes.length > 0 && (
          <>
            <h3>Your codes</h3>
            <DataTable head={['Code', 'Gives', 'Status', '']}>
              {codes.map((code) => {
                const expired = code.status === 'expired' || (code.status === 'issued' && code.expires_at.getTime() <= Date.now());
                return (
                  <tr>
                    <td>
                      <code>{code.code}</code>
                    </td>
                    <td>{describeBenefit(codeBenefit(code), code.currency)}</td>
                    <td>
                      {expired ? (
                        <>
                          <Badge tone="danger">Expired</Badge> <span class="muted small">{dateFormat.format(code.expired_at ?? code.expires_at)}</span>
                        </>
                      ) : code.status === 'issued' ? (
                        <>
                          <Badge tone="success">Ready</Badge> <span class="muted small">until {dateFormat.format(code.expires_at)}</span>
                        </>
                      ) : (
                        <Badge>{code.status === 'used' ? 'Used' : 'Returned'}</Badge>
                      )}
                    </td>
                    <td>
                      {code.status === 'issued' && !expired && (
                        <Form c={c} action={`/points/codes/${code.id}/return`}>
                          <Button size="sm" variant="ghost">
                            Return for {code.points} points
                          </Button>
                        </Form>
                      )}
                    </td>
                  </tr>
                );
              })}
            </DataTable>
            <p class="muted small">An unused code can be returned for its points until it expires; an expired code does not give its points back.</p>
          </>
        )}
      </Card>
      {access.length > 0 && (
        <Card title="Your access">
          <ul class="list-plain stack">
            {access.map((g) => (
              <li>
                <strong>{g.rewardName}</strong>
                {g.space && (
                  <>
                    {' '}
                    · <a href={g.space.url}>{g.space.name}</a>
                  </>
                )}
                {g.earlyAccess && ' · early access'}{' '}
                {g.active ? <Badge tone="success">Open</Badge> : <Badge>Ended</Badge>}
                <span class="muted small"> · {g.endsAt ? `${g.active ? 'until' : 'ended'} ${dateFormat.format(g.endsAt)}` : 'for good'}</span>
              </li>
            ))}
          </ul>
        </Card>
      )}
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
