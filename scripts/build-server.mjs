// Bundles the server (src/main.ts and everything it imports, packages left external) into
// dist/hearth.mjs. Plain node runs the bundle faster and lighter than compiling TypeScript at start-up.
import { renameSync, readdirSync, statSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../', import.meta.url));
export const serverBundle = join(root, 'dist', 'hearth.mjs');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (/\.(ts|tsx|mjs)$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** True when dist/hearth.mjs is missing or older than any source file. */
export function serverBundleIsStale() {
  if (!existsSync(serverBundle)) return true;
  const built = statSync(serverBundle).mtimeMs;
  return ['src', 'migrations', 'scripts'].some((d) => newestMtime(join(root, d)) > built);
}

export async function buildServer() {
  const { build } = await import('esbuild');
  mkdirSync(join(root, 'dist'), { recursive: true });
  const tmp = `${serverBundle}.${process.pid}.tmp`;
  await build({
    entryPoints: [join(root, 'src', 'main.ts')],
    outfile: tmp,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    jsx: 'automatic',
    jsxImportSource: 'hono/jsx',
    logLevel: 'warning',
  });
  // Rename is atomic: a process starting meanwhile sees the old bundle or the new one, never half.
  renameSync(tmp, serverBundle);
}
