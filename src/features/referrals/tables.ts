import type { ColumnType, Generated } from 'kysely';
import type { Json, NullableTimestamp, Timestamp } from '../../platform/db/platform-tables.ts';

type Defaulted<T> = ColumnType<T, T | undefined, T>;
type Nullable<T> = ColumnType<T | null, T | null | undefined, T | null>;

export const referralStatuses = ['pending', 'qualified', 'review', 'completed', 'rejected', 'cancelled'] as const;
export type ReferralStatus = (typeof referralStatuses)[number];

export interface ReferralSettingsTable {
  id: Defaulted<number>;
  settings: Json;
  updated_by: Nullable<number>;
  updated_at: Timestamp;
}

export interface ReferralCodesTable {
  user_id: number;
  code: string;
  created_at: Timestamp;
}

export interface ReferralClicksTable {
  id: Generated<number>;
  referrer_user_id: number;
  token_hash: string;
  ip_hash: string;
  created_at: Timestamp;
}

export interface ReferralNewMembersTable {
  user_id: number;
  registered_at: ColumnType<Date, Date | string, Date | string>;
}

export interface ReferralsTable {
  id: Generated<number>;
  referrer_user_id: number;
  friend_user_id: number;
  click_id: Nullable<number>;
  via: 'link' | 'code';
  ip_hash: string;
  status: Defaulted<ReferralStatus>;
  flags: Json;
  order_id: Nullable<number>;
  order_minor: Nullable<number>;
  currency: Nullable<string>;
  qualified_at: NullableTimestamp;
  complete_after: NullableTimestamp;
  completed_at: NullableTimestamp;
  closed_reason: Nullable<string>;
  reviewed_by: Nullable<number>;
  reviewed_at: NullableTimestamp;
  welcome_code_id: Nullable<number>;
  referrer_code_id: Nullable<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ReferralsTables {
  referral_settings: ReferralSettingsTable;
  referral_codes: ReferralCodesTable;
  referral_clicks: ReferralClicksTable;
  referral_new_members: ReferralNewMembersTable;
  referrals: ReferralsTable;
}
