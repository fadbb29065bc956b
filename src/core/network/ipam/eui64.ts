/**
 * EUI-64 interface identifiers (RFC 4291 appendix A): the address a SLAAC or DHCPv6-stateless host
 * derives from its /64 prefix and MAC, which IPAM must predict rather than pick. Pure core.
 */
import { InvalidInput } from '../../errors.js';
import { type Cidr, formatIpValue, tryParseCidrLoose } from '../ip/index.js';
import { normalizeMac } from '../mac/index.js';

/** The 64-bit interface id: MAC split by ff:fe, universal/local bit flipped. */
export function eui64InterfaceId(mac: string): bigint {
  const bytes = normalizeMac(mac)
    .split(':')
    .map((h) => parseInt(h, 16));
  const id = [bytes[0]! ^ 0x02, bytes[1]!, bytes[2]!, 0xff, 0xfe, bytes[3]!, bytes[4]!, bytes[5]!];
  return id.reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);
}

/** The EUI-64 address of `mac` in a v6 /64 (given as text or parsed). */
export function eui64Address(prefix: string | Cidr, mac: string): string {
  const cidr = typeof prefix === 'string' ? tryParseCidrLoose(prefix) : prefix;
  if (cidr === null || cidr.version !== 6 || cidr.prefixLength > 64) {
    throw new InvalidInput(`Unable to generate IP address by EUI64 for ${String(typeof prefix === 'string' ? prefix : 'prefix')} prefix`, 'InvalidInput');
  }
  const high = cidr.network >> 64n;
  return formatIpValue(6, (high << 64n) | eui64InterfaceId(mac));
}
