/**
 * The networking model as the services keep it: Neutron's resources in camelCase, one document per
 * resource in the ResourceStore (kind = the constant below, parent = the owning resource). What is
 * stored is the `*Data` shape; the meta fields (id, project, revision, timestamps) come from the row
 * and are merged in when a resource is read. Pure core: imports nothing.
 */

export const KIND = {
  network: 'network',
  subnet: 'subnet',
  port: 'port',
  router: 'router',
  floatingIp: 'floatingip',
  securityGroup: 'security_group',
  securityGroupRule: 'security_group_rule',
  subnetPool: 'subnetpool',
  rbacPolicy: 'rbac_policy',
  quota: 'quota',
} as const;
export type NetworkKind = (typeof KIND)[keyof typeof KIND];

/** Fields every resource shows that the store row carries, not the document. */
export interface ResourceMeta {
  id: string;
  projectId: string;
  revisionNumber: number;
  createdAt: string;
  updatedAt: string;
}

export type Entity<D> = D & ResourceMeta;

export interface SegmentData {
  networkType: string;
  physicalNetwork: string | null;
  segmentationId: number | null;
}

export interface NetworkData {
  name: string;
  description: string;
  adminStateUp: boolean;
  shared: boolean;
  external: boolean;
  mtu: number;
  status: string;
  portSecurityEnabled: boolean;
  segment: SegmentData;
  availabilityZoneHints: string[];
  dnsDomain: string;
  isDefault: boolean;
  tags: string[];
}
export type Network = Entity<NetworkData>;

export interface AllocationPoolData {
  start: string;
  end: string;
}

export interface HostRouteData {
  destination: string;
  nexthop: string;
}

export interface SubnetData {
  networkId: string;
  name: string;
  description: string;
  cidr: string;
  ipVersion: 4 | 6;
  gatewayIp: string | null;
  allocationPools: AllocationPoolData[];
  dnsNameservers: string[];
  hostRoutes: HostRouteData[];
  enableDhcp: boolean;
  ipv6RaMode: string | null;
  ipv6AddressMode: string | null;
  subnetpoolId: string | null;
  serviceTypes: string[];
  dnsPublishFixedIp: boolean;
  tags: string[];
}
export type Subnet = Entity<SubnetData>;

export interface FixedIpData {
  subnetId: string;
  ipAddress: string;
}

export interface AddressPairData {
  ipAddress: string;
  macAddress: string;
}

export interface ExtraDhcpOptData {
  optName: string;
  optValue: string;
  ipVersion: number;
}

export interface PortData {
  networkId: string;
  name: string;
  description: string;
  adminStateUp: boolean;
  macAddress: string;
  fixedIps: FixedIpData[];
  deviceId: string;
  deviceOwner: string;
  status: string;
  securityGroups: string[];
  portSecurityEnabled: boolean;
  allowedAddressPairs: AddressPairData[];
  extraDhcpOpts: ExtraDhcpOptData[];
  bindingHostId: string;
  bindingVnicType: string;
  bindingVifType: string;
  bindingVifDetails: Record<string, unknown>;
  bindingProfile: Record<string, unknown>;
  dnsName: string;
  propagateUplinkStatus: boolean;
  tags: string[];
}
export type Port = Entity<PortData>;

export interface GatewayInfoData {
  networkId: string;
  enableSnat: boolean;
  externalFixedIps: FixedIpData[];
}

export interface RouterData {
  name: string;
  description: string;
  adminStateUp: boolean;
  status: string;
  externalGatewayInfo: GatewayInfoData | null;
  /** The router's gateway port (device_owner network:router_gateway), when it has a gateway. */
  gatewayPortId: string | null;
  /** Its interface ports (device_owner network:router_interface). */
  interfacePortIds: string[];
  routes: HostRouteData[];
  distributed: boolean;
  ha: boolean;
  availabilityZoneHints: string[];
  tags: string[];
}
export type Router = Entity<RouterData>;

export interface FloatingIpData {
  floatingNetworkId: string;
  floatingIpAddress: string;
  /** The network:floatingip port holding the address. */
  floatingPortId: string;
  portId: string | null;
  fixedIpAddress: string | null;
  routerId: string | null;
  status: string;
  description: string;
  dnsName: string;
  dnsDomain: string;
  tags: string[];
}
export type FloatingIp = Entity<FloatingIpData>;

export interface SecurityGroupData {
  name: string;
  description: string;
  stateful: boolean;
  /** The project's `default` group (created on first use). */
  isDefault: boolean;
  tags: string[];
}
export type SecurityGroup = Entity<SecurityGroupData>;

export interface SecurityGroupRuleData {
  securityGroupId: string;
  direction: 'ingress' | 'egress';
  ethertype: 'IPv4' | 'IPv6';
  protocol: string | null;
  portRangeMin: number | null;
  portRangeMax: number | null;
  remoteIpPrefix: string | null;
  remoteGroupId: string | null;
  remoteAddressGroupId: string | null;
  description: string;
}
export type SecurityGroupRule = Entity<SecurityGroupRuleData>;

export interface SubnetPoolData {
  name: string;
  description: string;
  ipVersion: 4 | 6;
  prefixes: string[];
  defaultPrefixlen: number;
  minPrefixlen: number;
  maxPrefixlen: number;
  isDefault: boolean;
  shared: boolean;
  addressScopeId: string | null;
  defaultQuota: number | null;
  tags: string[];
}
export type SubnetPool = Entity<SubnetPoolData>;

export interface RbacPolicyData {
  objectType: string;
  objectId: string;
  action: 'access_as_shared' | 'access_as_external';
  targetTenant: string;
}
export type RbacPolicy = Entity<RbacPolicyData>;

/** Per-project quota overrides; absent keys take the defaults. */
export type QuotaData = Record<string, number>;

export const DEVICE_OWNER = {
  dhcp: 'network:dhcp',
  routerInterface: 'network:router_interface',
  routerGateway: 'network:router_gateway',
  floatingIp: 'network:floatingip',
} as const;
