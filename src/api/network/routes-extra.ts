/**
 * Neutron routes that are not plain collections: router interfaces and extra routes, tags, quotas,
 * IP availability, availability zones, agents (the network agent, when it runs in this process),
 * DHCP agents and service providers (empty), and the extension list. Thin: parse, one service call, render. Imports core and api/http.
 */
import type { FastifyInstance } from 'fastify';
import { InvalidInput, NotFound } from '../../core/errors.js';
import type { RequestContext } from '../../core/identity/context.js';
import type { Agent, NetworkServices } from '../../core/network/service/index.js';
import { baseUrl } from '../http/server.js';
import { type RawQuery, listCollection } from '../http/list-query/index.js';
import { renderView, validators } from '../http/resource-table/index.js';
import { V2 } from './crud.js';
import { stringifyExact } from './exact-json.js';
import { extensionViews } from './extensions.js';

const JSON_TYPE = 'application/json; charset=utf-8';
import { hostRoutesConvert, isDict } from './tables/common.js';
import { routerTable } from './tables/router-table.js';

const TAGGABLE: Record<string, string> = {
  networks: 'network',
  subnets: 'subnet',
  ports: 'port',
  routers: 'router',
  floatingips: 'floatingip',
  'security-groups': 'security_group',
  subnetpools: 'subnetpool',
};

function body(req: { body: unknown }, key: string): Record<string, unknown> {
  const b = req.body;
  if (!isDict(b)) throw new InvalidInput('Resource body required', 'HTTPBadRequest');
  const inner = key === '' ? b : b[key];
  if (!isDict(inner)) throw new InvalidInput(`Unable to find '${key}' in request body`, 'HTTPBadRequest');
  return inner;
}

function interfaceBody(b: Record<string, unknown>): { subnetId?: string; portId?: string } {
  const out: { subnetId?: string; portId?: string } = {};
  // Neutron checks both ids are UUIDs before looking anything up (l3_db `_validate_interface_info`).
  for (const key of ['subnet_id', 'port_id']) {
    if (b[key] === undefined) continue;
    const reason = validators.uuid(b[key]);
    if (reason !== null) throw new InvalidInput(`Bad router request: ${reason}.`, 'BadRequest');
  }
  if (b['subnet_id'] !== undefined) out.subnetId = String(b['subnet_id']);
  if (b['port_id'] !== undefined) out.portId = String(b['port_id']);
  return out;
}

function interfaceView(i: { id: string; projectId: string; subnetId: string; subnetIds: string[]; portId: string; networkId: string }) {
  return { id: i.id, tenant_id: i.projectId, project_id: i.projectId, subnet_id: i.subnetId, subnet_ids: i.subnetIds, port_id: i.portId, network_id: i.networkId };
}

/** Neutron writes agent times as `YYYY-MM-DD HH:MM:SS` (UTC). */
const agentTime = (iso: string | null) => (iso === null ? null : iso.slice(0, 19).replace('T', ' '));

function agentView(a: Agent) {
  return {
    id: a.id,
    agent_type: a.agentType,
    binary: a.binary,
    topic: a.topic,
    host: a.host,
    admin_state_up: a.adminStateUp,
    alive: a.alive,
    description: a.description,
    availability_zone: null,
    configurations: a.configurations,
    resources_synced: null,
    created_at: agentTime(a.createdAt),
    started_at: agentTime(a.startedAt),
    heartbeat_timestamp: agentTime(a.heartbeatTimestamp),
  };
}

function quotaProject(ctx: RequestContext, id: string): string {
  if (id === '' || id === undefined) throw new NotFound('Project could not be found.', 'NotFound');
  void ctx;
  return id;
}

export function registerExtraRoutes(app: FastifyInstance, s: NetworkServices): void {
  // ---- router actions
  app.put(`${V2}/routers/:id/add_router_interface`, async (req) => {
    const { id } = req.params as { id: string };
    return interfaceView(await s.routers.addInterface(req.ctx, id, interfaceBody(body(req, ''))));
  });
  app.put(`${V2}/routers/:id/remove_router_interface`, async (req) => {
    const { id } = req.params as { id: string };
    return interfaceView(await s.routers.removeInterface(req.ctx, id, interfaceBody(body(req, ''))));
  });
  for (const op of ['add', 'remove'] as const) {
    app.put(`${V2}/routers/:id/${op}_extraroutes`, async (req) => {
      const { id } = req.params as { id: string };
      const routes = hostRoutesConvert('routes')(body(req, 'router')['routes'] ?? []);
      return { router: renderView(routerTable, await s.routers.changeExtraRoutes(req.ctx, id, routes, op), req.ctx) };
    });
  }

  // ---- tags
  for (const [collection, kind] of Object.entries(TAGGABLE)) {
    const base = `${V2}/${collection}/:id/tags`;
    app.get(base, async (req) => ({ tags: await s.tags.list(req.ctx, kind, (req.params as { id: string }).id) }));
    app.put(base, async (req) => ({ tags: await s.tags.replace(req.ctx, kind, (req.params as { id: string }).id, body(req, '')['tags']) }));
    app.delete(base, async (req, reply) => {
      await s.tags.removeAll(req.ctx, kind, (req.params as { id: string }).id);
      return reply.status(204).send();
    });
    app.get(`${base}/:tag`, async (req, reply) => {
      const p = req.params as { id: string; tag: string };
      await s.tags.has(req.ctx, kind, p.id, p.tag);
      return reply.status(204).send();
    });
    app.put(`${base}/:tag`, async (req, reply) => {
      const p = req.params as { id: string; tag: string };
      await s.tags.add(req.ctx, kind, p.id, p.tag);
      return reply.status(201).send();
    });
    app.delete(`${base}/:tag`, async (req, reply) => {
      const p = req.params as { id: string; tag: string };
      await s.tags.remove(req.ctx, kind, p.id, p.tag);
      return reply.status(204).send();
    });
  }

  // ---- quotas
  app.get(`${V2}/quotas`, async (req) => ({
    quotas: (await s.quotas.list(req.ctx)).map((q) => ({ ...q.limits, project_id: q.projectId, tenant_id: q.projectId })),
  }));
  app.get(`${V2}/quotas/tenant`, async (req) => ({ tenant: { tenant_id: req.ctx.projectId } }));
  app.get(`${V2}/quotas/project`, async (req) => ({ project: { project_id: req.ctx.projectId } }));
  app.get(`${V2}/quotas/:project`, async (req) => ({ quota: await s.quotas.get(req.ctx, quotaProject(req.ctx, (req.params as { project: string }).project)) }));
  app.get(`${V2}/quotas/:project/default`, async (req) => ({ quota: s.quotas.defaults(req.ctx, (req.params as { project: string }).project) }));
  // Tempest's client asks for `details.json` (the old format-suffix style Neutron still accepts).
  for (const suffix of ['details', 'details.json']) {
    app.get(`${V2}/quotas/:project/${suffix}`, async (req) => ({ quota: await s.quotas.details(req.ctx, (req.params as { project: string }).project) }));
  }
  app.put(`${V2}/quotas/:project`, async (req) => ({ quota: await s.quotas.update(req.ctx, (req.params as { project: string }).project, body(req, 'quota')) }));
  app.delete(`${V2}/quotas/:project`, async (req, reply) => {
    await s.quotas.reset(req.ctx, (req.params as { project: string }).project);
    return reply.status(204).send();
  });

  // ---- IP availability
  const availabilityView = (a: Awaited<ReturnType<NetworkServices['ipAvailability']['list']>>[number]) => ({
    network_id: a.networkId,
    network_name: a.networkName,
    tenant_id: a.projectId,
    project_id: a.projectId,
    total_ips: a.totalIps,
    used_ips: a.usedIps,
    subnet_ip_availability: a.subnetIpAvailability.map((x) => ({
      subnet_id: x.subnetId,
      subnet_name: x.subnetName,
      cidr: x.cidr,
      ip_version: x.ipVersion,
      total_ips: x.totalIps,
      used_ips: x.usedIps,
    })),
  });
  // Totals are bigints, written exactly (exact-json.ts); Fastify's serializer cannot write them.
  app.get(`${V2}/network-ip-availabilities`, async (req, reply) => {
    const views = (await s.ipAvailability.list(req.ctx)).map(availabilityView);
    const schema = {
      resource: 'network_ip_availability',
      collection: 'network_ip_availabilities',
      idKey: 'network_id',
      attributes: {
        network_id: { type: 'string' as const, filterable: true, sortable: true },
        network_name: { type: 'string' as const, filterable: true, sortable: true },
        project_id: { type: 'string' as const, filterable: true, sortable: true },
        tenant_id: { type: 'string' as const, filterable: true, sortable: true },
        ip_version: { type: 'integer' as const, filterable: false, sortable: false },
      },
    };
    const { body } = listCollection(views, req.query as RawQuery, schema, { baseUrl: `${baseUrl(req)}${V2}/network-ip-availabilities`, reservedKeys: ['ip_version'] });
    return reply.type(JSON_TYPE).send(stringifyExact(body));
  });
  app.get(`${V2}/network-ip-availabilities/:id`, async (req, reply) => {
    const [a] = await s.ipAvailability.list(req.ctx, (req.params as { id: string }).id);
    return reply.type(JSON_TYPE).send(stringifyExact({ network_ip_availability: availabilityView(a!) }));
  });

  // ---- availability zones, agents, service providers, extensions
  app.get(`${V2}/availability_zones`, async () => ({
    availability_zones: ['network', 'router'].map((resource) => ({ name: s.config.availabilityZone, resource, state: 'available' })),
  }));
  // ---- agents (the network agent when it runs here; core/network/service/agent-service.ts)
  const agentSchema = {
    resource: 'agent',
    collection: 'agents',
    attributes: Object.fromEntries(
      [['id', 'string'], ['agent_type', 'string'], ['binary', 'string'], ['topic', 'string'], ['host', 'string'], ['description', 'string'], ['alive', 'boolean'], ['admin_state_up', 'boolean']].map(
        ([k, type]) => [k, { type: type as 'string' | 'boolean', filterable: true, sortable: true }],
      ),
    ),
  };
  app.get(`${V2}/agents`, async (req) => {
    const views = (await s.agents.list(req.ctx)).map(agentView);
    return listCollection(views, req.query as RawQuery, agentSchema, { baseUrl: `${baseUrl(req)}${V2}/agents` }).body;
  });
  app.get(`${V2}/agents/:id`, async (req) => ({ agent: agentView(await s.agents.get(req.ctx, (req.params as { id: string }).id)) }));
  app.put(`${V2}/agents/:id`, async (req) => {
    const b = body(req, 'agent');
    const agent = await s.agents.update(req.ctx, (req.params as { id: string }).id, { adminStateUp: b['admin_state_up'], description: b['description'] });
    return { agent: agentView(agent) };
  });
  app.delete(`${V2}/agents/:id`, async (req, reply) => {
    await s.agents.delete(req.ctx, (req.params as { id: string }).id);
    return reply.status(204).send();
  });
  app.get(`${V2}/networks/:id/dhcp-agents`, async (req) => {
    await s.networks.get(req.ctx, (req.params as { id: string }).id);
    return { agents: [] };
  });
  app.get(`${V2}/service-providers`, async () => ({ service_providers: [] }));
  app.get(`${V2}/extensions`, async () => ({ extensions: extensionViews() }));
  app.get(`${V2}/extensions/:alias`, async (req) => {
    const alias = (req.params as { alias: string }).alias;
    const ext = extensionViews().find((e) => e.alias === alias);
    if (!ext) throw new NotFound(`Extension with alias ${alias} does not exist`, 'HTTPNotFound');
    return { extension: ext };
  });
}
