import { chromium, type Browser } from 'playwright-core';
import { SMTPServer } from 'smtp-server';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { createContext, startServer, type RunningHearth } from '../../src/server.ts';
import { createTestDatabaseUrl } from '../helpers.ts';

export interface ReceivedMail {
  to: string;
  raw: string;
}

/** A real SMTP server on loopback that keeps every message it receives. */
export async function startSmtpSink(): Promise<{ port: number; messages: ReceivedMail[]; close(): Promise<void> }> {
  const messages: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        messages.push({ to: session.envelope.rcptTo.map((r) => r.address).join(','), raw: Buffer.concat(chunks).toString('utf8') });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { port, messages, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** Decodes a quoted-printable mail body enough to read links out of it. */
export function decodeQuotedPrintable(raw: string): string {
  return raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

export async function waitFor<T>(probe: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A real Hearth server on a loopback port with its worker running, on a fresh database. */
export async function startTestServer(smtpPort: number): Promise<RunningHearth & { dropDatabase(): Promise<void> }> {
  const database = await createTestDatabaseUrl();
  const config = loadConfig(
    { NODE_ENV: 'test', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' },
    {
      dataDir: '/tmp/hearth-e2e-unused',
      port: 0,
      host: '127.0.0.1',
      sessionSecret: 'e2e-secret-e2e-secret-e2e-secret-0123456',
      databaseUrl: database.url,
      smtpUrl: `smtp://127.0.0.1:${smtpPort}`,
      worker: true,
      demoSeed: false,
    },
  );
  const ctx = await createContext(config, { memory: !database.url, log: createLogger(config.logLevel) });
  const running = await startServer(ctx);
  // Links in mail must point at the port the server actually got.
  ctx.config.publicUrl = running.url;
  return { ...running, dropDatabase: database.drop };
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
