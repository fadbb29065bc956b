/**
 * SimDataplaneDriver: an in-memory, deterministic data plane. It realizes the specs of every host it
 * is given (scope 'fabric', so one instance stands for the whole cloud on a laptop), reports port
 * status, and traces flows hop by hop through L2, ARP/NDP, DHCP, routing, NAT, stateful and
 * stateless security groups, anti-spoofing and MTU. Nothing is sent anywhere; time is not used.
 * Driver layer: imports core/ports and core/network only.
 */

import type {
  ApplyResult,
  DataplaneCapabilities,
  DataplaneDriver,
  DataplaneObservation,
  PacketTracer,
  PortStatus,
  TraceProbe,
  TraceResult,
} from '../../../core/ports/dataplane-driver.js';
import type { HostSpec } from '../../../core/network/plan/spec.js';
import { Fabric } from './fabric.js';
import { tracePacket } from './tracer.js';

export class SimDataplaneDriver implements DataplaneDriver, PacketTracer {
  readonly name = 'sim';
  readonly capabilities: DataplaneCapabilities = {
    scope: 'fabric',
    networkTypes: ['vxlan', 'geneve', 'gre', 'vlan', 'flat', 'local'],
    ipv6: true,
    statefulAcl: true,
    statelessAcl: true,
    floatingIps: true,
    snat: true,
    dhcp: true,
    canTrace: true,
  };
  private readonly specs = new Map<string, HostSpec>();
  private fabricCache: Fabric | null = null;
  private started = false;
  private readonly counters = { applies: 0, staleApplies: 0, traces: 0, rebuilds: 0 };

  async start(): Promise<void> {
    this.started = true;
  }

  async stop(): Promise<void> {
    this.started = false;
  }

  async apply(spec: HostSpec): Promise<ApplyResult> {
    return this.applySync(spec);
  }

  /** Synchronous apply, for benchmarks and tests that want no event-loop turn. */
  applySync(spec: HostSpec): ApplyResult {
    if (!this.started) throw new Error('SimDataplaneDriver.apply before start()');
    const current = this.specs.get(spec.hostId);
    if (current && current.generation > spec.generation) {
      this.counters.staleApplies++;
    } else if (current !== spec) {
      // Specs are immutable values (the planner builds new objects for every change), so the
      // driver keeps the reference instead of paying for a deep copy of thousands of ports.
      this.specs.set(spec.hostId, spec);
      this.fabricCache = null;
      this.counters.applies++;
    }
    const realized = this.specs.get(spec.hostId)!;
    return { hostId: spec.hostId, realizedGeneration: realized.generation, ports: this.portStatuses(realized) };
  }

  private portStatuses(spec: HostSpec): Record<string, PortStatus> {
    const segs = new Set(spec.segments.map((s) => s.networkId));
    const out: Record<string, PortStatus> = {};
    for (const p of spec.ports) out[p.portId] = p.adminStateUp && segs.has(p.networkId) ? 'ACTIVE' : 'DOWN';
    return out;
  }

  async observe(): Promise<DataplaneObservation> {
    const ports: Record<string, PortStatus> = {};
    const hosts = [...this.specs.values()].sort((a, b) => (a.hostId < b.hostId ? -1 : 1));
    for (const h of hosts) Object.assign(ports, this.portStatuses(h));
    return { hosts: hosts.map((h) => ({ hostId: h.hostId, realizedGeneration: h.generation })), ports, counters: { ...this.counters } };
  }

  async trace(probe: TraceProbe): Promise<TraceResult> {
    return this.traceSync(probe);
  }

  traceSync(probe: TraceProbe): TraceResult {
    this.counters.traces++;
    return tracePacket(this.fabric(), probe);
  }

  private fabric(): Fabric {
    if (!this.fabricCache) {
      this.fabricCache = Fabric.build(this.specs.values());
      this.counters.rebuilds++;
    }
    return this.fabricCache;
  }
}
