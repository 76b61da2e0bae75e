/**
 * What went wrong, in words an adapter can map without reading the message:
 *
 * - `invalid`: what the user gave (a flag, an argument, a file's content, a configuration value)
 *   is malformed, out of range or names something Tocsin does not know. Fix the input and retry.
 * - `not_found`: the thing named (an incident, a notice) does not exist.
 * - `conflict`: the incident's state does not allow this now: an earlier step must come first
 *   (no records, no scope run, no notices), something changed since (templates), or another
 *   process holds the work (a sender, a lease). Retrying the same request as it is fails again
 *   until the state changes; `next` usually says what changes it.
 * - `forbidden`: the actor is known but may not do this (accounts and roles).
 * - `unauthenticated`: the actor is not known (no session, a bad token), or failed to prove who
 *   they are (a wrong password or second-factor code).
 * - `throttled`: too many attempts (failed sign-ins); `retry_after` says in how many seconds the
 *   next one may come.
 * - `unavailable`: something Tocsin depends on (the database, an SMTP server, the disk) could not
 *   be reached or refused the work; the same request may succeed later.
 * - `too_large`: what was sent is over a limit (an upload, a row).
 * - `unsupported_media`: a file is of a kind or encoding Tocsin does not read (UTF-16 text).
 * - `failed`: the work was refused because Tocsin's own data says it cannot be trusted (a broken
 *   audit trail, a forged checkpoint, a damaged secret) or a step failed in a way retrying as is
 *   will not fix (a migration); a person must look.
 */
export const ERROR_KINDS = ['invalid', 'not_found', 'conflict', 'forbidden', 'unauthenticated', 'throttled', 'unavailable', 'too_large', 'unsupported_media', 'failed'] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

/** The HTTP status an error of each kind answers with: one table, for the server. */
const HTTP_STATUS: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unsupported_media: 415,
  throttled: 429,
  failed: 500,
  unavailable: 503,
};

export function httpStatusOf(kind: ErrorKind): number {
  return HTTP_STATUS[kind];
}

/**
 * What the user should do next, as data: the CLI words it as a command line, the server leaves it
 * in the JSON for the console to offer as an action. Fields are snake_case, as on the wire.
 * `fields` name incident fields (`occurred_from`, `contact_email`) to set.
 */
export type NextStep =
  | { action: 'list_incidents' }
  | { action: 'update_incident'; incident_id: string; fields: string[] }
  | { action: 'set_narrative'; incident_id: string; locale: string }
  | { action: 'import_records'; incident_id: string }
  | { action: 'scope'; incident_id: string }
  | { action: 'list_unknown'; incident_id: string }
  | { action: 'build_notices'; incident_id: string }
  | { action: 'check_templates'; incident_id: string }
  | { action: 'approve_notices'; incident_id: string }
  | { action: 'send_notices'; incident_id: string }
  | { action: 'assess'; incident_id: string }
  | { action: 'make_report'; incident_id: string; jurisdiction: string }
  | { action: 'list_report_sections'; incident_id: string; locale: string }
  | { action: 'verify_audit'; incident_id: string }
  | { action: 'checkpoint_audit'; incident_id: string }
  | { action: 'database_status' }
  | { action: 'list_accounts' }
  | { action: 'list_api_tokens' }
  | { action: 'list_jobs' }
  | { action: 'generate_bounty_key' }
  | { action: 'list_phishing_reports' }
  | { action: 'list_phishing_campaigns' }
  | { action: 'list_bounty_reports' };

export type NextAction = NextStep['action'];

/** A TocsinError as plain data: what crosses a worker thread, and what the server answers with. */
export interface ErrorData {
  code: string;
  kind: ErrorKind;
  message: string;
  next?: NextStep;
  /** Seconds until a throttled request may be tried again: the server's Retry-After header. */
  retry_after?: number;
}

/**
 * An error the user can act on: a stable code for scripts and tests, a kind for adapters, a
 * message that says what went wrong and what to do, and maybe a structured next step. Adapters
 * show only these (any other error is a bug and shows its stack).
 */
export class TocsinError extends Error {
  readonly code: string;
  readonly kind: ErrorKind;
  readonly next: NextStep | undefined;
  /** Seconds until the request may be tried again, when Tocsin knows (a throttled sign-in). */
  readonly retry_after: number | undefined;

  constructor(code: string, message: string, options: { kind: ErrorKind; next?: NextStep; retry_after?: number; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = 'TocsinError';
    this.code = code;
    this.kind = options.kind;
    this.next = options.next;
    this.retry_after = options.retry_after;
  }

  static fromData(data: ErrorData): TocsinError {
    return new TocsinError(data.code, data.message, { kind: data.kind, next: data.next, retry_after: data.retry_after });
  }

  toData(): ErrorData {
    return {
      code: this.code,
      kind: this.kind,
      message: this.message,
      ...(this.next ? { next: this.next } : {}),
      ...(this.retry_after !== undefined ? { retry_after: this.retry_after } : {}),
    };
  }
}

/** The most common error: the input given is wrong. */
export function invalidInput(code: string, message: string, options: { next?: NextStep; cause?: unknown } = {}): TocsinError {
  return new TocsinError(code, message, { kind: 'invalid', ...options });
}

/** The short reason of an underlying error, for messages: `ECONNREFUSED`, `EACCES`, … */
export function reasonOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return reasonOf(error.errors[0]);
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string') return error.code;
  return error instanceof Error ? error.message : String(error);
}
