import { HTTPException } from 'hono/http-exception';
import type { ErrorHandler, NotFoundHandler } from 'hono';
import { ZodError } from 'zod';
import { isDatabaseUnavailable } from '../db/index.ts';
import { renderPage } from '../../web/layout.tsx';
import { AppError, fromZodError, notFound } from './errors.ts';
import type { HearthContext, HearthEnv } from './env.ts';

type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 422 | 429 | 500 | 503;

export function wantsJson(c: HearthContext): boolean {
  if (c.req.path.startsWith('/api/')) return true;
  const accept = c.req.header('accept') ?? '';
  return accept.includes('application/json') && !accept.includes('text/html');
}

const titles: Record<number, string> = {
  400: 'That request could not be read',
  401: 'Please sign in',
  403: 'Not allowed',
  404: 'Page not found',
  409: 'That conflicts with something',
  413: 'Too large',
  429: 'Slow down a little',
  500: 'Something went wrong',
  503: 'Back in a moment',
};

function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof ZodError) return fromZodError(err);
  if (err instanceof HTTPException) {
    if (err.status === 413) return new AppError('payload_too_large', 413, 'The request body is too large.');
    const status = err.status >= 400 && err.status < 500 ? err.status : 500;
    return new AppError(status === 400 ? 'bad_request' : 'http_error', status, status < 500 ? err.message || 'Bad request.' : 'Something went wrong on our side.');
  }
  if (isDatabaseUnavailable(err)) {
    return new AppError('service_unavailable', 503, 'The community is briefly unavailable while its database reconnects. Please try again in a moment.');
  }
  return new AppError('internal_error', 500, 'Something went wrong on our side. The error has been logged.');
}

export function renderError(c: HearthContext, error: AppError) {
  const status = (error.status in titles ? error.status : 500) as ErrorStatus;
  if (status === 503) c.header('Retry-After', '5');
  if (wantsJson(c)) {
    return c.json({ error: { code: error.code, message: error.message, ...(error.fields ? { fields: error.fields } : {}) } }, status);
  }
  return renderPage(
    c,
    { title: titles[status] ?? 'Error', noindex: true },
    <section class="error-page">
      <p class="error-code">{status}</p>
      <h1>{titles[status]}</h1>
      <p class="lead">{error.message}</p>
      {error.fields && (
        <ul class="error-list">
          {Object.entries(error.fields).map(([k, v]) => (
            <li>
              <strong>{k}</strong>: {v}
            </li>
          ))}
        </ul>
      )}
      <p>
        <a class="btn btn-primary" href="/">
          Go to the home page
        </a>
      </p>
    </section>,
    status,
  );
}

export const handleError: ErrorHandler<HearthEnv> = (err, c) => {
  const error = toAppError(err);
  if (error.status >= 500) {
    c.get('app')?.log.error({ err, requestId: c.get('requestId'), path: c.req.path }, 'request failed');
  }
  // The layout needs the platform variables; a failure before they were set still gets a plain answer.
  if (!c.get('app')) return c.json({ error: { code: error.code, message: error.message } }, error.status as ErrorStatus);
  return renderError(c, error);
};

export const handleNotFound: NotFoundHandler<HearthEnv> = (c) => renderError(c, notFound());
