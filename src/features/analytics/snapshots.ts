// Precomputed answers for the common questions, so the dashboards stay fast on big communities: the
// member-day figures of the preset ranges (7, 30, 90 and 365 days to today), refreshed after each rollup
// that read events and at each recompute, and the latest month-over-month persona movement.
import { sql } from 'kysely';
import type { Executor } from '../../platform/jobs/registry.ts';
import * as repo from './repo.ts';

export const HEALTH_PRESET_DAYS = [7, 30, 90, 365] as const;
const MS_PER_DAY = 86_400_000;

export interface HealthPreset {
  contributors: repo.ContributorStats;
  top: repo.ContributorRow[];
}

export interface HealthPresets {
  to: string;
  presets: Record<string, HealthPreset>;
}

export function presetRange(days: number, to: string): repo.DateRange {
  return { from: new Date(Date.parse(`${to}T00:00:00Z`) - (days - 1) * MS_PER_DAY).toISOString().slice(0, 10), to };
}

export async function refreshHealthPresets(db: Executor, now = new Date()): Promise<void> {
  const to = now.toISOString().slice(0, 10);
  const presets: Record<string, HealthPreset> = {};
  for (const days of HEALTH_PRESET_DAYS) {
    const range = presetRange(days, to);
    presets[String(days)] = { contributors: await repo.contributorStats(db, range), top: await repo.topContributors(db, range, 10) };
  }
  await writeSummary(db, 'health-presets', { to, presets } satisfies HealthPresets);
}

/** The preset covering exactly this range, when one was computed for its end day. */
export async function readHealthPreset(db: Executor, range: repo.DateRange): Promise<HealthPreset | null> {
  const summary = await repo.readSummary(db, 'health-presets');
  const data = summary?.data as HealthPresets | undefined;
  if (!data || data.to !== range.to) return null;
  const days = Math.round((Date.parse(`${range.to}T00:00:00Z`) - Date.parse(`${range.from}T00:00:00Z`)) / MS_PER_DAY) + 1;
  return data.presets[String(days)] ?? null;
}

export interface PersonaMovement {
  months: string[];
  from: string | null;
  to: string | null;
  cells: repo.TransitionRow[];
}

/** The snapshot months and the movement from the month before the latest into the latest. */
export async function refreshPersonaMovement(db: Executor): Promise<void> {
  const months = (await sql<{ month: string }>`select distinct to_char(month, 'YYYY-MM') as month from analytics_persona_snapshots order by 1 desc limit 24`.execute(db)).rows.map((r) => r.month);
  const to = months[0] ?? null;
  const from = to ? previousMonth(to) : null;
  const cells = to && from ? await repo.personaTransitions(db, `${from}-01`, `${to}-01`) : [];
  await writeSummary(db, 'persona-movement', { months, from, to, cells } satisfies PersonaMovement);
}

export async function readPersonaMovement(db: Executor): Promise<PersonaMovement | null> {
  const summary = await repo.readSummary(db, 'persona-movement');
  return (summary?.data as PersonaMovement | undefined) ?? null;
}

export function previousMonth(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y ?? 1970, (m ?? 1) - 2, 1)).toISOString().slice(0, 7);
}

async function writeSummary(db: Executor, name: string, data: unknown): Promise<void> {
  const value = JSON.stringify(data);
  await db
    .insertInto('analytics_summaries')
    .values({ name, data: value, computed_at: new Date() })
    .onConflict((oc) => oc.column('name').doUpdateSet({ data: value, computed_at: new Date() }))
    .execute();
}
