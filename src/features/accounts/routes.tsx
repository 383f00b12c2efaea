import type { Hono } from 'hono';
import { z, type ZodType } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import { readFormBody } from '../../platform/http/body.ts';
import type { CurrentUser, HearthContext, HearthEnv } from '../../platform/http/env.ts';
import { AppError, fromZodError, notFound, unauthorized } from '../../platform/http/errors.ts';
import { redirectWithFlash } from '../../platform/http/flash.ts';
import type { ApiRegistry } from '../../platform/http/api.ts';
import { renderPage } from '../../web/layout.tsx';
import type { MountArgs } from '../index.ts';
import { clearSessionCookie, requestMeta, safeNextPath, setSessionCookie } from './request.ts';
import {
  changeEmailForm,
  changePasswordForm,
  emailOnlyForm,
  loginForm,
  meSchema,
  notificationsForm,
  profileForm,
  publicProfileSchema,
  resetPasswordForm,
  signupForm,
  updateMeBody,
  usernameParams,
} from './schema.ts';
import {
  cancelEmailChange,
  changePassword,
  checkResetLink,
  completeSetup,
  confirmEmailLink,
  getAccountSettings,
  getMe,
  getPublicProfile,
  isSetupNeeded,
  LinkProblemError,
  listSessions,
  logIn,
  logOut,
  removeAvatar,
  requestEmailChange,
  requestPasswordReset,
  resendVerification,
  resetPassword,
  revokeSession,
  saveNotificationPrefs,
  setAvatar,
  signOutOtherSessions,
  signUp,
  updateProfile,
} from './service.ts';
import { CheckInboxPage, ForgotPasswordPage, LinkProblemPage, LoginPage, ResetPasswordPage, SetupPage, SignupPage, type FormProblem, type FormValues } from './views/auth.tsx';
import { ProfilePage } from './views/profile.tsx';
import { AccountTab, NotificationsTab, ProfileTab, SessionsTab, SettingsPage, type SettingsTab, type TabProblem } from './views/settings.tsx';

type PageStatus = 200 | 400 | 401 | 403 | 404 | 409 | 413 | 422 | 429;

function pageStatus(status: number): PageStatus {
  switch (status) {
    case 401:
    case 403:
    case 404:
    case 409:
    case 413:
    case 422:
    case 429:
      return status;
    default:
      return 400;
  }
}

/** Fields a failed form shows again; secrets and the CSRF token are never echoed back. */
function visibleValues(body: Record<string, unknown>): FormValues {
  const values: FormValues = {};
  for (const [key, value] of Object.entries(body)) {
    if (typeof value !== 'string' || key === '_csrf' || /password/i.test(key)) continue;
    values[key] = value;
  }
  return values;
}

function toProblem(error: AppError): FormProblem {
  return { message: error.code === 'validation_failed' && error.fields ? 'Please correct the highlighted fields.' : error.message, fields: error.fields };
}

type Submitted<T> = { ok: true; value: T; values: FormValues } | { ok: false; error: AppError; values: FormValues };

/** Parses the form and runs the action; a problem the member can fix comes back for the form to show. */
async function submitForm<S extends ZodType, T>(c: HearthContext, schema: S, action: (input: z.output<S>) => Promise<T>): Promise<Submitted<T>> {
  const body = await readFormBody(c);
  const values = visibleValues(body);
  const parsed = schema.safeParse(body);
  if (!parsed.success) return { ok: false, error: fromZodError(parsed.error), values };
  try {
    return { ok: true, value: await action(parsed.data), values };
  } catch (err) {
    if (err instanceof AppError && err.status < 500 && err.status !== 401) return { ok: false, error: err, values };
    throw err;
  }
}

const authMeta = (title: string) => ({ title, noindex: true });

function mountAuthRoutes(app: Hono<HearthEnv>, ctx: AppContext): void {
  app.get('/signup', (c) => {
    if (c.get('user')) return c.redirect('/', 303);
    return renderPage(c, authMeta('Create an account'), <SignupPage c={c} open={ctx.site.allowSignups} />, ctx.site.allowSignups ? 200 : 403);
  });

  app.post('/signup', async (c) => {
    if (!ctx.site.allowSignups) return renderPage(c, authMeta('Create an account'), <SignupPage c={c} open={false} />, 403);
    const result = await submitForm(c, signupForm, (input) => signUp(ctx, input, requestMeta(c)));
    if (!result.ok) {
      return renderPage(c, authMeta('Create an account'), <SignupPage c={c} open values={result.values} problem={toProblem(result.error)} />, pageStatus(result.error.status));
    }
    return redirectWithFlash(c, '/check-inbox', 'success', 'Your account has been created. Confirm your email address to sign in.');
  });

  app.get('/check-inbox', (c) => renderPage(c, authMeta('Check your inbox'), <CheckInboxPage c={c} />));

  app.get('/verify-email', async (c) => {
    const token = c.req.query('token') ?? '';
    const result = token ? await confirmEmailLink(ctx, token) : ({ ok: false, problem: 'invalid', purpose: null } as const);
    if (!result.ok) {
      return renderPage(c, authMeta('Link problem'), <LinkProblemPage c={c} problem={result.problem} kind={result.purpose ?? 'verify'} />, 400);
    }
    if (result.purpose === 'verify') return redirectWithFlash(c, '/login', 'success', 'Your email is confirmed. Sign in to continue.');
    const signedInHere = c.get('user')?.id === result.userId;
    return redirectWithFlash(c, signedInHere ? '/settings/account' : '/login', 'success', `Your email address is now ${result.email}.`);
  });

  app.post('/verify-email/resend', async (c) => {
    const body = await readFormBody(c);
    const parsed = emailOnlyForm.safeParse(body);
    // The answer is the same whether or not the address has an account, or is even well formed.
    if (parsed.success) await resendVerification(ctx, parsed.data.email, requestMeta(c));
    return redirectWithFlash(c, '/check-inbox', 'info', 'If an unconfirmed account uses that address, we have sent it a new confirmation link.');
  });

  app.get('/login', async (c) => {
    const next = safeNextPath(c.req.query('next'));
    if (c.get('user')) return c.redirect(next, 303);
    return renderPage(c, authMeta('Sign in'), <LoginPage c={c} next={next} setupNeeded={await isSetupNeeded(ctx)} />);
  });

  app.post('/login', async (c) => {
    const previousSession = c.get('sessionId');
    const result = await submitForm(c, loginForm, (input) => logIn(ctx, input, requestMeta(c)));
    const next = safeNextPath(c.req.query('next') ?? result.values.next);
    if (!result.ok) {
      const unverified = result.error.code === 'email_unverified';
      return renderPage(c, authMeta('Sign in'), <LoginPage c={c} next={next} values={result.values} problem={toProblem(result.error)} unverified={unverified} />, pageStatus(result.error.status));
    }
    // A new sign-in replaces whatever session this browser had.
    await logOut(ctx, previousSession);
    setSessionCookie(c, result.value.sessionToken);
    return c.redirect(next, 303);
  });

  app.post('/logout', async (c) => {
    await logOut(ctx, c.get('sessionId'));
    clearSessionCookie(c);
    return redirectWithFlash(c, '/', 'info', 'You have signed out.');
  });

  app.get('/forgot-password', (c) => renderPage(c, authMeta('Reset your password'), <ForgotPasswordPage c={c} />));

  app.post('/forgot-password', async (c) => {
    const result = await submitForm(c, emailOnlyForm, (input) => requestPasswordReset(ctx, input.email, requestMeta(c)));
    if (!result.ok) {
      return renderPage(c, authMeta('Reset your password'), <ForgotPasswordPage c={c} values={result.values} problem={toProblem(result.error)} />, pageStatus(result.error.status));
    }
    return redirectWithFlash(c, '/check-inbox', 'info', 'If an account uses that address, we have sent it a link to choose a new password.');
  });

  app.get('/reset-password', async (c) => {
    const token = c.req.query('token') ?? '';
    const problem = await checkResetLink(ctx, token);
    if (problem) return renderPage(c, authMeta('Reset link problem'), <LinkProblemPage c={c} problem={problem} kind="reset" />, 400);
    return renderPage(c, authMeta('Choose a new password'), <ResetPasswordPage c={c} token={token} />);
  });

  app.post('/reset-password', async (c) => {
    const result = await submitForm(c, resetPasswordForm, (input) => resetPassword(ctx, input, requestMeta(c)));
    if (!result.ok) {
      if (result.error instanceof LinkProblemError) {
        return renderPage(c, authMeta('Reset link problem'), <LinkProblemPage c={c} problem={result.error.problem} kind="reset" />, 400);
      }
      return renderPage(c, authMeta('Choose a new password'), <ResetPasswordPage c={c} token={result.values.token ?? ''} problem={toProblem(result.error)} />, pageStatus(result.error.status));
    }
    setSessionCookie(c, result.value.sessionToken);
    return redirectWithFlash(c, '/', 'success', 'Your password has been changed and you are signed in. Any other devices were signed out.');
  });

  app.get('/setup', async (c) => {
    if (!(await isSetupNeeded(ctx))) throw notFound();
    return renderPage(c, authMeta('Set up your community'), <SetupPage c={c} />);
  });

  app.post('/setup', async (c) => {
    if (!(await isSetupNeeded(ctx))) throw notFound();
    const result = await submitForm(c, signupForm, (input) => completeSetup(ctx, input, requestMeta(c)));
    if (!result.ok) {
      if (result.error.status === 404) throw result.error;
      return renderPage(c, authMeta('Set up your community'), <SetupPage c={c} values={result.values} problem={toProblem(result.error)} />, pageStatus(result.error.status));
    }
    setSessionCookie(c, result.value.sessionToken);
    return redirectWithFlash(c, '/', 'success', `Welcome! You are the administrator of ${ctx.site.siteName}.`);
  });
}

function signedInUser(c: HearthContext): CurrentUser {
  const user = c.get('user');
  if (!user) throw unauthorized();
  return user;
}

function mountSettingsRoutes(app: Hono<HearthEnv>, ctx: AppContext): void {
  app.use('/settings', requireSignIn);
  app.use('/settings/*', requireSignIn);

  async function renderSettings(c: HearthContext, tab: SettingsTab, state?: TabProblem, status: PageStatus = 200) {
    const user = signedInUser(c);
    const meta = { title: 'Settings', noindex: true };
    if (tab === 'sessions') {
      const sessions = await listSessions(ctx, user, c.get('sessionId'));
      return renderPage(c, meta, <SettingsPage active="sessions"><SessionsTab c={c} sessions={sessions} /></SettingsPage>, status);
    }
    const account = await getAccountSettings(ctx, user);
    const body =
      tab === 'profile' ? <ProfileTab c={c} account={account} state={state} /> : tab === 'account' ? <AccountTab c={c} account={account} state={state} /> : <NotificationsTab c={c} account={account} state={state} />;
    return renderPage(c, meta, <SettingsPage active={tab}>{body}</SettingsPage>, status);
  }

  /** Runs a settings form; on a problem the same tab comes back with the errors beside that form. */
  async function settingsForm<S extends ZodType, T>(
    c: HearthContext,
    tab: SettingsTab,
    form: string,
    schema: S,
    action: (user: CurrentUser, input: z.output<S>) => Promise<T>,
    success: (value: T) => { to: string; message: string },
  ) {
    const user = signedInUser(c);
    const result = await submitForm(c, schema, (input) => action(user, input));
    if (!result.ok) return renderSettings(c, tab, { form, problem: toProblem(result.error), values: result.values }, pageStatus(result.error.status));
    const { to, message } = success(result.value);
    return redirectWithFlash(c, to, 'success', message);
  }

  app.get('/settings', (c) => renderSettings(c, 'profile'));
  app.get('/settings/profile', (c) => c.redirect('/settings', 301));
  app.get('/settings/account', (c) => renderSettings(c, 'account'));
  app.get('/settings/notifications', (c) => renderSettings(c, 'notifications'));
  app.get('/settings/sessions', (c) => renderSettings(c, 'sessions'));

  app.post('/settings/profile', (c) =>
    settingsForm(c, 'profile', 'profile', profileForm, (user, input) => updateProfile(ctx, user, input), () => ({ to: '/settings', message: 'Your profile has been saved.' })),
  );

  const avatarForm = z.object({
    avatar: z.instanceof(File, { error: 'Choose an image to upload.' }),
  });
  app.post('/settings/avatar', (c) =>
    settingsForm(
      c,
      'profile',
      'avatar',
      avatarForm,
      async (user, input) => setAvatar(ctx, user, { bytes: new Uint8Array(await input.avatar.arrayBuffer()) }),
      () => ({ to: '/settings', message: 'Your avatar has been updated.' }),
    ),
  );

  app.post('/settings/avatar/remove', async (c) => {
    await removeAvatar(ctx, signedInUser(c));
    return redirectWithFlash(c, '/settings', 'success', 'Your avatar has been removed.');
  });

  app.post('/settings/email', (c) =>
    settingsForm(
      c,
      'account',
      'email',
      changeEmailForm,
      async (user, input) => {
        await requestEmailChange(ctx, user, input);
        return input.email;
      },
      (email) => ({ to: '/settings/account', message: `We sent a confirmation link to ${email}. Your email changes once you follow it.` }),
    ),
  );

  app.post('/settings/email/cancel', async (c) => {
    await cancelEmailChange(ctx, signedInUser(c));
    return redirectWithFlash(c, '/settings/account', 'info', 'The email change was cancelled.');
  });

  app.post('/settings/password', (c) =>
    settingsForm(
      c,
      'account',
      'password',
      changePasswordForm,
      (user, input) => changePassword(ctx, user, c.get('sessionId'), input),
      ({ endedSessions }) => ({
        to: '/settings/account',
        message: `Your password has been changed.${endedSessions > 0 ? ` ${endedSessions} other session${endedSessions === 1 ? ' was' : 's were'} signed out.` : ''}`,
      }),
    ),
  );

  app.post('/settings/notifications', (c) =>
    settingsForm(c, 'notifications', 'notifications', notificationsForm, (user, input) => saveNotificationPrefs(ctx, user, input), () => ({
      to: '/settings/notifications',
      message: 'Your notification preferences have been saved.',
    })),
  );

  app.post('/settings/sessions/revoke-others', async (c) => {
    const ended = await signOutOtherSessions(ctx, signedInUser(c), c.get('sessionId'));
    return redirectWithFlash(c, '/settings/sessions', 'success', ended === 0 ? 'No other sessions were signed in.' : `Signed out of ${ended} other session${ended === 1 ? '' : 's'}.`);
  });

  app.post('/settings/sessions/:id/revoke', async (c) => {
    const id = Number(c.req.param('id'));
    if (!Number.isSafeInteger(id) || id <= 0) throw notFound('That session has already ended.');
    await revokeSession(ctx, signedInUser(c), id);
    if (id === c.get('sessionId')) {
      clearSessionCookie(c);
      return redirectWithFlash(c, '/', 'info', 'You have signed out.');
    }
    return redirectWithFlash(c, '/settings/sessions', 'success', 'That session has been signed out.');
  });
}

/** Settings need a member: pages send visitors to sign in and come back; form posts get a 401. */
async function requireSignIn(c: HearthContext, next: () => Promise<void>) {
  if (c.get('user')) return next();
  if (c.req.method === 'GET' || c.req.method === 'HEAD') {
    const url = new URL(c.req.url);
    return c.redirect(`/login?next=${encodeURIComponent(url.pathname + url.search)}`, 303);
  }
  throw unauthorized();
}

function mountProfileRoutes(app: Hono<HearthEnv>, api: ApiRegistry, ctx: AppContext): void {
  app.get('/u/:username', async (c) => {
    const profile = await getPublicProfile(ctx, c.req.param('username'));
    return renderPage(
      c,
      {
        title: profile.displayName,
        description: profile.bio ? profile.bio.slice(0, 160) : `${profile.displayName} is a member of ${ctx.site.siteName}.`,
        canonicalPath: `/u/${encodeURIComponent(profile.username)}`,
        ogType: 'profile',
        jsonLd: {
          '@context': 'https://schema.org',
          '@type': 'ProfilePage',
          dateCreated: profile.joinedAt,
          mainEntity: { '@type': 'Person', name: profile.displayName, alternateName: profile.username, description: profile.bio || undefined, url: profile.profileUrl },
        },
      },
      <ProfilePage c={c} profile={profile} />,
    );
  });

  api.route({
    method: 'get',
    path: '/me',
    summary: 'The signed-in member',
    description: 'The member behind the session cookie or API key, with their private details (email, notification preferences).',
    tag: 'Accounts',
    access: { scope: 'read' },
    response: meSchema,
    handler: (c) => getMe(ctx, c.get('user')),
  });

  api.route({
    method: 'patch',
    path: '/me',
    summary: 'Update the signed-in member’s profile',
    description: 'Changes the display name and/or bio. Fields left out stay as they are.',
    tag: 'Accounts',
    access: { scope: 'write' },
    body: updateMeBody,
    response: meSchema,
    handler: async (c, { body }) => {
      const user = c.get('user');
      if (!user) throw notFound('This API key does not act as a member, so it has no profile.');
      await updateProfile(ctx, user, body);
      return getMe(ctx, user);
    },
  });

  api.route({
    method: 'get',
    path: '/me/sessions',
    summary: 'Where the signed-in member is signed in',
    description: 'Active browser sessions, most recently used first; `current` marks the one making this request.',
    tag: 'Accounts',
    access: { scope: 'read' },
    response: z.object({
      items: z.array(
        z.object({
          id: z.number().int(),
          device: z.string().describe('browser and operating system, e.g. "Firefox on Linux"'),
          userAgent: z.string().nullable(),
          ip: z.string().nullable(),
          createdAt: z.string(),
          lastSeenAt: z.string(),
          current: z.boolean(),
        }),
      ),
    }),
    handler: async (c) => {
      const user = c.get('user');
      if (!user) throw notFound('This API key does not act as a member, so it has no sessions.');
      const sessions = await listSessions(ctx, user, c.get('sessionId'));
      return { items: sessions.map((s) => ({ ...s, createdAt: s.createdAt.toISOString(), lastSeenAt: s.lastSeenAt.toISOString() })) };
    },
  });

  api.route({
    method: 'get',
    path: '/users/{username}',
    summary: 'A member’s public profile',
    tag: 'Accounts',
    access: { public: true },
    params: usernameParams,
    response: publicProfileSchema,
    handler: (_c, { params }) => getPublicProfile(ctx, params.username),
  });
}

export function mountAccountRoutes({ app, api, ctx }: MountArgs): void {
  mountAuthRoutes(app, ctx);
  mountSettingsRoutes(app, ctx);
  mountProfileRoutes(app, api, ctx);
}
