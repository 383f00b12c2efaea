/** The account emails: plain text first (what most clients quote), with a simple HTML twin. */

export interface AccountEmail {
  subject: string;
  text: string;
  html: string;
  template: string;
}

function escapeHtml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function layout(siteName: string, paragraphs: string[], action?: { label: string; url: string }, footnote?: string): string {
  const body = paragraphs.map((p) => `<p style="margin:0 0 16px">${escapeHtml(p)}</p>`).join('\n');
  const button = action
    ? `<p style="margin:24px 0"><a href="${escapeHtml(action.url)}" style="background:#c2410c;color:#ffffff;padding:12px 20px;border-radius:6px;text-decoration:none;display:inline-block">${escapeHtml(action.label)}</a></p>
<p style="margin:0 0 16px;font-size:13px;color:#57534e">Or paste this link into your browser:<br><a href="${escapeHtml(action.url)}">${escapeHtml(action.url)}</a></p>`
    : '';
  const foot = footnote ? `<p style="margin:24px 0 0;font-size:13px;color:#57534e">${escapeHtml(footnote)}</p>` : '';
  return `<!doctype html>
<html><body style="font-family:system-ui,-apple-system,Segoe UI,sans-serif;line-height:1.5;color:#1c1917;max-width:560px;margin:0 auto;padding:24px">
<p style="margin:0 0 24px;font-weight:600">${escapeHtml(siteName)}</p>
${body}
${button}
${foot}
</body></html>`;
}

export function verifyEmailMessage(args: { siteName: string; displayName: string; link: string }): AccountEmail {
  const lines = [`Hi ${args.displayName},`, `Welcome to ${args.siteName}! Confirm your email address to finish creating your account.`];
  const footnote = 'The link works once and expires in 24 hours. If you did not sign up, ignore this email and no account will be activated.';
  return {
    subject: `Confirm your email for ${args.siteName}`,
    template: 'verify-email',
    text: `${lines.join('\n\n')}\n\n${args.link}\n\n${footnote}\n`,
    html: layout(args.siteName, lines, { label: 'Confirm my email', url: args.link }, footnote),
  };
}

export function passwordResetMessage(args: { siteName: string; displayName: string; link: string }): AccountEmail {
  const lines = [`Hi ${args.displayName},`, `Someone (hopefully you) asked to reset the password of your ${args.siteName} account. Choose a new password here:`];
  const footnote = 'The link works once and expires in 1 hour. If you did not ask for this, ignore this email; your password stays the same.';
  return {
    subject: 'Reset your password',
    template: 'password-reset',
    text: `${lines.join('\n\n')}\n\n${args.link}\n\n${footnote}\n`,
    html: layout(args.siteName, lines, { label: 'Choose a new password', url: args.link }, footnote),
  };
}

export function confirmNewEmailMessage(args: { siteName: string; displayName: string; link: string }): AccountEmail {
  const lines = [`Hi ${args.displayName},`, `Confirm that you want to use this address for your ${args.siteName} account. Your email changes only once you click the link.`];
  const footnote = 'The link works once and expires in 24 hours. If you did not ask for this, ignore this email.';
  return {
    subject: `Confirm your new email for ${args.siteName}`,
    template: 'confirm-new-email',
    text: `${lines.join('\n\n')}\n\n${args.link}\n\n${footnote}\n`,
    html: layout(args.siteName, lines, { label: 'Confirm my new email', url: args.link }, footnote),
  };
}

export function emailChangedNoticeMessage(args: { siteName: string; displayName: string; newEmail: string; resetLink: string }): AccountEmail {
  const lines = [
    `Hi ${args.displayName},`,
    `The email address of your ${args.siteName} account was changed to ${args.newEmail}. Messages now go to that address.`,
    'If you did not make this change, reset your password right away and contact the community team.',
  ];
  return {
    subject: `Your email for ${args.siteName} was changed`,
    template: 'email-changed',
    text: `${lines.join('\n\n')}\n\n${args.resetLink}\n`,
    html: layout(args.siteName, lines, { label: 'Reset my password', url: args.resetLink }),
  };
}
