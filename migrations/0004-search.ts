import { sql, type Kysely } from 'kysely';

/**
 * Tags on topics, and full-text search over topics and replies. The search vectors are generated
 * columns, so every writer (the service, the demo seed, the generator, imports) keeps them right
 * without a trigger; the title weighs A and bodies B (topics) or C (replies), which `ts_rank_cd` uses.
 * Titles also get a trigram index: typo-tolerant matching when full text finds little.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table tags (
      id bigint generated always as identity primary key,
      slug text not null unique check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
      name text not null,
      topic_count integer not null default 0,
      created_at timestamptz not null default now()
    );

    create table topic_tags (
      topic_id bigint not null references topics (id) on delete cascade,
      tag_id bigint not null references tags (id) on delete cascade,
      primary key (topic_id, tag_id)
    );
    create index topic_tags_tag on topic_tags (tag_id, topic_id);
    -- Topics per tag and space: /tags counts only what the viewer may see without counting rows on request.
    create table tag_space_counts (
      tag_id bigint not null references tags (id) on delete cascade,
      space_id bigint not null references spaces (id) on delete cascade,
      topic_count integer not null default 0,
      primary key (tag_id, space_id)
    );
    create index tag_space_counts_space on tag_space_counts (space_id, tag_id);
    -- /tags lists by count; autocomplete by prefix
    create index tags_count on tags (topic_count desc, slug);
    create index tags_slug_prefix on tags (slug text_pattern_ops);

    create extension if not exists pg_trgm;

    alter table topics add column search_vector tsvector generated always as (
      setweight(to_tsvector('english', coalesce(title, '')), 'A') || setweight(to_tsvector('english', body_md), 'B')
    ) stored;
    create index topics_search on topics using gin (search_vector) where deleted_at is null;
    create index topics_title_trgm on topics using gin (title gin_trgm_ops) where deleted_at is null;

    alter table replies add column search_vector tsvector generated always as (
      setweight(to_tsvector('english', body_md), 'C')
    ) stored;
    create index replies_search on replies using gin (search_vector) where deleted_at is null;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop index replies_search;
    alter table replies drop column search_vector;
    drop index topics_title_trgm;
    drop index topics_search;
    alter table topics drop column search_vector;
    drop table tag_space_counts, topic_tags, tags;
  `.execute(db);
}
