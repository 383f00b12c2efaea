import type { HearthContext } from '../../../platform/http/env.ts';
import type { FieldErrors } from '../../../platform/http/errors.ts';
import type { Page } from '../../../platform/http/pagination.ts';
import { Button, Card, Checkbox, DataTable, Field, Form, FormErrors, PageHeader, Select } from '../../../web/components.tsx';
import { purchaseConfig, ruleInfo, socialConfig, type EarningRule } from '../earning.ts';
import type { LedgerLine, PointsSummary, previewProgram } from '../service.ts';
import { formatMoney, type ProgramSettings } from '../settings.ts';
import type { RewardRow } from '../rewards.ts';
import type { Tier } from '../tiers.ts';
import { HistoryTable, PointsSummaryCards } from './points-page.tsx';

export function ProgramPreview({ preview, currency }: { preview: ReturnType<typeof previewProgram>; currency: string }) {
  return (
    <div id="loyalty-preview" class="stack" aria-live="polite">
      <p>
        A {formatMoney(preview.orderMinor, currency)} order earns <strong>{preview.orderPoints.toLocaleString('en')} points</strong>, worth {formatMoney(preview.orderPointsValueMinor, currency)}.
      </p>
      <p>
        {preview.points.toLocaleString('en')} points are worth <strong>{formatMoney(preview.pointsValueMinor, currency)}</strong>
        {preview.redeemable ? '' : ' (below the redemption minimum)'}.
      </p>
      <p class="muted small">{preview.examples.map((e) => `${e.points} = ${formatMoney(e.valueMinor, currency)}`).join(' · ')}</p>
    </div>
  );
}

export function LoyaltyAdminPage(props: { c: HearthContext; settings: ProgramSettings; rules: EarningRule[]; tiers: Tier[]; rewards: RewardRow[]; preview: ReturnType<typeof previewProgram>; errors?: FieldErrors; message?: string }) {
  const { c, settings: s, rules, tiers, rewards, preview, errors, message } = props;
  return (
    <>
      <PageHeader title="Loyalty" subtitle="The points program: what points are worth, how members earn them, and tiers." />
      <form method="get" action="/admin/loyalty/members" class="cluster">
        <label for="member-lookup">A member's points</label>
        <input id="member-lookup" name="username" placeholder="username" required maxlength={60} />
        <Button size="sm" variant="secondary">
          Open ledger
        </Button>
      </form>
      <div class="grid-2">
        <Card title="Program settings">
          <Form c={c} action="/admin/loyalty/settings" id="loyalty-settings">
            <FormErrors message={message} fields={errors} />
            <Checkbox label="Program running" name="enabled" checked={s.enabled} hint="While paused nothing is earned or redeemed." />
            <Field label="Name of the points" name="programName" value={s.programName} error={errors?.programName} required />
            <Field label="Currency" name="currency" value={s.currency} error={errors?.currency} required hint="Three letters, e.g. GBP." />
            <div
              class="stack"
              hx-get="/admin/loyalty/preview"
              hx-trigger="input changed delay:300ms from:#loyalty-settings"
              hx-include="#loyalty-settings"
              hx-target="#loyalty-preview"
              hx-swap="outerHTML"
            >
              <Field label="Every … points" name="redeemStepPoints" type="number" value={String(s.redeemStepPoints)} error={errors?.redeemStepPoints} required />
              <Field label="… save (minor units, e.g. 100 = £1)" name="redeemStepValueMinor" type="number" value={String(s.redeemStepValueMinor)} error={errors?.redeemStepValueMinor} required />
              <Field label="Redemption from (points)" name="redeemMinimumPoints" type="number" value={String(s.redeemMinimumPoints)} error={errors?.redeemMinimumPoints} required />
              <div class="cluster">
                <Field label="Preview: an order of (major units)" name="orderMajor" type="number" value="40" hint="Not saved; only for the preview." />
                <Field label="Preview: points" name="points" type="number" value={String(s.redeemMinimumPoints)} />
              </div>
            </div>
            <Field label="Return window (days points stay pending)" name="returnWindowDays" type="number" value={String(s.returnWindowDays)} error={errors?.returnWindowDays} required />
            <Field label="Orders earn when paid within (days, 0 = any age)" name="maxOrderAgeDays" type="number" value={String(s.maxOrderAgeDays)} error={errors?.maxOrderAgeDays} required hint="Older orders, e.g. an import of past orders, are recorded for tiers but earn nothing." />
            <Field label="Points expire after (months, 0 = never)" name="expiryMonths" type="number" value={String(s.expiryMonths)} error={errors?.expiryMonths} required />
            <Select label="Tiers measure" name="tierBasis" value={s.tierBasis} options={[{ value: 'points', label: 'Points earned' }, { value: 'spend', label: 'Spend (minor units)' }]} />
            <Select label="Over" name="tierPeriod" value={s.tierPeriod} options={[{ value: 'rolling12', label: 'A rolling 12 months' }, { value: 'calendar', label: 'The calendar year' }]} />
            <Field label="Grace before a downgrade (days)" name="tierGraceDays" type="number" value={String(s.tierGraceDays)} error={errors?.tierGraceDays} required />
            <Button>Save settings</Button>
          </Form>
        </Card>
        <Card title="Preview">
          <ProgramPreview preview={preview} currency={s.currency} />
        </Card>
      </div>
      <Card title="Earning rules">
        <DataTable head={['Rule', 'Points', 'Daily cap', 'Lifetime cap', 'Options', '']}>
          {rules.map((r) => (
            <tr>
              <td>
                <strong>{ruleInfo[r.key].label}</strong>
                <br />
                <span class="muted small">on {ruleInfo[r.key].event}</span>
              </td>
              <td colspan={5}>
                <Form c={c} action={`/admin/loyalty/rules/${r.key}`} class="cluster">
                  <InlineCheck form={`rule-${r.key}`} label="On" name="enabled" checked={r.enabled} />
                  <InlineField form={`rule-${r.key}`} label={r.key === 'purchase' ? 'Points per unit' : 'Points'} name="points" type="number" value={String(r.points)} required />
                  <InlineField form={`rule-${r.key}`} label="Daily cap" name="dailyCap" type="number" value={r.dailyCap === null ? '' : String(r.dailyCap)} />
                  <InlineField form={`rule-${r.key}`} label="Lifetime cap" name="lifetimeCap" type="number" value={r.lifetimeCap === null ? '' : String(r.lifetimeCap)} />
                  {r.key === 'purchase' && <RuleOptionsPurchase config={r.config} />}
                  {r.key === 'social_follow' && <InlineField form="rule-social" label="Networks" name="networks" value={socialNetworks(r.config)} hint="Separated by commas." />}
                  <Button size="sm" variant="secondary">
                    Save
                  </Button>
                </Form>
              </td>
            </tr>
          ))}
        </DataTable>
      </Card>
      <Card title="Rewards">
        <p class="muted small">Redeeming spends points and issues a unique code that a checkout validates and consumes through the API (`/api/v1/loyalty/codes/…`).</p>
        <DataTable head={['Reward', '']}>
          {[...rewards, null].map((r) => (
            <tr>
              <td colspan={2}>
                <Form c={c} action={r ? `/admin/loyalty/rewards/${r.id}` : '/admin/loyalty/rewards'} class="cluster">
                  <InlineField form={`reward-${r?.id ?? 'new'}`} label="Name" name="name" value={r?.name ?? ''} required />
                  <div class="field">
                    <label for={`reward-${r?.id ?? 'new'}-kind`}>Kind</label>
                    <select id={`reward-${r?.id ?? 'new'}-kind`} name="kind">
                      <option value="fixed" selected={(r?.kind ?? 'fixed') === 'fixed'}>
                        Fixed
                      </option>
                      <option value="incremental" selected={r?.kind === 'incremental'}>
                        Incremental
                      </option>
                    </select>
                  </div>
                  <InlineField form={`reward-${r?.id ?? 'new'}`} label="Points (cost or step)" name="points" type="number" value={r ? String(r.points) : ''} required />
                  <InlineField form={`reward-${r?.id ?? 'new'}`} label="Value (minor units)" name="valueMinor" type="number" value={r ? String(r.value_minor) : ''} required />
                  <InlineField form={`reward-${r?.id ?? 'new'}`} label="From (points)" name="minPoints" type="number" value={String(r?.min_points ?? 0)} />
                  <InlineField form={`reward-${r?.id ?? 'new'}`} label="Code valid (days)" name="codeValidDays" type="number" value={String(r?.code_valid_days ?? 90)} />
                  <InlineCheck form={`reward-${r?.id ?? 'new'}`} label="On" name="enabled" checked={r?.enabled ?? true} />
                  <Button size="sm" variant={r ? 'secondary' : 'primary'}>
                    {r ? 'Save' : 'Add reward'}
                  </Button>
                </Form>
              </td>
            </tr>
          ))}
        </DataTable>
      </Card>
      <Card title="Tiers">
        <p class="muted small">
          Thresholds are {s.tierBasis === 'spend' ? 'spend in minor units' : 'points earned'} over {s.tierPeriod === 'calendar' ? 'the calendar year' : 'a rolling 12 months'}. An exclusive space can admit a tier through its access rules (kind "Loyalty tier").
        </p>
        <DataTable head={['Tier', '']}>
          {tiers.map((t) => (
            <tr>
              <td colspan={2}>
                <Form c={c} action={`/admin/loyalty/tiers/${t.id}`} class="cluster">
                  <TierFields form={`tier-${t.id}`} tier={t} />
                  <Button size="sm" variant="secondary">
                    Save
                  </Button>
                  <Button size="sm" variant="danger" name="delete" value="1">
                    Delete
                  </Button>
                </Form>
              </td>
            </tr>
          ))}
          <tr>
            <td colspan={2}>
              <Form c={c} action="/admin/loyalty/tiers" class="cluster">
                <TierFields form="tier-new" tier={null} />
                <Button size="sm">Add tier</Button>
              </Form>
            </td>
          </tr>
        </DataTable>
      </Card>
    </>
  );
}

/** A labelled input for one of many small forms on the page: its id is prefixed so ids stay unique. */
function InlineField({ form, label, name, type = 'text', value, required, hint }: { form: string; label: string; name: string; type?: string; value: string; required?: boolean; hint?: string }) {
  const id = `${form}-${name}`;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input id={id} name={name} type={type} value={value} required={required} aria-describedby={hint ? `${id}-hint` : undefined} />
      {hint && (
        <p class="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
    </div>
  );
}

function InlineCheck({ form, label, name, checked }: { form: string; label: string; name: string; checked: boolean }) {
  const id = `${form}-${name}`;
  return (
    <div class="field field-check">
      <input type="checkbox" id={id} name={name} value="on" checked={checked} />
      <label for={id}>{label}</label>
    </div>
  );
}

function socialNetworks(config: unknown): string {
  const parsed = socialConfig.safeParse(config);
  return parsed.success ? parsed.data.networks.join(', ') : '';
}

function RuleOptionsPurchase({ config }: { config: unknown }) {
  const parsed = purchaseConfig.safeParse(config);
  const c = parsed.success ? parsed.data : { includeShipping: false, includeTax: false };
  return (
    <>
      <InlineCheck form="rule-purchase" label="Shipping earns" name="includeShipping" checked={c.includeShipping} />
      <InlineCheck form="rule-purchase" label="Tax earns" name="includeTax" checked={c.includeTax} />
    </>
  );
}

function TierFields({ form, tier }: { form: string; tier: Tier | null }) {
  return (
    <>
      <InlineField form={form} label="Name" name="name" value={tier?.name ?? ''} required />
      <InlineField form={form} label="Threshold" name="threshold" type="number" value={tier ? String(tier.threshold) : ''} required />
      <InlineField form={form} label="Multiplier %" name="multiplierPct" type="number" value={String(tier?.multiplierPct ?? 100)} required />
      <InlineCheck form={form} label="Early access" name="earlyAccess" checked={tier?.earlyAccess ?? false} />
    </>
  );
}

export function MemberLedgerPage(props: { c: HearthContext; member: { id: number; username: string; displayName: string }; summary: PointsSummary; entries: Page<LedgerLine>; nextHref: string | null; errors?: FieldErrors; message?: string }) {
  const { c, member, summary, entries, nextHref, errors, message } = props;
  return (
    <>
      <PageHeader title={`Points of ${member.displayName}`} subtitle={`@${member.username} · tier ${summary.tier?.name ?? 'none'}`} breadcrumbs={[{ href: '/admin/loyalty', label: 'Loyalty' }]} />
      <PointsSummaryCards summary={summary} />
      <Card title="Manual adjustment">
        <Form c={c} action={`/admin/loyalty/members/${member.id}/adjust`} class="cluster">
          <FormErrors message={message} fields={errors} />
          <Field label="Points (negative to take back)" name="points" type="number" value="" error={errors?.points} required />
          <Field label="Reason" name="reason" value="" error={errors?.reason} required maxlength={500} hint="Kept in the ledger and the audit log." />
          <Button>Adjust</Button>
        </Form>
      </Card>
      <Card title="Ledger">
        <p>
          <a href={`/admin/loyalty/members/${member.id}/ledger.csv`}>Download the whole ledger (CSV)</a>
        </p>
        <HistoryTable entries={entries} nextHref={nextHref} />
      </Card>
    </>
  );
}
