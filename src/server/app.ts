import { readFileSync } from 'node:fs';
import fastifyCookie from '@fastify/cookie';
import fastifyMultipart from '@fastify/multipart';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import helmet from 'helmet';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Context } from '../context.ts';
import { TocsinError } from '../lib/errors.ts';
import { authorize, authorizeResearcher, type Principal, type ResearcherPrincipal, type StaffAccounts } from './auth.ts';
import { registerConsole } from './console.ts';
import { CSP_DIRECTIVES } from './csp.ts';
import { JsonText, type Route } from './endpoint.ts';
import { errorBody, errorReplyOf } from './http-errors.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { PUBLIC_ROUTES, STAFF_ROUTES } from './routes.ts';
import { checkBranding, portalErrorPage, settlePortal } from './routes/portal.ts';

export interface ServerOptions {
  /** Its config gives the trusted proxies and the upload limit. */
  ctx: Context;
  accounts: StaffAccounts;
  /** Serve HTTPS with this certificate chain and key (PEM). */
  tls?: { cert: Buffer; key: Buffer };
  /** Shared by both listeners, so the staff side's /metrics shows the public side's requests and the portal's counts too. */
  metrics?: Metrics;
}

/** The largest JSON body a route takes, in bytes. */
const BODY_LIMIT = 1024 * 1024;

/** Helmet's form of the one policy (./csp.ts). */
const CSP = { useDefaults: false, directives: CSP_DIRECTIVES };

/** Swagger UI's colours, darkened to a readable contrast; served as a file of the docs, under the same CSP as everything else. */
const DOCS_CSS = readFileSync(new URL('./api-docs.css', import.meta.url), 'utf8');

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
    researcher: ResearcherPrincipal | null;
  }
}

/** The staff listener: the console, the API under /api/, health, readiness and metrics. */
export async function buildStaffApp(options: ServerOptions): Promise<FastifyInstance> {
  const metrics = options.metrics ?? createMetrics(options.ctx);
  const app = await baseApp(options, metrics);
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Tocsin staff API', version: '1', description: 'Everything the tocsin CLI does to an incident, over HTTP. Errors are {"error": {"code", "message", "next"?}}.' },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: options.accounts.SESSION_COOKIE },
          bearer: { type: 'http', scheme: 'bearer' },
        },
      },
    },
    transform: jsonSchemaTransform,
  });
  // BaseLayout: no top bar, whose box for loading another API's document this page has no use for.
  await app.register(fastifySwaggerUi, {
    routePrefix: '/api/docs',
    uiConfig: { deepLinking: false, layout: 'BaseLayout' },
    theme: { title: 'Tocsin staff API', css: [{ filename: 'tocsin.css', content: DOCS_CSS }] },
  });
  app.get('/api/openapi.json', { schema: { hide: true } }, () => app.swagger());
  // Suspicious mail for the phishing desk comes as itself: one message, or an mbox of them.
  app.addContentTypeParser(['message/rfc822', 'application/mbox'], { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  registerRoutes(app, STAFF_ROUTES, options, metrics);
  await registerConsole(app);
  return app;
}

/** The public listener: only what customers and researchers may reach, nothing of the staff side. */
export async function buildPublicApp(options: ServerOptions): Promise<FastifyInstance> {
  // The shop's logo and colours are checked before anything listens: a bad one is a configuration error, not a broken page.
  checkBranding(options.ctx.config);
  const metrics = options.metrics ?? createMetrics(options.ctx);
  const app = await baseApp(options, metrics, portalErrorPage(options.ctx.config));
  // The portal's HTML forms post as browsers do; a suspicious message may also come as itself.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  app.addContentTypeParser('message/rfc822', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  registerRoutes(app, PUBLIC_ROUTES, options, metrics);
  app.addHook('onClose', () => settlePortal(options.ctx));
  return app;
}

/** An error as a page, for a browser that asked for one (the portal's forms); undefined answers in JSON. */
type ErrorPage = (request: FastifyRequest, error: { status: number; code: string; retry_after?: number }) => string | undefined;

async function baseApp(options: ServerOptions, metrics: Metrics, errorPage?: ErrorPage): Promise<FastifyInstance> {
  const app = Fastify({
    // Fastify's request log would write URLs, which can hold email addresses; errors are logged below without them.
    logger: false,
    https: options.tls ?? null,
    trustProxy: options.ctx.config.trust_proxy.length > 0 ? [...options.ctx.config.trust_proxy] : false,
    bodyLimit: BODY_LIMIT,
    routerOptions: { maxParamLength: 512 },
    return503OnClosing: true,
    // Requests refused before routing (a malformed URL) get the one error shape too.
    frameworkErrors: (error, _request, reply: FastifyReply) => {
      const { status, body } = errorReplyOf(error);
      void reply.code(status).send(body);
    },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // JSON is the API's only body type (uploads add theirs per route); text/plain would reach handlers as a string.
  app.removeContentTypeParser('text/plain');
  app.decorateRequest('principal', null);
  app.decorateRequest('researcher', null);

  // Helmet's headers are the same for every response: made once (@fastify/helmet built helmet's middleware anew for each request).
  const securityHeaders = helmetHeaders({ contentSecurityPolicy: CSP, hsts: options.tls ? { maxAge: 31_536_000, includeSubDomains: true } : false, crossOriginEmbedderPolicy: true });
  app.addHook('onRequest', (_request, reply, done) => {
    void reply.headers(securityHeaders);
    done();
  });
  await app.register(fastifyCookie);

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.requestDuration.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });

  app.setNotFoundHandler((request, reply) => {
    const page = errorPage?.(request, { status: 404, code: 'NOT_FOUND' });
    if (page !== undefined) return void reply.code(404).type('text/html; charset=utf-8').send(page);
    void reply.code(404).send(errorBody('NOT_FOUND', `no route ${request.method} ${pathOf(request)}; GET /api/openapi.json lists the routes`));
  });
  app.setErrorHandler((error, request, reply) => {
    const { status, body, ...rest } = errorReplyOf(error);
    if ('unexpected' in rest) {
      // The route's pattern, not its URL, and the error: no request data, which can be personal.
      options.ctx.logger.error({ route: request.routeOptions.url, method: request.method, error: withoutMessage(error) }, 'request failed');
    }
    // A throttled sign-in or code check says when the next attempt may come.
    const retryAfter = error instanceof TocsinError ? error.retry_after : undefined;
    if (retryAfter !== undefined) void reply.header('retry-after', String(retryAfter));
    const page = errorPage?.(request, { status, code: body.error.code, retry_after: retryAfter });
    if (page !== undefined) return void reply.code(status).type('text/html; charset=utf-8').send(page);
    void reply.code(status).send(body);
  });
  return app;
}

/** The headers helmet's middleware sets with `options`, read off a response it is given once. */
function helmetHeaders(options: Parameters<typeof helmet>[0]): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = { setHeader: (name: string, value: string) => void (headers[name.toLowerCase()] = String(value)), removeHeader: (name: string) => void delete headers[name.toLowerCase()] };
  helmet(options)({} as never, response as never, () => {});
  return headers;
}

/**
 * What is logged of an unexpected error: its type, code and stack frames. Its message and the
 * database's detail can quote the data (`Key (subject)=(someone@…) already exists`), so they stay out.
 */
function withoutMessage(error: unknown): { type: string; code?: unknown; frames?: string } {
  if (!(error instanceof Error)) return { type: typeof error };
  return { type: error.name, code: (error as { code?: unknown }).code, frames: error.stack?.split('\n').filter((line) => /^\s+at /.test(line)).join('\n') };
}

/** The path without its query, cut short: it is echoed back in a 404. */
function pathOf(request: FastifyRequest): string {
  const path = request.url.split('?')[0];
  return path.length > 200 ? `${path.slice(0, 200)}…` : path;
}

function registerRoutes(app: FastifyInstance, routes: readonly Route[], options: ServerOptions, metrics: Metrics): void {
  const plain = routes.filter((route) => !route.endpoint.consumes?.includes('multipart/form-data'));
  const uploads = routes.filter((route) => route.endpoint.consumes?.includes('multipart/form-data'));
  addRoutes(app, plain, options, metrics);
  // Multipart is parsed only where an upload is taken: one file, streamed, up to the upload limit.
  if (uploads.length > 0) {
    void app.register(async (scope) => {
      await scope.register(fastifyMultipart, { limits: { fileSize: options.ctx.config.upload_limit, files: 1, fields: 0, parts: 1 } });
      addRoutes(scope, uploads, options, metrics);
    });
  }
}

function addRoutes(app: FastifyInstance, routes: readonly Route[], options: ServerOptions, metrics: Metrics): void {
  const { ctx, accounts } = options;
  for (const { method, url, access, endpoint } of routes) {
    app.route({
      method,
      url,
      schema: {
        summary: endpoint.summary,
        tags: [url.split('/')[2] ?? 'health'],
        ...(endpoint.params ? { params: endpoint.params } : {}),
        ...(endpoint.querystring ? { querystring: endpoint.querystring } : {}),
        ...(endpoint.body ? { body: endpoint.body } : {}),
        ...(endpoint.consumes ? { consumes: endpoint.consumes } : {}),
        ...(access === 'anyone' || access === 'researcher' ? {} : { security: [{ session: [] }, { bearer: [] }] }),
      },
      ...(endpoint.bodyLimit ? { bodyLimit: endpoint.bodyLimit(ctx.config) } : {}),
      // Before the body is read: an unauthenticated upload is refused without taking it in.
      onRequest: async (request) => {
        if (access === 'researcher') request.researcher = await authorizeResearcher(accounts, ctx, request);
        else request.principal = await authorize(accounts, ctx, access, request);
      },
      handler: async (request, reply) => {
        const principal = request.principal;
        const result = await endpoint.handle({
          params: request.params,
          query: request.query,
          body: request.body,
          ctx: principal ? { ...ctx, actor: principal.email } : request.researcher ? { ...ctx, actor: `researcher:${request.researcher.researcher_id}` } : ctx,
          principal,
          researcher: request.researcher,
          can: (permission) => principal !== null && accounts.can(principal.role, permission),
          request,
          reply,
          accounts,
          metrics,
        });
        if (reply.sent || result === reply) return reply;
        if (result instanceof JsonText) return reply.code(endpoint.status ?? 200).type('application/json; charset=utf-8').send(result.text);
        return reply.code(endpoint.status ?? 200).send(result);
      },
    });
  }
}
