import type { HearthContext } from '../../../platform/http/env.ts';
import type { FieldErrors } from '../../../platform/http/errors.ts';
import type { Page } from '../../../platform/http/pagination.ts';
import { Badge, Button, Card, Checkbox, DataTable, EmptyState, Field, Form, FormErrors, PageHeader, Pagination, Tabs } from '../../../web/components.tsx';
import { formatMoney, minorPerUnit } from '../../loyalty/settings.ts';
import { flagLabels, statusLabels, type ReferralSettingsView, type ReferralView } from '../service.ts';
import { referralStatuses, type ReferralStatus } from '../tables.ts';
import { statusTone } from './refer-page.tsx';

const dateFormat = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });

const tabLabels: Record<ReferralStatus, string> = {
  review: 'Review queue',
  pending: 'Waiting for an order',
  qualified: 'In return window',
  completed: 'Completed',
  rejected: 'Rejected',
  cancelled: 'Ended',
};

function major(minor: number, currency: string): string {
  const per = minorPerUnit(currency);
  return per === 1 ? String(minor) : (minor / per).toFixed(Math.round(Math.log10(per)));
}

function Decision({ c, r, status }: { c: HearthContext; r: ReferralView; status: ReferralStatus }) {
  if (r.status !== 'review' && r.status !== 'pending' && r.status !== 'qualified') return <span class="muted small">{r.closedReason ?? ''}</span>;
  return (
    <div class="stack">
      {r.status === 'review' && (
        <Form c={c} action={`/admin/referrals/${r.id}/approve`} class="cluster">
          <input type="hidden" name="status" value={status} />
          <label class="visually-hidden" for={`approve-${r.id}`}>
            Reason to approve referral {r.id}
          </label>
          <input id={`approve-${r.id}`} name="reason" placeholder="Reason" required minlength={3} maxlength={500} />
          <Button size="sm" variant="primary">
            Approve
          </Button>
        </Form>
      )}
      <Form c={c} action={`/admin/referrals/${r.id}/reject`} class="cluster">
        <input type="hidden" name="status" value={status} />
        <label class="visually-hidden" for={`reject-${r.id}`}>
          Reason to reject referral {r.id}
        </label>
        <input id={`reject-${r.id}`} name="reason" placeholder="Reason" required minlength={3} maxlength={500} />
        <Button size="sm" variant="danger">
          Reject
        </Button>
      </Form>
    </div>
  );
}

export function ReferralsAdminPage(props: {
  c: HearthContext;
  status: ReferralStatus;
  counts: Record<ReferralStatus, number>;
  referrals: Page<ReferralView>;
  nextHref: string | null;
  settings: ReferralSettingsView;
  errors?: FieldErrors;
  message?: string;
}) {
  const { c, status, counts, referrals, nextHref, settings: s, errors, message } = props;
  const order: ReferralStatus[] = ['review', ...referralStatuses.filter((x) => x !== 'review')];
  return (
    <>
      <PageHeader title="Referrals" subtitle="Refer a friend: the review queue of flagged referrals, every referral by state, and the program's rewards and limits." />
      <Tabs label="Referrals by state" items={order.map((st) => ({ href: `/admin/referrals?status=${st}`, label: tabLabels[st], active: st === status, count: counts[st] }))} />
      <Card title={`${tabLabels[status]} (${counts[status]})`}>
        {referrals.items.length === 0 ? (
          <EmptyState icon="check" title={status === 'review' ? 'Nothing to review' : 'No referrals here'}>
            {status === 'review' ? 'Referrals a fraud check flags wait here for a decision.' : `No referral is ${statusLabels[status].toLowerCase()}.`}
          </EmptyState>
        ) : (
          <>
            <DataTable head={['#', 'Referrer → friend', 'Checks', 'First order', 'Dates', 'Decision']}>
              {referrals.items.map((r) => (
                <tr>
                  <td>{r.id}</td>
                  <td>
                    {r.referrer ? <a href={`/u/${r.referrer.username}`}>{r.referrer.displayName}</a> : 'a former member'} →{' '}
                    {r.friend ? <a href={`/u/${r.friend.username}`}>{r.friend.displayName}</a> : 'a former member'}
                    <div class="small muted">by {r.via}</div>
                  </td>
                  <td>
                    {r.flags.length === 0 ? (
                      <Badge tone="success">passed</Badge>
                    ) : (
                      <ul class="list-plain stack">
                        {r.flags.map((f) => (
                          <li>
                            <Badge tone="warning">{flagLabels[f]}</Badge>
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                  <td>{r.orderId !== null && r.orderMinor !== null && r.currency ? `#${r.orderId} · ${formatMoney(r.orderMinor, r.currency)}` : <span class="muted">none yet</span>}</td>
                  <td class="small">
                    <div>joined {dateFormat.format(r.createdAt)}</div>
                    {r.completeAfter && r.status !== 'completed' && <div>window closes {dateFormat.format(r.completeAfter)}</div>}
                    {r.completedAt && <div>completed {dateFormat.format(r.completedAt)}</div>}
                    <Badge tone={statusTone[r.status]}>{r.statusLabel}</Badge>
                  </td>
                  <td>
                    <Decision c={c} r={r} status={status} />
                  </td>
                </tr>
              ))}
            </DataTable>
            <Pagination nextHref={nextHref} />
          </>
        )}
      </Card>
      <Card title="Program settings">
        <Form c={c} action="/admin/referrals/settings" id="referral-settings">
          <FormErrors message={message} fields={errors} />
          <Checkbox label="Program running" name="enabled" checked={s.enabled} hint="While paused, links still open but no new referral is recorded." />
          <div class="grid-2">
            <Field label={`Minimum first order (${s.currency})`} name="minimumOrder" value={major(s.minimumOrderMinor, s.currency)} error={errors?.minimumOrder} required hint="Goods after discounts, without shipping or tax." />
            <Field label={`Friend's welcome code (${s.currency}, 0 = none)`} name="friendReward" value={major(s.friendRewardMinor, s.currency)} error={errors?.friendReward} required />
            <Field label={`Referrer's store credit (${s.currency}, 0 = none)`} name="referrerCredit" value={major(s.referrerCreditMinor, s.currency)} error={errors?.referrerCredit} required />
            <Field label="Referrer's points (0 = none)" name="referrerPoints" type="number" value={String(s.referrerPoints)} error={errors?.referrerPoints} required hint="The loyalty program's referral rule." />
            <Field label="Codes valid for (days)" name="codeValidDays" type="number" value={String(s.codeValidDays)} error={errors?.codeValidDays} required />
            <Field label="Friends can enter a code within (days of joining)" name="claimWindowDays" type="number" value={String(s.claimWindowDays)} error={errors?.claimWindowDays} required />
            <Field label="Flag after this many referrals from one address…" name="maxPerIp" type="number" value={String(s.maxPerIp)} error={errors?.maxPerIp} required />
            <Field label="…within (hours)" name="ipWindowHours" type="number" value={String(s.ipWindowHours)} error={errors?.ipWindowHours} required />
            <Field label="Flag after this many referrals by one member…" name="maxPerReferrer" type="number" value={String(s.maxPerReferrer)} error={errors?.maxPerReferrer} required />
            <Field label="…within (days)" name="referrerWindowDays" type="number" value={String(s.referrerWindowDays)} error={errors?.referrerWindowDays} required />
          </div>
          <p class="muted small">
            Rewards complete when the loyalty program's return window ({s.returnWindowDays} days) closes after the friend's first order without a refund.
          </p>
          <Button>Save settings</Button>
        </Form>
      </Card>
    </>
  );
}
