import type { Child } from 'hono/jsx';
import type { HearthContext } from '../../../platform/http/env.ts';
import { Badge, Button, Card, Checkbox, DataTable, Field, Form, FormErrors, Notice, PageHeader, Select, Tabs, TextArea, TimeAgo } from '../../../web/components.tsx';
import { Avatar } from '../../../web/layout.tsx';
import { PASSWORD_MIN_LENGTH } from '../passwords.ts';
import { BIO_MAX_LENGTH, DISPLAY_NAME_MAX_LENGTH, EMAIL_MAX_LENGTH } from '../schema.ts';
import type { AccountSettings, SessionInfo } from '../service.ts';
import type { FormProblem, FormValues } from './auth.tsx';

export type SettingsTab = 'profile' | 'account' | 'notifications' | 'sessions';

const tabs: Array<{ id: SettingsTab; href: string; label: string }> = [
  { id: 'profile', href: '/settings', label: 'Profile' },
  { id: 'account', href: '/settings/account', label: 'Account' },
  { id: 'notifications', href: '/settings/notifications', label: 'Notifications' },
  { id: 'sessions', href: '/settings/sessions', label: 'Sessions' },
];

export function SettingsPage({ active, children }: { active: SettingsTab; children: Child }) {
  return (
    <div class="stack">
      <PageHeader title="Settings" subtitle="Your profile, sign-in and email preferences." />
      <Tabs label="Settings sections" items={tabs.map((t) => ({ href: t.href, label: t.label, active: t.id === active }))} />
      {children}
    </div>
  );
}

/** Which form on a settings tab failed, so only that form shows the errors. */
export interface TabProblem {
  form: string;
  problem: FormProblem;
  values?: FormValues;
}

function problemFor(state: TabProblem | undefined, form: string): { problem?: FormProblem; values: FormValues } {
  if (!state || state.form !== form) return { values: {} };
  return { problem: state.problem, values: state.values ?? {} };
}

export function ProfileTab({ c, account, state }: { c: HearthContext; account: AccountSettings; state?: TabProblem }) {
  const profile = problemFor(state, 'profile');
  const avatar = problemFor(state, 'avatar');
  return (
    <div class="grid-2">
      <Card title="Public profile" id="profile">
        <Form c={c} action="/settings/profile">
          <FormErrors message={profile.problem?.message} fields={profile.problem?.fields} />
          <Field
            label="Display name"
            name="displayName"
            value={profile.values.displayName ?? account.displayName}
            error={profile.problem?.fields?.displayName}
            required
            maxlength={DISPLAY_NAME_MAX_LENGTH}
            autocomplete="name"
          />
          <TextArea
            label="About you"
            name="bio"
            value={profile.values.bio ?? account.bio}
            error={profile.problem?.fields?.bio}
            hint={`Plain text, up to ${BIO_MAX_LENGTH} characters. Shown on your profile.`}
            maxlength={BIO_MAX_LENGTH}
            rows={5}
          />
          <div class="cluster">
            <Button>Save profile</Button>
            <a href={`/u/${encodeURIComponent(account.username)}`}>View your profile</a>
          </div>
        </Form>
      </Card>
      <Card title="Avatar" id="avatar">
        <div class="stack">
          <div class="cluster">
            <Avatar name={account.displayName} path={account.avatarPath} size={96} />
            <p class="muted small">{account.avatarPath ? 'Your current avatar.' : 'Without an image, your initials are shown.'}</p>
          </div>
          <Form c={c} action="/settings/avatar" multipart>
            <FormErrors message={avatar.problem?.message} fields={avatar.problem?.fields} />
            <Field label="Upload an image" name="avatar" type="file" accept="image/png,image/jpeg,image/webp,image/gif" error={avatar.problem?.fields?.avatar} hint="PNG, JPEG, WebP or GIF, up to 2 MB. A square image looks best." />
            <Button variant="secondary">Upload avatar</Button>
          </Form>
          {account.avatarPath && (
            <Form c={c} action="/settings/avatar/remove">
              <Button variant="ghost">Remove avatar</Button>
            </Form>
          )}
        </div>
      </Card>
    </div>
  );
}

export function AccountTab({ c, account, state }: { c: HearthContext; account: AccountSettings; state?: TabProblem }) {
  const email = problemFor(state, 'email');
  const password = problemFor(state, 'password');
  return (
    <div class="grid-2">
      <Card title="Email address" id="email">
        <div class="stack">
          <p>
            Your email is <strong>{account.email}</strong>.
          </p>
          {account.pendingEmail && (
            <Notice tone="info">
              <p>
                We sent a confirmation link to <strong>{account.pendingEmail.email}</strong> <TimeAgo date={account.pendingEmail.sentAt} />. Your email changes once you follow it.
              </p>
              <Form c={c} action="/settings/email/cancel">
                <Button variant="ghost" size="sm">
                  Cancel the change
                </Button>
              </Form>
            </Notice>
          )}
          <Form c={c} action="/settings/email">
            <FormErrors message={email.problem?.message} fields={email.problem?.fields} />
            <Field label="New email" name="email" type="email" value={email.values.email} error={email.problem?.fields?.email} required autocomplete="email" maxlength={EMAIL_MAX_LENGTH} hint="We’ll send a link to the new address; nothing changes until you follow it." />
            <Field label="Current password" name="currentPassword" type="password" error={email.problem?.fields?.currentPassword} required autocomplete="current-password" />
            <Button variant="secondary">Change email</Button>
          </Form>
        </div>
      </Card>
      <Card title="Password" id="password">
        <Form c={c} action="/settings/password">
          <FormErrors message={password.problem?.message} fields={password.problem?.fields} />
          <Field label="Current password" name="currentPassword" type="password" error={password.problem?.fields?.currentPassword} required autocomplete="current-password" />
          <Field
            label="New password"
            name="newPassword"
            type="password"
            error={password.problem?.fields?.newPassword}
            hint={`At least ${PASSWORD_MIN_LENGTH} characters. Other devices will be signed out.`}
            required
            autocomplete="new-password"
            minlength={PASSWORD_MIN_LENGTH}
          />
          <Button variant="secondary">Change password</Button>
        </Form>
      </Card>
    </div>
  );
}

export function NotificationsTab({ c, account, state }: { c: HearthContext; account: AccountSettings; state?: TabProblem }) {
  const prefs = account.notificationPrefs;
  const form = problemFor(state, 'notifications');
  return (
    <Card title="Email notifications" id="notifications">
      <Form c={c} action="/settings/notifications">
        <FormErrors message={form.problem?.message} fields={form.problem?.fields} />
        <Checkbox label="Email me when someone mentions me" name="emailOnMention" checked={prefs.emailOnMention} />
        <Checkbox label="Email me when someone replies to me" name="emailOnReply" checked={prefs.emailOnReply} />
        <Select
          label="Activity digest"
          name="digest"
          value={prefs.digest}
          error={form.problem?.fields?.digest}
          hint="A summary of popular topics while you are away."
          options={[
            { value: 'none', label: 'Never' },
            { value: 'daily', label: 'Daily' },
            { value: 'weekly', label: 'Weekly' },
          ]}
        />
        <Button>Save preferences</Button>
      </Form>
    </Card>
  );
}

export function SessionsTab({ c, sessions }: { c: HearthContext; sessions: SessionInfo[] }) {
  const others = sessions.filter((s) => !s.current).length;
  return (
    <Card
      title="Where you’re signed in"
      id="sessions"
      footer={
        others > 0 ? (
          <Form c={c} action="/settings/sessions/revoke-others">
            <Button variant="danger">Sign out everywhere else</Button>
          </Form>
        ) : (
          <p class="muted small">This is the only device signed in to your account.</p>
        )
      }
    >
      <DataTable head={['Device', 'IP address', 'Last active', 'Signed in', '']}>
        {sessions.map((s) => (
          <tr>
            <td>
              <span title={s.userAgent ?? undefined}>{s.device}</span> {s.current && <Badge tone="success">This device</Badge>}
            </td>
            <td>{s.ip ?? 'unknown'}</td>
            <td>
              <TimeAgo date={s.lastSeenAt} />
            </td>
            <td>
              <TimeAgo date={s.createdAt} />
            </td>
            <td class="text-right">
              <Form c={c} action={`/settings/sessions/${s.id}/revoke`}>
                <Button variant="ghost" size="sm" label={s.current ? 'Sign out of this device' : `Sign out ${s.device}`}>
                  {s.current ? 'Sign out' : 'Revoke'}
                </Button>
              </Form>
            </td>
          </tr>
        ))}
      </DataTable>
    </Card>
  );
}
