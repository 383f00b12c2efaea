import { sql, type Kysely } from 'kysely';

/**
 * The search lexicon: every word (as its `english` lexeme) that topics and replies of each space
 * contain, with how many posts hold it. Typo tolerance corrects only the words of a query that are
 * not in it, against it (one row per distinct word and space) rather than against every title; per
 * space, so a word only a hidden space uses is never offered to someone who cannot see that space.
 *
 * Triggers add the words of new, edited, moved and restored posts (new words only: `on conflict do
 * nothing` takes no lock on a word already known, so writers never queue behind one another on common
 * words); the daily `search.refreshLexicon` job recounts and drops the words of deleted posts. The
 * trigram index on titles served the old typo fallback, which matched the query against every title;
 * it goes. A narrow index lets search check the topics of replies without reading topic rows.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table search_lexicon (
      word text not null,
      space_id bigint not null references spaces (id) on delete cascade,
      ndoc integer not null,
      primary key (word, space_id)
    );
    create index search_lexicon_trgm on search_lexicon using gin (word gin_trgm_ops);

    -- Words are inserted in order, so two posts bringing the same new words cannot deadlock.
    create function search_lexicon_add_topics() returns trigger language plpgsql as $$
    begin
      insert into search_lexicon (word, space_id, ndoc)
      select w.word, n.space_id, count(*)
      from new_rows n cross join unnest(tsvector_to_array(n.search_vector)) as w (word)
      where n.deleted_at is null
      group by w.word, n.space_id
      order by w.word, n.space_id
      on conflict (word, space_id) do nothing;
      return null;
    end $$;

    create function search_lexicon_add_replies() returns trigger language plpgsql as $$
    begin
      insert into search_lexicon (word, space_id, ndoc)
      select w.word, t.space_id, count(*)
      from new_rows n join topics t on t.id = n.topic_id cross join unnest(tsvector_to_array(n.search_vector)) as w (word)
      where n.deleted_at is null
      group by w.word, t.space_id
      order by w.word, t.space_id
      on conflict (word, space_id) do nothing;
      return null;
    end $$;

    -- An edit or a restore adds the words of one post (a transition table would need a trigger on every
    -- update of the row, counters included; a row trigger can be limited to the columns that change the
    -- words). A topic moved to another space or restored brings its replies' words too.
    create function search_lexicon_add_post() returns trigger language plpgsql as $$
    begin
      if tg_table_name = 'topics' then
        insert into search_lexicon (word, space_id, ndoc)
        select w.word, new.space_id, count(*)
        from (
          select new.search_vector
          union all
          select r.search_vector from replies r
          where (old.space_id <> new.space_id or old.deleted_at is not null) and r.topic_id = new.id and r.deleted_at is null
        ) p cross join unnest(tsvector_to_array(p.search_vector)) as w (word)
        group by w.word
        order by w.word
        on conflict (word, space_id) do nothing;
      else
        insert into search_lexicon (word, space_id, ndoc)
        select w.word, t.space_id, 1 from topics t cross join unnest(tsvector_to_array(new.search_vector)) as w (word)
        where t.id = new.topic_id
        order by w.word
        on conflict (word, space_id) do nothing;
      end if;
      return null;
    end $$;

    create trigger topics_search_lexicon_insert after insert on topics
      referencing new table as new_rows for each statement execute function search_lexicon_add_topics();
    create trigger replies_search_lexicon_insert after insert on replies
      referencing new table as new_rows for each statement execute function search_lexicon_add_replies();
    create trigger topics_search_lexicon_update after update of title, body_md, space_id, deleted_at on topics
      for each row when (new.deleted_at is null and (old.search_vector is distinct from new.search_vector or old.space_id <> new.space_id or old.deleted_at is not null))
      execute function search_lexicon_add_post();
    create trigger replies_search_lexicon_update after update of body_md, deleted_at on replies
      for each row when (new.deleted_at is null and (old.search_vector is distinct from new.search_vector or old.deleted_at is not null))
      execute function search_lexicon_add_post();

    insert into search_lexicon (word, space_id, ndoc)
    select w.word, s.id, w.ndoc
    from spaces s cross join lateral ts_stat(format(
      'select search_vector from topics where space_id = %s and deleted_at is null
       union all
       select r.search_vector from replies r join topics t on t.id = r.topic_id
       where t.space_id = %s and t.deleted_at is null and r.deleted_at is null',
      s.id, s.id)) as w;

    drop index topics_title_trgm;

    -- Search checks the topic of every reply it considers (visible, in an allowed space, of the kind and
    -- state asked for): from this small index alone, not from the wide rows of topics.
    create index topics_search_scope on topics (id) include (space_id, kind, accepted_reply_id) where deleted_at is null;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop index topics_search_scope;
    create index topics_title_trgm on topics using gin (title gin_trgm_ops) where deleted_at is null;
    drop trigger replies_search_lexicon_update on replies;
    drop trigger replies_search_lexicon_insert on replies;
    drop trigger topics_search_lexicon_update on topics;
    drop trigger topics_search_lexicon_insert on topics;
    drop function search_lexicon_add_post();
    drop function search_lexicon_add_replies();
    drop function search_lexicon_add_topics();
    drop table search_lexicon;
  `.execute(db);
}
