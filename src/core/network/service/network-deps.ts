/**
 * What the networking use cases need from the outside, passed in by the composition root: the
 * resource store, id and random sources, and the operator's configuration. Pure core.
 */
import type { ResourceStore } from '../../ports/resource-store.js';
import type { TypeDriverConfig } from '../segments/index.js';
import type { AgentProbe } from './agent-service.js';

export interface NetworkConfig {
  typeDrivers: TypeDriverConfig;
  /** Neutron's base_mac. */
  baseMac: string;
  /** Underlay MTU (Neutron's global_physnet_mtu). */
  underlayMtu: number;
  /** Neutron's default quotas; -1 is unlimited. */
  defaultQuotas: Record<string, number>;
  availabilityZone: string;
  maxDnsNameservers: number;
  maxHostRoutes: number;
}

export interface NetworkDeps {
  store: ResourceStore;
  uuid(): string;
  /** [0, 1); injectable so MAC and address choices are reproducible under test. */
  random(): number;
  config: NetworkConfig;
  /** The network agent running in this process, if any (GET /v2.0/agents); none by default. */
  agentProbe?: AgentProbe;
  /** The clock, for agent liveness; default the system clock. */
  now?(): Date;
}

/** Neutron's defaults (neutron.conf [quotas]). */
export const NEUTRON_DEFAULT_QUOTAS: Readonly<Record<string, number>> = {
  network: 100,
  subnet: 100,
  port: 500,
  router: 10,
  floatingip: 50,
  security_group: 10,
  security_group_rule: 100,
  subnetpool: -1,
  rbac_policy: 10,
};
