import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHearth, type TestHearth } from '../../../test/helpers.ts';
import { isValidKey, keyFromRequestPath, LocalDiskStorage, storageFor } from './index.ts';

let t: TestHearth;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'hearth-storage-'));
  t = await createTestHearth({ dataDir });
  // A secret beside the uploads folder that no request may reach.
  await writeFile(join(dataDir, 'secret.txt'), 'top secret');
  await writeFile(join(dataDir, 'uploads-evil.png'), 'sibling');
});
afterAll(async () => {
  await t?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('storage keys', () => {
  it('accepts plain keys and refuses anything that could leave the root', () => {
    expect(isValidKey('avatars/7/abc123.png')).toBe(true);
    for (const bad of ['', '../secret.txt', 'avatars/../../secret.txt', '.hidden', 'a//b', '/abs.png', 'a\\b.png', 'a/./b.png', 'a\0b.png']) {
      expect(isValidKey(bad), bad).toBe(false);
    }
  });

  it('decodes request paths before checking them', () => {
    expect(keyFromRequestPath('/uploads/avatars/7/a.png')).toBe('avatars/7/a.png');
    for (const bad of ['/uploads/%2e%2e/secret.txt', '/uploads/avatars%2F..%2F..%2Fsecret.txt', '/uploads/..%5csecret.txt', '/uploads/%E0%A4%A.png', '/uploads/a%00.png', '/uploads/']) {
      expect(keyFromRequestPath(bad), bad).toBeNull();
    }
  });

  it('stores, reads and deletes files on disk', async () => {
    const storage = new LocalDiskStorage(join(dataDir, 'unit'));
    await storage.put('docs/1/file.png', new Uint8Array([1, 2, 3]));
    expect([...((await storage.get('docs/1/file.png')) ?? [])]).toEqual([1, 2, 3]);
    expect(storage.urlFor('docs/1/file.png')).toBe('/uploads/docs/1/file.png');
    expect(storage.keyFromUrl('/uploads/docs/1/file.png')).toBe('docs/1/file.png');
    expect(storage.keyFromUrl('https://elsewhere.example/uploads/x.png')).toBeNull();
    await storage.delete('docs/1/file.png');
    expect(await storage.get('docs/1/file.png')).toBeNull();
    await expect(storage.put('../escape.png', new Uint8Array([1]))).rejects.toThrow('Invalid storage key');
  });
});

describe('GET /uploads/*', () => {
  it('serves a stored file with its type and nosniff', async () => {
    await storageFor(t.ctx).put('avatars/1/served.gif', Buffer.from('GIF89a....'));
    const res = await t.hearth.app.request('/uploads/avatars/1/served.gif');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/gif');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toContain('immutable');
    expect(await res.text()).toBe('GIF89a....');
  });

  it('sends an unknown type as a download, never as HTML', async () => {
    await storageFor(t.ctx).put('files/page.html', Buffer.from('<script>alert(1)</script>'));
    const res = await t.hearth.app.request('/uploads/files/page.html');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('content-disposition')).toBe('attachment');
  });

  it('refuses path traversal and missing files with 404', async () => {
    for (const path of [
      '/uploads/%2e%2e/secret.txt',
      '/uploads/..%2Fsecret.txt',
      '/uploads/avatars/%2e%2e/%2e%2e/secret.txt',
      '/uploads/..%5Csecret.txt',
      '/uploads/avatars/1/missing.png',
      '/uploads/avatars',
    ]) {
      const res = await t.hearth.app.request(path);
      expect(res.status, path).toBe(404);
      expect(await res.text()).not.toContain('top secret');
    }
  });
});
