import type { Child } from 'hono/jsx';
import type { HearthContext } from '../platform/http/env.ts';
import type { FieldErrors } from '../platform/http/errors.ts';
import { Icon } from './icons.tsx';

/**
 * The design system: every page is built from these, styled by public/app.css. Add a component here
 * rather than one-off markup in a feature's view.
 */

export type Tone = 'neutral' | 'success' | 'warning' | 'danger' | 'info';

export function PageHeader({ title, subtitle, actions, breadcrumbs }: { title: string; subtitle?: Child; actions?: Child; breadcrumbs?: Array<{ href: string; label: string }> }) {
  return (
    <header class="page-header">
      {breadcrumbs && breadcrumbs.length > 0 && (
        <nav class="breadcrumbs" aria-label="Breadcrumb">
          <ol>
            {breadcrumbs.map((b) => (
              <li>
                <a href={b.href}>{b.label}</a>
              </li>
            ))}
          </ol>
        </nav>
      )}
      <div class="page-header-row">
        <div>
          <h1>{title}</h1>
          {subtitle && <p class="page-subtitle">{subtitle}</p>}
        </div>
        {actions && <div class="page-actions">{actions}</div>}
      </div>
    </header>
  );
}

export function Card({ title, children, footer, id, class: extra }: { title?: Child; children: Child; footer?: Child; id?: string; class?: string }) {
  return (
    <section class={`card${extra ? ` ${extra}` : ''}`} id={id} aria-labelledby={title && id ? `${id}-title` : undefined}>
      {title && (
        <h2 class="card-title" id={id ? `${id}-title` : undefined}>
          {title}
        </h2>
      )}
      <div class="card-body">{children}</div>
      {footer && <div class="card-footer">{footer}</div>}
    </section>
  );
}

type ButtonVariant = 'primary' | 'secondary' | 'ghost' | 'danger';

export function Button({
  children,
  variant = 'primary',
  type = 'submit',
  href,
  size,
  name,
  value,
  disabled,
  label,
  icon,
  id,
  class: extra,
}: {
  children: Child;
  variant?: ButtonVariant;
  type?: 'submit' | 'button' | 'reset';
  href?: string;
  size?: 'sm' | 'lg';
  name?: string;
  value?: string;
  disabled?: boolean;
  /** Accessible name when the visible content is only an icon. */
  label?: string;
  /** An icon shown before the content. */
  icon?: string;
  id?: string;
  class?: string;
}) {
  const cls = `btn btn-${variant}${size ? ` btn-${size}` : ''}${extra ? ` ${extra}` : ''}`;
  const content = (
    <>
      {icon && <Icon name={icon} size={size === 'sm' ? 16 : 18} />}
      {children}
    </>
  );
  if (href) {
    return (
      <a class={cls} href={href} aria-label={label} id={id}>
        {content}
      </a>
    );
  }
  return (
    <button class={cls} type={type} name={name} value={value} disabled={disabled} aria-label={label} id={id}>
      {content}
    </button>
  );
}

/** Copies `text` to the clipboard (shell island); without JavaScript the text stays selectable beside it. */
export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  return (
    <button type="button" class="btn btn-ghost btn-sm copy-button" data-copy={text} aria-label={label}>
      <Icon name="copy" size={16} />
      <span class="copy-label">Copy</span>
      <span class="copied-label" aria-live="polite">
        Copied
      </span>
    </button>
  );
}

/** Preformatted code with a copy button; `title` names it (a file, a language or a command). */
export function CodeBlock({ code, title }: { code: string; title?: string }) {
  return (
    <div class="code-block">
      <div class="code-block-bar">
        <span class="code-block-title">{title ?? ''}</span>
        <CopyButton text={code} label={title ? `Copy ${title}` : 'Copy code'} />
      </div>
      <pre>
        <code>{code}</code>
      </pre>
    </div>
  );
}

export function CsrfField({ c }: { c: HearthContext }) {
  return <input type="hidden" name="_csrf" value={c.get('csrfToken')} />;
}

/** A POST form with the CSRF token; it works without JavaScript. */
export function Form({ c, action, children, class: extra, multipart, id }: { c: HearthContext; action: string; children: Child; class?: string; multipart?: boolean; id?: string }) {
  return (
    <form method="post" action={action} class={`form${extra ? ` ${extra}` : ''}`} enctype={multipart ? 'multipart/form-data' : undefined} id={id} novalidate>
      <CsrfField c={c} />
      {children}
    </form>
  );
}

interface FieldProps {
  label: string;
  name: string;
  type?: string;
  value?: string;
  error?: string;
  hint?: Child;
  required?: boolean;
  autocomplete?: string;
  placeholder?: string;
  minlength?: number;
  maxlength?: number;
  autofocus?: boolean;
  accept?: string;
}

function describedBy(name: string, hint: unknown, error: unknown): string | undefined {
  const ids = [hint ? `${name}-hint` : '', error ? `${name}-error` : ''].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

function FieldMessages({ name, hint, error }: { name: string; hint?: Child; error?: string }) {
  return (
    <>
      {hint && (
        <p class="field-hint" id={`${name}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p class="field-error" id={`${name}-error`}>
          <Icon name="alert" size={16} />
          {error}
        </p>
      )}
    </>
  );
}

export function Field({ label, name, type = 'text', value, error, hint, required, autocomplete, placeholder, minlength, maxlength, autofocus, accept }: FieldProps) {
  return (
    <div class={`field${error ? ' field-invalid' : ''}`}>
      <label for={name}>
        {label}
        {required && <span class="field-required" aria-hidden="true"> *</span>}
      </label>
      <input
        id={name}
        name={name}
        type={type}
        value={type === 'password' || type === 'file' ? undefined : value}
        required={required}
        autocomplete={autocomplete}
        placeholder={placeholder}
        minlength={minlength}
        maxlength={maxlength}
        autofocus={autofocus}
        accept={accept}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(name, hint, error)}
      />
      <FieldMessages name={name} hint={hint} error={error} />
    </div>
  );
}

export function TextArea({ label, name, value, error, hint, required, rows = 5, maxlength, placeholder }: FieldProps & { rows?: number }) {
  return (
    <div class={`field${error ? ' field-invalid' : ''}`}>
      <label for={name}>
        {label}
        {required && <span class="field-required" aria-hidden="true"> *</span>}
      </label>
      <textarea
        id={name}
        name={name}
        rows={rows}
        required={required}
        maxlength={maxlength}
        placeholder={placeholder}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(name, hint, error)}
      >
        {value ?? ''}
      </textarea>
      <FieldMessages name={name} hint={hint} error={error} />
    </div>
  );
}

export function Select({ label, name, value, options, error, hint }: { label: string; name: string; value?: string; options: Array<{ value: string; label: string }>; error?: string; hint?: Child }) {
  return (
    <div class={`field${error ? ' field-invalid' : ''}`}>
      <label for={name}>{label}</label>
      <select id={name} name={name} aria-invalid={error ? 'true' : undefined} aria-describedby={describedBy(name, hint, error)}>
        {options.map((o) => (
          <option value={o.value} selected={o.value === value}>
            {o.label}
          </option>
        ))}
      </select>
      <FieldMessages name={name} hint={hint} error={error} />
    </div>
  );
}

export function Checkbox({ label, name, checked, value = 'on', hint }: { label: Child; name: string; checked?: boolean; value?: string; hint?: Child }) {
  const id = `${name}-${value}`;
  return (
    <div class="field field-check">
      <input type="checkbox" id={id} name={name} value={value} checked={checked} aria-describedby={hint ? `${id}-hint` : undefined} />
      <label for={id}>{label}</label>
      {hint && (
        <p class="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
    </div>
  );
}

/** The summary above a form that failed validation; each field also shows its own message. */
export function FormErrors({ message, fields }: { message?: string; fields?: FieldErrors }) {
  if (!message && !fields) return null;
  return (
    <div class="notice notice-danger" role="alert">
      <Icon name="alert" size={18} />
      <div>
        <p>{message ?? 'Please correct the highlighted fields.'}</p>
        {fields && fields['_'] && <p>{fields['_']}</p>}
      </div>
    </div>
  );
}

export function Notice({ tone = 'info', children }: { tone?: Tone; children: Child }) {
  return (
    <div class={`notice notice-${tone}`} role={tone === 'danger' ? 'alert' : 'status'}>
      <Icon name={tone === 'success' ? 'checkCircle' : tone === 'danger' || tone === 'warning' ? 'alert' : 'info'} size={18} />
      <div>{children}</div>
    </div>
  );
}

export function Badge({ tone = 'neutral', children }: { tone?: Tone; children: Child }) {
  return <span class={`badge badge-${tone}`}>{children}</span>;
}

export function Tabs({ items, label }: { items: Array<{ href: string; label: string; active?: boolean; count?: number }>; label: string }) {
  return (
    <nav class="tabs" aria-label={label}>
      {items.map((t) => (
        <a href={t.href} aria-current={t.active ? 'page' : undefined}>
          {t.label}
          {t.count !== undefined && <span class="tab-count">{t.count}</span>}
        </a>
      ))}
    </nav>
  );
}

export function EmptyState({ icon = 'inbox', title, children, action }: { icon?: string; title: string; children?: Child; action?: Child }) {
  return (
    <div class="empty-state">
      <span class="empty-icon" aria-hidden="true">
        <Icon name={icon} size={28} />
      </span>
      <h3>{title}</h3>
      {children && <p>{children}</p>}
      {action}
    </div>
  );
}

/** Cursor pagination: links to the next (and, where known, previous) page. */
export function Pagination({ nextHref, prevHref }: { nextHref?: string | null; prevHref?: string | null }) {
  if (!nextHref && !prevHref) return null;
  return (
    <nav class="pagination" aria-label="Pagination">
      {prevHref ? (
        <a class="btn btn-secondary btn-sm" href={prevHref} rel="prev">
          <Icon name="chevronLeft" size={16} /> Newer
        </a>
      ) : (
        <span />
      )}
      {nextHref && (
        <a class="btn btn-secondary btn-sm" href={nextHref} rel="next">
          Older <Icon name="chevronRight" size={16} />
        </a>
      )}
    </nav>
  );
}

/** Progress towards a goal (points to the next tier, a setup checklist); a native <progress>, so no inline width. */
export function Progress({ label, value, max, hint }: { label: string; value: number; max: number; hint?: Child }) {
  const id = `progress-${label.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return (
    <div class="progress">
      <div class="progress-row">
        <label for={id}>{label}</label>
        <span class="muted small">
          {value.toLocaleString('en')} / {max.toLocaleString('en')}
        </span>
      </div>
      <progress id={id} value={Math.min(Math.max(value, 0), max)} max={max}>
        {Math.round((value / (max || 1)) * 100)}%
      </progress>
      {hint && <p class="field-hint">{hint}</p>}
    </div>
  );
}

/** Label/value pairs (a member's details, a record in the admin). */
export function DescriptionList({ items }: { items: Array<{ term: Child; detail: Child }> }) {
  return (
    <dl class="description-list">
      {items.map((item) => (
        <div>
          <dt>{item.term}</dt>
          <dd>{item.detail}</dd>
        </div>
      ))}
    </dl>
  );
}

export function Stat({ label, value, hint }: { label: string; value: Child; hint?: Child }) {
  return (
    <div class="stat">
      <span class="stat-label">{label}</span>
      <span class="stat-value">{value}</span>
      {hint && <span class="stat-hint">{hint}</span>}
    </div>
  );
}

/**
 * A data table; wrap keeps wide tables scrollable on small screens. `numeric` lists the indexes of
 * columns holding numbers, whose headings align right (give their cells `class="text-right"`).
 */
export function DataTable({ caption, head, children, numeric = [] }: { caption?: string; head: string[]; children: Child; numeric?: number[] }) {
  return (
    <div class="table-wrap">
      <table class="table">
        {caption && <caption>{caption}</caption>}
        <thead>
          <tr>
            {head.map((h, i) => (
              <th scope="col" class={numeric.includes(i) ? 'text-right' : undefined}>
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
const absolute = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });

/** "3 hours ago", with the exact UTC time on hover and for machines. */
export function TimeAgo({ date, now = new Date() }: { date: Date; now?: Date }) {
  const seconds = Math.round((date.getTime() - now.getTime()) / 1000);
  const abs = Math.abs(seconds);
  const [value, unit]: [number, Intl.RelativeTimeFormatUnit] =
    abs < 60 ? [seconds, 'second'] : abs < 3600 ? [Math.round(seconds / 60), 'minute'] : abs < 86400 ? [Math.round(seconds / 3600), 'hour'] : abs < 86400 * 30 ? [Math.round(seconds / 86400), 'day'] : abs < 86400 * 365 ? [Math.round(seconds / (86400 * 30)), 'month'] : [Math.round(seconds / (86400 * 365)), 'year'];
  return (
    <time datetime={date.toISOString()} title={`${absolute.format(date)} UTC`}>
      {relative.format(value, unit)}
    </time>
  );
}
