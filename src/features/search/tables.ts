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

/** A word (its `english` lexeme) used in a space's posts, and in how many of them; kept by triggers and a daily job. */
export interface SearchLexiconTable {
  word: string;
  space_id: number;
  ndoc: number;
}

/** A topic's words: title, opening post and live replies, kept by triggers (migration 0018). */
export interface SearchDocumentsTable {
  topic_id: number;
  document: string;
}

export interface SearchTables {
  tags: TagsTable;
  topic_tags: TopicTagsTable;
  tag_space_counts: TagSpaceCountsTable;
  search_lexicon: SearchLexiconTable;
  search_documents: SearchDocumentsTable;
}
