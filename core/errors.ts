/**
 * A failure with a stable machine-readable code, an HTTP status and a message a person can act on.
 * Core code throws these; the API error handler renders them as `{ error: { code, message, details } }`.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly details?: unknown,
    /** A Chinese message with the specifics (which field, which limit), preferred to the catalogue's. */
    readonly zh?: string,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** A failure at start-up that should end the process with one readable line and no stack trace. */
export class StartupError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'StartupError';
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return errorMessage(err.errors[0]);
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}
