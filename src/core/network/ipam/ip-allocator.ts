/**
 * The pure IP allocator of one subnet: picks the next free address from the allocation pools,
 * checks an explicitly requested one, releases, and predicts EUI-64 addresses on SLAAC subnets.
 * Pure core: imports core/errors, ../ip, ../subnet (pool shapes, IPv6 modes) and ./free-range-set.
 *
 * It decides; it does not persist. The store makes the decision durable and race-free (a unique
 * constraint on (subnet_id, ip_address), or per-subnet free-range rows): see docs/ipam.md.
 *
 * Addresses inside the pools are tracked as the free-range set; addresses taken outside the pools
 * (explicit fixed IPs anywhere in the cidr, which Neutron allows) are tracked as a plain set.
 */
import { Conflict, InvalidInput } from '../../errors.js';
import {
  type Cidr,
  type IpRange,
  broadcastAddress,
  cidrContains,
  cidrSize,
  formatIpValue,
  parseCidrLoose,
  tryParseIp,
} from '../ip/index.js';
import { type AllocationPool, isAutoAddressMode, poolToRange, rangeToPool } from '../subnet/index.js';
import { eui64Address } from './eui64.js';
import { FreeRangeSet } from './free-range-set.js';

export interface IpamSubnet {
  id: string;
  networkId: string;
  cidr: string;
  gatewayIp: string | null;
  allocationPools: readonly AllocationPool[];
  ipv6RaMode?: string | null;
  ipv6AddressMode?: string | null;
}

/**
 * How `allocateNext` picks among free addresses:
 * - `lowest`: the lowest free address (deterministic; what tests and a single writer want).
 * - `after`: the lowest free address after `cursor`, wrapping (spreads reuse of released addresses).
 * - `random`: uniformly among the lowest `window` free addresses; concurrent writers on a shared
 *   database then rarely collide on the unique constraint (Neutron's own IPAM does the same).
 */
export type AllocationStrategy =
  | { kind: 'lowest' }
  | { kind: 'after'; cursor: string | null }
  | { kind: 'random'; random: () => number; window?: number };

/** Neutron's router port owners, the only ones that may take a v6 subnet-router anycast address. */
export const ROUTER_PORT_OWNERS: readonly string[] = [
  'network:router_interface',
  'network:router_interface_distributed',
  'network:ha_router_replicated_interface',
  'network:router_gateway',
  'network:router_centralized_snat',
];
const ROUTER_INTERFACE_OWNERS: readonly string[] = ROUTER_PORT_OWNERS.filter((o) => o !== 'network:router_gateway');

export interface SpecificRequestOptions {
  /** The port's device_owner; '' (unknown) is treated like Neutron does: permissive. */
  deviceOwner?: string;
}

export class SubnetIpAllocator {
  readonly subnet: IpamSubnet;
  readonly cidr: Cidr;
  private readonly pools: IpRange[];
  private readonly free: FreeRangeSet;
  private readonly outside = new Set<bigint>();

  private constructor(subnet: IpamSubnet, free: FreeRangeSet) {
    this.subnet = subnet;
    this.cidr = parseCidrLoose(subnet.cidr);
    this.pools = subnet.allocationPools.map((p) => poolToRange(p, this.cidr.version));
    this.free = free;
  }

  /** From the subnet and the addresses already allocated on it (any order, any spelling). */
  static create(subnet: IpamSubnet, allocated: Iterable<string>): SubnetIpAllocator {
    const cidr = parseCidrLoose(subnet.cidr);
    const pools = subnet.allocationPools.map((p) => poolToRange(p, cidr.version));
    const values: bigint[] = [];
    for (const text of allocated) {
      const ip = tryParseIp(text);
      if (ip !== null && ip.version === cidr.version) values.push(ip.value);
    }
    const a = new SubnetIpAllocator(subnet, FreeRangeSet.fromPools(cidr.version, pools, values));
    for (const v of values) if (!a.inPools(v)) a.outside.add(v);
    return a;
  }

  /**
   * From persisted free ranges (the per-subnet free-range-row strategy) plus the few allocations
   * that lie outside the pools. No scan of the allocations inside the pools is needed.
   */
  static fromFreeRanges(subnet: IpamSubnet, freeRanges: readonly AllocationPool[], allocatedOutsidePools: Iterable<string> = []): SubnetIpAllocator {
    const cidr = parseCidrLoose(subnet.cidr);
    const a = new SubnetIpAllocator(subnet, new FreeRangeSet(cidr.version, freeRanges.map((p) => poolToRange(p, cidr.version))));
    for (const text of allocatedOutsidePools) {
      const ip = tryParseIp(text);
      if (ip !== null && ip.version === cidr.version && !a.inPools(ip.value)) a.outside.add(ip.value);
    }
    return a;
  }

  private inPools(value: bigint): boolean {
    return this.pools.some((r) => r.first <= value && value <= r.last);
  }

  private fmt(value: bigint): string {
    return formatIpValue(this.cidr.version, value);
  }

  /** SLAAC / DHCPv6-stateless: addresses are derived from MACs, not picked. */
  get isAutoAddress(): boolean {
    return this.cidr.version === 6 && isAutoAddressMode(this.subnet);
  }

  private exhausted(): Conflict {
    return new Conflict(`No more IP addresses available on network ${this.subnet.networkId}.`, 'IpAddressGenerationFailure');
  }

  /** Picks and takes a free pool address. Conflict IpAddressGenerationFailure when none is left. */
  allocateNext(strategy: AllocationStrategy = { kind: 'lowest' }): string {
    let pick: bigint | null;
    if (strategy.kind === 'after') {
      const cursor = strategy.cursor === null ? null : tryParseIp(strategy.cursor);
      pick = cursor === null || cursor.version !== this.cidr.version ? null : this.free.nextAtOrAfter(cursor.value + 1n);
      pick ??= this.free.lowest();
    } else if (strategy.kind === 'random') {
      const size = this.free.size();
      const window = BigInt(Math.max(1, strategy.window ?? 1000));
      const span = size < window ? size : window;
      pick = span === 0n ? null : this.free.nth(BigInt(Math.floor(strategy.random() * Number(span))) % span);
    } else {
      pick = this.free.lowest();
    }
    if (pick === null) throw this.exhausted();
    this.free.take(pick);
    return this.fmt(pick);
  }

  /**
   * Validates and takes an explicitly requested address (a fixed_ips entry with ip_address).
   * Errors: InvalidIpForSubnet (400) when outside the cidr or a reserved address,
   * AllocationOnAutoAddressSubnet (400) on SLAAC subnets for non-router ports,
   * IpAddressAlreadyAllocated (409) when taken. The address need not be in a pool.
   */
  allocateSpecific(ipText: string, options: SpecificRequestOptions = {}): string {
    const value = this.checkSpecific(ipText, options);
    if (this.isAllocatedValue(value)) {
      throw new Conflict(`IP address ${this.fmt(value)} already allocated in subnet ${this.subnet.id}`, 'IpAddressAlreadyAllocated');
    }
    if (!this.free.take(value)) this.outside.add(value);
    return this.fmt(value);
  }

  /** The validation half of allocateSpecific, without taking; returns the address value. */
  checkSpecific(ipText: string, options: SpecificRequestOptions = {}): bigint {
    const owner = options.deviceOwner ?? '';
    const ip = tryParseIp(ipText);
    if (ip === null) {
      throw new InvalidInput(`Invalid input for fixed_ips. Reason: '${String(ipText)}' is not a valid IP address.`, 'HTTPBadRequest');
    }
    const invalid = () =>
      new InvalidInput(`IP address ${formatIpValue(ip.version, ip.value)} is not a valid IP for the specified subnet.`, 'InvalidIpForSubnet');
    if (!cidrContains(this.cidr, ip)) throw invalid();
    if (this.isAutoAddress && !ROUTER_INTERFACE_OWNERS.includes(owner)) {
      throw new InvalidInput(
        `IPv6 address ${this.fmt(ip.value)} cannot be directly assigned to a port on subnet ${this.subnet.id} as the subnet is configured for automatic addresses`,
        'AllocationOnAutoAddressSubnet',
      );
    }
    // RFC 3021 point-to-point prefixes have no reserved addresses.
    if (cidrSize(this.cidr) > 2n && ip.value === this.cidr.network) {
      // v6: the subnet-router anycast address belongs to routers (or to an unknown owner, as in Neutron).
      if (this.cidr.version === 4 || !(owner === '' || ROUTER_PORT_OWNERS.includes(owner))) throw invalid();
    }
    const bcast = broadcastAddress(this.cidr);
    if (bcast !== null && ip.value === bcast.value) throw invalid();
    return ip.value;
  }

  /**
   * The address a port with `mac` gets on an auto-address (SLAAC) subnet, taken. Conflict
   * IpAddressAlreadyAllocated if some other port already holds it.
   */
  allocateAutoAddress(mac: string): string {
    const text = eui64Address(this.cidr, mac);
    const value = tryParseIp(text)!.value;
    if (this.isAllocatedValue(value)) {
      throw new Conflict(`IP address ${text} already allocated in subnet ${this.subnet.id}`, 'IpAddressAlreadyAllocated');
    }
    if (!this.free.take(value)) this.outside.add(value);
    return text;
  }

  /** Returns an address to the subnet. Releasing what is not allocated is a no-op (idempotent). */
  release(ipText: string): void {
    const ip = tryParseIp(ipText);
    if (ip === null || ip.version !== this.cidr.version) return;
    if (this.outside.delete(ip.value)) return;
    if (this.inPools(ip.value)) this.free.add(ip.value);
  }

  private isAllocatedValue(value: bigint): boolean {
    return this.inPools(value) ? !this.free.has(value) : this.outside.has(value);
  }

  isAllocated(ipText: string): boolean {
    const ip = tryParseIp(ipText);
    return ip !== null && ip.version === this.cidr.version && this.isAllocatedValue(ip.value);
  }

  /** Free pool addresses left (bigint: a v6 /64 holds 2^64). */
  availableCount(): bigint {
    return this.free.size();
  }

  /** The free ranges, in pool shape: what the free-range-row strategy persists. */
  freeRanges(): AllocationPool[] {
    return this.free.toRanges().map(rangeToPool);
  }
}
