/**
 * Reads the OpenAPI document the API registry produces and turns its JSON schemas into what the API
 * reference page shows: a tree of fields (name, type, required, description), example values and a
 * curl command. Only the parts of JSON Schema that zod emits are understood.
 */

export type JsonSchema = Record<string, unknown>;

export interface SchemaField {
  name?: string;
  type: string;
  required: boolean;
  description?: string;
  /** Limits worth knowing: length, range, format, default. */
  constraints: string[];
  children: SchemaField[];
}

export interface Parameter {
  name: string;
  in: string;
  required: boolean;
  description?: string;
  schema: JsonSchema;
}

export interface Operation {
  id: string;
  method: string;
  path: string;
  tag: string;
  summary: string;
  description?: string;
  /** The scope an API key needs, or null for a public endpoint. */
  scope: string | null;
  parameters: Parameter[];
  requestBody: JsonSchema | null;
  status: string;
  response: JsonSchema | null;
}

const maxDepth = 8;
// zod writes these bounds on every integer; they say nothing a reader needs.
const safeIntegerBound = Number.MAX_SAFE_INTEGER;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asSchema(value: unknown): JsonSchema {
  return isRecord(value) ? value : {};
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Follows a local `$ref` (`#/$defs/Name`) within the schema it came from. */
function resolve(schema: JsonSchema, root: JsonSchema, seen: Set<string>): { schema: JsonSchema; cyclic: boolean } {
  const ref = text(schema.$ref);
  if (!ref?.startsWith('#/')) return { schema, cyclic: false };
  if (seen.has(ref)) return { schema: {}, cyclic: true };
  seen.add(ref);
  let target: unknown = root;
  for (const part of ref.slice(2).split('/')) target = isRecord(target) ? target[part.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
  const { $ref: _ref, ...rest } = schema;
  return { schema: { ...asSchema(target), ...rest }, cyclic: false };
}

function variants(schema: JsonSchema): JsonSchema[] | null {
  const list = schema.anyOf ?? schema.oneOf;
  return Array.isArray(list) ? list.map(asSchema) : null;
}

function isNull(schema: JsonSchema): boolean {
  return schema.type === 'null';
}

/** A short type label: `string`, `integer | null`, `"open" | "closed"`, `Topic[]`, `Record<string, number>`. */
export function typeLabel(input: JsonSchema, root: JsonSchema, seen = new Set<string>(), depth = 0): string {
  const { schema, cyclic } = resolve(input, root, new Set(seen));
  if (cyclic) return 'object';
  if (depth > maxDepth) return '…';
  if ('const' in schema) return JSON.stringify(schema.const);
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  const options = variants(schema);
  if (options) return [...new Set(options.map((o) => typeLabel(o, root, seen, depth + 1)))].join(' | ');
  if (Array.isArray(schema.type)) return schema.type.map((t) => typeLabel({ ...schema, type: t }, root, seen, depth + 1)).join(' | ');
  if (schema.type === 'array') {
    const item = typeLabel(asSchema(schema.items), root, seen, depth + 1);
    return item.includes(' | ') ? `(${item})[]` : `${item}[]`;
  }
  if (schema.type === 'object' && !isRecord(schema.properties) && isRecord(schema.additionalProperties)) {
    return `Record<string, ${typeLabel(schema.additionalProperties, root, seen, depth + 1)}>`;
  }
  if (typeof schema.type === 'string') return schema.type;
  if (isRecord(schema.properties)) return 'object';
  return 'any';
}

function constraintsOf(schema: JsonSchema): string[] {
  const out: string[] = [];
  const num = (v: unknown) => (typeof v === 'number' && Math.abs(v) < safeIntegerBound ? v : undefined);
  const format = text(schema.format);
  if (format) out.push(`format: ${format}`);
  const minLength = num(schema.minLength);
  const maxLength = num(schema.maxLength);
  if (minLength !== undefined && maxLength !== undefined) out.push(`${minLength}–${maxLength} characters`);
  else if (minLength !== undefined && minLength > 0) out.push(`at least ${minLength} characters`);
  else if (maxLength !== undefined) out.push(`at most ${maxLength} characters`);
  const min = num(schema.minimum) ?? num(schema.exclusiveMinimum);
  const max = num(schema.maximum) ?? num(schema.exclusiveMaximum);
  if (min !== undefined && max !== undefined) out.push(`${min}–${max}`);
  else if (min !== undefined) out.push(`${schema.exclusiveMinimum !== undefined ? '>' : '≥'} ${min}`);
  else if (max !== undefined) out.push(`${schema.exclusiveMaximum !== undefined ? '<' : '≤'} ${max}`);
  const minItems = num(schema.minItems);
  const maxItems = num(schema.maxItems);
  if (minItems !== undefined || maxItems !== undefined) out.push(`${minItems ?? 0}–${maxItems ?? '∞'} items`);
  if ('default' in schema) out.push(`default: ${JSON.stringify(schema.default)}`);
  return out;
}

/** The schema whose properties describe a value: the object itself, an array's items, or a nullable's non-null side. */
function objectPart(input: JsonSchema, root: JsonSchema, seen: Set<string>): JsonSchema | null {
  const { schema, cyclic } = resolve(input, root, seen);
  if (cyclic) return null;
  if (isRecord(schema.properties)) return schema;
  if (schema.type === 'array') return objectPart(asSchema(schema.items), root, seen);
  const options = variants(schema);
  if (options) {
    const nonNull = options.filter((o) => !isNull(o));
    if (nonNull.length === 1 && nonNull[0]) return objectPart(nonNull[0], root, seen);
  }
  return null;
}

function fieldsOf(input: JsonSchema, root: JsonSchema, seen: Set<string>, depth: number): SchemaField[] {
  if (depth > maxDepth) return [];
  const object = objectPart(input, root, seen);
  if (!object || !isRecord(object.properties)) return [];
  const required = Array.isArray(object.required) ? object.required : [];
  return Object.entries(object.properties).map(([name, raw]) => describeField(asSchema(raw), root, { name, required: required.includes(name), seen: new Set(seen), depth: depth + 1 }));
}

function describeField(input: JsonSchema, root: JsonSchema, opts: { name?: string; required: boolean; seen: Set<string>; depth: number }): SchemaField {
  const { schema } = resolve(input, root, new Set(opts.seen));
  const options = variants(schema) ?? [];
  const nonNull = options.find((o) => !isNull(o));
  return {
    name: opts.name,
    type: typeLabel(input, root, opts.seen),
    required: opts.required,
    description: text(schema.description) ?? text(nonNull?.description),
    constraints: constraintsOf(nonNull ? { ...nonNull, ...schema } : schema),
    children: fieldsOf(input, root, opts.seen, opts.depth),
  };
}

/** The fields of a request or response body; a body that is not an object becomes one unnamed field. */
export function describeSchema(schema: JsonSchema): SchemaField[] {
  const fields = fieldsOf(schema, schema, new Set(), 0);
  if (fields.length > 0) return fields;
  return [describeField(schema, schema, { required: true, seen: new Set(), depth: 0 })];
}

/** A plausible value for the schema, for request examples. */
export function exampleValue(input: JsonSchema, root: JsonSchema, seen = new Set<string>(), depth = 0): unknown {
  const { schema, cyclic } = resolve(input, root, seen);
  if (cyclic || depth > maxDepth) return null;
  if ('examples' in schema && Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0];
  if ('example' in schema) return schema.example;
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  if ('default' in schema) return schema.default;
  const options = variants(schema);
  if (options) {
    const first = options.find((o) => !isNull(o)) ?? options[0];
    return first ? exampleValue(first, root, seen, depth + 1) : null;
  }
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'string':
      return exampleString(schema);
    case 'integer':
    case 'number': {
      const min = typeof schema.minimum === 'number' && Math.abs(schema.minimum) < safeIntegerBound ? schema.minimum : undefined;
      return min !== undefined && min > 1 ? min : 1;
    }
    case 'boolean':
      return true;
    case 'null':
      return null;
    case 'array':
      return [exampleValue(asSchema(schema.items), root, new Set(seen), depth + 1)];
    default:
      break;
  }
  if (isRecord(schema.properties)) {
    const out: Record<string, unknown> = {};
    for (const [name, prop] of Object.entries(schema.properties)) out[name] = exampleValue(asSchema(prop), root, new Set(seen), depth + 1);
    return out;
  }
  if (isRecord(schema.additionalProperties)) return { key: exampleValue(schema.additionalProperties, root, new Set(seen), depth + 1) };
  return type === 'object' ? {} : null;
}

function exampleString(schema: JsonSchema): string {
  switch (schema.format) {
    case 'email':
      return 'member@example.com';
    case 'date-time':
      return '2025-01-31T09:30:00.000Z';
    case 'date':
      return '2025-01-31';
    case 'uri':
    case 'url':
      return 'https://example.com';
    case 'uuid':
      return '3f2b8c1e-7d4a-4e8b-9a51-2c6f0d9e4b17';
    default: {
      const minLength = typeof schema.minLength === 'number' ? schema.minLength : 0;
      return 'string'.padEnd(minLength, 's');
    }
  }
}

const methodOrder = ['get', 'post', 'put', 'patch', 'delete'];

/** The operations of an OpenAPI document, in document order. */
export function operationsOf(document: Record<string, unknown>): Operation[] {
  const out: Operation[] = [];
  const paths = asSchema(document.paths);
  for (const [path, item] of Object.entries(paths)) {
    const methods = asSchema(item);
    for (const method of methodOrder) {
      const op = methods[method];
      if (!isRecord(op)) continue;
      const tags = Array.isArray(op.tags) ? op.tags.filter((t): t is string => typeof t === 'string') : [];
      const security = Array.isArray(op.security) ? op.security.map(asSchema) : [];
      const bearer = security.map((s) => s.bearerAuth).find(Array.isArray);
      const scope = bearer?.find((s): s is string => typeof s === 'string') ?? null;
      const responses = asSchema(op.responses);
      const status = Object.keys(responses).find((k) => /^2\d\d$/.test(k)) ?? '200';
      out.push({
        id: text(op.operationId) ?? `${method}-${path}`,
        method,
        path,
        tag: tags[0] ?? 'Other',
        summary: text(op.summary) ?? `${method.toUpperCase()} ${path}`,
        description: text(op.description),
        scope,
        parameters: (Array.isArray(op.parameters) ? op.parameters : []).map(asSchema).map((p) => ({
          name: text(p.name) ?? '',
          in: text(p.in) ?? 'query',
          required: p.required === true,
          description: text(p.description),
          schema: asSchema(p.schema),
        })),
        requestBody: bodySchema(op.requestBody),
        status,
        response: bodySchema(responses[status]),
      });
    }
  }
  return out;
}

function bodySchema(holder: unknown): JsonSchema | null {
  const content = asSchema(asSchema(holder).content);
  const json = content['application/json'];
  return isRecord(json) && isRecord(json.schema) ? json.schema : null;
}

/** Operations grouped by tag, tags in order of first appearance. */
export function groupByTag(operations: Operation[]): Array<{ tag: string; operations: Operation[] }> {
  const groups = new Map<string, Operation[]>();
  for (const op of operations) groups.set(op.tag, [...(groups.get(op.tag) ?? []), op]);
  return [...groups].map(([tag, ops]) => ({ tag, operations: ops }));
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** A curl command calling the operation with example values. */
export function curlExample(op: Operation, baseUrl: string): string {
  let path = op.path;
  const query = new URLSearchParams();
  for (const p of op.parameters) {
    const value = exampleValue(p.schema, p.schema);
    if (p.in === 'path') path = path.replace(`{${p.name}}`, encodeURIComponent(String(value ?? p.name)));
    else if (p.in === 'query' && p.required) query.set(p.name, String(value ?? ''));
  }
  const qs = query.toString();
  const lines = [`curl${op.method === 'get' ? '' : ` -X ${op.method.toUpperCase()}`} ${shellQuote(`${baseUrl.replace(/\/$/, '')}${path}${qs ? `?${qs}` : ''}`)}`];
  if (op.scope) lines.push(`-H "Authorization: Bearer $HEARTH_API_KEY"`);
  if (op.requestBody) {
    lines.push(`-H 'Content-Type: application/json'`);
    lines.push(`-d ${shellQuote(JSON.stringify(exampleValue(op.requestBody, op.requestBody), null, 2))}`);
  }
  return lines.join(' \\\n  ');
}

/** An id safe for an HTML anchor. */
export function anchorId(prefix: string, value: string): string {
  return `${prefix}-${value
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')}`;
}
