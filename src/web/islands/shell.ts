// Runs on every page: the colour theme toggle, closing open menus, copy buttons, and the CSRF header for htmx.
const root = document.documentElement;
const themeCookie = 'hearth_theme';
const oneYear = 60 * 60 * 24 * 365;

type Theme = 'light' | 'dark';

// The server renders data-theme from the cookie; an older choice kept only in localStorage still applies.
const stored = localStorage.getItem('hearth-theme');
if (!root.dataset.theme && (stored === 'light' || stored === 'dark')) root.dataset.theme = stored;

function currentTheme(): Theme {
  if (root.dataset.theme === 'light' || root.dataset.theme === 'dark') return root.dataset.theme;
  return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

function reflectTheme(): void {
  const dark = String(currentTheme() === 'dark');
  for (const button of document.querySelectorAll<HTMLButtonElement>('[data-theme-toggle]')) {
    button.setAttribute('aria-pressed', dark);
    button.value = dark === 'true' ? 'light' : 'dark';
  }
}

function applyTheme(theme: Theme): void {
  root.dataset.theme = theme;
  localStorage.setItem('hearth-theme', theme);
  const secure = window.location.protocol === 'https:' ? '; secure' : '';
  document.cookie = `${themeCookie}=${theme}; path=/; max-age=${oneYear}; samesite=lax${secure}`;
  reflectTheme();
}

reflectTheme();
window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', reflectTheme);

function closeMenus(except?: Element | null): void {
  for (const menu of document.querySelectorAll<HTMLDetailsElement>('details.menu[open]')) {
    if (!except || !menu.contains(except)) menu.open = false;
  }
}

async function copyText(button: HTMLElement, text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    button.dataset.copied = 'true';
  } catch {
    // clipboard refused (insecure origin or permission): the text stays on the page to select by hand
    button.dataset.copied = 'false';
  }
  window.setTimeout(() => delete button.dataset.copied, 1500);
}

document.addEventListener('click', (event) => {
  const target = event.target instanceof Element ? event.target : null;
  const toggle = target?.closest('[data-theme-toggle]');
  if (toggle) {
    event.preventDefault();
    applyTheme(currentTheme() === 'dark' ? 'light' : 'dark');
    return;
  }
  closeMenus(target);
  const copy = target?.closest<HTMLElement>('[data-copy]');
  if (copy?.dataset.copy) void copyText(copy, copy.dataset.copy);
});

// Opening one menu closes the others, so two panels never overlap.
document.addEventListener(
  'toggle',
  (event) => {
    const menu = event.target;
    if (menu instanceof HTMLDetailsElement && menu.classList.contains('menu') && menu.open) closeMenus(menu);
  },
  true,
);

document.addEventListener('keydown', (event) => {
  if (event.key !== 'Escape') return;
  for (const menu of document.querySelectorAll<HTMLDetailsElement>('details.menu[open]')) {
    menu.open = false;
    menu.querySelector('summary')?.focus();
  }
});

// htmx sends the CSRF token with every request it makes.
document.addEventListener('htmx:configRequest', (event) => {
  const token = document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content;
  if (!token || !(event instanceof CustomEvent)) return;
  const detail: unknown = event.detail;
  if (detail && typeof detail === 'object' && 'headers' in detail && detail.headers && typeof detail.headers === 'object') {
    Reflect.set(detail.headers, 'X-CSRF-Token', token);
  }
});
