import type { HearthContext } from '../../../platform/http/env.ts';
import { Badge, Button, Card, DataTable, EmptyState, Field, Form, Notice, PageHeader, TextArea, TimeAgo } from '../../../web/components.tsx';
import { Icon } from '../../../web/icons.tsx';
import { Avatar } from '../../../web/layout.tsx';
import { canModerateSpace } from '../access.ts';
import type { Space } from '../service.ts';
import { isMemberOf, listJoinableSpaces, type ClosedSpace, type SpaceMembership } from '../space-members.ts';
import { SpaceMark, visibilityLabels } from './parts.tsx';

/** What a signed-in member who is not in a private space sees at its address: who it is for, and a way in. */
export function PrivateSpacePage({ c, space }: { c: HearthContext; space: ClosedSpace }) {
  return (
    <div class="stack narrow">
      <PageHeader title={space.name} breadcrumbs={[{ href: '/', label: 'Home' }, { href: '/spaces', label: 'Spaces' }]} />
      <Card>
        <div class="stack">
          <div class="cluster">
            <SpaceMark space={space} />
            <span class="cluster">
              <Icon name="lock" size={18} />
              <strong>This space is private</strong>
            </span>
          </div>
          {space.description && <p>{space.description}</p>}
          <p class="muted">Its topics are visible to its members only. A moderator of the space decides on requests to join.</p>
          {space.requested ? (
            <Notice tone="info">Your request to join is waiting for a moderator. You will be able to read and post here once it is approved.</Notice>
          ) : (
            <Form c={c} action={`${space.url}/join`} class="stack">
              <TextArea label="A note for the moderators (optional)" name="message" rows={3} maxlength={500} />
              <div>
                <Button icon="users">Request to join</Button>
              </div>
            </Form>
          )}
        </div>
      </Card>
    </div>
  );
}

/** The spaces directory's list of private spaces the viewer could ask to join. */
export function JoinableSpaces({ c, spaces }: { c: HearthContext; spaces: ClosedSpace[] }) {
  if (spaces.length === 0) return null;
  return (
    <Card title="Private spaces you can ask to join" id="joinable-spaces">
      <ul class="list-plain stack">
        {spaces.map((s) => (
          <li class="cluster">
            <SpaceMark space={s} size={32} />
            <div class="stack">
              <strong>
                <Icon name="lock" size={14} /> {s.name}
              </strong>
              {s.description && <span class="muted small">{s.description}</span>}
            </div>
            {s.requested ? (
              <Badge tone="info">Request sent</Badge>
            ) : (
              <Form c={c} action={`${s.url}/join`}>
                <Button variant="secondary" size="sm">
                  Request to join
                </Button>
              </Form>
            )}
          </li>
        ))}
      </ul>
    </Card>
  );
}

/** The directory's joinable spaces, loaded here so the spaces page needs no change for them; visitors cost nothing. */
export async function JoinableSpacesCard({ c }: { c: HearthContext }) {
  const viewer = c.get('user');
  if (!viewer) return null;
  return <JoinableSpaces c={c} spaces={await listJoinableSpaces(c.get('app'), viewer)} />;
}

/** On a space page: the members page for its moderators, "Leave" for members of a private space. */
export async function SpaceAccessActions({ c, space }: { c: HearthContext; space: Pick<Space, 'id' | 'url' | 'name' | 'visibility'> }) {
  const viewer = c.get('user');
  if (!viewer) return null;
  const ctx = c.get('app');
  const [moderates, member] = await Promise.all([canModerateSpace(ctx, viewer, space.id), space.visibility === 'private' ? isMemberOf(ctx, viewer, space.id) : false]);
  if (!moderates && !member) return null;
  return (
    <div class="cluster">
      {moderates && (
        <Button variant="secondary" size="sm" href={`${space.url}/members`} icon="users">
          {space.visibility === 'private' ? 'Members and requests' : 'Moderators'}
        </Button>
      )}
      {member && (
        <Form c={c} action={`${space.url}/leave`}>
          <Button variant="ghost" size="sm" icon="logout" label={`Leave ${space.name}`}>
            Leave
          </Button>
        </Form>
      )}
    </div>
  );
}

export interface InviteFormState {
  username?: string;
  error?: string;
}

/** Requests, members and moderators of a space, for its moderators. */
export function SpaceMembersPage({ c, membership, invite = {} }: { c: HearthContext; membership: SpaceMembership; invite?: InviteFormState }) {
  const { space } = membership;
  const base = `${space.url}/members`;
  const now = new Date();
  return (
    <div class="stack">
      <PageHeader
        title={`Members of ${space.name}`}
        subtitle={`${visibilityLabels[space.visibility]} space`}
        breadcrumbs={[
          { href: '/spaces', label: 'Spaces' },
          { href: space.url, label: space.name },
        ]}
      />
      {space.visibility !== 'private' ? (
        <Notice tone="info">
          {space.name} is {visibilityLabels[space.visibility].toLowerCase()}: {space.visibility === 'exclusive' ? 'its access rules decide who may enter.' : 'there are no members to admit.'}
        </Notice>
      ) : (
        <>
          <Card title={`Requests to join (${membership.requests.length})`} id="requests">
            {membership.requests.length === 0 ? (
              <EmptyState icon="inbox" title="No requests waiting" />
            ) : (
              <ul class="list-plain stack">
                {membership.requests.map((r) => (
                  <li class="cluster" id={`request-${r.id}`}>
                    <Avatar name={r.user.displayName} path={r.user.avatarUrl} size={32} />
                    <div class="stack">
                      <span>
                        {r.user.displayName} <span class="muted small">@{r.user.username}</span> · <TimeAgo date={r.createdAt} now={now} />
                      </span>
                      {r.message && <span class="small">“{r.message}”</span>}
                    </div>
                    <Form c={c} action={`${base}/requests/${r.id}/approve`}>
                      <Button size="sm" icon="check">
                        Approve
                      </Button>
                    </Form>
                    <Form c={c} action={`${base}/requests/${r.id}/decline`}>
                      <Button size="sm" variant="ghost" icon="x">
                        Decline
                      </Button>
                    </Form>
                  </li>
                ))}
              </ul>
            )}
          </Card>
          <Card title="Invite a member">
            <Form c={c} action={`${base}/invite`} class="cluster">
              <Field label="Username" name="username" value={invite.username} error={invite.error} placeholder="username" />
              <Button variant="secondary" icon="plus">
                Invite
              </Button>
            </Form>
          </Card>
          <Card title={`Members (${membership.memberCount})`} id="members">
            {membership.members.length === 0 ? (
              <EmptyState icon="users" title="No members yet">
                Invite members or approve their requests.
              </EmptyState>
            ) : (
              <DataTable caption="Members" head={['Member', 'Since', '']}>
                {membership.members.map((m) => (
                  <tr>
                    <td>
                      <span class="cluster">
                        <Avatar name={m.displayName} path={m.avatarUrl} size={28} />
                        {m.displayName} <span class="muted small">@{m.username}</span>
                      </span>
                    </td>
                    <td>
                      <TimeAgo date={m.since} now={now} />
                    </td>
                    <td>
                      <Form c={c} action={`${base}/${m.id}/remove`}>
                        <Button size="sm" variant="ghost" icon="x" label={`Remove ${m.displayName}`}>
                          Remove
                        </Button>
                      </Form>
                    </td>
                  </tr>
                ))}
              </DataTable>
            )}
          </Card>
        </>
      )}
      <Card title="Moderators">
        {membership.moderators.length === 0 ? (
          <p class="muted">No space moderators; the community's staff moderate this space.</p>
        ) : (
          <ul class="list-plain cluster">
            {membership.moderators.map((m) => (
              <li class="cluster">
                <Avatar name={m.displayName} path={m.avatarUrl} size={28} />
                {m.displayName}
              </li>
            ))}
          </ul>
        )}
      </Card>
    </div>
  );
}
