import type { HearthContext } from '../../../platform/http/env.ts';
import type { FieldErrors } from '../../../platform/http/errors.ts';
import type { SiteSettings } from '../../../platform/settings/index.ts';
import { Button, Card, Checkbox, Field, Form, FormErrors, PageHeader } from '../../../web/components.tsx';

export interface SettingsFormValues {
  siteName: string;
  tagline: string;
  brandColor: string;
  allowSignups: boolean;
}

export function SettingsPage({ c, values, errors, message }: { c: HearthContext; values: SiteSettings | SettingsFormValues; errors?: FieldErrors; message?: string }) {
  return (
    <>
      <PageHeader title="Settings" subtitle="How the community presents itself and who may join." />
      <Card>
        <Form c={c} action="/admin/settings">
          <FormErrors message={message} fields={errors} />
          <Field label="Site name" name="siteName" value={values.siteName} error={errors?.siteName} required maxlength={80} />
          <Field label="Tagline" name="tagline" value={values.tagline} error={errors?.tagline} maxlength={200} hint="Shown under the name on the home page and in search results." />
          <Field label="Brand colour" name="brandColor" value={values.brandColor} error={errors?.brandColor} required hint="A hex colour such as #c2410c; buttons and links use it." />
          <Checkbox label="Allow new members to sign up" name="allowSignups" checked={values.allowSignups} hint="When off, only existing members can sign in." />
          <Button>Save settings</Button>
        </Form>
      </Card>
    </>
  );
}
