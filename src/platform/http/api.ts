import type { Hono } from 'hono';
import { z, type ZodType } from 'zod';
import { AppError, forbidden, fromZodError, unauthorized } from './errors.ts';
import type { HearthContext, HearthEnv } from './env.ts';
import { readJsonBody } from './body.ts';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** Who may call an endpoint: anyone, any signed-in member or key, or a key/session holding a scope. */
export type ApiAccess = { public: true } | { scope: ApiScope };

/** `commerce:*` scopes are for store integrations: orders, refunds, customers and products (commerce feature). */
export const apiScopes = ['read', 'write', 'admin', 'commerce:read', 'commerce:write'] as const;
export type ApiScope = (typeof apiScopes)[number];

export interface ApiRouteDef<Q extends ZodType, B extends ZodType, P extends ZodType, R extends ZodType> {
  method: Method;
  /** OpenAPI-style path below /api/v1, e.g. `/users/{id}`. */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  access: ApiAccess;
  params?: P;
  query?: Q;
  body?: B;
  response: R;
  /** Status of a successful response; 200 unless the endpoint creates something. */
  status?: 200 | 201 | 202;
  handler: (c: HearthContext, input: { params: z.output<P>; query: z.output<Q>; body: z.output<B> }) => Promise<z.input<R>>;
}

interface RegisteredRoute {
  method: Method;
  path: string;
  summary: string;
  description?: string;
  tag: string;
  access: ApiAccess;
  params?: ZodType;
  query?: ZodType;
  body?: ZodType;
  response: ZodType;
  status: number;
}

export const errorSchema = z
  .object({
    error: z.object({
      code: z.string().describe('stable machine-readable code, e.g. validation_failed'),
      message: z.string().describe('human-readable explanation'),
      fields: z.record(z.string(), z.string()).optional().describe('per-field problems'),
    }),
  })
  .meta({ id: 'Error' });

/** Scopes a session user holds: members read and write as themselves; admins hold every scope. */
function scopesOf(c: HearthContext): string[] {
  const keyScopes = c.get('apiScopes');
  if (keyScopes) return keyScopes;
  const user = c.get('user');
  if (!user) return [];
  return user.role === 'admin' ? [...apiScopes] : ['read', 'write'];
}

export function requireScope(c: HearthContext, scope: ApiScope): void {
  const scopes = scopesOf(c);
  if (scopes.length === 0) throw unauthorized('Authentication required: send a session cookie or `Authorization: Bearer <api key>`.');
  if (!scopes.includes(scope)) throw forbidden(`This request needs the \`${scope}\` scope.`);
}

function parseWith<T extends ZodType>(schema: T | undefined, value: unknown): z.output<T> | undefined {
  if (!schema) return undefined;
  const result = schema.safeParse(value);
  if (!result.success) throw fromZodError(result.error);
  return result.data;
}

/**
 * The JSON API: each endpoint is declared once with its zod schemas, which both validate requests
 * and produce the OpenAPI document.
 */
export class ApiRegistry {
  readonly routes: RegisteredRoute[] = [];

  constructor(private readonly app: Hono<HearthEnv>) {}

  route<Q extends ZodType = ZodType, B extends ZodType = ZodType, P extends ZodType = ZodType, R extends ZodType = ZodType>(
    def: ApiRouteDef<Q, B, P, R>,
  ): void {
    this.routes.push({ ...def, status: def.status ?? 200 });
    const honoPath = '/api/v1' + def.path.replace(/\{(\w+)\}/g, ':$1');
    this.app.on(def.method.toUpperCase(), honoPath, async (c) => {
      if ('scope' in def.access) requireScope(c, def.access.scope);
      const params = parseWith(def.params, c.req.param());
      const query = parseWith(def.query, c.req.query());
      const body = def.body ? parseWith(def.body, await readJsonBody(c)) : undefined;
      const result = await def.handler(c, {
        params: params as z.output<P>,
        query: query as z.output<Q>,
        body: body as z.output<B>,
      });
      return c.json(result, def.status ?? 200);
    });
  }

  openApiDocument(publicUrl: string): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {};
    const schemaOf = (schema: ZodType, io: 'input' | 'output') =>
      z.toJSONSchema(schema, { io, target: 'draft-2020-12', unrepresentable: 'any', reused: 'inline' });
    for (const r of this.routes) {
      const parameters: unknown[] = [];
      for (const [where, schema] of [
        ['path', r.params],
        ['query', r.query],
      ] as const) {
        if (!schema) continue;
        const json = schemaOf(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
        for (const [name, prop] of Object.entries(json.properties ?? {})) {
          const description = (prop as { description?: string }).description;
          parameters.push({ name, in: where, required: where === 'path' || (json.required ?? []).includes(name), schema: prop, description });
        }
      }
      const operation: Record<string, unknown> = {
        summary: r.summary,
        description: r.description,
        tags: [r.tag],
        operationId: `${r.method}${r.path.replace(/\{(\w+)\}/g, 'By_$1').replace(/[^a-zA-Z0-9]+(.)?/g, (_m, ch: string | undefined) => (ch ?? '').toUpperCase())}`,
        security: 'public' in r.access ? [] : [{ bearerAuth: [r.access.scope] }, { cookieAuth: [] }],
        parameters,
        responses: {
          [String(r.status)]: { description: 'Success', content: { 'application/json': { schema: schemaOf(r.response, 'output') } } },
          default: { description: 'Error', content: { 'application/json': { schema: schemaOf(errorSchema, 'output') } } },
        },
      };
      if (r.body) {
        operation.requestBody = { required: true, content: { 'application/json': { schema: schemaOf(r.body, 'input') } } };
      }
      const key = `/api/v1${r.path}`;
      paths[key] = { ...(paths[key] ?? {}), [r.method]: operation };
    }
    return {
      openapi: '3.1.0',
      info: {
        title: 'Hearth API',
        version: '1',
        description:
          'The JSON API of a Hearth community. Authenticate with `Authorization: Bearer <api key>` (keys are created by admins under Admin → API keys or with `hearth apikey create`). Lists are paginated with an opaque `cursor`: pass `nextCursor` from one page to get the next. Errors are `{ "error": { "code", "message", "fields"? } }` with a stable `code`.',
      },
      servers: [{ url: publicUrl }],
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'API key with scopes read, write, admin, commerce:read or commerce:write' },
          cookieAuth: { type: 'apiKey', in: 'cookie', name: 'hearth_session' },
        },
      },
      paths,
    };
  }
}

export { AppError };
