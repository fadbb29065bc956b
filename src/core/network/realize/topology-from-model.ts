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
import type { NetworkType, Topology } from '../topology/topology.js';

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

export function topologyFromModel(s: DesiredState): Topology {
  const rulesByGroup = new Map<string, StoredResource<SecurityGroupRuleData>[]>();
  for (const r of s.securityGroupRules) {
    const list = rulesByGroup.get(r.data.securityGroupId) ?? [];
    list.push(r);
    rulesByGroup.set(r.data.securityGroupId, list);
  }
  return {
    generation: s.generation,
    networks: s.networks.map((n) => ({
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
    })).sort(byId),
    subnets: s.subnets.map((x) => ({
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
    })).sort(byId),
    // The floating IP's own port only reserves the address; the router answers for it (floatingIps).
    ports: s.ports.filter((p) => p.data.deviceOwner !== DEVICE_OWNER.floatingIp).map((p) => ({
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
    })).sort(byId),
    routers: s.routers.map((r) => ({
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
    })).sort(byId),
    floatingIps: s.floatingIps.map((f) => ({
      id: f.id,
      projectId: f.projectId,
      floatingNetworkId: f.data.floatingNetworkId,
      floatingIpAddress: f.data.floatingIpAddress,
      portId: f.data.portId,
      fixedIpAddress: f.data.fixedIpAddress,
      routerId: f.data.routerId,
    })).sort(byId),
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
    instances: s.servers.filter((v) => v.data.portIds.length > 0).map((v) => {
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
    }).sort(byId),
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
