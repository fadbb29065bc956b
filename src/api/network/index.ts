/**
 * The Networking API (Neutron v2.0) under /network: version documents, the resource collections
 * (declared by tables, served by registerCrud) and the extra routes. Imports core and api/http.
 */
import type { FastifyInstance } from 'fastify';
import type { NetworkServices } from '../../core/network/service/index.js';
import { allValues, convertFilterValue, type RawQuery } from '../http/list-query/index.js';
import { baseUrl } from '../http/server.js';
import { V2, registerCrud } from './crud.js';
import { registerExtraRoutes } from './routes-extra.js';
import { floatingIpTable } from './tables/floating-ip-table.js';
import { rbacPolicyTable, subnetPoolTable } from './tables/misc-tables.js';
import { networkTable } from './tables/network-table.js';
import { portTable } from './tables/port-table.js';
import { routerTable } from './tables/router-table.js';
import { securityGroupRuleTable, securityGroupTable } from './tables/security-group-table.js';
import { subnetTable } from './tables/subnet-table.js';

const COLLECTIONS = ['networks', 'subnets', 'subnetpools', 'ports', 'routers', 'floatingips', 'security_groups', 'security_group_rules', 'rbac_policies', 'quotas', 'extensions'];

/** A subnet's `shared` is hidden but filterable (its network's sharing); the last value wins. */
function sharedFilter(query: RawQuery): boolean | undefined {
  const v = allValues(query, 'shared').filter((x) => x !== '').pop();
  return v === undefined ? undefined : (convertFilterValue('boolean', v, 'neutron') as boolean);
}

export function registerNetworkApi(app: FastifyInstance, s: NetworkServices): void {
  const versions = (req: Parameters<typeof baseUrl>[0]) => ({
    versions: [{ id: 'v2.0', status: 'CURRENT', links: [{ href: `${baseUrl(req)}${V2}/`, rel: 'self' }] }],
  });
  // Neutron reads a request body without Content-Type as JSON; neutron-tempest-plugin's clients
  // send their PUTs that way. Only requests that carry a body are affected.
  app.addHook('onRequest', async (req) => {
    const h = req.headers;
    if (h['content-type'] !== undefined || !req.url.startsWith('/network/')) return;
    if (h['transfer-encoding'] !== undefined || (h['content-length'] !== undefined && h['content-length'] !== '0')) {
      h['content-type'] = 'application/json';
    }
  });
  app.get('/network', { config: { public: true } }, async (req) => versions(req));
  app.get(V2, async (req) => ({
    resources: COLLECTIONS.map((c) => ({
      name: c.replace(/ies$/, 'y').replace(/s$/, ''),
      collection: c,
      links: [{ href: `${baseUrl(req)}${V2}/${c}`, rel: 'self' }],
    })),
  }));

  const q = (h: { query: RawQuery }, k: string) => allValues(h.query, k);
  registerCrud(app, networkTable, { createMany: (c, i) => s.networks.createMany(c, i), get: (c, id) => s.networks.get(c, id), list: (c) => s.networks.list(c), update: (c, id, i, m) => s.networks.update(c, id, i, m), delete: (c, id, m) => s.networks.delete(c, id, m) });
  registerCrud(app, subnetTable, { createMany: (c, i) => s.subnets.createMany(c, i), get: (c, id) => s.subnets.get(c, id), list: (c, h) => s.subnets.list(c, sharedFilter(h.query)), update: (c, id, i, m) => s.subnets.update(c, id, i, m), delete: (c, id, m) => s.subnets.delete(c, id, m) });
  registerCrud(app, subnetPoolTable, { createMany: (c, i) => s.subnetPools.createMany(c, i), get: (c, id) => s.subnetPools.get(c, id), list: (c) => s.subnetPools.list(c), update: (c, id, i, m) => s.subnetPools.update(c, id, i, m), delete: (c, id) => s.subnetPools.delete(c, id) });
  registerCrud(app, portTable, { createMany: (c, i) => s.ports.createMany(c, i), get: (c, id) => s.ports.get(c, id), list: (c, h) => s.ports.list(c, q(h, 'network_id')), update: (c, id, i, m) => s.ports.update(c, id, i, m), delete: (c, id, m) => s.ports.delete(c, id, m) }, undefined, { memoViews: true });
  registerCrud(app, routerTable, { createMany: (c, i) => s.routers.createMany(c, i), get: (c, id) => s.routers.get(c, id), list: (c) => s.routers.list(c), update: (c, id, i, m) => s.routers.update(c, id, i, m), delete: (c, id, m) => s.routers.delete(c, id, m) });
  registerCrud(app, floatingIpTable, { createMany: (c, i) => s.floatingIps.createMany(c, i), get: (c, id) => s.floatingIps.get(c, id), list: (c) => s.floatingIps.list(c), update: (c, id, i, m) => s.floatingIps.update(c, id, i, m), delete: (c, id, m) => s.floatingIps.delete(c, id, m) });
  registerCrud(app, securityGroupTable, { createMany: (c, i) => s.securityGroups.createMany(c, i), get: (c, id) => s.securityGroups.get(c, id), list: (c, h) => s.securityGroups.list(c, [...q(h, 'tenant_id'), ...q(h, 'project_id')]), update: (c, id, i, m) => s.securityGroups.update(c, id, i, m), delete: (c, id, m) => s.securityGroups.delete(c, id, m) });
  registerCrud(app, securityGroupRuleTable, { createMany: (c, i) => s.securityGroups.createRules(c, i), get: (c, id) => s.securityGroups.getRule(c, id), list: (c) => s.securityGroups.listRules(c), delete: (c, id) => s.securityGroups.deleteRule(c, id) });
  registerCrud(app, rbacPolicyTable, { createMany: async (c, i) => [await s.rbac.create(c, i[0]!)], get: (c, id) => s.rbac.get(c, id), list: (c) => s.rbac.list(c), update: (c, id, i) => s.rbac.update(c, id, i), delete: (c, id) => s.rbac.delete(c, id) });
  registerExtraRoutes(app, s);
}
