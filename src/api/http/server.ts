/**
 * The one HTTP server: Fastify with OpenStack's conventions applied to every API mounted on it —
 * `x-openstack-request-id` on every reply, token authentication into a RequestContext, errors in each
 * family's wire shape, JSON bodies (malformed, oversize or wrongly typed ones are clear 4xx), request
 * logs without secrets, Prometheus metrics, /healthz. API modules register their routes on it.
 * May import core (services, errors, context), never store or drivers.
 */
import Fastify, { LogController, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { randomUUID } from 'node:crypto';
import { Unauthorized } from '../../core/errors.js';
import { anonymousContext, type RequestContext } from '../../core/identity/context.js';
import { familyOf, renderFailure, toFailure } from './error-render.js';
import type { HttpMetrics } from './metrics.js';

declare module 'fastify' {
  interface FastifyRequest {
    ctx: RequestContext;
  }
  interface FastifyContextConfig {
    /** No token needed (version documents, POST /v3/auth/tokens, health). */
    public?: boolean;
  }
}

export interface HttpServerOptions {
  logger: Logger;
  metrics: HttpMetrics;
  /** Validates an X-Auth-Token into a context; throws Unauthorized (or NotFound) when invalid. */
  authenticate(token: string, requestId: string): Promise<RequestContext>;
  health(): Promise<void>;
  bodyLimitBytes?: number;
}

export const REQUEST_ID_HEADER = 'x-openstack-request-id';

export function createHttpServer(opts: HttpServerOptions): FastifyInstance {
  return buildServer(opts) as unknown as FastifyInstance;
}

function buildServer(opts: HttpServerOptions) {
  const app = Fastify({
    loggerInstance: opts.logger,
    // Our own onResponse hook logs one line per request; Fastify's two lines would double it.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: () => `req-${randomUUID()}`,
    bodyLimit: opts.bodyLimitBytes ?? 1024 * 1024,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 500 },
    // HEAD twins of GET routes only where an API asks (Keystone: api/identity/deps.ts): ~400 of them
    // cost ≈ 25 ms of start-up and no client of the other APIs sends HEAD.
    exposeHeadRoutes: false,
    // Bodies are validated and views rendered by the resource tables (api/http/resource-table), never
    // by Fastify route schemas. Without compilers of our own, Fastify would load and build Ajv and
    // fast-json-stringify at every start for nothing (≈ 12 ms); a route that adds a schema fails at once.
    schemaController: { compilersFactory: { buildValidator: noRouteSchemas, buildSerializer: noRouteSchemas } },
  });

  app.decorateRequest('ctx', null as unknown as RequestContext);

  // Accept an empty JSON body (some clients send Content-Type on DELETE), reject malformed ones with 400.
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser(/^application\/([\w.+-]+\+)?json/, { parseAs: 'string' }, (_req, body, done) => {
    const text = (body as string).trim();
    if (text === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      const err = Object.assign(new Error('Malformed request body: the body is not valid JSON.'), {
        statusCode: 400,
        code: 'FST_ERR_CTP_INVALID_JSON_BODY',
      });
      done(err, undefined);
    }
  });
  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: 1024 * 1024 * 1024 }, (_req, body, done) =>
    done(null, body),
  );

  app.addHook('onRequest', async (req, reply) => {
    reply.header(REQUEST_ID_HEADER, req.id);
    req.ctx = anonymousContext(req.id);
    if (req.routeOptions.config?.public) return;
    const token = req.headers['x-auth-token'];
    if (typeof token !== 'string' || token === '') {
      throw new Unauthorized('The request you have made requires authentication.', 'Unauthorized');
    }
    try {
      req.ctx = await opts.authenticate(token, req.id);
    } catch {
      throw new Unauthorized('The request you have made requires authentication.', 'Unauthorized');
    }
  });

  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    opts.metrics.observe(req.method, route, reply.statusCode, seconds);
    req.log.info({ reqId: req.id, method: req.method, url: redactUrl(req.url), status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 }, 'request');
  });

  app.setErrorHandler(async (err, req, reply) => {
    const { failure, internal } = toFailure(err);
    if (internal) req.log.error({ reqId: req.id, err }, 'unhandled error');
    if (failure.status === 401 && familyOf(req.url) !== 'network') {
      reply.header('www-authenticate', 'Keystone uri="/identity/v3"');
    }
    reply.header(REQUEST_ID_HEADER, req.id);
    return reply.status(failure.status).type('application/json').send(renderFailure(familyOf(req.url), failure));
  });

  app.setNotFoundHandler(async (req, reply) => {
    reply.header(REQUEST_ID_HEADER, req.id);
    const failure = { status: 404, type: 'HTTPNotFound', message: `The resource could not be found: ${req.method} ${redactUrl(req.url)}` };
    return reply.status(404).type('application/json').send(renderFailure(familyOf(req.url), failure));
  });

  app.get('/healthz', { config: { public: true }, exposeHeadRoute: true }, async () => {
    await opts.health();
    return { status: 'ok' };
  });
  app.get('/metrics', { config: { public: true } }, async (_req, reply) => {
    reply.type(opts.metrics.registry.contentType);
    return opts.metrics.registry.metrics();
  });
  return app;
}

function noRouteSchemas(): never {
  throw new Error('Fastify route schemas are not used here: declare the resource in a resource table instead');
}

/** Base URL the client used (for links in version documents and pagination). */
export function baseUrl(req: FastifyRequest): string {
  const host = req.headers.host ?? `${req.hostname}`;
  return `${req.protocol}://${host}`;
}

/** Query strings never carry secrets in OpenStack APIs, but trim them anyway to keep log lines short. */
function redactUrl(url: string): string {
  return url.length > 300 ? `${url.slice(0, 300)}…` : url;
}
