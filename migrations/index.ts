import type { Migration } from 'kysely';
import * as platform from './0001-platform.ts';
import * as accounts from './0002-accounts.ts';
import * as community from './0003-community.ts';
import * as search from './0004-search.ts';
import * as notifications from './0005-notifications.ts';
import * as engagement from './0006-engagement.ts';
import * as spaceAccess from './0007-space-access.ts';
import * as loyalty from './0009-loyalty.ts';
import * as commerce from './0008-commerce.ts';
import * as analytics from './0010-analytics.ts';
import * as referrals from './0011-referrals.ts';
import * as rewardKinds from './0012-reward-kinds.ts';
import * as analyticsReferred from './0014-analytics-referred.ts';
import * as searchLexicon from './0015-search-lexicon.ts';
import * as analyticsReadsFollows from './0016-analytics-reads-follows.ts';
import * as webhookInbox from './0017-webhook-inbox.ts';
import * as searchDocuments from './0018-search-documents.ts';
import * as jobClaim from './0019-job-claim.ts';

/** Every migration, in order. A new one is added here and never edited after it has shipped. */
export const migrations: Record<string, Migration> = {
  '0001-platform': platform,
  '0002-accounts': accounts,
  '0003-community': community,
  '0004-search': search,
  '0005-notifications': notifications,
  '0006-engagement': engagement,
  '0007-space-access': spaceAccess,
  '0009-loyalty': loyalty,
  '0008-commerce': commerce,
  '0010-analytics': analytics,
  '0011-referrals': referrals,
  '0012-reward-kinds': rewardKinds,
  '0014-analytics-referred': analyticsReferred,
  '0015-search-lexicon': searchLexicon,
  '0016-analytics-reads-follows': analyticsReadsFollows,
  '0017-webhook-inbox': webhookInbox,
  '0018-search-documents': searchDocuments,
  '0019-job-claim': jobClaim,
};
