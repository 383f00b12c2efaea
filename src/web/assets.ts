import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The project directory: the nearest one above this module holding package.json and public/. Walking up
 * (rather than a fixed `../../`) keeps it right when the server runs from a bundle in dist/.
 */
function findProjectRoot(): string {
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'public'))) return `${dir}/`;
    if (dirname(dir) === dir) return fileURLToPath(new URL('../../', import.meta.url));
  }
}

export const projectRoot = findProjectRoot();
export const publicDir = `${projectRoot}public/`;
export const buildDir = `${projectRoot}public/build/`;

let buildId = 'dev';
const manifest = `${buildDir}manifest.json`;
if (existsSync(manifest)) {
  try {
    const parsed: unknown = JSON.parse(readFileSync(manifest, 'utf8'));
    if (parsed && typeof parsed === 'object' && 'buildId' in parsed && typeof parsed.buildId === 'string') buildId = parsed.buildId;
  } catch {
    // a half-written manifest only costs cache busting
  }
}

/** URL of a file under public/, versioned so it can be cached for a year. */
export function assetUrl(path: string): string {
  return `/assets/${path}?v=${buildId}`;
}

export function setBuildId(id: string): void {
  buildId = id;
}
