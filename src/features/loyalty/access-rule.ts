import { z } from 'zod';
import { validationFailed } from '../../platform/http/errors.ts';
import { registerAccessRuleKind } from '../community/access.ts';

export const loyaltyTierRuleKind = 'loyalty_tier';

const tierRuleConfig = z.object({ tierId: z.number().int().positive() });

/**
 * An exclusive space's rule "members in tier X or above": the community's access rules ask it for each
 * signed-in member once per request, so it is one indexed query (account by user id, joined to tiers).
 */
export function registerLoyaltyTierRule(): void {
  registerAccessRuleKind(
    loyaltyTierRuleKind,
    async (ctx, subject, config) => {
      const parsed = tierRuleConfig.safeParse(config);
      if (!parsed.success) return false;
      const row = await ctx.db
        .selectFrom('loyalty_accounts as a')
        .innerJoin('loyalty_tiers as held', 'held.id', 'a.tier_id')
        .innerJoin('loyalty_tiers as needed', (join) => join.on('needed.id', '=', parsed.data.tierId))
        .select('a.id')
        .where('a.user_id', '=', subject.user.id)
        .whereRef('held.threshold', '>=', 'needed.threshold')
        .executeTakeFirst();
      return row !== undefined;
    },
    {
      label: 'Loyalty tier',
      inputHint: 'The name of a loyalty tier: members in it or a higher one are admitted.',
      configFromInput: async (ctx, input) => {
        const name = input.trim().toLowerCase();
        const tiers = await ctx.db.selectFrom('loyalty_tiers').select(['id', 'name']).orderBy('threshold').execute();
        const tier = tiers.find((t) => t.name.toLowerCase() === name);
        if (!tier) throw validationFailed({ value: tiers.length ? `Name one of the tiers: ${tiers.map((t) => t.name).join(', ')}.` : 'Create a loyalty tier first (Admin → Loyalty).' });
        return { tierId: tier.id };
      },
      describe: async (ctx, config) => {
        const parsed = tierRuleConfig.safeParse(config);
        if (!parsed.success) return 'Loyalty tier (invalid configuration)';
        const tier = await ctx.db.selectFrom('loyalty_tiers').select('name').where('id', '=', parsed.data.tierId).executeTakeFirst();
        return tier ? `Members in the ${tier.name} tier or above` : 'Loyalty tier (the tier was deleted: admits nobody)';
      },
    },
  );
}
