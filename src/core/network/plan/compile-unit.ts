/**
 * The planner's compile functions: one per unit kind (segment, port, router, DHCP, ACL), each reading
 * the topology index and returning that unit's spec, or null when the unit no longer exists. They are
 * pure apart from reading the index, which is what lets the planner recompile only dirty units.
 * Pure core: imports the topology model and the spec types.
 */

import { cidrContains, parseCidr, parseIp } from '../topology/ip-address.js';
import type { NetworkType, Port } from '../topology/topology.js';
import type {
  AclRuleSpec,
  AclSpec,
  DhcpSpec,
  FloatingIpSpec,
  PortKind,
  PortSpec,
  RouteSpec,
  RouterInterfaceSpec,
  RouterSpec,
  SegmentSpec,
  SubnetSpec,
} from './spec.js';
import { PROTOCOL_NUMBERS } from './spec.js';
import type { TopologyIndex } from './topology-index.js';

export interface CompileOptions {
  /** Where routers and DHCP ports run unless they say otherwise. */
  networkHostId: string;
  /** MTU of the physical network that carries the overlay. */
  underlayMtu: number;
  dhcpLeaseSeconds: number;
}

/** Encapsulation cost on an IPv4 underlay: outer IP 20 + UDP 8 + header (VXLAN 8 + inner Ethernet 14, …). */
export const OVERLAY_OVERHEAD: Record<NetworkType, number> = {
  vxlan: 50,
  geneve: 58,
  gre: 42,
  vlan: 0,
  flat: 0,
  local: 0,
};

const byId = <T>(key: (x: T) => string) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

export function portKind(owner: string): PortKind {
  if (owner === 'network:router_interface') return 'router_interface';
  if (owner === 'network:router_gateway') return 'router_gateway';
  if (owner === 'network:dhcp') return 'dhcp';
  return 'workload';
}

/** The host a port is realized on, or null when it is an unbound workload port. */
export function hostOfPort(ix: TopologyIndex, p: Port, o: CompileOptions): string | null {
  const kind = portKind(p.deviceOwner);
  if (kind === 'router_interface' || kind === 'router_gateway') {
    return ix.routers.get(p.deviceId)?.hostId ?? o.networkHostId;
  }
  if (kind === 'dhcp') return p.hostId ?? o.networkHostId;
  return p.hostId;
}

export function networkMtu(ix: TopologyIndex, networkId: string, o: CompileOptions): number {
  const n = ix.networks.get(networkId);
  if (!n) return o.underlayMtu;
  const type = n.segments[0]?.networkType ?? 'local';
  const ceiling = o.underlayMtu - OVERLAY_OVERHEAD[type];
  return n.mtu === null ? ceiling : Math.min(n.mtu, ceiling);
}

function subnetSpecs(ix: TopologyIndex, networkId: string): SubnetSpec[] {
  const out: SubnetSpec[] = [];
  for (const id of ix.subnetsByNetwork.get(networkId) ?? []) {
    const s = ix.subnets.get(id)!;
    out.push({ subnetId: s.id, ipVersion: s.ipVersion, cidr: s.cidr, gatewayIp: s.gatewayIp });
  }
  return out.sort(byId((s) => s.subnetId));
}

export function compileSegment(
  ix: TopologyIndex,
  networkId: string,
  hosts: Iterable<string>,
  o: CompileOptions,
): SegmentSpec | null {
  const n = ix.networks.get(networkId);
  if (!n) return null;
  const seg = n.segments[0] ?? { id: `seg-${n.id}`, networkType: 'local' as const, segmentationId: null, physicalNetwork: null };
  return {
    networkId: n.id,
    projectId: n.projectId,
    segmentId: seg.id,
    networkType: seg.networkType,
    segmentationId: seg.segmentationId,
    physicalNetwork: seg.physicalNetwork,
    mtu: networkMtu(ix, n.id, o),
    overheadBytes: OVERLAY_OVERHEAD[seg.networkType],
    external: n.external,
    adminStateUp: n.adminStateUp,
    subnets: subnetSpecs(ix, n.id),
    hosts: [...hosts].sort(),
    generation: ix.generation,
  };
}

export function compilePort(ix: TopologyIndex, portId: string, o: CompileOptions): PortSpec | null {
  const p = ix.ports.get(portId);
  if (!p) return null;
  const hostId = hostOfPort(ix, p, o);
  if (hostId === null) return null;
  const net = ix.networks.get(p.networkId);
  const kind = portKind(p.deviceOwner);
  const instId = ix.instanceByPort.get(p.id);
  const inst = instId ? ix.instances.get(instId) : undefined;
  const router = kind === 'router_interface' || kind === 'router_gateway' ? ix.routers.get(p.deviceId) : undefined;
  const secure = p.portSecurityEnabled && kind === 'workload';
  return {
    portId: p.id,
    networkId: p.networkId,
    projectId: p.projectId,
    hostId,
    kind,
    deviceId: p.deviceId,
    macAddress: p.macAddress.toLowerCase(),
    ips: p.fixedIps.map((f) => ({ subnetId: f.subnetId, ipAddress: f.ipAddress, cidr: ix.subnets.get(f.subnetId)?.cidr ?? f.ipAddress })),
    adminStateUp: p.adminStateUp && (net?.adminStateUp ?? false) && (router?.adminStateUp ?? true),
    portSecurityEnabled: secure,
    securityGroupIds: secure ? [...p.securityGroupIds].sort() : [],
    allowedAddressPairs: secure
      ? p.allowedAddressPairs.map((a) => ({ ipAddress: a.ipAddress, macAddress: (a.macAddress ?? p.macAddress).toLowerCase() }))
      : [],
    workload: inst
      ? {
          instanceId: inst.id,
          listeners: [...inst.listeners].sort((a, b) => (a.protocol === b.protocol ? a.port - b.port : a.protocol < b.protocol ? -1 : 1)),
          answersPing: inst.answersPing,
          extraAddresses: [...inst.extraAddresses],
        }
      : null,
    generation: ix.generation,
  };
}

/** The router that serves a floating IP: the one named, else the one joining the port's subnet to the floating network. */
export function resolveFloatingIpRouter(ix: TopologyIndex, fipId: string): string | null {
  const f = ix.floatingIps.get(fipId);
  if (!f || !f.portId || !f.fixedIpAddress) return null;
  if (f.routerId) return f.routerId;
  const port = ix.ports.get(f.portId);
  const fixed = parseIp(f.fixedIpAddress);
  if (!port || !fixed) return null;
  // Walk the router interfaces on the port's network (few) rather than every router on the
  // external network (many); lowest router id wins so the answer is stable.
  let best: string | null = null;
  for (const pid of ix.portsByNetwork.get(port.networkId) ?? []) {
    const rp = ix.ports.get(pid)!;
    if (rp.deviceOwner !== 'network:router_interface') continue;
    if (best !== null && rp.deviceId >= best) continue;
    const gw = ix.routers.get(rp.deviceId)?.externalGateway;
    if (!gw || gw.networkId !== f.floatingNetworkId) continue;
    for (const ip of rp.fixedIps) {
      const c = parseCidr(ix.subnets.get(ip.subnetId)?.cidr ?? '');
      if (c && cidrContains(c, fixed)) best = rp.deviceId;
    }
  }
  return best;
}

const KIND_ORDER = { connected: 0, extra: 1, default: 2 } as const;

export function compileRouter(ix: TopologyIndex, routerId: string, o: CompileOptions): RouterSpec | null {
  const r = ix.routers.get(routerId);
  if (!r) return null;
  const interfaces: RouterInterfaceSpec[] = [];
  let gatewayPort: Port | undefined;
  for (const pid of ix.portsByRouter.get(r.id) ?? []) {
    const p = ix.ports.get(pid)!;
    if (p.deviceOwner === 'network:router_gateway') {
      gatewayPort = p;
      continue;
    }
    for (const f of p.fixedIps) {
      const cidr = ix.subnets.get(f.subnetId)?.cidr;
      if (!cidr) continue;
      interfaces.push({ portId: p.id, networkId: p.networkId, subnetId: f.subnetId, macAddress: p.macAddress.toLowerCase(), ipAddress: f.ipAddress, cidr });
    }
  }
  interfaces.sort((a, b) => (a.portId === b.portId ? (a.subnetId < b.subnetId ? -1 : 1) : a.portId < b.portId ? -1 : 1));
  const gw = r.externalGateway;
  const gatewayPortId = gatewayPort?.id ?? `${r.id}-gw`;
  const gateway = gw
    ? {
        portId: gatewayPortId,
        networkId: gw.networkId,
        macAddress: (gatewayPort?.macAddress ?? '00:00:00:00:00:00').toLowerCase(),
        ips: gw.externalFixedIps.map((f) => ({ subnetId: f.subnetId, ipAddress: f.ipAddress, cidr: ix.subnets.get(f.subnetId)?.cidr ?? f.ipAddress })),
        enableSnat: gw.enableSnat,
      }
    : null;

  const routes: RouteSpec[] = [];
  const connected: { cidr: string; portId: string }[] = [];
  for (const i of interfaces) connected.push({ cidr: i.cidr, portId: i.portId });
  for (const ip of gateway?.ips ?? []) connected.push({ cidr: ip.cidr, portId: gatewayPortId });
  const seen = new Set<string>();
  for (const c of connected) {
    const key = `${c.cidr}|${c.portId}`;
    if (seen.has(key)) continue;
    seen.add(key);
    routes.push({ destination: c.cidr, nexthop: null, kind: 'connected', viaPortId: c.portId });
  }
  const unresolvedRoutes: { destination: string; nexthop: string }[] = [];
  for (const er of r.routes) {
    const nh = parseIp(er.nexthop);
    const via = nh && connected.find((c) => {
      const cc = parseCidr(c.cidr);
      return cc !== null && cidrContains(cc, nh);
    });
    if (via) routes.push({ destination: er.destination, nexthop: er.nexthop, kind: 'extra', viaPortId: via.portId });
    else unresolvedRoutes.push({ destination: er.destination, nexthop: er.nexthop });
  }
  if (gateway) {
    for (const ip of gateway.ips) {
      const sub = ix.subnets.get(ip.subnetId);
      if (!sub?.gatewayIp) continue;
      routes.push({ destination: sub.ipVersion === 4 ? '0.0.0.0/0' : '::/0', nexthop: sub.gatewayIp, kind: 'default', viaPortId: gatewayPortId });
    }
  }
  routes.sort((a, b) => {
    const pa = parseCidr(a.destination)?.prefixLength ?? 0;
    const pb = parseCidr(b.destination)?.prefixLength ?? 0;
    if (pa !== pb) return pb - pa;
    if (a.kind !== b.kind) return KIND_ORDER[a.kind] - KIND_ORDER[b.kind];
    return a.destination < b.destination ? -1 : a.destination > b.destination ? 1 : 0;
  });

  const floatingIps: FloatingIpSpec[] = [];
  if (gw) {
    // Only floating IPs of ports on this router's networks can be served by it.
    const candidates = new Set<string>();
    for (const net of new Set(interfaces.map((i) => i.networkId))) {
      for (const pid of ix.portsByNetwork.get(net) ?? []) for (const fid of ix.floatingIpsByPort.get(pid) ?? []) candidates.add(fid);
    }
    for (const fid of candidates) {
      const f = ix.floatingIps.get(fid)!;
      if (f.floatingNetworkId !== gw.networkId || !f.portId || !f.fixedIpAddress) continue;
      if (resolveFloatingIpRouter(ix, f.id) !== r.id) continue;
      floatingIps.push({ floatingIpId: f.id, floatingIpAddress: f.floatingIpAddress, fixedIpAddress: f.fixedIpAddress, portId: f.portId });
    }
    floatingIps.sort(byId((f) => f.floatingIpId));
  }
  return {
    routerId: r.id,
    projectId: r.projectId,
    hostId: r.hostId ?? o.networkHostId,
    adminStateUp: r.adminStateUp,
    interfaces,
    gateway,
    routes,
    unresolvedRoutes,
    floatingIps,
    generation: ix.generation,
  };
}

export function compileDhcp(ix: TopologyIndex, networkId: string, o: CompileOptions): DhcpSpec | null {
  const n = ix.networks.get(networkId);
  if (!n) return null;
  const mtu = networkMtu(ix, n.id, o);
  const subnets = [...(ix.subnetsByNetwork.get(n.id) ?? [])]
    .map((id) => ix.subnets.get(id)!)
    .filter((s) => s.enableDhcp)
    .map((s) => ({
      subnetId: s.id,
      ipVersion: s.ipVersion,
      cidr: s.cidr,
      gatewayIp: s.gatewayIp,
      dnsNameservers: [...s.dnsNameservers],
      hostRoutes: s.hostRoutes.map((h) => ({ ...h })),
      mtu,
      leaseSeconds: o.dhcpLeaseSeconds,
    }))
    .sort(byId((s) => s.subnetId));
  if (subnets.length === 0) return null;
  const dhcpSubnets = new Set(subnets.map((s) => s.subnetId));
  let server: Port | undefined;
  const hosts: DhcpSpec['hosts'] = [];
  for (const pid of ix.portsByNetwork.get(n.id) ?? []) {
    const p = ix.ports.get(pid)!;
    if (p.deviceOwner === 'network:dhcp') {
      if (!server || p.id < server.id) server = p;
      continue;
    }
    for (const f of p.fixedIps) {
      if (dhcpSubnets.has(f.subnetId)) hosts.push({ portId: p.id, macAddress: p.macAddress.toLowerCase(), ipAddress: f.ipAddress, subnetId: f.subnetId });
    }
  }
  // No server port (yet): nothing to realize; the unit recompiles when the DHCP port arrives.
  if (!server) return null;
  hosts.sort((a, b) => (a.portId === b.portId ? (a.subnetId < b.subnetId ? -1 : 1) : a.portId < b.portId ? -1 : 1));
  return {
    networkId: n.id,
    serverPortId: server.id,
    serverMac: server.macAddress.toLowerCase(),
    subnets,
    hosts,
    generation: ix.generation,
  };
}

/** Addresses that belong to a group's members, for remote-group expansion (Neutron counts allowed pairs too). */
export function groupMemberAddresses(ix: TopologyIndex, groupId: string, version: 4 | 6): string[] {
  const out = new Set<string>();
  for (const pid of ix.portsByGroup.get(groupId) ?? []) {
    const p = ix.ports.get(pid)!;
    if (!p.portSecurityEnabled) continue;
    for (const f of p.fixedIps) if (parseIp(f.ipAddress)?.version === version) out.add(f.ipAddress);
    for (const a of p.allowedAddressPairs) {
      const c = parseCidr(a.ipAddress);
      if (c?.version === version) out.add(a.ipAddress);
    }
  }
  return [...out].sort();
}

function protocolNumber(p: string | null): number | null {
  if (p === null || p === '' || p === 'any') return null;
  if (/^\d+$/.test(p)) return Number(p);
  const n = PROTOCOL_NUMBERS[p.toLowerCase()];
  if (n === undefined) throw new Error(`unknown protocol ${p}`);
  return n;
}

export function compileAcl(ix: TopologyIndex, groupId: string): AclSpec | null {
  const g = ix.securityGroups.get(groupId);
  if (!g) return null;
  const rules: AclRuleSpec[] = g.rules.map((r) => {
    let protocol = protocolNumber(r.protocol);
    // Neutron accepts "icmp" on IPv6 rules and means ICMPv6.
    if (protocol === 1 && r.ethertype === 'IPv6') protocol = 58;
    const isIcmp = protocol === 1 || protocol === 58;
    const hasPorts = protocol === 6 || protocol === 17 || protocol === 132;
    return {
      ruleId: r.id,
      direction: r.direction,
      ethertype: r.ethertype,
      protocol,
      portMin: hasPorts ? r.portRangeMin : null,
      portMax: hasPorts ? (r.portRangeMax ?? r.portRangeMin) : null,
      icmpType: isIcmp ? r.portRangeMin : null,
      icmpCode: isIcmp ? r.portRangeMax : null,
      remoteIpPrefix: r.remoteIpPrefix,
      remoteGroupId: r.remoteGroupId,
      remoteAddresses: r.remoteGroupId ? groupMemberAddresses(ix, r.remoteGroupId, r.ethertype === 'IPv4' ? 4 : 6) : null,
    };
  });
  rules.sort(byId((r) => r.ruleId));
  return { groupId: g.id, projectId: g.projectId, stateful: g.stateful, rules, generation: ix.generation };
}
