import type { Child } from 'hono/jsx';
import type { HearthContext } from '../../../platform/http/env.ts';
import type { JobState } from '../../../platform/db/platform-tables.ts';
import type { Page } from '../../../platform/http/pagination.ts';
import { Badge, Button, Card, DataTable, EmptyState, Form, PageHeader, Pagination, Tabs, TimeAgo, type Tone } from '../../../web/components.tsx';
import { Icon } from '../../../web/icons.tsx';
import { DONE_JOB_DAYS } from '../../../platform/jobs/manage.ts';
import { jobStates } from '../schema.ts';
import type { JobDetail, JobSummary, Overview } from '../service.ts';
import { truncate, withQuery } from './shell.tsx';

const stateTone: Record<JobState, Tone> = { queued: 'info', running: 'info', failed: 'warning', dead: 'danger', done: 'success' };
const retryable = (state: JobState) => state === 'failed' || state === 'dead';

function RetryForm({ c, job, returnTo }: { c: HearthContext; job: { id: number }; returnTo: string }) {
  return (
    <Form c={c} action={`/admin/jobs/${job.id}/retry`}>
      <input type="hidden" name="return" value={returnTo} />
      <Button variant="secondary" size="sm">
        <Icon name="refresh" size={16} /> Retry
      </Button>
    </Form>
  );
}

export function JobsPage({ c, state, counts, page }: { c: HearthContext; state: JobState; counts: Overview['jobs']; page: Page<JobSummary> }) {
  const here = withQuery(c, {});
  const actions =
    state === 'dead' && page.items.length > 0 ? (
      <Form c={c} action="/admin/jobs/retry-dead">
        <Button variant="secondary">
          <Icon name="refresh" size={16} /> Retry all dead
        </Button>
      </Form>
    ) : undefined;
  return (
    <>
      <PageHeader title="Jobs" subtitle={`Background work: mail, event reactions and scheduled tasks. Done jobs are kept for ${DONE_JOB_DAYS} days.`} actions={actions} />
      <Tabs
        label="Job states"
        items={jobStates.map((s) => ({
          href: `/admin/jobs?state=${s}`,
          label: s[0]?.toUpperCase() + s.slice(1),
          active: s === state,
          count: s === 'done' ? undefined : counts[s],
        }))}
      />
      {page.items.length === 0 ? (
        <EmptyState icon="check" title={`No ${state} jobs`}>
          {state === 'dead' ? 'Nothing has run out of retries.' : 'Nothing to show in this state right now.'}
        </EmptyState>
      ) : (
        <DataTable caption={`${state[0]?.toUpperCase()}${state.slice(1)} jobs, newest first`} head={['Id', 'Kind', 'Attempts', 'Run at', 'Last error', 'Created', 'Actions']}>
          {page.items.map((job) => (
            <tr>
              <td>
                <a href={`/admin/jobs/${job.id}`}>#{job.id}</a>
              </td>
              <td>
                <code>{job.kind}</code>
              </td>
              <td>
                {job.attempts}/{job.maxAttempts}
              </td>
              <td>
                <TimeAgo date={job.runAt} />
              </td>
              <td class="small">{job.lastError ? <span title={truncate(job.lastError, 500)}>{truncate(job.lastError, 80)}</span> : <span class="muted">—</span>}</td>
              <td>
                <TimeAgo date={job.createdAt} />
              </td>
              <td class="text-right">{retryable(job.state) && <RetryForm c={c} job={job} returnTo={here} />}</td>
            </tr>
          ))}
        </DataTable>
      )}
      <Pagination nextHref={page.nextCursor ? withQuery(c, { cursor: page.nextCursor }) : null} />
    </>
  );
}

export function JobDetailPage({ c, job }: { c: HearthContext; job: JobDetail }) {
  const rows: Array<[string, Child]> = [
    ['State', <Badge tone={stateTone[job.state]}>{job.state}</Badge>],
    ['Attempts', `${job.attempts} of ${job.maxAttempts}`],
    ['Run at', <TimeAgo date={job.runAt} />],
    ['Created', <TimeAgo date={job.createdAt} />],
    ['Finished', job.finishedAt ? <TimeAgo date={job.finishedAt} /> : '—'],
    ['Locked by', job.lockedBy ?? '—'],
    ['Unique key', job.uniqueKey ?? '—'],
    ['Domain event', job.eventId === null ? '—' : `#${job.eventId}`],
  ];
  return (
    <>
      <PageHeader
        title={`Job #${job.id}`}
        subtitle={<code>{job.kind}</code>}
        breadcrumbs={[
          { href: '/admin', label: 'Admin' },
          { href: `/admin/jobs?state=${job.state}`, label: 'Jobs' },
        ]}
        actions={retryable(job.state) ? <RetryForm c={c} job={job} returnTo={`/admin/jobs/${job.id}`} /> : undefined}
      />
      <Card title="Details">
        <dl class="grid-2">
          {rows.map(([label, value]) => (
            <div>
              <dt class="small muted">{label}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
      </Card>
      <Card title="Payload">
        <pre>
          <code>{JSON.stringify(job.payload, null, 2)}</code>
        </pre>
      </Card>
      <Card title="Last error">{job.lastError ? <pre>{job.lastError}</pre> : <p class="muted">No error recorded.</p>}</Card>
    </>
  );
}
