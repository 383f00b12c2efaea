#!/usr/bin/env node
// The `hearth` command. Runs the bundled server (dist/hearth.mjs), rebuilding it first when a source
// file is newer, so `npm install && npm start` needs no separate build step. If bundling is not
// possible it runs the TypeScript sources through tsx instead.
import { buildServer, serverBundle, serverBundleIsStale } from '../scripts/build-server.mjs';
import { pathToFileURL } from 'node:url';

let useBundle = true;
if (serverBundleIsStale()) {
  try {
    await buildServer();
  } catch (err) {
    process.stderr.write(`hearth: could not bundle the server (${err instanceof Error ? err.message : err}); running from source\n`);
    useBundle = false;
  }
}
if (useBundle) {
  await import(pathToFileURL(serverBundle).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/main.ts');
}
