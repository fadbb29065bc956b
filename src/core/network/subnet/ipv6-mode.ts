/**
 * IPv6 address-configuration modes of a subnet (ipv6_ra_mode, ipv6_address_mode) and the rules
 * Neutron puts on them. Pure core.
 *
 * - Neither mode may be set on an IPv4 subnet, nor on a subnet with DHCP disabled.
 * - If both are set they must be equal.
 * - SLAAC and DHCPv6-stateless derive addresses with EUI-64, which needs a /64.
 */
import { type Cidr, formatCidr } from '../ip/index.js';
import { invalidAttribute, invalidOperation, pyList } from './subnet-error.js';

export const IPV6_MODES = ['dhcpv6-stateful', 'dhcpv6-stateless', 'slaac'] as const;
export type Ipv6Mode = (typeof IPV6_MODES)[number];

export function isIpv6Mode(value: unknown): value is Ipv6Mode {
  return typeof value === 'string' && (IPV6_MODES as readonly string[]).includes(value);
}

export interface Ipv6ModeInput {
  cidr: Cidr;
  enableDhcp: boolean;
  /** null or undefined: not set. */
  ipv6RaMode?: string | null;
  ipv6AddressMode?: string | null;
}

export interface Ipv6Modes {
  ipv6RaMode: Ipv6Mode | null;
  ipv6AddressMode: Ipv6Mode | null;
}

/** Validates the pair of modes; returns them typed, null where unset. */
export function validateIpv6Modes(input: Ipv6ModeInput): Ipv6Modes {
  const ra = input.ipv6RaMode ?? null;
  const addr = input.ipv6AddressMode ?? null;
  if (ra !== null && !isIpv6Mode(ra)) throw invalidAttribute('ipv6_ra_mode', `'${String(ra)}' is not in ${pyList(IPV6_MODES)}`);
  if (addr !== null && !isIpv6Mode(addr)) {
    throw invalidAttribute('ipv6_address_mode', `'${String(addr)}' is not in ${pyList(IPV6_MODES)}`);
  }
  if (input.cidr.version === 4) {
    if (ra !== null) throw invalidOperation('ipv6_ra_mode is not valid when ip_version is 4');
    if (addr !== null) throw invalidOperation('ipv6_address_mode is not valid when ip_version is 4');
    return { ipv6RaMode: null, ipv6AddressMode: null };
  }
  if ((ra !== null || addr !== null) && !input.enableDhcp) {
    throw invalidOperation('ipv6_ra_mode or ipv6_address_mode cannot be set when enable_dhcp is set to False');
  }
  if (ra !== null && addr !== null && ra !== addr) {
    throw invalidOperation(
      `ipv6_ra_mode set to '${ra}' with ipv6_address_mode set to '${addr}' is not valid. If both attributes are set, they must be the same value`,
    );
  }
  const modes: Ipv6Modes = { ipv6RaMode: ra, ipv6AddressMode: addr };
  if (isAutoAddressMode(modes) && input.cidr.prefixLength !== 64) {
    throw invalidOperation(
      `Invalid CIDR ${formatCidr(input.cidr)} for IPv6 address mode. OpenStack uses the EUI-64 address format, which requires the prefix to be /64`,
    );
  }
  return modes;
}

/**
 * True when hosts configure their own address from the prefix and their MAC (SLAAC or
 * DHCPv6-stateless), so IPAM computes an EUI-64 address instead of taking one from a pool.
 */
export function isAutoAddressMode(modes: { ipv6RaMode?: string | null; ipv6AddressMode?: string | null }): boolean {
  const auto = (m: string | null | undefined) => m === 'slaac' || m === 'dhcpv6-stateless';
  return auto(modes.ipv6AddressMode) || auto(modes.ipv6RaMode);
}
