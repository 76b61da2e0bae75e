/**
 * An error the user can act on: a stable code for scripts and tests, a message that says
 * what went wrong and what to do. Exit status 2 marks a usage error, 1 a failure.
 * The CLI prints only the message for these; any other error is a bug and shows its stack.
 */
export class TocsinError extends Error {
  readonly code: string;
  readonly exitCode: 1 | 2;

  constructor(code: string, message: string, options: { exitCode?: 1 | 2; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'TocsinError';
    this.code = code;
    this.exitCode = options.exitCode ?? 1;
  }
}

export function usageError(code: string, message: string): TocsinError {
  return new TocsinError(code, message, { exitCode: 2 });
}

/** The short reason of an underlying error, for messages: `ECONNREFUSED`, `EACCES`, … */
export function reasonOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return reasonOf(error.errors[0]);
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string') return error.code;
  return error instanceof Error ? error.message : String(error);
}
