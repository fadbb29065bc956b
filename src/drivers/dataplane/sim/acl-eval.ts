/**
 * Security-group evaluation for the simulator: does any rule of a port's groups allow this packet in
 * this direction? Returns the deciding rule, or a sentence naming every group that said no, because
 * "which rule" and "why not" are the questions people bring to a trace. Conntrack is the caller's.
 * Driver layer: imports core/network and the fabric.
 */

import { cidrContains, parseIp } from '../../../core/network/topology/ip-address.js';
import { protocolName } from '../../../core/network/plan/spec.js';
import { canonical, type CompiledRule, type Fabric } from './fabric.js';

export interface AclPacket {
  version: 4 | 6;
  /** IP protocol number */
  protocol: number;
  srcIp: string;
  dstIp: string;
  dstPort?: number;
  icmpType?: number;
  icmpCode?: number;
}

export interface AclDecision {
  allowed: boolean;
  ruleId?: string;
  groupId?: string;
  detail: string;
}

export function describeFlow(p: AclPacket): string {
  const proto = protocolName(p.protocol);
  if (p.protocol === 6 || p.protocol === 17) return `${proto}/${p.dstPort}`;
  if (p.protocol === 1 || p.protocol === 58) return `${proto} type ${p.icmpType ?? 8}`;
  return proto;
}

function remoteMatches(r: CompiledRule, remote: string): boolean {
  if (r.prefix) {
    const a = parseIp(remote);
    return !!a && cidrContains(r.prefix, a);
  }
  if (r.memberAddresses) {
    if (r.memberAddresses.has(canonical(remote))) return true;
    if (r.memberPrefixes.length === 0) return false;
    const a = parseIp(remote);
    return !!a && r.memberPrefixes.some((c) => cidrContains(c, a));
  }
  return true;
}

export function ruleMatches(r: CompiledRule, p: AclPacket, remote: string): boolean {
  const s = r.spec;
  if (r.version !== p.version) return false;
  if (s.protocol !== null && s.protocol !== p.protocol) return false;
  if (s.protocol === 6 || s.protocol === 17 || s.protocol === 132) {
    if (s.portMin !== null && (p.dstPort === undefined || p.dstPort < s.portMin)) return false;
    if (s.portMax !== null && (p.dstPort === undefined || p.dstPort > s.portMax)) return false;
  }
  if (s.protocol === 1 || s.protocol === 58) {
    if (s.icmpType !== null && s.icmpType !== p.icmpType) return false;
    if (s.icmpCode !== null && s.icmpCode !== (p.icmpCode ?? 0)) return false;
  }
  return remoteMatches(r, remote);
}

/** Evaluates the groups of a port; a missing group allows nothing (fail closed). */
export function evaluateAcl(
  fabric: Fabric,
  groupIds: string[],
  direction: 'ingress' | 'egress',
  p: AclPacket,
): AclDecision {
  const remote = direction === 'ingress' ? p.srcIp : p.dstIp;
  for (const g of groupIds) {
    const acl = fabric.acls.get(g);
    if (!acl) continue;
    for (const r of direction === 'ingress' ? acl.ingress : acl.egress) {
      if (ruleMatches(r, p, remote)) {
        return { allowed: true, ruleId: r.spec.ruleId, groupId: g, detail: `rule ${r.spec.ruleId} of group ${g} allows ${describeFlow(p)} ${direction === 'ingress' ? 'from' : 'to'} ${remote}` };
      }
    }
  }
  const groups = groupIds.length ? `groups ${groupIds.join(', ')}` : 'no security groups';
  return {
    allowed: false,
    detail:
      direction === 'ingress'
        ? `default drop: no rule of ${groups} allows ${describeFlow(p)} from ${remote}`
        : `default drop: no egress rule of ${groups} allows ${describeFlow(p)} to ${remote}`,
  };
}

/** Neutron forbids mixing stateful and stateless groups on a port; if it happens, stateless wins (fail closed). */
export function isStateful(fabric: Fabric, groupIds: string[]): boolean {
  return groupIds.every((g) => fabric.acls.get(g)?.spec.stateful ?? true);
}
