/**
 * The simulator's realized state: every applied host spec merged into one fabric with the lookup
 * tables the pipeline needs (who owns an address on a segment, which router serves a floating IP,
 * compiled ACL matchers). Rebuilt from specs on apply, never mutated by traces.
 * Driver layer: imports core/network (spec, addresses) only.
 */

import { parseCidr, parseIp, type Cidr } from '../../../core/network/topology/ip-address.js';
import type { AclRuleSpec, AclSpec, DhcpSpec, HostSpec, PortSpec, RouterSpec, SegmentSpec } from '../../../core/network/plan/spec.js';

export interface CompiledRule {
  spec: AclRuleSpec;
  version: 4 | 6;
  prefix: Cidr | null;
  /** Remote-group members: exact addresses, plus prefixes from allowed address pairs. */
  memberAddresses: Set<string> | null;
  memberPrefixes: Cidr[];
}

export interface CompiledAcl {
  spec: AclSpec;
  ingress: CompiledRule[];
  egress: CompiledRule[];
}

export interface FloatingIpEntry {
  routerId: string;
  floatingIpAddress: string;
  fixedIpAddress: string;
  portId: string;
}

export class Fabric {
  readonly segments = new Map<string, SegmentSpec>();
  readonly ports = new Map<string, PortSpec>();
  readonly routers = new Map<string, RouterSpec>();
  readonly dhcp = new Map<string, DhcpSpec>();
  readonly acls = new Map<string, CompiledAcl>();
  /** network -> canonical address -> ports that own it (fixed IPs, router addresses, FIPs on gateways) */
  readonly owners = new Map<string, Map<string, string[]>>();
  /** network -> canonical address -> workload ports claiming it as an extra address (VIPs, routed prefixes) */
  readonly extraOwners = new Map<string, Map<string, string[]>>();
  /** network -> number of realized ports (how far an ARP broadcast floods) */
  readonly portCount = new Map<string, number>();
  /** floating address -> entry */
  readonly floatingIps = new Map<string, FloatingIpEntry>();
  /** fixed address -> floating entry, per router */
  readonly floatingByFixed = new Map<string, FloatingIpEntry>();
  /** canonical address -> workload ports holding it as a fixed IP (for `{ip}` endpoints) */
  readonly workloadsByIp = new Map<string, string[]>();

  static build(specs: Iterable<HostSpec>): Fabric {
    const f = new Fabric();
    const newer = <T extends { generation: number }>(m: Map<string, T>, k: string, v: T) => {
      const old = m.get(k);
      if (!old || old.generation <= v.generation) m.set(k, v);
    };
    const aclSpecs = new Map<string, AclSpec>();
    for (const h of specs) {
      for (const s of h.segments) newer(f.segments, s.networkId, s);
      for (const p of h.ports) f.ports.set(p.portId, p);
      for (const r of h.routers) f.routers.set(r.routerId, r);
      for (const d of h.dhcp) newer(f.dhcp, d.networkId, d);
      for (const a of h.acls) newer(aclSpecs, a.groupId, a);
    }
    for (const a of aclSpecs.values()) f.acls.set(a.groupId, compileAcl(a));
    for (const p of f.ports.values()) {
      f.portCount.set(p.networkId, (f.portCount.get(p.networkId) ?? 0) + 1);
      for (const ip of p.ips) {
        f.own(p.networkId, ip.ipAddress, p.portId);
        if (p.kind === 'workload') push(f.workloadsByIp, canonical(ip.ipAddress), p.portId);
      }
      for (const a of p.workload?.extraAddresses ?? []) {
        let m = f.extraOwners.get(p.networkId);
        if (!m) f.extraOwners.set(p.networkId, (m = new Map()));
        push(m, canonical(a), p.portId);
      }
    }
    for (const r of f.routers.values()) {
      for (const fip of r.floatingIps) {
        const e: FloatingIpEntry = { routerId: r.routerId, ...fip };
        f.floatingIps.set(canonical(fip.floatingIpAddress), e);
        f.floatingByFixed.set(`${r.routerId}|${canonical(fip.fixedIpAddress)}`, e);
        // The gateway port answers ARP for the router's floating IPs.
        if (r.gateway) f.own(r.gateway.networkId, fip.floatingIpAddress, r.gateway.portId);
      }
    }
    return f;
  }

  private own(networkId: string, ip: string, portId: string): void {
    let m = this.owners.get(networkId);
    if (!m) this.owners.set(networkId, (m = new Map()));
    push(m, canonical(ip), portId);
  }

  ownersOf(networkId: string, ip: string): string[] {
    return this.owners.get(networkId)?.get(canonical(ip)) ?? [];
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const a = m.get(k);
  if (a) a.push(v);
  else m.set(k, [v]);
}

export function canonical(ip: string): string {
  const a = parseIp(ip);
  if (!a) return ip;
  return a.version === 4 ? ip : a.value.toString(16);
}

function compileRule(r: AclRuleSpec): CompiledRule {
  let memberAddresses: Set<string> | null = null;
  const memberPrefixes: Cidr[] = [];
  if (r.remoteAddresses) {
    memberAddresses = new Set();
    for (const a of r.remoteAddresses) {
      if (a.includes('/')) {
        const c = parseCidr(a);
        if (c) memberPrefixes.push(c);
      } else memberAddresses.add(canonical(a));
    }
  }
  return {
    spec: r,
    version: r.ethertype === 'IPv6' ? 6 : 4,
    prefix: r.remoteIpPrefix ? parseCidr(r.remoteIpPrefix) : null,
    memberAddresses,
    memberPrefixes,
  };
}

function compileAcl(a: AclSpec): CompiledAcl {
  const rules = a.rules.map(compileRule);
  return { spec: a, ingress: rules.filter((r) => r.spec.direction === 'ingress'), egress: rules.filter((r) => r.spec.direction === 'egress') };
}
