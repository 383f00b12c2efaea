import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { DatabaseLockedError, DatabaseUnreachableError } from './platform/db/index.ts';
import { AppError } from './platform/http/errors.ts';
import { createLogger } from './platform/logger.ts';
import { importHelp, importKinds } from './features/commerce/import-columns.ts';
import type { AppContext } from './platform/context.ts';

type Options = NonNullable<ParseArgsConfig['options']>;
type Values = Record<string, string | boolean | undefined>;

interface Command {
  usage: string;
  summary: string;
  options: Options;
  help: string;
  run(values: Values, positionals: string[]): Promise<number | void>;
}

class UsageError extends Error {}

function str(values: Values, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

function required(values: Values, name: string): string {
  const v = str(values, name);
  if (!v) throw new UsageError(`--${name} is required`);
  return v;
}

/** Opens the database for a one-off command, runs `fn`, and closes it. */
async function withContext<T>(fn: (ctx: AppContext) => Promise<T>, overrides: Partial<Config> = {}): Promise<T> {
  const { createContext } = await import('./server.ts');
  const config = loadConfig(process.env, { worker: false, logLevel: process.env.LOG_LEVEL ? loadConfig().logLevel : 'warn', ...overrides });
  const ctx = await createContext(config);
  try {
    return await fn(ctx);
  } finally {
    await ctx.rateLimits.close();
    await ctx.database.close();
  }
}

const commands: Record<string, Command> = {
  start: {
    usage: 'hearth start [--port N]',
    summary: 'serve the community (builds client assets and seeds demo data when missing)',
    options: { port: { type: 'string', short: 'p' } },
    help: 'Runs migrations, fills an empty database with the demo community (DEMO_SEED=off to skip), starts the\nweb server, the job worker and the schedules. Stops cleanly on SIGINT or SIGTERM.',
    async run(values) {
      const started = performance.now();
      const portText = str(values, 'port');
      const port = portText === undefined ? undefined : Number(portText);
      if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new UsageError('--port must be a number from 0 to 65535');
      const config = loadConfig(process.env, port === undefined ? {} : { port });
      const log = createLogger(config.logLevel);
      const { ensureClientBuild } = await import('../scripts/build.ts');
      await ensureClientBuild(log);
      const { createContext, startServer } = await import('./server.ts');
      const ctx = await createContext(config, { log });
      const { seedDemoIfEmpty, seedDemoStore } = await import('./demo/seed.ts');
      // The community first, so the first page is served at once; the demo store follows in the background.
      const demo = config.demoSeed ? await seedDemoIfEmpty(ctx, { store: false }) : null;
      const running = await startServer(ctx);
      if (demo) {
        void (async () => {
          try {
            log.info(await seedDemoStore(ctx, 1), 'demo store seeded');
            // The analytics pages show the demo's history at once rather than after the nightly run.
            const { runRollup } = await import('./features/analytics/rollup.ts');
            const { runRecompute } = await import('./features/analytics/recompute.ts');
            await runRollup(ctx, { settleSeconds: 0 });
            log.info(await runRecompute(ctx), 'demo analytics computed');
          } catch (err) {
            log.error({ err }, 'demo store could not be seeded');
          }
        })();
      }
      const shutdown = async (signal: string) => {
        log.info({ signal }, 'shutting down');
        await running.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void shutdown('SIGINT'));
      process.once('SIGTERM', () => void shutdown('SIGTERM'));
      const ms = Math.round(performance.now() - started);
      const lines = [
        '',
        `  Hearth is running at ${config.publicUrl}  (ready in ${ms} ms, database: ${ctx.database.kind === 'pglite' ? `embedded in ${config.dataDir}` : 'PostgreSQL'})`,
      ];
      if (demo) lines.push(`  Demo admin: ${demo.adminEmail} / ${demo.adminPassword}`);
      if (!config.smtpUrl) lines.push('  Mail is not sent (no SMTP_URL): admins read it under Admin → Mail outbox.');
      process.stdout.write(lines.join('\n') + '\n\n');
    },
  },
  migrate: {
    usage: 'hearth migrate',
    summary: 'apply database migrations and exit',
    options: {},
    help: 'Applies every pending migration (start does this too).',
    async run() {
      await withContext(async () => {
        process.stdout.write('Database is up to date.\n');
      });
    },
  },
  seed: {
    usage: 'hearth seed [--seed N]',
    summary: 'fill the database with the demo community',
    options: { seed: { type: 'string' } },
    help: 'Creates the deterministic demo community: the same --seed gives the same members and content.\nRefuses to run on a database that already has members.',
    async run(values) {
      const seed = Number(str(values, 'seed') ?? '1');
      if (!Number.isInteger(seed)) throw new UsageError('--seed must be an integer');
      await withContext(async (ctx) => {
        const { seedDemo } = await import('./demo/seed.ts');
        const result = await seedDemo(ctx, { seed });
        process.stdout.write(`Seeded the demo community (seed ${seed}): ${result.members} members.\nDemo admin: ${result.adminEmail} / ${result.adminPassword}\n`);
      });
    },
  },
  user: {
    usage: 'hearth user create-admin --email E --name N [--password P]',
    summary: 'create an administrator',
    options: { email: { type: 'string' }, name: { type: 'string' }, password: { type: 'string' } },
    help: 'Creates a verified administrator. Without --password a strong one is generated and printed.',
    async run(values, positionals) {
      if (positionals[0] !== 'create-admin') throw new UsageError('unknown subcommand; expected create-admin');
      const email = required(values, 'email');
      const name = required(values, 'name');
      await withContext(async (ctx) => {
        const { createAdmin } = await import('./features/accounts/service.ts');
        const result = await createAdmin(ctx, { email, displayName: name, password: str(values, 'password') });
        process.stdout.write(`Administrator ${result.email} created.${result.generatedPassword ? `\nPassword: ${result.generatedPassword}` : ''}\n`);
      });
    },
  },
  import: {
    usage: 'hearth import orders|customers|products FILE',
    summary: 'import store orders, customers or products from a CSV file',
    options: {},
    get help() {
      return importHelp();
    },
    async run(_values, positionals) {
      const { runImportCommand } = await import('./features/commerce/cli.ts');
      const [kind, file] = positionals;
      if (!kind || !importKinds.some((k) => k === kind) || !file) throw new UsageError('name what the file holds (orders, customers or products) and the file');
      return withContext((ctx) => runImportCommand(ctx, kind, file));
    },
  },
  apikey: {
    usage: 'hearth apikey create --name N [--scopes read,write,admin] [--user EMAIL] | apikey list | apikey revoke ID',
    summary: 'manage API keys for the JSON API',
    options: { name: { type: 'string' }, scopes: { type: 'string' }, user: { type: 'string' } },
    help: 'Keys authenticate `Authorization: Bearer <key>` on /api/v1. The key is shown once; only its hash is kept.\nScopes: read, write, admin; commerce:read and commerce:write for a store integration (orders, refunds, customers, products). --user names the account requests act as (default: the first admin).',
    async run(values, positionals) {
      const sub = positionals[0];
      const keys = await import('./features/accounts/api-keys.ts');
      if (sub === 'create') {
        const name = required(values, 'name');
        const scopes = (str(values, 'scopes') ?? 'read').split(',').map((s) => s.trim()).filter(Boolean);
        await withContext(async (ctx) => {
          let q = ctx.db.selectFrom('users').select('id').orderBy('id').limit(1);
          const userEmail = str(values, 'user');
          q = userEmail ? q.where((eb) => eb(eb.fn('lower', ['email']), '=', userEmail.toLowerCase())) : q.where('role', '=', 'admin');
          const owner = await q.executeTakeFirst();
          if (userEmail && !owner) throw new UsageError(`no member has the email ${userEmail}`);
          const { key, info } = await keys.createApiKey(ctx.db, { name, scopes, createdBy: owner?.id ?? null });
          process.stdout.write(`API key ${info.name} (${info.scopes.join(', ')}):\n${key}\nKeep it now: it is not shown again.\n`);
        });
        return;
      }
      if (sub === 'list') {
        await withContext(async (ctx) => {
          for (const k of await keys.listApiKeys(ctx.db)) {
            process.stdout.write(`${k.id}\thk_${k.prefix}_…\t${k.name}\t${k.scopes.join(',')}\t${k.revokedAt ? 'revoked' : 'active'}\n`);
          }
        });
        return;
      }
      if (sub === 'revoke') {
        const id = Number(positionals[1]);
        if (!Number.isInteger(id)) throw new UsageError('apikey revoke needs the numeric key id (see apikey list)');
        await withContext(async (ctx) => {
          const done = await keys.revokeApiKey(ctx.db, id);
          if (!done) throw new UsageError(`no active API key has the id ${id}`);
          process.stdout.write(`API key ${id} revoked.\n`);
        });
        return;
      }
      throw new UsageError('expected create, list or revoke');
    },
  },
  analytics: {
    usage:
      'hearth analytics fit --model bgnbd|pareto-nbd|gamma-gamma --input FILE --format summary|transactions [--calibration-end YYYY-MM-DD] [--time-unit week|day] [--max-iterations N] [--json]\n       hearth analytics recompute',
    summary: 'fit a customer-lifetime-value model (BG/NBD, Pareto/NBD, Gamma-Gamma) to a CSV',
    options: {
      model: { type: 'string' },
      input: { type: 'string' },
      format: { type: 'string' },
      'calibration-end': { type: 'string' },
      'time-unit': { type: 'string' },
      'max-iterations': { type: 'string' },
      json: { type: 'boolean' },
    },
    help:
      'Fits by maximum likelihood and prints the parameters and the log-likelihood (with --json:\n{"model","n","params","logLikelihood"}). Needs no database.\n' +
      '  --format summary       columns id,frequency,recency,T (and monetary_value for gamma-gamma)\n' +
      '  --format transactions  columns customer_id,date,amount; summarised per customer up to --calibration-end\n' +
      '                         (default: the last date) in --time-unit (default: week)\n' +
      'Bad rows are refused with their line number; a fit that does not converge exits 1 and says where it stopped.\n' +
      'recompute: reads new domain events into the analytics rollups and recomputes RFM, lifetime value, personas and\n' +
      'churn risk now (the nightly job), printing the counts and timings as JSON.',
    async run(values, positionals) {
      if (positionals[0] === 'recompute') {
        return withContext(async (ctx) => {
          const { runRollup } = await import('./features/analytics/rollup.ts');
          const { runRecompute } = await import('./features/analytics/recompute.ts');
          const rollup = await runRollup(ctx);
          const result = await runRecompute(ctx);
          process.stdout.write(`${JSON.stringify({ events: rollup.events, ...result })}\n`);
          return 0;
        });
      }
      if (positionals[0] !== 'fit') throw new UsageError('unknown subcommand; expected fit or recompute');
      const { runAnalyticsFit } = await import('./features/analytics/fit-command.ts');
      const out = runAnalyticsFit({
        model: required(values, 'model'),
        input: required(values, 'input'),
        format: required(values, 'format'),
        calibrationEnd: str(values, 'calibration-end'),
        timeUnit: str(values, 'time-unit'),
        maxIterations: str(values, 'max-iterations'),
        json: values.json === true,
      });
      process.stdout.write(out.stdout);
      process.stderr.write(out.stderr);
      return out.exitCode;
    },
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((k) => k.length));
  return [
    'Hearth: a self-hosted customer community.',
    '',
    'Usage: hearth <command> [options]     (npx hearth … or npm run hearth -- …)',
    '',
    'Commands:',
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    'Run hearth <command> --help for a command’s options. Configuration comes from the environment (see README).',
  ].join('\n');
}

export async function runCli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(usage() + '\n');
    return 0;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`hearth: unknown command "${name}"\n\n${usage()}\n`);
    return 2;
  }
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      process.stdout.write(`Usage: ${command.usage}\n\n${command.help}\n`);
      return 0;
    }
    const code = await command.run(values as Values, positionals);
    return code ?? 0;
  } catch (err) {
    const message =
      err instanceof UsageError || (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'))
        ? `${err.message}\nUsage: ${command.usage}`
        : err instanceof ConfigError || err instanceof DatabaseLockedError || err instanceof DatabaseUnreachableError || err instanceof AppError
          ? err.message
          : null;
    if (message === null) throw err;
    process.stderr.write(`hearth ${name}: ${message}\n`);
    return err instanceof UsageError || err instanceof TypeError ? 2 : 1;
  }
}

const isEntry = process.argv[1] && /hearth(\.js|\.mjs)?$|main\.ts$/.test(process.argv[1]);
if (isEntry) {
  runCli(process.argv.slice(2)).then(
    (code) => {
      // `start` keeps running its server; every other command ends here.
      if (process.argv[2] !== 'start' || code !== 0) process.exit(code);
    },
    (err: unknown) => {
      process.stderr.write(`hearth: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
