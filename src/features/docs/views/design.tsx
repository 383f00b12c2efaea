import type { Child } from 'hono/jsx';
import type { HearthContext } from '../../../platform/http/env.ts';
import {
  Badge,
  Button,
  Card,
  Checkbox,
  CodeBlock,
  DataTable,
  DescriptionList,
  EmptyState,
  Field,
  Form,
  FormErrors,
  Notice,
  PageHeader,
  Pagination,
  Progress,
  Select,
  Stat,
  Tabs,
  TextArea,
  TimeAgo,
  type Tone,
} from '../../../web/components.tsx';
import { Icon } from '../../../web/icons.tsx';
import { Avatar } from '../../../web/layout.tsx';

const tones: Tone[] = ['neutral', 'info', 'success', 'warning', 'danger'];
const avatarSizes = [24, 32, 40, 48, 64, 96];
// Names chosen so their initials land on each of the twelve avatar hues.
const sampleNames = ['Maya Okafor', 'Jonas Berg', 'Priya Natarajan', 'Lucas Moreau', 'Aiko Tanaka', 'Sam Rivera', 'Noor Haddad', 'Elena Petrova', 'Tom Becker', 'Zara Ahmed', 'Ravi Shah', 'Chloe Martin'];

function Section({ id, title, children }: { id: string; title: string; children: Child }) {
  return (
    <section class="stack design-section" id={id} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{title}</h2>
      {children}
    </section>
  );
}

/** Every design-system component in its states, for visual review and screenshots (not indexed). */
export function DesignPage({ c, now }: { c: HearthContext; now: Date }) {
  return (
    <div class="stack stack-lg">
      <PageHeader
        title="Design system"
        subtitle="Every component from src/web/components.tsx in its states. Use it to review changes to app.css in both themes."
        breadcrumbs={[{ href: '/', label: 'Home' }]}
        actions={
          <>
            <Button variant="secondary" href="/api/docs" icon="code">
              API reference
            </Button>
            <Button icon="plus" href="#buttons">
              Primary action
            </Button>
          </>
        }
      />

      <Section id="buttons" title="Buttons">
        <div class="cluster">
          <Button>Primary</Button>
          <Button variant="secondary">Secondary</Button>
          <Button variant="ghost">Ghost</Button>
          <Button variant="danger">Danger</Button>
          <Button variant="primary" disabled>
            Disabled
          </Button>
        </div>
        <div class="cluster">
          <Button size="sm">Small</Button>
          <Button size="sm" variant="secondary" icon="edit">
            Edit
          </Button>
          <Button size="lg" icon="plus">
            Large with icon
          </Button>
          <Button variant="secondary" href="#buttons" icon="external">
            A link as a button
          </Button>
          <Button variant="ghost" label="Settings" type="button">
            <Icon name="settings" />
          </Button>
        </div>
      </Section>

      <Section id="forms" title="Forms">
        <div class="grid-2">
          <Card title="Create a topic" id="design-form">
            <Form c={c} action="/design">
              <FormErrors message="Please correct the highlighted fields." fields={{ title: 'Too short' }} />
              <Field label="Title" name="title" value="Hi" required error="A title needs at least 10 characters." hint="Say what you need in one line." />
              <Field label="Email" name="email" type="email" placeholder="you@example.com" autocomplete="email" />
              <Select
                label="Space"
                name="space"
                value="help"
                options={[
                  { value: 'help', label: 'Help & support' },
                  { value: 'ideas', label: 'Ideas' },
                ]}
              />
              <TextArea label="Details" name="body" rows={3} placeholder="Write in markdown…" hint="Markdown is supported." />
              <Checkbox label="Notify me about replies" name="notify" checked hint="You can change this later in Settings." />
              <div class="cluster">
                <Button type="button">Post topic</Button>
                <Button type="button" variant="ghost">
                  Cancel
                </Button>
              </div>
            </Form>
          </Card>
          <div class="stack">
            <Card title="Notices">
              <div class="stack stack-sm">
                {tones.map((tone) => (
                  <Notice tone={tone}>
                    <strong>{tone[0]?.toUpperCase() + tone.slice(1)}.</strong> A notice in the {tone} tone.
                  </Notice>
                ))}
              </div>
            </Card>
            <Card title="Badges">
              <div class="cluster">
                {tones.map((tone) => (
                  <Badge tone={tone}>{tone}</Badge>
                ))}
                <Badge tone="success">
                  <Icon name="check" size={12} /> Solved
                </Badge>
              </div>
            </Card>
          </div>
        </div>
      </Section>

      <Section id="navigation" title="Tabs and pagination">
        <Tabs
          label="Topic filters"
          items={[
            { href: '#navigation', label: 'Latest', active: true },
            { href: '#navigation', label: 'Unanswered', count: 12 },
            { href: '#navigation', label: 'Solved', count: 248 },
            { href: '#navigation', label: 'Following' },
          ]}
        />
        <Pagination prevHref="#navigation" nextHref="#navigation" />
      </Section>

      <Section id="stats" title="Stats and progress">
        <div class="grid-3">
          <Stat label="Active members" value="1,284" hint="+8% on last month" />
          <Stat label="Answer rate" value="92%" hint="questions answered within 48 h" />
          <Stat label="Support cost saved" value="£14,200" hint="this quarter" />
        </div>
        <div class="grid-2">
          <Progress label="Points to Gold tier" value={640} max={1000} hint="360 more points unlock early access to drops." />
          <DescriptionList
            items={[
              { term: 'Member since', detail: <TimeAgo date={new Date(now.getTime() - 86400_000 * 200)} now={now} /> },
              { term: 'Tier', detail: <Badge tone="warning">Gold</Badge> },
            ]}
          />
        </div>
      </Section>

      <Section id="table" title="Table">
        <DataTable caption="Top contributors" head={['Member', 'Answers', 'Points', 'Last active']} numeric={[1, 2]}>
          {sampleNames.slice(0, 4).map((name, i) => (
            <tr>
              <td>
                <span class="cluster">
                  <Avatar name={name} path={null} size={24} />
                  {name}
                </span>
              </td>
              <td class="text-right">{(48 - i * 9).toLocaleString('en')}</td>
              <td class="text-right">{(12400 - i * 2100).toLocaleString('en')}</td>
              <td>
                <TimeAgo date={new Date(now.getTime() - (i + 1) * 3_600_000 * 5)} now={now} />
              </td>
            </tr>
          ))}
        </DataTable>
      </Section>

      <Section id="avatars" title="Avatars">
        <div class="cluster">
          {avatarSizes.map((size) => (
            <Avatar name="Maya Okafor" path={null} size={size} />
          ))}
          <Avatar name="Logo" path="/assets/favicon.svg" size={48} />
        </div>
        <div class="cluster">
          {Array.from({ length: 12 }, (_, hue) => (
            <span class={`avatar avatar-initials hue-${hue}`} data-size="40" aria-hidden="true">
              {sampleNames[hue]
                ?.split(' ')
                .map((p) => p[0])
                .join('')}
            </span>
          ))}
        </div>
      </Section>

      <Section id="empty" title="Empty state and cards">
        <div class="grid-2">
          <EmptyState icon="message" title="No topics yet" action={<Button icon="plus">Start a topic</Button>}>
            Be the first to ask a question or share what you made.
          </EmptyState>
          <Card title="A card with a footer" footer={<Button size="sm" variant="secondary">Manage</Button>}>
            <p>Cards group related content. Their footer holds secondary actions.</p>
            <CodeBlock title="shell" code="npx hearth start" />
          </Card>
        </div>
      </Section>

      <Section id="admin" title="Admin shell">
        <div class="admin-layout">
          <nav class="admin-nav" aria-label="Admin (example)">
            <p class="admin-nav-heading">Community</p>
            <a href="#admin" aria-current="page">
              <Icon name="chart" size={16} /> Dashboard
            </a>
            <a href="#admin">
              <Icon name="users" size={16} /> Members
            </a>
            <a href="#admin">
              <Icon name="shield" size={16} /> Moderation
            </a>
            <p class="admin-nav-heading">Settings</p>
            <a href="#admin">
              <Icon name="key" size={16} /> API keys
            </a>
          </nav>
          <Card title="Dashboard">
            <p class="muted">The admin pages put their content here, beside the admin navigation.</p>
          </Card>
        </div>
      </Section>
      <Section id="colours" title="Colours">
        <div class="swatches">
          {['brand', 'surface', 'surface-2', 'text', 'muted', 'success', 'warning', 'danger', 'info'].map((name) => (
            <span class={`swatch swatch-${name}`}>{name}</span>
          ))}
        </div>
      </Section>

      <Section id="typography" title="Typography">
        <div class="prose">
          <h1>Heading one</h1>
          <h2>Heading two</h2>
          <h3>Heading three</h3>
          <p class="lead">A lead paragraph introduces a page in a slightly larger, quieter voice.</p>
          <p>
            Body text with a <a href="#typography">link</a>, <strong>strong</strong> and <em>emphasis</em>, inline <code>code</code> and a <kbd>Ctrl</kbd> +{' '}
            <kbd>K</kbd> shortcut. <span class="muted">Muted text</span> and <span class="small">small text</span>.
          </p>
          <blockquote>
            <p>Customers who help each other stay longer. A blockquote in rendered markdown.</p>
          </blockquote>
          <ul>
            <li>An unordered list item</li>
            <li>
              Another, with a nested list
              <ol>
                <li>First</li>
                <li>Second</li>
              </ol>
            </li>
          </ul>
          <pre>
            <code>{'const answer = await acceptAnswer(ctx, { topicId, postId });'}</code>
          </pre>
          <table>
            <thead>
              <tr>
                <th>Markdown table</th>
                <th>Value</th>
              </tr>
            </thead>
            <tbody>
              <tr>
                <td>Points per £1</td>
                <td>20</td>
              </tr>
            </tbody>
          </table>
        </div>
      </Section>
    </div>
  );
}
