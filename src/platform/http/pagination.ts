import { z } from 'zod';
import { badRequest } from './errors.ts';

/** Query parameters every list endpoint accepts. */
export const pageQuery = z.object({
  cursor: z.string().max(500).optional().describe('opaque cursor from a previous page'),
  limit: z.coerce.number().int().min(1).max(100).default(25).describe('items per page, 1–100'),
});

export type CursorValue = string | number;

export function encodeCursor(values: CursorValue[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(cursor: string | undefined, arity: number): CursorValue[] | undefined {
  if (!cursor) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === arity && parsed.every((v) => typeof v === 'string' || typeof v === 'number')) {
      return parsed;
    }
  } catch {
    // fall through to the error below
  }
  throw badRequest('The cursor is not valid; use the nextCursor of a previous page.', 'invalid_cursor');
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * Keyset pagination: the query fetched `limit + 1` rows; the extra one only says whether a next page
 * exists, and the last row kept gives the cursor.
 */
export function toPage<T>(rows: T[], limit: number, cursorOf: (row: T) => CursorValue[]): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last !== undefined ? encodeCursor(cursorOf(last)) : null };
}

export const pageSchema = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable().describe('pass as `cursor` for the next page; null at the end') });
