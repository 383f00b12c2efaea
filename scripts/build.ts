import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync, copyFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { projectRoot as root } from '../src/web/assets.ts';

const islandsDir = `${root}src/web/islands/`;
const defaultOutDir = `${root}public/build/`;

interface Log {
  info(obj: object, msg: string): void;
}

/** The stylesheets under public/; the build id covers them so a changed one gets a new URL. */
function stylesheets(): string[] {
  return readdirSync(`${root}public/`)
    .filter((f) => f.endsWith('.css'))
    .sort()
    .map((f) => `${root}public/${f}`);
}

/**
 * Bundles each client island (src/web/islands/*.ts) into public/build/ (or `opts.outDir`), copies htmx
 * beside them, and writes a manifest whose build id versions every asset URL.
 */
export async function buildClient(opts: { outDir?: string } = {}): Promise<{ files: string[]; buildId: string }> {
  const outDir = opts.outDir ? opts.outDir.replace(/\/?$/, '/') : defaultOutDir;
  mkdirSync(outDir, { recursive: true });
  const entries = readdirSync(islandsDir).filter((f) => f.endsWith('.ts'));
  await build({
    entryPoints: entries.map((f) => islandsDir + f),
    outdir: outDir,
    bundle: true,
    format: 'esm',
    minify: true,
    target: ['es2020'],
    sourcemap: false,
    logLevel: 'warning',
  });
  copyFileSync(`${root}node_modules/htmx.org/dist/htmx.min.js`, `${outDir}htmx.js`);
  const hash = createHash('sha256');
  const files = [...entries.map((f) => f.replace(/\.ts$/, '.js')), 'htmx.js'];
  for (const f of files) hash.update(readFileSync(outDir + f));
  for (const f of stylesheets()) hash.update(readFileSync(f));
  const buildId = hash.digest('hex').slice(0, 10);
  writeFileSync(`${outDir}manifest.json`, JSON.stringify({ buildId, files }, null, 2));
  return { files, buildId };
}

/** True when the build is missing or older than an island, a stylesheet or the htmx package. */
export function clientBuildIsStale(): boolean {
  const manifest = `${defaultOutDir}manifest.json`;
  if (!existsSync(manifest)) return true;
  const builtAt = statSync(manifest).mtimeMs;
  const sources = [
    ...readdirSync(islandsDir)
      .filter((f) => f.endsWith('.ts'))
      .map((f) => islandsDir + f),
    ...stylesheets(),
    `${root}node_modules/htmx.org/dist/htmx.min.js`,
  ];
  return sources.some((f) => existsSync(f) && statSync(f).mtimeMs > builtAt);
}

/**
 * `npm start` builds the client assets when they are missing or out of date, so a fresh clone (or a
 * pull that changed an island or the stylesheet) needs no extra step.
 */
export async function ensureClientBuild(log?: Log): Promise<void> {
  if (!clientBuildIsStale()) return;
  const { files, buildId } = await buildClient();
  const { setBuildId } = await import('../src/web/assets.ts');
  setBuildId(buildId);
  log?.info({ files: files.length }, 'client assets built');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = Date.now();
  const { files, buildId } = await buildClient();
  process.stdout.write(`Built ${files.length} client files into public/build (build ${buildId}) in ${Date.now() - started} ms\n`);
}
