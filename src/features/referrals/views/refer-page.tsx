import type { HearthContext } from '../../../platform/http/env.ts';
import type { Page } from '../../../platform/http/pagination.ts';
import { Badge, Button, Card, DataTable, EmptyState, Field, Form, Notice, PageHeader, Pagination, Stat, type Tone } from '../../../web/components.tsx';
import { Icon } from '../../../web/icons.tsx';
import { formatMoney } from '../../loyalty/settings.ts';
import { ShareLinks } from '../../seo/views/share-links.tsx';
import type { Landing, ReferralProgram, ReferralView } from '../service.ts';
import type { ReferralStatus } from '../tables.ts';

const dateFormat = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'UTC' });

export const statusTone: Record<ReferralStatus, Tone> = {
  pending: 'neutral',
  qualified: 'info',
  review: 'warning',
  completed: 'success',
  rejected: 'danger',
  cancelled: 'neutral',
};

/** What the referrer gets, in words: "£10 store credit and 200 points". */
export function referrerRewardText(p: Pick<ReferralProgram, 'referrerCreditMinor' | 'referrerPoints' | 'currency'>): string {
  const parts = [p.referrerCreditMinor > 0 ? `${formatMoney(p.referrerCreditMinor, p.currency)} store credit` : null, p.referrerPoints > 0 ? `${p.referrerPoints.toLocaleString('en')} points` : null].filter(Boolean);
  return parts.length > 0 ? parts.join(' and ') : 'our thanks';
}

function ReferralsTable({ referrals, nextHref }: { referrals: Page<ReferralView>; nextHref: string | null }) {
  if (referrals.items.length === 0) {
    return (
      <EmptyState icon="users" title="No referrals yet">
        Friends who join through your link or code appear here, with where their reward stands.
      </EmptyState>
    );
  }
  return (
    <>
      <DataTable head={['Friend', 'Joined', 'Status', 'Reward']}>
        {referrals.items.map((r) => (
          <tr>
            <td>{r.friend ? r.friend.displayName : 'A former member'}</td>
            <td>{dateFormat.format(r.createdAt)}</td>
            <td>
              <Badge tone={statusTone[r.status]}>{r.statusLabel}</Badge>
            </td>
            <td class="small muted">
              {r.status === 'qualified' && r.completeAfter ? `after ${dateFormat.format(r.completeAfter)}` : r.status === 'completed' && r.completedAt ? `earned ${dateFormat.format(r.completedAt)}` : (r.closedReason ?? '')}
            </td>
          </tr>
        ))}
      </DataTable>
      <Pagination nextHref={nextHref} />
    </>
  );
}

export function ReferPage(props: { c: HearthContext; program: ReferralProgram; referrals: Page<ReferralView>; nextHref: string | null }) {
  const { c, program: p, referrals, nextHref } = props;
  const friendGets = p.friendRewardMinor > 0 ? `${formatMoney(p.friendRewardMinor, p.currency)} off their first order` : 'a warm welcome';
  const minimum = p.minimumOrderMinor > 0 ? ` of at least ${formatMoney(p.minimumOrderMinor, p.currency)}` : '';
  return (
    <div class="stack">
      <PageHeader title="Refer a friend" subtitle={`Give ${friendGets}; get ${referrerRewardText(p)} when they order.`} />
      {!p.enabled && <Notice tone="warning">The referral program is paused: links still work, but new referrals are not recorded for now.</Notice>}
      <div class="grid-2">
        <Card title="Your link">
          <div class="stack">
            <p class="referral-link">
              <a href={p.link}>{p.link}</a>
            </p>
            <p class="small">
              Or give your code: <code class="referral-code">{p.code}</code>
            </p>
            <ShareLinks url={p.link} title={p.shareText} heading={null} label="Share your link" copyLabel="Copy your link" />
          </div>
        </Card>
        <Card title="How it works">
          <ol class="stack small">
            <li>Your friend joins through your link (or enters your code within a month of joining) and gets {friendGets}.</li>
            <li>They place their first order{minimum}.</li>
            <li>
              Once the {p.returnWindowDays}-day return window closes without a refund, you get {referrerRewardText(p)}.
            </li>
          </ol>
          <p class="muted small">Referring yourself, or friends who already shop with us, does not count; we check.</p>
        </Card>
      </div>
      <div class="stats">
        <Stat label="Friends joined" value={String(Object.values(p.counts).reduce((a, b) => a + b, 0))} />
        <Stat label="Waiting for the return window" value={String(p.counts.qualified + p.counts.review)} />
        <Stat label="Rewards earned" value={String(p.counts.completed)} />
      </div>
      {p.referredBy && (
        <Card title="Your welcome reward">
          <p>
            {p.referredBy.referrer ? p.referredBy.referrer.displayName : 'A friend'} referred you.{' '}
            {p.referredBy.welcomeCode ? (
              <>
                Your code <code class="referral-code">{p.referredBy.welcomeCode.code}</code> is worth {formatMoney(p.referredBy.welcomeCode.valueMinor, p.referredBy.welcomeCode.currency)} off your first order
                {p.referredBy.welcomeCode.status === 'issued' ? `, until ${dateFormat.format(p.referredBy.welcomeCode.expiresAt)}.` : ` (${p.referredBy.welcomeCode.status}).`}
              </>
            ) : p.referredBy.status === 'review' ? (
              'We are checking the referral; your welcome code follows once it is approved.'
            ) : p.referredBy.status === 'rejected' ? (
              'This referral is not eligible for a welcome reward.'
            ) : (
              'Your welcome code arrives once your email address is confirmed.'
            )}
          </p>
        </Card>
      )}
      {p.canClaim && (
        <Card title="Did a friend refer you?">
          <Form c={c} action="/refer/claim" class="cluster">
            <Field label="Their referral code" name="code" placeholder="e.g. K7QM2XPA" maxlength={16} required autocomplete="off" />
            <Button variant="secondary" size="sm">
              Use code
            </Button>
          </Form>
        </Card>
      )}
      <Card title="Your referrals">
        <ReferralsTable referrals={referrals} nextHref={nextHref} />
      </Card>
    </div>
  );
}

/** The page a shared link opens: who invited the visitor, what they get, and the way in. */
export function LandingPage({ landing, siteName }: { landing: Landing; siteName: string }) {
  const reward = landing.friendRewardMinor > 0 ? formatMoney(landing.friendRewardMinor, landing.currency) : null;
  return (
    <div class="stack referral-landing">
      <PageHeader title={`${landing.referrer.displayName} invited you to ${siteName}`} subtitle={reward ? `Join today and get ${reward} off your first order.` : 'Join the community of people who love what we make.'} />
      <Card>
        <div class="stack">
          <p>
            <Icon name="gift" size={18} /> {reward ? `Create your account and your ${reward} welcome code is waiting for you` : 'Create your account to get started'}
            {reward && landing.minimumOrderMinor > 0 ? `. ${landing.referrer.displayName} is thanked when your first order reaches ${formatMoney(landing.minimumOrderMinor, landing.currency)}.` : '.'}
          </p>
          {!landing.enabled && <Notice tone="warning">The referral program is paused right now; you can still join.</Notice>}
          <div class="cluster">
            <Button href="/signup" icon="user">
              Create an account
            </Button>
            <Button href="/login?next=%2Frefer" variant="ghost">
              I already have an account
            </Button>
          </div>
          <p class="muted small">This browser remembers the invitation for {30} days. Joining from another device? Enter the code {landing.code} on your Refer a friend page.</p>
        </div>
      </Card>
    </div>
  );
}
