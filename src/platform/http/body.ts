import type { ZodType, z } from 'zod';
import { badRequest, fromZodError } from './errors.ts';
import type { HearthContext } from './env.ts';

/** The request's JSON body; malformed JSON is a 400 that says where it broke. */
export async function readJsonBody(c: HearthContext): Promise<unknown> {
  const type = c.req.header('content-type') ?? '';
  if (!type.includes('application/json')) {
    throw badRequest('Send the body as JSON with `Content-Type: application/json`.', 'unsupported_content_type');
  }
  const text = await c.req.text();
  if (text.trim() === '') throw badRequest('The request body is empty; a JSON object was expected.', 'invalid_json');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(`The request body is not valid JSON: ${(err as Error).message}`, 'invalid_json');
  }
}

/** The submitted form's fields as strings (a repeated field becomes an array). */
export async function readFormBody(c: HearthContext): Promise<Record<string, string | string[] | File>> {
  const type = c.req.header('content-type') ?? '';
  if (!type.includes('application/x-www-form-urlencoded') && !type.includes('multipart/form-data')) {
    throw badRequest('Send the form as application/x-www-form-urlencoded or multipart/form-data.', 'unsupported_content_type');
  }
  try {
    const body = await c.req.parseBody({ all: true });
    const out: Record<string, string | string[] | File> = {};
    for (const [k, v] of Object.entries(body)) {
      if (Array.isArray(v)) out[k] = v.filter((x): x is string => typeof x === 'string');
      else out[k] = v;
    }
    return out;
  } catch (err) {
    throw badRequest(`The form could not be read: ${(err as Error).message}`, 'invalid_form');
  }
}

/** Parses a form with a zod schema; on failure the AppError carries per-field messages for the view. */
export async function parseForm<T extends ZodType>(c: HearthContext, schema: T): Promise<z.output<T>> {
  const body = await readFormBody(c);
  const result = schema.safeParse(body);
  if (!result.success) throw fromZodError(result.error);
  return result.data;
}
