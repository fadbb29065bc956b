/**
 * IPv4/IPv6 address and prefix arithmetic for the topology model, the planner and the simulator.
 * Pure core: imports nothing. Addresses are bigints so both families share one code path; parse
 * results are memoised because the simulator parses the same few thousand strings over and over.
 */

import type { IpVersion } from './topology.js';

export interface IpAddr {
  version: IpVersion;
  value: bigint;
}

export interface Cidr {
  version: IpVersion;
  /** Network address (host bits cleared). */
  network: bigint;
  prefixLength: number;
}

const BITS: Record<IpVersion, number> = { 4: 32, 6: 128 };
const addrCache = new Map<string, IpAddr | null>();
const cidrCache = new Map<string, Cidr | null>();

function parseV4(s: string): bigint | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  let v = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    v = (v << 8n) | BigInt(n);
  }
  return v;
}

function parseV6(s: string): bigint | null {
  if (!/^[0-9a-fA-F:.]+$/.test(s)) return null;
  const dbl = s.indexOf('::');
  if (dbl !== s.lastIndexOf('::')) return null;
  const toGroups = (part: string): number[] | null => {
    if (part === '') return [];
    const out: number[] = [];
    const items = part.split(':');
    for (let i = 0; i < items.length; i++) {
      const g = items[i]!;
      if (g.includes('.') && i === items.length - 1) {
        const v4 = parseV4(g);
        if (v4 === null) return null;
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
        out.push(parseInt(g, 16));
      }
    }
    return out;
  };
  let groups: number[];
  if (dbl >= 0) {
    const head = toGroups(s.slice(0, dbl));
    const tail = toGroups(s.slice(dbl + 2));
    if (!head || !tail || head.length + tail.length > 7) return null;
    groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  } else {
    const g = toGroups(s);
    if (!g || g.length !== 8) return null;
    groups = g;
  }
  let v = 0n;
  for (const g of groups) v = (v << 16n) | BigInt(g);
  return v;
}

export function parseIp(s: string): IpAddr | null {
  const hit = addrCache.get(s);
  if (hit !== undefined) return hit;
  let r: IpAddr | null = null;
  if (s.includes(':')) {
    const v = parseV6(s);
    if (v !== null) r = { version: 6, value: v };
  } else {
    const v = parseV4(s);
    if (v !== null) r = { version: 4, value: v };
  }
  addrCache.set(s, r);
  return r;
}

export function mustParseIp(s: string): IpAddr {
  const r = parseIp(s);
  if (!r) throw new Error(`not an IP address: ${s}`);
  return r;
}

/** Parses "a.b.c.d/n" or "x::/n"; a bare address is a host prefix (/32 or /128). */
export function parseCidr(s: string): Cidr | null {
  const hit = cidrCache.get(s);
  if (hit !== undefined) return hit;
  let r: Cidr | null = null;
  const slash = s.indexOf('/');
  const addr = parseIp(slash >= 0 ? s.slice(0, slash) : s);
  if (addr) {
    const bits = BITS[addr.version];
    const len = slash >= 0 ? Number(s.slice(slash + 1)) : bits;
    if (Number.isInteger(len) && len >= 0 && len <= bits) {
      r = { version: addr.version, network: addr.value & maskOf(addr.version, len), prefixLength: len };
    }
  }
  cidrCache.set(s, r);
  return r;
}

export function mustParseCidr(s: string): Cidr {
  const r = parseCidr(s);
  if (!r) throw new Error(`not a CIDR: ${s}`);
  return r;
}

export function maskOf(version: IpVersion, prefixLength: number): bigint {
  const bits = BigInt(BITS[version]);
  const all = (1n << bits) - 1n;
  return (all << (bits - BigInt(prefixLength))) & all;
}

export function cidrContains(cidr: Cidr, ip: IpAddr): boolean {
  return cidr.version === ip.version && (ip.value & maskOf(cidr.version, cidr.prefixLength)) === cidr.network;
}

/** True when `ip` (text) lies in `cidr` (text); false for malformed input or a family mismatch. */
export function inCidr(cidr: string, ip: string): boolean {
  const c = parseCidr(cidr);
  const a = parseIp(ip);
  return !!c && !!a && cidrContains(c, a);
}

export function formatIp(version: IpVersion, value: bigint): string {
  if (version === 4) {
    return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join('.');
  }
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((value >> BigInt(i * 16)) & 0xffffn));
  // Compress the longest run of zero groups (RFC 5952).
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i > 1) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

export function formatCidr(c: Cidr): string {
  return `${formatIp(c.version, c.network)}/${c.prefixLength}`;
}

/** The k-th address of a prefix (k=1 is the usual gateway). */
export function nthAddress(cidr: string, k: number): string {
  const c = mustParseCidr(cidr);
  return formatIp(c.version, c.network + BigInt(k));
}

export function ipVersionOf(s: string): IpVersion | null {
  const slash = s.indexOf('/');
  return parseIp(slash >= 0 ? s.slice(0, slash) : s)?.version ?? null;
}

/** Canonical text form, so "10.0.0.05"-style variants and IPv6 spellings compare equal. */
export function canonicalIp(s: string): string {
  const a = parseIp(s);
  return a ? formatIp(a.version, a.value) : s;
}

export function prefixSize(c: Cidr): bigint {
  return 1n << BigInt(BITS[c.version] - c.prefixLength);
}

export function netmaskOf(c: Cidr): string {
  return formatIp(c.version, maskOf(c.version, c.prefixLength));
}
