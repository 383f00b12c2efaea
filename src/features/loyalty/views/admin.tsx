import type { HearthContext } from '../../../platform/http/env.ts';
import type { FieldErrors } from '../../../platform/http/errors.ts';
import type { Page } from '../../../platform/http/pagination.ts';
import { Badge, Button, Card, Checkbox, DataTable, Field, Form, FormErrors, PageHeader, Select } from '../../../web/components.tsx';
import { purchaseConfig, ruleInfo, socialConfig, type EarningRule } from '../earning.ts';
import type { LedgerLine, PointsSummary, previewProgram } from '../service.ts';
import { formatMoney, type ProgramSettings } from '../settings.ts';
import type { RewardRow } from '../rewards.ts';
import { describeReward, isAccessKind, rewardKindLabels } from '../reward-kinds.ts';
import { rewardKinds } from '../tables.ts';
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

export function LoyaltyAdminPage(props: {
  c: HearthContext;
  settings: ProgramSettings;
  rules: EarningRule[];
  tiers: Tier[];
  rewards: RewardRow[];
  spaces: RewardSpace[];
  preview: ReturnType<typeof previewProgram>;
  errors?: FieldErrors;
  rewardErrors?: RewardFormErrors;
  message?: string;
}) {
  const { c, settings: s, rules, tiers, rewards, spaces, preview, errors, rewardErrors, message } = props;
  const editParam = Number(c.req.query('reward'));
  const editing = rewardErrors ? rewardErrors.rewardId : (rewards.find((r) => r.id === editParam)?.id ?? null);
  return (
    <>
      <PageHeader
        title="Loyalty"
        subtitle="The points program: what points are worth, how members earn them, rewards and tiers."
        actions={
          <a class="btn btn-secondary btn-sm" href="/admin/loyalty/widget">
            Storefront widget
          </a>
        }
      />
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
      <RewardsCard c={c} rewards={rewards} spaces={spaces} currency={s.currency} redeemMinimumPoints={s.redeemMinimumPoints} editing={editing} rewardErrors={rewardErrors} />
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

export interface RewardSpace {
  id: number;
  name: string;
  slug: string;
  visibility: string;
}

/** A failed reward form: which reward (null: a new one), the messages by field, and what was sent. */
export interface RewardFormErrors {
  rewardId: number | null;
  fields: FieldErrors;
  values: Record<string, unknown>;
}

const kindOptions = rewardKinds.map((k) => ({ value: k, label: rewardKindLabels[k] }));

function RewardsCard(props: { c: HearthContext; rewards: RewardRow[]; spaces: RewardSpace[]; currency: string; redeemMinimumPoints: number; editing: number | null; rewardErrors?: RewardFormErrors }) {
  const { c, rewards, spaces, currency, redeemMinimumPoints, editing, rewardErrors } = props;
  const reward = editing === null ? null : (rewards.find((r) => r.id === editing) ?? null);
  return (
    <Card title="Rewards" id="rewards">
      <p class="muted small">
        Discount rewards issue a unique code that a checkout validates and consumes through the API (<code>/api/v1/loyalty/codes/…</code>), which reports the code’s kind and what it gives. Access rewards
        open an exclusive space or an early-access window as soon as they are redeemed.
      </p>
      {rewards.length > 0 && (
        <DataTable head={['Reward', 'Kind', 'Gives', 'Status', '']}>
          {rewards.map((r) => (
            <tr>
              <td>
                <strong>{r.name}</strong>
              </td>
              <td>{rewardKindLabels[r.kind]}</td>
              <td>
                {describeReward(r, currency, { redeemMinimumPoints, spaceName: spaces.find((sp) => sp.id === r.space_id)?.name ?? null })}
                {!isAccessKind(r.kind) && <span class="muted small"> · code valid {r.code_valid_days} days</span>}
              </td>
              <td>{r.enabled ? <Badge tone="success">On</Badge> : <Badge>Off</Badge>}</td>
              <td>
                <a href={`/admin/loyalty?reward=${r.id}#reward-form`} aria-label={`Edit ${r.name}`}>
                  Edit
                </a>
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      <RewardForm c={c} reward={reward} spaces={spaces} errors={rewardErrors?.rewardId === (reward?.id ?? null) ? rewardErrors : undefined} />
    </Card>
  );
}

function RewardForm({ c, reward, spaces, errors }: { c: HearthContext; reward: RewardRow | null; spaces: RewardSpace[]; errors?: RewardFormErrors }) {
  const sent = errors?.values;
  const e = errors?.fields ?? {};
  const val = (name: string, current: number | string | null | undefined): string => {
    const v = sent?.[name];
    if (typeof v === 'string') return v;
    return current === null || current === undefined ? '' : String(current);
  };
  const kind = val('kind', reward?.kind ?? 'fixed');
  const exclusive = spaces.filter((sp) => sp.visibility === 'exclusive');
  const f = 'reward-form';
  return (
    <div id={f} class="stack">
      <h3>{reward ? `Edit “${reward.name}”` : 'Add a reward'}</h3>
      <Form c={c} action={reward ? `/admin/loyalty/rewards/${reward.id}` : '/admin/loyalty/rewards'} class="stack">
        <FormErrors message={errors ? 'The reward was not saved: please correct the highlighted fields.' : undefined} fields={e} />
        <div class="grid-3">
          <RewardField form={f} label="Name" name="name" value={val('name', reward?.name)} error={e.name} required />
          <div class={`field${e.kind ? ' field-invalid' : ''}`}>
            <label for={`${f}-kind`}>Kind</label>
            <select id={`${f}-kind`} name="kind" aria-invalid={e.kind ? 'true' : undefined}>
              {kindOptions.map((o) => (
                <option value={o.value} selected={o.value === kind}>
                  {o.label}
                </option>
              ))}
            </select>
            {e.kind && <p class="field-error">{e.kind}</p>}
          </div>
          <RewardField form={f} label="Points it costs (incremental: per step)" name="points" type="number" value={val('points', reward?.points)} error={e.points} required />
        </div>
        <fieldset class="stack stack-sm">
          <legend>Amount off: fixed and incremental</legend>
          <div class="grid-3">
            <RewardField form={f} label="Amount off (minor units)" name="valueMinor" type="number" value={val('valueMinor', reward && reward.value_minor > 0 ? reward.value_minor : null)} error={e.valueMinor} hint="e.g. 500 = £5; incremental: per step" />
            <RewardField form={f} label="Incremental: from (points)" name="minPoints" type="number" value={val('minPoints', reward?.min_points ?? 0)} error={e.minPoints} />
          </div>
        </fieldset>
        <fieldset class="stack stack-sm">
          <legend>Percentage off, free shipping, free product</legend>
          <div class="grid-3">
            <RewardField form={f} label="Percentage off" name="percentOff" type="number" value={val('percentOff', reward?.percent_off)} error={e.percentOff} hint="1 to 100" />
            <RewardField form={f} label="Minimum order (minor units)" name="minOrderMinor" type="number" value={val('minOrderMinor', reward?.min_order_minor)} error={e.minOrderMinor} hint="Empty: any order" />
            <RewardField form={f} label="Largest discount or shipping covered (minor units)" name="maxDiscountMinor" type="number" value={val('maxDiscountMinor', reward?.max_discount_minor)} error={e.maxDiscountMinor} hint="Empty: no cap" />
            <RewardField form={f} label="Free product: product id" name="productId" type="number" value={val('productId', reward?.product_id)} error={e.productId} hint={reward?.product_title ? `Now: ${reward.product_title}` : 'From Admin → Store'} />
            <RewardField form={f} label="…or a variant’s SKU" name="sku" value={val('sku', reward?.product_id ? null : reward?.product_sku)} error={e.sku} />
          </div>
        </fieldset>
        <fieldset class="stack stack-sm">
          <legend>Access: exclusive space and early access</legend>
          <div class="grid-3">
            <div class={`field${e.spaceId ? ' field-invalid' : ''}`}>
              <label for={`${f}-spaceId`}>Space</label>
              <select id={`${f}-spaceId`} name="spaceId" aria-invalid={e.spaceId ? 'true' : undefined} aria-describedby={`${f}-spaceId-hint`}>
                <option value="">None</option>
                {exclusive.map((sp) => (
                  <option value={String(sp.id)} selected={val('spaceId', reward?.space_id) === String(sp.id)}>
                    {sp.name}
                  </option>
                ))}
              </select>
              {e.spaceId ? (
                <p class="field-error" id={`${f}-spaceId-hint`}>
                  {e.spaceId}
                </p>
              ) : (
                <p class="field-hint" id={`${f}-spaceId-hint`}>
                  {exclusive.length ? 'Exclusive spaces; saving adds the access rule.' : 'No exclusive space yet (Admin → Spaces).'}
                </p>
              )}
            </div>
            <RewardField form={f} label="Access lasts (days)" name="accessDays" type="number" value={val('accessDays', reward?.access_days)} error={e.accessDays} hint="Early access: required; a space: empty is for good" />
          </div>
        </fieldset>
        <div class="cluster">
          <RewardField form={f} label="Code valid (days)" name="codeValidDays" type="number" value={val('codeValidDays', reward?.code_valid_days ?? 90)} error={e.codeValidDays} />
          <InlineCheck form={f} label="Offered to members" name="enabled" checked={sent ? sent.enabled === 'on' : (reward?.enabled ?? true)} />
        </div>
        <div class="cluster">
          <Button>{reward ? 'Save reward' : 'Add reward'}</Button>
          {reward && (
            <a class="btn btn-ghost" href="/admin/loyalty#rewards">
              Cancel
            </a>
          )}
        </div>
      </Form>
    </div>
  );
}

function RewardField({ form, label, name, type = 'text', value, error, hint, required }: { form: string; label: string; name: string; type?: string; value: string; error?: string; hint?: string; required?: boolean }) {
  const id = `${form}-${name}`;
  const note = error ?? hint;
  return (
    <div class={`field${error ? ' field-invalid' : ''}`}>
      <label for={id}>{label}</label>
      <input id={id} name={name} type={type} value={value} required={required} aria-invalid={error ? 'true' : undefined} aria-describedby={note ? `${id}-note` : undefined} />
      {note && (
        <p class={error ? 'field-error' : 'field-hint'} id={`${id}-note`}>
          {note}
        </p>
      )}
    </div>
  );
}
