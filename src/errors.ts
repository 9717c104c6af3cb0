/**
 * The one error type of mailferry. `code` is stable (tests, logs and metrics key on it);
 * `userMessage` is what a person in chat reads: what went wrong and what to do next. It never
 * carries a stack trace or a secret.
 */
export const ERROR_CODES = [
  'BAD_INPUT',
  'NOT_FOUND',
  'FORBIDDEN',
  'CONFLICT',
  'AUTH_FAILED',
  'CONNECTION_FAILED',
  'THROTTLED',
  'NOT_CONNECTED',
  'NOT_SCANNED',
  'INSUFFICIENT_CREDITS',
  'UNSUPPORTED',
  'DATA_DIR_LOCKED',
  'CONFIG',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface AppErrorOptions {
  retryable?: boolean;
  retryAfterMs?: number;
  cause?: unknown;
  /** Extra plain data for a card (field names that failed validation, the winner of a race…). */
  details?: Record<string, unknown>;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly userMessage: string;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, userMessage: string, options: AppErrorOptions = {}) {
    super(userMessage, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.userMessage = userMessage;
    this.retryable = options.retryable ?? (code === 'THROTTLED');
    this.retryAfterMs = options.retryAfterMs;
    this.details = options.details;
  }

  static is(value: unknown, code?: ErrorCode): value is AppError {
    return value instanceof AppError && (code === undefined || value.code === code);
  }
}

/** Anything thrown becomes an AppError; unknown failures are INTERNAL with a generic sentence. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  return new AppError('INTERNAL', 'Something went wrong on our side. Try again; if it keeps failing, ask your mailferry operator to check the server log.', { cause: error });
}
