/** Keystone version documents and /v3/auth/*: tokens, their projects, domains and catalog. */
import type { FastifyInstance } from 'fastify';
import { Unauthorized } from '../../core/errors.js';
import { HEAD_TOO, type IdentityApiDeps } from './deps.js';
import { baseUrl } from '../http/server.js';
import { catalogView, domainView, listLinks, projectView, tokenView } from './views.js';
import type { AuthRequest } from '../../core/identity/auth-service.js';

const VERSION = 'v3.14';
const UPDATED = '2020-04-07T00:00:00Z';

function versionDoc(base: string) {
  return {
    id: VERSION,
    status: 'stable',
    updated: UPDATED,
    links: [{ rel: 'self', href: `${base}/identity/v3/` }],
    'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.identity-v3+json' }],
  };
}

export function registerAuthRoutes(app: FastifyInstance, d: IdentityApiDeps): void {
  const pub = { config: { public: true } };
  const pubHead = { ...pub, ...HEAD_TOO };
  app.get('/identity', pubHead, async (req, reply) => {
    reply.status(300);
    return { versions: { values: [versionDoc(baseUrl(req))] } };
  });
  app.get('/identity/v3', pubHead, async (req) => ({ version: versionDoc(baseUrl(req)) }));

  app.post('/identity/v3/auth/tokens', pub, async (req, reply) => {
    const auth = (req.body as { auth?: AuthRequest } | undefined)?.auth;
    const { token, info } = await d.auth.authenticate(auth ?? {});
    const query = req.query as Record<string, unknown>;
    const catalog = 'nocatalog' in query ? null : await d.catalog.catalogFor(info.project?.id ?? null);
    reply.status(201).header('x-subject-token', token);
    return tokenView(info, catalog);
  });

  const subject = async (req: { headers: Record<string, unknown>; ctx: { userId: string | null } }) => {
    const t = req.headers['x-subject-token'];
    if (typeof t !== 'string' || t === '') throw new Unauthorized('The request you have made requires authentication.', 'Unauthorized');
    return t;
  };

  app.get('/identity/v3/auth/tokens', HEAD_TOO, async (req, reply) => {
    const token = await subject(req);
    const info = await d.auth.validate(token);
    d.authorize(req.ctx, 'identity:validate_token', { userId: info.user.id });
    const query = req.query as Record<string, unknown>;
    const catalog = 'nocatalog' in query ? null : await d.catalog.catalogFor(info.project?.id ?? null);
    reply.header('x-subject-token', token);
    return tokenView(info, catalog);
  });

  app.delete('/identity/v3/auth/tokens', async (req, reply) => {
    const token = await subject(req);
    const info = await d.auth.validate(token);
    d.authorize(req.ctx, 'identity:revoke_token', { userId: info.user.id });
    await d.auth.revoke(token);
    reply.status(204);
  });

  app.get('/identity/v3/auth/catalog', HEAD_TOO, async (req) => {
    const catalog = await d.catalog.catalogFor(req.ctx.projectId);
    return { catalog: catalogView(catalog), links: listLinks(baseUrl(req), 'auth/catalog') };
  });

  app.get('/identity/v3/auth/projects', HEAD_TOO, async (req) => {
    const projects = await d.identity.listUserProjects(req.ctx, req.ctx.userId as string);
    const b = baseUrl(req);
    return { projects: projects.filter((p) => p.enabled).map((p) => projectView(b, p)), links: listLinks(b, 'auth/projects') };
  });

  app.get('/identity/v3/auth/domains', HEAD_TOO, async (req) => {
    const b = baseUrl(req);
    const domains = await d.identity.listUserDomains(req.ctx, req.ctx.userId as string);
    return { domains: domains.map((x) => domainView(b, x)), links: listLinks(b, 'auth/domains') };
  });

  app.get('/identity/v3/auth/system', HEAD_TOO, async (req) => ({ system: [], links: listLinks(baseUrl(req), 'auth/system') }));
}
