import { Badge, CodeBlock, EmptyState, PageHeader, Button, Notice } from '../../../web/components.tsx';
import { anchorId, curlExample, describeSchema, groupByTag, typeLabel, type Operation, type SchemaField } from '../schema-text.ts';

const scopeHelp: Array<{ scope: string; meaning: string }> = [
  { scope: 'read', meaning: 'read community content, members and reports' },
  { scope: 'write', meaning: 'create and change content on behalf of the key’s owner' },
  { scope: 'admin', meaning: 'settings, moderation, loyalty rules and other admin actions' },
];

const errorExample = JSON.stringify(
  {
    error: {
      code: 'validation_failed',
      message: 'Invalid input: title: Too small: expected string to have >=3 characters',
      fields: { title: 'Too small: expected string to have >=3 characters' },
    },
  },
  null,
  2,
);

const errorCodes: Array<{ status: number; codes: string; when: string }> = [
  { status: 400, codes: 'validation_failed, bad_request, invalid_json, invalid_cursor', when: 'the request could not be read or failed validation (`fields` says which)' },
  { status: 401, codes: 'unauthorized', when: 'no valid API key or session' },
  { status: 403, codes: 'forbidden', when: 'the key lacks the scope, or the member may not do this' },
  { status: 404, codes: 'not_found', when: 'no such resource, or one you may not see' },
  { status: 409, codes: 'conflict', when: 'the change conflicts with the current state' },
  { status: 413, codes: 'payload_too_large', when: 'the body is over the size limit' },
  { status: 429, codes: 'rate_limited', when: 'too many requests; retry after a pause' },
];

function MethodBadge({ method }: { method: string }) {
  return <span class={`method method-${method}`}>{method.toUpperCase()}</span>;
}

/**
 * Fields of a body. In a request the required ones are marked (the rest may be left out); in a response
 * the optional ones are (the rest are always present).
 */
function SchemaTree({ fields, mode }: { fields: SchemaField[]; mode: 'request' | 'response' }) {
  return (
    <ul class="schema">
      {fields.map((f) => (
        <li>
          <span class="schema-head">
            {f.name !== undefined && <code class="schema-name">{f.name}</code>}
            <span class="schema-type">{f.type}</span>
            {f.name !== undefined && mode === 'request' && f.required && <span class="schema-required">required</span>}
            {f.name !== undefined && mode === 'response' && !f.required && <span class="schema-optional">optional</span>}
          </span>
          {f.description && <span class="schema-desc">{f.description}</span>}
          {f.constraints.length > 0 && <span class="schema-constraints">{f.constraints.join(' · ')}</span>}
          {f.children.length > 0 && <SchemaTree fields={f.children} mode={mode} />}
        </li>
      ))}
    </ul>
  );
}

function Endpoint({ op, baseUrl }: { op: Operation; baseUrl: string }) {
  return (
    <article class="endpoint" id={anchorId('op', op.id)} aria-labelledby={`${anchorId('op', op.id)}-title`}>
      <h3 id={`${anchorId('op', op.id)}-title`}>{op.summary}</h3>
      <p class="endpoint-title">
        <MethodBadge method={op.method} />
        <span class="endpoint-path">{op.path}</span>
        {op.scope ? <Badge tone="warning">scope: {op.scope}</Badge> : <Badge tone="success">public</Badge>}
      </p>
      {op.description && <p class="muted">{op.description}</p>}
      {op.parameters.length > 0 && (
        <>
          <h4>Parameters</h4>
          <div class="table-wrap">
            <table class="table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">In</th>
                  <th scope="col">Type</th>
                  <th scope="col">Description</th>
                </tr>
              </thead>
              <tbody>
                {op.parameters.map((p) => (
                  <tr>
                    <td>
                      <code>{p.name}</code>
                      {p.required && <span class="schema-required"> required</span>}
                    </td>
                    <td>{p.in}</td>
                    <td>
                      <span class="schema-type">{typeLabel(p.schema, p.schema)}</span>
                    </td>
                    <td>{[p.description, ...describeSchema(p.schema).flatMap((f) => f.constraints)].filter(Boolean).join(' · ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      {op.requestBody && (
        <>
          <h4>Request body</h4>
          <SchemaTree fields={describeSchema(op.requestBody)} mode="request" />
        </>
      )}
      <h4>Response {op.status}</h4>
      {op.response ? <SchemaTree fields={describeSchema(op.response)} mode="response" /> : <p class="muted small">No body.</p>}
      <h4>Example</h4>
      <CodeBlock title="curl" code={curlExample(op, baseUrl)} />
    </article>
  );
}

export function ApiReference({ operations, baseUrl, siteName }: { operations: Operation[]; baseUrl: string; siteName: string }) {
  const groups = groupByTag(operations);
  return (
    <>
      <PageHeader
        title="API reference"
        subtitle={`The REST API of ${siteName}: every endpoint, its parameters and what it returns.`}
        breadcrumbs={[{ href: '/', label: 'Home' }]}
        actions={
          <Button variant="secondary" href="/api/v1/openapi.json" icon="download">
            OpenAPI document
          </Button>
        }
      />
      <div class="docs-layout">
        <nav class="docs-toc" aria-label="API sections">
          <ul>
            <li class="toc-tag">
              <a href="#guide">Guide</a>
              <ul class="toc-endpoints">
                <li>
                  <a href="#authentication">Authentication</a>
                </li>
                <li>
                  <a href="#pagination">Pagination</a>
                </li>
                <li>
                  <a href="#errors">Errors</a>
                </li>
              </ul>
            </li>
            {groups.map((g) => (
              <li class="toc-tag">
                <a href={`#${anchorId('tag', g.tag)}`}>{g.tag}</a>
                <ul class="toc-endpoints">
                  {g.operations.map((op) => (
                    <li>
                      <a href={`#${anchorId('op', op.id)}`}>
                        <MethodBadge method={op.method} />
                        <span>{op.summary}</span>
                      </a>
                    </li>
                  ))}
                </ul>
              </li>
            ))}
          </ul>
        </nav>
        <div class="docs-content">
          <section class="api-section prose" id="guide" aria-labelledby="guide-title">
            <h2 class="api-tag-title" id="guide-title">
              Guide
            </h2>
            <p>
              Every endpoint lives under <code>{baseUrl.replace(/\/$/, '')}/api/v1</code>, takes and returns JSON, and is described by the machine-readable{' '}
              <a href="/api/v1/openapi.json">OpenAPI 3.1 document</a>, which client generators and tools such as Postman can import.
            </p>
            <h3 id="authentication">Authentication</h3>
            <p>
              Send an API key in the <code>Authorization</code> header. Administrators create keys under <strong>Admin → API keys</strong> (or with{' '}
              <code>hearth apikey create</code>); the key is shown once, so store it as a secret. Requests act as the admin who made the key. In a browser, the
              session cookie works too (state changes then also need the <code>X-CSRF-Token</code> header).
            </p>
            <CodeBlock title="shell" code={`curl -H "Authorization: Bearer $HEARTH_API_KEY" ${baseUrl.replace(/\/$/, '')}/api/v1/…`} />
            <p>Each key holds one or more scopes, and each endpoint below names the scope it needs (or says it is public). A key needs every scope it uses: admin does not imply read.</p>
            <div class="table-wrap">
              <table class="table">
                <thead>
                  <tr>
                    <th scope="col">Scope</th>
                    <th scope="col">Allows</th>
                  </tr>
                </thead>
                <tbody>
                  {scopeHelp.map((s) => (
                    <tr>
                      <td>
                        <code>{s.scope}</code>
                      </td>
                      <td>{s.meaning}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <h3 id="pagination">Pagination</h3>
            <p>
              Lists return a page of <code>items</code> and a <code>nextCursor</code>. Pass it back as <code>?cursor=</code> to get the next page; it is{' '}
              <code>null</code> on the last page. <code>limit</code> sets the page size (1–100, default 25). Cursors are opaque: do not build or edit them.
            </p>
            <CodeBlock title="response" code={JSON.stringify({ items: ['…'], nextCursor: 'WzE3MzgzMTg2MDAwMDAsNDJd' }, null, 2)} />
            <h3 id="errors">Errors</h3>
            <p>
              Errors use the HTTP status and a JSON body with a stable <code>code</code> to switch on, a <code>message</code> you can show to a person and, for
              validation errors, <code>fields</code> naming each problem.
            </p>
            <CodeBlock title="400 Bad Request" code={errorExample} />
            <div class="table-wrap">
              <table class="table">
                <thead>
                  <tr>
                    <th scope="col">Status</th>
                    <th scope="col">Codes</th>
                    <th scope="col">When</th>
                  </tr>
                </thead>
                <tbody>
                  {errorCodes.map((e) => (
                    <tr>
                      <td>{e.status}</td>
                      <td>
                        {e.codes.split(', ').map((code, i) => (
                          <>
                            {i > 0 && ' '}
                            <code>{code}</code>
                          </>
                        ))}
                      </td>
                      <td>{e.when}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
          {groups.length === 0 && (
            <section class="api-section">
              <EmptyState icon="code" title="No endpoints yet">
                This community has not registered any API endpoints.
              </EmptyState>
            </section>
          )}
          {groups.map((g) => (
            <section class="api-section" id={anchorId('tag', g.tag)} aria-labelledby={`${anchorId('tag', g.tag)}-title`}>
              <h2 class="api-tag-title" id={`${anchorId('tag', g.tag)}-title`}>
                {g.tag}
              </h2>
              {g.operations.map((op) => (
                <Endpoint op={op} baseUrl={baseUrl} />
              ))}
            </section>
          ))}
          <section class="api-section">
            <Notice tone="info">
              Something missing or unclear? The <a href="/api/v1/openapi.json">OpenAPI document</a> is generated from the same schemas that validate each
              request, so it is always current.
            </Notice>
          </section>
        </div>
      </div>
    </>
  );
}
