import type { ColumnType, Generated } from 'kysely';
import type { Json, NullableTimestamp, Timestamp } from '../../platform/db/platform-tables.ts';

type Defaulted<T> = ColumnType<T, T | undefined, T>;
type Nullable<T> = ColumnType<T | null, T | null | undefined, T | null>;
type Instant = ColumnType<Date, Date | string, Date | string>;

export const entryKinds = ['earn', 'pending', 'post', 'void', 'spend', 'expire', 'clawback', 'adjust', 'merge_out', 'merge_in', 'return'] as const;
export type EntryKind = (typeof entryKinds)[number];

export interface LoyaltySettingsTable {
  id: Defaulted<number>;
  settings: Json;
  updated_by: Nullable<number>;
  updated_at: Timestamp;
}

export interface LoyaltyTiersTable {
  id: Generated<number>;
  name: string;
  threshold: number;
  multiplier_pct: Defaulted<number>;
  early_access: Defaulted<boolean>;
  created_at: Timestamp;
}

export interface LoyaltyAccountsTable {
  id: Generated<number>;
  user_id: Nullable<number>;
  customer_id: Nullable<number>;
  merged_into: Nullable<number>;
  balance: Defaulted<number>;
  pending: Defaulted<number>;
  debt: Defaulted<number>;
  lifetime_earned: Defaulted<number>;
  tier_id: Nullable<number>;
  tier_since: NullableTimestamp;
  tier_review_at: NullableTimestamp;
  birthday_month: Nullable<number>;
  birthday_day: Nullable<number>;
  birthday_set_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface LoyaltyEntriesTable {
  id: Generated<number>;
  account_id: number;
  kind: EntryKind;
  source: string;
  external_id: string;
  ref: Nullable<string>;
  rule_key: Nullable<string>;
  points: number;
  delta_available: Defaulted<number>;
  delta_pending: Defaulted<number>;
  delta_debt: Defaulted<number>;
  pending_id: Nullable<number>;
  due_at: NullableTimestamp;
  reason: Nullable<string>;
  actor_id: Nullable<number>;
  created_at: Timestamp;
}

export interface LoyaltyOpenPendingTable {
  entry_id: number;
  account_id: number;
  due_at: Instant;
}

export interface LoyaltyLotsTable {
  id: Generated<number>;
  account_id: number;
  entry_id: number;
  points: number;
  remaining: number;
  expires_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface LoyaltyAllocationsTable {
  entry_id: number;
  lot_id: number;
  points: number;
}

export interface LoyaltyOrdersTable {
  order_id: number;
  account_id: number;
  currency: string;
  eligible_minor: number;
  total_minor: number;
  refunded_minor: Defaulted<number>;
  points_awarded: Defaulted<number>;
  points_current: Defaulted<number>;
  paid_at: Instant;
}

export interface LoyaltyCancelledOrdersTable {
  order_id: number;
  cancelled_at: Timestamp;
}

export interface LoyaltyRulesTable {
  key: string;
  enabled: Defaulted<boolean>;
  points: number;
  daily_cap: Nullable<number>;
  lifetime_cap: Nullable<number>;
  config: Json;
  updated_at: Timestamp;
}

export const rewardKinds = ['fixed', 'incremental', 'percentage', 'free_shipping', 'free_product', 'space_access', 'early_access'] as const;
export type RewardKind = (typeof rewardKinds)[number];

export interface LoyaltyRewardsTable {
  id: Generated<number>;
  name: string;
  kind: RewardKind;
  enabled: Defaulted<boolean>;
  points: number;
  value_minor: number;
  min_points: Defaulted<number>;
  max_points: Nullable<number>;
  code_valid_days: Defaulted<number>;
  percent_off: Nullable<number>;
  min_order_minor: Nullable<number>;
  max_discount_minor: Nullable<number>;
  product_id: Nullable<number>;
  variant_id: Nullable<number>;
  product_sku: Nullable<string>;
  product_title: Nullable<string>;
  space_id: Nullable<number>;
  access_days: Nullable<number>;
  created_at: Timestamp;
}

export const codeKinds = ['amount_off', 'percent_off', 'free_shipping', 'free_product'] as const;
export type CodeKind = (typeof codeKinds)[number];

export type CodeStatus = 'issued' | 'used' | 'returned' | 'expired';

export interface LoyaltyCodesTable {
  id: Generated<number>;
  code: string;
  account_id: number;
  reward_id: Nullable<number>;
  points: number;
  value_minor: number;
  currency: string;
  status: Defaulted<CodeStatus>;
  kind: Defaulted<CodeKind>;
  percent_off: Nullable<number>;
  min_order_minor: Nullable<number>;
  max_discount_minor: Nullable<number>;
  product_id: Nullable<number>;
  variant_id: Nullable<number>;
  product_sku: Nullable<string>;
  product_title: Nullable<string>;
  expires_at: Instant;
  expired_at: NullableTimestamp;
  used_at: NullableTimestamp;
  used_ref: Nullable<string>;
  created_at: Timestamp;
}

export interface LoyaltyAccessGrantsTable {
  id: Generated<number>;
  account_id: number;
  user_id: number;
  reward_id: Nullable<number>;
  reward_name: string;
  space_id: Nullable<number>;
  early_access: Defaulted<boolean>;
  points: number;
  starts_at: Timestamp;
  ends_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface LoyaltyTables {
  loyalty_settings: LoyaltySettingsTable;
  loyalty_tiers: LoyaltyTiersTable;
  loyalty_accounts: LoyaltyAccountsTable;
  loyalty_entries: LoyaltyEntriesTable;
  loyalty_open_pending: LoyaltyOpenPendingTable;
  loyalty_lots: LoyaltyLotsTable;
  loyalty_allocations: LoyaltyAllocationsTable;
  loyalty_orders: LoyaltyOrdersTable;
  loyalty_cancelled_orders: LoyaltyCancelledOrdersTable;
  loyalty_rules: LoyaltyRulesTable;
  loyalty_rewards: LoyaltyRewardsTable;
  loyalty_codes: LoyaltyCodesTable;
  loyalty_access_grants: LoyaltyAccessGrantsTable;
}
