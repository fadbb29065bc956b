/**
 * Mutable indexes over a topology, kept by the planner between updates so that finding "what does
 * this port touch" is a few map lookups instead of a scan. Pure core: imports the topology model.
 */

import type {
  FloatingIp,
  Instance,
  Network,
  Port,
  Router,
  SecurityGroup,
  Subnet,
  Topology,
} from '../topology/topology.js';

function addTo<K, V>(m: Map<K, Set<V>>, k: K, v: V): void {
  let s = m.get(k);
  if (!s) m.set(k, (s = new Set()));
  s.add(v);
}
function delFrom<K, V>(m: Map<K, Set<V>>, k: K, v: V): void {
  const s = m.get(k);
  if (!s) return;
  s.delete(v);
  if (s.size === 0) m.delete(k);
}

export class TopologyIndex {
  generation = 0;
  readonly networks = new Map<string, Network>();
  readonly subnets = new Map<string, Subnet>();
  readonly ports = new Map<string, Port>();
  readonly routers = new Map<string, Router>();
  readonly floatingIps = new Map<string, FloatingIp>();
  readonly securityGroups = new Map<string, SecurityGroup>();
  readonly instances = new Map<string, Instance>();

  readonly subnetsByNetwork = new Map<string, Set<string>>();
  readonly portsByNetwork = new Map<string, Set<string>>();
  readonly portsByGroup = new Map<string, Set<string>>();
  /** remote group id -> groups with a rule naming it */
  readonly groupsReferencing = new Map<string, Set<string>>();
  readonly portsByRouter = new Map<string, Set<string>>();
  readonly floatingIpsByPort = new Map<string, Set<string>>();
  readonly routersByGatewayNetwork = new Map<string, Set<string>>();
  readonly instanceByPort = new Map<string, string>();

  static from(t: Topology): TopologyIndex {
    const ix = new TopologyIndex();
    ix.generation = t.generation;
    for (const x of t.networks) ix.putNetwork(x);
    for (const x of t.subnets) ix.putSubnet(x);
    for (const x of t.securityGroups) ix.putSecurityGroup(x);
    for (const x of t.routers) ix.putRouter(x);
    for (const x of t.ports) ix.putPort(x);
    for (const x of t.instances) ix.putInstance(x);
    for (const x of t.floatingIps) ix.putFloatingIp(x);
    return ix;
  }

  putNetwork(n: Network): Network | undefined {
    const old = this.networks.get(n.id);
    this.networks.set(n.id, n);
    return old;
  }
  removeNetwork(id: string): Network | undefined {
    const old = this.networks.get(id);
    this.networks.delete(id);
    return old;
  }

  putSubnet(s: Subnet): Subnet | undefined {
    const old = this.removeSubnet(s.id);
    this.subnets.set(s.id, s);
    addTo(this.subnetsByNetwork, s.networkId, s.id);
    return old;
  }
  removeSubnet(id: string): Subnet | undefined {
    const old = this.subnets.get(id);
    if (old) {
      this.subnets.delete(id);
      delFrom(this.subnetsByNetwork, old.networkId, id);
    }
    return old;
  }

  putPort(p: Port): Port | undefined {
    const old = this.removePort(p.id);
    this.ports.set(p.id, p);
    addTo(this.portsByNetwork, p.networkId, p.id);
    for (const g of p.securityGroupIds) addTo(this.portsByGroup, g, p.id);
    if (isRouterOwner(p.deviceOwner)) addTo(this.portsByRouter, p.deviceId, p.id);
    return old;
  }
  removePort(id: string): Port | undefined {
    const old = this.ports.get(id);
    if (old) {
      this.ports.delete(id);
      delFrom(this.portsByNetwork, old.networkId, id);
      for (const g of old.securityGroupIds) delFrom(this.portsByGroup, g, id);
      if (isRouterOwner(old.deviceOwner)) delFrom(this.portsByRouter, old.deviceId, id);
    }
    return old;
  }

  putRouter(r: Router): Router | undefined {
    const old = this.removeRouter(r.id);
    this.routers.set(r.id, r);
    if (r.externalGateway) addTo(this.routersByGatewayNetwork, r.externalGateway.networkId, r.id);
    return old;
  }
  removeRouter(id: string): Router | undefined {
    const old = this.routers.get(id);
    if (old) {
      this.routers.delete(id);
      if (old.externalGateway) delFrom(this.routersByGatewayNetwork, old.externalGateway.networkId, id);
    }
    return old;
  }

  putFloatingIp(f: FloatingIp): FloatingIp | undefined {
    const old = this.removeFloatingIp(f.id);
    this.floatingIps.set(f.id, f);
    if (f.portId) addTo(this.floatingIpsByPort, f.portId, f.id);
    return old;
  }
  removeFloatingIp(id: string): FloatingIp | undefined {
    const old = this.floatingIps.get(id);
    if (old) {
      this.floatingIps.delete(id);
      if (old.portId) delFrom(this.floatingIpsByPort, old.portId, id);
    }
    return old;
  }

  putSecurityGroup(g: SecurityGroup): SecurityGroup | undefined {
    const old = this.removeSecurityGroup(g.id);
    this.securityGroups.set(g.id, g);
    for (const r of g.rules) if (r.remoteGroupId) addTo(this.groupsReferencing, r.remoteGroupId, g.id);
    return old;
  }
  removeSecurityGroup(id: string): SecurityGroup | undefined {
    const old = this.securityGroups.get(id);
    if (old) {
      this.securityGroups.delete(id);
      for (const r of old.rules) if (r.remoteGroupId) delFrom(this.groupsReferencing, r.remoteGroupId, id);
    }
    return old;
  }

  putInstance(i: Instance): Instance | undefined {
    const old = this.removeInstance(i.id);
    this.instances.set(i.id, i);
    for (const p of i.portIds) this.instanceByPort.set(p, i.id);
    return old;
  }
  removeInstance(id: string): Instance | undefined {
    const old = this.instances.get(id);
    if (old) {
      this.instances.delete(id);
      for (const p of old.portIds) if (this.instanceByPort.get(p) === id) this.instanceByPort.delete(p);
    }
    return old;
  }
}

export function isRouterOwner(owner: string): boolean {
  return owner === 'network:router_interface' || owner === 'network:router_gateway';
}
