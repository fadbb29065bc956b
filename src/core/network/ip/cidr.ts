/**
 * CIDR prefixes: parse (strictly, as Neutron validates a subnet's `cidr`, or loosely, as it
 * normalizes a security-group `remote_ip_prefix`), format, contain, overlap, and the special
 * addresses of a prefix (network, broadcast, first/last host, netmask). Pure core: imports only
 * core/errors and ./address.
 */
import { InvalidInput } from '../../errors.js';
import {
  type IpAddress,
  type IpVersion,
  addressBits,
  formatIp,
  formatIpValue,
  maxAddressValue,
  tryParseIp,
} from './address.js';

export interface Cidr {
  readonly version: IpVersion;
  /** The network address (host bits zero). */
  readonly network: bigint;
  readonly prefixLength: number;
}

function hostMaskValue(version: IpVersion, prefixLength: number): bigint {
  return (1n << BigInt(addressBits(version) - prefixLength)) - 1n;
}

function netMaskValue(version: IpVersion, prefixLength: number): bigint {
  return maxAddressValue(version) ^ hostMaskValue(version, prefixLength);
}

/** Splits "addr/len" (or bare "addr", meaning a host prefix) without judging host bits. */
function parseParts(text: string): { ip: IpAddress; prefixLength: number; hadSlash: boolean } | null {
  if (typeof text !== 'string' || /\s/.test(text)) return null;
  const slash = text.indexOf('/');
  const addrText = slash < 0 ? text : text.slice(0, slash);
  const ip = tryParseIp(addrText);
  if (ip === null) return null;
  if (slash < 0) return { ip, prefixLength: addressBits(ip.version), hadSlash: false };
  const lenText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(lenText)) return null;
  const prefixLength = Number(lenText);
  if (prefixLength > addressBits(ip.version)) return null;
  return { ip, prefixLength, hadSlash: true };
}

export function cidrOf(ip: IpAddress, prefixLength: number): Cidr {
  return {
    version: ip.version,
    network: ip.value & netMaskValue(ip.version, prefixLength),
    prefixLength,
  };
}

export function formatCidr(cidr: Cidr): string {
  return `${formatIpValue(cidr.version, cidr.network)}/${cidr.prefixLength}`;
}

/**
 * Why `text` is not acceptable as a subnet cidr, in Neutron's words, or null when it is. Neutron wants
 * the exact canonical spelling: host bits clear, an explicit length, and (for v6) the compressed
 * lowercase form; otherwise it recommends the canonical one.
 */
export function describeCidrProblem(text: string): string | null {
  const parts = parseParts(text);
  if (parts === null) return `'${String(text)}' is not a valid IP subnet`;
  const canonical = formatCidr(cidrOf(parts.ip, parts.prefixLength));
  if (!parts.hadSlash || canonical !== text) {
    return `'${text}' isn't a recognized IP subnet cidr, '${canonical}' is recommended`;
  }
  return null;
}

/** Strict parse for a subnet cidr; throws InvalidInput (type InvalidCIDR) with Neutron's reason. */
export function parseCidr(text: string): Cidr {
  const problem = describeCidrProblem(text);
  if (problem !== null) throw new InvalidInput(problem, 'InvalidCIDR');
  const parts = parseParts(text)!;
  return cidrOf(parts.ip, parts.prefixLength);
}

/** Lenient parse: host bits are cleared, a bare address becomes a host prefix. Null if malformed. */
export function tryParseCidrLoose(text: string): Cidr | null {
  const parts = parseParts(text);
  return parts === null ? null : cidrOf(parts.ip, parts.prefixLength);
}

/**
 * Lenient parse as Neutron normalizes an IP prefix ("10.0.0.1/24" -> 10.0.0.0/24, "10.0.0.1" ->
 * 10.0.0.1/32); throws InvalidCIDR "Invalid CIDR X given as IP prefix." when malformed.
 */
export function parseCidrLoose(text: string): Cidr {
  const cidr = tryParseCidrLoose(text);
  if (cidr === null) throw new InvalidInput(`Invalid CIDR ${String(text)} given as IP prefix.`, 'InvalidCIDR');
  return cidr;
}

export function normalizeCidr(text: string): string {
  return formatCidr(parseCidrLoose(text));
}

export function isCidr(text: string): boolean {
  return describeCidrProblem(text) === null;
}

/** Number of addresses in the prefix (2^(bits - len)). */
export function cidrSize(cidr: Cidr): bigint {
  return hostMaskValue(cidr.version, cidr.prefixLength) + 1n;
}

export function networkAddress(cidr: Cidr): IpAddress {
  return { version: cidr.version, value: cidr.network };
}

/** The last address of the prefix, whatever the family. */
export function lastAddress(cidr: Cidr): IpAddress {
  return { version: cidr.version, value: cidr.network | hostMaskValue(cidr.version, cidr.prefixLength) };
}

/** IPv4 broadcast (the last address); null for IPv6 (no broadcast) and for /31 and /32 (RFC 3021). */
export function broadcastAddress(cidr: Cidr): IpAddress | null {
  if (cidr.version === 6 || cidr.prefixLength >= 31) return null;
  return lastAddress(cidr);
}

/**
 * The first address a host may use: network + 1, except that /31 and /32 (v4) and /127 and /128 (v6)
 * have no reserved network address (RFC 3021, RFC 6164).
 */
export function firstHost(cidr: Cidr): IpAddress {
  const bits = addressBits(cidr.version);
  if (cidr.prefixLength >= bits - 1) return networkAddress(cidr);
  return { version: cidr.version, value: cidr.network + 1n };
}

/** The last address a host may use: the v4 broadcast is excluded, v6 keeps its last address. */
export function lastHost(cidr: Cidr): IpAddress {
  const last = lastAddress(cidr);
  if (broadcastAddress(cidr) !== null) return { version: cidr.version, value: last.value - 1n };
  return last;
}

export function netmask(cidr: Cidr): IpAddress {
  return { version: cidr.version, value: netMaskValue(cidr.version, cidr.prefixLength) };
}

export function hostmask(cidr: Cidr): IpAddress {
  return { version: cidr.version, value: hostMaskValue(cidr.version, cidr.prefixLength) };
}

export function formatNetmask(cidr: Cidr): string {
  return formatIp(netmask(cidr));
}

/** Prefix length from a dotted (or v6) netmask; null if the mask is not contiguous ones then zeros. */
export function prefixLengthFromNetmask(mask: string): number | null {
  const ip = tryParseIp(mask);
  if (ip === null) return null;
  const bits = addressBits(ip.version);
  for (let len = 0; len <= bits; len++) {
    if (netMaskValue(ip.version, len) === ip.value) return len;
  }
  return null;
}

export function cidrContains(cidr: Cidr, ip: IpAddress): boolean {
  return ip.version === cidr.version && (ip.value & netMaskValue(cidr.version, cidr.prefixLength)) === cidr.network;
}

/** True when `inner` lies entirely inside `outer` (a prefix contains itself). */
export function cidrContainsCidr(outer: Cidr, inner: Cidr): boolean {
  return (
    outer.version === inner.version &&
    inner.prefixLength >= outer.prefixLength &&
    cidrContains(outer, { version: inner.version, value: inner.network })
  );
}

/** Two prefixes overlap iff one contains the other. */
export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return cidrContainsCidr(a, b) || cidrContainsCidr(b, a);
}

export function cidrEquals(a: Cidr, b: Cidr): boolean {
  return a.version === b.version && a.network === b.network && a.prefixLength === b.prefixLength;
}

/** Orders by family, then network, then prefix length (shorter first). */
export function compareCidr(a: Cidr, b: Cidr): number {
  if (a.version !== b.version) return a.version - b.version;
  if (a.network !== b.network) return a.network < b.network ? -1 : 1;
  return a.prefixLength - b.prefixLength;
}
