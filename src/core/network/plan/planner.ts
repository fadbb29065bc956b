/**
 * The network planner: a pure compiler from the logical topology to per-host specs, in the manner of
 * OVN's northd. It compiles small units (one per port, segment, router, DHCP network, security
 * group), keeps them, and on an incremental change recompiles only the units the change touches,
 * then reassembles only the hosts whose units changed. Pure core: imports core/network only.
 */

import { DEFAULT_HOST_ID, type Topology } from '../topology/topology.js';
import {
  compileAcl,
  compileDhcp,
  compilePort,
  compileRouter,
  compileSegment,
  resolveFloatingIpRouter,
  type CompileOptions,
} from './compile-unit.js';
import type { AclSpec, DhcpSpec, HostSpec, PortSpec, RouterSpec, SegmentSpec } from './spec.js';
import { TopologyIndex, isRouterOwner } from './topology-index.js';

export type UnitKind = 'port' | 'segment' | 'router' | 'dhcp' | 'acl';
/** `${kind}:${id}` */
export type UnitKey = string;

type Collections = Omit<Topology, 'generation'>;

/** A delta against the planner's current topology. Upserts replace whole entities by id. */
export interface TopologyChange {
  generation: number;
  upsert?: Partial<Collections>;
  remove?: Partial<Record<keyof Collections, string[]>>;
}

export interface PlanResult {
  generation: number;
  /** Units recompiled by this call, sorted (`port:p1`, `acl:sg-web`, …). */
  recompiled: UnitKey[];
  /** Hosts whose spec content changed (beyond the generation number). */
  changedHosts: string[];
}

export interface PlannerOptions {
  networkHostId?: string;
  underlayMtu?: number;
  dhcpLeaseSeconds?: number;
}

function bump<K>(m: Map<K, number>, k: K, d: number): number {
  const v = (m.get(k) ?? 0) + d;
  if (v <= 0) m.delete(k);
  else m.set(k, v);
  return v;
}
function addTo<K, V>(m: Map<K, Set<V>>, k: K, v: V): void {
  let set = m.get(k);
  if (!set) m.set(k, (set = new Set()));
  set.add(v);
}
function nested<K1, K2>(m: Map<K1, Map<K2, number>>, k1: K1): Map<K2, number> {
  let x = m.get(k1);
  if (!x) m.set(k1, (x = new Map()));
  return x;
}

export class Planner {
  private readonly opts: CompileOptions;
  private ix = new TopologyIndex();
  private readonly portSpecs = new Map<string, PortSpec>();
  private readonly segmentSpecs = new Map<string, SegmentSpec>();
  private readonly routerSpecs = new Map<string, RouterSpec>();
  private readonly dhcpSpecs = new Map<string, DhcpSpec>();
  private readonly aclSpecs = new Map<string, AclSpec>();
  /** host -> ports placed there */
  private readonly portsByHost = new Map<string, Set<string>>();
  /** network -> host -> number of ports: gives segment membership and tunnel peers */
  private readonly networkHosts = new Map<string, Map<string, number>>();
  /** host -> network -> number of ports (the inverse of networkHosts, for assembly) */
  private readonly hostNetworks = new Map<string, Map<string, number>>();
  private readonly routersByHost = new Map<string, Set<string>>();
  private readonly dhcpByHost = new Map<string, Set<string>>();
  /** host -> group -> number of ports using it */
  private readonly groupsByHost = new Map<string, Map<string, number>>();
  private readonly hostSpecCache = new Map<string, HostSpec>();
  private readonly fipRouter = new Map<string, string | null>();

  constructor(options: PlannerOptions = {}) {
    this.opts = {
      networkHostId: options.networkHostId ?? DEFAULT_HOST_ID,
      underlayMtu: options.underlayMtu ?? 1500,
      dhcpLeaseSeconds: options.dhcpLeaseSeconds ?? 86400,
    };
  }

  get generation(): number {
    return this.ix.generation;
  }

  /** Compiles a whole topology from scratch, forgetting anything compiled before. */
  load(t: Topology): PlanResult {
    this.ix = TopologyIndex.from(t);
    for (const m of [this.portSpecs, this.segmentSpecs, this.routerSpecs, this.dhcpSpecs, this.aclSpecs]) m.clear();
    this.portsByHost.clear();
    this.networkHosts.clear();
    this.hostNetworks.clear();
    this.routersByHost.clear();
    this.dhcpByHost.clear();
    this.groupsByHost.clear();
    this.hostSpecCache.clear();
    this.fipRouter.clear();
    const dirty = new Set<UnitKey>();
    for (const id of this.ix.ports.keys()) dirty.add(`port:${id}`);
    for (const id of this.ix.networks.keys()) dirty.add(`segment:${id}`).add(`dhcp:${id}`);
    for (const id of this.ix.routers.keys()) dirty.add(`router:${id}`);
    for (const id of this.ix.securityGroups.keys()) dirty.add(`acl:${id}`);
    return this.recompile(dirty);
  }

  /** Applies a delta and recompiles only the units it touches. */
  update(change: TopologyChange): PlanResult {
    const ix = this.ix;
    ix.generation = change.generation;
    const dirty = new Set<UnitKey>();
    const up = change.upsert ?? {};
    const rm = change.remove ?? {};

    const touchPort = (id: string) => {
      const p = ix.ports.get(id);
      if (!p) return;
      dirty.add(`port:${id}`).add(`dhcp:${p.networkId}`);
      for (const g of p.securityGroupIds) for (const h of ix.groupsReferencing.get(g) ?? []) dirty.add(`acl:${h}`);
      if (isRouterOwner(p.deviceOwner)) {
        dirty.add(`router:${p.deviceId}`);
        // An interface may change which router serves a floating IP on the same external network.
        const gw = ix.routers.get(p.deviceId)?.externalGateway;
        if (gw) for (const r of ix.routersByGatewayNetwork.get(gw.networkId) ?? []) dirty.add(`router:${r}`);
      }
      for (const f of ix.floatingIpsByPort.get(id) ?? []) this.touchFip(f, dirty);
    };
    const touchNetwork = (id: string) => {
      dirty.add(`segment:${id}`).add(`dhcp:${id}`);
      for (const p of ix.portsByNetwork.get(id) ?? []) {
        dirty.add(`port:${p}`);
        const port = ix.ports.get(p)!;
        if (isRouterOwner(port.deviceOwner)) dirty.add(`router:${port.deviceId}`);
      }
      for (const r of ix.routersByGatewayNetwork.get(id) ?? []) dirty.add(`router:${r}`);
    };
    const touchRouter = (id: string) => {
      dirty.add(`router:${id}`);
      for (const p of ix.portsByRouter.get(id) ?? []) dirty.add(`port:${p}`);
      const gw = ix.routers.get(id)?.externalGateway;
      if (gw) for (const r of ix.routersByGatewayNetwork.get(gw.networkId) ?? []) dirty.add(`router:${r}`);
    };

    // Everything is marked twice, before and after the change, so both the old and new neighbours recompile.
    for (const p of up.ports ?? []) touchPort(p.id);
    for (const id of rm.ports ?? []) touchPort(id);
    for (const i of up.instances ?? []) for (const p of ix.instances.get(i.id)?.portIds ?? []) dirty.add(`port:${p}`);
    for (const id of rm.instances ?? []) for (const p of ix.instances.get(id)?.portIds ?? []) dirty.add(`port:${p}`);
    for (const n of up.networks ?? []) touchNetwork(n.id);
    for (const id of rm.networks ?? []) touchNetwork(id);
    for (const s of up.subnets ?? []) {
      const old = ix.subnets.get(s.id);
      if (old) touchNetwork(old.networkId);
    }
    for (const id of rm.subnets ?? []) {
      const old = ix.subnets.get(id);
      if (old) touchNetwork(old.networkId);
    }
    for (const r of up.routers ?? []) touchRouter(r.id);
    for (const id of rm.routers ?? []) touchRouter(id);
    for (const f of up.floatingIps ?? []) this.touchFip(f.id, dirty);
    for (const id of rm.floatingIps ?? []) this.touchFip(id, dirty);
    for (const g of up.securityGroups ?? []) dirty.add(`acl:${g.id}`);
    for (const id of rm.securityGroups ?? []) dirty.add(`acl:${id}`);

    for (const id of rm.ports ?? []) ix.removePort(id);
    for (const id of rm.instances ?? []) ix.removeInstance(id);
    for (const id of rm.floatingIps ?? []) ix.removeFloatingIp(id);
    for (const id of rm.routers ?? []) ix.removeRouter(id);
    for (const id of rm.subnets ?? []) ix.removeSubnet(id);
    for (const id of rm.networks ?? []) ix.removeNetwork(id);
    for (const id of rm.securityGroups ?? []) ix.removeSecurityGroup(id);
    for (const x of up.networks ?? []) ix.putNetwork(x);
    for (const x of up.subnets ?? []) ix.putSubnet(x);
    for (const x of up.securityGroups ?? []) ix.putSecurityGroup(x);
    for (const x of up.routers ?? []) ix.putRouter(x);
    for (const x of up.ports ?? []) ix.putPort(x);
    for (const x of up.instances ?? []) ix.putInstance(x);
    for (const x of up.floatingIps ?? []) ix.putFloatingIp(x);

    for (const p of up.ports ?? []) touchPort(p.id);
    for (const i of up.instances ?? []) for (const p of i.portIds) dirty.add(`port:${p}`);
    for (const n of up.networks ?? []) touchNetwork(n.id);
    for (const s of up.subnets ?? []) touchNetwork(s.networkId);
    for (const r of up.routers ?? []) touchRouter(r.id);
    for (const f of up.floatingIps ?? []) this.touchFip(f.id, dirty);
    return this.recompile(dirty);
  }

  private touchFip(fipId: string, dirty: Set<UnitKey>): void {
    const before = this.fipRouter.get(fipId);
    if (before) dirty.add(`router:${before}`);
    const now = resolveFloatingIpRouter(this.ix, fipId);
    if (now) dirty.add(`router:${now}`);
  }

  private recompile(dirty: Set<UnitKey>): PlanResult {
    const changedHosts = new Set<string>();
    let keys = [...dirty];
    const of = (kind: UnitKind) => keys.filter((k) => k.startsWith(`${kind}:`)).map((k) => k.slice(kind.length + 1));

    // Ports first: their placement decides segment membership and which ACLs each host needs.
    for (const id of of('port')) {
      const old = this.portSpecs.get(id);
      const spec = compilePort(this.ix, id, this.opts);
      if (old) {
        changedHosts.add(old.hostId);
        this.portsByHost.get(old.hostId)?.delete(id);
        if (bump(nested(this.networkHosts, old.networkId), old.hostId, -1) === 0) dirty.add(`segment:${old.networkId}`);
        bump(nested(this.hostNetworks, old.hostId), old.networkId, -1);
        for (const g of old.securityGroupIds) bump(nested(this.groupsByHost, old.hostId), g, -1);
        this.portSpecs.delete(id);
      }
      if (spec) {
        changedHosts.add(spec.hostId);
        let set = this.portsByHost.get(spec.hostId);
        if (!set) this.portsByHost.set(spec.hostId, (set = new Set()));
        set.add(id);
        if (bump(nested(this.networkHosts, spec.networkId), spec.hostId, 1) === 1) dirty.add(`segment:${spec.networkId}`);
        bump(nested(this.hostNetworks, spec.hostId), spec.networkId, 1);
        for (const g of spec.securityGroupIds) bump(nested(this.groupsByHost, spec.hostId), g, 1);
        this.portSpecs.set(id, spec);
      }
    }
    // Placement changes above may have added segment units.
    keys = [...dirty];

    for (const id of of('segment')) {
      const spec = compileSegment(this.ix, id, this.networkHosts.get(id)?.keys() ?? [], this.opts);
      for (const h of this.segmentSpecs.get(id)?.hosts ?? []) changedHosts.add(h);
      for (const h of spec?.hosts ?? []) changedHosts.add(h);
      if (spec) this.segmentSpecs.set(id, spec);
      else this.segmentSpecs.delete(id);
    }
    for (const id of of('router')) {
      const old = this.routerSpecs.get(id);
      const spec = compileRouter(this.ix, id, this.opts);
      if (old) {
        changedHosts.add(old.hostId);
        this.routersByHost.get(old.hostId)?.delete(id);
      }
      if (spec) {
        changedHosts.add(spec.hostId);
        addTo(this.routersByHost, spec.hostId, id);
        this.routerSpecs.set(id, spec);
        for (const f of spec.floatingIps) this.fipRouter.set(f.floatingIpId, id);
      } else this.routerSpecs.delete(id);
    }
    for (const id of of('dhcp')) {
      const old = this.dhcpSpecs.get(id);
      const spec = compileDhcp(this.ix, id, this.opts);
      if (old) {
        const h = this.dhcpHost(old);
        changedHosts.add(h);
        this.dhcpByHost.get(h)?.delete(id);
      }
      if (spec) {
        const h = this.dhcpHost(spec);
        changedHosts.add(h);
        addTo(this.dhcpByHost, h, id);
        this.dhcpSpecs.set(id, spec);
      } else this.dhcpSpecs.delete(id);
    }
    for (const id of of('acl')) {
      const spec = compileAcl(this.ix, id);
      for (const [h, groups] of this.groupsByHost) if (groups.has(id)) changedHosts.add(h);
      if (spec) this.aclSpecs.set(id, spec);
      else this.aclSpecs.delete(id);
    }
    for (const h of changedHosts) this.hostSpecCache.delete(h);
    return { generation: this.ix.generation, recompiled: keys.sort(), changedHosts: [...changedHosts].sort() };
  }

  private dhcpHost(d: DhcpSpec): string {
    return (d.serverPortId && this.portSpecs.get(d.serverPortId)?.hostId) || this.opts.networkHostId;
  }

  /** Every host that has anything to realize, sorted. */
  hosts(): string[] {
    const hs = new Set<string>();
    for (const m of [this.portsByHost, this.routersByHost, this.dhcpByHost]) for (const [h, set] of m) if (set.size) hs.add(h);
    return [...hs].sort();
  }

  /** The spec for one host at the current generation; assembled on demand, cached until a unit of it changes. */
  hostSpec(hostId: string): HostSpec {
    const cached = this.hostSpecCache.get(hostId);
    if (cached) return cached.generation === this.ix.generation ? cached : { ...cached, generation: this.ix.generation };
    const byKey = <T>(m: Map<string, T>, ids: Iterable<string>) =>
      [...ids].sort().map((id) => m.get(id)).filter((x): x is T => x !== undefined);
    const networks = new Set<string>(this.hostNetworks.get(hostId)?.keys() ?? []);
    const routers = this.routersByHost.get(hostId) ?? [];
    const dhcp = this.dhcpByHost.get(hostId) ?? [];
    for (const d of dhcp) networks.add(d);
    const spec: HostSpec = {
      hostId,
      generation: this.ix.generation,
      segments: byKey(this.segmentSpecs, networks),
      ports: byKey(this.portSpecs, this.portsByHost.get(hostId) ?? []),
      routers: byKey(this.routerSpecs, routers),
      dhcp: byKey(this.dhcpSpecs, dhcp),
      acls: byKey(this.aclSpecs, this.groupsByHost.get(hostId)?.keys() ?? []),
    };
    this.hostSpecCache.set(hostId, spec);
    return spec;
  }

  hostSpecs(): HostSpec[] {
    return this.hosts().map((h) => this.hostSpec(h));
  }

  /** Counts of compiled units, for tests and benchmarks. */
  unitCounts(): Record<UnitKind, number> {
    return {
      port: this.portSpecs.size,
      segment: this.segmentSpecs.size,
      router: this.routerSpecs.size,
      dhcp: this.dhcpSpecs.size,
      acl: this.aclSpecs.size,
    };
  }
}

/** One-shot compile: topology in, every host's spec out. */
export function planTopology(t: Topology, options: PlannerOptions = {}): HostSpec[] {
  const p = new Planner(options);
  p.load(t);
  return p.hostSpecs();
}
