/**
 * Shape of the dataplane scenario table: a topology sketch, the probes to trace through it, and what
 * must come out (verdict, and the key hops in order). Every DataplaneDriver with a PacketTracer runs
 * the same table; the simulator's verdicts must match the kernel's.
 * Driver layer (contract): imports core/network and core/ports types only.
 */

import type { TopologySketch } from '../../../core/network/topology/sketch.js';
import type { DhcpOffer, PortStatus, TraceProbe, TraceStep, TraceVerdict } from '../../../core/ports/dataplane-driver.js';

/** Matches a hop when every given field matches; hops are matched in order as a subsequence. */
export interface ExpectedHop {
  step: TraceStep;
  node?: string;
  ok?: boolean;
  ruleId?: string;
  nat?: 'snat' | 'dnat';
  /** Substring of the hop's detail (case-sensitive). */
  detail?: string;
}

export interface ScenarioProbe {
  name: string;
  probe: TraceProbe;
  expect: {
    verdict: TraceVerdict;
    hops?: ExpectedHop[];
    replyHops?: ExpectedHop[];
    summary?: string;
    dhcpOffer?: Partial<DhcpOffer>;
  };
}

export interface Scenario {
  name: string;
  /** What the scenario is about, for coverage reading: 'same-network', 'floating-ip', … */
  covers: string[];
  topology: TopologySketch;
  /** Expected port statuses after apply (subset). */
  portStatus?: Record<string, PortStatus>;
  probes: ScenarioProbe[];
}
