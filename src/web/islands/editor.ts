// The Markdown editor: enhances each `[data-editor]` textarea with a formatting toolbar, Write/Preview
// tabs (the preview is rendered by the server, through the same sanitiser as posts), an image upload
// button and @mention suggestions. Without this script the textarea works as it is.

const PREVIEW_URL = '/api/v1/markdown/preview';
const UPLOAD_URL = '/api/v1/uploads';
const MENTIONS_URL = '/api/v1/mentions';

let uid = 0;
const nextId = (prefix: string) => `${prefix}-${++uid}`;

function csrfToken(): string {
  return document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? '';
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

async function errorMessage(res: Response, fallback: string): Promise<string> {
  try {
    const body: unknown = await res.json();
    if (body && typeof body === 'object' && 'error' in body) {
      const error: unknown = body.error;
      if (error && typeof error === 'object') {
        const fields = 'fields' in error && error.fields && typeof error.fields === 'object' ? Object.values(error.fields) : [];
        const first = fields.find((f): f is string => typeof f === 'string');
        if (first) return first;
        if ('message' in error && typeof error.message === 'string') return error.message;
      }
    }
  } catch {
    // not JSON: keep the fallback
  }
  return fallback;
}

// Editing the text: every change goes through setRangeText so the browser's undo history keeps working
// where it can, and an `input` event lets other listeners (mentions) see it.

function replaceSelection(area: HTMLTextAreaElement, text: string, selectStart?: number, selectEnd?: number): void {
  const start = area.selectionStart;
  area.focus();
  area.setRangeText(text, start, area.selectionEnd, 'end');
  if (selectStart !== undefined) area.setSelectionRange(start + selectStart, start + (selectEnd ?? selectStart));
  area.dispatchEvent(new Event('input', { bubbles: true }));
}

function wrapSelection(area: HTMLTextAreaElement, before: string, after: string, placeholder: string): void {
  const selected = area.value.slice(area.selectionStart, area.selectionEnd) || placeholder;
  replaceSelection(area, before + selected + after, before.length, before.length + selected.length);
}

/** Prefixes each selected line (or the current line), e.g. `> ` for a quote or `- ` for a list. */
function prefixLines(area: HTMLTextAreaElement, prefix: string, placeholder: string): void {
  const value = area.value;
  const lineStart = value.lastIndexOf('\n', area.selectionStart - 1) + 1;
  const lineEnd = area.selectionEnd;
  const block = value.slice(lineStart, lineEnd) || placeholder;
  const prefixed = block
    .split('\n')
    .map((line) => prefix + line)
    .join('\n');
  area.setSelectionRange(lineStart, lineEnd);
  replaceSelection(area, prefixed, 0, prefixed.length);
}

function insertBlock(area: HTMLTextAreaElement, text: string): void {
  const before = area.value.slice(0, area.selectionStart);
  const lead = before === '' || before.endsWith('\n\n') ? '' : before.endsWith('\n') ? '\n' : '\n\n';
  replaceSelection(area, `${lead}${text}\n\n`);
}

interface ToolbarAction {
  name: string;
  label: string;
  glyph: string;
  shortcut?: string;
  run(area: HTMLTextAreaElement): void;
}

const actions: ToolbarAction[] = [
  { name: 'bold', label: 'Bold', glyph: 'B', shortcut: 'b', run: (a) => wrapSelection(a, '**', '**', 'bold text') },
  { name: 'italic', label: 'Italic', glyph: 'I', shortcut: 'i', run: (a) => wrapSelection(a, '_', '_', 'italic text') },
  {
    name: 'link',
    label: 'Link',
    glyph: '🔗',
    shortcut: 'k',
    run: (a) => {
      const selected = a.value.slice(a.selectionStart, a.selectionEnd) || 'link text';
      const text = `[${selected}](https://)`;
      replaceSelection(a, text, selected.length + 3, text.length - 1);
    },
  },
  { name: 'quote', label: 'Quote', glyph: '❝', run: (a) => prefixLines(a, '> ', 'quoted text') },
  {
    name: 'code',
    label: 'Code',
    glyph: '</>',
    run: (a) => {
      const selected = a.value.slice(a.selectionStart, a.selectionEnd);
      if (selected.includes('\n')) replaceSelection(a, '```\n' + selected + '\n```', 4, 4 + selected.length);
      else wrapSelection(a, '`', '`', 'code');
    },
  },
  { name: 'list', label: 'Bulleted list', glyph: '•', run: (a) => prefixLines(a, '- ', 'list item') },
];

/** Arrow keys move between a group's items (toolbar buttons, tabs); one item is in the tab order. */
function rovingFocus(items: HTMLElement[], onMove?: (item: HTMLElement) => void): void {
  items.forEach((item, i) => {
    item.tabIndex = i === 0 ? 0 : -1;
    item.addEventListener('keydown', (event) => {
      const delta = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
      const jump = event.key === 'Home' ? 0 : event.key === 'End' ? items.length - 1 : -1;
      if (!delta && jump < 0) return;
      event.preventDefault();
      const target = items[jump >= 0 ? jump : (i + delta + items.length) % items.length];
      if (!target) return;
      for (const other of items) other.tabIndex = -1;
      target.tabIndex = 0;
      target.focus();
      onMove?.(target);
    });
  });
}

interface MentionSuggestion {
  username: string;
  displayName: string;
}

function isMentionList(body: unknown): body is { items: MentionSuggestion[] } {
  return !!body && typeof body === 'object' && 'items' in body && Array.isArray(body.items);
}

function enhance(root: HTMLElement): void {
  const found = root.querySelector('textarea');
  if (!found || root.dataset.enhanced) return;
  // A constant the closures below can rely on.
  const area: HTMLTextAreaElement = found;
  root.dataset.enhanced = 'true';
  const field = area.closest<HTMLElement>('.field') ?? area;
  const status = el('p', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });

  // Write / Preview tabs
  const writeId = field.id || nextId('editor-write');
  field.id = writeId;
  const previewPanel = el('div', { id: nextId('editor-preview'), class: 'prose editor-preview', role: 'tabpanel', 'aria-live': 'polite', tabindex: '0' });
  previewPanel.hidden = true;
  const tablist = el('div', { role: 'tablist', class: 'tabs editor-tabs', 'aria-label': 'Editor mode' });
  const writeTab = el('button', { type: 'button', role: 'tab', id: nextId('editor-tab'), 'aria-controls': writeId, 'aria-selected': 'true' }, 'Write');
  const previewTab = el('button', { type: 'button', role: 'tab', id: nextId('editor-tab'), 'aria-controls': previewPanel.id, 'aria-selected': 'false' }, 'Preview');
  field.setAttribute('role', 'tabpanel');
  field.setAttribute('aria-labelledby', writeTab.id);
  previewPanel.setAttribute('aria-labelledby', previewTab.id);
  tablist.append(writeTab, previewTab);

  // Toolbar
  const toolbar = el('div', { role: 'toolbar', class: 'cluster editor-toolbar', 'aria-label': 'Formatting', 'aria-controls': area.id });
  const buttons: HTMLButtonElement[] = [];
  for (const action of actions) {
    const button = el('button', { type: 'button', class: `btn btn-ghost btn-sm editor-${action.name}`, 'aria-label': action.label, title: action.shortcut ? `${action.label} (Ctrl+${action.shortcut.toUpperCase()})` : action.label }, action.glyph);
    button.addEventListener('click', () => action.run(area));
    buttons.push(button);
    toolbar.append(button);
  }
  if (root.dataset.images === 'true') {
    const fileInput = el('input', { type: 'file', accept: 'image/png,image/jpeg,image/webp,image/gif', class: 'visually-hidden', tabindex: '-1', 'aria-hidden': 'true' });
    const button = el('button', { type: 'button', class: 'btn btn-ghost btn-sm editor-image', 'aria-label': 'Upload an image', title: 'Upload an image' }, '🖼');
    button.addEventListener('click', () => fileInput.click());
    fileInput.addEventListener('change', () => {
      const file = fileInput.files?.[0];
      if (file) void upload(file);
      fileInput.value = '';
    });
    buttons.push(button);
    toolbar.append(button, fileInput);
    root.querySelector('.editor-fallback')?.remove();
  }
  rovingFocus(buttons);

  root.prepend(tablist, toolbar);
  field.after(previewPanel);
  root.append(status);

  async function upload(file: File): Promise<void> {
    status.textContent = `Uploading ${file.name}…`;
    const form = new FormData();
    form.append('image', file);
    form.append('alt', file.name.replace(/\.[a-z0-9]+$/i, '').replace(/[-_]+/g, ' '));
    try {
      const res = await fetch(UPLOAD_URL, { method: 'POST', body: form, headers: { 'X-CSRF-Token': csrfToken(), Accept: 'application/json' }, credentials: 'same-origin' });
      if (!res.ok) {
        status.textContent = await errorMessage(res, 'The image could not be uploaded.');
        return;
      }
      const body: unknown = await res.json();
      if (body && typeof body === 'object' && 'markdown' in body && typeof body.markdown === 'string') {
        insertBlock(area, body.markdown);
        status.textContent = 'Image uploaded and added to your post.';
      }
    } catch {
      status.textContent = 'The image could not be uploaded: check your connection.';
    }
  }

  function selectTab(preview: boolean): void {
    writeTab.setAttribute('aria-selected', String(!preview));
    previewTab.setAttribute('aria-selected', String(preview));
    writeTab.tabIndex = preview ? -1 : 0;
    previewTab.tabIndex = preview ? 0 : -1;
    field.hidden = preview;
    toolbar.hidden = preview;
    previewPanel.hidden = !preview;
    if (preview) void renderPreview();
  }

  async function renderPreview(): Promise<void> {
    if (area.value.trim() === '') {
      previewPanel.textContent = 'Nothing to preview yet.';
      return;
    }
    previewPanel.textContent = 'Loading preview…';
    try {
      const res = await fetch(PREVIEW_URL, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': csrfToken() },
        credentials: 'same-origin',
        body: JSON.stringify({ markdown: area.value }),
      });
      if (!res.ok) {
        previewPanel.textContent = await errorMessage(res, 'The preview could not be rendered.');
        return;
      }
      const body: unknown = await res.json();
      // The server sanitised this HTML exactly as it will when the post is saved.
      if (body && typeof body === 'object' && 'html' in body && typeof body.html === 'string') previewPanel.innerHTML = body.html;
    } catch {
      previewPanel.textContent = 'The preview could not be loaded: check your connection.';
    }
  }

  writeTab.addEventListener('click', () => selectTab(false));
  previewTab.addEventListener('click', () => selectTab(true));
  rovingFocus([writeTab, previewTab], (tab) => selectTab(tab === previewTab));
  writeTab.tabIndex = 0;
  previewTab.tabIndex = -1;

  area.addEventListener('keydown', (event) => {
    if (!(event.ctrlKey || event.metaKey) || event.altKey) return;
    const action = actions.find((a) => a.shortcut === event.key.toLowerCase());
    if (!action) return;
    event.preventDefault();
    action.run(area);
  });

  setUpMentions(root, area);
}

/** @mention suggestions: a listbox under the textarea, driven from the keyboard while typing. */
function setUpMentions(root: HTMLElement, area: HTMLTextAreaElement): void {
  const topicId = root.dataset.topicId;
  const listbox = el('ul', { role: 'listbox', id: nextId('editor-mentions'), class: 'list-plain card editor-suggestions', 'aria-label': 'Members to mention' });
  listbox.hidden = true;
  area.after(listbox);
  area.setAttribute('aria-autocomplete', 'list');
  area.setAttribute('aria-controls', listbox.id);
  area.setAttribute('aria-expanded', 'false');

  let items: MentionSuggestion[] = [];
  let active = -1;
  let query: { start: number; text: string } | null = null;
  let timer: number | undefined;
  let seq = 0;

  function close(): void {
    items = [];
    active = -1;
    listbox.hidden = true;
    listbox.replaceChildren();
    area.setAttribute('aria-expanded', 'false');
    area.removeAttribute('aria-activedescendant');
  }

  function highlight(index: number): void {
    active = index;
    listbox.querySelectorAll('[role="option"]').forEach((option, i) => option.setAttribute('aria-selected', String(i === index)));
    const option = listbox.children[index];
    if (option) area.setAttribute('aria-activedescendant', option.id);
  }

  function choose(index: number): void {
    const item = items[index];
    if (!item || !query) return;
    area.setSelectionRange(query.start, area.selectionStart);
    replaceSelection(area, `@${item.username} `);
    close();
  }

  function show(found: MentionSuggestion[]): void {
    items = found;
    listbox.replaceChildren(
      ...found.map((item, i) => {
        const option = el('li', { role: 'option', id: `${listbox.id}-${i}`, 'aria-selected': 'false', class: 'editor-suggestion' });
        option.append(el('strong', {}, `@${item.username}`), document.createTextNode(' '), el('span', { class: 'muted' }, item.displayName));
        // mousedown, not click: the textarea must keep focus and its caret.
        option.addEventListener('mousedown', (event) => {
          event.preventDefault();
          choose(i);
        });
        return option;
      }),
    );
    listbox.hidden = found.length === 0;
    area.setAttribute('aria-expanded', String(found.length > 0));
    if (found.length > 0) highlight(0);
  }

  async function lookUp(text: string): Promise<void> {
    const mine = ++seq;
    const params = new URLSearchParams({ q: text });
    if (topicId) params.set('topicId', topicId);
    try {
      const res = await fetch(`${MENTIONS_URL}?${params}`, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
      if (!res.ok || mine !== seq) return;
      const body: unknown = await res.json();
      if (mine === seq && isMentionList(body)) show(body.items);
    } catch {
      close();
    }
  }

  area.addEventListener('input', () => {
    const before = area.value.slice(0, area.selectionStart);
    const match = /(^|\s)@([\p{L}\p{N}_.-]{1,30})$/u.exec(before);
    window.clearTimeout(timer);
    if (!match?.[2]) {
      query = null;
      close();
      return;
    }
    query = { start: area.selectionStart - match[2].length - 1, text: match[2] };
    const text = match[2];
    timer = window.setTimeout(() => void lookUp(text), 150);
  });

  area.addEventListener('keydown', (event) => {
    if (listbox.hidden || items.length === 0) return;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      highlight((active + (event.key === 'ArrowDown' ? 1 : -1) + items.length) % items.length);
    } else if (event.key === 'Enter' || event.key === 'Tab') {
      event.preventDefault();
      choose(active);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      close();
    }
  });

  area.addEventListener('blur', () => window.setTimeout(close, 100));
}

/**
 * "Quote" on a reply quotes the text selected in that reply straight into the reply box; with nothing
 * selected, the link loads the page with the whole reply quoted by the server.
 */
document.addEventListener('click', (event) => {
  const link = event.target instanceof Element ? event.target.closest<HTMLAnchorElement>('[data-quote-reply]') : null;
  const area = document.querySelector<HTMLTextAreaElement>('#reply-form textarea');
  if (!link || !area) return;
  const post = link.closest('li');
  const selection = window.getSelection();
  const selected = selection?.toString().trim() ?? '';
  if (!post || !selected || !selection?.anchorNode || !post.contains(selection.anchorNode)) return;
  event.preventDefault();
  const username = post.querySelector('a[href^="/u/"]')?.getAttribute('href')?.slice(3) ?? '';
  const quoted = selected
    .split('\n')
    .map((line) => (line ? `> ${line}` : '>'))
    .join('\n');
  area.setSelectionRange(area.value.length, area.value.length);
  insertBlock(area, `${username ? `> @${username} wrote:\n>\n` : ''}${quoted}`);
  const replyTo = link.dataset.quoteReply;
  const form = area.form;
  if (form && replyTo && !form.querySelector('input[name="replyTo"]')) form.append(el('input', { type: 'hidden', name: 'replyTo', value: replyTo }));
  area.scrollIntoView({ block: 'center' });
});

for (const root of document.querySelectorAll<HTMLElement>('[data-editor]')) enhance(root);
