import type { Generated } from 'kysely';
import type { Timestamp } from '../../platform/db/platform-tables.ts';

export interface TagsTable {
  id: Generated<number>;
  slug: string;
  name: string;
  topic_count: Generated<number>;
  created_at: Timestamp;
}

export interface TopicTagsTable {
  topic_id: number;
  tag_id: number;
}

/** Topics carrying a tag in one space, kept beside `tags.topic_count` so tag lists count only visible spaces. */
export interface TagSpaceCountsTable {
  tag_id: number;
  space_id: number;
  topic_count: Generated<number>;
}

export interface SearchTables {
  tags: TagsTable;
  topic_tags: TopicTagsTable;
  tag_space_counts: TagSpaceCountsTable;
}
