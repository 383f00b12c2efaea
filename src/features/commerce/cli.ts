import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { AppContext } from '../../platform/context.ts';
import { AppError } from '../../platform/http/errors.ts';
import { systemActor } from './access.ts';
import { importCsv, importKinds, type ImportKind } from './csv-import.ts';

const isKind = (v: string): v is ImportKind => importKinds.some((k) => k === v);

/** A progress bar on stderr: redrawn in place on a terminal, a line per tenth otherwise. */
function progressBar(total: number) {
  const tty = process.stderr.isTTY === true;
  let lastTenth = -1;
  return (bytes: number, rows: number, done = false) => {
    const fraction = total > 0 ? Math.min(bytes / total, 1) : 1;
    const percent = Math.floor(fraction * 100);
    if (tty) {
      const width = 30;
      const filled = Math.round(fraction * width);
      process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(percent).padStart(3)}%  ${rows.toLocaleString('en')} rows${done ? '\n' : ''}`);
      return;
    }
    const tenth = Math.floor(fraction * 10);
    if (done) process.stderr.write(`Checked ${rows.toLocaleString('en')} ${rows === 1 ? 'row' : 'rows'}.\n`);
    else if (tenth > lastTenth) {
      lastTenth = tenth;
      process.stderr.write(`${percent}% read, ${rows.toLocaleString('en')} rows so far\n`);
    }
  };
}

/** `hearth import KIND FILE`: streams the file into importCsv and reports; 0 imported, 1 not. */
export async function runImportCommand(ctx: AppContext, kind: string, file: string): Promise<number> {
  if (!isKind(kind)) throw new AppError('bad_kind', 400, `Import orders, customers or products, not “${kind}”.`);
  const size = await stat(file).then(
    (s) => s.size,
    () => {
      throw new AppError('file_missing', 400, `Cannot read ${file}.`);
    },
  );
  const draw = progressBar(size);
  let bytes = 0;
  let rows = 0;
  async function* chunks(): AsyncGenerator<Uint8Array> {
    for await (const chunk of createReadStream(file)) {
      const bytesChunk: Buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
      yield bytesChunk;
      // Back here once the importer has taken in the chunk's rows.
      bytes += bytesChunk.length;
      draw(bytes, rows);
    }
  }
  const result = await importCsv(ctx, systemActor, kind, chunks(), {
    onProgress: (n) => {
      rows = n;
      draw(bytes, rows);
    },
  });
  draw(size, result.rows, true);
  if (result.ok) {
    process.stdout.write(`Imported ${result.rows} ${kind} rows from ${file}: ${result.created} new, ${result.existing} already known.\n`);
    return 0;
  }
  process.stderr.write(`Nothing was imported: ${file} has ${result.problems.length + result.moreProblems} problem(s).\n`);
  for (const p of result.problems) process.stderr.write(`  row ${p.row}${p.column ? `, column ${p.column}` : ''}: ${p.message}\n`);
  if (result.moreProblems > 0) process.stderr.write(`  …and ${result.moreProblems} more.\n`);
  return 1;
}
