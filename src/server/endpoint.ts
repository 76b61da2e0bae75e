import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Context } from '../context.ts';
import type { Access, Permission, Principal, ResearcherPrincipal, StaffAccounts } from './auth.ts';
import type { Metrics } from './metrics.ts';

/** What a handler gets: the validated request parts, a context whose actor is the caller, and the caller's permissions. */
export interface Call<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  ctx: Context;
  principal: Principal | null;
  /** The signed-in researcher, on a public route whose access is `researcher`; null elsewhere. */
  researcher: ResearcherPrincipal | null;
  can(permission: Permission): boolean;
  request: FastifyRequest;
  reply: FastifyReply;
  accounts: StaffAccounts;
  metrics: Metrics;
}

/**
 * A reply already written as JSON (by the database: a page of affected people), sent as it is;
 * `T` is what it holds, the route's reply type for clients.
 */
export class JsonText<T> {
  declare readonly holds?: T;
  // A private member makes the type nominal: a plain reply with a `text` field (a template file) is no JsonText.
  private declare readonly nominal: true;
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

/** What a client gets from a handler's result: what JSON text holds, else the result itself. */
type Wire<R> = R extends JsonText<infer T> ? T : R;

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;
type In<S> = S extends z.ZodType ? z.input<S> : undefined;

/** A route's schemas (they validate, type and document it) and its handler, which calls a service and returns its view. */
export interface Endpoint {
  summary: string;
  params?: z.ZodType;
  querystring?: z.ZodType;
  body?: z.ZodType;
  /** The status of a success: 200 unless it creates (201) or starts something (202). */
  status?: number;
  /** Content types the body may come in, when not JSON (uploads). */
  consumes?: string[];
  /** The largest body it takes, when not the server's 1 MiB for JSON. */
  bodyLimit?: (config: Context['config']) => number;
  handle(call: Call<unknown, unknown, unknown>): Promise<unknown>;
}

/**
 * What a client sends and gets back, as types only (nothing holds them at run time): the console's
 * API client reads them from the route table, so its calls are checked against the server's schemas.
 */
export interface TypedEndpoint<P, Q, B, R> extends Endpoint {
  readonly wire?: { params: P; query: Q; body: B; reply: R };
}

/** Declares an endpoint with its handler typed by its schemas. */
export function endpoint<P extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined, B extends z.ZodType | undefined = undefined, R = unknown>(definition: {
  summary: string;
  params?: P;
  querystring?: Q;
  body?: B;
  status?: number;
  consumes?: string[];
  bodyLimit?: (config: Context['config']) => number;
  handle(call: Call<Out<P>, Out<Q>, Out<B>>): Promise<R>;
}): TypedEndpoint<In<P>, In<Q>, In<B>, Wire<R>> {
  return definition as Endpoint;
}

/** A body that may be left out: Fastify gives a POST without one as null, which reads as the schema's empty object (every field left out). */
export function optionalBody<S extends z.ZodObject>(schema: S) {
  return schema.nullable().transform((body): z.output<S> => body ?? schema.parse({}));
}

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** One line of the route table. */
export interface Route {
  method: Method;
  url: string;
  access: Access;
  endpoint: Endpoint;
}
