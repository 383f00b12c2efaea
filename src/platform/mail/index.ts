import nodemailer, { type Transporter } from 'nodemailer';
import type { AppContext } from '../context.ts';
import { enqueueJob, type Executor, type JobRegistry } from '../jobs/registry.ts';

export interface MailInput {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** Which message this is (`verify-email`, `password-reset`, …), for the outbox page and tests. */
  template: string;
  headers?: Record<string, string>;
}

/**
 * Mail is written to `mail_messages` in the caller's transaction and sent by the `mail.send` job, so a
 * rolled-back change sends nothing and an SMTP outage only delays a message. Without SMTP_URL the
 * message is kept for the admin outbox page.
 */
export async function queueMail(db: Executor, mail: MailInput): Promise<number> {
  const row = await db
    .insertInto('mail_messages')
    .values({
      to_address: mail.to,
      subject: mail.subject,
      text_body: mail.text,
      html_body: mail.html ?? null,
      headers: JSON.stringify(mail.headers ?? {}),
      template: mail.template,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await enqueueJob(db, 'mail.send', { messageId: row.id }, { maxAttempts: 10 });
  return row.id;
}

const transports = new Map<string, Transporter>();

function transportFor(url: string): Transporter {
  let t = transports.get(url);
  if (!t) {
    t = nodemailer.createTransport(url);
    transports.set(url, t);
  }
  return t;
}

export async function sendQueuedMail(ctx: AppContext, messageId: number): Promise<void> {
  const msg = await ctx.db.selectFrom('mail_messages').selectAll().where('id', '=', messageId).executeTakeFirst();
  if (!msg || msg.status === 'sent' || msg.status === 'kept') return;
  if (!ctx.config.smtpUrl) {
    await ctx.db.updateTable('mail_messages').set({ status: 'kept' }).where('id', '=', messageId).execute();
    return;
  }
  const headers = (msg.headers && typeof msg.headers === 'object' ? msg.headers : {}) as Record<string, string>;
  await transportFor(ctx.config.smtpUrl).sendMail({
    from: ctx.config.mailFrom,
    to: msg.to_address,
    subject: msg.subject,
    text: msg.text_body,
    html: msg.html_body ?? undefined,
    headers,
  });
  await ctx.db.updateTable('mail_messages').set({ status: 'sent', sent_at: new Date() }).where('id', '=', messageId).execute();
}

export function registerMailJobs(jobs: JobRegistry): void {
  jobs.define('mail.send', async (ctx, job) => {
    const payload = job.payload as { messageId?: unknown };
    if (typeof payload.messageId !== 'number') throw new Error('mail.send needs a numeric messageId');
    await sendQueuedMail(ctx, payload.messageId);
  });
}

export function closeMailTransports(): void {
  for (const t of transports.values()) t.close();
  transports.clear();
}
