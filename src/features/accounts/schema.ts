import { z } from 'zod';
import { PASSWORD_MIN_LENGTH } from './passwords.ts';

/** Schemas shared by the account forms, the JSON API and its OpenAPI document. */

export const PASSWORD_MAX_LENGTH = 200;
export const DISPLAY_NAME_MAX_LENGTH = 60;
export const BIO_MAX_LENGTH = 500;
export const EMAIL_MAX_LENGTH = 254;

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const emailSchema = z
  .string({ error: 'Enter your email address.' })
  .trim()
  .toLowerCase()
  .min(1, 'Enter your email address.')
  .max(EMAIL_MAX_LENGTH, `Use at most ${EMAIL_MAX_LENGTH} characters.`)
  .regex(EMAIL_PATTERN, 'Enter a valid email address, like name@example.com.');

export const newPasswordSchema = z
  .string({ error: 'Choose a password.' })
  .min(PASSWORD_MIN_LENGTH, `Use at least ${PASSWORD_MIN_LENGTH} characters.`)
  .max(PASSWORD_MAX_LENGTH, `Use at most ${PASSWORD_MAX_LENGTH} characters.`);

export const displayNameSchema = z
  .string({ error: 'Enter a display name.' })
  .trim()
  .min(1, 'Enter a display name.')
  .max(DISPLAY_NAME_MAX_LENGTH, `Use at most ${DISPLAY_NAME_MAX_LENGTH} characters.`)
  .describe('the name shown beside posts');

export const bioSchema = z
  .string()
  .trim()
  .max(BIO_MAX_LENGTH, `Keep your bio to ${BIO_MAX_LENGTH} characters.`)
  .describe(`a few words about the member, plain text, at most ${BIO_MAX_LENGTH} characters`);

const currentPassword = z.string({ error: 'Enter your current password.' }).min(1, 'Enter your current password.');

/** An HTML checkbox: present when ticked, absent otherwise. */
const checkbox = z
  .unknown()
  .optional()
  .transform((v) => v === 'on' || v === 'true' || v === '1');

export const signupForm = z.object({
  email: emailSchema,
  displayName: displayNameSchema,
  password: newPasswordSchema,
});
export type SignupInput = z.output<typeof signupForm>;

export const loginForm = z.object({
  email: z.string({ error: 'Enter your email address.' }).trim().toLowerCase().min(1, 'Enter your email address.'),
  password: z.string({ error: 'Enter your password.' }).min(1, 'Enter your password.'),
  next: z.string().optional(),
});

export const emailOnlyForm = z.object({ email: emailSchema });

export const resetPasswordForm = z.object({
  token: z.string({ error: 'This link is incomplete.' }).min(1, 'This link is incomplete.'),
  password: newPasswordSchema,
});

export const profileForm = z.object({
  displayName: displayNameSchema,
  bio: bioSchema.optional().default(''),
});

export const changeEmailForm = z.object({
  email: emailSchema,
  currentPassword,
});

export const changePasswordForm = z.object({
  currentPassword,
  newPassword: newPasswordSchema,
});

export const digestFrequencies = ['none', 'daily', 'weekly'] as const;

export const notificationPrefsSchema = z
  .object({
    emailOnMention: z.boolean().describe('email me when someone mentions me'),
    emailOnReply: z.boolean().describe('email me when someone replies to me'),
    digest: z.enum(digestFrequencies).describe('how often to send a summary of activity'),
  })
  .meta({ id: 'NotificationPreferences' });
export type NotificationPrefs = z.output<typeof notificationPrefsSchema>;

export const defaultNotificationPrefs: NotificationPrefs = { emailOnMention: true, emailOnReply: true, digest: 'weekly' };

export const notificationsForm = z.object({
  emailOnMention: checkbox,
  emailOnReply: checkbox,
  digest: z.enum(digestFrequencies, { error: 'Choose how often to get a digest.' }),
});

export const roleSchema = z.enum(['member', 'moderator', 'admin']);

export const publicProfileSchema = z
  .object({
    username: z.string(),
    displayName: z.string(),
    bio: z.string(),
    avatarUrl: z.string().nullable().describe('path of the avatar image, or null for initials'),
    role: roleSchema,
    joinedAt: z.string().describe('ISO 8601 time the member joined'),
    profileUrl: z.string(),
  })
  .meta({ id: 'PublicProfile' });
export type PublicProfile = z.input<typeof publicProfileSchema>;

export const meSchema = z
  .object({
    id: z.number().int(),
    username: z.string(),
    displayName: z.string(),
    email: z.string(),
    emailVerified: z.boolean(),
    role: roleSchema,
    bio: z.string(),
    avatarUrl: z.string().nullable(),
    joinedAt: z.string(),
    notificationPrefs: notificationPrefsSchema,
  })
  .meta({ id: 'Me' });
export type Me = z.input<typeof meSchema>;

export const updateMeBody = z
  .strictObject({
    displayName: displayNameSchema.optional(),
    bio: bioSchema.optional(),
  })
  .refine((v) => v.displayName !== undefined || v.bio !== undefined, { message: 'Send displayName, bio or both.' });

export const usernameParams = z.object({
  username: z.string().min(1).max(80).describe('the member’s username, e.g. maya-okafor'),
});
