import { sql, type Kysely } from 'kysely';

/**
 * One search document per topic: its title (weight A) and opening post (B) followed by every live
 * reply (C), so search matches and ranks 50,000 topics instead of 550,000 posts, and a thread about a
 * subject ranks as a whole. The posts keep their own vectors (migration 0004): they say which post of
 * a matching topic to show, and serve searches by author or date, which are about posts.
 *
 * Triggers keep the documents current: a new topic brings its document; new replies are appended to
 * their topic's (one UPDATE per topic per statement, topics in id order so concurrent writers cannot
 * deadlock); an edit, a deletion or a restore rebuilds the document of its topic from its posts. A
 * document that would outgrow what a tsvector holds (1 MB of distinct words) keeps what it had.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create aggregate search_vector_agg(tsvector) (sfunc = tsvector_concat, stype = tsvector, initcond = '');

    create table search_documents (
      topic_id bigint primary key references topics (id) on delete cascade,
      document tsvector not null
    );

    -- A topic's document from its posts, in order.
    create function search_document_of(topic bigint) returns tsvector language sql stable as $$
      select t.search_vector || coalesce(
        (select search_vector_agg(r.search_vector order by r.id) from replies r where r.topic_id = t.id and r.deleted_at is null), '')
      from topics t where t.id = topic
    $$;

    create function search_documents_rebuild(topic_ids bigint[]) returns void language plpgsql as $$
    declare
      topic bigint;
    begin
      for topic in select distinct x from unnest(topic_ids) as x order by x loop
        begin
          insert into search_documents (topic_id, document)
          select topic, search_document_of(topic) where exists (select 1 from topics where id = topic)
          on conflict (topic_id) do update set document = excluded.document;
        exception when program_limit_exceeded then
          raise warning 'search document of topic % is full; it keeps its words so far', topic;
        end;
      end loop;
    end $$;

    create function search_documents_add_topics() returns trigger language plpgsql as $$
    begin
      insert into search_documents (topic_id, document)
      select id, search_vector from new_rows order by id
      on conflict (topic_id) do nothing;
      return null;
    end $$;

    create function search_documents_add_replies() returns trigger language plpgsql as $$
    begin
      begin
        perform 1 from search_documents d
        where d.topic_id in (select topic_id from new_rows where deleted_at is null)
        order by d.topic_id for update;
        update search_documents d set document = d.document || n.document
        from (
          select topic_id, search_vector_agg(search_vector order by id) as document
          from new_rows where deleted_at is null group by topic_id
        ) n
        where d.topic_id = n.topic_id;
      exception when program_limit_exceeded then
        -- A document is full: the others are appended to one by one, and the full one keeps its words.
        perform search_documents_rebuild(array(select distinct topic_id from new_rows));
      end;
      return null;
    end $$;

    create function search_documents_change_post() returns trigger language plpgsql as $$
    begin
      if tg_table_name = 'topics' then
        perform search_documents_rebuild(array[new.id]);
      else
        perform search_documents_rebuild(array[new.topic_id]);
      end if;
      return null;
    end $$;

    create trigger topics_search_documents_insert after insert on topics
      referencing new table as new_rows for each statement execute function search_documents_add_topics();
    create trigger replies_search_documents_insert after insert on replies
      referencing new table as new_rows for each statement execute function search_documents_add_replies();
    create trigger topics_search_documents_update after update of title, body_md on topics
      for each row when (old.search_vector is distinct from new.search_vector)
      execute function search_documents_change_post();
    create trigger replies_search_documents_update after update of body_md, deleted_at on replies
      for each row when (old.search_vector is distinct from new.search_vector or (old.deleted_at is null) <> (new.deleted_at is null))
      execute function search_documents_change_post();

    insert into search_documents (topic_id, document)
    select t.id, t.search_vector || coalesce(r.document, '')
    from topics t left join (
      select topic_id, search_vector_agg(search_vector order by id) as document from replies where deleted_at is null group by topic_id
    ) r on r.topic_id = t.id;

    create index search_documents_match on search_documents using gin (document);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop trigger replies_search_documents_update on replies;
    drop trigger topics_search_documents_update on topics;
    drop trigger replies_search_documents_insert on replies;
    drop trigger topics_search_documents_insert on topics;
    drop function search_documents_change_post();
    drop function search_documents_add_replies();
    drop function search_documents_add_topics();
    drop function search_documents_rebuild(bigint[]);
    drop function search_document_of(bigint);
    drop table search_documents;
    drop aggregate search_vector_agg(tsvector);
  `.execute(db);
}
