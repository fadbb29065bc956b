/**
 * A set of free addresses kept as a sorted list of disjoint, non-adjacent inclusive ranges. This is
 * IPAM's compact representation: a /16 with 60k allocations handed out lowest-first is a handful of
 * ranges, so taking the next address is O(1) and any lookup is a binary search over ranges rather
 * than a scan over addresses. Pure core: imports only ../ip.
 */
import { type IpRange, type IpVersion, mergeRanges } from '../ip/index.js';

export class FreeRangeSet {
  readonly version: IpVersion;
  /** Sorted, disjoint, non-adjacent; mutated in place. */
  private readonly ranges: { first: bigint; last: bigint }[];

  constructor(version: IpVersion, ranges: readonly IpRange[] = []) {
    this.version = version;
    this.ranges = mergeRanges(ranges.filter((r) => r.version === version)).map((r) => ({ first: r.first, last: r.last }));
  }

  /**
   * Builds the free set from pools minus allocated addresses. O(n log n) in the allocations: meant
   * for a cache miss or a repair, not for every allocation.
   */
  static fromPools(version: IpVersion, pools: readonly IpRange[], allocated: Iterable<bigint>): FreeRangeSet {
    const set = new FreeRangeSet(version, pools);
    const sorted = [...allocated].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const out: { first: bigint; last: bigint }[] = [];
    let j = 0;
    for (const r of set.ranges) {
      let cur = r.first;
      while (j < sorted.length && sorted[j]! < r.first) j++;
      while (j < sorted.length && sorted[j]! <= r.last) {
        const a = sorted[j]!;
        if (a > cur) out.push({ first: cur, last: a - 1n });
        if (a + 1n > cur) cur = a + 1n;
        j++;
      }
      if (cur <= r.last) out.push({ first: cur, last: r.last });
    }
    set.ranges.splice(0, set.ranges.length, ...out);
    return set;
  }

  /** Index of the range holding `value`, or -(insertion point) - 1. */
  private locate(value: bigint): number {
    let lo = 0;
    let hi = this.ranges.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const r = this.ranges[mid]!;
      if (value < r.first) hi = mid - 1;
      else if (value > r.last) lo = mid + 1;
      else return mid;
    }
    return -lo - 1;
  }

  has(value: bigint): boolean {
    return this.locate(value) >= 0;
  }

  isEmpty(): boolean {
    return this.ranges.length === 0;
  }

  /** Number of free addresses. */
  size(): bigint {
    let n = 0n;
    for (const r of this.ranges) n += r.last - r.first + 1n;
    return n;
  }

  rangeCount(): number {
    return this.ranges.length;
  }

  lowest(): bigint | null {
    return this.ranges[0]?.first ?? null;
  }

  /** The lowest free address >= value, or null. */
  nextAtOrAfter(value: bigint): bigint | null {
    const i = this.locate(value);
    if (i >= 0) return value;
    const r = this.ranges[-i - 1];
    return r === undefined ? null : r.first;
  }

  /** The k-th free address (0-based), or null when k >= size. O(number of ranges). */
  nth(k: bigint): bigint | null {
    let left = k;
    for (const r of this.ranges) {
      const n = r.last - r.first + 1n;
      if (left < n) return r.first + left;
      left -= n;
    }
    return null;
  }

  /** Removes one address; returns false when it was not free. */
  take(value: bigint): boolean {
    const i = this.locate(value);
    if (i < 0) return false;
    const r = this.ranges[i]!;
    if (r.first === r.last) this.ranges.splice(i, 1);
    else if (value === r.first) r.first = value + 1n;
    else if (value === r.last) r.last = value - 1n;
    else {
      this.ranges.splice(i + 1, 0, { first: value + 1n, last: r.last });
      r.last = value - 1n;
    }
    return true;
  }

  /** Adds one address back, coalescing with neighbours; returns false when it was already free. */
  add(value: bigint): boolean {
    const i = this.locate(value);
    if (i >= 0) return false;
    const at = -i - 1;
    const prev = this.ranges[at - 1];
    const next = this.ranges[at];
    const joinsPrev = prev !== undefined && prev.last + 1n === value;
    const joinsNext = next !== undefined && next.first - 1n === value;
    if (joinsPrev && joinsNext) {
      prev.last = next.last;
      this.ranges.splice(at, 1);
    } else if (joinsPrev) prev.last = value;
    else if (joinsNext) next.first = value;
    else this.ranges.splice(at, 0, { first: value, last: value });
    return true;
  }

  toRanges(): IpRange[] {
    return this.ranges.map((r) => ({ version: this.version, first: r.first, last: r.last }));
  }
}
