// Start-up benchmark: time from spawning `hearth start` on an existing data directory to the first
// served page, and the idle memory (RSS) of the process afterwards.
//   npm run bench:start -- [--runs 5] [--idle 5]
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, idle: { type: 'string', default: '5' }, port: { type: 'string', default: '3917' } } });
const runs = Number(values.runs);
const idleSeconds = Number(values.idle);
const port = Number(values.port);
const dataDir = mkdtempSync(join(tmpdir(), 'hearth-bench-start-'));
const env = { ...process.env, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn', DATABASE_URL: '' };

function startHearth(): ChildProcess {
  return spawn(process.execPath, ['bin/hearth.js', 'start'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
}

async function waitForPage(deadlineMs: number): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/`);
      if (res.status === 200) {
        await res.text();
        return;
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('the server did not serve a page in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

async function stop(child: ChildProcess): Promise<void> {
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

try {
  process.stderr.write('first start (creates and seeds the data directory)…\n');
  const first = startHearth();
  const t0 = performance.now();
  await waitForPage(120_000);
  process.stderr.write(`  first start served a page after ${Math.round(performance.now() - t0)} ms\n`);
  await stop(first);

  const times: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const child = startHearth();
    await waitForPage(30_000);
    times.push(performance.now() - started);
    await new Promise((r) => setTimeout(r, idleSeconds * 1000));
    if (child.pid) rss.push(rssMb(child.pid));
    await stop(child);
  }
  times.sort((a, b) => a - b);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  console.log(`start to first page on an existing data directory (PGlite), ${runs} runs:`);
  console.log(`  median ${Math.round(median(times))} ms, min ${Math.round(times[0] ?? 0)} ms, max ${Math.round(times.at(-1) ?? 0)} ms`);
  console.log(`idle RSS after ${idleSeconds} s: median ${median(rss).toFixed(0)} MB (max ${Math.max(...rss).toFixed(0)} MB)`);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
