import { databaseFailure } from '../db/index.ts';
import { httpStatusOf, type NextStep, TocsinError } from '../lib/errors.ts';

/** The one error shape of the API: a stable code for programs, a message for people, and the next step as data when there is one. */
export interface ErrorBody {
  error: { code: string; message: string; next?: NextStep };
}

export interface ErrorReply {
  status: number;
  body: ErrorBody;
}

export function errorBody(code: string, message: string, next?: NextStep): ErrorBody {
  return { error: { code, message, ...(next ? { next } : {}) } };
}

/** Fastify's own errors for a request it could not take, by code: what the client did wrong, in our shape. */
const FASTIFY_ERRORS: Readonly<Record<string, { status: number; code: string; message: string }>> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'this route takes application/json' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'BAD_CONTENT_LENGTH', message: 'the Content-Length does not match the body sent' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'BODY_TOO_LARGE', message: 'the request body is larger than this route takes' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'BAD_JSON', message: 'the body is empty but says it is JSON; send a JSON object' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'BAD_JSON', message: 'the body is not valid JSON' },
  FST_ERR_CTP_MALFORMED_JSON_BODY: { status: 400, code: 'BAD_JSON', message: 'the body is not valid JSON' },
  FST_ERR_BAD_URL: { status: 400, code: 'BAD_URL', message: 'the URL is malformed' },
  FST_ERR_MAX_PARAM_LENGTH: { status: 414, code: 'URL_TOO_LONG', message: 'a part of the URL is longer than any id or name the API takes' },
  FST_INVALID_MULTIPART_CONTENT_TYPE: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'an upload is multipart/form-data with one file' },
  FST_REQ_FILE_TOO_LARGE: { status: 413, code: 'UPLOAD_TOO_LARGE', message: "the file is larger than this server's upload limit (upload_limit in its configuration); nothing was kept" },
  FST_FILES_LIMIT: { status: 413, code: 'ONE_FILE_PER_UPLOAD', message: 'send one file per upload' },
  FST_PARTS_LIMIT: { status: 413, code: 'ONE_FILE_PER_UPLOAD', message: 'send one file per upload, and no other fields' },
  FST_FIELDS_LIMIT: { status: 413, code: 'ONE_FILE_PER_UPLOAD', message: 'send one file per upload, and no other fields' },
  FST_PROTO_VIOLATION: { status: 400, code: 'BAD_MULTIPART', message: 'the multipart body is malformed' },
  FST_MP_PREMATURE_CLOSE: { status: 400, code: 'UPLOAD_INCOMPLETE', message: 'the upload ended before its last part; nothing was kept' },
  FST_ERR_ASYNC_CONSTRAINT: { status: 400, code: 'BAD_REQUEST', message: 'the request does not fit any route' },
};

/** PostgreSQL refuses text with a NUL byte (22021) or one its encoding lacks (22P05): the request's fault, not the server's. */
const UNSTORABLE_TEXT = new Set(['22021', '22P05']);

function isSqlState(error: unknown, codes: ReadonlySet<string>): boolean {
  return error instanceof Error && 'severity' in error && codes.has(String((error as { code?: unknown }).code));
}

/** One issue as fastify-type-provider-zod reports it: the zod issue's code, path and message. */
interface ValidationIssue {
  keyword?: string;
  instancePath?: string;
  message?: string;
  params?: { keys?: string[] };
}

/**
 * What a failed request tells its client. Anything not known here is a bug: the client gets a
 * plain 500 without details (they could hold personal data or internals); the log gets the rest.
 */
export function errorReplyOf(error: unknown): ErrorReply | { status: 500; body: ErrorBody; unexpected: true } {
  if (error instanceof TocsinError) return { status: httpStatusOf(error.kind), body: errorBody(error.code, error.message, error.next) };
  if (isSqlState(error, UNSTORABLE_TEXT)) return { status: 400, body: errorBody('BAD_TEXT', 'a value holds a character the database cannot store (a NUL byte); remove it') };
  const lost = databaseFailure(error);
  if (lost) return { status: 503, body: errorBody(lost.code, 'the database is unreachable; try again once it is back') };
  if (error && typeof error === 'object') {
    const { code, validation, validationContext } = error as { code?: string; validation?: ValidationIssue[]; validationContext?: string };
    if (Array.isArray(validation)) return { status: 400, body: errorBody('INVALID_REQUEST', validationMessage(validationContext ?? 'request', validation)) };
    const known = code ? FASTIFY_ERRORS[code] : undefined;
    if (known) return { status: known.status, body: errorBody(known.code, known.message) };
  }
  return { status: 500, body: errorBody('INTERNAL', 'the server failed on this request; it was logged, please report it'), unexpected: true };
}

/** `body.aware_at: aware-at: … has no time zone` — the first issue, with where it is; unknown fields named. */
function validationMessage(part: string, issues: ValidationIssue[]): string {
  const first = issues[0];
  const path = [part, ...(first?.instancePath ?? '').split('/').filter(Boolean)].join('.');
  const keys = first?.params?.keys;
  if (first?.keyword === 'unrecognized_keys' && keys) return `${path}: unknown field${keys.length > 1 ? 's' : ''} ${keys.join(', ')}`;
  return `${path}: ${first?.message ?? 'invalid'}`;
}
