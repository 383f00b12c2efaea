import type { Executor } from '../jobs/registry.ts';

export interface AuditEntry {
  /** The member who acted; null for the system or a key without an owner. */
  actorId: number | null;
  /** What happened, `<area>.<verb>`, e.g. `user.role_changed`, `api_key.created`. */
  action: string;
  /** What it happened to, e.g. `user:42`, `job:17`, `settings`. */
  subject?: string | null;
  detail?: Record<string, unknown>;
  ip?: string | null;
}

/**
 * Appends one row to the audit log. Pass the transaction that makes the change, so the entry and the
 * change commit or roll back together.
 */
export async function recordAudit(db: Executor, entry: AuditEntry): Promise<number> {
  const row = await db
    .insertInto('audit_log')
    .values({
      actor_id: entry.actorId,
      action: entry.action,
      subject: entry.subject ?? null,
      detail: JSON.stringify(entry.detail ?? {}),
      ip: entry.ip ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
