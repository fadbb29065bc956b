/**
 * Turns a TraceProbe into packets, walks them through the simulator's pipeline (request, then the
 * answer back on the same conntrack and NAT state), and assembles the TraceResult. DHCP probes take
 * their own short path. Driver layer: imports core/network and core/ports.
 */

import { canonical, type Fabric } from './fabric.js';
import { ICMP_ECHO_REPLY, ICMP_ECHO_REQUEST, TraceRun, type Outcome, type SimPacket } from './packet.js';
import { OUTSIDE_DEFAULT_IP, Pipeline } from './pipeline.js';
import { parseIp } from '../../../core/network/topology/ip-address.js';
import type { PortSpec } from '../../../core/network/plan/spec.js';
import type { TraceProbe, TraceResult, TraceVerdict } from '../../../core/ports/dataplane-driver.js';

type Source = { kind: 'port'; port: PortSpec } | { kind: 'outside'; networkId: string };

function invalid(probe: TraceProbe, why: string): TraceResult {
  return {
    probe,
    verdict: 'invalid_probe',
    summary: why,
    hops: [],
    packet: null,
    reachedNode: null,
    reply: null,
    dhcpOffer: null,
  };
}

function ipOf(port: PortSpec, version: 4 | 6): string | undefined {
  return port.ips.find((i) => parseIp(i.ipAddress)?.version === version)?.ipAddress;
}

export function tracePacket(fabric: Fabric, probe: TraceProbe): TraceResult {
  let src: Source;
  const from = probe.from;
  if ('portId' in from) {
    const port = fabric.ports.get(from.portId);
    if (!port) return invalid(probe, `unknown or unbound source port ${from.portId}`);
    src = { kind: 'port', port };
  } else if ('outside' in from) {
    src = { kind: 'outside', networkId: from.outside };
  } else {
    const ports = fabric.workloadsByIp.get(canonical(from.ip)) ?? [];
    if (ports.length !== 1) return invalid(probe, ports.length ? `${from.ip} is held by ${ports.join(', ')}: name the port` : `no port holds ${from.ip}`);
    src = { kind: 'port', port: fabric.ports.get(ports[0]!)! };
  }
  const explicit = probe.srcIp ?? ('ip' in from ? from.ip : undefined) ?? ('ip' in probe.to ? probe.to.ip : undefined);
  const version: 4 | 6 = probe.ipVersion ?? (explicit ? parseIp(explicit)?.version : undefined) ?? 4;

  if (probe.protocol === 'dhcp') {
    if (src.kind !== 'port') return invalid(probe, 'a DHCP probe starts at a port');
    return traceDhcp(fabric, probe, src.port, version);
  }

  let dstIp: string | undefined;
  const to = probe.to;
  if ('portId' in to) {
    const port = fabric.ports.get(to.portId);
    if (!port) return invalid(probe, `unknown or unbound destination port ${to.portId}`);
    dstIp = to.ip ?? ipOf(port, version);
    if (!dstIp) return invalid(probe, `port ${to.portId} has no IPv${version} address`);
  } else if ('outside' in to) {
    dstIp = to.ip ?? OUTSIDE_DEFAULT_IP[version];
  } else dstIp = to.ip;

  const srcIp = probe.srcIp ?? ('ip' in from && from.ip ? from.ip : undefined) ??
    (src.kind === 'port' ? ipOf(src.port, version) : OUTSIDE_DEFAULT_IP[version]);
  if (!srcIp) return invalid(probe, `source port has no IPv${version} address`);
  if (parseIp(srcIp)?.version !== version || parseIp(dstIp)?.version !== version) {
    return invalid(probe, `source ${srcIp} and destination ${dstIp} are not both IPv${version}`);
  }
  if ((probe.protocol === 'tcp' || probe.protocol === 'udp') && probe.port === undefined) {
    return invalid(probe, `${probe.protocol} probes need a destination port`);
  }
  const packet: SimPacket = {
    version,
    srcMac: (probe.srcMac ?? (src.kind === 'port' ? src.port.macAddress : '00:00:5e:00:01:01')).toLowerCase(),
    srcIp,
    dstIp,
    protocol: probe.protocol,
    ttl: probe.ttl ?? 64,
    size: probe.sizeBytes ?? 84,
    reply: false,
    ...(probe.protocol === 'icmp'
      ? { icmpType: ICMP_ECHO_REQUEST[version] }
      : { srcPort: probe.sourcePort ?? 40000, dstPort: probe.port! }),
  };

  const pipeline = new Pipeline(fabric);
  const run = new TraceRun();
  const sourceNode = src.kind === 'port' ? src.port.portId : `outside:${src.networkId}`;
  const fwd: Outcome = src.kind === 'port' ? pipeline.fromPort(run, src.port, packet) : pipeline.fromOutside(run, src.networkId, packet);
  const result: TraceResult = {
    probe,
    verdict: fwd.verdict,
    summary: fwd.summary,
    hops: run.hops,
    packet: {
      srcIp,
      dstIp,
      protocol: probe.protocol,
      ...(packet.srcPort !== undefined ? { srcPort: packet.srcPort } : {}),
      ...(packet.dstPort !== undefined ? { dstPort: packet.dstPort } : {}),
    },
    reachedNode: fwd.reachedNode,
    reply: null,
    dhcpOffer: null,
  };
  if (!fwd.answer) return result;

  // The answer goes back on the same conntrack and NAT state.
  const a = fwd.answer;
  const req = a.packet;
  const replyPacket: SimPacket = {
    version,
    srcMac: a.kind === 'port' ? fabric.ports.get(a.fromNode)!.macAddress : '00:00:5e:00:01:01',
    srcIp: req.dstIp,
    dstIp: req.srcIp,
    protocol: req.protocol,
    ttl: 64,
    size: req.size,
    reply: true,
    ...(req.protocol === 'icmp' ? { icmpType: ICMP_ECHO_REPLY[version] } : { srcPort: req.dstPort!, dstPort: req.srcPort! }),
  };
  const back = new TraceRun();
  // Share state, not hops.
  (back as { conntrack: Set<string> }).conntrack = run.conntrack;
  (back as { snat: { from: string; to: string }[] }).snat = run.snat;
  (back as { dnat: { from: string; to: string }[] }).dnat = run.dnat;
  const rep = a.kind === 'port'
    ? pipeline.fromPort(back, fabric.ports.get(a.fromNode)!, replyPacket)
    : pipeline.fromOutside(back, a.networkId, replyPacket);
  let repVerdict: TraceVerdict = rep.verdict;
  let repSummary = rep.summary;
  if (rep.verdict === 'delivered' && rep.reachedNode !== sourceNode) {
    repVerdict = 'dropped';
    repSummary = `the reply went to ${rep.reachedNode}, not back to ${sourceNode}`;
  }
  result.reply = { verdict: repVerdict, hops: back.hops };
  if (repVerdict !== 'delivered') {
    result.verdict = 'reply_dropped';
    result.summary = `request delivered to ${fwd.reachedNode} but the reply is lost: ${repSummary}`;
  }
  return result;
}

function traceDhcp(fabric: Fabric, probe: TraceProbe, port: PortSpec, version: 4 | 6): TraceResult {
  const run = new TraceRun();
  const id = port.portId;
  const base = invalid(probe, '');
  const done = (verdict: TraceVerdict, summary: string): TraceResult => ({ ...base, verdict, summary, hops: run.hops, packet: { srcIp: version === 4 ? '0.0.0.0' : 'fe80::', dstIp: version === 4 ? '255.255.255.255' : 'ff02::1:2', protocol: 'dhcp', srcPort: version === 4 ? 68 : 546, dstPort: version === 4 ? 67 : 547 } });
  const stop = (verdict: TraceVerdict, step: Parameters<TraceRun['hop']>[0], node: string, why: string) => {
    run.hop(step, node, false, why);
    return done(verdict, why);
  };
  if (!port.adminStateUp) return stop('dropped', 'port_out', id, `port ${id} is admin down (admin_state_up=false): it sends nothing`);
  run.hop('port_out', id, true, `DHCP${version === 4 ? 'DISCOVER' : 'v6 SOLICIT'} broadcast from ${port.macAddress} leaves port ${id}`);
  if (port.portSecurityEnabled) run.hop('egress_acl', id, true, 'DHCP client traffic is always allowed by port security (built-in rule)');
  const seg = fabric.segments.get(port.networkId);
  if (!seg) return stop('dropped', 'segment', port.networkId, `network ${port.networkId} is not realized`);
  if (!seg.adminStateUp) return stop('dropped', 'segment', seg.networkId, `network ${seg.networkId} is admin down`);
  run.hop('segment', seg.networkId, true, `network ${seg.networkId} floods the broadcast to every port`);
  const d = fabric.dhcp.get(port.networkId);
  const sub = d?.subnets.find((s) => s.ipVersion === version);
  if (!d || !sub) return stop('no_dhcp_server', 'dhcp', seg.networkId, `no IPv${version} subnet of ${seg.networkId} has DHCP enabled`);
  const server = d.serverPortId ? fabric.ports.get(d.serverPortId) : undefined;
  if (!server || !server.adminStateUp) return stop('no_dhcp_server', 'dhcp', seg.networkId, `network ${seg.networkId} has no running DHCP port`);
  if (server.hostId !== port.hostId && seg.overheadBytes > 0) run.hop('tunnel', seg.networkId, true, `${seg.networkType} tunnel ${port.hostId} → ${server.hostId}`);
  const host = d.hosts.find((h) => h.portId === id && d.subnets.some((s) => s.subnetId === h.subnetId && s.ipVersion === version));
  const subnet = host && d.subnets.find((s) => s.subnetId === host.subnetId);
  if (!host || !subnet) return stop('dropped', 'dhcp', server.portId, `DHCP server ${server.portId} has no reservation for ${port.macAddress}: request ignored`);
  const serverIp = server.ips.find((i) => i.subnetId === subnet.subnetId)?.ipAddress ?? null;
  const prefix = subnet.cidr.split('/')[1];
  run.hop('dhcp', server.portId, true, `DHCP${version === 4 ? 'OFFER' : 'v6 ADVERTISE'} ${host.ipAddress}/${prefix} router ${subnet.gatewayIp ?? 'none'}, MTU ${subnet.mtu}, lease ${subnet.leaseSeconds}s from ${serverIp ?? server.portId}`);
  if (port.portSecurityEnabled) run.hop('ingress_acl', id, true, 'DHCP server replies are always allowed by port security (built-in rule)');
  run.hop('port_in', id, true, `offer delivered to port ${id}`);
  return {
    ...done('delivered', `port ${id} is offered ${host.ipAddress}`),
    reachedNode: id,
    dhcpOffer: {
      ipAddress: host.ipAddress,
      cidr: subnet.cidr,
      gatewayIp: subnet.gatewayIp,
      dnsNameservers: subnet.dnsNameservers,
      hostRoutes: subnet.hostRoutes,
      mtu: subnet.mtu,
      leaseSeconds: subnet.leaseSeconds,
      serverIp,
    },
  };
}
