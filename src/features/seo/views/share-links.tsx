import { CopyButton } from '../../../web/components.tsx';
import { Icon } from '../../../web/icons.tsx';

export interface ShareTarget {
  label: string;
  href: string;
}

/**
 * Plain links to each network's own share page: no widget script, no tracking pixel, nothing loaded
 * from elsewhere until the reader chooses to share.
 */
export function shareTargets(url: string, title: string): ShareTarget[] {
  const u = encodeURIComponent(url);
  const text = encodeURIComponent(title);
  return [
    { label: 'Email', href: `mailto:?subject=${text}&body=${encodeURIComponent(`${title}\n\n${url}`)}` },
    { label: 'WhatsApp', href: `https://wa.me/?text=${encodeURIComponent(`${title} ${url}`)}` },
    { label: 'X', href: `https://twitter.com/intent/tweet?url=${u}&text=${text}` },
    { label: 'Facebook', href: `https://www.facebook.com/sharer/sharer.php?u=${u}` },
  ];
}

/**
 * Share a page (or a referral link): copy its address, or open a network's share page in a new tab.
 * `heading` shows above the buttons; `label` names the navigation for screen readers.
 */
export function ShareLinks({ url, title, heading = 'Share', label = 'Share', copyLabel = 'Copy link' }: { url: string; title: string; heading?: string | null; label?: string; copyLabel?: string }) {
  return (
    <nav class="share-links stack" aria-label={label}>
      {heading && <strong class="small">{heading}</strong>}
      <div class="cluster">
        <CopyButton text={url} label={copyLabel} />
        {shareTargets(url, title).map((t) => {
          // A mail link opens the mail program; a new tab would stay behind empty.
          const isMail = t.href.startsWith('mailto:');
          return (
            <a class="btn btn-ghost btn-sm" href={t.href} rel="noopener noreferrer" target={isMail ? undefined : '_blank'}>
              <Icon name={isMail ? 'mail' : 'external'} size={16} />
              <span>{t.label}</span>
              {!isMail && <span class="visually-hidden"> (opens a new tab)</span>}
            </a>
          );
        })}
      </div>
    </nav>
  );
}
