import type { HearthContext } from '../../../platform/http/env.ts';
import { Button, Card, DataTable, Form, Notice, PageHeader, Progress, Select } from '../../../web/components.tsx';
import { importColumns, importKinds, MAX_PROBLEMS, type ImportKind, type ImportResult } from '../csv-import.ts';
import { StoreTabs } from './store-pages.tsx';

function ColumnsTable({ kind }: { kind: ImportKind }) {
  return (
    <DataTable caption={`Columns, in any order (${kind})`} head={['Column', 'Required', 'Meaning']}>
      {importColumns[kind].map((col) => (
        <tr>
          <td>
            <code>{col.name}</code>
          </td>
          <td>{col.required ? 'yes' : ''}</td>
          <td>{col.meaning}</td>
        </tr>
      ))}
    </DataTable>
  );
}

export function ImportResultCard({ result }: { result: ImportResult }) {
  if (result.ok) {
    return (
      <Notice tone="success">
        <p>
          Imported {result.rows.toLocaleString('en')} {result.rows === 1 ? 'row' : 'rows'} of {result.kind}: {result.created.toLocaleString('en')} new, {result.existing.toLocaleString('en')} already known.
        </p>
        <Progress label="Rows imported" value={result.rows} max={result.rows} />
      </Notice>
    );
  }
  return (
    <Card title="Nothing was imported">
      <Notice tone="danger">
        <p>
          The file has {result.problems.length + result.moreProblems} {result.problems.length + result.moreProblems === 1 ? 'problem' : 'problems'}, so no row was imported. Fix them and upload the file again.
        </p>
      </Notice>
      <DataTable caption="Problems by row" head={['Row', 'Column', 'Problem']}>
        {result.problems.map((p) => (
          <tr>
            <td>{p.row}</td>
            <td>{p.column ? <code>{p.column}</code> : <span class="muted">—</span>}</td>
            <td>{p.message}</td>
          </tr>
        ))}
      </DataTable>
      {result.moreProblems > 0 && (
        <p class="muted">
          …and {result.moreProblems} more (only the first {MAX_PROBLEMS} are listed).
        </p>
      )}
    </Card>
  );
}

export function ImportPage({ c, kind, result, error }: { c: HearthContext; kind: ImportKind; result?: ImportResult; error?: string }) {
  return (
    <>
      <PageHeader title="Store" subtitle="Import orders, customers or products from a CSV file." />
      <StoreTabs active="import" />
      <div id="import-result" aria-live="polite">
        {error && <Notice tone="danger">{error}</Notice>}
        {result && <ImportResultCard result={result} />}
      </div>
      <Card title="Upload a CSV file">
        <p>
          <strong>All or nothing:</strong> every row is checked first; if any row has a problem, nothing from the file is imported and every problem is listed by row and
          column. Rows already imported (same source and id) are left as they are, so uploading a file again is harmless. The first row names the columns; the order of
          columns does not matter. UTF-8, comma-separated, fields with commas or line breaks in double quotes.
        </p>
        <Form c={c} action="/admin/store/import" multipart id="import-form">
          <Select label="What the file holds" name="kind" value={kind} options={importKinds.map((k) => ({ value: k, label: k[0]?.toUpperCase() + k.slice(1) }))} />
          <div class="field">
            <label for="file">CSV file</label>
            <input id="file" name="file" type="file" accept=".csv,text/csv" required />
          </div>
          <Button icon="upload">Import</Button>
        </Form>
        {/* Filled by the import island while a file uploads and its rows are checked and imported. */}
        <div class="progress" id="import-progress" hidden>
          <div class="progress-row">
            <label for="import-progress-bar">Uploading</label>
            <span class="muted small" data-import-status></span>
          </div>
          <progress id="import-progress-bar" max={100} value={0}></progress>
        </div>
        <p class="muted small">
          From a terminal: <code>hearth import {kind} FILE</code> (shows progress while it runs).
        </p>
      </Card>
      {importKinds.map((k) => (
        <Card title={`${k[0]?.toUpperCase()}${k.slice(1)} file`} id={`columns-${k}`}>
          <ColumnsTable kind={k} />
        </Card>
      ))}
    </>
  );
}
