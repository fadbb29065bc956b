/**
 * IP protocols a security-group rule may name, and how Neutron normalizes them: a known name
 * (case-insensitive) stays a lowercase name, an integer 0..255 stays a decimal string, `any` or
 * null means every protocol. Pure core.
 */
import { InvalidInput } from '../../errors.js';

/** Neutron's IP_PROTOCOL_MAP: the names a rule may use and their IANA numbers. */
export const IP_PROTOCOL_NUMBERS: Readonly<Record<string, number>> = {
  ah: 51,
  dccp: 33,
  egp: 8,
  esp: 50,
  gre: 47,
  hopopt: 0,
  icmp: 1,
  igmp: 2,
  ipip: 4,
  'ipv6-encap': 41,
  'ipv6-frag': 44,
  'ipv6-icmp': 58,
  icmpv6: 58,
  'ipv6-nonxt': 59,
  'ipv6-opts': 60,
  'ipv6-route': 43,
  ospf: 89,
  pgm: 113,
  rsvp: 46,
  sctp: 132,
  tcp: 6,
  udp: 17,
  udplite: 136,
  vrrp: 112,
};

/** Protocols whose port_range_min/max are ports. */
export const PORT_PROTOCOL_NUMBERS: ReadonlySet<number> = new Set([6, 17, 33, 132, 136]);
/** Protocols whose port_range_min/max are ICMP type/code. */
export const ICMP_PROTOCOL_NUMBERS: ReadonlySet<number> = new Set([1, 58]);
/** Names that only make sense with ethertype IPv6. */
export const IPV6_ONLY_PROTOCOL_NAMES: ReadonlySet<string> = new Set([
  'ipv6-encap',
  'ipv6-frag',
  'ipv6-icmp',
  'icmpv6',
  'ipv6-nonxt',
  'ipv6-opts',
  'ipv6-route',
]);

function supportedList(): string {
  return `[None, 'any', ${Object.keys(IP_PROTOCOL_NUMBERS)
    .map((n) => `'${n}'`)
    .join(', ')}]`;
}

/**
 * Normalizes a protocol as Neutron's API does. Throws SecurityGroupRuleInvalidProtocol (400) for
 * an unknown name or a number outside 0..255.
 */
export function normalizeProtocol(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const invalid = () =>
    new InvalidInput(
      `Security group rule protocol ${String(value)} not supported. Only protocol values ${supportedList()} and integer representations [0 to 255] are supported.`,
      'SecurityGroupRuleInvalidProtocol',
    );
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0 || value > 255) throw invalid();
    return String(value);
  }
  if (typeof value !== 'string') throw invalid();
  if (/^\d+$/.test(value)) {
    const n = Number(value);
    if (n > 255) throw invalid();
    return String(n);
  }
  const name = value.toLowerCase();
  if (name === 'any') return null;
  if (!(name in IP_PROTOCOL_NUMBERS)) throw invalid();
  return name;
}

/** The IANA number of a normalized protocol; null for "any". */
export function protocolNumber(protocol: string | null): number | null {
  if (protocol === null) return null;
  if (/^\d+$/.test(protocol)) return Number(protocol);
  return IP_PROTOCOL_NUMBERS[protocol] ?? null;
}
