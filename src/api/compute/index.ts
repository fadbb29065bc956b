/**
 * The Compute API subset (Nova v2.1) under /compute: version documents, microversion negotiation
 * (2.1 only: the CLI's default; nothing later is implemented, so nothing later is advertised),
 * flavors, servers and their sub-resources. Imports core services and api/http only.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { listFlavors, getFlavor } from '../../core/compute/flavors.js';
import type { ComputeApiDeps } from './deps.js';
import { formatVersion, microversionResponseHeaders, negotiateMicroversion, type MicroversionPolicy } from '../http/microversion/index.js';
import { baseUrl } from '../http/server.js';
import { registerInstanceActionRoutes } from './routes-instance-actions.js';
import { registerServerExtraRoutes } from './routes-server-extra.js';
import { registerServerRoutes } from './routes-servers.js';
import { COMPUTE_V21, flavorDetail, flavorRef } from './views.js';

export const COMPUTE_API: MicroversionPolicy = { service: 'compute', min: '2.1', max: '2.1', legacyHeader: 'X-OpenStack-Nova-API-Version' };

function versionEntry(req: FastifyRequest) {
  return {
    id: 'v2.1',
    status: 'CURRENT',
    version: COMPUTE_API.max,
    min_version: COMPUTE_API.min,
    updated: '2013-07-23T11:33:21Z',
    links: [{ rel: 'self', href: `${baseUrl(req)}${COMPUTE_V21}/` }],
    'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.compute+json;version=2.1' }],
  };
}

export function registerComputeApi(app: FastifyInstance, deps: ComputeApiDeps): void {
  app.addHook('onRequest', async (req, reply) => {
    if (!req.url.startsWith(COMPUTE_V21)) return;
    const v = negotiateMicroversion(req.headers, COMPUTE_API);
    req.ctx.microversion = formatVersion(v);
    reply.headers(microversionResponseHeaders(v, COMPUTE_API));
  });
  app.get('/compute', { config: { public: true } }, async (req) => ({ versions: [versionEntry(req)] }));
  app.get(COMPUTE_V21, { config: { public: true } }, async (req) => ({ version: versionEntry(req) }));

  app.get(`${COMPUTE_V21}/flavors`, async (req) => ({ flavors: listFlavors().map((f) => flavorRef(baseUrl(req), f)) }));
  app.get(`${COMPUTE_V21}/flavors/detail`, async (req) => ({ flavors: listFlavors().map((f) => flavorDetail(baseUrl(req), f)) }));
  app.get(`${COMPUTE_V21}/flavors/:id`, async (req) => ({ flavor: flavorDetail(baseUrl(req), getFlavor((req.params as { id: string }).id)) }));
  app.get(`${COMPUTE_V21}/flavors/:id/os-extra_specs`, async (req) => {
    getFlavor((req.params as { id: string }).id);
    return { extra_specs: {} };
  });

  registerServerRoutes(app, deps);
  registerServerExtraRoutes(app, deps);
  registerInstanceActionRoutes(app, deps);
}
