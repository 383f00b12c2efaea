import { Button, Card, Notice, PageHeader } from '../../../web/components.tsx';
import { emailCategoryLabels, type EmailCategory } from '../unsubscribe.ts';

/**
 * Opening the link only asks: link scanners in mail systems fetch every URL, so a GET must not
 * unsubscribe. The form posts the token back (no CSRF token needed: the signed token is the proof).
 */
export function UnsubscribeConfirmPage({ token, category, email }: { token: string; category: EmailCategory; email: string }) {
  return (
    <div class="narrow stack">
      <PageHeader title="Unsubscribe" />
      <Card>
        <p>
          Stop sending {emailCategoryLabels[category]} to <strong>{email}</strong>?
        </p>
        <form method="post" action={`/unsubscribe?token=${encodeURIComponent(token)}`} class="form">
          <Button icon="mail">Unsubscribe</Button>
        </form>
        <p class="small muted">
          You can turn emails back on at any time in <a href="/settings/notifications">your notification settings</a>.
        </p>
      </Card>
    </div>
  );
}

export function UnsubscribedPage({ category, email }: { category: EmailCategory; email: string }) {
  return (
    <div class="narrow stack">
      <PageHeader title="You are unsubscribed" />
      <Notice tone="success">
        We will no longer send {emailCategoryLabels[category]} to {email}.
      </Notice>
      <p>
        Changed your mind? Turn it back on in <a href="/settings/notifications">your notification settings</a>.
      </p>
    </div>
  );
}

export function UnsubscribeInvalidPage() {
  return (
    <div class="narrow stack">
      <PageHeader title="This link does not work" />
      <Notice tone="warning">This unsubscribe link is not valid. It may have been cut short by your email program.</Notice>
      <p>
        <a href="/settings/notifications">Sign in and change your email settings</a> instead.
      </p>
    </div>
  );
}
