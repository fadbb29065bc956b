/**
 * Reachability matrix: trace one flow between every ordered pair of a set of ports, through any
 * PacketTracer, and render it as a table. Pure core: imports only core/ports.
 */

import type { PacketTracer, TraceProbe, TraceVerdict } from '../../ports/dataplane-driver.js';

export interface MatrixFlow {
  protocol: TraceProbe['protocol'];
  port?: number;
  ipVersion?: 4 | 6;
}

export interface ReachabilityMatrix {
  ports: string[];
  flow: MatrixFlow;
  /** cells[i][j]: verdict of ports[i] → ports[j]; null on the diagonal. */
  cells: (TraceVerdict | null)[][];
  /** Same shape: the one-line reason of each verdict. */
  reasons: (string | null)[][];
}

export async function reachabilityMatrix(tracer: PacketTracer, ports: string[], flow: MatrixFlow): Promise<ReachabilityMatrix> {
  const cells: (TraceVerdict | null)[][] = [];
  const reasons: (string | null)[][] = [];
  for (const from of ports) {
    const row: (TraceVerdict | null)[] = [];
    const why: (string | null)[] = [];
    for (const to of ports) {
      if (from === to) {
        row.push(null);
        why.push(null);
        continue;
      }
      const r = await tracer.trace({
        from: { portId: from },
        to: { portId: to },
        protocol: flow.protocol,
        ...(flow.port !== undefined ? { port: flow.port } : {}),
        ...(flow.ipVersion ? { ipVersion: flow.ipVersion } : {}),
      });
      row.push(r.verdict);
      why.push(r.summary);
    }
    cells.push(row);
    reasons.push(why);
  }
  return { ports: [...ports], flow, cells, reasons };
}

const SHORT: Record<TraceVerdict, string> = {
  delivered: 'ok',
  dropped: 'DROP',
  no_route: 'NOROUTE',
  no_arp_reply: 'NOARP',
  no_listener: 'CLOSED',
  ttl_exceeded: 'TTL',
  mtu_exceeded: 'MTU',
  no_dhcp_server: 'NODHCP',
  reply_dropped: 'NOREPLY',
  invalid_probe: '?',
};

/** Rows are sources, columns destinations. */
export function renderMatrix(m: ReachabilityMatrix): string {
  const w = Math.max(8, ...m.ports.map((p) => p.length));
  const flow = m.flow.port !== undefined ? `${m.flow.protocol}/${m.flow.port}` : m.flow.protocol;
  const head = `${flow.padEnd(w)} | ${m.ports.map((p) => p.padEnd(w)).join(' ')}`;
  const rows = m.ports.map((p, i) => `${p.padEnd(w)} | ${m.cells[i]!.map((c) => (c === null ? '-' : SHORT[c]).padEnd(w)).join(' ')}`);
  return [head, '-'.repeat(head.length), ...rows].join('\n');
}
