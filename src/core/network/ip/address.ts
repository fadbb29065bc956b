/**
 * IP addresses: parse, format and compare IPv4 and IPv6 addresses. Pure core: imports only
 * core/errors. Both families are carried as a bigint so that range arithmetic is one code path;
 * v4 values simply stay below 2^32.
 *
 * Parsing is strict on purpose (no octal, no leading zeros, no shorthand like "10.1"): Neutron
 * validates with inet_pton semantics, and a lax parser would let two spellings of one address into
 * the store, where the unique constraint on (subnet, ip) compares strings.
 */
import { InvalidInput } from '../../errors.js';

export type IpVersion = 4 | 6;

export interface IpAddress {
  readonly version: IpVersion;
  readonly value: bigint;
}

const V4_MAX = (1n << 32n) - 1n;
const V6_MAX = (1n << 128n) - 1n;

export function addressBits(version: IpVersion): number {
  return version === 4 ? 32 : 128;
}

export function maxAddressValue(version: IpVersion): bigint {
  return version === 4 ? V4_MAX : V6_MAX;
}

function parseV4(text: string): bigint | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return null;
    if (p.length > 1 && p[0] === '0') return null;
    const n = Number(p);
    if (n > 255) return null;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

function parseV6(text: string): bigint | null {
  if (text.length === 0 || text.length > 45 || text.includes('%')) return null;
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const toGroups = (s: string): number[] | null => {
    if (s === '') return [];
    const out: number[] = [];
    const items = s.split(':');
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      if (i === items.length - 1 && item.includes('.')) {
        const v4 = parseV4(item);
        if (v4 === null) return null;
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(item)) return null;
      out.push(parseInt(item, 16));
    }
    return out;
  };
  const head = toGroups(halves[0]!);
  if (head === null) return null;
  let groups: number[];
  if (halves.length === 2) {
    const tail = toGroups(halves[1]!);
    if (tail === null) return null;
    // An embedded IPv4 is only legal at the very end.
    if (halves[0]!.includes('.')) return null;
    const missing = 8 - head.length - tail.length;
    if (missing < 1) return null;
    groups = [...head, ...new Array<number>(missing).fill(0), ...tail];
  } else {
    groups = head;
  }
  if (groups.length !== 8) return null;
  let value = 0n;
  for (const g of groups) value = (value << 16n) | BigInt(g);
  return value;
}

/** Parses an address, or returns null. Never throws. */
export function tryParseIp(text: string): IpAddress | null {
  if (typeof text !== 'string') return null;
  if (text.includes(':')) {
    const v = parseV6(text);
    return v === null ? null : { version: 6, value: v };
  }
  const v = parseV4(text);
  return v === null ? null : { version: 4, value: v };
}

/** Parses an address; throws InvalidInput in Neutron's wording when it is not one. */
export function parseIp(text: string): IpAddress {
  const ip = tryParseIp(text);
  if (ip === null) throw new InvalidInput(`'${String(text)}' is not a valid IP address`, 'InvalidInput');
  return ip;
}

export function isIpAddress(text: string, version?: IpVersion): boolean {
  const ip = tryParseIp(text);
  return ip !== null && (version === undefined || ip.version === version);
}

export function ipVersionOf(text: string): IpVersion | null {
  return tryParseIp(text)?.version ?? null;
}

function formatV4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String(Number((value >> s) & 0xffn))).join('.');
}

/** RFC 5952: lowercase, no leading zeros, the longest (first on a tie) run of 2+ zero groups as "::". */
function formatV6(value: bigint): string {
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((value >> BigInt(i * 16)) & 0xffffn));
  // IPv4-mapped addresses keep their dotted tail (RFC 5952 section 5), as netaddr prints them.
  if (value >> 32n === 0xffffn) return `::ffff:${formatV4(value & V4_MAX)}`;
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestLen < 2) return hex.join(':');
  const left = hex.slice(0, bestStart).join(':');
  const right = hex.slice(bestStart + bestLen).join(':');
  return `${left}::${right}`;
}

export function formatIp(ip: IpAddress): string {
  return ip.version === 4 ? formatV4(ip.value) : formatV6(ip.value);
}

export function ipFromValue(version: IpVersion, value: bigint): IpAddress {
  if (value < 0n || value > maxAddressValue(version)) {
    throw new RangeError(`value out of range for IPv${version}`);
  }
  return { version, value };
}

export function formatIpValue(version: IpVersion, value: bigint): string {
  return formatIp(ipFromValue(version, value));
}

/** The one spelling we store and compare: canonical for both families. */
export function canonicalIp(text: string): string {
  return formatIp(parseIp(text));
}

export function compareIp(a: IpAddress, b: IpAddress): number {
  if (a.version !== b.version) return a.version - b.version;
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}

export function ipEquals(a: IpAddress, b: IpAddress): boolean {
  return a.version === b.version && a.value === b.value;
}

/** Adds a (possibly negative) offset; throws RangeError when leaving the address space. */
export function offsetIp(ip: IpAddress, delta: bigint): IpAddress {
  return ipFromValue(ip.version, ip.value + delta);
}
