/**
 * Address helpers for the topology model, the planner and the simulator: a memoising layer over the
 * one IP implementation in core/network/ip (the simulator parses the same few thousand strings over
 * and over). Pure core.
 */
import { tryParseIp, formatIpValue, addressBits } from '../ip/address.js';
import { tryParseCidrLoose, cidrContains as ipCidrContains } from '../ip/cidr.js';
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

const addrCache = new Map<string, IpAddr | null>();
const cidrCache = new Map<string, Cidr | null>();

export function parseIp(s: string): IpAddr | null {
  let r = addrCache.get(s);
  if (r === undefined) {
    const a = tryParseIp(s);
    r = a ? { version: a.version, value: a.value } : null;
    addrCache.set(s, r);
  }
  return r;
}

export function mustParseIp(s: string): IpAddr {
  const r = parseIp(s);
  if (!r) throw new Error(`not an IP address: ${s}`);
  return r;
}

/** Parses "a.b.c.d/n" or "x::/n" (host bits cleared); a bare address is a host prefix (/32 or /128). */
export function parseCidr(s: string): Cidr | null {
  let r = cidrCache.get(s);
  if (r === undefined) {
    let text = s;
    if (!s.includes('/')) {
      const a = parseIp(s);
      text = a ? `${s}/${addressBits(a.version)}` : s;
    }
    const c = tryParseCidrLoose(text);
    r = c ? { version: c.version, network: c.network, prefixLength: c.prefixLength } : null;
    cidrCache.set(s, r);
  }
  return r;
}

export function mustParseCidr(s: string): Cidr {
  const r = parseCidr(s);
  if (!r) throw new Error(`not a CIDR: ${s}`);
  return r;
}

export function maskOf(version: IpVersion, prefixLength: number): bigint {
  const bits = BigInt(addressBits(version));
  const all = (1n << bits) - 1n;
  return (all << (bits - BigInt(prefixLength))) & all;
}

export function cidrContains(cidr: Cidr, ip: IpAddr): boolean {
  return ipCidrContains(cidr, ip);
}

/** True when `ip` (text) lies in `cidr` (text); false for malformed input or a family mismatch. */
export function inCidr(cidr: string, ip: string): boolean {
  const c = parseCidr(cidr);
  const a = parseIp(ip);
  return !!c && !!a && cidrContains(c, a);
}

export function formatIp(version: IpVersion, value: bigint): string {
  return formatIpValue(version, value);
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

/** Canonical text form, so different spellings of one IPv6 address compare equal. */
export function canonicalIp(s: string): string {
  const a = parseIp(s);
  return a ? formatIp(a.version, a.value) : s;
}

export function prefixSize(c: Cidr): bigint {
  return 1n << BigInt(addressBits(c.version) - c.prefixLength);
}

export function netmaskOf(c: Cidr): string {
  return formatIp(c.version, maskOf(c.version, c.prefixLength));
}
