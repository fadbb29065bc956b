/**
 * The simulator's forwarding pipeline, walked hop by hop for one packet: port egress (admin state,
 * anti-spoofing, egress ACL), segment (admin state, MTU, tunnel), neighbor resolution (ARP/NDP),
 * router (TTL, DNAT/un-SNAT, longest-prefix route, SNAT, egress MTU), the outside world, and port
 * ingress (ACL with conntrack, admin state, the workload's listeners). Each stage appends a hop to
 * the run; the first stage that refuses ends the walk. Driver layer: imports core/network and ports.
 */

import { cidrContains, parseCidr, parseIp } from '../../../core/network/topology/ip-address.js';
import type { PortSpec, RouterSpec, SegmentSpec } from '../../../core/network/plan/spec.js';
import { evaluateAcl, isStateful, type AclPacket } from './acl-eval.js';
import { canonical, type Fabric } from './fabric.js';
import { ICMP_ECHO_REQUEST, flowKey, protocolNumber, type Outcome, type SimPacket, type TraceRun } from './packet.js';

/** Addresses the outside world never routes (RFC 1918, shared CGN space, ULA): a packet for them that leaves the cloud is lost. */
const PRIVATE_PREFIXES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', 'fc00::/7'];

/** Where the internet lives: what outside endpoints default to. */
export const OUTSIDE_DEFAULT_IP = { 4: '198.51.100.10', 6: '2001:db8:ffff::10' } as const;

const aclPacket = (p: SimPacket): AclPacket => ({
  version: p.version,
  protocol: protocolNumber(p),
  srcIp: p.srcIp,
  dstIp: p.dstIp,
  ...(p.dstPort !== undefined ? { dstPort: p.dstPort } : {}),
  ...(p.icmpType !== undefined ? { icmpType: p.icmpType } : {}),
});

const describe = (p: SimPacket) =>
  `${p.protocol}${p.dstPort !== undefined ? `/${p.dstPort}` : ''} ${p.srcIp} → ${p.dstIp}`;

function inAny(cidrs: string[], ip: string): boolean {
  const a = parseIp(ip);
  return !!a && cidrs.some((c) => {
    const cc = parseCidr(c);
    return !!cc && cidrContains(cc, a);
  });
}

export class Pipeline {
  constructor(private readonly fabric: Fabric) {}

  /** A packet leaves a workload (or DHCP) port. */
  fromPort(run: TraceRun, port: PortSpec, p: SimPacket): Outcome {
    const id = port.portId;
    if (!port.adminStateUp) return run.stop('dropped', 'port_out', id, `port ${id} is admin down (admin_state_up=false): it sends nothing`);
    run.hop('port_out', id, true, `${p.reply ? 'reply' : 'packet'} ${describe(p)} leaves port ${id} (${p.srcMac}) on host ${port.hostId}`);
    if (port.portSecurityEnabled) {
      const spoof = this.checkSpoof(port, p);
      if (spoof) return run.stop('dropped', 'anti_spoof', id, spoof);
      run.hop('anti_spoof', id, true, `source ${p.srcMac} / ${p.srcIp} belongs to port ${id}`);
      const zone = id;
      if (isStateful(this.fabric, port.securityGroupIds) && run.conntrack.has(flowKey(zone, p, true))) {
        run.hop('egress_acl', id, true, 'conntrack: reply of an established flow is allowed');
      } else {
        const d = evaluateAcl(this.fabric, port.securityGroupIds, 'egress', aclPacket(p));
        if (!d.allowed) return run.stop('dropped', 'egress_acl', id, d.detail);
        run.hop('egress_acl', id, true, d.detail, d.ruleId ? { ruleId: d.ruleId } : {});
        run.conntrack.add(flowKey(zone, p));
      }
    } else {
      run.hop('anti_spoof', id, true, `port security disabled on ${id}: no anti-spoofing, no security groups`);
    }
    // The host's own routing table: on-link, a DHCP host route, else the subnet gateway.
    const seg = this.fabric.segments.get(port.networkId);
    const nexthop = this.hostNextHop(port, p);
    if (!nexthop) return run.stop('no_route', 'route', id, `port ${id} has no route to ${p.dstIp}: not on-link and its subnet has no gateway`);
    if (nexthop.via) run.hop('route', id, true, `${p.dstIp} is off-link: next hop ${nexthop.ip} (${nexthop.via})`, { route: { destination: nexthop.destination, nexthop: nexthop.ip, kind: nexthop.via } });
    if (!seg) return run.stop('dropped', 'segment', port.networkId, `network ${port.networkId} is not realized on any host`);
    return this.switch(run, seg, port.hostId, id, p, nexthop.ip);
  }

  private checkSpoof(port: PortSpec, p: SimPacket): string | null {
    const ip = parseIp(p.srcIp);
    const macOk = p.srcMac === port.macAddress || port.allowedAddressPairs.some((a) => a.macAddress === p.srcMac);
    if (!macOk) return `anti-spoofing: source MAC ${p.srcMac} is not port ${port.portId}'s (${port.macAddress}) nor an allowed address pair's`;
    if (port.ips.some((i) => canonical(i.ipAddress) === canonical(p.srcIp)) && p.srcMac === port.macAddress) return null;
    for (const a of port.allowedAddressPairs) {
      const c = parseCidr(a.ipAddress);
      if (c && ip && cidrContains(c, ip) && a.macAddress === p.srcMac) return null;
    }
    return `anti-spoofing: source ${p.srcIp} from ${p.srcMac} is neither a fixed IP of port ${port.portId} nor an allowed address pair`;
  }

  private hostNextHop(port: PortSpec, p: SimPacket): { ip: string; via: 'connected' | 'host route' | 'gateway' | null; destination: string } | null {
    const seg = this.fabric.segments.get(port.networkId);
    const subnets = (seg?.subnets ?? []).filter((s) => s.ipVersion === p.version);
    if (inAny(subnets.map((s) => s.cidr), p.dstIp)) return { ip: p.dstIp, via: null, destination: p.dstIp };
    const own = subnets.find((s) => inAny([s.cidr], p.srcIp)) ?? subnets.find((s) => port.ips.some((i) => i.subnetId === s.subnetId));
    const dhcpSub = own && this.fabric.dhcp.get(port.networkId)?.subnets.find((s) => s.subnetId === own.subnetId);
    for (const hr of dhcpSub?.hostRoutes ?? []) {
      if (inAny([hr.destination], p.dstIp)) return { ip: hr.nexthop, via: 'host route', destination: hr.destination };
    }
    if (own?.gatewayIp) return { ip: own.gatewayIp, via: 'gateway', destination: p.version === 4 ? '0.0.0.0/0' : '::/0' };
    return null;
  }

  /** A frame for `nexthop` enters segment `seg` from `fromNode` on `fromHost`. */
  switch(run: TraceRun, seg: SegmentSpec, fromHost: string | null, fromNode: string, p: SimPacket, nexthop: string): Outcome {
    const net = seg.networkId;
    if (!seg.adminStateUp) return run.stop('dropped', 'segment', net, `network ${net} is admin down`);
    if (p.size > seg.mtu) {
      return run.stop('mtu_exceeded', 'mtu', net, `${p.size}-byte packet exceeds MTU ${seg.mtu} of network ${net} (${seg.networkType}${seg.overheadBytes ? `, ${seg.overheadBytes} bytes of overlay overhead` : ''}); don't-fragment is set`);
    }
    const nd = p.version === 4 ? 'ARP who-has' : 'NDP neighbor solicitation for';
    const owners = this.fabric.ownersOf(net, nexthop).map((id) => this.fabric.ports.get(id)!).filter((x) => x.portId !== fromNode);
    const segLabel = `${seg.networkType}${seg.segmentationId !== null ? ` ${seg.networkType === 'vlan' ? 'vlan' : 'vni'} ${seg.segmentationId}` : ''}`;
    if (owners.length === 0) {
      // Instances answer for the extra addresses they own, if port security lets the answer out.
      const viaExtra = this.extraAddressOwner(net, nexthop);
      if (viaExtra) owners.push(viaExtra);
    }
    if (owners.length === 0) {
      if (seg.external && this.isUpstream(seg, nexthop)) {
        run.hop('segment', net, true, `network ${net} (${segLabel}, MTU ${seg.mtu}) carries the frame`);
        run.hop('neighbor', net, true, `${nd} ${nexthop}: answered by the upstream gateway of external network ${net}`);
        return this.toOutside(run, net, p);
      }
      return run.stop('no_arp_reply', 'neighbor', net, `${nd} ${nexthop} on network ${net}: no port answers`);
    }
    const target = owners[0]!;
    if (!target.adminStateUp) {
      return run.stop('dropped', 'neighbor', net, `${nd} ${nexthop}: port ${target.portId} owns it but is admin down (admin_state_up=false)`);
    }
    run.hop('segment', net, true, `network ${net} (${segLabel}, MTU ${seg.mtu}) switches the frame`);
    const flood = (this.fabric.portCount.get(net) ?? 0) - (this.fabric.ports.get(fromNode)?.networkId === net ? 1 : 0);
    run.hop('neighbor', net, true, `${nd} ${nexthop} flooded to ${flood} port${flood === 1 ? '' : 's'}, answered by port ${target.portId} (${target.macAddress}); the switch learns it and unicasts the frame`);
    if (fromHost && fromHost !== target.hostId && seg.overheadBytes > 0) {
      run.hop('tunnel', net, true, `${seg.networkType} tunnel ${fromHost} → ${target.hostId} (${segLabel})`);
    }
    return this.arrive(run, target, p);
  }

  private extraAddressOwner(net: string, ip: string): PortSpec | undefined {
    const id = this.fabric.extraOwners.get(net)?.get(canonical(ip))?.[0];
    return id ? this.fabric.ports.get(id) : undefined;
  }

  private isUpstream(seg: SegmentSpec, ip: string): boolean {
    return seg.subnets.some((s) => s.gatewayIp !== null && canonical(s.gatewayIp) === canonical(ip));
  }

  /** A frame reaches a port: a router's, or a workload's ingress. */
  private arrive(run: TraceRun, port: PortSpec, p: SimPacket): Outcome {
    if (port.kind === 'router_interface' || port.kind === 'router_gateway') {
      const r = this.fabric.routers.get(port.deviceId);
      if (!r) return run.stop('dropped', 'router', port.deviceId, `router ${port.deviceId} is not realized`);
      return this.atRouter(run, r, port, p);
    }
    const id = port.portId;
    if (port.portSecurityEnabled) {
      if (isStateful(this.fabric, port.securityGroupIds) && run.conntrack.has(flowKey(id, p, true))) {
        run.hop('ingress_acl', id, true, 'conntrack: reply of an established flow is allowed');
      } else {
        const d = evaluateAcl(this.fabric, port.securityGroupIds, 'ingress', aclPacket(p));
        if (!d.allowed) return run.stop('dropped', 'ingress_acl', id, d.detail);
        run.hop('ingress_acl', id, true, d.detail, d.ruleId ? { ruleId: d.ruleId } : {});
        run.conntrack.add(flowKey(id, p));
      }
    } else {
      run.hop('ingress_acl', id, true, `port security disabled on ${id}: everything is let in`);
    }
    run.hop('port_in', id, true, `delivered to port ${id} on host ${port.hostId}`);
    return this.atWorkload(run, port, p);
  }

  private atWorkload(run: TraceRun, port: PortSpec, p: SimPacket): Outcome {
    const id = port.portId;
    const owned = port.ips.some((i) => canonical(i.ipAddress) === canonical(p.dstIp)) ||
      (port.workload?.extraAddresses ?? []).some((a) => canonical(a) === canonical(p.dstIp));
    if (!owned) return run.stop('dropped', 'workload', id, `${id} does not own ${p.dstIp} and does not forward: packet discarded`);
    const done: Outcome = { verdict: 'delivered', summary: `delivered to ${id}`, reachedNode: id };
    if (p.reply) {
      run.hop('workload', id, true, `the reply reaches the client socket on ${id}`);
      return done;
    }
    const answers = port.kind === 'dhcp'
      ? p.protocol === 'icmp' || (p.protocol === 'udp' && (p.dstPort === 67 || p.dstPort === 53)) || (p.protocol === 'tcp' && p.dstPort === 53)
      : p.protocol === 'icmp'
        ? !!port.workload?.answersPing && p.icmpType === ICMP_ECHO_REQUEST[p.version]
        : !!port.workload?.listeners.some((l) => l.protocol === p.protocol && l.port === p.dstPort);
    if (!answers) {
      const why = p.protocol === 'icmp' ? `${id} does not answer ping` : p.protocol === 'tcp' ? `nothing listens on tcp/${p.dstPort} at ${id}: TCP RST` : `nothing listens on udp/${p.dstPort} at ${id}: ICMP port unreachable`;
      run.hop('workload', id, false, why);
      return { verdict: 'no_listener', summary: why, reachedNode: id };
    }
    const what = p.protocol === 'icmp' ? 'answers the echo request' : `${p.protocol}/${p.dstPort} is listening`;
    run.hop('workload', id, true, `${port.workload?.instanceId ?? id} ${what}`);
    return { ...done, answer: { fromNode: id, packet: p, kind: 'port', networkId: port.networkId } };
  }

  private atRouter(run: TraceRun, r: RouterSpec, inPort: PortSpec, p: SimPacket): Outcome {
    const rid = r.routerId;
    if (!r.adminStateUp) return run.stop('dropped', 'router', rid, `router ${rid} is admin down`);
    if (++run.routerHops > 32) return run.stop('ttl_exceeded', 'router', rid, 'routing loop: more than 32 router hops');
    run.hop('router', rid, true, `router ${rid} receives ${describe(p)} on ${inPort.portId}`);
    // Destination NAT first: floating IPs, then replies to flows this router source-NATed.
    const fip = this.fabric.floatingIps.get(canonical(p.dstIp));
    let dnatted = false;
    if (fip && fip.routerId === rid) {
      run.hop('nat', rid, true, `DNAT floating IP ${fip.floatingIpAddress} → ${fip.fixedIpAddress} (port ${fip.portId})`, { nat: { kind: 'dnat', from: p.dstIp, to: fip.fixedIpAddress } });
      run.dnat.push({ from: fip.floatingIpAddress, to: fip.fixedIpAddress });
      p = { ...p, dstIp: fip.fixedIpAddress };
      dnatted = true;
    } else if (p.reply) {
      const s = run.snat.find((x) => canonical(x.to) === canonical(p.dstIp));
      if (s) {
        run.hop('nat', rid, true, `un-SNAT reply ${s.to} → ${s.from}`, { nat: { kind: 'dnat', from: p.dstIp, to: s.from } });
        p = { ...p, dstIp: s.from };
      }
    }
    if (p.reply) {
      // Replies of DNATed flows leave with the floating IP they were sent to.
      const d = run.dnat.find((x) => canonical(x.to) === canonical(p.srcIp));
      if (d) {
        run.hop('nat', rid, true, `un-DNAT reply source ${d.to} → floating IP ${d.from}`, { nat: { kind: 'snat', from: p.srcIp, to: d.from } });
        p = { ...p, srcIp: d.from };
      }
    }
    const ownIps = [...r.interfaces.map((i) => i.ipAddress), ...(r.gateway?.ips.map((i) => i.ipAddress) ?? [])];
    if (ownIps.some((ip) => canonical(ip) === canonical(p.dstIp))) {
      if (p.protocol === 'icmp') {
        run.hop('workload', rid, true, `router ${rid} answers ping on ${p.dstIp}`);
        return { verdict: 'delivered', summary: `router ${rid} answers`, reachedNode: rid };
      }
      return run.stop('no_listener', 'workload', rid, `router ${rid} does not listen on ${p.protocol}/${p.dstPort}`);
    }
    if (p.ttl <= 1) return run.stop('ttl_exceeded', 'router', rid, `TTL expired at router ${rid}: ICMP time exceeded sent to ${p.srcIp}`);
    p = { ...p, ttl: p.ttl - 1 };
    const dst = parseIp(p.dstIp);
    const route = r.routes.find((rt) => {
      const c = parseCidr(rt.destination);
      return !!c && !!dst && cidrContains(c, dst);
    });
    if (!route) return run.stop('no_route', 'route', rid, `router ${rid} has no route to ${p.dstIp}${r.gateway ? '' : ' (it has no external gateway, so no default route)'}`);
    const nexthop = route.nexthop ?? p.dstIp;
    run.hop('route', rid, true, `route ${route.destination} ${route.nexthop ? `via ${route.nexthop} (${route.kind})` : '(connected)'} out ${route.viaPortId}; TTL ${p.ttl + 1}→${p.ttl}`, {
      route: { destination: route.destination, nexthop: route.nexthop, kind: route.kind },
    });
    const outPort = this.fabric.ports.get(route.viaPortId);
    const outNet = outPort?.networkId ?? (r.gateway?.portId === route.viaPortId ? r.gateway.networkId : undefined);
    const seg = outNet ? this.fabric.segments.get(outNet) : undefined;
    if (!seg || !outNet) return run.stop('dropped', 'router', rid, `router ${rid}'s port ${route.viaPortId} is not realized`);
    if (r.gateway && route.viaPortId === r.gateway.portId) p = this.snat(run, r, p);
    else if (dnatted && r.gateway && inPort.portId !== r.gateway.portId) {
      // Hairpin: an inside client reached a floating IP; source-NAT it too, or the answer would
      // go straight back and miss the reverse translation.
      p = this.snat(run, r, p, true);
    }
    if (p.size > seg.mtu) {
      return run.stop('mtu_exceeded', 'mtu', rid, `router ${rid}: ${p.size}-byte packet exceeds MTU ${seg.mtu} of network ${outNet}; don't-fragment set, ICMP fragmentation-needed sent back`);
    }
    return this.switch(run, seg, outPort?.hostId ?? r.hostId, route.viaPortId, p, nexthop);
  }

  private snat(run: TraceRun, r: RouterSpec, p: SimPacket, hairpin = false): SimPacket {
    const gw = r.gateway!;
    if (inAny(gw.ips.map((i) => i.cidr), p.srcIp)) return p;
    if (hairpin) {
      const gip = gw.ips.find((i) => parseIp(i.ipAddress)?.version === p.version);
      if (!gip) return p;
      run.snat.push({ from: p.srcIp, to: gip.ipAddress });
      run.hop('nat', r.routerId, true, `hairpin SNAT ${p.srcIp} → ${gip.ipAddress} (router gateway)`, { nat: { kind: 'snat', from: p.srcIp, to: gip.ipAddress } });
      return { ...p, srcIp: gip.ipAddress };
    }
    const fip = this.fabric.floatingByFixed.get(`${r.routerId}|${canonical(p.srcIp)}`);
    if (fip) {
      run.hop('nat', r.routerId, true, `SNAT ${p.srcIp} → floating IP ${fip.floatingIpAddress}`, { nat: { kind: 'snat', from: p.srcIp, to: fip.floatingIpAddress } });
      return { ...p, srcIp: fip.floatingIpAddress };
    }
    if (p.version === 6) {
      run.hop('nat', r.routerId, true, `no NAT: IPv6 is routed as is`);
      return p;
    }
    const gip = gw.ips.find((i) => parseIp(i.ipAddress)?.version === 4);
    if (!gw.enableSnat || !gip) {
      run.hop('nat', r.routerId, true, `no SNAT (enable_snat=false): ${p.srcIp} leaves untranslated`);
      return p;
    }
    run.snat.push({ from: p.srcIp, to: gip.ipAddress });
    run.hop('nat', r.routerId, true, `SNAT ${p.srcIp} → ${gip.ipAddress} (router gateway)`, { nat: { kind: 'snat', from: p.srcIp, to: gip.ipAddress } });
    return { ...p, srcIp: gip.ipAddress };
  }

  /** The packet leaves the cloud through the upstream gateway of an external network. */
  private toOutside(run: TraceRun, net: string, p: SimPacket): Outcome {
    const node = `outside:${net}`;
    if (!p.reply && inAny(PRIVATE_PREFIXES, p.dstIp)) {
      return run.stop('no_route', 'outside', node, `the outside world does not route the private address ${p.dstIp}; it left through ${net}'s upstream gateway and is dropped there`);
    }
    if (p.reply) {
      run.hop('outside', node, true, `the reply reaches ${p.dstIp} in the outside world`);
      return { verdict: 'delivered', summary: `reply back at ${p.dstIp}`, reachedNode: node };
    }
    run.hop('outside', node, true, `the outside world beyond ${net} receives ${describe(p)} and answers`);
    return { verdict: 'delivered', summary: `delivered to ${p.dstIp} outside via ${net}`, reachedNode: node, answer: { fromNode: node, packet: p, kind: 'outside', networkId: net } };
  }

  /** A packet from the outside world enters external network `net` through its upstream gateway. */
  fromOutside(run: TraceRun, net: string, p: SimPacket): Outcome {
    const node = `outside:${net}`;
    const seg = this.fabric.segments.get(net);
    if (!seg || !seg.external) return run.stop('invalid_probe', 'outside', node, `${net} is not a realized external network`);
    const onLink = inAny(seg.subnets.filter((s) => s.ipVersion === p.version).map((s) => s.cidr), p.dstIp);
    const upstream = seg.subnets.find((s) => s.ipVersion === p.version)?.gatewayIp ?? node;
    let nexthop = p.dstIp;
    if (!onLink) {
      // IPv6 tenant prefixes are routed, not NATed: upstream learns them via the routers' gateways.
      const via = p.version === 6 ? this.routerForPrefix(net, p.dstIp) : null;
      if (!via) {
        return run.stop('no_route', 'outside', node, `the outside world has no route to ${p.dstIp}: only ${seg.subnets.map((s) => s.cidr).join(', ')}${p.version === 6 ? ' and IPv6 subnets behind its routers' : ''} are reachable through ${net}`);
      }
      nexthop = via;
    }
    run.hop('outside', node, true, `${p.reply ? 'reply' : 'packet'} ${describe(p)} enters ${net} from the upstream gateway${nexthop !== p.dstIp ? ` towards ${nexthop}` : ''}`);
    return this.switch(run, seg, null, upstream, p, nexthop);
  }

  /** The gateway address of the router on `net` that has an interface subnet holding `ip`. */
  private routerForPrefix(net: string, ip: string): string | null {
    for (const r of this.fabric.routers.values()) {
      if (r.gateway?.networkId !== net || !inAny(r.interfaces.map((i) => i.cidr), ip)) continue;
      const gip = r.gateway.ips.find((g) => parseIp(g.ipAddress)?.version === parseIp(ip)?.version);
      if (gip) return gip.ipAddress;
    }
    return null;
  }
}
