// Live updates over Server-Sent Events: the header bell's unread count, and new replies and reactions on
// an open topic page. Without JavaScript the page simply shows them on the next load.

const MAX_BACKOFF_MS = 60_000;

type Handlers = Record<string, (data: string) => void>;

/**
 * Opens an EventSource and keeps it open: when it fails (server restarting, network gone) it is closed
 * and reopened after a growing, jittered delay, so a fleet of tabs does not reconnect in one burst.
 */
function keepConnected(url: string, handlers: Handlers): void {
  let attempt = 0;
  const open = (): void => {
    const source = new EventSource(url);
    source.addEventListener('ready', () => {
      attempt = 0;
    });
    for (const [name, handle] of Object.entries(handlers)) {
      source.addEventListener(name, (event) => {
        if (event instanceof MessageEvent && typeof event.data === 'string') handle(event.data);
      });
    }
    source.addEventListener('error', () => {
      source.close();
      const delay = Math.min(1000 * 2 ** attempt, MAX_BACKOFF_MS) * (0.75 + Math.random() * 0.5);
      attempt++;
      window.setTimeout(open, delay);
    });
  };
  open();
}

function parse(data: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(data);
    return value && typeof value === 'object' ? Object.fromEntries(Object.entries(value)) : null;
  } catch {
    return null;
  }
}

let announcer: HTMLElement | null = null;

/** Tells screen-reader users what appeared, without moving their focus. */
function announce(message: string): void {
  if (!announcer) {
    announcer = document.createElement('div');
    announcer.className = 'visually-hidden';
    announcer.setAttribute('role', 'status');
    announcer.setAttribute('aria-live', 'polite');
    document.body.append(announcer);
  }
  announcer.textContent = message;
}

function watchBell(bell: HTMLElement): void {
  const url = bell.dataset.liveBell;
  if (!url) return;
  keepConnected(url, {
    count(data) {
      const payload = parse(data);
      if (!payload || typeof payload.unread !== 'number') return;
      const badge = bell.querySelector<HTMLElement>('[data-bell-count]');
      if (badge) {
        badge.textContent = typeof payload.label === 'string' ? payload.label : String(payload.unread);
        badge.hidden = payload.unread === 0;
      }
      if (typeof payload.ariaLabel === 'string') bell.setAttribute('aria-label', payload.ariaLabel);
    },
  });
}

/** htmx, when the page loaded it, must see inserted markup to wire its hx-* attributes. */
function processWithHtmx(node: Element): void {
  const htmx: unknown = Reflect.get(window, 'htmx');
  if (htmx && typeof htmx === 'object' && 'process' in htmx && typeof htmx.process === 'function') htmx.process(node);
}

function watchTopic(list: HTMLElement): void {
  const topicId = list.dataset.liveTopic;
  if (!topicId) return;
  keepConnected(`/live?topic=${encodeURIComponent(topicId)}`, {
    reply(data) {
      const payload = parse(data);
      if (!payload || typeof payload.id !== 'number' || typeof payload.html !== 'string') return;
      // Our own reply (after the post-redirect) or a repeat after reconnecting is already on the page.
      if (document.getElementById(`reply-${payload.id}`)) return;
      // The server rendered and sanitised this fragment, as it does for the page itself.
      const template = document.createElement('template');
      template.innerHTML = payload.html;
      const item = template.content.firstElementChild;
      if (!item) return;
      list.append(item);
      list.hidden = false;
      processWithHtmx(item);
      announce(`New reply from ${typeof payload.author === 'string' ? payload.author : 'a member'}`);
    },
    reaction(data) {
      const payload = parse(data);
      if (payload) document.dispatchEvent(new CustomEvent('hearth:reaction', { detail: payload }));
    },
  });
}

const bell = document.querySelector<HTMLElement>('[data-live-bell]');
if (bell) watchBell(bell);
const replyList = document.querySelector<HTMLElement>('[data-live-topic]');
if (replyList) watchTopic(replyList);
