/**
 * The simulator's in-flight packet and the per-trace scratch state (hops, conntrack, NAT table).
 * Driver layer: imports core/ports trace types only.
 */

import type { TraceHop, TraceProtocol, TraceStep, TraceVerdict } from '../../../core/ports/dataplane-driver.js';

export interface SimPacket {
  version: 4 | 6;
  srcMac: string;
  srcIp: string;
  dstIp: string;
  protocol: Exclude<TraceProtocol, 'dhcp'>;
  srcPort?: number;
  dstPort?: number;
  icmpType?: number;
  ttl: number;
  size: number;
  /** true for the answer travelling back. */
  reply: boolean;
}

export const ICMP_ECHO_REQUEST = { 4: 8, 6: 128 } as const;
export const ICMP_ECHO_REPLY = { 4: 0, 6: 129 } as const;

export function protocolNumber(p: SimPacket): number {
  if (p.protocol === 'tcp') return 6;
  if (p.protocol === 'udp') return 17;
  return p.version === 4 ? 1 : 58;
}

/** Conntrack key as seen by one zone (a port); ICMP type is left out so an echo reply matches its request. */
export function flowKey(zone: string, p: SimPacket, reversed = false): string {
  const [a, ap, b, bp] = reversed ? [p.dstIp, p.dstPort, p.srcIp, p.srcPort] : [p.srcIp, p.srcPort, p.dstIp, p.dstPort];
  return `${zone}|${protocolNumber(p)}|${a}|${ap ?? ''}|${b}|${bp ?? ''}`;
}

export interface Outcome {
  verdict: TraceVerdict;
  summary: string;
  reachedNode: string | null;
  /** Set when the request reached something that answers, so a reply should be traced. */
  answer?: { fromNode: string; packet: SimPacket; kind: 'port' | 'outside'; networkId: string };
}

export class TraceRun {
  hops: TraceHop[] = [];
  readonly conntrack = new Set<string>();
  readonly snat: { from: string; to: string }[] = [];
  readonly dnat: { from: string; to: string }[] = [];
  routerHops = 0;

  hop(step: TraceStep, node: string, ok: boolean, detail: string, extra: Partial<TraceHop> = {}): void {
    this.hops.push({ step, node, ok, detail, ...extra });
  }

  /** Records the failing hop and returns the outcome in one go. */
  stop(verdict: TraceVerdict, step: TraceStep, node: string, detail: string, extra: Partial<TraceHop> = {}): Outcome {
    this.hop(step, node, false, detail, extra);
    return { verdict, summary: detail, reachedNode: null };
  }
}
