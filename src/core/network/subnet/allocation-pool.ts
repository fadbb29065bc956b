/**
 * A subnet's allocation_pools: the default pools Neutron carves out of a cidr, and the validation of
 * requested ones (inside the usable part of the cidr, start <= end, no overlap, off the gateway).
 * Pure core: imports core/errors and ../ip.
 *
 * Usable part of a cidr, as Neutron draws it: the network address is never in a pool (for v6 it is
 * the subnet-router anycast address), and for v4 neither is the broadcast address. A single-address
 * prefix (/32, /128) is its own pool; a v4 /31 or v6 /127 has no default pool.
 */
import { Conflict, InUse, InvalidInput } from '../../errors.js';
import {
  type Cidr,
  type IpRange,
  cidrSize,
  formatCidr,
  formatIpValue,
  formatRange,
  lastAddress,
  subtractRanges,
  tryParseIp,
} from '../ip/index.js';
import { invalidAttribute } from './subnet-error.js';

export interface AllocationPool {
  start: string;
  end: string;
}

function poolRepr(p: { start: unknown; end: unknown }): string {
  return `{'start': '${String(p.start)}', 'end': '${String(p.end)}'}`;
}

/** The part of the cidr pools may cover; null when nothing may be (a v4 /31). */
export function usableRange(cidr: Cidr): IpRange | null {
  const last = lastAddress(cidr).value;
  if (cidrSize(cidr) === 1n) return { version: cidr.version, first: cidr.network, last };
  const first = cidr.network + 1n;
  const end = cidr.version === 4 ? last - 1n : last;
  return first <= end ? { version: cidr.version, first, last: end } : null;
}

export function poolToRange(pool: AllocationPool, version: 4 | 6): IpRange {
  const a = tryParseIp(pool.start)!;
  const b = tryParseIp(pool.end)!;
  return { version, first: a.value, last: b.value };
}

export function rangeToPool(r: IpRange): AllocationPool {
  return { start: formatIpValue(r.version, r.first), end: formatIpValue(r.version, r.last) };
}

/** Neutron's default pools: the usable range minus the gateway, split around it when needed. */
export function defaultAllocationPools(cidr: Cidr, gatewayIp: string | null): AllocationPool[] {
  const usable = usableRange(cidr);
  if (usable === null) return [];
  // A v4 /31 or v6 /127 gives no default pool, though a single-address prefix does.
  if (cidrSize(cidr) === 2n) return [];
  const gw = gatewayIp === null ? null : tryParseIp(gatewayIp);
  const minus = gw !== null && gw.version === cidr.version ? [{ version: cidr.version, first: gw.value, last: gw.value }] : [];
  return subtractRanges([usable], minus).map(rangeToPool);
}

/**
 * Validates requested pools against the cidr and gateway and returns them canonicalized (canonical
 * address spelling, sorted by start). Errors carry Neutron's types: InvalidAllocationPool (400),
 * OutOfBoundsAllocationPool (400), OverlappingAllocationPools (409),
 * GatewayConflictWithAllocationPools (409).
 */
export function validateAllocationPools(cidr: Cidr, pools: readonly AllocationPool[], gatewayIp: string | null): AllocationPool[] {
  if (!Array.isArray(pools)) throw invalidAttribute('allocation_pools', `Invalid data format for IP pool: '${String(pools)}'`);
  const cidrText = formatCidr(cidr);
  const usable = usableRange(cidr);
  const ranges: IpRange[] = [];
  for (const pool of pools) {
    if (pool === null || typeof pool !== 'object' || typeof pool.start !== 'string' || typeof pool.end !== 'string') {
      throw invalidAttribute('allocation_pools', `Invalid data format for IP pool: '${JSON.stringify(pool)}'`);
    }
    const a = tryParseIp(pool.start);
    if (a === null) throw invalidAttribute('allocation_pools', `'${pool.start}' is not a valid IP address`);
    const b = tryParseIp(pool.end);
    if (b === null) throw invalidAttribute('allocation_pools', `'${pool.end}' is not a valid IP address`);
    if (a.version !== b.version || a.value > b.value) {
      throw new InvalidInput(`The allocation pool ${poolRepr(pool)} is not valid.`, 'InvalidAllocationPool');
    }
    const range: IpRange = { version: a.version, first: a.value, last: b.value };
    if (a.version !== cidr.version) {
      throw new InvalidInput(`The allocation pool ${formatRange(range)} is not valid.`, 'InvalidAllocationPool');
    }
    if (usable === null || cidrSize(cidr) === 1n || range.first < usable.first || range.last > usable.last) {
      throw new InvalidInput(
        `The allocation pool ${formatRange(range)} spans beyond the subnet cidr ${cidrText}.`,
        'OutOfBoundsAllocationPool',
      );
    }
    ranges.push(range);
  }
  ranges.sort((x, y) => (x.first < y.first ? -1 : x.first > y.first ? 1 : 0));
  for (let i = 1; i < ranges.length; i++) {
    const prev = ranges[i - 1]!;
    const cur = ranges[i]!;
    if (cur.first <= prev.last) {
      throw new Conflict(
        `Found overlapping allocation pools: ${formatRange(prev)} ${formatRange(cur)} for subnet ${cidrText}.`,
        'OverlappingAllocationPools',
      );
    }
  }
  if (gatewayIp !== null) assertGatewayOutsidePools(gatewayIp, ranges);
  return ranges.map(rangeToPool);
}

/** GatewayConflictWithAllocationPools (409) when the gateway falls in a pool. */
export function assertGatewayOutsidePools(gatewayIp: string, pools: readonly (IpRange | AllocationPool)[]): void {
  const gw = tryParseIp(gatewayIp);
  if (gw === null) return;
  for (const p of pools) {
    const r = 'first' in p ? p : poolToRange(p, gw.version);
    if (r.version === gw.version && r.first <= gw.value && gw.value <= r.last) {
      throw new InUse(
        `Gateway ip ${formatIpValue(gw.version, gw.value)} conflicts with allocation pool ${formatRange(r)}.`,
        'GatewayConflictWithAllocationPools',
      );
    }
  }
}

/** Total addresses the pools hold (for network-ip-availability and capacity checks). */
export function poolsSize(pools: readonly AllocationPool[], version: 4 | 6): bigint {
  let n = 0n;
  for (const p of pools) {
    const r = poolToRange(p, version);
    n += r.last - r.first + 1n;
  }
  return n;
}
