import type { AccountsTables } from '../../features/accounts/tables.ts';
import type { AnalyticsTables } from '../../features/analytics/tables.ts';
import type { CommunityTables } from '../../features/community/tables.ts';
import type { LoyaltyTables } from '../../features/loyalty/tables.ts';
import type { CommerceTables } from '../../features/commerce/tables.ts';
import type { NotificationsTables } from '../../features/notifications/tables.ts';
import type { ReferralsTables } from '../../features/referrals/tables.ts';
import type { SearchTables } from '../../features/search/tables.ts';
import type { SeoTables } from '../../features/seo/tables.ts';
import type { PlatformTables } from './platform-tables.ts';

/** The whole database as Kysely sees it: each feature declares its own tables in its tables.ts. */
export interface DB extends PlatformTables, AccountsTables, CommunityTables, SearchTables, NotificationsTables, SeoTables, CommerceTables, LoyaltyTables, AnalyticsTables, ReferralsTables {}
