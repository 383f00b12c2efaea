import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
export type Json = ColumnType<unknown, string | undefined, string>;

export interface DomainEventsTable {
  id: Generated<number>;
  name: string;
  payload: Json;
  actor_id: number | null;
  occurred_at: Timestamp;
}

export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'dead';

export interface JobsTable {
  id: Generated<number>;
  kind: string;
  payload: Json;
  state: ColumnType<JobState, JobState | undefined, JobState>;
  attempts: ColumnType<number, number | undefined, number>;
  max_attempts: ColumnType<number, number | undefined, number>;
  run_at: Timestamp;
  locked_at: NullableTimestamp;
  locked_by: string | null;
  last_error: string | null;
  unique_key: string | null;
  event_id: number | null;
  created_at: Timestamp;
  finished_at: NullableTimestamp;
}

export interface SchedulesTable {
  name: string;
  cron: string;
  last_slot: NullableTimestamp;
  last_run_at: NullableTimestamp;
}

export type MailStatus = 'queued' | 'sent' | 'kept' | 'failed';

export interface MailMessagesTable {
  id: Generated<number>;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string | null;
  headers: Json;
  template: string;
  status: ColumnType<MailStatus, MailStatus | undefined, MailStatus>;
  created_at: Timestamp;
  sent_at: NullableTimestamp;
}

export interface AuditLogTable {
  id: Generated<number>;
  actor_id: number | null;
  action: string;
  subject: string | null;
  detail: Json;
  ip: string | null;
  created_at: Timestamp;
}

export interface SiteSettingsTable {
  key: string;
  value: Json;
  updated_at: Timestamp;
}

export interface PlatformTables {
  site_settings: SiteSettingsTable;
  domain_events: DomainEventsTable;
  jobs: JobsTable;
  schedules: SchedulesTable;
  mail_messages: MailMessagesTable;
  audit_log: AuditLogTable;
}

export type { Timestamp, NullableTimestamp };
