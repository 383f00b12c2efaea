import { defineConfig } from 'vitest/config';

// The CI run: the whole suite on the embedded database, again on PostgreSQL (CI_DATABASE_URL, a fresh
// database made by .ci/run, with Redis), and the browser tests, in one run with one summary.
const databaseUrl = process.env.CI_DATABASE_URL;
const redisUrl = process.env.CI_REDIS_URL ?? 'redis://127.0.0.1:6379';
if (!databaseUrl) throw new Error('CI_DATABASE_URL must name the PostgreSQL database for the CI run');

export default defineConfig({
  test: {
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    reporters: ['default'],
    projects: [
      { extends: './vitest.config.ts', test: { name: 'pglite', env: { DATABASE_URL: '', REDIS_URL: '' } } },
      { extends: './vitest.config.ts', test: { name: 'postgres', env: { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl } } },
      { extends: './vitest.e2e.config.ts', test: { name: 'browser' } },
    ],
  },
});
