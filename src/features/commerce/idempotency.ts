import { createHash } from 'node:crypto';
import type { AppContext } from '../../platform/context.ts';
import { AppError, badRequest, conflict } from '../../platform/http/errors.ts';
import type { HearthContext } from '../../platform/http/env.ts';
import type { Trx } from './customers.ts';

/** JSON with object keys sorted, so `{"a":1,"b":2}` and `{"b":2,"a":1}` are the same request. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.entries(value)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export interface IdempotentRequest {
  /** Whose keys these are: one API key (by its hash) or one signed-in member. */
  caller: string;
  key: string | undefined;
  method: string;
  path: string;
  body: unknown;
}

export function idempotentRequest(c: HearthContext, body: unknown): IdempotentRequest {
  const authorization = c.req.header('authorization');
  const caller = authorization ? `key:${createHash('sha256').update(authorization).digest('hex')}` : `user:${c.get('user')?.id ?? 'anonymous'}`;
  const key = c.req.header('idempotency-key');
  if (key !== undefined && (key.length < 1 || key.length > 255)) throw badRequest('The Idempotency-Key header must be 1 to 255 characters.', 'invalid_idempotency_key');
  return { caller, key, method: c.req.method, path: c.req.path, body };
}

export interface StoredResponse<T> {
  status: number;
  body: T;
  replayed: boolean;
}

/**
 * Runs a POST at most once per Idempotency-Key. The key's row is inserted first, in the same
 * transaction as the change: a concurrent request with the same key waits on its unique index, and
 * when the first commits it finds the stored response and returns it. Only successful responses are
 * kept: a request that failed rolls back with its key, so it can be sent again with the same key.
 */
export async function runIdempotent<T>(ctx: AppContext, req: IdempotentRequest, status: number, run: (trx: Trx) => Promise<T>): Promise<StoredResponse<T>> {
  if (req.key === undefined) {
    return { status, body: await ctx.db.transaction().execute(run), replayed: false };
  }
  const key = req.key;
  const hash = createHash('sha256').update(`${req.method} ${req.path}\n${canonicalJson(req.body)}`).digest('hex');

  const attempt = () =>
    ctx.db.transaction().execute(async (trx): Promise<StoredResponse<T>> => {
      const claimed = await trx
        .insertInto('commerce_idempotency_keys')
        .values({ caller: req.caller, key, method: req.method, path: req.path, request_hash: hash, response_status: 0, response_body: '{}' })
        .onConflict((oc) => oc.columns(['caller', 'key']).doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!claimed) {
        const stored = await trx
          .selectFrom('commerce_idempotency_keys')
          .select(['request_hash', 'response_status', 'response_body'])
          .where('caller', '=', req.caller)
          .where('key', '=', key)
          .executeTakeFirst();
        if (!stored) throw new RetryClaim();
        if (stored.request_hash !== hash) {
          throw conflict('This Idempotency-Key was already used for a different request; use a new key for a new request.', 'idempotency_key_reused');
        }
        // The row holds what `run` returned for this very request, stored as JSON.
        return { status: stored.response_status, body: stored.response_body as T, replayed: true };
      }
      const body = await run(trx);
      await trx
        .updateTable('commerce_idempotency_keys')
        .set({ response_status: status, response_body: JSON.stringify(body) })
        .where('id', '=', claimed.id)
        .execute();
      return { status, body, replayed: false };
    });

  try {
    return await attempt();
  } catch (err) {
    // The other request's row vanished between our insert and our read (it rolled back): go again.
    if (err instanceof RetryClaim) return attempt();
    throw err;
  }
}

class RetryClaim extends AppError {
  constructor() {
    super('idempotency_retry', 409, 'A request with this Idempotency-Key is in progress; try again.');
  }
}
