/** Keystone v3 regions, services and endpoints. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { EndpointInterface } from '../../core/model/identity.js';
import { HEAD_TOO, type IdentityApiDeps } from './deps.js';
import { baseUrl } from '../http/server.js';
import { bool, envelope, filterByQuery, str } from './body.js';
import { endpointView, listLinks, regionView, serviceView } from './views.js';

const id = (req: FastifyRequest) => (req.params as Record<string, string>).id as string;
const q = (req: FastifyRequest) => req.query as Record<string, unknown>;

export function registerCatalogRoutes(app: FastifyInstance, d: IdentityApiDeps): void {
  const { catalog } = d;
  const V3 = '/identity/v3';

  app.get(`${V3}/regions`, HEAD_TOO, async (req) => {
    const b = baseUrl(req);
    const items = filterByQuery(await catalog.listRegions(req.ctx), q(req), { parent_region_id: (x) => x.parentRegionId ?? '' });
    return { regions: items.map((x) => regionView(b, x)), links: listLinks(b, 'regions') };
  });
  app.post(`${V3}/regions`, async (req, reply) => {
    const o = envelope(req.body, 'region');
    const x = await catalog.createRegion(req.ctx, { id: str(o, 'id') ?? undefined, description: str(o, 'description') ?? undefined, parentRegionId: str(o, 'parent_region_id', true) ?? null });
    reply.status(201);
    return { region: regionView(baseUrl(req), x) };
  });
  app.get(`${V3}/regions/:id`, HEAD_TOO, async (req) => ({ region: regionView(baseUrl(req), await catalog.getRegion(req.ctx, id(req))) }));
  app.patch(`${V3}/regions/:id`, async (req) => {
    const o = envelope(req.body, 'region');
    const x = await catalog.updateRegion(req.ctx, id(req), { description: str(o, 'description') ?? undefined, parentRegionId: str(o, 'parent_region_id', true) ?? undefined });
    return { region: regionView(baseUrl(req), x) };
  });
  app.delete(`${V3}/regions/:id`, async (req, reply) => {
    await catalog.deleteRegion(req.ctx, id(req));
    reply.status(204);
  });

  app.get(`${V3}/services`, HEAD_TOO, async (req) => {
    const b = baseUrl(req);
    const items = filterByQuery(await catalog.listServices(req.ctx), q(req), { type: (x) => x.type, name: (x) => x.name });
    return { services: items.map((x) => serviceView(b, x)), links: listLinks(b, 'services') };
  });
  app.post(`${V3}/services`, async (req, reply) => {
    const o = envelope(req.body, 'service');
    const x = await catalog.createService(req.ctx, { type: str(o, 'type') ?? undefined, name: str(o, 'name') ?? undefined, description: str(o, 'description') ?? undefined, enabled: bool(o, 'enabled') });
    reply.status(201);
    return { service: serviceView(baseUrl(req), x) };
  });
  app.get(`${V3}/services/:id`, HEAD_TOO, async (req) => ({ service: serviceView(baseUrl(req), await catalog.getService(req.ctx, id(req))) }));
  app.patch(`${V3}/services/:id`, async (req) => {
    const o = envelope(req.body, 'service');
    const x = await catalog.updateService(req.ctx, id(req), { type: str(o, 'type') ?? undefined, name: str(o, 'name') ?? undefined, description: str(o, 'description') ?? undefined, enabled: bool(o, 'enabled') });
    return { service: serviceView(baseUrl(req), x) };
  });
  app.delete(`${V3}/services/:id`, async (req, reply) => {
    await catalog.deleteService(req.ctx, id(req));
    reply.status(204);
  });

  const endpointInput = (o: Record<string, unknown>) => ({
    serviceId: str(o, 'service_id') ?? undefined,
    interface: (str(o, 'interface') ?? undefined) as EndpointInterface | undefined,
    url: str(o, 'url') ?? undefined,
    regionId: str(o, 'region_id', true) ?? str(o, 'region', true) ?? undefined,
    enabled: bool(o, 'enabled'),
  });
  app.get(`${V3}/endpoints`, HEAD_TOO, async (req) => {
    const b = baseUrl(req);
    const items = filterByQuery(await catalog.listEndpoints(req.ctx), q(req), {
      service_id: (x) => x.serviceId,
      interface: (x) => x.interface,
      region_id: (x) => x.regionId ?? '',
    });
    return { endpoints: items.map((x) => endpointView(b, x)), links: listLinks(b, 'endpoints') };
  });
  app.post(`${V3}/endpoints`, async (req, reply) => {
    const x = await catalog.createEndpoint(req.ctx, endpointInput(envelope(req.body, 'endpoint')));
    reply.status(201);
    return { endpoint: endpointView(baseUrl(req), x) };
  });
  app.get(`${V3}/endpoints/:id`, HEAD_TOO, async (req) => ({ endpoint: endpointView(baseUrl(req), await catalog.getEndpoint(req.ctx, id(req))) }));
  app.patch(`${V3}/endpoints/:id`, async (req) => {
    const x = await catalog.updateEndpoint(req.ctx, id(req), endpointInput(envelope(req.body, 'endpoint')));
    return { endpoint: endpointView(baseUrl(req), x) };
  });
  app.delete(`${V3}/endpoints/:id`, async (req, reply) => {
    await catalog.deleteEndpoint(req.ctx, id(req));
    reply.status(204);
  });
}
