import type { HearthContext } from '../../../platform/http/env.ts';
import type { FieldErrors } from '../../../platform/http/errors.ts';
import { Badge, Button, Card, CsrfField, DataTable, EmptyState, Field, Form, FormErrors, Notice, PageHeader, Select, TextArea, TimeAgo, type Tone } from '../../../web/components.tsx';
import { iconNames } from '../../../web/icons.tsx';
import { Avatar } from '../../../web/layout.tsx';
import type { AccessRuleKind } from '../access.ts';
import type { AdminSpace, AdminSpaceDetail } from '../space-admin.ts';
import { SPACE_DESCRIPTION_MAX, SPACE_NAME_MAX, SPACE_SLUG_MAX } from '../space-admin-schema.ts';
import { spaceVisibilities, topicKinds, type SpaceVisibility } from '../tables.ts';
import { kindLabels, SpaceMark, visibilityLabels } from './parts.tsx';

const visibilityTones: Record<SpaceVisibility, Tone> = { public: 'success', members: 'info', private: 'warning', exclusive: 'danger' };

const visibilityHints: Record<SpaceVisibility, string> = {
  public: 'Everyone, signed in or not, and search engines.',
  members: 'Anyone signed in.',
  private: 'Members invited by a moderator of the space, or admitted on request.',
  exclusive: 'Members who satisfy one of the access rules below.',
};

export function VisibilityBadge({ visibility }: { visibility: SpaceVisibility }) {
  return <Badge tone={visibilityTones[visibility]}>{visibilityLabels[visibility]}</Badge>;
}

export function AdminSpacesPage({ c, spaces }: { c: HearthContext; spaces: AdminSpace[] }) {
  return (
    <>
      <PageHeader
        title="Spaces"
        subtitle="Where the community gathers, in the order members see them."
        actions={
          <Button href="/admin/spaces/new" icon="plus">
            New space
          </Button>
        }
      />
      {spaces.length === 0 ? (
        <EmptyState icon="message" title="No spaces yet" action={<Button href="/admin/spaces/new">Create the first space</Button>}>
          Spaces hold topics: create one for questions, one for stories, one for announcements.
        </EmptyState>
      ) : (
        <DataTable caption="Spaces" head={['Order', 'Space', 'Visibility', 'Topics', 'Moderators', 'Members', '']} numeric={[3, 4, 5]}>
          {spaces.map((s, i) => (
            <tr>
              <td>
                <span class="cluster">
                  <span class="muted small">{s.position}</span>
                  <form method="post" action={`/admin/spaces/${s.id}/move`} class="cluster">
                    <CsrfField c={c} />
                    <Button variant="ghost" size="sm" name="direction" value="up" icon="arrowUp" label={`Move ${s.name} up`} disabled={i === 0}>
                      <span class="visually-hidden">Up</span>
                    </Button>
                    <Button variant="ghost" size="sm" name="direction" value="down" icon="chevronDown" label={`Move ${s.name} down`} disabled={i === spaces.length - 1}>
                      <span class="visually-hidden">Down</span>
                    </Button>
                  </form>
                </span>
              </td>
              <td>
                <span class="cluster">
                  <SpaceMark space={s} size={28} />
                  <a href={`/admin/spaces/${s.id}`}>{s.name}</a>
                  <span class="muted small">{s.url}</span>
                </span>
              </td>
              <td>
                <VisibilityBadge visibility={s.visibility} />
              </td>
              <td class="text-right">{s.topicCount.toLocaleString('en')}</td>
              <td class="text-right">{s.moderatorCount}</td>
              <td class="text-right">{s.visibility === 'private' ? s.memberCount : '—'}</td>
              <td>
                <Button variant="secondary" size="sm" href={`/admin/spaces/${s.id}`} icon="edit">
                  Edit
                </Button>
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </>
  );
}

/** What the space form shows: the values typed (strings, as posted) and any problems with them. */
export interface SpaceFormState {
  name?: string;
  slug?: string;
  description?: string;
  icon?: string;
  color?: string;
  position?: string;
  visibility?: string;
  defaultKind?: string;
  message?: string;
  fields?: FieldErrors;
}

export function spaceFormState(space: AdminSpace): SpaceFormState {
  return {
    name: space.name,
    slug: space.slug,
    description: space.description,
    icon: space.icon,
    color: space.color,
    position: String(space.position),
    visibility: space.visibility,
    defaultKind: space.defaultKind,
  };
}

function SpaceForm({ c, action, form, submit }: { c: HearthContext; action: string; form: SpaceFormState; submit: string }) {
  const errors = form.fields ?? {};
  return (
    <Form c={c} action={action} class="stack">
      <FormErrors message={form.message} fields={form.fields} />
      <div class="grid-2">
        <Field label="Name" name="name" value={form.name} error={errors.name} required maxlength={SPACE_NAME_MAX} />
        <Field label="Slug" name="slug" value={form.slug} error={errors.slug} required maxlength={SPACE_SLUG_MAX} hint="The address: /s/slug. Lowercase letters, digits and hyphens." />
      </div>
      <TextArea label="Description" name="description" value={form.description} error={errors.description} rows={3} maxlength={SPACE_DESCRIPTION_MAX} />
      <div class="grid-3">
        <Select label="Icon" name="icon" value={form.icon ?? 'message'} error={errors.icon} options={iconNames.map((n) => ({ value: n, label: n }))} />
        <Field label="Colour" name="color" type="color" value={form.color ?? '#64748b'} error={errors.color} hint="The background of the space's icon." />
        <Field label="Position" name="position" type="number" value={form.position} error={errors.position} hint="Lowest first; leave empty to put a new space last." />
      </div>
      <div class="grid-2">
        <Select
          label="Visibility"
          name="visibility"
          value={form.visibility ?? 'public'}
          error={errors.visibility}
          options={spaceVisibilities.map((v) => ({ value: v, label: visibilityLabels[v] }))}
          hint={spaceVisibilities.map((v) => `${visibilityLabels[v]}: ${visibilityHints[v]}`).join(' ')}
        />
        <Select
          label="Default kind of topic"
          name="defaultKind"
          value={form.defaultKind ?? 'discussion'}
          error={errors.defaultKind}
          options={topicKinds.map((k) => ({ value: k, label: kindLabels[k] }))}
          hint="Announcement spaces take new topics from staff only."
        />
      </div>
      <div class="cluster">
        <Button>{submit}</Button>
        <Button variant="ghost" href="/admin/spaces">
          Cancel
        </Button>
      </div>
    </Form>
  );
}

export function NewSpacePage({ c, form }: { c: HearthContext; form: SpaceFormState }) {
  return (
    <>
      <PageHeader title="New space" breadcrumbs={[{ href: '/admin/spaces', label: 'Spaces' }]} />
      <Card>
        <SpaceForm c={c} action="/admin/spaces/new" form={form} submit="Create space" />
      </Card>
    </>
  );
}

export interface PersonFormState {
  username?: string;
  error?: string;
}

export interface RuleFormState {
  kind?: string;
  value?: string;
  fields?: FieldErrors;
}

export function EditSpacePage({
  c,
  space,
  form,
  ruleKinds,
  moderatorForm = {},
  ruleForm = {},
}: {
  c: HearthContext;
  space: AdminSpaceDetail;
  form: SpaceFormState;
  ruleKinds: AccessRuleKind[];
  moderatorForm?: PersonFormState;
  ruleForm?: RuleFormState;
}) {
  const base = `/admin/spaces/${space.id}`;
  return (
    <>
      <PageHeader
        title={space.name}
        subtitle={
          <>
            <VisibilityBadge visibility={space.visibility} /> {space.topicCount.toLocaleString('en')} topics · created <TimeAgo date={space.createdAt} />
          </>
        }
        breadcrumbs={[{ href: '/admin/spaces', label: 'Spaces' }]}
        actions={
          <span class="cluster">
            <Button variant="secondary" href={space.url} icon="external">
              Open space
            </Button>
            {space.visibility === 'private' && (
              <Button variant="secondary" href={`${space.url}/members`} icon="users">
                Members ({space.memberCount})
              </Button>
            )}
          </span>
        }
      />
      <Card title="Details">
        <SpaceForm c={c} action={base} form={form} submit="Save changes" />
      </Card>

      <Card title="Moderators" id="moderators">
        <div class="stack">
          <p class="muted small">Moderators of this space accept answers in it and admit its members, without being moderators of the whole community.</p>
          {space.moderators.length === 0 ? (
            <p class="muted">No space moderators yet; staff moderate every space.</p>
          ) : (
            <ul class="list-plain stack">
              {space.moderators.map((m) => (
                <li class="cluster">
                  <Avatar name={m.displayName} path={m.avatarUrl} size={28} />
                  <span>
                    {m.displayName} <span class="muted small">@{m.username}</span>
                  </span>
                  <Form c={c} action={`${base}/moderators/${m.id}/remove`}>
                    <Button variant="ghost" size="sm" icon="x" label={`Remove ${m.displayName} as moderator`}>
                      Remove
                    </Button>
                  </Form>
                </li>
              ))}
            </ul>
          )}
          <Form c={c} action={`${base}/moderators`} class="cluster">
            <Field label="Add a moderator" name="username" value={moderatorForm.username} error={moderatorForm.error} placeholder="username" />
            <Button variant="secondary" icon="plus">
              Add
            </Button>
          </Form>
        </div>
      </Card>

      <Card title="Access rules" id="rules">
        <div class="stack">
          {space.visibility === 'exclusive' ? (
            <p class="muted small">A member who satisfies any one of these rules may enter {space.name}. With no rules, only staff and its moderators can.</p>
          ) : (
            <Notice tone="info">Rules admit members only while the space is exclusive; {space.name} is {visibilityLabels[space.visibility].toLowerCase()}.</Notice>
          )}
          {space.rules.length === 0 ? (
            <p class="muted">No rules.</p>
          ) : (
            <ul class="list-plain stack">
              {space.rules.map((r) => (
                <li class="cluster">
                  <Badge>{r.label}</Badge>
                  <span>{r.description}</span>
                  <Form c={c} action={`${base}/rules/${r.id}/remove`}>
                    <Button variant="ghost" size="sm" icon="trash" label={`Remove rule: ${r.description}`}>
                      Remove
                    </Button>
                  </Form>
                </li>
              ))}
            </ul>
          )}
          <Form c={c} action={`${base}/rules`} class="stack">
            <FormErrors fields={ruleForm.fields} message={ruleForm.fields ? 'The rule was not added.' : undefined} />
            <div class="grid-2">
              <Select label="Kind of rule" name="kind" value={ruleForm.kind} error={ruleForm.fields?.kind} options={ruleKinds.map((k) => ({ value: k.kind, label: k.label }))} />
              <Field
                label="Value"
                name="value"
                value={ruleForm.value}
                error={ruleForm.fields?.value}
                hint={
                  <>
                    {ruleKinds.map((k) => (
                      <span class="small">
                        <strong>{k.label}:</strong> {k.inputHint}{' '}
                      </span>
                    ))}
                  </>
                }
              />
            </div>
            <div>
              <Button variant="secondary" icon="plus">
                Add rule
              </Button>
            </div>
          </Form>
        </div>
      </Card>
    </>
  );
}
