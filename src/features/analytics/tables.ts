import type { ColumnType } from 'kysely';
import type { Json } from '../../platform/db/platform-tables.ts';

type Defaulted<T> = ColumnType<T, T | undefined, T>;
type Nullable<T> = ColumnType<T | null, T | null | undefined, T | null>;
type Instant = ColumnType<Date, Date | string, Date | string>;
type NullableInstant = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
/** `date` columns are read as text (`day::text`) by the queries; written as YYYY-MM-DD. */
type Day = ColumnType<string, string, string>;

export interface AnalyticsStateTable {
  name: string;
  last_event_id: Defaulted<number>;
  updated_at: Defaulted<Date>;
}

export interface AnalyticsMembersTable {
  user_id: number;
  display_name: Defaulted<string>;
  username: Defaulted<string>;
  registered_at: NullableInstant;
  first_contribution_at: NullableInstant;
  referrals: Defaulted<number>;
  referred: Defaulted<boolean>;
  shares: Defaulted<number>;
  tier: Nullable<string>;
}

export interface AnalyticsCustomersTable {
  customer_id: number;
  user_id: Nullable<number>;
  email: Nullable<string>;
  created_at: Instant;
}

export interface AnalyticsCustomerOrdersTable {
  order_id: number;
  customer_id: number;
  user_id: Nullable<number>;
  currency: string;
  total_minor: number;
  refunded_minor: Defaulted<number>;
  paid_at: Instant;
  cancelled_at: NullableInstant;
}

export interface AnalyticsMemberDaysTable {
  user_id: number;
  day: Day;
  visits: Defaulted<number>;
  reads: Defaulted<number>;
  follows: Defaulted<number>;
  topics: Defaulted<number>;
  questions: Defaulted<number>;
  replies: Defaulted<number>;
  answers_accepted: Defaulted<number>;
  reactions_given: Defaulted<number>;
  reactions_received: Defaulted<number>;
}

export interface AnalyticsTopicsTable {
  topic_id: number;
  space_id: number;
  author_id: number;
  kind: string;
  title: Defaulted<string>;
  public: Defaulted<boolean>;
  created_at: Instant;
  first_response_at: NullableInstant;
  reply_count: Defaulted<number>;
  reaction_count: Defaulted<number>;
  views: Defaulted<number>;
  accepted_at: NullableInstant;
  deleted_at: NullableInstant;
}

export interface AnalyticsTermsTable {
  day: Day;
  term: string;
  uses: Defaulted<number>;
}

export interface AnalyticsDailyTable {
  day: Day;
  dau: Defaulted<number>;
  mau: Defaulted<number>;
  new_members: Defaulted<number>;
  new_contributors: Defaulted<number>;
  topics: Defaulted<number>;
  questions: Defaulted<number>;
  replies: Defaulted<number>;
  accepted: Defaulted<number>;
  orders: Defaulted<number>;
  revenue_minor: Defaulted<number>;
  refunds_minor: Defaulted<number>;
  solved_views: Defaulted<number>;
}

export interface AnalyticsCustomerScoresTable {
  subject: string;
  user_id: Nullable<number>;
  customer_id: Nullable<number>;
  display_name: Defaulted<string>;
  email: Nullable<string>;
  orders: Defaulted<number>;
  first_order_on: Nullable<string>;
  last_order_on: Nullable<string>;
  spend_minor: Defaulted<number>;
  r: Nullable<number>;
  f: Nullable<number>;
  m: Nullable<number>;
  segment: Nullable<string>;
  p_alive: Nullable<number>;
  p_alive_before: Nullable<number>;
  expected_purchases_90d: Nullable<number>;
  clv_12m_minor: Nullable<number>;
  value_at_stake_minor: Defaulted<number>;
  engagement_score: Defaulted<number>;
  value_score: Defaulted<number>;
  persona: Nullable<string>;
  next_step: Nullable<string>;
  insider_gap: Nullable<number>;
  computed_at: Instant;
}

export interface AnalyticsPersonaSnapshotsTable {
  month: Day;
  user_id: number;
  persona: string;
}

export interface AnalyticsModelsTable {
  name: string;
  params: Json;
  n: number;
  log_likelihood: Nullable<number>;
  converged: boolean;
  note: Nullable<string>;
  computed_at: Instant;
}

export interface AnalyticsSummariesTable {
  name: string;
  data: Json;
  computed_at: Instant;
}

export interface AnalyticsTables {
  analytics_summaries: AnalyticsSummariesTable;
  analytics_state: AnalyticsStateTable;
  analytics_members: AnalyticsMembersTable;
  analytics_customers: AnalyticsCustomersTable;
  analytics_customer_orders: AnalyticsCustomerOrdersTable;
  analytics_member_days: AnalyticsMemberDaysTable;
  analytics_topics: AnalyticsTopicsTable;
  analytics_terms: AnalyticsTermsTable;
  analytics_daily: AnalyticsDailyTable;
  analytics_customer_scores: AnalyticsCustomerScoresTable;
  analytics_persona_snapshots: AnalyticsPersonaSnapshotsTable;
  analytics_models: AnalyticsModelsTable;
}
