/**
 * Renders a TraceResult for people: one line per hop, the rule or route that decided, then the reply
 * path. Pure function of the result (the CLI, the API and the dashboard all print the same text).
 * Pure core: imports only core/ports trace types.
 */

import type { TraceEndpoint, TraceHop, TraceProbe, TraceResult } from '../../ports/dataplane-driver.js';

function endpoint(e: TraceEndpoint): string {
  if ('portId' in e) return `port ${e.portId}${e.ip ? ` (${e.ip})` : ''}`;
  if ('outside' in e) return `outside of ${e.outside}${e.ip ? ` (${e.ip})` : ''}`;
  return e.ip;
}

export function describeProbe(p: TraceProbe): string {
  const flow = p.protocol === 'tcp' || p.protocol === 'udp' ? `${p.protocol}/${p.port}` : p.protocol;
  const extras = [
    p.ipVersion ? `IPv${p.ipVersion}` : '',
    p.srcIp ? `source ${p.srcIp}` : '',
    p.srcMac ? `source MAC ${p.srcMac}` : '',
    p.sizeBytes ? `${p.sizeBytes} bytes` : '',
    p.ttl !== undefined ? `TTL ${p.ttl}` : '',
  ].filter(Boolean);
  const to = p.protocol === 'dhcp' ? 'DHCP' : endpoint(p.to);
  return `${flow} from ${endpoint(p.from)} to ${to}${extras.length ? ` (${extras.join(', ')})` : ''}`;
}

function hopLines(hops: TraceHop[], indent: string): string[] {
  const stepW = Math.max(0, ...hops.map((h) => h.step.length));
  const nodeW = Math.min(24, Math.max(0, ...hops.map((h) => h.node.length)));
  return hops.map((h, i) => {
    const mark = h.ok ? '✓' : '✗';
    const rule = h.ruleId ? `  [rule ${h.ruleId}]` : '';
    return `${indent}${String(i + 1).padStart(2)}. ${mark} ${h.step.padEnd(stepW)}  ${h.node.padEnd(nodeW)}  ${h.detail}${rule}`;
  });
}

/** Multi-line text: headline with the verdict, the hops, the reply, and a closing "why". */
export function renderTrace(r: TraceResult): string {
  const lines = [`trace ${describeProbe(r.probe)}: ${r.verdict.toUpperCase()}`];
  if (r.packet) {
    const ports = r.packet.srcPort !== undefined ? `:${r.packet.srcPort} → ${r.packet.dstIp}:${r.packet.dstPort}` : ` → ${r.packet.dstIp}`;
    lines.push(`  packet ${r.packet.protocol} ${r.packet.srcIp}${ports}`);
  }
  lines.push(...hopLines(r.hops, '  '));
  if (r.reply) {
    lines.push(`  reply: ${r.reply.verdict.toUpperCase()}`);
    lines.push(...hopLines(r.reply.hops, '  '));
  }
  if (r.dhcpOffer) {
    const o = r.dhcpOffer;
    lines.push(`  offer: ${o.ipAddress} in ${o.cidr}, router ${o.gatewayIp ?? 'none'}, dns ${o.dnsNameservers.join(' ') || 'none'}, mtu ${o.mtu}, lease ${o.leaseSeconds}s`);
  }
  lines.push(`  why: ${r.summary}`);
  return lines.join('\n');
}
