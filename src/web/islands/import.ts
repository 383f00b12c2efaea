// The CSV import page: uploads the file with a progress bar, then shows the rows checked and imported
// as the server reports them (one JSON line per 500 rows), and the result card when it ends. Without
// this script the form posts as usual and the result arrives as a page.
const form = document.getElementById('import-form');
const panel = document.getElementById('import-progress');
const results = document.getElementById('import-result');

interface ProgressLine {
  rows?: number;
  bytes?: number;
  size?: number;
  done?: boolean;
  ok?: boolean;
  html?: string;
  error?: string;
}

if (form instanceof HTMLFormElement && panel && results) {
  const bar = panel.querySelector('progress');
  const label = panel.querySelector('label');
  const status = panel.querySelector<HTMLElement>('[data-import-status]');
  const button = form.querySelector<HTMLButtonElement>('button[type=submit], button:not([type])');

  const show = (text: string, done: number, of: number, detail = '') => {
    panel.hidden = false;
    if (label) label.textContent = text;
    if (status) status.textContent = detail;
    if (bar) {
      bar.max = of || 1;
      bar.value = Math.min(done, of || 1);
    }
  };
  const finish = (html: string) => {
    results.innerHTML = html;
    panel.hidden = true;
    if (button) button.disabled = false;
    results.scrollIntoView({ block: 'nearest' });
  };
  const notice = (message: string) => {
    const p = document.createElement('p');
    p.textContent = message;
    const box = document.createElement('div');
    box.className = 'notice notice-danger';
    box.setAttribute('role', 'alert');
    box.append(p);
    finish(box.outerHTML);
  };

  form.addEventListener('submit', (event) => {
    const input = form.elements.namedItem('file');
    const file = input instanceof HTMLInputElement ? input.files?.[0] : undefined;
    if (!file) return;
    event.preventDefault();
    if (button) button.disabled = true;
    results.innerHTML = '';
    const xhr = new XMLHttpRequest();
    xhr.open('POST', form.action);
    xhr.setRequestHeader('Accept', 'application/x-ndjson');
    let read = 0;
    let ended = false;
    const consume = () => {
      const text = xhr.responseText;
      const end = text.lastIndexOf('\n');
      if (end < read) return;
      for (const raw of text.slice(read, end).split('\n')) {
        if (!raw.trim()) continue;
        let line: ProgressLine;
        try {
          line = JSON.parse(raw) as ProgressLine;
        } catch {
          continue;
        }
        if (line.done) {
          ended = true;
          if (line.html) finish(line.html);
          else notice(line.error ?? 'The import failed; nothing was imported.');
        } else if (line.rows !== undefined) {
          show('Checking and importing', line.bytes ?? 0, line.size ?? file.size, `${line.rows.toLocaleString('en')} rows`);
        }
      }
      read = end + 1;
    };
    xhr.upload.addEventListener('progress', (e) => {
      if (e.lengthComputable) show('Uploading', e.loaded, e.total, `${Math.round((e.loaded / e.total) * 100)}%`);
    });
    xhr.upload.addEventListener('load', () => show('Checking and importing', 0, file.size, 'starting…'));
    xhr.addEventListener('progress', consume);
    xhr.addEventListener('load', () => {
      consume();
      if (ended) return;
      if (xhr.status === 413) notice('The file is too large to upload here; use `hearth import` from a terminal.');
      else notice(`The import could not run (${xhr.status}). Nothing was imported; try again.`);
    });
    xhr.addEventListener('error', () => notice('The upload failed (the connection was lost). Nothing was imported; try again.'));
    show('Uploading', 0, file.size, '0%');
    xhr.send(new FormData(form));
  });
}
