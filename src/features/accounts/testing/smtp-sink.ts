import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** A message as the SMTP sink received it, with its text and HTML parts decoded. */
export interface ReceivedMail {
  to: string[];
  subject: string;
  text: string;
  html: string;
  raw: string;
}

export interface SmtpSink {
  url: string;
  messages: ReceivedMail[];
  /** Messages to one address, oldest first. */
  to(address: string): ReceivedMail[];
  close(): Promise<void>;
}

function decodeQuotedPrintable(body: string): string {
  const bytes: number[] = [];
  const joined = body.replace(/=\r?\n/g, '');
  for (let i = 0; i < joined.length; i++) {
    const ch = joined[i];
    const hex = joined.slice(i + 1, i + 3);
    if (ch === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(ch ?? '', 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function splitHead(part: string): { head: string; body: string } {
  const at = part.search(/\r?\n\r?\n/);
  if (at < 0) return { head: part, body: '' };
  const head = part.slice(0, at).replace(/\r?\n[ \t]+/g, ' ');
  return { head, body: part.slice(at).replace(/^\r?\n\r?\n/, '') };
}

function decodeBody(head: string, body: string): string {
  const encoding = /^content-transfer-encoding:\s*([\w-]+)/im.exec(head)?.[1]?.toLowerCase();
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(body);
  return body;
}

function decodeHeaderWords(value: string): string {
  return value.replace(/=\?utf-8\?([BQ])\?([^?]*)\?=/gi, (_m, kind: string, text: string) =>
    kind.toUpperCase() === 'B' ? Buffer.from(text, 'base64').toString('utf8') : decodeQuotedPrintable(text.replace(/_/g, ' ')),
  );
}

/** Just enough MIME for our own messages: one level of multipart/alternative, QP or base64 parts. */
export function parseMail(raw: string, to: string[]): ReceivedMail {
  const { head, body } = splitHead(raw);
  const subject = decodeHeaderWords(/^subject:\s*(.*)$/im.exec(head)?.[1]?.trim() ?? '');
  const boundary = /boundary="?([^";\r\n]+)"?/i.exec(head)?.[1];
  let text = '';
  let html = '';
  if (boundary) {
    for (const part of body.split(`--${boundary}`)) {
      const p = splitHead(part.replace(/^\r?\n/, ''));
      if (/^content-type:\s*text\/plain/im.test(p.head)) text = decodeBody(p.head, p.body);
      if (/^content-type:\s*text\/html/im.test(p.head)) html = decodeBody(p.head, p.body);
    }
  } else {
    text = decodeBody(head, body);
  }
  return { to, subject, text, html, raw };
}

/** A real SMTP server on 127.0.0.1 that keeps every message it is given, for tests. */
export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        messages.push(parseMail(Buffer.concat(chunks).toString('utf8'), session.envelope.rcptTo.map((r) => r.address.toLowerCase())));
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.server.address();
  const port = typeof address === 'object' && address ? (address satisfies AddressInfo).port : 0;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    to: (addr) => messages.filter((m) => m.to.includes(addr.toLowerCase())),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
