/**
 * A subnet's dns_nameservers: addresses of the subnet's family, no duplicates, order kept (it is
 * the order handed out by DHCP), at most `maxNameservers` (Neutron's max_dns_nameservers, 5).
 */
import { InvalidInput } from '../../errors.js';
import { type IpVersion, formatIp, tryParseIp } from '../ip/index.js';
import { invalidAttribute, invalidOperation } from './subnet-error.js';

export const DEFAULT_MAX_DNS_NAMESERVERS = 5;

export function validateDnsNameservers(
  nameservers: readonly string[],
  ipVersion: IpVersion,
  options: { maxNameservers?: number; subnetId?: string } = {},
): string[] {
  if (!Array.isArray(nameservers)) {
    throw invalidAttribute('dns_nameservers', `Invalid data format for nameserver: '${String(nameservers)}'`);
  }
  const max = options.maxNameservers ?? DEFAULT_MAX_DNS_NAMESERVERS;
  if (nameservers.length > max) {
    throw new InvalidInput(
      `Unable to complete operation for ${options.subnetId ?? ''}. The number of DNS nameservers exceeds the limit ${max}.`,
      'DNSNameServersExhausted',
    );
  }
  const out: string[] = [];
  for (const ns of nameservers) {
    const ip = typeof ns === 'string' ? tryParseIp(ns) : null;
    if (ip === null) {
      throw invalidAttribute('dns_nameservers', `'${String(ns)}' is not a valid nameserver. '${String(ns)}' is not a valid IP address`);
    }
    const canon = formatIp(ip);
    if (out.includes(canon)) throw invalidAttribute('dns_nameservers', `Duplicate nameserver '${ns}'`);
    if (ip.version !== ipVersion) throw invalidOperation(`dns_nameserver '${ns}' does not match the ip_version '${ipVersion}'`);
    out.push(canon);
  }
  return out;
}
