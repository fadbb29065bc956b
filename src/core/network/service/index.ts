/**
 * The networking use cases, built once over their dependencies by the composition root. Routes
 * receive this object and call one method per request. Pure core.
 */
import { AgentService } from './agent-service.js';
import { FloatingIpService } from './floating-ip-service.js';
import { IpAvailabilityService } from './ip-availability-service.js';
import { Ipam } from './ipam.js';
import type { NetworkDeps } from './network-deps.js';
import { NetworkService } from './network-service.js';
import { PortService } from './port-service.js';
import { QuotaService } from './quota.js';
import { RbacService } from './rbac-service.js';
import { RouterService } from './router-service.js';
import { SecurityGroupService } from './security-group-service.js';
import { SubnetService } from './subnet-service.js';
import { SubnetPoolService } from './subnetpool-service.js';
import { TagService } from './tag-service.js';

export interface NetworkServices {
  networks: NetworkService;
  subnets: SubnetService;
  subnetPools: SubnetPoolService;
  ports: PortService;
  securityGroups: SecurityGroupService;
  routers: RouterService;
  floatingIps: FloatingIpService;
  rbac: RbacService;
  quotas: QuotaService;
  tags: TagService;
  ipAvailability: IpAvailabilityService;
  agents: AgentService;
  config: NetworkDeps['config'];
}

export function createNetworkServices(deps: NetworkDeps): NetworkServices {
  const env = { deps, ipam: new Ipam() };
  const securityGroups = new SecurityGroupService(deps);
  return {
    networks: new NetworkService(deps, env),
    subnets: new SubnetService(deps, env),
    subnetPools: new SubnetPoolService(deps),
    ports: new PortService(deps, env, securityGroups),
    securityGroups,
    routers: new RouterService(deps, env),
    floatingIps: new FloatingIpService(deps, env),
    rbac: new RbacService(deps),
    quotas: new QuotaService(deps),
    tags: new TagService(deps),
    ipAvailability: new IpAvailabilityService(deps),
    agents: new AgentService({ store: deps.store, uuid: deps.uuid, probe: deps.agentProbe ?? (() => null), now: deps.now ?? (() => new Date()) }),
    config: deps.config,
  };
}

export { NEUTRON_DEFAULT_QUOTAS, type NetworkConfig, type NetworkDeps } from './network-deps.js';
export type { NetworkView } from './network-service.js';
export type { SecurityGroupView } from './security-group-service.js';
export type { InterfaceInfo } from './router-service.js';
export type { NetworkAvailability } from './ip-availability-service.js';
export type { Agent, AgentProbe, AgentReport } from './agent-service.js';
