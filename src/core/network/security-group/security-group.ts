/**
 * Security groups themselves: create-time validation (name, stateful) and the rules Neutron gives
 * a new group: egress to anywhere over IPv4 and IPv6 for every group, plus, for a project's
 * `default` group, ingress from members of the same group over both families. Pure core.
 */
import { InUse, InvalidInput } from '../../errors.js';
import { type SecurityGroupRuleSpec } from './security-group-rule.js';

export const DEFAULT_SECURITY_GROUP_NAME = 'default';

export interface SecurityGroupInput {
  name?: unknown;
  description?: unknown;
  stateful?: unknown;
}

export interface SecurityGroupSpec {
  name: string;
  description: string;
  stateful: boolean;
}

function toBoolean(attr: string, value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const v = value.toLowerCase();
    if (v === 'true' || v === '1') return true;
    if (v === 'false' || v === '0') return false;
  }
  if (value === 0 || value === 1) return value === 1;
  throw new InvalidInput(`Invalid input for ${attr}. Reason: '${String(value)}' cannot be converted to boolean.`, 'HTTPBadRequest');
}

/**
 * Validates a user's create request. Users may not create a second group named `default`
 * (SecurityGroupDefaultAlreadyExists, 409); the service creates the real one itself with
 * `{ allowDefaultName: true }`.
 */
export function validateSecurityGroupCreate(input: SecurityGroupInput, options: { allowDefaultName?: boolean } = {}): SecurityGroupSpec {
  const name = input.name ?? '';
  if (typeof name !== 'string' || name.length > 255) {
    throw new InvalidInput(`Invalid input for name. Reason: '${String(name)}' is not a valid string.`, 'HTTPBadRequest');
  }
  if (!options.allowDefaultName && name.toLowerCase() === DEFAULT_SECURITY_GROUP_NAME) {
    throw new InUse('Default security group already exists.', 'SecurityGroupDefaultAlreadyExists');
  }
  const description = input.description ?? '';
  if (typeof description !== 'string' || description.length > 255) {
    throw new InvalidInput(`Invalid input for description. Reason: '${String(description)}' is not a valid string.`, 'HTTPBadRequest');
  }
  const stateful = input.stateful === undefined || input.stateful === null ? true : toBoolean('stateful', input.stateful);
  return { name, description, stateful };
}

function rule(groupId: string, direction: 'ingress' | 'egress', ethertype: 'IPv4' | 'IPv6', remoteGroupId: string | null): SecurityGroupRuleSpec {
  return {
    securityGroupId: groupId,
    direction,
    ethertype,
    protocol: null,
    portRangeMin: null,
    portRangeMax: null,
    remoteIpPrefix: null,
    remoteGroupId,
    remoteAddressGroupId: null,
    description: '',
  };
}

/** The rules a newly created group starts with. */
export function initialSecurityGroupRules(groupId: string, options: { isDefaultGroup: boolean }): SecurityGroupRuleSpec[] {
  const rules = [rule(groupId, 'egress', 'IPv4', null), rule(groupId, 'egress', 'IPv6', null)];
  if (options.isDefaultGroup) rules.push(rule(groupId, 'ingress', 'IPv4', groupId), rule(groupId, 'ingress', 'IPv6', groupId));
  return rules;
}
