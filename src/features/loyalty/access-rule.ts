import { z } from 'zod';
import { validationFailed } from '../../platform/http/errors.ts';
import { registerAccessRuleKind } from '../community/access.ts';

export const loyaltyTierRuleKind = 'loyalty_tier';
export const loyaltyRewardRuleKind = 'loyalty_reward';

const tierRuleConfig = z.object({ tierId: z.number().int().positive() });
const rewardRuleConfig = z.object({ rewardId: z.number().int().positive() });

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

/**
 * An exclusive space's rule "members who redeemed reward X, while their access lasts": the grant is
 * written when a member redeems a space-access or early-access reward (rewards.ts). Saving such a reward
 * adds this rule to its space, so an administrator rarely adds it by hand. One indexed query per member.
 */
export function registerLoyaltyRewardRule(): void {
  registerAccessRuleKind(
    loyaltyRewardRuleKind,
    async (ctx, subject, config) => {
      const parsed = rewardRuleConfig.safeParse(config);
      if (!parsed.success) return false;
      const now = new Date();
      const row = await ctx.db
        .selectFrom('loyalty_access_grants')
        .select('id')
        .where('user_id', '=', subject.user.id)
        .where('reward_id', '=', parsed.data.rewardId)
        .where('starts_at', '<=', now)
        .where((eb) => eb.or([eb('ends_at', 'is', null), eb('ends_at', '>', now)]))
        .executeTakeFirst();
      return row !== undefined;
    },
    {
      label: 'Loyalty reward',
      inputHint: 'The name (or #id) of a points reward of the kind "Exclusive space" or "Early access": members who redeemed it are admitted while their access lasts.',
      configFromInput: async (ctx, input) => {
        const text = input.trim();
        const rewards = await ctx.db.selectFrom('loyalty_rewards').select(['id', 'name']).where('kind', 'in', ['space_access', 'early_access']).orderBy('id').limit(100).execute();
        const byId = /^#?(\d+)$/.exec(text);
        const reward = byId ? rewards.find((r) => r.id === Number(byId[1])) : rewards.find((r) => r.name.toLowerCase() === text.toLowerCase());
        if (!reward) throw validationFailed({ value: rewards.length ? `Name one of the access rewards: ${rewards.map((r) => `${r.name} (#${r.id})`).join(', ')}.` : 'Create an access reward first (Admin → Loyalty → Rewards).' });
        return { rewardId: reward.id };
      },
      describe: async (ctx, config) => {
        const parsed = rewardRuleConfig.safeParse(config);
        if (!parsed.success) return 'Loyalty reward (invalid configuration)';
        const reward = await ctx.db.selectFrom('loyalty_rewards').select('name').where('id', '=', parsed.data.rewardId).executeTakeFirst();
        return reward ? `Members who redeemed “${reward.name}”, while their access lasts` : 'Loyalty reward (the reward was deleted: admits nobody)';
      },
    },
  );
}
