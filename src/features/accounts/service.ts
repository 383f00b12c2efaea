import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { AppContext } from '../../platform/context.ts';
import { newToken } from '../../platform/crypto/tokens.ts';
import type { CurrentUser } from '../../platform/http/env.ts';
import { AppError, conflict, fromZodError, notFound, validationFailed } from '../../platform/http/errors.ts';
import { publishEvent, type Executor } from '../../platform/jobs/registry.ts';
import { queueMail } from '../../platform/mail/index.ts';
import { storageFor } from '../../platform/storage/index.ts';
import { confirmNewEmailMessage, emailChangedNoticeMessage, passwordResetMessage, verifyEmailMessage, type AccountEmail } from './emails.ts';
import { sniffImage } from './images.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import {
  adminExists,
  clearFailedLogins,
  deleteSessionOfUser,
  findEmailToken,
  findUserByEmail,
  findUserById,
  findUserByUsername,
  insertEmailToken,
  insertUser,
  isEmailTaken,
  latestEmailToken,
  listActiveSessions,
  recordFailedLogin,
  retireEmailTokens,
  updateUser,
  useEmailToken,
  type EmailTokenRow,
  type UserRow,
} from './repo.ts';
import {
  defaultNotificationPrefs,
  notificationPrefsSchema,
  signupForm,
  type Me,
  type NotificationPrefs,
  type PublicProfile,
  type SignupInput,
} from './schema.ts';
import { createSession, deleteAllSessions, deleteSession, toCurrentUser } from './sessions.ts';

/** How long each emailed link works. */
export const VERIFY_LINK_SECONDS = 24 * 3600;
export const RESET_LINK_SECONDS = 3600;
export const EMAIL_CHANGE_LINK_SECONDS = 24 * 3600;
/** Consecutive wrong passwords before an account is locked, and for how long. */
export const MAX_FAILED_LOGINS = 5;
export const LOCK_SECONDS = 15 * 60;
/** A second verification or reset email within this window is silently skipped, so nobody can flood an inbox. */
const RESEND_COOLDOWN_MS = 60_000;
export const AVATAR_MAX_BYTES = 2 * 1024 * 1024;
const SETUP_LOCK_KEY = 0x4865_6172; // "Hear": any constant shared by every process
const MAX_LISTED_SESSIONS = 100;

export interface ClientMeta {
  ip: string;
  userAgent: string | undefined;
}

const sessionMeta = (meta: ClientMeta) => ({ ip: meta.ip === 'unknown' ? undefined : meta.ip, userAgent: meta.userAgent });

function linkTo(ctx: AppContext, path: string, token: string): string {
  return `${ctx.config.publicUrl}${path}?token=${encodeURIComponent(token)}`;
}

async function sendAccountEmail(db: Executor, to: string, email: AccountEmail): Promise<void> {
  await queueMail(db, { to, subject: email.subject, text: email.text, html: email.html, template: email.template });
}

function isUniqueViolation(err: unknown, constraint: string): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === '23505' && 'constraint' in err && err.constraint === constraint;
}

const emailTakenMessage = 'An account already uses this email address. Sign in, or reset your password if you have forgotten it.';
const emailTaken = () => new AppError('email_taken', 409, emailTakenMessage, { email: emailTakenMessage });

/** A username derived from a display name, unique by suffix. */
export async function uniqueUsername(ctx: AppContext, displayName: string): Promise<string> {
  const base =
    displayName
      .normalize('NFKD')
      .replace(/[^\w\s-]/g, '')
      .trim()
      .toLowerCase()
      .replace(/[\s_]+/g, '-')
      .replace(/-+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 24) || 'member';
  for (let i = 0; i < 50; i++) {
    const candidate = i === 0 ? base : `${base}-${i + 1}`;
    const taken = await ctx.db.selectFrom('users').select('id').where((eb) => eb(eb.fn('lower', ['username']), '=', candidate)).executeTakeFirst();
    if (!taken) return candidate;
  }
  return `${base}-${randomBytes(3).toString('hex')}`;
}

// ---------------------------------------------------------------------------------------------
// Sign-up and email verification

async function queueVerificationEmail(ctx: AppContext, trx: Executor, user: { id: number; email: string; displayName: string }): Promise<void> {
  const token = await insertEmailToken(trx, { userId: user.id, purpose: 'verify', email: user.email, ttlSeconds: VERIFY_LINK_SECONDS });
  await sendAccountEmail(trx, user.email, verifyEmailMessage({ siteName: ctx.site.siteName, displayName: user.displayName, link: linkTo(ctx, '/verify-email', token) }));
}

/** Creates an unverified member and emails the confirmation link; signing in waits for the click. */
export async function signUp(ctx: AppContext, input: SignupInput, meta: ClientMeta): Promise<{ userId: number }> {
  if (!ctx.site.allowSignups) throw new AppError('signups_closed', 403, 'This community is not accepting new sign-ups right now.');
  await ctx.rateLimits.consume('signup', meta.ip);
  if (await isEmailTaken(ctx.db, input.email)) throw emailTaken();
  const passwordHash = await hashPassword(input.password);
  const username = await uniqueUsername(ctx, input.displayName);
  try {
    return await ctx.db.transaction().execute(async (trx) => {
      const user = await insertUser(trx, { email: input.email, displayName: input.displayName, username, passwordHash, role: 'member', verifiedAt: null });
      await queueVerificationEmail(ctx, trx, { id: user.id, email: user.email, displayName: input.displayName });
      await publishEvent(trx, ctx.jobs, 'user.registered', { userId: user.id }, user.id);
      return { userId: user.id };
    });
  } catch (err) {
    // Two sign-ups with one address at the same moment: the unique index decides.
    if (isUniqueViolation(err, 'users_email')) throw emailTaken();
    if (isUniqueViolation(err, 'users_username')) throw conflict('Someone took that name a moment ago. Please submit the form again.', 'username_taken');
    throw err;
  }
}

/** Sends a fresh confirmation link if an unverified account uses the address; says nothing either way. */
export async function resendVerification(ctx: AppContext, email: string, meta: ClientMeta): Promise<void> {
  await ctx.rateLimits.consume('passwordReset', `verify:${meta.ip}`);
  const user = await findUserByEmail(ctx.db, email);
  if (!user || user.email_verified_at) return;
  const latest = await latestEmailToken(ctx.db, user.id, 'verify');
  if (latest && Date.now() - latest.created_at.getTime() < RESEND_COOLDOWN_MS) return;
  await ctx.db.transaction().execute((trx) => queueVerificationEmail(ctx, trx, { id: user.id, email: user.email, displayName: user.display_name }));
}

export type LinkProblem = 'invalid' | 'expired' | 'used' | 'email_taken';

export type EmailLinkResult =
  | { ok: true; purpose: 'verify'; userId: number; email: string }
  | { ok: true; purpose: 'email_change'; userId: number; email: string }
  | { ok: false; problem: LinkProblem; purpose: 'verify' | 'email_change' | null };

function problemOf(row: EmailTokenRow | undefined): LinkProblem {
  if (!row) return 'invalid';
  if (row.used_at) return 'used';
  return row.expires_at.getTime() <= Date.now() ? 'expired' : 'invalid';
}

/** Follows a link from a confirmation email: a new account's address, or a member's new address. */
export async function confirmEmailLink(ctx: AppContext, token: string): Promise<EmailLinkResult> {
  return ctx.db.transaction().execute(async (trx): Promise<EmailLinkResult> => {
    const row = await useEmailToken(trx, token, ['verify', 'email_change']);
    if (!row) {
      const existing = await findEmailToken(trx, token);
      const purpose = existing?.purpose === 'verify' || existing?.purpose === 'email_change' ? existing.purpose : null;
      return { ok: false, problem: purpose ? problemOf(existing) : 'invalid', purpose };
    }
    const user = await findUserById(trx, row.user_id);
    if (!user) return { ok: false, problem: 'invalid', purpose: row.purpose === 'verify' ? 'verify' : 'email_change' };

    if (row.purpose === 'verify') {
      // A link sent to an address the account no longer has proves nothing.
      if (user.email.toLowerCase() !== row.email.toLowerCase()) return { ok: false, problem: 'invalid', purpose: 'verify' };
      if (!user.email_verified_at) {
        await updateUser(trx, user.id, { email_verified_at: new Date() });
        await publishEvent(trx, ctx.jobs, 'user.email_verified', { userId: user.id }, user.id);
      }
      await retireEmailTokens(trx, user.id, 'verify');
      return { ok: true, purpose: 'verify', userId: user.id, email: user.email };
    }

    if (await isEmailTaken(trx, row.email, user.id)) return { ok: false, problem: 'email_taken', purpose: 'email_change' };
    const previousEmail = user.email;
    await updateUser(trx, user.id, { email: row.email, email_verified_at: new Date() });
    await retireEmailTokens(trx, user.id, 'email_change');
    // Reset links mailed to the old address must not work any more.
    await retireEmailTokens(trx, user.id, 'reset');
    await sendAccountEmail(
      trx,
      previousEmail,
      emailChangedNoticeMessage({ siteName: ctx.site.siteName, displayName: user.display_name, newEmail: row.email, resetLink: `${ctx.config.publicUrl}/forgot-password` }),
    );
    await publishEvent(trx, ctx.jobs, 'user.email_changed', { userId: user.id }, user.id);
    return { ok: true, purpose: 'email_change', userId: user.id, email: row.email };
  });
}

// ---------------------------------------------------------------------------------------------
// Signing in and out

let dummyHash: Promise<string> | undefined;

const badCredentials = () => new AppError('invalid_credentials', 401, 'Email or password is incorrect.');

function lockedError(until: Date): AppError {
  const minutes = Math.max(1, Math.ceil((until.getTime() - Date.now()) / 60_000));
  return new AppError(
    'account_locked',
    429,
    `Too many failed sign-in attempts, so this account is locked for ${minutes} more minute${minutes === 1 ? '' : 's'}. Please wait and try again, or reset your password.`,
  );
}

export const emailUnverifiedMessage = 'Confirm your email address before signing in. Use the link we emailed you, or ask for a new one below.';

/**
 * Checks the password and opens a session. Unknown addresses cost the same hashing time as known
 * ones and get the same answer, so the form does not reveal who has an account.
 */
export async function logIn(ctx: AppContext, input: { email: string; password: string }, meta: ClientMeta): Promise<{ sessionToken: string; user: CurrentUser }> {
  await ctx.rateLimits.consume('login', meta.ip);
  const user = await findUserByEmail(ctx.db, input.email);
  if (!user?.password_hash) {
    dummyHash ??= hashPassword(newToken());
    await verifyPassword(await dummyHash, input.password);
    throw badCredentials();
  }
  if (user.locked_until && user.locked_until.getTime() > Date.now()) throw lockedError(user.locked_until);
  if (!(await verifyPassword(user.password_hash, input.password))) {
    const lockedUntil = await recordFailedLogin(ctx.db, user.id, MAX_FAILED_LOGINS, LOCK_SECONDS);
    if (lockedUntil && lockedUntil.getTime() > Date.now()) throw lockedError(lockedUntil);
    throw badCredentials();
  }
  await clearFailedLogins(ctx.db, user.id);
  if (!user.email_verified_at) throw new AppError('email_unverified', 403, emailUnverifiedMessage);
  const sessionToken = await createSession(ctx.db, user.id, sessionMeta(meta));
  return { sessionToken, user: toCurrentUser(user) };
}

export async function logOut(ctx: AppContext, sessionId: number | null): Promise<void> {
  if (sessionId !== null) await deleteSession(ctx.db, sessionId);
}

// ---------------------------------------------------------------------------------------------
// Password reset

/** Emails a reset link when the address belongs to an account; the caller's answer is the same either way. */
export async function requestPasswordReset(ctx: AppContext, email: string, meta: ClientMeta): Promise<void> {
  await ctx.rateLimits.consume('passwordReset', meta.ip);
  const user = await findUserByEmail(ctx.db, email);
  if (!user) return;
  const latest = await latestEmailToken(ctx.db, user.id, 'reset');
  if (latest && !latest.used_at && Date.now() - latest.created_at.getTime() < RESEND_COOLDOWN_MS) return;
  await ctx.db.transaction().execute(async (trx) => {
    const token = await insertEmailToken(trx, { userId: user.id, purpose: 'reset', email: user.email, ttlSeconds: RESET_LINK_SECONDS });
    await sendAccountEmail(trx, user.email, passwordResetMessage({ siteName: ctx.site.siteName, displayName: user.display_name, link: linkTo(ctx, '/reset-password', token) }));
  });
}

/** Whether a reset link can still be used, without using it (the form page asks before showing itself). */
export async function checkResetLink(ctx: AppContext, token: string): Promise<LinkProblem | null> {
  const row = await findEmailToken(ctx.db, token);
  if (!row || row.purpose !== 'reset') return 'invalid';
  if (row.used_at) return 'used';
  if (row.expires_at.getTime() <= Date.now()) return 'expired';
  return null;
}

export class LinkProblemError extends AppError {
  constructor(public readonly problem: LinkProblem) {
    super(`link_${problem}`, 400, problem === 'expired' ? 'This link has expired.' : problem === 'used' ? 'This link has already been used.' : 'This link is not valid.');
  }
}

/**
 * Sets a new password from an emailed link. The link proves the member reads the address, so it
 * also confirms it; every session ends (whoever knew the old password is out) and a new one starts.
 */
export async function resetPassword(ctx: AppContext, input: { token: string; password: string }, meta: ClientMeta): Promise<{ sessionToken: string }> {
  const passwordHash = await hashPassword(input.password);
  return ctx.db.transaction().execute(async (trx) => {
    const row = await useEmailToken(trx, input.token, ['reset']);
    if (!row) {
      const existing = await findEmailToken(trx, input.token);
      throw new LinkProblemError(existing?.purpose === 'reset' ? problemOf(existing) : 'invalid');
    }
    const user = await findUserById(trx, row.user_id);
    if (!user || user.email.toLowerCase() !== row.email.toLowerCase()) throw new LinkProblemError('invalid');
    await updateUser(trx, user.id, { password_hash: passwordHash, email_verified_at: user.email_verified_at ?? new Date(), failed_logins: 0, locked_until: null });
    if (!user.email_verified_at) await publishEvent(trx, ctx.jobs, 'user.email_verified', { userId: user.id }, user.id);
    await retireEmailTokens(trx, user.id, 'reset');
    await deleteAllSessions(trx, user.id);
    return { sessionToken: await createSession(trx, user.id, sessionMeta(meta)) };
  });
}

// ---------------------------------------------------------------------------------------------
// Administrators and first-run setup

export async function isSetupNeeded(ctx: AppContext): Promise<boolean> {
  return !(await adminExists(ctx.db));
}

/** Validates and creates a verified administrator inside `trx`. */
async function insertAdmin(trx: Executor, input: SignupInput, passwordHash: string, username: string): Promise<{ id: number; email: string }> {
  if (await isEmailTaken(trx, input.email)) throw emailTaken();
  const row = await insertUser(trx, { email: input.email, displayName: input.displayName, username, passwordHash, role: 'admin', verifiedAt: new Date() });
  return { id: row.id, email: row.email };
}

/** Used by `hearth user create-admin` and the demo seed. */
export async function createAdmin(
  ctx: AppContext,
  input: { email: string; displayName: string; password?: string },
): Promise<{ id: number; email: string; generatedPassword?: string }> {
  const generatedPassword = input.password ? undefined : randomBytes(12).toString('base64url');
  const parsed = signupForm.safeParse({ email: input.email, displayName: input.displayName, password: input.password ?? generatedPassword });
  if (!parsed.success) throw fromZodError(parsed.error);
  const passwordHash = await hashPassword(parsed.data.password);
  const username = await uniqueUsername(ctx, parsed.data.displayName);
  const row = await ctx.db.transaction().execute((trx) => insertAdmin(trx, parsed.data, passwordHash, username));
  return { ...row, generatedPassword };
}

/**
 * The first-run page creates the first administrator and signs them in. The advisory lock makes two
 * simultaneous submissions create one admin, not two.
 */
export async function completeSetup(ctx: AppContext, input: SignupInput, meta: ClientMeta): Promise<{ sessionToken: string }> {
  if (!(await isSetupNeeded(ctx))) throw notFound();
  const passwordHash = await hashPassword(input.password);
  const username = await uniqueUsername(ctx, input.displayName);
  return ctx.db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${SETUP_LOCK_KEY}::bigint)`.execute(trx);
    if (await adminExists(trx)) throw notFound();
    const admin = await insertAdmin(trx, input, passwordHash, username);
    return { sessionToken: await createSession(trx, admin.id, sessionMeta(meta)) };
  });
}

// ---------------------------------------------------------------------------------------------
// Profile and settings

async function requireUserRow(ctx: AppContext, actor: CurrentUser): Promise<UserRow> {
  const user = await findUserById(ctx.db, actor.id);
  if (!user) throw new AppError('unauthorized', 401, 'Your account no longer exists.');
  return user;
}

export function readNotificationPrefs(raw: unknown): NotificationPrefs {
  const parsed = notificationPrefsSchema.partial().safeParse(raw);
  return { ...defaultNotificationPrefs, ...(parsed.success ? parsed.data : {}) };
}

/** A member's notification preferences, for features that send them mail. */
export async function getNotificationPrefs(ctx: AppContext, userId: number): Promise<NotificationPrefs> {
  const row = await findUserById(ctx.db, userId);
  return readNotificationPrefs(row?.notification_prefs);
}

export interface AccountSettings {
  username: string;
  displayName: string;
  bio: string;
  avatarPath: string | null;
  email: string;
  pendingEmail: { email: string; sentAt: Date } | null;
  notificationPrefs: NotificationPrefs;
  joinedAt: Date;
}

export async function getAccountSettings(ctx: AppContext, actor: CurrentUser): Promise<AccountSettings> {
  const user = await requireUserRow(ctx, actor);
  const pending = await latestEmailToken(ctx.db, user.id, 'email_change');
  const pendingValid = pending && !pending.used_at && pending.expires_at.getTime() > Date.now();
  return {
    username: user.username,
    displayName: user.display_name,
    bio: user.bio,
    avatarPath: user.avatar_path,
    email: user.email,
    pendingEmail: pendingValid ? { email: pending.email, sentAt: pending.created_at } : null,
    notificationPrefs: readNotificationPrefs(user.notification_prefs),
    joinedAt: user.created_at,
  };
}

export async function updateProfile(ctx: AppContext, actor: CurrentUser, patch: { displayName?: string; bio?: string }): Promise<void> {
  await requireUserRow(ctx, actor);
  await updateUser(ctx.db, actor.id, { display_name: patch.displayName, bio: patch.bio });
}

/** Stores a new avatar. The bytes decide the type: a renamed text file is refused whatever it is called. */
export async function setAvatar(ctx: AppContext, actor: CurrentUser, file: { bytes: Uint8Array }): Promise<string> {
  if (file.bytes.length === 0) throw validationFailed({ avatar: 'Choose an image to upload.' });
  if (file.bytes.length > AVATAR_MAX_BYTES) throw validationFailed({ avatar: 'That image is larger than 2 MB. Choose a smaller one.' });
  const kind = sniffImage(file.bytes);
  if (!kind) throw validationFailed({ avatar: 'That file is not a PNG, JPEG, WebP or GIF image.' });
  const user = await requireUserRow(ctx, actor);
  const storage = storageFor(ctx);
  const key = `avatars/${user.id}/${randomBytes(12).toString('hex')}.${kind}`;
  await storage.put(key, file.bytes);
  const path = storage.urlFor(key);
  await updateUser(ctx.db, user.id, { avatar_path: path });
  await deleteStoredFile(ctx, user.avatar_path);
  return path;
}

export async function removeAvatar(ctx: AppContext, actor: CurrentUser): Promise<void> {
  const user = await requireUserRow(ctx, actor);
  if (!user.avatar_path) return;
  await updateUser(ctx.db, user.id, { avatar_path: null });
  await deleteStoredFile(ctx, user.avatar_path);
}

async function deleteStoredFile(ctx: AppContext, url: string | null): Promise<void> {
  if (!url) return;
  const storage = storageFor(ctx);
  const key = storage.keyFromUrl(url);
  if (!key) return;
  // A file left behind wastes a little disk; it must not fail the member's change.
  await storage.delete(key).catch((err: unknown) => ctx.log.warn({ err, key }, 'could not delete an old upload'));
}

/** Re-asks for the password before a sensitive change, with the same throttle as signing in. */
async function checkCurrentPassword(ctx: AppContext, user: UserRow, password: string): Promise<void> {
  await ctx.rateLimits.consume('login', `reauth:${user.id}`);
  if (!user.password_hash || !(await verifyPassword(user.password_hash, password))) {
    throw validationFailed({ currentPassword: 'That is not your current password.' });
  }
}

/** Mails a link to the new address; the account's email changes only when that link is followed. */
export async function requestEmailChange(ctx: AppContext, actor: CurrentUser, input: { email: string; currentPassword: string }): Promise<void> {
  const user = await requireUserRow(ctx, actor);
  await checkCurrentPassword(ctx, user, input.currentPassword);
  if (input.email === user.email.toLowerCase()) throw validationFailed({ email: 'That is already your email address.' });
  if (await isEmailTaken(ctx.db, input.email, user.id)) throw validationFailed({ email: 'Another account already uses this email address.' });
  await ctx.db.transaction().execute(async (trx) => {
    await retireEmailTokens(trx, user.id, 'email_change');
    const token = await insertEmailToken(trx, { userId: user.id, purpose: 'email_change', email: input.email, ttlSeconds: EMAIL_CHANGE_LINK_SECONDS });
    await sendAccountEmail(trx, input.email, confirmNewEmailMessage({ siteName: ctx.site.siteName, displayName: user.display_name, link: linkTo(ctx, '/verify-email', token) }));
  });
}

export async function cancelEmailChange(ctx: AppContext, actor: CurrentUser): Promise<void> {
  await retireEmailTokens(ctx.db, actor.id, 'email_change');
}

/** Changes the password and signs out every other device (the current one stays signed in). */
export async function changePassword(
  ctx: AppContext,
  actor: CurrentUser,
  currentSessionId: number | null,
  input: { currentPassword: string; newPassword: string },
): Promise<{ endedSessions: number }> {
  const user = await requireUserRow(ctx, actor);
  await checkCurrentPassword(ctx, user, input.currentPassword);
  if (input.newPassword === input.currentPassword) throw validationFailed({ newPassword: 'Choose a password different from your current one.' });
  const passwordHash = await hashPassword(input.newPassword);
  return ctx.db.transaction().execute(async (trx) => {
    await updateUser(trx, user.id, { password_hash: passwordHash });
    await retireEmailTokens(trx, user.id, 'reset');
    return { endedSessions: await deleteAllSessions(trx, user.id, currentSessionId ?? undefined) };
  });
}

export async function saveNotificationPrefs(ctx: AppContext, actor: CurrentUser, prefs: NotificationPrefs): Promise<void> {
  await requireUserRow(ctx, actor);
  await updateUser(ctx.db, actor.id, { notification_prefs: JSON.stringify(notificationPrefsSchema.parse(prefs)) });
}

// ---------------------------------------------------------------------------------------------
// Sessions

export interface SessionInfo {
  id: number;
  device: string;
  userAgent: string | null;
  ip: string | null;
  createdAt: Date;
  lastSeenAt: Date;
  current: boolean;
}

/** "Firefox on Linux": enough to recognise a device without a user-agent database. */
export function describeUserAgent(userAgent: string | null): string {
  if (!userAgent) return 'Unknown device';
  const browser = /Edg\//.test(userAgent)
    ? 'Edge'
    : /OPR\//.test(userAgent)
      ? 'Opera'
      : /Firefox\//.test(userAgent)
        ? 'Firefox'
        : /Chrome\//.test(userAgent)
          ? 'Chrome'
          : /Safari\//.test(userAgent)
            ? 'Safari'
            : /^curl\//.test(userAgent)
              ? 'curl'
              : null;
  const os = /Windows/.test(userAgent)
    ? 'Windows'
    : /iPhone|iPad/.test(userAgent)
      ? 'iOS'
      : /Android/.test(userAgent)
        ? 'Android'
        : /Mac OS X|Macintosh/.test(userAgent)
          ? 'macOS'
          : /CrOS/.test(userAgent)
            ? 'ChromeOS'
            : /Linux/.test(userAgent)
              ? 'Linux'
              : null;
  if (browser && os) return `${browser} on ${os}`;
  return browser ?? os ?? 'Unknown device';
}

export async function listSessions(ctx: AppContext, actor: CurrentUser, currentSessionId: number | null): Promise<SessionInfo[]> {
  const rows = await listActiveSessions(ctx.db, actor.id, MAX_LISTED_SESSIONS);
  return rows.map((r) => ({
    id: r.id,
    device: describeUserAgent(r.user_agent),
    userAgent: r.user_agent,
    ip: r.ip,
    createdAt: r.created_at,
    lastSeenAt: r.last_seen_at,
    current: r.id === currentSessionId,
  }));
}

/** Ends one of the member's own sessions; another member's session id is simply not found. */
export async function revokeSession(ctx: AppContext, actor: CurrentUser, sessionId: number): Promise<void> {
  if (!(await deleteSessionOfUser(ctx.db, actor.id, sessionId))) throw notFound('That session has already ended.');
}

export async function signOutOtherSessions(ctx: AppContext, actor: CurrentUser, currentSessionId: number | null): Promise<number> {
  return deleteAllSessions(ctx.db, actor.id, currentSessionId ?? undefined);
}

// ---------------------------------------------------------------------------------------------
// Profiles for pages and the API

function toPublicProfile(ctx: AppContext, user: UserRow): PublicProfile {
  return {
    username: user.username,
    displayName: user.display_name,
    bio: user.bio,
    avatarUrl: user.avatar_path,
    role: user.role,
    joinedAt: user.created_at.toISOString(),
    profileUrl: `${ctx.config.publicUrl}/u/${encodeURIComponent(user.username)}`,
  };
}

/** A member's public page. Accounts that never confirmed their email stay hidden, so sign-up spam shows nowhere. */
export async function getPublicProfile(ctx: AppContext, username: string): Promise<PublicProfile> {
  const user = await findUserByUsername(ctx.db, username);
  if (!user || !user.email_verified_at) throw notFound('No member has that username.');
  return toPublicProfile(ctx, user);
}

export async function getMe(ctx: AppContext, actor: CurrentUser | null): Promise<Me> {
  if (!actor) throw notFound('This API key does not act as a member, so it has no profile.');
  const user = await requireUserRow(ctx, actor);
  return {
    id: user.id,
    username: user.username,
    displayName: user.display_name,
    email: user.email,
    emailVerified: user.email_verified_at !== null,
    role: user.role,
    bio: user.bio,
    avatarUrl: user.avatar_path,
    joinedAt: user.created_at.toISOString(),
    notificationPrefs: readNotificationPrefs(user.notification_prefs),
  };
}
