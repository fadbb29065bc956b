/**
 * Security-group rules: normalize and validate one rule as Neutron does (protocol, ports or ICMP
 * type/code, ethertype against the remote prefix and the protocol, remote group XOR prefix), with
 * Neutron's error types and messages. Pure core: imports core/errors, ../ip and ./protocol.
 */
import { InvalidInput } from '../../errors.js';
import { formatCidr, tryParseCidrLoose } from '../ip/index.js';
import {
  ICMP_PROTOCOL_NUMBERS,
  IP_PROTOCOL_NUMBERS,
  IPV6_ONLY_PROTOCOL_NAMES,
  PORT_PROTOCOL_NUMBERS,
  normalizeProtocol,
  protocolNumber,
} from './protocol.js';

export type Direction = 'ingress' | 'egress';
export type Ethertype = 'IPv4' | 'IPv6';

/** What a client may send (wire values, not yet trusted). */
export interface SecurityGroupRuleInput {
  securityGroupId: string;
  direction: unknown;
  ethertype?: unknown;
  protocol?: unknown;
  portRangeMin?: unknown;
  portRangeMax?: unknown;
  remoteIpPrefix?: unknown;
  remoteGroupId?: string | null;
  remoteAddressGroupId?: string | null;
  description?: string;
}

/** A rule as stored and shown. */
export interface SecurityGroupRuleSpec {
  securityGroupId: string;
  direction: Direction;
  ethertype: Ethertype;
  /** Lowercase name or decimal string as the client gave it; null is any protocol. */
  protocol: string | null;
  portRangeMin: number | null;
  portRangeMax: number | null;
  remoteIpPrefix: string | null;
  remoteGroupId: string | null;
  remoteAddressGroupId: string | null;
  description: string;
}

function badAttr(attr: string, reason: string): InvalidInput {
  return new InvalidInput(`Invalid input for ${attr}. Reason: ${reason}.`, 'HTTPBadRequest');
}

function normalizePort(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const n = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 65535) {
    throw new InvalidInput(`Invalid value for port ${String(value)}`, 'SecurityGroupInvalidPortValue');
  }
  return n;
}

function normalizeEthertype(value: unknown): Ethertype {
  if (value === undefined || value === null) return 'IPv4';
  if (typeof value === 'string') {
    if (value.toLowerCase() === 'ipv4') return 'IPv4';
    if (value.toLowerCase() === 'ipv6') return 'IPv6';
  }
  throw new InvalidInput(
    `Security group rule for ethertype '${String(value)}' not supported. Allowed values are ['IPv4', 'IPv6'].`,
    'SecurityGroupRuleInvalidEtherType',
  );
}

function validatePortRange(protocol: string | null, min: number | null, max: number | null): void {
  if (min === null && max === null) return;
  if (protocol === null) {
    throw new InvalidInput('Must also specify protocol if port range is given.', 'SecurityGroupProtocolRequiredWithPorts');
  }
  const num = protocolNumber(protocol)!;
  if (PORT_PROTOCOL_NUMBERS.has(num)) {
    if (min === 0 || max === 0) throw new InvalidInput('Invalid value for port 0', 'SecurityGroupInvalidPortValue');
    if (min === null || max === null || min > max) {
      throw new InvalidInput('For TCP/UDP protocols, port_range_min must be <= port_range_max', 'SecurityGroupInvalidPortRange');
    }
    return;
  }
  if (ICMP_PROTOCOL_NUMBERS.has(num)) {
    for (const [attr, field, v] of [['port_range_min', 'type', min], ['port_range_max', 'code', max]] as const) {
      if (v !== null && (v < 0 || v > 255)) {
        throw new InvalidInput(`Invalid value for ICMP ${field} (${attr}) ${v}. It must be 0 to 255.`, 'SecurityGroupInvalidIcmpValue');
      }
    }
    if (min === null && max !== null) {
      throw new InvalidInput(
        `ICMP code (port-range-max) ${max} is provided but ICMP type (port-range-min) is missing.`,
        'SecurityGroupMissingIcmpType',
      );
    }
    return;
  }
  throw new InvalidInput(
    `Invalid protocol ${protocol} for port range, only supported for TCP, UDP, UDPLITE, SCTP and DCCP.`,
    'SecurityGroupInvalidProtocolForPortRange',
  );
}

/**
 * Validates and normalizes a rule. Canonical forms, as Neutron stores them: the remote prefix with
 * host bits cleared, `icmp` under IPv6 becomes `ipv6-icmp`, and a port range covering every port
 * (1-65535) becomes no range at all.
 */
export function normalizeSecurityGroupRule(input: SecurityGroupRuleInput): SecurityGroupRuleSpec {
  if (input.direction !== 'ingress' && input.direction !== 'egress') {
    throw badAttr('direction', `'${String(input.direction)}' is not in ['ingress', 'egress']`);
  }
  const ethertype = normalizeEthertype(input.ethertype);
  let protocol = normalizeProtocol(input.protocol);
  let portRangeMin = normalizePort(input.portRangeMin);
  let portRangeMax = normalizePort(input.portRangeMax);
  let remoteIpPrefix: string | null = null;
  let prefixVersion: 4 | 6 | null = null;
  if (input.remoteIpPrefix !== undefined && input.remoteIpPrefix !== null && input.remoteIpPrefix !== '') {
    const cidr = typeof input.remoteIpPrefix === 'string' ? tryParseCidrLoose(input.remoteIpPrefix) : null;
    if (cidr === null) throw new InvalidInput(`Invalid CIDR ${String(input.remoteIpPrefix)} given as IP prefix.`, 'InvalidCIDR');
    remoteIpPrefix = formatCidr(cidr);
    prefixVersion = cidr.version;
  }
  const remoteGroupId = input.remoteGroupId ?? null;
  const remoteAddressGroupId = input.remoteAddressGroupId ?? null;
  if ([remoteIpPrefix, remoteGroupId, remoteAddressGroupId].filter((x) => x !== null).length > 1) {
    throw new InvalidInput(
      'Only remote_ip_prefix or remote_group_id or remote_address_group_id may be provided.',
      'SecurityGroupRemoteGroupAndRemoteIpPrefix',
    );
  }
  validatePortRange(protocol, portRangeMin, portRangeMax);
  if (prefixVersion !== null && `IPv${prefixVersion}` !== ethertype) {
    throw new InvalidInput(
      `Conflicting value ethertype ${ethertype} for CIDR ${remoteIpPrefix}`,
      'SecurityGroupRuleParameterConflict',
    );
  }
  // Neutron refuses the IPv6-only protocols with IPv4 by name and by number.
  const v6Only = protocol !== null && (IPV6_ONLY_PROTOCOL_NAMES.has(protocol) || [...IPV6_ONLY_PROTOCOL_NAMES].some((n) => String(IP_PROTOCOL_NUMBERS[n] ?? '') === protocol));
  if (ethertype === 'IPv4' && v6Only) {
    throw new InvalidInput(`Invalid ethertype ${ethertype} for protocol ${protocol}.`, 'SecurityGroupEthertypeConflictWithProtocol');
  }
  if (ethertype === 'IPv6' && protocol === 'icmp') protocol = 'ipv6-icmp';
  if (portRangeMin === 1 && portRangeMax === 65535 && PORT_PROTOCOL_NUMBERS.has(protocolNumber(protocol) ?? -1)) {
    portRangeMin = null;
    portRangeMax = null;
  }
  return {
    securityGroupId: input.securityGroupId,
    direction: input.direction,
    ethertype,
    protocol,
    portRangeMin,
    portRangeMax,
    remoteIpPrefix,
    remoteGroupId,
    remoteAddressGroupId,
    description: input.description ?? '',
  };
}
