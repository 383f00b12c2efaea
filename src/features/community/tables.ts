import type { ColumnType, Generated } from 'kysely';
import type { NullableTimestamp, Timestamp } from '../../platform/db/platform-tables.ts';

export const topicKinds = ['question', 'discussion', 'story', 'announcement'] as const;
export type TopicKind = (typeof topicKinds)[number];

/** Who may see a space: anyone, signed-in members, invited members, or members granted by a rule. */
export const spaceVisibilities = ['public', 'members', 'private', 'exclusive'] as const;
export type SpaceVisibility = (typeof spaceVisibilities)[number];

type Defaulted<T> = ColumnType<T, T | undefined, T>;

export interface SpacesTable {
  id: Generated<number>;
  slug: string;
  name: string;
  description: Defaulted<string>;
  icon: Defaulted<string>;
  color: Defaulted<string>;
  position: Defaulted<number>;
  visibility: Defaulted<SpaceVisibility>;
  default_kind: Defaulted<TopicKind>;
  topic_count: Defaulted<number>;
  reply_count: Defaulted<number>;
  created_at: Timestamp;
}

export interface TopicsTable {
  id: Generated<number>;
  space_id: number;
  author_id: number;
  kind: TopicKind;
  title: string;
  slug: string;
  body_md: string;
  body_html: string;
  pinned: Defaulted<boolean>;
  accepted_reply_id: ColumnType<number | null, number | null | undefined, number | null>;
  solved_at: NullableTimestamp;
  reply_count: Defaulted<number>;
  view_count: Defaulted<number>;
  last_activity_at: Timestamp;
  last_reply_user_id: ColumnType<number | null, number | null | undefined, number | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
  deleted_at: NullableTimestamp;
  edited_at: NullableTimestamp;
  deleted_by: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface RepliesTable {
  id: Generated<number>;
  topic_id: number;
  author_id: number;
  body_md: string;
  body_html: string;
  reply_to_id: ColumnType<number | null, number | null | undefined, number | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
  deleted_at: NullableTimestamp;
  edited_at: NullableTimestamp;
  deleted_by: ColumnType<number | null, number | null | undefined, number | null>;
}

/** Reactions members give posts, stored as short codes. */
export const reactionKinds = ['like', 'heart', 'tada', 'smile', 'thinking'] as const;
export type ReactionKind = (typeof reactionKinds)[number];

type OptionalId = ColumnType<number | null, number | null | undefined, number | null>;

/** A post is a topic's opening post (`reply_id` null) or one of its replies. */
export interface PostRevisionsTable {
  id: Generated<number>;
  topic_id: number;
  reply_id: OptionalId;
  editor_id: number;
  old_title: ColumnType<string | null, string | null | undefined, string | null>;
  old_body_md: string;
  created_at: Timestamp;
}

export interface ReactionsTable {
  id: Generated<number>;
  topic_id: number;
  reply_id: OptionalId;
  user_id: number;
  kind: ReactionKind;
  created_at: Timestamp;
}

export interface BookmarksTable {
  id: Generated<number>;
  user_id: number;
  topic_id: number;
  reply_id: OptionalId;
  created_at: Timestamp;
}

export interface UploadsTable {
  id: Generated<number>;
  owner_id: number;
  storage_key: string;
  thumbnail_key: ColumnType<string | null, string | null | undefined, string | null>;
  content_type: string;
  size_bytes: number;
  width: number;
  height: number;
  created_at: Timestamp;
}

/** Members of private spaces; membership is granted by an invitation or an approved join request. */
export interface SpaceMembersTable {
  space_id: number;
  user_id: number;
  added_by: OptionalId;
  created_at: Timestamp;
}

/** Members who moderate one space (accept answers, admit members) without being global staff. */
export interface SpaceModeratorsTable {
  space_id: number;
  user_id: number;
  added_by: OptionalId;
  created_at: Timestamp;
}

export const joinRequestStatuses = ['pending', 'approved', 'declined'] as const;
export type JoinRequestStatus = (typeof joinRequestStatuses)[number];

export interface SpaceJoinRequestsTable {
  id: Generated<number>;
  space_id: number;
  user_id: number;
  message: Defaulted<string>;
  status: Defaulted<JoinRequestStatus>;
  decided_by: OptionalId;
  decided_at: NullableTimestamp;
  created_at: Timestamp;
}

/** A rule admitting members to an exclusive space; `kind` names an evaluator registered in access.ts. */
export interface SpaceAccessRulesTable {
  id: Generated<number>;
  space_id: number;
  kind: string;
  config: ColumnType<unknown, string | undefined, string>;
  created_by: OptionalId;
  created_at: Timestamp;
}

export interface CommunityTables {
  spaces: SpacesTable;
  space_members: SpaceMembersTable;
  space_moderators: SpaceModeratorsTable;
  space_join_requests: SpaceJoinRequestsTable;
  space_access_rules: SpaceAccessRulesTable;
  topics: TopicsTable;
  replies: RepliesTable;
  post_revisions: PostRevisionsTable;
  reactions: ReactionsTable;
  bookmarks: BookmarksTable;
  uploads: UploadsTable;
}
