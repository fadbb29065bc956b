/**
 * A subnet's gateway_ip: the default (the first address after the network address), the explicit
 * "no gateway" (null), and validation of an explicit one. Pure core: imports core/errors, ../ip.
 *
 * Neutron itself has accepted gateways outside the cidr (an "on-link" route) since the
 * force_gateway_on_subnet option went away; PocketStack refuses them by default because the
 * simulated data plane has no way to reach them. `allowOutsideCidr` restores Neutron's behaviour.
 */
import { type Cidr, cidrContains, cidrSize, broadcastAddress, formatIp, tryParseIp } from '../ip/index.js';
import { invalidAttribute, invalidOperation } from './subnet-error.js';

export interface GatewayOptions {
  allowOutsideCidr?: boolean;
}

/** Neutron's default: network address + 1, or null when the prefix has no room (a v4 /32, v6 /128). */
export function defaultGatewayIp(cidr: Cidr): string | null {
  if (cidrSize(cidr) < 2n) return null;
  return formatIp({ version: cidr.version, value: cidr.network + 1n });
}

/**
 * Resolves the requested gateway: `undefined` means "not specified" (take the default), `null` means
 * "no gateway". Returns the canonical spelling. Throws InvalidInput in Neutron's wording.
 */
export function resolveGatewayIp(cidr: Cidr, requested: string | null | undefined, options: GatewayOptions = {}): string | null {
  if (requested === undefined) return defaultGatewayIp(cidr);
  if (requested === null) return null;
  const ip = tryParseIp(requested);
  if (ip === null) throw invalidAttribute('gateway_ip', `'${String(requested)}' is not a valid IP address`);
  if (ip.version !== cidr.version) {
    throw invalidOperation(`gateway_ip '${requested}' does not match the ip_version '${cidr.version}'`);
  }
  const inside = cidrContains(cidr, ip);
  if (!inside && !options.allowOutsideCidr) throw invalidOperation('Gateway is not valid on subnet');
  // Inside the prefix the gateway may be neither the network address nor (v4) the broadcast address.
  const broadcast = broadcastAddress(cidr);
  if (inside && cidrSize(cidr) > 2n && (ip.value === cidr.network || (broadcast !== null && ip.value === broadcast.value))) {
    throw invalidOperation('Gateway is not valid on subnet');
  }
  return formatIp(ip);
}
