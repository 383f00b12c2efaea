import { z } from 'zod';
import { iconNames } from '../../web/icons.tsx';
import { spaceVisibilities, topicKinds } from './tables.ts';

/** Schemas of space administration and space membership: forms, the JSON API and its OpenAPI document. */

export const SPACE_NAME_MAX = 80;
export const SPACE_SLUG_MAX = 60;
export const SPACE_DESCRIPTION_MAX = 500;

const visibilitySchema = z
  .enum(spaceVisibilities, { error: 'Choose public, members, private or exclusive.' })
  .describe('public: everyone; members: signed-in members; private: invited or admitted members; exclusive: members admitted by access rules');

const spaceFields = {
  name: z.string({ error: 'Give the space a name.' }).trim().min(1, 'Give the space a name.').max(SPACE_NAME_MAX, `Keep the name to ${SPACE_NAME_MAX} characters.`),
  slug: z
    .string({ error: 'Give the space a slug.' })
    .trim()
    .toLowerCase()
    .min(1, 'Give the space a slug.')
    .max(SPACE_SLUG_MAX, `Keep the slug to ${SPACE_SLUG_MAX} characters.`)
    .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'Use lowercase letters, digits and single hyphens, e.g. trail-stories.')
    .describe('the space address: /s/{slug}'),
  description: z.string().trim().max(SPACE_DESCRIPTION_MAX, `Keep the description to ${SPACE_DESCRIPTION_MAX} characters.`),
  icon: z
    .string()
    .refine((v) => iconNames.includes(v), 'Choose one of the icons listed.')
    .describe(`one of: ${iconNames.join(', ')}`),
  color: z
    .string()
    .trim()
    .regex(/^#[0-9a-fA-F]{6}$/, 'Use a colour like #2563eb.')
    .transform((v) => v.toLowerCase()),
  position: z.coerce
    .number({ error: 'Give a whole number.' })
    .int('Give a whole number.')
    .min(0, 'Use 0 or more.')
    .max(100_000, 'Use 100000 or less.')
    .describe('order in lists, lowest first'),
  visibility: visibilitySchema,
  defaultKind: z.enum(topicKinds, { error: 'Choose a kind.' }).describe('kind preselected for new topics; announcement spaces take topics from staff only'),
};

/** A new space; the form and the API share it. */
export const spaceInput = z.object({
  ...spaceFields,
  description: spaceFields.description.default(''),
  icon: spaceFields.icon.default('message'),
  color: spaceFields.color.default('#64748b'),
  position: spaceFields.position.optional().describe('order in lists, lowest first; new spaces go last when left out'),
  visibility: spaceFields.visibility.default('public'),
  defaultKind: spaceFields.defaultKind.default('discussion'),
});
export type SpaceInput = z.output<typeof spaceInput>;

/** Changes to a space: only the fields given change. */
export const spaceUpdate = z.object(spaceFields).partial();
export type SpaceUpdate = z.output<typeof spaceUpdate>;

/** The admin form posts `default_kind`-style names as the API; empty position means "last". */
export const spaceForm = z.preprocess((raw) => {
  if (typeof raw !== 'object' || raw === null) return raw;
  const entries = Object.entries(raw).filter(([, v]) => v !== '');
  return Object.fromEntries(entries);
}, spaceInput);

export const spaceIdParams = z.object({ id: z.coerce.number().int().positive().describe('space id') });
export const spaceRuleParams = spaceIdParams.extend({ ruleId: z.coerce.number().int().positive().describe('access rule id') });
export const spaceUserParams = spaceIdParams.extend({ userId: z.coerce.number().int().positive().describe('member id') });
export const moveBody = z.object({ direction: z.enum(['up', 'down'], { error: 'Move up or down.' }) });
export const usernameBody = z.object({
  username: z.string({ error: 'Type a username.' }).trim().min(1, 'Type a username.').max(80).describe('username, with or without @'),
});
export const ruleBody = z.object({
  kind: z.string({ error: 'Choose a kind of rule.' }).min(1, 'Choose a kind of rule.').describe('a registered rule kind: role, member_since, user_list, …'),
  value: z.string({ error: 'Fill in the rule.' }).max(5000).describe('the rule in the form the kind takes (see the admin form hints)'),
});

export const slugParams = z.object({ slug: z.string().min(1).max(80).describe('slug of the space') });
export const slugRequestParams = slugParams.extend({ requestId: z.coerce.number().int().positive().describe('join request id') });
export const slugUserParams = slugParams.extend({ userId: z.coerce.number().int().positive().describe('member id') });
export const joinBody = z.object({ message: z.string().max(500).optional().describe('a note for the moderators') });

const person = z.object({ id: z.number().int(), username: z.string(), displayName: z.string(), avatarUrl: z.string().nullable() });

export const spacePersonSchema = person.extend({ since: z.string().describe('ISO 8601') }).meta({ id: 'SpacePerson' });

export const joinRequestSchema = z
  .object({
    id: z.number().int(),
    spaceId: z.number().int(),
    user: person,
    message: z.string(),
    status: z.enum(['pending', 'approved', 'declined']),
    createdAt: z.string(),
    decidedAt: z.string().nullable(),
  })
  .meta({ id: 'JoinRequest' });

export const joinResultSchema = z.object({
  status: z.enum(['pending', 'member']).describe('member: you can already see the space; pending: a moderator will decide'),
  requestId: z.number().int().nullable(),
});

export const closedSpaceSchema = z
  .object({ slug: z.string(), name: z.string(), description: z.string(), icon: z.string(), color: z.string(), url: z.string(), requested: z.boolean() })
  .meta({ id: 'ClosedSpace' });

export const membershipSchema = z.object({
  space: z.object({ id: z.number().int(), slug: z.string(), name: z.string(), visibility: visibilitySchema }),
  requests: z.array(joinRequestSchema),
  members: z.array(spacePersonSchema),
  memberCount: z.number().int(),
  moderators: z.array(spacePersonSchema),
});

export const accessRuleSchema = z
  .object({ id: z.number().int(), kind: z.string(), label: z.string(), config: z.unknown(), description: z.string() })
  .meta({ id: 'AccessRule' });

export const adminSpaceSchema = z
  .object({
    id: z.number().int(),
    slug: z.string(),
    name: z.string(),
    description: z.string(),
    icon: z.string(),
    color: z.string(),
    position: z.number().int(),
    visibility: visibilitySchema,
    defaultKind: z.enum(topicKinds),
    topicCount: z.number().int(),
    replyCount: z.number().int(),
    moderatorCount: z.number().int(),
    memberCount: z.number().int(),
    ruleCount: z.number().int(),
    createdAt: z.string(),
    url: z.string(),
  })
  .meta({ id: 'AdminSpace' });

export const adminSpaceDetailSchema = adminSpaceSchema.extend({
  moderators: z.array(spacePersonSchema),
  rules: z.array(accessRuleSchema),
});
