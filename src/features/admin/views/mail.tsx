import type { HearthContext } from '../../../platform/http/env.ts';
import type { Page } from '../../../platform/http/pagination.ts';
import { Badge, Card, DataTable, EmptyState, Notice, PageHeader, Pagination, TimeAgo, type Tone } from '../../../web/components.tsx';
import type { MailDetail, MailStatus, MailSummary } from '../service.ts';
import { withQuery } from './shell.tsx';

const statusTone: Record<MailStatus, Tone> = { queued: 'info', sent: 'success', kept: 'neutral', failed: 'danger' };

export function MailPage({ c, page, smtpConfigured }: { c: HearthContext; page: Page<MailSummary>; smtpConfigured: boolean }) {
  return (
    <>
      <PageHeader title="Mail outbox" subtitle="Every message the community sent or kept, newest first." />
      {!smtpConfigured && (
        <Notice tone="info">
          No SMTP server is configured (<code>SMTP_URL</code>), so mail is kept here instead of sent. Open a message to read its links, such as
          an email verification link.
        </Notice>
      )}
      {page.items.length === 0 ? (
        <EmptyState icon="mail" title="No mail yet" />
      ) : (
        <DataTable caption="Messages, newest first" head={['To', 'Subject', 'Template', 'Status', 'Created']}>
          {page.items.map((m) => (
            <tr>
              <td>{m.to}</td>
              <td>
                <a href={`/admin/mail/${m.id}`}>{m.subject}</a>
              </td>
              <td>
                <code>{m.template}</code>
              </td>
              <td>
                <Badge tone={statusTone[m.status]}>{m.status}</Badge>
              </td>
              <td>
                <TimeAgo date={m.createdAt} />
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      <Pagination nextHref={page.nextCursor ? withQuery(c, { cursor: page.nextCursor }) : null} />
    </>
  );
}

/** The HTML body is shown as escaped source: mail HTML is never placed into the admin page itself. */
export function MailDetailPage({ mail }: { mail: MailDetail }) {
  return (
    <>
      <PageHeader
        title={mail.subject}
        subtitle={
          <>
            To {mail.to} · <code>{mail.template}</code> · <Badge tone={statusTone[mail.status]}>{mail.status}</Badge> · <TimeAgo date={mail.createdAt} />
          </>
        }
        breadcrumbs={[
          { href: '/admin', label: 'Admin' },
          { href: '/admin/mail', label: 'Mail outbox' },
        ]}
      />
      <Card title="Text">
        <pre class="mail-text">{mail.text}</pre>
      </Card>
      {mail.html !== null && (
        <Card title="HTML source">
          <pre>
            <code>{mail.html}</code>
          </pre>
        </Card>
      )}
      {Object.keys(mail.headers).length > 0 && (
        <Card title="Headers">
          <pre>{Object.entries(mail.headers).map(([k, v]) => `${k}: ${v}\n`)}</pre>
        </Card>
      )}
    </>
  );
}
