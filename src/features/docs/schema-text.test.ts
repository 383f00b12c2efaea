import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { errorSchema } from '../../platform/http/api.ts';
import { curlExample, describeSchema, exampleValue, groupByTag, operationsOf, typeLabel, type JsonSchema, type Operation } from './schema-text.ts';

const toSchema = (schema: z.ZodType, io: 'input' | 'output' = 'output'): JsonSchema =>
  z.toJSONSchema(schema, { io, target: 'draft-2020-12', unrepresentable: 'any', reused: 'inline' });

describe('typeLabel', () => {
  it('names scalars, unions, enums, arrays and records compactly', () => {
    const label = (schema: z.ZodType) => {
      const json = toSchema(schema);
      return typeLabel(json, json);
    };
    expect(label(z.string())).toBe('string');
    expect(label(z.number().int())).toBe('integer');
    expect(label(z.string().nullable())).toBe('string | null');
    expect(label(z.enum(['open', 'closed']))).toBe('"open" | "closed"');
    expect(label(z.literal('ok'))).toBe('"ok"');
    expect(label(z.array(z.number()))).toBe('number[]');
    expect(label(z.array(z.union([z.string(), z.number()])))).toBe('(string | number)[]');
    expect(label(z.record(z.string(), z.number()))).toBe('Record<string, number>');
    expect(label(z.object({ a: z.string() }))).toBe('object');
    expect(label(z.date())).toBe('any');
  });
});

describe('describeSchema', () => {
  it('lists fields with required flags, descriptions, limits and nested children', () => {
    const fields = describeSchema(
      toSchema(
        z.object({
          title: z.string().min(3).max(120).describe('what the topic is about'),
          limit: z.number().int().min(1).max(100).default(25),
          tags: z.array(z.object({ slug: z.string() })).max(5).optional(),
          author: z.object({ id: z.number().int() }).nullable(),
        }),
        'input',
      ),
    );
    expect(fields.map((f) => [f.name, f.type, f.required])).toEqual([
      ['title', 'string', true],
      ['limit', 'integer', false],
      ['tags', 'object[]', false],
      ['author', 'object | null', true],
    ]);
    expect(fields[0]?.description).toBe('what the topic is about');
    expect(fields[0]?.constraints).toEqual(['3–120 characters']);
    expect(fields[1]?.constraints).toEqual(['1–100', 'default: 25']);
    expect(fields[2]?.constraints).toEqual(['0–5 items']);
    expect(fields[2]?.children.map((f) => [f.name, f.type, f.required])).toEqual([['slug', 'string', true]]);
    expect(fields[3]?.children.map((f) => f.name)).toEqual(['id']);
  });

  it('follows $ref into $defs, as zod writes schemas that carry an id', () => {
    const fields = describeSchema(toSchema(errorSchema));
    expect(fields).toHaveLength(1);
    expect(fields[0]?.name).toBe('error');
    expect(fields[0]?.children.map((f) => [f.name, f.type, f.required])).toEqual([
      ['code', 'string', true],
      ['message', 'string', true],
      ['fields', 'Record<string, string>', false],
    ]);
    expect(fields[0]?.children[0]?.description).toBe('stable machine-readable code, e.g. validation_failed');
  });

  it('describes a body that is not an object as one unnamed field', () => {
    const fields = describeSchema(toSchema(z.array(z.string())));
    expect(fields).toEqual([{ name: undefined, type: 'string[]', required: true, description: undefined, constraints: [], children: [] }]);
  });

  it('stops on a self-referencing schema', () => {
    const node: JsonSchema = { $ref: '#/$defs/Node', $defs: { Node: { type: 'object', properties: { next: { $ref: '#/$defs/Node' } } } } };
    const fields = describeSchema(node);
    expect(fields[0]?.name).toBe('next');
    expect(fields[0]?.children).toEqual([]);
  });
});

describe('exampleValue', () => {
  it('builds a plausible value from formats, enums, defaults and minimums', () => {
    const json = toSchema(
      z.object({
        email: z.email(),
        kind: z.enum(['question', 'story']),
        limit: z.number().int().min(5),
        pinned: z.boolean().default(false),
        tags: z.array(z.string()),
        at: z.iso.datetime(),
        parent: z.number().int().nullable(),
      }),
      'input',
    );
    expect(exampleValue(json, json)).toEqual({
      email: 'member@example.com',
      kind: 'question',
      limit: 5,
      pinned: false,
      tags: ['string'],
      at: '2025-01-31T09:30:00.000Z',
      parent: 1,
    });
  });
});

describe('operationsOf and curlExample', () => {
  const document = {
    paths: {
      '/api/v1/things/{id}': {
        get: { operationId: 'getThing', summary: 'One thing', tags: ['Things'], security: [], parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }], responses: { '200': { content: { 'application/json': { schema: { type: 'object', properties: { id: { type: 'integer' } } } } } } } },
        patch: {
          operationId: 'patchThing',
          summary: 'Rename a thing',
          tags: ['Things'],
          security: [{ bearerAuth: ['write'] }, { cookieAuth: [] }],
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }],
          requestBody: { content: { 'application/json': { schema: { type: 'object', properties: { name: { type: 'string', examples: ["Ada's"] } }, required: ['name'] } } } },
          responses: { '200': { content: { 'application/json': { schema: { type: 'object' } } } } },
        },
      },
      '/api/v1/other': { post: { summary: 'Other', tags: ['Other'], security: [{ bearerAuth: ['admin'] }], responses: { '201': {} } } },
    },
  };

  it('reads methods, scopes, statuses and bodies', () => {
    const ops = operationsOf(document);
    expect(ops.map((o) => [o.method, o.path, o.scope, o.status])).toEqual([
      ['get', '/api/v1/things/{id}', null, '200'],
      ['patch', '/api/v1/things/{id}', 'write', '200'],
      ['post', '/api/v1/other', 'admin', '201'],
    ]);
    expect(ops[2]?.response).toBeNull();
    expect(groupByTag(ops).map((g) => [g.tag, g.operations.length])).toEqual([
      ['Things', 2],
      ['Other', 1],
    ]);
  });

  it('writes a curl command with the key only where a scope is needed, quoting the body for the shell', () => {
    const [get, patch] = operationsOf(document) as [Operation, Operation];
    expect(curlExample(get, 'https://community.example/')).toBe(`curl 'https://community.example/api/v1/things/1'`);
    expect(curlExample(patch, 'https://community.example')).toBe(
      [`curl -X PATCH 'https://community.example/api/v1/things/1'`, `-H "Authorization: Bearer $HEARTH_API_KEY"`, `-H 'Content-Type: application/json'`, `-d '{\n  "name": "Ada'\\''s"\n}'`].join(' \\\n  '),
    );
  });
});
