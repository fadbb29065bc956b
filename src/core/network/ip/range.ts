/**
 * Inclusive address ranges ("first-last", as Neutron prints allocation pools) and set operations on
 * sorted lists of them: merge, subtract, intersect, and the conversion from and to prefixes. Pure
 * core: imports only core/errors and ./address, ./cidr.
 */
import { InvalidInput } from '../../errors.js';
import { type IpVersion, formatIpValue, tryParseIp, addressBits } from './address.js';
import { type Cidr, lastAddress } from './cidr.js';

export interface IpRange {
  readonly version: IpVersion;
  /** Inclusive bounds; first <= last. */
  readonly first: bigint;
  readonly last: bigint;
}

export function makeRange(version: IpVersion, first: bigint, last: bigint): IpRange {
  if (first > last) throw new RangeError('range first > last');
  return { version, first, last };
}

/** Parses start and end addresses of one family into a range; null when either is malformed. */
export function tryParseRange(start: string, end: string): IpRange | null {
  const a = tryParseIp(start);
  const b = tryParseIp(end);
  if (a === null || b === null || a.version !== b.version || a.value > b.value) return null;
  return { version: a.version, first: a.value, last: b.value };
}

export function parseRange(start: string, end: string): IpRange {
  const r = tryParseRange(start, end);
  if (r === null) throw new InvalidInput(`'${start}-${end}' is not a valid IP range`, 'InvalidInput');
  return r;
}

/** "10.0.0.2-10.0.0.254": the spelling Neutron uses in pool error messages. */
export function formatRange(r: IpRange): string {
  return `${formatIpValue(r.version, r.first)}-${formatIpValue(r.version, r.last)}`;
}

export function rangeStart(r: IpRange): string {
  return formatIpValue(r.version, r.first);
}

export function rangeEnd(r: IpRange): string {
  return formatIpValue(r.version, r.last);
}

export function rangeSize(r: IpRange): bigint {
  return r.last - r.first + 1n;
}

export function rangeContains(r: IpRange, version: IpVersion, value: bigint): boolean {
  return r.version === version && r.first <= value && value <= r.last;
}

export function rangesOverlap(a: IpRange, b: IpRange): boolean {
  return a.version === b.version && a.first <= b.last && b.first <= a.last;
}

export function cidrToRange(c: Cidr): IpRange {
  return { version: c.version, first: c.network, last: lastAddress(c).value };
}

/** Sorts and coalesces overlapping or adjacent ranges (one family assumed). */
export function mergeRanges(ranges: readonly IpRange[]): IpRange[] {
  const sorted = [...ranges].sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  const out: IpRange[] = [];
  for (const r of sorted) {
    const prev = out[out.length - 1];
    if (prev !== undefined && r.first <= prev.last + 1n) {
      if (r.last > prev.last) out[out.length - 1] = { version: prev.version, first: prev.first, last: r.last };
    } else {
      out.push(r);
    }
  }
  return out;
}

/** `from` minus `minus`, as a sorted, merged list. Linear in the input sizes after sorting. */
export function subtractRanges(from: readonly IpRange[], minus: readonly IpRange[]): IpRange[] {
  const a = mergeRanges(from);
  const b = mergeRanges(minus);
  const out: IpRange[] = [];
  let j = 0;
  for (const r of a) {
    let cur: bigint = r.first;
    while (j < b.length && b[j]!.last < cur) j++;
    let k = j;
    while (k < b.length && b[k]!.first <= r.last) {
      const m = b[k]!;
      if (m.first > cur) out.push({ version: r.version, first: cur, last: m.first - 1n });
      if (m.last + 1n > cur) cur = m.last + 1n;
      if (cur > r.last) break;
      k++;
    }
    if (cur <= r.last) out.push({ version: r.version, first: cur, last: r.last });
  }
  return out;
}

export function intersectRanges(a: readonly IpRange[], b: readonly IpRange[]): IpRange[] {
  const x = mergeRanges(a);
  const y = mergeRanges(b);
  const out: IpRange[] = [];
  let i = 0;
  let j = 0;
  while (i < x.length && j < y.length) {
    const p = x[i]!;
    const q = y[j]!;
    const first = p.first > q.first ? p.first : q.first;
    const last = p.last < q.last ? p.last : q.last;
    if (first <= last) out.push({ version: p.version, first, last });
    if (p.last < q.last) i++;
    else j++;
  }
  return out;
}

/** The minimal list of prefixes that covers exactly the range. */
export function rangeToCidrs(r: IpRange): Cidr[] {
  const bits = addressBits(r.version);
  const out: Cidr[] = [];
  let cur = r.first;
  while (cur <= r.last) {
    let len = bits;
    // Grow the block while it stays aligned and inside the range.
    while (len > 0) {
      const size = 1n << BigInt(bits - len + 1);
      if (cur % size !== 0n || cur + size - 1n > r.last) break;
      len--;
    }
    out.push({ version: r.version, network: cur, prefixLength: len });
    cur += 1n << BigInt(bits - len);
  }
  return out;
}
