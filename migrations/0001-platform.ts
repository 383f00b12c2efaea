import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table domain_events (
      id bigint generated always as identity primary key,
      name text not null,
      payload jsonb not null,
      actor_id bigint,
      occurred_at timestamptz not null default now()
    );
    create index domain_events_name_time on domain_events (name, occurred_at);

    create table jobs (
      id bigint generated always as identity primary key,
      kind text not null,
      payload jsonb not null default '{}',
      state text not null default 'queued' check (state in ('queued', 'running', 'done', 'failed', 'dead')),
      attempts integer not null default 0,
      max_attempts integer not null default 8,
      run_at timestamptz not null default now(),
      locked_at timestamptz,
      locked_by text,
      last_error text,
      unique_key text,
      event_id bigint references domain_events (id),
      created_at timestamptz not null default now(),
      finished_at timestamptz
    );
    create index jobs_claim on jobs (run_at) where state in ('queued', 'failed');
    create index jobs_state_time on jobs (state, created_at desc);
    create unique index jobs_unique_key on jobs (unique_key) where unique_key is not null;

    create table schedules (
      name text primary key,
      cron text not null,
      last_slot timestamptz,
      last_run_at timestamptz
    );

    create table mail_messages (
      id bigint generated always as identity primary key,
      to_address text not null,
      subject text not null,
      text_body text not null,
      html_body text,
      headers jsonb not null default '{}',
      template text not null,
      status text not null default 'queued' check (status in ('queued', 'sent', 'kept', 'failed')),
      created_at timestamptz not null default now(),
      sent_at timestamptz
    );
    create index mail_messages_time on mail_messages (created_at desc, id desc);

    create table site_settings (
      key text primary key,
      value jsonb not null,
      updated_at timestamptz not null default now()
    );

    create table audit_log (
      id bigint generated always as identity primary key,
      actor_id bigint,
      action text not null,
      subject text,
      detail jsonb not null default '{}',
      ip text,
      created_at timestamptz not null default now()
    );
    create index audit_log_time on audit_log (created_at desc, id desc);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table audit_log, site_settings, mail_messages, schedules, jobs, domain_events`.execute(db);
}
