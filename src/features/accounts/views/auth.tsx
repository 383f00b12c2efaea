import type { Child } from 'hono/jsx';
import type { HearthContext } from '../../../platform/http/env.ts';
import type { FieldErrors } from '../../../platform/http/errors.ts';
import { Button, Card, Field, Form, FormErrors, Notice, PageHeader } from '../../../web/components.tsx';
import { PASSWORD_MIN_LENGTH } from '../passwords.ts';
import { DISPLAY_NAME_MAX_LENGTH, EMAIL_MAX_LENGTH } from '../schema.ts';
import type { LinkProblem } from '../service.ts';

/** What a failed form submission shows: a summary and a message beside each field. */
export interface FormProblem {
  message?: string;
  fields?: FieldErrors;
}

export type FormValues = Record<string, string>;

function AuthColumn({ title, subtitle, children, after }: { title: string; subtitle?: Child; children: Child; after?: Child }) {
  return (
    <div class="narrow stack">
      <PageHeader title={title} subtitle={subtitle} />
      <Card>{children}</Card>
      {after}
    </div>
  );
}

const passwordHint = `At least ${PASSWORD_MIN_LENGTH} characters. A few unrelated words make a strong one.`;

export function SignupPage({ c, values = {}, problem, open }: { c: HearthContext; values?: FormValues; problem?: FormProblem; open: boolean }) {
  const siteName = c.get('app').site.siteName;
  if (!open) {
    return (
      <AuthColumn title="Sign-ups are closed" subtitle={`${siteName} is not accepting new members right now.`}>
        <p>
          Already a member? <a href="/login">Sign in</a>.
        </p>
      </AuthColumn>
    );
  }
  return (
    <AuthColumn title={`Join ${siteName}`} subtitle="Ask questions, share what you make, and earn rewards." after={<p class="small muted text-right">Already a member? <a href="/login">Sign in</a></p>}>
      <Form c={c} action="/signup">
        <FormErrors message={problem?.message} fields={problem?.fields} />
        <Field label="Email" name="email" type="email" value={values.email} error={problem?.fields?.email} required autocomplete="email" maxlength={EMAIL_MAX_LENGTH} autofocus />
        <Field
          label="Display name"
          name="displayName"
          value={values.displayName}
          error={problem?.fields?.displayName}
          hint="Shown beside everything you post. You can change it later."
          required
          autocomplete="name"
          maxlength={DISPLAY_NAME_MAX_LENGTH}
        />
        <Field label="Password" name="password" type="password" error={problem?.fields?.password} hint={passwordHint} required autocomplete="new-password" minlength={PASSWORD_MIN_LENGTH} />
        <Button>Create account</Button>
      </Form>
    </AuthColumn>
  );
}

export function ResendVerificationForm({ c, email }: { c: HearthContext; email?: string }) {
  return (
    <Form c={c} action="/verify-email/resend">
      <Field label="Email" name="email" type="email" value={email} required autocomplete="email" />
      <Button variant="secondary">Send a new link</Button>
    </Form>
  );
}

export function CheckInboxPage({ c }: { c: HearthContext }) {
  return (
    <AuthColumn title="Check your inbox" subtitle="We sent you an email with a link.">
      <div class="stack">
        <p>Open the email and follow the link to continue. It can take a minute to arrive; if you can’t find it, look in your spam folder.</p>
        <details>
          <summary>Didn’t get it?</summary>
          <ResendVerificationForm c={c} />
        </details>
      </div>
    </AuthColumn>
  );
}

export function LoginPage({
  c,
  values = {},
  problem,
  next,
  unverified,
  setupNeeded,
}: {
  c: HearthContext;
  values?: FormValues;
  problem?: FormProblem;
  next?: string;
  /** Set when the password was right but the address is not confirmed yet. */
  unverified?: boolean;
  setupNeeded?: boolean;
}) {
  const siteName = c.get('app').site.siteName;
  const action = next && next !== '/' ? `/login?next=${encodeURIComponent(next)}` : '/login';
  return (
    <AuthColumn
      title="Sign in"
      subtitle={`Welcome back to ${siteName}.`}
      after={
        c.get('app').site.allowSignups ? (
          <p class="small muted text-right">
            New here? <a href="/signup">Create an account</a>
          </p>
        ) : undefined
      }
    >
      <div class="stack">
        {setupNeeded && (
          <Notice tone="info">
            This community has no administrator yet. <a href="/setup">Set it up</a>.
          </Notice>
        )}
        {unverified ? (
          <>
            <Notice tone="warning">{problem?.message}</Notice>
            <ResendVerificationForm c={c} email={values.email} />
          </>
        ) : (
          <Form c={c} action={action}>
            <FormErrors message={problem?.message} fields={problem?.fields} />
            {next && <input type="hidden" name="next" value={next} />}
            <Field label="Email" name="email" type="email" value={values.email} error={problem?.fields?.email} required autocomplete="email" autofocus />
            <Field label="Password" name="password" type="password" error={problem?.fields?.password} required autocomplete="current-password" />
            <div class="cluster">
              <Button>Sign in</Button>
              <a href="/forgot-password">Forgot your password?</a>
            </div>
          </Form>
        )}
      </div>
    </AuthColumn>
  );
}

export function ForgotPasswordPage({ c, values = {}, problem }: { c: HearthContext; values?: FormValues; problem?: FormProblem }) {
  return (
    <AuthColumn title="Reset your password" subtitle="Enter the email you signed up with and we’ll send you a link to choose a new password.">
      <Form c={c} action="/forgot-password">
        <FormErrors message={problem?.message} fields={problem?.fields} />
        <Field label="Email" name="email" type="email" value={values.email} error={problem?.fields?.email} required autocomplete="email" autofocus />
        <div class="cluster">
          <Button>Send reset link</Button>
          <a href="/login">Back to sign in</a>
        </div>
      </Form>
    </AuthColumn>
  );
}

export function ResetPasswordPage({ c, token, problem }: { c: HearthContext; token: string; problem?: FormProblem }) {
  return (
    <AuthColumn title="Choose a new password" subtitle="You will be signed in, and signed out everywhere else.">
      <Form c={c} action="/reset-password">
        <FormErrors message={problem?.message} fields={problem?.fields} />
        <input type="hidden" name="token" value={token} />
        <Field label="New password" name="password" type="password" error={problem?.fields?.password} hint={passwordHint} required autocomplete="new-password" minlength={PASSWORD_MIN_LENGTH} autofocus />
        <Button>Set password and sign in</Button>
      </Form>
    </AuthColumn>
  );
}

const problemText: Record<LinkProblem, string> = {
  invalid: 'This link is not valid. It may have been copied incompletely, or replaced by a newer one.',
  expired: 'This link has expired.',
  used: 'This link has already been used.',
  email_taken: 'Another account started using this email address in the meantime, so it cannot be moved to yours.',
};

/** A link from an email that cannot be used, with the way to get a new one. */
export function LinkProblemPage({ c, problem, kind }: { c: HearthContext; problem: LinkProblem; kind: 'verify' | 'reset' | 'email_change' }) {
  if (kind === 'reset') {
    return (
      <AuthColumn title="This reset link can’t be used" subtitle={problemText[problem]}>
        <div class="stack">
          <p>Reset links work once and for one hour. Ask for a new one:</p>
          <Form c={c} action="/forgot-password">
            <Field label="Email" name="email" type="email" required autocomplete="email" />
            <Button>Send a new link</Button>
          </Form>
        </div>
      </AuthColumn>
    );
  }
  if (kind === 'email_change') {
    return (
      <AuthColumn title="Your email was not changed" subtitle={problemText[problem]}>
        <p>
          Start again from <a href="/settings/account">your account settings</a>.
        </p>
      </AuthColumn>
    );
  }
  return (
    <AuthColumn title="This confirmation link can’t be used" subtitle={problemText[problem]}>
      <div class="stack">
        {problem === 'used' && (
          <p>
            If you already confirmed your email, just <a href="/login">sign in</a>.
          </p>
        )}
        <p>Confirmation links work once and for 24 hours. Enter your email to get a new one:</p>
        <ResendVerificationForm c={c} />
      </div>
    </AuthColumn>
  );
}

export function SetupPage({ c, values = {}, problem }: { c: HearthContext; values?: FormValues; problem?: FormProblem }) {
  return (
    <AuthColumn title="Set up your community" subtitle="Create the first administrator account. You can invite moderators later.">
      <Form c={c} action="/setup">
        <FormErrors message={problem?.message} fields={problem?.fields} />
        <Field label="Your email" name="email" type="email" value={values.email} error={problem?.fields?.email} required autocomplete="email" autofocus />
        <Field label="Your name" name="displayName" value={values.displayName} error={problem?.fields?.displayName} required autocomplete="name" maxlength={DISPLAY_NAME_MAX_LENGTH} />
        <Field label="Password" name="password" type="password" error={problem?.fields?.password} hint={passwordHint} required autocomplete="new-password" minlength={PASSWORD_MIN_LENGTH} />
        <Button>Create administrator</Button>
      </Form>
    </AuthColumn>
  );
}
