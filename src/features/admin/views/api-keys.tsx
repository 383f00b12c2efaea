import type { HearthContext } from '../../../platform/http/env.ts';
import type { FieldErrors } from '../../../platform/http/errors.ts';
import { apiScopes } from '../../../platform/http/api.ts';
import { Badge, Button, Card, Checkbox, DataTable, EmptyState, Field, Form, FormErrors, Notice, PageHeader, TimeAgo } from '../../../web/components.tsx';
import { Icon } from '../../../web/icons.tsx';
import type { ApiKeyInfo } from '../../accounts/api-keys.ts';

const scopeHints: Record<string, string> = {
  read: 'read public and member data',
  write: 'create and change content as the key’s owner',
  admin: 'everything under /api/v1/admin',
};

export interface ApiKeyFormState {
  name?: string;
  scopes?: string[];
  message?: string;
  errors?: FieldErrors;
}

export function ApiKeysPage({ c, keys, form = {}, created }: { c: HearthContext; keys: ApiKeyInfo[]; form?: ApiKeyFormState; created?: { key: string; info: ApiKeyInfo } }) {
  const chosen = form.scopes ?? ['read'];
  return (
    <>
      <PageHeader title="API keys" subtitle={<>Keys authenticate <code>Authorization: Bearer &lt;key&gt;</code> on the JSON API.</>} />
      {created && (
        <Notice tone="success">
          <p>
            <strong>{created.info.name}</strong> was created. Copy the key now: it is not shown again.
          </p>
          <p class="cluster">
            <code class="api-key-secret">{created.key}</code>
            <button type="button" class="btn btn-secondary btn-sm" data-copy={created.key}>
              <Icon name="copy" size={16} /> Copy
            </button>
          </p>
        </Notice>
      )}
      {keys.length === 0 ? (
        <EmptyState icon="key" title="No API keys yet">
          Create one below to connect a store or another tool.
        </EmptyState>
      ) : (
        <DataTable caption="API keys" head={['Name', 'Key', 'Scopes', 'Created', 'Last used', 'Status', 'Actions']}>
          {keys.map((k) => (
            <tr>
              <td>{k.name}</td>
              <td>
                <code>hk_{k.prefix}…</code>
              </td>
              <td>
                <span class="cluster">
                  {k.scopes.map((s) => (
                    <Badge tone={s === 'admin' ? 'warning' : 'neutral'}>{s}</Badge>
                  ))}
                </span>
              </td>
              <td>
                <TimeAgo date={k.createdAt} />
              </td>
              <td>{k.lastUsedAt ? <TimeAgo date={k.lastUsedAt} /> : <span class="muted">never</span>}</td>
              <td>{k.revokedAt ? <Badge tone="danger">revoked</Badge> : <Badge tone="success">active</Badge>}</td>
              <td class="text-right">
                {!k.revokedAt && (
                  <Form c={c} action={`/admin/api-keys/${k.id}/revoke`}>
                    <Button variant="danger" size="sm" label={`Revoke ${k.name}`}>
                      Revoke
                    </Button>
                  </Form>
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      <Card title="Create a key" id="create-key">
        <Form c={c} action="/admin/api-keys">
          <FormErrors message={form.message} fields={form.errors} />
          <Field label="Name" name="name" value={form.name} error={form.errors?.name} required maxlength={80} hint="What uses this key, e.g. “Shop webhooks”." />
          <fieldset class={`field${form.errors?.scopes ? ' field-invalid' : ''}`}>
            <legend>Scopes</legend>
            {apiScopes.map((s) => (
              <Checkbox label={s} name="scopes" value={s} checked={chosen.includes(s)} hint={scopeHints[s]} />
            ))}
            {form.errors?.scopes && (
              <p class="field-error" id="scopes-error">
                <Icon name="alert" size={16} />
                {form.errors.scopes}
              </p>
            )}
          </fieldset>
          <Button>
            <Icon name="plus" size={16} /> Create key
          </Button>
        </Form>
      </Card>
    </>
  );
}
