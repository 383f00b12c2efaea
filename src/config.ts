import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';

const optionalUrl = (protocols: string[]) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v) => (v === '' ? undefined : v))
    .refine((v) => v === undefined || protocols.some((p) => v.startsWith(p)), {
      message: `must start with ${protocols.join(' or ')}`,
    });

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  DATA_DIR: z.string().default('./data'),
  DATABASE_URL: optionalUrl(['postgres://', 'postgresql://']),
  REDIS_URL: optionalUrl(['redis://', 'rediss://']),
  SMTP_URL: optionalUrl(['smtp://', 'smtps://']),
  MAIL_FROM: z.string().default('Hearth <community@hearth.local>'),
  PUBLIC_URL: optionalUrl(['http://', 'https://']),
  SESSION_SECRET: z
    .string()
    .optional()
    .refine((v) => v === undefined || v.length >= 32, { message: 'must be at least 32 characters' }),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  BODY_LIMIT_BYTES: z.coerce.number().int().positive().default(1024 * 1024),
  PGLITE_SHARED_BUFFERS: z.string().regex(/^\d+(kB|MB|GB)$/).default('16MB'),
  WORKER: z
    .enum(['on', 'off'])
    .default('on')
    .describe('run the jobs worker and schedules in this process'),
  DEMO_SEED: z.enum(['on', 'off']).default('on'),
  TRUST_PROXY: z.enum(['on', 'off']).default('off'),
  PAGE_CACHE_SECONDS: z.coerce.number().int().min(0).max(600).default(10),
  JOB_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(4),
  SHOPIFY_WEBHOOK_SECRET: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v === '' ? undefined : v)),
  WIDGET_SECRET: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v === '' ? undefined : v))
    .refine((v) => v === undefined || v.length >= 16, { message: 'must be at least 16 characters' }),
  STORE_CURRENCY: z
    .string()
    .trim()
    .regex(/^[A-Za-z]{3}$/, { message: 'must be a three-letter ISO 4217 code such as GBP' })
    .transform((v) => v.toUpperCase())
    .default('GBP'),
});

export type Env = z.infer<typeof envSchema>;

export interface Config {
  env: Env['NODE_ENV'];
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  smtpUrl: string | undefined;
  mailFrom: string;
  publicUrl: string;
  sessionSecret: string;
  logLevel: Env['LOG_LEVEL'];
  bodyLimitBytes: number;
  pgliteSharedBuffers: string;
  worker: boolean;
  demoSeed: boolean;
  /** Take the client address from X-Forwarded-For (only behind a proxy that sets it). */
  trustProxy: boolean;
  /** Seconds a page rendered for signed-out visitors is served from memory; 0 turns the cache off. */
  pageCacheSeconds: number;
  /** Jobs this process's worker runs at once on PostgreSQL (the embedded database runs one at a time). */
  jobConcurrency: number;
  /** Verifies `X-Shopify-Hmac-Sha256` on /webhooks/shopify; unset refuses those webhooks with 503. */
  shopifyWebhookSecret: string | undefined;
  /** Currency of store prices that arrive without one (Shopify product webhooks). */
  storeCurrency: string;
  /**
   * Shared with the store's server, which signs the customer id it renders into the storefront widget
   * (HMAC-SHA256, hex); unset, the widget shows only the signed-out view.
   */
  widgetSecret: string | undefined;
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Every variable, its default and meaning: the README's configuration table is written from this. */
export const configDocs: Array<{ name: keyof Env; default: string; meaning: string }> = [
  { name: 'PORT', default: '3000', meaning: 'HTTP port' },
  { name: 'HOST', default: '127.0.0.1', meaning: 'address to listen on (0.0.0.0 to expose)' },
  { name: 'DATA_DIR', default: './data', meaning: 'embedded database, uploads and the generated session secret' },
  { name: 'DATABASE_URL', default: '(unset)', meaning: 'postgres://… to use PostgreSQL instead of the embedded database' },
  { name: 'REDIS_URL', default: '(unset)', meaning: 'redis://… for rate limits and live-update fan-out across processes' },
  { name: 'SMTP_URL', default: '(unset)', meaning: 'smtp://user:pass@host:port; unset keeps mail in the admin outbox' },
  { name: 'MAIL_FROM', default: 'Hearth <community@hearth.local>', meaning: 'sender of every email' },
  { name: 'PUBLIC_URL', default: 'http://localhost:PORT', meaning: 'the address members use; links in emails' },
  { name: 'SESSION_SECRET', default: 'generated into DATA_DIR', meaning: 'signs CSRF tokens; 32+ characters' },
  { name: 'LOG_LEVEL', default: 'info', meaning: 'pino log level' },
  { name: 'BODY_LIMIT_BYTES', default: '1048576', meaning: 'largest accepted request body' },
  { name: 'PGLITE_SHARED_BUFFERS', default: '16MB', meaning: 'embedded database buffer cache' },
  { name: 'WORKER', default: 'on', meaning: 'run jobs and schedules in this process' },
  { name: 'DEMO_SEED', default: 'on', meaning: 'fill an empty database with the demo community at start' },
  { name: 'TRUST_PROXY', default: 'off', meaning: 'on behind a reverse proxy: take the client address from X-Forwarded-For' },
  { name: 'JOB_CONCURRENCY', default: '4', meaning: 'jobs (reactions to domain events, emails) the worker runs at once on PostgreSQL; the embedded database runs one at a time' },
  { name: 'PAGE_CACHE_SECONDS', default: '10', meaning: 'how long a page rendered for signed-out visitors is served from memory (0 turns it off); a change made through this process drops it at once' },
  { name: 'SHOPIFY_WEBHOOK_SECRET', default: '(unset)', meaning: 'the Shopify app’s webhook signing secret; POST /webhooks/shopify answers 503 until it is set' },
  { name: 'STORE_CURRENCY', default: 'GBP', meaning: 'the store’s currency, for prices sent without one (Shopify product webhooks)' },
  { name: 'WIDGET_SECRET', default: '(unset)', meaning: 'shared with the store’s server, which signs the customer id it gives the <hearth-loyalty> storefront widget (HMAC-SHA256, hex); 16+ characters; unset, the widget shows only the signed-out view' },
];

function readOrCreateSecret(dataDir: string): string {
  const file = join(dataDir, 'session-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  return secret;
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`));
  }
  const env = parsed.data;
  const dataDir = resolve(overrides.dataDir ?? env.DATA_DIR);
  const port = overrides.port ?? env.PORT;
  return {
    env: env.NODE_ENV,
    port,
    host: env.HOST,
    dataDir,
    databaseUrl: env.DATABASE_URL,
    redisUrl: env.REDIS_URL,
    smtpUrl: env.SMTP_URL,
    mailFrom: env.MAIL_FROM,
    publicUrl: (env.PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/$/, ''),
    sessionSecret: overrides.sessionSecret ?? env.SESSION_SECRET ?? readOrCreateSecret(dataDir),
    logLevel: env.LOG_LEVEL,
    bodyLimitBytes: env.BODY_LIMIT_BYTES,
    pgliteSharedBuffers: env.PGLITE_SHARED_BUFFERS,
    worker: env.WORKER === 'on',
    demoSeed: env.DEMO_SEED === 'on',
    trustProxy: env.TRUST_PROXY === 'on',
    pageCacheSeconds: env.PAGE_CACHE_SECONDS,
    jobConcurrency: env.JOB_CONCURRENCY,
    shopifyWebhookSecret: env.SHOPIFY_WEBHOOK_SECRET,
    storeCurrency: env.STORE_CURRENCY,
    widgetSecret: env.WIDGET_SECRET,
    ...overrides,
  };
}
