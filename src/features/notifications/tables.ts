import type { ColumnType, Generated } from 'kysely';
import type { Json, NullableTimestamp, Timestamp } from '../../platform/db/platform-tables.ts';

export const followTargetKinds = ['topic', 'space', 'tag'] as const;
export type FollowTargetKind = (typeof followTargetKinds)[number];

export const notificationKinds = ['mention', 'reply_to_topic', 'reply_to_reply', 'answer_accepted', 'new_topic', 'new_reply', 'reaction'] as const;
export type NotificationKind = (typeof notificationKinds)[number];

type OptionalId = ColumnType<number | null, number | null | undefined, number | null>;

export interface FollowsTable {
  id: Generated<number>;
  user_id: number;
  target_kind: FollowTargetKind;
  target_id: number;
  created_at: Timestamp;
}

export interface NotificationsTable {
  id: Generated<number>;
  recipient_id: number;
  kind: NotificationKind;
  actor_id: OptionalId;
  space_id: OptionalId;
  topic_id: OptionalId;
  reply_id: OptionalId;
  data: Json;
  dedupe_key: string;
  read_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface DigestDeliveriesTable {
  user_id: number;
  period_key: string;
  topic_count: number;
  mail_id: OptionalId;
  created_at: Timestamp;
}

export interface NotificationsTables {
  follows: FollowsTable;
  notifications: NotificationsTable;
  digest_deliveries: DigestDeliveriesTable;
}
