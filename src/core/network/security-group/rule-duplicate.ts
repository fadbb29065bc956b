/**
 * Duplicate detection for security-group rules: a new rule that means the same as an existing one
 * in the group is refused with SecurityGroupRuleExists (409) naming the existing rule. "Means the
 * same" ignores description, compares protocols by number (tcp == 6, icmpv6 == ipv6-icmp), and
 * treats a 0.0.0.0/0 or ::/0 remote prefix like no prefix. Pure core.
 */
import { Conflict } from '../../errors.js';
import { protocolNumber } from './protocol.js';
import { type SecurityGroupRuleSpec } from './security-group-rule.js';

export interface StoredRule extends SecurityGroupRuleSpec {
  id: string;
}

/** A string equal for two rules exactly when they filter the same traffic. */
export function ruleIdentity(rule: SecurityGroupRuleSpec): string {
  const prefix = rule.remoteIpPrefix === '0.0.0.0/0' || rule.remoteIpPrefix === '::/0' ? null : rule.remoteIpPrefix;
  return JSON.stringify([
    rule.securityGroupId,
    rule.direction,
    rule.ethertype,
    protocolNumber(rule.protocol),
    rule.portRangeMin,
    rule.portRangeMax,
    prefix,
    rule.remoteGroupId,
    rule.remoteAddressGroupId,
  ]);
}

export function findDuplicateRule(rule: SecurityGroupRuleSpec, existing: readonly StoredRule[]): StoredRule | null {
  const key = ruleIdentity(rule);
  return existing.find((r) => ruleIdentity(r) === key) ?? null;
}

export function assertNotDuplicateRule(rule: SecurityGroupRuleSpec, existing: readonly StoredRule[]): void {
  const dup = findDuplicateRule(rule, existing);
  if (dup !== null) {
    throw new Conflict(`Security group rule already exists. Rule id is ${dup.id}.`, 'SecurityGroupRuleExists');
  }
}

/** Bulk create: two equal rules in one request are refused (DuplicateSecurityGroupRuleInPost, 409). */
export function assertNoDuplicatesInRequest(rules: readonly SecurityGroupRuleSpec[]): void {
  const seen = new Set<string>();
  for (const r of rules) {
    const k = ruleIdentity(r);
    if (seen.has(k)) throw new Conflict('Duplicate Security Group Rule in POST.', 'DuplicateSecurityGroupRuleInPost');
    seen.add(k);
  }
}
