/**
 * Mounts the Networking API: builds the networking use cases over the shared resource store with
 * PocketStack's laptop defaults (VXLAN tenant networks, a `public` physnet for flat/VLAN provider
 * networks, Neutron's quotas) and registers the /network routes. Composition root: may import
 * every layer. No resources are created at start; see `createPublicNetwork` for the helper tests
 * and the Tempest script use.
 */
import { randomInt } from 'node:crypto';
import { registerNetworkApi } from '../api/network/index.js';
import { defaultTypeDriverConfig } from '../core/network/segments/index.js';
import { NEUTRON_DEFAULT_QUOTAS, type NetworkConfig, createNetworkServices } from '../core/network/service/index.js';
import type { ModuleFactory } from './module.js';

export function defaultNetworkConfig(): NetworkConfig {
  return {
    typeDrivers: defaultTypeDriverConfig(),
    baseMac: 'fa:16:3e:00:00:00',
    underlayMtu: 1500,
    defaultQuotas: { ...NEUTRON_DEFAULT_QUOTAS },
    availabilityZone: 'nova',
    maxDnsNameservers: 5,
    maxHostRoutes: 20,
  };
}

export const networkModule: ModuleFactory = (deps) => {
  const services = createNetworkServices({
    store: deps.resources,
    uuid: () => deps.ids.uuid(),
    // A CSPRNG draw per call: MACs must not collide across restarts the way a seeded PRNG's would.
    random: () => randomInt(0, 2 ** 32) / 2 ** 32,
    config: defaultNetworkConfig(),
    // Looked up at call time: the compute module, which runs the agent, mounts after this one.
    agentProbe: () => deps.shared.networkAgent?.() ?? null,
  });
  registerNetworkApi(deps.app, services);
  deps.shared.network = services;
  return {
    name: 'network',
    catalog: (base) => [{ type: 'network', name: 'neutron', description: 'Networking (Neutron v2.0)', url: `${base}/network` }],
    // State from before `shared` / `router:external` were RBAC policies gets its wildcard policies.
    async start() {
      await services.rbac.adoptLegacyFlags();
      await services.agents.register();
    },
  };
};
