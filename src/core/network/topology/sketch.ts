/**
 * Topology sketches: a terse, data-only way to write a topology for tests, golden files and the
 * dataplane scenario table, expanded into the full `Topology` with Neutron's defaults (default
 * security group per project, gateway = first address, DHCP on, port security on, MACs fa:16:3e:…).
 * Pure core: imports only the topology model.
 */

import {
  DEFAULT_HOST_ID,
  emptyTopology,
  type Listener,
  type NetworkType,
  type Port,
  type SecurityGroup,
  type SecurityGroupRule,
  type Topology,
} from './topology.js';
import { canonicalIp, inCidr, ipVersionOf, nthAddress } from './ip-address.js';

export interface SubnetSketch {
  id: string;
  cidr: string;
  /** undefined = first address of the CIDR; null = no gateway. */
  gateway?: string | null;
  dhcp?: boolean;
  dns?: string[];
  hostRoutes?: { destination: string; nexthop: string }[];
}

export interface NetworkSketch {
  id: string;
  project?: string;
  external?: boolean;
  type?: NetworkType;
  segmentationId?: number;
  mtu?: number;
  adminUp?: boolean;
  portSecurity?: boolean;
  subnets: SubnetSketch[];
}

export interface RuleSketch {
  id: string;
  dir: 'ingress' | 'egress';
  /** Defaults to the family of `cidr`, else IPv4. */
  ethertype?: 'IPv4' | 'IPv6';
  proto?: string | null;
  /** One port, or [min, max]; for ICMP [type, code]. */
  ports?: number | [number | null, number | null];
  cidr?: string;
  remoteGroup?: string;
}

export interface SecurityGroupSketch {
  id: string;
  project?: string;
  stateful?: boolean;
  /** Start from Neutron's default-group rules (ingress from same group, egress anywhere, v4 and v6). */
  defaultRules?: boolean;
  rules?: RuleSketch[];
}

export interface VmSketch {
  /** Becomes the port id; the instance is `inst-<id>`. */
  id: string;
  network: string;
  project?: string;
  /** Fixed IPs; the subnet is found by CIDR. */
  ips: string[];
  mac?: string;
  /** undefined = the project's default group. */
  securityGroups?: string[];
  portSecurity?: boolean;
  adminUp?: boolean;
  host?: string;
  pairs?: { ip: string; mac?: string }[];
  /** "tcp/22", "udp/53" */
  listen?: string[];
  answersPing?: boolean;
  extraAddresses?: string[];
}

export interface RouterSketch {
  id: string;
  project?: string;
  adminUp?: boolean;
  host?: string;
  /** Subnet ids (interface takes the subnet's gateway IP) or explicit {subnet, ip}. */
  interfaces?: (string | { subnet: string; ip: string })[];
  gateway?: { network: string; ips: string[]; snat?: boolean };
  routes?: { destination: string; nexthop: string }[];
}

export interface FloatingIpSketch {
  id: string;
  ip: string;
  network: string;
  port?: string;
  fixedIp?: string;
  project?: string;
}

export interface TopologySketch {
  generation?: number;
  networks?: NetworkSketch[];
  securityGroups?: SecurityGroupSketch[];
  vms?: VmSketch[];
  routers?: RouterSketch[];
  floatingIps?: FloatingIpSketch[];
}

const DEFAULT_PROJECT = 'p1';

export function defaultGroupId(projectId: string): string {
  return `default-${projectId}`;
}

/** Neutron's default security group rules, with stable ids derived from the group id. */
export function defaultGroupRules(groupId: string): SecurityGroupRule[] {
  const base = { protocol: null, portRangeMin: null, portRangeMax: null, remoteIpPrefix: null };
  return [
    { ...base, id: `${groupId}-in4`, direction: 'ingress', ethertype: 'IPv4', remoteGroupId: groupId },
    { ...base, id: `${groupId}-in6`, direction: 'ingress', ethertype: 'IPv6', remoteGroupId: groupId },
    { ...base, id: `${groupId}-out4`, direction: 'egress', ethertype: 'IPv4', remoteGroupId: null },
    { ...base, id: `${groupId}-out6`, direction: 'egress', ethertype: 'IPv6', remoteGroupId: null },
  ];
}

export function defaultSecurityGroup(projectId: string): SecurityGroup {
  const id = defaultGroupId(projectId);
  return { id, projectId, name: 'default', stateful: true, rules: defaultGroupRules(id) };
}

/** Deterministic MAC in OpenStack's fa:16:3e prefix. */
export function macFor(index: number): string {
  const b = [(index >> 16) & 0xff, (index >> 8) & 0xff, index & 0xff];
  return `fa:16:3e:${b.map((x) => x.toString(16).padStart(2, '0')).join(':')}`;
}

export function parseListener(s: string): Listener {
  const [proto, port] = s.split('/');
  if ((proto !== 'tcp' && proto !== 'udp') || !port || !/^\d+$/.test(port)) {
    throw new Error(`bad listener "${s}", want tcp/N or udp/N`);
  }
  return { protocol: proto, port: Number(port) };
}

function ruleFromSketch(r: RuleSketch): SecurityGroupRule {
  const [min, max] = r.ports === undefined ? [null, null] : typeof r.ports === 'number' ? [r.ports, r.ports] : r.ports;
  const fam = r.ethertype ?? (r.cidr && ipVersionOf(r.cidr) === 6 ? 'IPv6' : 'IPv4');
  return {
    id: r.id,
    direction: r.dir,
    ethertype: fam,
    protocol: r.proto ?? null,
    portRangeMin: min,
    portRangeMax: max,
    remoteIpPrefix: r.cidr ?? null,
    remoteGroupId: r.remoteGroup ?? null,
  };
}

/** Expands a sketch into a full topology. Throws on references that do not resolve. */
export function topologyFromSketch(sk: TopologySketch): Topology {
  const t = emptyTopology(sk.generation ?? 1);
  let macIndex = 1;
  const subnetByCidrOwner: { id: string; networkId: string; cidr: string; gateway: string | null }[] = [];

  for (const n of sk.networks ?? []) {
    const projectId = n.project ?? DEFAULT_PROJECT;
    const type = n.type ?? (n.external ? 'flat' : 'vxlan');
    t.networks.push({
      id: n.id,
      projectId,
      name: n.id,
      adminStateUp: n.adminUp ?? true,
      external: n.external ?? false,
      shared: false,
      mtu: n.mtu ?? null,
      portSecurityEnabled: n.portSecurity ?? true,
      segments: [
        {
          id: `seg-${n.id}`,
          networkType: type,
          segmentationId: n.segmentationId ?? (type === 'flat' || type === 'local' ? null : 1000 + t.networks.length),
          physicalNetwork: type === 'flat' || type === 'vlan' ? 'physnet1' : null,
        },
      ],
    });
    for (const s of n.subnets) {
      const version = ipVersionOf(s.cidr);
      if (!version) throw new Error(`subnet ${s.id}: bad cidr ${s.cidr}`);
      const gateway = s.gateway === undefined ? nthAddress(s.cidr, 1) : s.gateway;
      t.subnets.push({
        id: s.id,
        networkId: n.id,
        projectId,
        ipVersion: version,
        cidr: s.cidr,
        gatewayIp: gateway,
        enableDhcp: s.dhcp ?? true,
        dnsNameservers: s.dns ?? [],
        hostRoutes: s.hostRoutes ?? [],
        ipv6AddressMode: version === 6 ? 'dhcpv6-stateful' : null,
        ipv6RaMode: version === 6 ? 'dhcpv6-stateful' : null,
      });
      subnetByCidrOwner.push({ id: s.id, networkId: n.id, cidr: s.cidr, gateway });
    }
  }
  const netById = new Map(t.networks.map((n) => [n.id, n]));
  const subnetOf = (networkId: string, ip: string): string => {
    const hit = subnetByCidrOwner.find((s) => s.networkId === networkId && inCidr(s.cidr, ip));
    if (!hit) throw new Error(`no subnet of ${networkId} holds ${ip}`);
    return hit.id;
  };

  const groups = new Map<string, SecurityGroup>();
  for (const g of sk.securityGroups ?? []) {
    const projectId = g.project ?? DEFAULT_PROJECT;
    const rules = [...(g.defaultRules ? defaultGroupRules(g.id) : []), ...(g.rules ?? []).map(ruleFromSketch)];
    groups.set(g.id, { id: g.id, projectId, name: g.id, stateful: g.stateful ?? true, rules });
  }
  const ensureDefault = (projectId: string): string => {
    const id = defaultGroupId(projectId);
    if (!groups.has(id)) groups.set(id, defaultSecurityGroup(projectId));
    return id;
  };

  for (const r of sk.routers ?? []) {
    const projectId = r.project ?? DEFAULT_PROJECT;
    const gw = r.gateway;
    t.routers.push({
      id: r.id,
      projectId,
      name: r.id,
      adminStateUp: r.adminUp ?? true,
      hostId: r.host ?? null,
      routes: r.routes ?? [],
      externalGateway: gw
        ? {
            networkId: gw.network,
            enableSnat: gw.snat ?? true,
            externalFixedIps: gw.ips.map((ip) => ({ subnetId: subnetOf(gw.network, ip), ipAddress: ip })),
          }
        : null,
    });
    const routerPort = (id: string, networkId: string, owner: string, fixed: { subnetId: string; ipAddress: string }[]): Port => ({
      id,
      networkId,
      projectId,
      name: '',
      macAddress: macFor(macIndex++),
      fixedIps: fixed,
      securityGroupIds: [],
      allowedAddressPairs: [],
      portSecurityEnabled: false,
      adminStateUp: true,
      deviceOwner: owner,
      deviceId: r.id,
      hostId: null,
    });
    for (const itf of r.interfaces ?? []) {
      const subnetId = typeof itf === 'string' ? itf : itf.subnet;
      const sub = subnetByCidrOwner.find((s) => s.id === subnetId);
      if (!sub) throw new Error(`router ${r.id}: unknown subnet ${subnetId}`);
      const ip = typeof itf === 'string' ? sub.gateway : itf.ip;
      if (!ip) throw new Error(`router ${r.id}: subnet ${subnetId} has no gateway; give an ip`);
      t.ports.push(routerPort(`${r.id}-if-${subnetId}`, sub.networkId, 'network:router_interface', [{ subnetId, ipAddress: ip }]));
    }
    if (gw) {
      t.ports.push(
        routerPort(`${r.id}-gw`, gw.network, 'network:router_gateway', t.routers.at(-1)!.externalGateway!.externalFixedIps),
      );
    }
  }

  for (const v of sk.vms ?? []) {
    const net = netById.get(v.network);
    if (!net) throw new Error(`vm ${v.id}: unknown network ${v.network}`);
    const projectId = v.project ?? net.projectId;
    const sgs = v.securityGroups ?? [ensureDefault(projectId)];
    for (const g of sgs) {
      if (g === defaultGroupId(projectId)) ensureDefault(projectId);
      if (!groups.has(g)) throw new Error(`vm ${v.id}: unknown security group ${g}`);
    }
    const host = v.host ?? DEFAULT_HOST_ID;
    t.ports.push({
      id: v.id,
      networkId: v.network,
      projectId,
      name: v.id,
      macAddress: v.mac ?? macFor(macIndex++),
      fixedIps: v.ips.map((ip) => ({ subnetId: subnetOf(v.network, ip), ipAddress: ip })),
      securityGroupIds: sgs,
      allowedAddressPairs: (v.pairs ?? []).map((p) => ({ ipAddress: p.ip, macAddress: p.mac ?? null })),
      portSecurityEnabled: v.portSecurity ?? net.portSecurityEnabled,
      adminStateUp: v.adminUp ?? true,
      deviceOwner: 'compute:nova',
      deviceId: `inst-${v.id}`,
      hostId: host,
    });
    t.instances.push({
      id: `inst-${v.id}`,
      projectId,
      hostId: host,
      portIds: [v.id],
      listeners: (v.listen ?? []).map(parseListener),
      answersPing: v.answersPing ?? true,
      extraAddresses: v.extraAddresses ?? [],
    });
  }

  // DHCP ports, as Neutron's DHCP agent would create them: one per network with a DHCP subnet, on
  // the lowest free address from .2 (IPAM would never hand out one already taken).
  const used = new Set(t.ports.flatMap((p) => p.fixedIps.map((f) => `${f.subnetId}|${canonicalIp(f.ipAddress)}`)));
  const freeAddress = (subnetId: string, cidr: string, gateway: string | null): string => {
    for (let k = 2; k < 1 << 16; k++) {
      const ip = nthAddress(cidr, k);
      if (!used.has(`${subnetId}|${canonicalIp(ip)}`) && ip !== gateway) return ip;
    }
    throw new Error(`subnet ${subnetId} is full`);
  };
  for (const n of t.networks) {
    const subs = t.subnets.filter((s) => s.networkId === n.id && s.enableDhcp);
    if (subs.length === 0 || n.external) continue;
    t.ports.push({
      id: `dhcp-${n.id}`,
      networkId: n.id,
      projectId: n.projectId,
      name: '',
      macAddress: macFor(macIndex++),
      fixedIps: subs.map((s) => ({ subnetId: s.id, ipAddress: freeAddress(s.id, s.cidr, s.gatewayIp) })),
      securityGroupIds: [],
      allowedAddressPairs: [],
      portSecurityEnabled: false,
      adminStateUp: true,
      deviceOwner: 'network:dhcp',
      deviceId: `dhcp-${n.id}`,
      hostId: null,
    });
  }

  for (const f of sk.floatingIps ?? []) {
    const port = f.port ? t.ports.find((p) => p.id === f.port) : undefined;
    if (f.port && !port) throw new Error(`floating ip ${f.id}: unknown port ${f.port}`);
    t.floatingIps.push({
      id: f.id,
      projectId: f.project ?? port?.projectId ?? DEFAULT_PROJECT,
      floatingNetworkId: f.network,
      floatingIpAddress: f.ip,
      portId: f.port ?? null,
      fixedIpAddress: f.fixedIp ?? port?.fixedIps[0]?.ipAddress ?? null,
      routerId: null,
    });
  }

  t.securityGroups = [...groups.values()];
  return t;
}
