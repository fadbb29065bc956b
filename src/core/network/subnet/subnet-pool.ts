/**
 * Subnet pools: validation of a pool's prefixes and prefix-length bounds, and allocation of a
 * subnet prefix from it (the first free aligned block of the requested length, or a specific cidr).
 * Pure core: the caller passes the prefixes already allocated from the pool.
 *
 * Exhaustion is Neutron's SubnetAllocationError, which Neutron answers with a 500 (it derives from
 * the bare NeutronException); we raise it as a Conflict (409) because it is the client's request
 * that cannot be met, not a server fault.
 */
import { Conflict, InvalidInput } from '../../errors.js';
import {
  type Cidr,
  type IpRange,
  type IpVersion,
  addressBits,
  cidrToRange,
  formatCidr,
  intersectRanges,
  mergeRanges,
  rangeToCidrs,
  subtractRanges,
  tryParseCidrLoose,
} from '../ip/index.js';
import { invalidAttribute } from './subnet-error.js';

export interface SubnetPoolInput {
  prefixes: readonly string[];
  defaultPrefixLength?: number | null;
  minPrefixLength?: number | null;
  maxPrefixLength?: number | null;
}

export interface SubnetPoolSpec {
  ipVersion: IpVersion;
  /** Canonical, merged (Neutron compacts adjacent prefixes), sorted. */
  prefixes: string[];
  defaultPrefixLength: number;
  minPrefixLength: number;
  maxPrefixLength: number;
}

/** Neutron's defaults when a bound is not given: min 8 (v4) / 64 (v6), max the address width, default = min. */
export function validateSubnetPool(input: SubnetPoolInput): SubnetPoolSpec {
  if (!Array.isArray(input.prefixes) || input.prefixes.length === 0) {
    throw new InvalidInput('Empty subnet pool prefix list.', 'EmptySubnetPoolPrefixList');
  }
  const cidrs: Cidr[] = [];
  for (const p of input.prefixes) {
    const c = typeof p === 'string' ? tryParseCidrLoose(p) : null;
    if (c === null) throw invalidAttribute('prefixes', `'${String(p)}' is not a valid IP subnet`);
    cidrs.push(c);
  }
  const version = cidrs[0]!.version;
  if (cidrs.some((c) => c.version !== version)) {
    throw new InvalidInput('Cannot mix IPv4 and IPv6 prefixes in a subnet pool.', 'PrefixVersionMismatch');
  }
  const bits = addressBits(version);
  const min = input.minPrefixLength ?? (version === 4 ? 8 : 64);
  const max = input.maxPrefixLength ?? bits;
  const dflt = input.defaultPrefixLength ?? min;
  const bounds = (type: string, len: number, baseType: string, baseLen: number) =>
    new InvalidInput(`Illegal prefix bounds: ${type}=${len}, ${baseType}=${baseLen}.`, 'IllegalSubnetPoolPrefixBounds');
  for (const v of [min, max, dflt]) {
    if (!Number.isInteger(v) || v < 0 || v > bits) {
      throw new InvalidInput(`Prefix '${v}' not supported in IPv${version} pool.`, 'UnsupportedMinSubnetPoolPrefix');
    }
  }
  if (min > max) throw bounds('min_prefixlen', min, 'max_prefixlen', max);
  if (dflt < min) throw bounds('default_prefixlen', dflt, 'min_prefixlen', min);
  if (dflt > max) throw bounds('default_prefixlen', dflt, 'max_prefixlen', max);
  const merged = mergeRanges(cidrs.map(cidrToRange)).flatMap(rangeToCidrs).map(formatCidr);
  return { ipVersion: version, prefixes: merged, defaultPrefixLength: dflt, minPrefixLength: min, maxPrefixLength: max };
}

export interface PrefixRequest {
  /** A specific prefix wanted from the pool. */
  cidr?: string;
  /** Otherwise the length wanted; the pool's default when absent. */
  prefixLength?: number;
}

function checkBounds(pool: SubnetPoolSpec, len: number): void {
  if (len < pool.minPrefixLength) {
    throw new InvalidInput(
      `Unable to allocate subnet with prefix length ${len}, minimum allowed prefix is ${pool.minPrefixLength}.`,
      'MinPrefixSubnetAllocationError',
    );
  }
  if (len > pool.maxPrefixLength) {
    throw new InvalidInput(
      `Unable to allocate subnet with prefix length ${len}, maximum allowed prefix is ${pool.maxPrefixLength}.`,
      'MaxPrefixSubnetAllocationError',
    );
  }
}

function freeRanges(pool: SubnetPoolSpec, allocated: readonly string[]): IpRange[] {
  const poolRanges = pool.prefixes.map((p) => cidrToRange(tryParseCidrLoose(p)!));
  const used = allocated
    .map((a) => tryParseCidrLoose(a))
    .filter((c): c is Cidr => c !== null && c.version === pool.ipVersion)
    .map(cidrToRange);
  return subtractRanges(poolRanges, used);
}

/**
 * Picks a prefix for a new subnet from the pool. `allocated` are the cidrs of the subnets already
 * carved from it. Deterministic: the lowest free aligned block.
 */
export function allocatePrefix(pool: SubnetPoolSpec, allocated: readonly string[], request: PrefixRequest = {}): string {
  const free = freeRanges(pool, allocated);
  if (request.cidr !== undefined) {
    const wanted = tryParseCidrLoose(request.cidr);
    if (wanted === null) throw invalidAttribute('cidr', `'${request.cidr}' is not a valid IP subnet`);
    checkBounds(pool, wanted.prefixLength);
    const r = cidrToRange(wanted);
    const covered = wanted.version === pool.ipVersion ? intersectRanges([r], free) : [];
    if (covered.length !== 1 || covered[0]!.first !== r.first || covered[0]!.last !== r.last) {
      throw new Conflict(
        'Failed to allocate subnet: Cannot allocate requested subnet from the available set of prefixes.',
        'SubnetAllocationError',
      );
    }
    return formatCidr(wanted);
  }
  const len = request.prefixLength ?? pool.defaultPrefixLength;
  if (!Number.isInteger(len)) throw invalidAttribute('prefixlen', `'${String(len)}' is not an integer`);
  checkBounds(pool, len);
  const size = 1n << BigInt(addressBits(pool.ipVersion) - len);
  for (const r of free) {
    // Round the start up to the block alignment, then see if the block still fits.
    const start = ((r.first + size - 1n) / size) * size;
    if (start + size - 1n <= r.last) {
      return formatCidr({ version: pool.ipVersion, network: start, prefixLength: len });
    }
  }
  throw new Conflict(`Failed to allocate subnet: Insufficient prefix space to allocate subnet size /${len}.`, 'SubnetAllocationError');
}
