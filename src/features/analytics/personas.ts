// Personas: Drifters, Lurkers, Supporters and Insiders, by transparent rules over an engagement score and
// a value score. The weights are fixed and shown on the dashboard; the thresholds are site settings.
import { z } from 'zod';
import type { Executor } from '../../platform/jobs/registry.ts';

export const PERSONAS = ['Drifters', 'Lurkers', 'Supporters', 'Insiders'] as const;
export type Persona = (typeof PERSONAS)[number];

/** The split of the source study, in percent (PRODUCT.md). */
export const PERSONA_BENCHMARK: Record<Persona, number> = { Drifters: 14, Lurkers: 17, Supporters: 52, Insiders: 18 };

/** Points per unit of each engagement signal, counted over the window (`windowDays`). */
export const ENGAGEMENT_WEIGHTS = { visitDays: 1, reads: 0.2, follows: 1, posts: 3, acceptedAnswers: 5, reactionsReceived: 1, reactionsGiven: 0.5 } as const;
/** Points per unit of each value signal: orders and net spend over all time, predicted value, referrals and shares. */
export const VALUE_WEIGHTS = { orders: 10, spendPer10: 1, predictedPer10: 0.5, referrals: 20, shares: 5 } as const;

export const personaSettingsSchema = z.object({
  /** Days of activity the engagement score counts. */
  windowDays: z.number().int().min(7).max(365).default(90),
  /** Below this engagement score a member is a Drifter. */
  drifterBelow: z.number().min(0).max(10_000).default(3),
  /** From this engagement score (and the value threshold) a member is an Insider. */
  insiderEngagement: z.number().min(0).max(100_000).default(30),
  /** From this value score (and the engagement threshold) a member is an Insider. */
  insiderValue: z.number().min(0).max(1_000_000).default(40),
});
export type PersonaSettings = z.output<typeof personaSettingsSchema>;
export const defaultPersonaSettings: PersonaSettings = personaSettingsSchema.parse({});

const SETTINGS_KEY = 'analytics.personas';

/** Stored as one row of `site_settings` (key `analytics.personas`); a missing or older field takes its default. */
export async function loadPersonaSettings(db: Executor): Promise<PersonaSettings> {
  const row = await db.selectFrom('site_settings').select('value').where('key', '=', SETTINGS_KEY).executeTakeFirst();
  const parsed = personaSettingsSchema.safeParse(row?.value ?? {});
  return parsed.success ? parsed.data : defaultPersonaSettings;
}

export async function savePersonaSettings(db: Executor, settings: PersonaSettings): Promise<void> {
  const value = JSON.stringify(settings);
  await db
    .insertInto('site_settings')
    .values({ key: SETTINGS_KEY, value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: new Date() }))
    .execute();
}

export interface EngagementSignals {
  visitDays: number;
  /** Topic pages read. */
  reads?: number;
  /** Spaces, topics and tags followed. */
  follows?: number;
  /** Topics and replies written. */
  posts: number;
  acceptedAnswers: number;
  reactionsReceived: number;
  reactionsGiven: number;
}

export interface ValueSignals {
  orders: number;
  /** Net spend in major units. */
  spend: number;
  /** Predicted 12-month value in major units. */
  predicted: number;
  referrals: number;
  shares: number;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

export function engagementScore(s: EngagementSignals): number {
  const w = ENGAGEMENT_WEIGHTS;
  return round1(w.visitDays * s.visitDays + w.reads * (s.reads ?? 0) + w.follows * (s.follows ?? 0) + w.posts * s.posts + w.acceptedAnswers * s.acceptedAnswers + w.reactionsReceived * s.reactionsReceived + w.reactionsGiven * s.reactionsGiven);
}

export function valueScore(s: ValueSignals): number {
  const w = VALUE_WEIGHTS;
  return round1(w.orders * s.orders + (w.spendPer10 * s.spend) / 10 + (w.predictedPer10 * s.predicted) / 10 + w.referrals * s.referrals + w.shares * s.shares);
}

/** Contributed anything in the window: a post, an answer, a reaction given, a referral or a share. */
function contributes(e: EngagementSignals, v: ValueSignals): boolean {
  return e.posts > 0 || e.acceptedAnswers > 0 || e.reactionsGiven > 0 || v.referrals > 0 || v.shares > 0;
}

export interface PersonaResult {
  persona: Persona;
  engagement: number;
  value: number;
  /** For Supporters: how far from Insider, 0 = there (the engagement and value shortfalls, each relative to its threshold). */
  insiderGap: number | null;
  /** For Supporters: what would make them an Insider, in words. */
  nextStep: string | null;
}

export function assignPersona(e: EngagementSignals, v: ValueSignals, settings: PersonaSettings): PersonaResult {
  const engagement = engagementScore(e);
  const value = valueScore(v);
  const base = { engagement, value, insiderGap: null, nextStep: null };
  if (engagement < settings.drifterBelow) return { ...base, persona: 'Drifters' };
  if (!contributes(e, v)) return { ...base, persona: 'Lurkers' };
  if (engagement >= settings.insiderEngagement && value >= settings.insiderValue) return { ...base, persona: 'Insiders' };
  const engagementShort = Math.max(0, settings.insiderEngagement - engagement);
  const valueShort = Math.max(0, settings.insiderValue - value);
  const gap = (settings.insiderEngagement > 0 ? engagementShort / settings.insiderEngagement : 0) + (settings.insiderValue > 0 ? valueShort / settings.insiderValue : 0);
  return { ...base, persona: 'Supporters', insiderGap: Math.round(gap * 1000) / 1000, nextStep: nextStepToInsider(engagementShort, valueShort) };
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** The smallest single action per missing score: accepted answers close engagement fastest, orders value. */
export function nextStepToInsider(engagementShort: number, valueShort: number): string {
  const steps: string[] = [];
  if (engagementShort > 0) steps.push(`answer ${plural(Math.ceil(engagementShort / (ENGAGEMENT_WEIGHTS.acceptedAnswers + ENGAGEMENT_WEIGHTS.posts)), 'more question', 'more questions')} (accepted)`);
  if (valueShort > 0) {
    const orders = Math.ceil(valueShort / VALUE_WEIGHTS.orders);
    steps.push(orders === 1 ? 'one more order' : `${orders} more orders`);
  }
  return steps.join(' and ') || 'recompute: already qualifies';
}

/** The rules in words, for the dashboard. */
export function personaRules(s: PersonaSettings): Record<Persona, string> {
  return {
    Drifters: `Engagement score below ${s.drifterBelow} over the last ${s.windowDays} days: barely visit, most likely to leave.`,
    Lurkers: `Engagement ${s.drifterBelow} or more, but no post, answer, reaction, referral or share: they visit, read and follow, and do not take part.`,
    Supporters: `Take part (at least one post, answer, reaction, referral or share) but not both Insider thresholds.`,
    Insiders: `Engagement ${s.insiderEngagement} or more and value ${s.insiderValue} or more: loyal, valuable, and active in the community.`,
  };
}

export const ENGAGEMENT_DEFINITION = `Engagement = ${ENGAGEMENT_WEIGHTS.visitDays} × days visited + ${ENGAGEMENT_WEIGHTS.reads} × topic pages read + ${ENGAGEMENT_WEIGHTS.follows} × follows + ${ENGAGEMENT_WEIGHTS.posts} × topics and replies + ${ENGAGEMENT_WEIGHTS.acceptedAnswers} × accepted answers + ${ENGAGEMENT_WEIGHTS.reactionsReceived} × reactions received + ${ENGAGEMENT_WEIGHTS.reactionsGiven} × reactions given, over the window.`;
export const VALUE_DEFINITION = `Value = ${VALUE_WEIGHTS.orders} × orders + ${VALUE_WEIGHTS.spendPer10} per 10 of net spend + ${VALUE_WEIGHTS.predictedPer10} per 10 of predicted 12-month value + ${VALUE_WEIGHTS.referrals} × referrals + ${VALUE_WEIGHTS.shares} × shares.`;
