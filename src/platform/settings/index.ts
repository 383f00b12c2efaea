import { z } from 'zod';
import type { Executor } from '../jobs/registry.ts';

/** Site settings: each declared once with its default and bounds, stored as JSON by key. */
export const siteSettingsSchema = z.object({
  siteName: z.string().trim().min(1).max(80).default('Hearth Community'),
  tagline: z.string().trim().max(200).default('Get help, share what you make, and shape what comes next.'),
  brandColor: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour like #c2410c')
    .default('#c2410c'),
  allowSignups: z.boolean().default(true),
});

export type SiteSettings = z.infer<typeof siteSettingsSchema>;

export async function loadSiteSettings(db: Executor): Promise<SiteSettings> {
  const rows = await db.selectFrom('site_settings').select(['key', 'value']).execute();
  const raw: Record<string, unknown> = {};
  for (const row of rows) raw[row.key] = row.value;
  const parsed = siteSettingsSchema.safeParse(raw);
  return parsed.success ? parsed.data : siteSettingsSchema.parse({});
}

export async function saveSiteSettings(db: Executor, values: Partial<SiteSettings>): Promise<void> {
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) continue;
    await db
      .insertInto('site_settings')
      .values({ key, value: JSON.stringify(value) })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(value), updated_at: new Date() }))
      .execute();
  }
}
