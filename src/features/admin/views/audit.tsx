import type { HearthContext } from '../../../platform/http/env.ts';
import type { Page } from '../../../platform/http/pagination.ts';
import { DataTable, EmptyState, PageHeader, Pagination, TimeAgo } from '../../../web/components.tsx';
import type { AuditEntryView } from '../service.ts';
import { truncate, withQuery } from './shell.tsx';

export function AuditPage({ c, page }: { c: HearthContext; page: Page<AuditEntryView> }) {
  return (
    <>
      <PageHeader title="Audit log" subtitle="Who changed roles, keys, settings and jobs, newest first." />
      {page.items.length === 0 ? (
        <EmptyState icon="shield" title="Nothing recorded yet" />
      ) : (
        <DataTable caption="Audit entries, newest first" head={['When', 'Who', 'Action', 'Subject', 'Detail', 'IP']}>
          {page.items.map((e) => (
            <tr>
              <td>
                <TimeAgo date={e.createdAt} />
              </td>
              <td>{e.actorName ?? <span class="muted">{e.actorId === null ? 'system' : `#${e.actorId}`}</span>}</td>
              <td>
                <code>{e.action}</code>
              </td>
              <td>{e.subject ?? '—'}</td>
              <td class="small">
                <code>{truncate(JSON.stringify(e.detail), 160)}</code>
              </td>
              <td class="small muted">{e.ip ?? '—'}</td>
            </tr>
          ))}
        </DataTable>
      )}
      <Pagination nextHref={page.nextCursor ? withQuery(c, { cursor: page.nextCursor }) : null} />
    </>
  );
}
