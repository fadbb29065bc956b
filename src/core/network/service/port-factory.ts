/**
 * Making and unmaking ports inside a transaction, shared by every use case that owns ports (user
 * ports, DHCP ports, router interfaces and gateways, floating IP ports): MAC generation and
 * uniqueness (claim `mac:<network>`), fixed IP allocation in Neutron's manner, and freeing both on
 * delete. Pure core.
 */
import { Conflict, InvalidInput, NotFound } from '../../errors.js';
import { KIND, type FixedIpData, type Network, type Port, type PortData, type Subnet, type SubnetData } from '../../model/network.js';
import type { ResourceTx } from '../../ports/resource-store.js';
import { cidrContains, parseCidrLoose, tryParseIp } from '../ip/index.js';
import { generateMac, normalizeMac } from '../mac/index.js';
import { isAutoAddressMode } from '../subnet/index.js';
import type { Ipam } from './ipam.js';
import type { NetworkDeps } from './network-deps.js';
import { hydrate } from './scope.js';

export interface FixedIpRequest {
  subnetId?: string;
  ipAddress?: string;
}

export interface PortEnv {
  deps: NetworkDeps;
  ipam: Ipam;
}

const macNs = (networkId: string) => `mac:${networkId}`;

export async function networkSubnets(tx: ResourceTx, networkId: string): Promise<Subnet[]> {
  return (await tx.list<SubnetData>(KIND.subnet, { parentId: networkId })).map((r) => hydrate(r) as Subnet);
}

export function isAutoSubnet(s: Subnet): boolean {
  return s.ipVersion === 6 && isAutoAddressMode(s);
}

export async function claimMac(tx: ResourceTx, env: PortEnv, networkId: string, portId: string, requested?: string): Promise<string> {
  if (requested !== undefined) {
    const mac = normalizeMac(requested);
    if (!(await tx.claim(macNs(networkId), mac, portId))) {
      throw new Conflict(`Unable to complete operation for network ${networkId}. The mac address ${mac} is in use.`, 'MacAddressInUse');
    }
    return mac;
  }
  for (let i = 0; i < 16; i++) {
    const mac = generateMac(env.deps.random, env.deps.config.baseMac);
    if (await tx.claim(macNs(networkId), mac, portId)) return mac;
  }
  throw new Conflict(`Unable to generate unique mac on network ${networkId}.`, 'MacAddressGenerationFailure');
}

export async function releaseMac(tx: ResourceTx, networkId: string, mac: string): Promise<void> {
  await tx.release(macNs(networkId), mac);
}

function subnetForIp(subnets: Subnet[], ip: string, networkId: string): Subnet {
  const parsed = tryParseIp(ip);
  if (parsed === null) throw new InvalidInput(`Invalid input for fixed_ips. Reason: '${ip}' is not a valid IP address.`, 'HTTPBadRequest');
  const s = subnets.find((x) => cidrContains(parseCidrLoose(x.cidr), parsed));
  if (!s) {
    throw new InvalidInput(`IP address ${ip} is not a valid IP for any of the subnets on the specified network.`, 'InvalidIpForNetwork');
  }
  void networkId;
  return s;
}

/**
 * Allocates the port's addresses. `requested` undefined: Neutron's default — one address from the
 * first IPv4 subnet with room, one from the first stateful IPv6 subnet with room, and the EUI-64
 * address on every SLAAC subnet. Otherwise each entry: by subnet, by address, or both.
 */
export async function allocateFixedIps(
  tx: ResourceTx,
  env: PortEnv,
  network: Network,
  subnets: Subnet[],
  portId: string,
  mac: string,
  deviceOwner: string,
  requested: FixedIpRequest[] | undefined,
): Promise<FixedIpData[]> {
  const out: FixedIpData[] = [];
  if (requested === undefined) {
    let v4Failed: Subnet | null = null;
    for (const version of [4, 6] as const) {
      const candidates = subnets.filter((s) => s.ipVersion === version && !isAutoSubnet(s));
      for (const s of candidates) {
        if (await env.ipam.hasFree(tx, s)) {
          out.push({ subnetId: s.id, ipAddress: await env.ipam.allocateNext(tx, s, portId) });
          break;
        }
        if (version === 4) v4Failed = s;
      }
      if (candidates.length > 0 && !out.some((f) => candidates.some((c) => c.id === f.subnetId))) {
        throw new Conflict(`No more IP addresses available on network ${network.id}.`, 'IpAddressGenerationFailure');
      }
    }
    void v4Failed;
    if (!deviceOwner.startsWith('network:router_interface')) {
      for (const s of subnets.filter(isAutoSubnet)) out.push({ subnetId: s.id, ipAddress: await env.ipam.allocateAuto(tx, s, mac, portId) });
    }
    return out;
  }
  const byId = new Map(subnets.map((s) => [s.id, s]));
  for (const r of requested) {
    let s: Subnet | undefined;
    if (r.subnetId !== undefined) {
      s = byId.get(r.subnetId);
      if (!s) {
        if (!(await tx.get(KIND.subnet, r.subnetId))) throw new NotFound(`Subnet ${r.subnetId} could not be found.`, 'SubnetNotFound');
        throw new InvalidInput(
          `Invalid input for operation: Failed to create port on network ${network.id}, because fixed_ips included invalid subnet ${r.subnetId}.`,
          'InvalidInput',
        );
      }
    } else if (r.ipAddress !== undefined) {
      s = subnetForIp(subnets, r.ipAddress, network.id);
    } else {
      throw new InvalidInput('Invalid input for fixed_ips. Reason: Exactly one of subnet_id or ip_address must be given.', 'HTTPBadRequest');
    }
    if (r.ipAddress !== undefined) {
      out.push({ subnetId: s.id, ipAddress: await env.ipam.allocateSpecific(tx, s, r.ipAddress, portId, deviceOwner) });
    } else if (isAutoSubnet(s) && !deviceOwner.startsWith('network:router_interface')) {
      out.push({ subnetId: s.id, ipAddress: await env.ipam.allocateAuto(tx, s, mac, portId) });
    } else {
      out.push({ subnetId: s.id, ipAddress: await env.ipam.allocateNext(tx, s, portId) });
    }
  }
  return out;
}

export interface PortSpec extends Partial<PortData> {
  projectId: string;
  deviceOwner: string;
  deviceId: string;
  fixedIpRequests?: FixedIpRequest[];
  id?: string;
}

export function defaultPortData(network: Network): PortData {
  return {
    networkId: network.id,
    name: '',
    description: '',
    adminStateUp: true,
    macAddress: '',
    fixedIps: [],
    deviceId: '',
    deviceOwner: '',
    status: 'DOWN',
    securityGroups: [],
    portSecurityEnabled: network.portSecurityEnabled,
    allowedAddressPairs: [],
    extraDhcpOpts: [],
    bindingHostId: '',
    bindingVnicType: 'normal',
    bindingVifType: 'unbound',
    bindingVifDetails: {},
    bindingProfile: {},
    dnsName: '',
    propagateUplinkStatus: false,
    tags: [],
  };
}

/** Inserts a port with its MAC and addresses; the caller has checked policy and quota. */
export async function insertPort(tx: ResourceTx, env: PortEnv, network: Network, spec: PortSpec, subnets?: Subnet[]): Promise<Port> {
  const id = spec.id ?? env.deps.uuid();
  const { fixedIpRequests, projectId, id: _id, ...rest } = spec;
  const data: PortData = { ...defaultPortData(network), ...rest, networkId: network.id };
  data.macAddress = await claimMac(tx, env, network.id, id, spec.macAddress || undefined);
  const subs = subnets ?? (await networkSubnets(tx, network.id));
  data.fixedIps = await allocateFixedIps(tx, env, network, subs, id, data.macAddress, data.deviceOwner, fixedIpRequests);
  const row = await tx.insert(KIND.port, { id, projectId, parentId: network.id, data });
  await tx.recordChange(KIND.port, id, 'create');
  return hydrate(row) as Port;
}

/** Deletes a port row and frees its addresses and MAC. */
export async function removePort(tx: ResourceTx, env: PortEnv, port: Port): Promise<void> {
  await env.ipam.releasePort(tx, port.id, port);
  await releaseMac(tx, port.networkId, port.macAddress);
  await tx.delete(KIND.port, port.id);
  await tx.recordChange(KIND.port, port.id, 'delete');
}
