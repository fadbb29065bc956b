/**
 * The per-host spec: what the planner emits and what a DataplaneDriver realizes. JSON-able, ids as
 * strings, every collection sorted by id so two plans of the same topology are byte-identical.
 * Each compiled unit carries the generation at which it last changed, so a driver (or a reader of a
 * diff) can tell what an update touched. Pure core: imports only the topology model types.
 */

import type { Ethertype, IpVersion, Listener, NetworkType } from '../topology/topology.js';

export interface HostSpec {
  hostId: string;
  /** The topology generation this spec realizes; a driver reports it back once applied. */
  generation: number;
  segments: SegmentSpec[];
  ports: PortSpec[];
  routers: RouterSpec[];
  dhcp: DhcpSpec[];
  acls: AclSpec[];
}

export interface SubnetSpec {
  subnetId: string;
  ipVersion: IpVersion;
  cidr: string;
  gatewayIp: string | null;
}

export interface SegmentSpec {
  networkId: string;
  projectId: string;
  segmentId: string;
  networkType: NetworkType;
  segmentationId: number | null;
  physicalNetwork: string | null;
  /** Effective L3 MTU seen by ports: min(configured, underlay - overhead). */
  mtu: number;
  /** Encapsulation bytes this segment type costs on the underlay (VXLAN 50, GENEVE 58, GRE 42). */
  overheadBytes: number;
  external: boolean;
  adminStateUp: boolean;
  subnets: SubnetSpec[];
  /** Every host with a port on this segment: the tunnel mesh for overlay types. */
  hosts: string[];
  generation: number;
}

export type PortKind = 'workload' | 'router_interface' | 'router_gateway' | 'dhcp';

export interface PortIpSpec {
  subnetId: string;
  ipAddress: string;
  /** The subnet's CIDR, so an address is usable without a lookup. */
  cidr: string;
}

export interface AddressPairSpec {
  /** Address or CIDR. */
  ipAddress: string;
  /** Resolved: the port's own MAC when the pair did not name one. */
  macAddress: string;
}

export interface WorkloadSpec {
  instanceId: string;
  listeners: Listener[];
  answersPing: boolean;
  extraAddresses: string[];
}

export interface PortSpec {
  portId: string;
  networkId: string;
  projectId: string;
  hostId: string;
  kind: PortKind;
  deviceId: string;
  macAddress: string;
  ips: PortIpSpec[];
  /** The network's adminStateUp folded in: a port on a down network is down. */
  adminStateUp: boolean;
  portSecurityEnabled: boolean;
  /** Empty when port security is off (Neutron refuses groups then; we ignore them). */
  securityGroupIds: string[];
  allowedAddressPairs: AddressPairSpec[];
  /** Present for ports bound to a (simulated) instance. */
  workload: WorkloadSpec | null;
  generation: number;
}

export interface RouterInterfaceSpec {
  portId: string;
  networkId: string;
  subnetId: string;
  macAddress: string;
  ipAddress: string;
  cidr: string;
}

export interface RouterGatewaySpec {
  portId: string;
  networkId: string;
  macAddress: string;
  ips: PortIpSpec[];
  enableSnat: boolean;
}

export type RouteKind = 'connected' | 'extra' | 'default';

export interface RouteSpec {
  destination: string;
  /** null for connected routes (deliver on-link). */
  nexthop: string | null;
  kind: RouteKind;
  /** The router port the route leaves through. */
  viaPortId: string;
}

export interface FloatingIpSpec {
  floatingIpId: string;
  floatingIpAddress: string;
  fixedIpAddress: string;
  portId: string;
}

export interface RouterSpec {
  routerId: string;
  projectId: string;
  hostId: string;
  adminStateUp: boolean;
  interfaces: RouterInterfaceSpec[];
  gateway: RouterGatewaySpec | null;
  /** Longest prefix first; among equal prefixes connected before extra before default. */
  routes: RouteSpec[];
  /** Extra routes whose nexthop is on no connected subnet: kept to explain, never used. */
  unresolvedRoutes: { destination: string; nexthop: string }[];
  floatingIps: FloatingIpSpec[];
  generation: number;
}

export interface DhcpSubnetSpec {
  subnetId: string;
  ipVersion: IpVersion;
  cidr: string;
  gatewayIp: string | null;
  dnsNameservers: string[];
  hostRoutes: { destination: string; nexthop: string }[];
  mtu: number;
  leaseSeconds: number;
}

export interface DhcpHostSpec {
  portId: string;
  macAddress: string;
  ipAddress: string;
  subnetId: string;
}

export interface DhcpSpec {
  networkId: string;
  /** The network:dhcp port that answers (a network without one gets no DhcpSpec). */
  serverPortId: string;
  serverMac: string;
  subnets: DhcpSubnetSpec[];
  hosts: DhcpHostSpec[];
  generation: number;
}

export interface AclRuleSpec {
  ruleId: string;
  direction: 'ingress' | 'egress';
  ethertype: Ethertype;
  /** IP protocol number; null = any. */
  protocol: number | null;
  /** tcp/udp: destination port range; null = any. */
  portMin: number | null;
  portMax: number | null;
  /** icmp: type and code; null = any. */
  icmpType: number | null;
  icmpCode: number | null;
  /** Exactly one of: a prefix, a group (expanded), or neither (= anywhere). */
  remoteIpPrefix: string | null;
  remoteGroupId: string | null;
  /** Member addresses of remoteGroupId of this ethertype (fixed IPs and allowed address pairs). */
  remoteAddresses: string[] | null;
}

export interface AclSpec {
  groupId: string;
  projectId: string;
  stateful: boolean;
  rules: AclRuleSpec[];
  generation: number;
}

export const PROTOCOL_NUMBERS: Record<string, number> = {
  icmp: 1,
  tcp: 6,
  udp: 17,
  'ipv6-icmp': 58,
  icmpv6: 58,
  sctp: 132,
};

/** Names for the numbers we render in traces. */
export function protocolName(n: number | null): string {
  if (n === null) return 'any';
  for (const [k, v] of Object.entries(PROTOCOL_NUMBERS)) if (v === n && k !== 'icmpv6') return k;
  return String(n);
}
