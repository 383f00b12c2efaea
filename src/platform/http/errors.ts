import type { ZodError } from 'zod';

export type FieldErrors = Record<string, string>;

/**
 * The one error type a feature throws. `code` is stable (clients switch on it), `message` is safe to
 * show to the user, `status` is the HTTP status it becomes.
 */
export class AppError extends Error {
  constructor(
    public readonly code: string,
    public readonly status: number,
    message: string,
    public readonly fields?: FieldErrors,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const badRequest = (message: string, code = 'bad_request') => new AppError(code, 400, message);
export const unauthorized = (message = 'Sign in to continue.') => new AppError('unauthorized', 401, message);
export const forbidden = (message = 'You do not have permission to do that.') => new AppError('forbidden', 403, message);
export const notFound = (message = 'We could not find that page.') => new AppError('not_found', 404, message);
export const conflict = (message: string, code = 'conflict') => new AppError(code, 409, message);
export const tooManyRequests = (message: string) => new AppError('rate_limited', 429, message);
export const serviceUnavailable = (message = 'The service is briefly unavailable. Please try again in a moment.') =>
  new AppError('service_unavailable', 503, message);

export function validationFailed(fields: FieldErrors, message = 'Please correct the highlighted fields.'): AppError {
  return new AppError('validation_failed', 400, message, fields);
}

export function fromZodError(error: ZodError): AppError {
  const fields: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path.join('.') || '_';
    fields[key] ??= issue.message;
  }
  const summary = Object.entries(fields)
    .map(([k, v]) => (k === '_' ? v : `${k}: ${v}`))
    .join('; ');
  return validationFailed(fields, `Invalid input: ${summary}`);
}
