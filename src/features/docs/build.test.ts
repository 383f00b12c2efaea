import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildClient } from '../../../scripts/build.ts';

const outDir = mkdtempSync(join(tmpdir(), 'hearth-build-'));

afterAll(() => {
  rmSync(outDir, { recursive: true, force: true });
});

describe('client build', () => {
  it('bundles the shell island, copies htmx and writes a manifest', async () => {
    const result = await buildClient({ outDir });
    expect(result.files).toEqual(expect.arrayContaining(['shell.js', 'htmx.js']));
    for (const file of result.files) expect(existsSync(join(outDir, file)), file).toBe(true);
    const shell = readFileSync(join(outDir, 'shell.js'), 'utf8');
    expect(shell).toContain('hearth_theme');
    expect(shell).toContain('X-CSRF-Token');
    expect(shell).not.toMatch(/^import /m);
    expect(readFileSync(join(outDir, 'htmx.js'), 'utf8')).toContain('htmx');
    const manifest: unknown = JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8'));
    expect(manifest).toEqual({ buildId: result.buildId, files: result.files });
    expect(result.buildId).toMatch(/^[0-9a-f]{10}$/);
    // the same sources give the same id, so asset URLs stay cached between deploys
    expect((await buildClient({ outDir })).buildId).toBe(result.buildId);
  });
});
