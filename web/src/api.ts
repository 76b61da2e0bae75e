import type { StaffRoute } from '../../src/server/index.ts';

// One client for the whole staff API, typed by the server's route table: a route's path, parameters,
// query, body and reply come from its zod schemas and its handler, so a change on the server that
// the console does not follow fails `npm run typecheck`.

type Method = StaffRoute['method'];
type UrlOf<M extends Method> = Extract<StaffRoute, { method: M }>['url'];
type WireOf<M extends Method, U extends string> = NonNullable<Extract<StaffRoute, { method: M; url: U }>['endpoint']['wire']>;

/** What a call takes: the path's parameters, the query and the body, each where the route has one. */
type Input<W extends { params: unknown; query: unknown; body: unknown }> = (W['params'] extends undefined ? unknown : { params: W['params'] }) &
  (W['query'] extends undefined ? unknown : { query?: W['query'] }) &
  (W['body'] extends undefined ? unknown : { body: W['body'] });

/** A handler that answers by hand (204 No Content) gives its reply object, which reaches the client as nothing. */
type Reply<R> = R extends { sent: boolean; raw: unknown } ? undefined : R;

/** The server's `{"error": {"code", "message", "next"}}`, with the status and, for a throttled sign-in, when to try again. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly retryAfter: number | null;
  constructor(status: number, code: string, message: string, retryAfter: number | null) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

function pathOf(url: string, params: Record<string, string> | undefined): string {
  return url.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(params?.[name] ?? ''));
}

function queryOf(query: Record<string, unknown> | undefined): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    for (const item of [value].flat()) if (item !== undefined && item !== null) search.append(key, String(item));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** The address of a GET route, for what the browser fetches itself: a download, a document in a frame. */
export function linkTo<U extends UrlOf<'GET'>>(url: U, ...[input]: object extends Input<WireOf<'GET', U>> ? [Input<WireOf<'GET', U>>?] : [Input<WireOf<'GET', U>>]): string {
  const { params, query } = (input ?? {}) as { params?: Record<string, string>; query?: Record<string, unknown> };
  return pathOf(url, params) + queryOf(query);
}

export async function api<M extends Method, U extends UrlOf<M>>(method: M, url: U, ...[input]: object extends Input<WireOf<M, U>> ? [Input<WireOf<M, U>>?] : [Input<WireOf<M, U>>]): Promise<Reply<WireOf<M, U>['reply']>> {
  const { params, query, body } = (input ?? {}) as { params?: Record<string, string>; query?: Record<string, unknown>; body?: unknown };
  const response = await fetch(pathOf(url, params) + queryOf(query), {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 204) return undefined as Reply<WireOf<M, U>['reply']>;
  if (!response.ok) throw await apiError(response);
  return response.json().catch(() => null);
}

/** A document the API renders (a report in Markdown, the register), as text: for a preview. */
export async function documentText(link: string): Promise<string> {
  const response = await fetch(link, { credentials: 'same-origin' });
  if (!response.ok) throw await apiError(response);
  return response.text();
}

/** One file to an incident's uploads (multipart): an import, a scope run or a bounce import then names it by its upload_id. */
export async function uploadFile(incidentId: string, file: File): Promise<ReplyOf<'POST', '/api/incidents/:id/uploads'>> {
  const form = new FormData();
  form.append('file', file, file.name);
  const response = await fetch(pathOf('/api/incidents/:id/uploads', { id: incidentId }), { method: 'POST', credentials: 'same-origin', body: form });
  if (!response.ok) throw await apiError(response);
  return response.json();
}

/** Reported messages for the phishing desk, the file itself as the body: one message (message/rfc822) or an mbox (application/mbox). */
export async function importMessages(file: Blob, type: 'message/rfc822' | 'application/mbox'): Promise<ReplyOf<'POST', '/api/phishing/messages'>> {
  const response = await fetch('/api/phishing/messages', { method: 'POST', credentials: 'same-origin', headers: { 'content-type': type }, body: file });
  if (!response.ok) throw await apiError(response);
  return response.json();
}

async function apiError(response: Response): Promise<ApiError> {
  const payload = await response.json().catch(() => null);
  const error = payload?.error ?? {};
  const retryAfter = Number(response.headers.get('retry-after')) || null;
  return new ApiError(response.status, String(error.code ?? 'HTTP_ERROR'), String(error.message ?? response.statusText), retryAfter);
}

/** The reply of a route, for components that take one as a prop. */
export type ReplyOf<M extends Method, U extends UrlOf<M>> = Reply<WireOf<M, U>['reply']>;
