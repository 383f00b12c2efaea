import { TestClient, type TestHearth } from '../../../../test/helpers.ts';
import type { HearthApp } from '../../../app.ts';
import { hashPassword } from '../passwords.ts';
import { uniqueUsername } from '../service.ts';

let lastOctet = 0;

/** A TestClient from its own address and browser, so per-IP rate limits and the sessions page see distinct devices. */
export class Browser extends TestClient {
  readonly ip: string;

  constructor(
    hearth: HearthApp,
    readonly userAgent = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
  ) {
    super(hearth);
    lastOctet += 1;
    this.ip = `198.51.${Math.floor(lastOctet / 250)}.${(lastOctet % 250) + 1}`;
  }

  override request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('x-forwarded-for', this.ip);
    headers.set('user-agent', this.userAgent);
    return super.request(path, { ...init, headers });
  }

  /** Signs in through the login form; returns the response (303 on success). */
  signIn(email: string, password: string, next?: string): Promise<Response> {
    return this.postForm(next ? `/login?next=${encodeURIComponent(next)}` : '/login', { email, password });
  }
}

/** A confirmed member written straight to the database, for tests about what members do once signed up. */
export async function createMember(
  t: TestHearth,
  input: { email: string; password: string; displayName?: string; role?: 'member' | 'moderator' | 'admin' },
): Promise<{ id: number; username: string }> {
  const displayName = input.displayName ?? input.email.split('@')[0] ?? 'member';
  const row = await t.ctx.db
    .insertInto('users')
    .values({
      email: input.email,
      display_name: displayName,
      username: await uniqueUsername(t.ctx, displayName),
      password_hash: await hashPassword(input.password),
      role: input.role ?? 'member',
      email_verified_at: new Date(),
      notification_prefs: JSON.stringify({}),
    })
    .returning(['id', 'username'])
    .executeTakeFirstOrThrow();
  return row;
}

/** The path and query of the first link in `text` that starts with `${publicUrl}${path}`. */
export function linkPath(text: string, publicUrl: string, path: string): string {
  const escaped = (publicUrl + path).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`${escaped}\\?token=[A-Za-z0-9_%-]+`).exec(text);
  if (!match) throw new Error(`No ${path} link in:\n${text}`);
  return match[0].slice(publicUrl.length);
}
