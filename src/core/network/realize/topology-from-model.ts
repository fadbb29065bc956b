/**
 * The one mapping from what the services store (Neutron's documents, the compute servers) to what the
 * planner compiles (core/network/topology). Pure and total: a document the planner cannot use (a
 * floating IP's own network:floatingip port, a server without ports) is left out rather than
 * failing the whole topology, because one odd row must not stop the data plane for everyone.
 * Pure core: imports the models, the topology types and the workload parser.
 */
import { workloadOf } from '../../compute/workload.js';
import type { ServerData } from '../../model/compute.js';
import {
  DEVICE_OWNER,
  type FloatingIpData,
  type NetworkData,
  type PortData,
  type RouterData,
  type SecurityGroupData,
  type SecurityGroupRuleData,
  type SubnetData,
} from '../../model/network.js';
import type { StoredResource } from '../../ports/resource-store.js';
import type { FloatingIp, Instance, Network, NetworkType, Port, Router, Subnet, Topology } from '../topology/topology.js';

/** Everything the data plane depends on, as stored. */
export interface DesiredState {
  generation: number;
  networks: StoredResource<NetworkData>[];
  subnets: StoredResource<SubnetData>[];
  ports: StoredResource<PortData>[];
  routers: StoredResource<RouterData>[];
  floatingIps: StoredResource<FloatingIpData>[];
  securityGroups: StoredResource<SecurityGroupData>[];
  securityGroupRules: StoredResource<SecurityGroupRuleData>[];
  servers: StoredResource<ServerData>[];
}

const NETWORK_TYPES: readonly string[] = ['vxlan', 'vlan', 'flat', 'gre', 'geneve', 'local'];
const byId = <T extends { id: string }>(a: T, b: T) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** A workload port is realized only once bound; router and DHCP ports belong to the network host. */
export function isBound(p: PortData): boolean {
  return p.bindingHostId !== '';
}

/**
 * Mapped entities by stored row, for a caller that maps the same rows pass after pass (the network
 * agent re-reads only the rows a change names, so most row objects are the same as last pass). Then
 * an unchanged row yields the same entity object, and diffTopology skips it without serializing it.
 * Only frozen rows are keys (the store's cached documents are deep-frozen; a new revision is a new
 * row object), so an entity never outlives the content it was mapped from; entities are frozen too,
 * so what the planner holds cannot drift from what the next diff compares.
 */
export class TopologyMemo {
  private readonly byRow = new WeakMap<object, object>();

  entity<R extends object, T extends object>(row: R, map: (row: R) => T): T {
    if (!Object.isFrozen(row)) return map(row);
    let e = this.byRow.get(row) as T | undefined;
    if (e === undefined) {
      e = deepFreeze(map(row));
      this.byRow.set(row, e);
    }
    return e;
  }
}

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
  }
  return v;
}

const networkEntity = (n: StoredResource<NetworkData>): Network => ({
  id: n.id,
  projectId: n.projectId,
  name: n.data.name,
  adminStateUp: n.data.adminStateUp,
  external: n.data.external,
  shared: n.data.shared,
  mtu: n.data.mtu > 0 ? n.data.mtu : null,
  portSecurityEnabled: n.data.portSecurityEnabled,
  segments: [
    {
      id: n.id,
      networkType: (NETWORK_TYPES.includes(n.data.segment.networkType) ? n.data.segment.networkType : 'local') as NetworkType,
      segmentationId: n.data.segment.segmentationId,
      physicalNetwork: n.data.segment.physicalNetwork,
    },
  ],
});

const subnetEntity = (x: StoredResource<SubnetData>): Subnet => ({
  id: x.id,
  networkId: x.data.networkId,
  projectId: x.projectId,
  ipVersion: x.data.ipVersion,
  cidr: x.data.cidr,
  gatewayIp: x.data.gatewayIp,
  enableDhcp: x.data.enableDhcp,
  dnsNameservers: [...x.data.dnsNameservers],
  hostRoutes: x.data.hostRoutes.map((r) => ({ destination: r.destination, nexthop: r.nexthop })),
  ipv6AddressMode: x.data.ipv6AddressMode,
  ipv6RaMode: x.data.ipv6RaMode,
});

const portEntity = (p: StoredResource<PortData>): Port => ({
  id: p.id,
  networkId: p.data.networkId,
  projectId: p.projectId,
  name: p.data.name,
  macAddress: p.data.macAddress,
  fixedIps: p.data.fixedIps.map((f) => ({ subnetId: f.subnetId, ipAddress: f.ipAddress })),
  securityGroupIds: [...p.data.securityGroups],
  allowedAddressPairs: p.data.allowedAddressPairs.map((a) => ({ ipAddress: a.ipAddress, macAddress: a.macAddress || null })),
  portSecurityEnabled: p.data.portSecurityEnabled,
  adminStateUp: p.data.adminStateUp,
  deviceOwner: p.data.deviceOwner,
  deviceId: p.data.deviceId,
  hostId: isBound(p.data) ? p.data.bindingHostId : null,
});

const routerEntity = (r: StoredResource<RouterData>): Router => ({
  id: r.id,
  projectId: r.projectId,
  name: r.data.name,
  adminStateUp: r.data.adminStateUp,
  externalGateway: r.data.externalGatewayInfo
    ? {
        networkId: r.data.externalGatewayInfo.networkId,
        enableSnat: r.data.externalGatewayInfo.enableSnat,
        externalFixedIps: r.data.externalGatewayInfo.externalFixedIps.map((f) => ({ subnetId: f.subnetId, ipAddress: f.ipAddress })),
      }
    : null,
  routes: r.data.routes.map((x) => ({ destination: x.destination, nexthop: x.nexthop })),
  hostId: null,
});

const floatingIpEntity = (f: StoredResource<FloatingIpData>): FloatingIp => ({
  id: f.id,
  projectId: f.projectId,
  floatingNetworkId: f.data.floatingNetworkId,
  floatingIpAddress: f.data.floatingIpAddress,
  portId: f.data.portId,
  fixedIpAddress: f.data.fixedIpAddress,
  routerId: f.data.routerId,
});

const instanceEntity = (v: StoredResource<ServerData>): Instance => {
  const w = safeWorkload(v.data);
  return {
    id: v.id,
    projectId: v.projectId,
    hostId: v.data.hostId,
    portIds: [...v.data.portIds],
    listeners: w.listeners,
    answersPing: w.answersPing,
    extraAddresses: w.extraAddresses,
  };
};

/** `memo`: reuse the entities of rows mapped before (see TopologyMemo); without it, all are new. */
export function topologyFromModel(s: DesiredState, memo?: TopologyMemo): Topology {
  const each = <R extends object, T extends object>(map: (row: R) => T) => (memo ? (row: R) => memo.entity(row, map) : map);
  const rulesByGroup = new Map<string, StoredResource<SecurityGroupRuleData>[]>();
  for (const r of s.securityGroupRules) {
    const list = rulesByGroup.get(r.data.securityGroupId) ?? [];
    list.push(r);
    rulesByGroup.set(r.data.securityGroupId, list);
  }
  return {
    generation: s.generation,
    networks: s.networks.map(each(networkEntity)).sort(byId),
    subnets: s.subnets.map(each(subnetEntity)).sort(byId),
    // The floating IP's own port only reserves the address; the router answers for it (floatingIps).
    ports: s.ports.filter((p) => p.data.deviceOwner !== DEVICE_OWNER.floatingIp).map(each(portEntity)).sort(byId),
    routers: s.routers.map(each(routerEntity)).sort(byId),
    floatingIps: s.floatingIps.map(each(floatingIpEntity)).sort(byId),
    // A group's entity depends on its rules' rows as well as its own: mapped afresh every time.
    securityGroups: s.securityGroups.map((g) => ({
      id: g.id,
      projectId: g.projectId,
      name: g.data.name,
      stateful: g.data.stateful,
      rules: (rulesByGroup.get(g.id) ?? []).sort(byId).map((r) => ({
        id: r.id,
        direction: r.data.direction,
        ethertype: r.data.ethertype,
        protocol: r.data.protocol,
        portRangeMin: r.data.portRangeMin,
        portRangeMax: r.data.portRangeMax,
        remoteIpPrefix: r.data.remoteIpPrefix,
        remoteGroupId: r.data.remoteGroupId,
      })),
    })).sort(byId),
    instances: s.servers.filter((v) => v.data.portIds.length > 0).map(each(instanceEntity)).sort(byId),
  };
}

/** Metadata is validated on write; a row from an older version that fails now answers nothing. */
function safeWorkload(d: ServerData) {
  try {
    return workloadOf(d.metadata, d.status);
  } catch {
    return { listeners: [], answersPing: false, extraAddresses: [] };
  }
}
