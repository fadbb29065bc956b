/**
 * Network topology: the planner's input model. Plain, JSON-able, camelCase data describing the
 * logical Neutron model (networks, subnets, ports, routers, floating IPs, security groups) plus the
 * simulated workloads bound to ports. The API layer maps its store rows into this shape; the planner
 * (core/network/plan) compiles it into per-host specs. Pure core: imports nothing.
 *
 * Ids are plain strings on purpose: the planner must not care which id scheme the store uses.
 */

export type IpVersion = 4 | 6;

/** The host everything lands on when nothing says otherwise: the one laptop. */
export const DEFAULT_HOST_ID = 'local';
export type NetworkType = 'vxlan' | 'vlan' | 'flat' | 'gre' | 'geneve' | 'local';
export type Ethertype = 'IPv4' | 'IPv6';
export type Direction = 'ingress' | 'egress';

/** Neutron's device_owner values the planner gives meaning to; anything else is treated as a workload. */
export type DeviceOwner =
  | 'network:router_interface'
  | 'network:router_gateway'
  | 'network:dhcp'
  | 'network:floatingip'
  | 'compute:nova'
  | (string & {});

export interface Topology {
  /** Global desired-state generation this topology was read at; it flows into every spec. */
  generation: number;
  networks: Network[];
  subnets: Subnet[];
  ports: Port[];
  routers: Router[];
  floatingIps: FloatingIp[];
  securityGroups: SecurityGroup[];
  instances: Instance[];
}

export interface Segment {
  id: string;
  networkType: NetworkType;
  /** VNI for vxlan/geneve, key for gre, VLAN id for vlan; null for flat/local. */
  segmentationId: number | null;
  physicalNetwork: string | null;
}

export interface Network {
  id: string;
  projectId: string;
  name: string;
  adminStateUp: boolean;
  /** router:external */
  external: boolean;
  shared: boolean;
  /** Configured MTU; null means "derive from the underlay and the overlay overhead". */
  mtu: number | null;
  /** Default for ports created on this network (Neutron's network-level port_security_enabled). */
  portSecurityEnabled: boolean;
  /** One segment in practice; multi-segment networks use the first for forwarding. */
  segments: Segment[];
}

export interface HostRoute {
  destination: string;
  nexthop: string;
}

export interface Subnet {
  id: string;
  networkId: string;
  projectId: string;
  ipVersion: IpVersion;
  cidr: string;
  gatewayIp: string | null;
  enableDhcp: boolean;
  dnsNameservers: string[];
  hostRoutes: HostRoute[];
  /** IPv6 only: 'slaac' | 'dhcpv6-stateful' | 'dhcpv6-stateless'; null for IPv4. */
  ipv6AddressMode: string | null;
  ipv6RaMode: string | null;
}

export interface FixedIp {
  subnetId: string;
  ipAddress: string;
}

export interface AllowedAddressPair {
  /** An address or a CIDR. */
  ipAddress: string;
  /** null means "the port's own MAC". */
  macAddress: string | null;
}

export interface Port {
  id: string;
  networkId: string;
  projectId: string;
  name: string;
  macAddress: string;
  fixedIps: FixedIp[];
  securityGroupIds: string[];
  allowedAddressPairs: AllowedAddressPair[];
  portSecurityEnabled: boolean;
  adminStateUp: boolean;
  deviceOwner: DeviceOwner;
  /** Router id for router ports, instance id for compute ports, network id for DHCP ports. */
  deviceId: string;
  /** binding:host_id; null = unbound (routers and DHCP ports fall back to the planner's network host). */
  hostId: string | null;
}

export interface RouterGateway {
  networkId: string;
  enableSnat: boolean;
  externalFixedIps: FixedIp[];
}

export interface Router {
  id: string;
  projectId: string;
  name: string;
  adminStateUp: boolean;
  externalGateway: RouterGateway | null;
  /** Extra routes (Neutron `routes`). */
  routes: HostRoute[];
  /** Where the router runs; null = the planner's network host. */
  hostId: string | null;
}

export interface FloatingIp {
  id: string;
  projectId: string;
  floatingNetworkId: string;
  floatingIpAddress: string;
  portId: string | null;
  fixedIpAddress: string | null;
  /** null = let the planner find the router that joins the port's subnet to the floating network. */
  routerId: string | null;
}

export interface SecurityGroupRule {
  id: string;
  direction: Direction;
  ethertype: Ethertype;
  /** 'tcp' | 'udp' | 'icmp' | 'ipv6-icmp' | a protocol number as text | null (any). */
  protocol: string | null;
  /** Port range for tcp/udp; ICMP type (min) and code (max) for icmp. */
  portRangeMin: number | null;
  portRangeMax: number | null;
  remoteIpPrefix: string | null;
  remoteGroupId: string | null;
}

export interface SecurityGroup {
  id: string;
  projectId: string;
  name: string;
  stateful: boolean;
  rules: SecurityGroupRule[];
}

export interface Listener {
  protocol: 'tcp' | 'udp';
  port: number;
}

/** A (simulated) workload: what it listens on and which extra addresses it answers for. */
export interface Instance {
  id: string;
  projectId: string;
  hostId: string;
  portIds: string[];
  listeners: Listener[];
  /** Whether it answers ICMP echo. */
  answersPing: boolean;
  /** Addresses beyond its fixed IPs it owns (a VPN endpoint behind an extra route, a VIP). */
  extraAddresses: string[];
}

export function emptyTopology(generation = 0): Topology {
  return {
    generation,
    networks: [],
    subnets: [],
    ports: [],
    routers: [],
    floatingIps: [],
    securityGroups: [],
    instances: [],
  };
}
