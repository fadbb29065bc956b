/**
 * Subnet rules, composed: given a create request (or an update of an existing subnet), apply
 * Neutron's defaults and validation and return the fully resolved subnet the store should write.
 * Pure core: imports core/errors, ../ip and the sibling rule modules.
 *
 * Order of checks follows Neutron closely enough that the first error a client sees is the one
 * Neutron would have reported: cidr, ip_version, DHCP-compatibility, IPv6 modes, gateway, overlap,
 * pools, nameservers, routes.
 */
import { type Cidr, type IpVersion, cidrContainsCidr, formatCidr, parseCidr, parseCidrLoose, describeCidrProblem } from '../ip/index.js';
import { type AllocationPool, assertGatewayOutsidePools, defaultAllocationPools, validateAllocationPools } from './allocation-pool.js';
import { validateDnsNameservers } from './dns-nameserver.js';
import { resolveGatewayIp } from './gateway.js';
import { type HostRoute, validateHostRoutes } from './host-route.js';
import { type Ipv6Mode, validateIpv6Modes } from './ipv6-mode.js';
import { type ExistingSubnet, assertNoSubnetOverlap } from './subnet-overlap.js';
import { invalidAttribute, invalidOperation } from './subnet-error.js';

export interface SubnetCreateRequest {
  cidr: string;
  /** When given it must match the cidr's family. */
  ipVersion?: number;
  /** undefined: Neutron's default (first host); null: no gateway. */
  gatewayIp?: string | null;
  /** undefined: the default pools. */
  allocationPools?: AllocationPool[];
  hostRoutes?: HostRoute[];
  dnsNameservers?: string[];
  /** Default true. */
  enableDhcp?: boolean;
  ipv6RaMode?: string | null;
  ipv6AddressMode?: string | null;
}

export interface SubnetRules {
  networkId: string;
  /** The other subnets of the same network. */
  existingSubnets: readonly ExistingSubnet[];
  maxHostRoutes?: number;
  maxDnsNameservers?: number;
  allowGatewayOutsideCidr?: boolean;
}

export interface ResolvedSubnet {
  cidr: string;
  ipVersion: IpVersion;
  gatewayIp: string | null;
  allocationPools: AllocationPool[];
  hostRoutes: HostRoute[];
  dnsNameservers: string[];
  enableDhcp: boolean;
  ipv6RaMode: Ipv6Mode | null;
  ipv6AddressMode: Ipv6Mode | null;
}

const V4_MULTICAST = parseCidr('224.0.0.0/4');
const V4_LOOPBACK = parseCidr('127.0.0.0/8');
const V6_MULTICAST = parseCidr('ff00::/8');
const V6_LOOPBACK = parseCidr('::1/128');

/** Neutron refuses DHCP on prefixes too small to hold a server and a client, and on multicast/loopback. */
function assertDhcpCompatible(cidr: Cidr): void {
  if ((cidr.version === 4 && cidr.prefixLength > 30) || (cidr.version === 6 && cidr.prefixLength > 126)) {
    throw invalidOperation('Subnet has a prefix length that is incompatible with DHCP service enabled');
  }
  const inRange = (range: Cidr) => cidrContainsCidr(range, { ...cidr, prefixLength: Math.max(cidr.prefixLength, range.prefixLength) });
  if (inRange(cidr.version === 4 ? V4_MULTICAST : V6_MULTICAST)) {
    throw invalidOperation('Multicast IP subnet is not supported if enable_dhcp is True');
  }
  if (inRange(cidr.version === 4 ? V4_LOOPBACK : V6_LOOPBACK)) {
    throw invalidOperation('Loopback IP subnet is not supported if enable_dhcp is True');
  }
}

function parseSubnetCidr(text: string): Cidr {
  const problem = describeCidrProblem(text);
  if (problem !== null) throw invalidAttribute('cidr', problem);
  return parseCidr(text);
}

export function resolveSubnetCreate(req: SubnetCreateRequest, rules: SubnetRules): ResolvedSubnet {
  const cidr = parseSubnetCidr(req.cidr);
  if (req.ipVersion !== undefined) {
    if (req.ipVersion !== 4 && req.ipVersion !== 6) throw invalidAttribute('ip_version', `'${String(req.ipVersion)}' is not in [4, 6]`);
    if (req.ipVersion !== cidr.version) {
      throw invalidOperation(`cidr '${req.cidr}' does not match the ip_version '${req.ipVersion}'`);
    }
  }
  const enableDhcp = req.enableDhcp ?? true;
  if (enableDhcp) assertDhcpCompatible(cidr);
  const modes = validateIpv6Modes({
    cidr,
    enableDhcp,
    ipv6RaMode: req.ipv6RaMode ?? null,
    ipv6AddressMode: req.ipv6AddressMode ?? null,
  });
  const gatewayIp = resolveGatewayIp(cidr, req.gatewayIp, { allowOutsideCidr: rules.allowGatewayOutsideCidr ?? false });
  assertNoSubnetOverlap(rules.networkId, cidr, rules.existingSubnets);
  const allocationPools =
    req.allocationPools === undefined
      ? defaultAllocationPools(cidr, gatewayIp)
      : validateAllocationPools(cidr, req.allocationPools, gatewayIp);
  const dnsNameservers = validateDnsNameservers(req.dnsNameservers ?? [], cidr.version, { maxNameservers: rules.maxDnsNameservers });
  const hostRoutes = validateHostRoutes(req.hostRoutes ?? [], cidr.version, { maxRoutes: rules.maxHostRoutes });
  return {
    cidr: formatCidr(cidr),
    ipVersion: cidr.version,
    gatewayIp,
    allocationPools,
    hostRoutes,
    dnsNameservers,
    enableDhcp,
    ...modes,
  };
}

/** The attributes Neutron lets a subnet update change (cidr and ip_version are immutable). */
export interface SubnetUpdateRequest {
  gatewayIp?: string | null;
  allocationPools?: AllocationPool[];
  hostRoutes?: HostRoute[];
  dnsNameservers?: string[];
  enableDhcp?: boolean;
}

/**
 * Applies an update to a resolved subnet. A new gateway must stay out of the (new or current)
 * pools; pools are not reshaped around a moved gateway, as in Neutron. Whether the old gateway is
 * still held by a router port (GatewayIpInUse) is for the service to check: it needs the ports.
 */
export function resolveSubnetUpdate(
  current: ResolvedSubnet & { id?: string },
  changes: SubnetUpdateRequest,
  rules: Omit<SubnetRules, 'existingSubnets'> = { networkId: '' },
): ResolvedSubnet {
  const cidr = parseCidrLoose(current.cidr);
  const enableDhcp = changes.enableDhcp ?? current.enableDhcp;
  if (enableDhcp && !current.enableDhcp) assertDhcpCompatible(cidr);
  validateIpv6Modes({ cidr, enableDhcp, ipv6RaMode: current.ipv6RaMode, ipv6AddressMode: current.ipv6AddressMode });
  const gatewayIp =
    changes.gatewayIp === undefined
      ? current.gatewayIp
      : resolveGatewayIp(cidr, changes.gatewayIp, { allowOutsideCidr: rules.allowGatewayOutsideCidr ?? false });
  let allocationPools = current.allocationPools;
  if (changes.allocationPools !== undefined) {
    allocationPools = validateAllocationPools(cidr, changes.allocationPools, gatewayIp);
  } else if (gatewayIp !== null && gatewayIp !== current.gatewayIp) {
    assertGatewayOutsidePools(gatewayIp, allocationPools);
  }
  const dnsNameservers =
    changes.dnsNameservers === undefined
      ? current.dnsNameservers
      : validateDnsNameservers(changes.dnsNameservers, cidr.version, { maxNameservers: rules.maxDnsNameservers, subnetId: current.id });
  const hostRoutes =
    changes.hostRoutes === undefined
      ? current.hostRoutes
      : validateHostRoutes(changes.hostRoutes, cidr.version, { maxRoutes: rules.maxHostRoutes, subnetId: current.id });
  return { ...current, gatewayIp, allocationPools, dnsNameservers, hostRoutes, enableDhcp };
}
