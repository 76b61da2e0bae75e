import { TocsinError } from '../lib/errors.ts';

/**
 * What PostgreSQL's error codes (SQLSTATE) that a user can act on mean, and what to do. The
 * server's own message (`role "x" does not exist`) says which name was wrong; this says where to fix it.
 */
const SQLSTATE_ADVICE: Record<string, string> = {
  '28000': 'the server does not let this user in (no such role, or pg_hba.conf refuses it); check the user in DATABASE_URL',
  '28P01': 'the password is wrong for this user; check the password in DATABASE_URL',
  '3D000': 'the database does not exist; create it (createdb NAME) or fix the name at the end of DATABASE_URL',
  '3F000': 'the schema does not exist; create it, or fix search_path in DATABASE_URL',
  '42501': 'the user may not do what Tocsin needs (create and change its tables); grant it, or connect as the database owner',
  '53300': 'the server has no connection left; stop other clients or raise max_connections',
  '57P01': 'the server was shut down, or an administrator ended the connection; run the command again once it is back',
  '57P02': 'the server crashed; run the command again once it is back',
  '57P03': 'the server is starting up or shutting down; run the command again in a moment',
};

// pg's own messages for a connection that broke, whatever broke it.
const LOST_CONNECTION_MESSAGES = new Set(['Connection terminated unexpectedly', 'Connection terminated']);
// What pg says to a query on a connection that broke before: the last break says why.
const NOT_QUERYABLE = 'Client has encountered a connection error and is not queryable';

/** Errors a connection reported as it broke (the same objects fail the queries it was running). */
const connectionErrors = new WeakSet<object>();
let lastConnectionError: unknown;

/** Notes that `error` broke a PostgreSQL connection, so that the query it fails is told as a lost connection. */
export function noteConnectionError(error: unknown): void {
  if (error && typeof error === 'object') connectionErrors.add(error);
  lastConnectionError = error;
}

/** The server's message with its SQLSTATE and what that means (`role "bob" does not exist (SQLSTATE 28000): …`); undefined for an error the server did not send. */
export function describeSqlState(error: unknown): string | undefined {
  if (!isSqlState(error)) return undefined;
  const advice = SQLSTATE_ADVICE[error.code];
  return `${error.message} (SQLSTATE ${error.code})${advice ? `: ${advice}` : ''}`;
}

/** An error the PostgreSQL server sent (pg's DatabaseError): it carries a severity and a SQLSTATE. */
function isSqlState(error: unknown): error is Error & { code: string } {
  return error instanceof Error && 'severity' in error && typeof (error as { code?: unknown }).code === 'string';
}

/**
 * A database failure the user can act on, told as such: a PostgreSQL connection that broke or
 * that the server ended. Undefined for anything else, which stays a bug to report.
 */
export function databaseFailure(error: unknown): TocsinError | undefined {
  const notQueryable = error instanceof Error && error.message === NOT_QUERYABLE;
  const lost =
    notQueryable ||
    connectionErrors.has(error as object) ||
    (error instanceof Error && LOST_CONNECTION_MESSAGES.has(error.message)) ||
    (isSqlState(error) && /^(08|57P0)/.test(error.code));
  if (!lost) return undefined;
  const why = notQueryable && lastConnectionError !== undefined ? lastConnectionError : error;
  const reason = isSqlState(why) ? `${why.message}, SQLSTATE ${why.code}` : String((why as { message?: unknown }).message);
  return new TocsinError(
    'DATABASE_CONNECTION_LOST',
    `lost the connection to PostgreSQL (${reason}); what this command had not committed was rolled back: run it again once the server is reachable`,
    { kind: 'unavailable', cause: error },
  );
}
