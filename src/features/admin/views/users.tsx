import type { HearthContext } from '../../../platform/http/env.ts';
import type { Page } from '../../../platform/http/pagination.ts';
import { Avatar } from '../../../web/layout.tsx';
import { Badge, Button, DataTable, EmptyState, Form, PageHeader, Pagination, TimeAgo, type Tone } from '../../../web/components.tsx';
import { Icon } from '../../../web/icons.tsx';
import type { Role } from '../../accounts/tables.ts';
import { roles } from '../schema.ts';
import type { AdminUser } from '../service.ts';
import { withQuery } from './shell.tsx';

const roleTone: Record<Role, Tone> = { member: 'neutral', moderator: 'info', admin: 'warning' };

export function UsersPage({ c, page, q }: { c: HearthContext; page: Page<AdminUser>; q: string }) {
  const here = withQuery(c, {});
  return (
    <>
      <PageHeader title="Members" subtitle="Everyone with an account, newest first." />
      <form method="get" action="/admin/users" class="form cluster" role="search">
        <div class="field">
          <label for="q">Search by name or email</label>
          <input id="q" name="q" type="search" value={q} maxlength={200} />
        </div>
        <Button variant="secondary">
          <Icon name="search" size={16} /> Search
        </Button>
        {q && (
          <Button variant="ghost" href="/admin/users">
            Clear
          </Button>
        )}
      </form>
      {page.items.length === 0 ? (
        <EmptyState icon="users" title={q ? `No member matches “${q}”` : 'No members yet'} />
      ) : (
        <DataTable caption={q ? `Members matching “${q}”` : 'Members'} head={['Name', 'Email', 'Role', 'Verified', 'Joined', 'Change role']}>
          {page.items.map((u) => (
            <tr>
              <td>
                <span class="cluster">
                  <Avatar name={u.displayName} path={null} size={28} />
                  <a href={`/u/${u.username}`}>{u.displayName}</a>
                </span>
              </td>
              <td>{u.email}</td>
              <td>
                <Badge tone={roleTone[u.role]}>{u.role}</Badge>
              </td>
              <td>{u.verified ? <Badge tone="success">verified</Badge> : <Badge>unverified</Badge>}</td>
              <td>
                <TimeAgo date={u.joinedAt} />
              </td>
              <td>
                <Form c={c} action={`/admin/users/${u.id}/role`} class="cluster">
                  <input type="hidden" name="return" value={here} />
                  <label class="visually-hidden" for={`role-${u.id}`}>
                    Role for {u.displayName}
                  </label>
                  <select id={`role-${u.id}`} name="role">
                    {roles.map((r) => (
                      <option value={r} selected={r === u.role}>
                        {r}
                      </option>
                    ))}
                  </select>
                  <Button variant="secondary" size="sm">
                    Save
                  </Button>
                </Form>
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      <Pagination nextHref={page.nextCursor ? withQuery(c, { cursor: page.nextCursor }) : null} />
    </>
  );
}
