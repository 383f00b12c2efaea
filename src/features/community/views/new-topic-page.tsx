import type { HearthContext } from '../../../platform/http/env.ts';
import type { FieldErrors } from '../../../platform/http/errors.ts';
import { Button, Card, Checkbox, Form, FormErrors, PageHeader, Select } from '../../../web/components.tsx';
import { isStaff, type Space } from '../service.ts';
import { TITLE_MAX_LENGTH } from '../schema.ts';
import { topicKinds, type TopicKind } from '../tables.ts';
import { kindLabels } from './parts.tsx';
import { EditorField } from './engagement-parts.tsx';
import { TagsInput, TitleWithSimilar } from '../../search/views/parts.tsx';

export interface NewTopicFormState {
  space?: string;
  kind?: string;
  title?: string;
  body?: string;
  pinned?: boolean;
  /** Comma-separated, as typed. */
  tags?: string;
  message?: string;
  fields?: FieldErrors;
}

const kindHints: Record<TopicKind, string> = {
  question: 'Question: ask for help; you can accept the answer that solves it.',
  discussion: 'Discussion: start a conversation.',
  story: 'Story: share a trip, a build or how something worked out.',
  announcement: 'Announcement: news from the team.',
};

export function NewTopicPage({ c, spaces, form }: { c: HearthContext; spaces: Space[]; form: NewTopicFormState }) {
  const viewer = c.get('user');
  const staff = isStaff(viewer);
  const chosen = spaces.find((s) => s.slug === form.space);
  const kinds = topicKinds.filter((k) => k !== 'announcement' || staff);
  const kind = form.kind ?? chosen?.defaultKind ?? 'discussion';
  return (
    <div class="stack">
      <PageHeader
        title={chosen ? `New topic in ${chosen.name}` : 'New topic'}
        breadcrumbs={chosen ? [{ href: '/', label: 'Home' }, { href: chosen.url, label: chosen.name }] : [{ href: '/', label: 'Home' }]}
      />
      <Card>
        <Form c={c} action="/new">
          <FormErrors message={form.message} fields={form.fields} />
          <Select label="Space" name="space" value={form.space} options={spaces.map((s) => ({ value: s.slug, label: s.name }))} error={form.fields?.space} />
          <Select
            label="Kind"
            name="kind"
            value={kind}
            options={kinds.map((k) => ({ value: k, label: kindLabels[k] }))}
            error={form.fields?.kind}
            hint={kinds.map((k) => kindHints[k]).join(' ')}
          />
          <TitleWithSimilar value={form.title} error={form.fields?.title} maxlength={TITLE_MAX_LENGTH} />
          <EditorField
            label="Body"
            name="body"
            rows={12}
            value={form.body}
            error={form.fields?.body}
            required
            images
            hint="Markdown works: **bold**, *italic*, [links](https://…), lists, `code` and images from https."
          />
          <TagsInput value={form.tags} error={form.fields?.tags} />
          {staff && <Checkbox label="Pin to the top of the space" name="pinned" checked={form.pinned} />}
          <div class="cluster">
            <Button icon="plus">Post topic</Button>
            <Button href={chosen?.url ?? '/'} variant="ghost">
              Cancel
            </Button>
          </div>
        </Form>
      </Card>
    </div>
  );
}
