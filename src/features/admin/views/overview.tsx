import { Card, PageHeader, Stat } from '../../../web/components.tsx';
import { Icon } from '../../../web/icons.tsx';
import type { Overview } from '../service.ts';

export function OverviewPage({ overview }: { overview: Overview }) {
  const { jobs } = overview;
  return (
    <>
      <PageHeader title="Admin" subtitle="The state of the community and its background work." />
      <div class="grid-3">
        <Stat label="Members" value={overview.members} hint={`${overview.verifiedMembers} verified`} />
        <Stat label="Verified members" value={overview.verifiedMembers} />
        <Stat label="Jobs queued" value={jobs.queued} hint={jobs.running ? `${jobs.running} running` : undefined} />
        <Stat label="Jobs failed" value={jobs.failed} hint="retrying with backoff" />
        <Stat label="Jobs dead" value={jobs.dead} hint={jobs.dead ? 'need a look' : 'none'} />
        <Stat label="Mail in the outbox" value={overview.mailKept} hint="kept because no SMTP server is set" />
      </div>
      <Card title="Quick links">
        <ul class="list-plain stack">
          <li>
            <a href="/admin/users">
              <Icon name="users" size={16} /> Members and roles
            </a>
          </li>
          <li>
            <a href="/admin/jobs?state=dead">
              <Icon name="alert" size={16} /> Dead jobs
            </a>
          </li>
          <li>
            <a href="/admin/mail">
              <Icon name="mail" size={16} /> Mail outbox (verification links when no SMTP is set)
            </a>
          </li>
          <li>
            <a href="/admin/api-keys">
              <Icon name="key" size={16} /> API keys
            </a>
          </li>
          <li>
            <a href="/admin/settings">
              <Icon name="settings" size={16} /> Site settings
            </a>
          </li>
          <li>
            <a href="/api/docs">
              <Icon name="code" size={16} /> API documentation
            </a>
          </li>
        </ul>
      </Card>
    </>
  );
}
