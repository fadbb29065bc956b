/**
 * The DataplaneDriver port: what the core and the agent need from whatever realizes networks on a
 * host (the in-memory simulator, Linux namespaces + nftables later). Also the optional PacketTracer
 * ability and the JSON-able trace types it returns. Pure core: imports only core/network/plan's spec.
 *
 * Transaction contract, shared by every method: drivers are never called inside a store transaction;
 * the agent calls them after commit, one call at a time per driver instance.
 */

import type { HostSpec } from '../network/plan/spec.js';
import type { NetworkType } from '../network/topology/topology.js';

export type PortStatus = 'ACTIVE' | 'DOWN';

/** Probes, not promises: a driver says what it can do instead of throwing "not implemented". */
export interface DataplaneCapabilities {
  /** 'fabric': one instance realizes the specs of many hosts (the simulator); 'host': only its own. */
  scope: 'fabric' | 'host';
  networkTypes: NetworkType[];
  ipv6: boolean;
  statefulAcl: boolean;
  statelessAcl: boolean;
  floatingIps: boolean;
  snat: boolean;
  dhcp: boolean;
  canTrace: boolean;
}

export interface ApplyResult {
  hostId: string;
  /** The generation now realized: the spec's, or a newer one already applied (a stale spec is ignored). */
  realizedGeneration: number;
  /** Status of every port of this host after the apply. */
  ports: Record<string, PortStatus>;
}

export interface DataplaneObservation {
  hosts: { hostId: string; realizedGeneration: number }[];
  ports: Record<string, PortStatus>;
  /** Free-form counters (frames switched, ACL hits, learned MACs…); names are driver-specific. */
  counters: Record<string, number>;
}

export interface DataplaneDriver {
  readonly name: string;
  readonly capabilities: DataplaneCapabilities;

  /**
   * Called once when the agent starts, before any apply. Idempotent (a second call is a no-op).
   * May block while it prepares the host (creating bridges, loading kernel modules).
   * Throws DriverError if the host cannot carry a data plane; the agent then reports every port DOWN
   * and retries later.
   */
  start(): Promise<void>;

  /**
   * Called after each committed change that touches this host, with that host's full spec.
   * Idempotent: applying the same spec twice changes nothing; a spec older than the realized
   * generation is ignored and the current state is reported. Converges: whatever was realized
   * before, afterwards the host matches the spec (extra state is removed).
   * May block for as long as programming takes. On error it throws DriverError; the realized
   * generation stays at its previous value, the agent marks the affected ports DOWN with the
   * message and retries retryable errors with backoff.
   */
  apply(spec: HostSpec): Promise<ApplyResult>;

  /**
   * Called by the agent on a timer and after restarts to learn what is really there. Idempotent,
   * read-only, should not block for long. An error is logged and the previous observation kept;
   * it never changes a resource's status on its own.
   */
  observe(): Promise<DataplaneObservation>;

  /**
   * Called on shutdown. Idempotent. May block while it flushes. Leaves realized state in place
   * (workloads keep their network while PocketStack restarts); an error is logged, never fatal.
   */
  stop(): Promise<void>;
}

// ---- tracing ---------------------------------------------------------------------------------

/** Where a probe starts or ends. */
export type TraceEndpoint =
  | { portId: string; ip?: string }
  /** The simulated internet beyond an external network's gateway. */
  | { outside: string; ip?: string }
  /** An address, resolved from the source's point of view (a floating IP, an internet address…). */
  | { ip: string };

export type TraceProtocol = 'tcp' | 'udp' | 'icmp' | 'dhcp';

export interface TraceProbe {
  from: TraceEndpoint;
  to: TraceEndpoint;
  protocol: TraceProtocol;
  /** Destination port for tcp/udp. */
  port?: number;
  /** Source port for tcp/udp; default 40000. */
  sourcePort?: number;
  /** Which family to use when endpoints are ports with both; default 4. */
  ipVersion?: 4 | 6;
  /** Forge the source address or MAC (to test anti-spoofing). */
  srcIp?: string;
  srcMac?: string;
  /** L3 packet size in bytes; default 84 (a ping). Sent with don't-fragment. */
  sizeBytes?: number;
  /** Initial TTL / hop limit; default 64. */
  ttl?: number;
}

export type TraceVerdict =
  | 'delivered'
  | 'dropped'
  | 'no_route'
  | 'no_arp_reply'
  | 'no_listener'
  | 'ttl_exceeded'
  | 'mtu_exceeded'
  | 'no_dhcp_server'
  | 'reply_dropped'
  | 'invalid_probe';

export type TraceStep =
  | 'port_out'
  | 'anti_spoof'
  | 'egress_acl'
  | 'segment'
  | 'tunnel'
  | 'neighbor'
  | 'router'
  | 'route'
  | 'nat'
  | 'mtu'
  | 'outside'
  | 'ingress_acl'
  | 'port_in'
  | 'workload'
  | 'dhcp';

export interface TraceHop {
  step: TraceStep;
  /** The id of the port, segment (network id), router or external network at this hop. */
  node: string;
  /** false for the hop that stopped the packet. */
  ok: boolean;
  /** One human sentence, also the key a person reads in the text rendering. */
  detail: string;
  /** The security group rule that allowed (ACL hops), when one did. */
  ruleId?: string;
  route?: { destination: string; nexthop: string | null; kind: string };
  nat?: { kind: 'snat' | 'dnat'; from: string; to: string };
}

export interface TracePacket {
  srcIp: string;
  dstIp: string;
  protocol: TraceProtocol;
  srcPort?: number;
  dstPort?: number;
}

export interface DhcpOffer {
  ipAddress: string;
  cidr: string;
  gatewayIp: string | null;
  dnsNameservers: string[];
  hostRoutes: { destination: string; nexthop: string }[];
  mtu: number;
  leaseSeconds: number;
  serverIp: string | null;
}

export interface TracePath {
  verdict: TraceVerdict;
  hops: TraceHop[];
}

export interface TraceResult extends TracePath {
  probe: TraceProbe;
  /** One line saying why the verdict is what it is. */
  summary: string;
  /** The packet as it left the source (before any NAT). */
  packet: TracePacket | null;
  /** Where it ended: a port id, `outside:<network>`, or null. */
  reachedNode: string | null;
  /** The answer's path back (TCP SYN-ACK, ICMP echo reply, UDP answer), when the request got through. */
  reply: TracePath | null;
  dhcpOffer: DhcpOffer | null;
}

export interface PacketTracer {
  /**
   * Explains what would happen to one flow, hop by hop, against the currently realized specs.
   * Read-only (never changes conntrack or learned state visible to later traces), idempotent,
   * may block (a kernel driver injects real packets). An invalid probe yields verdict
   * 'invalid_probe', never a throw; a DriverError is thrown only if the data plane is unusable.
   */
  trace(probe: TraceProbe): Promise<TraceResult>;
}

export function canTrace<D extends DataplaneDriver>(d: D): d is D & PacketTracer {
  return d.capabilities.canTrace && typeof (d as Partial<PacketTracer>).trace === 'function';
}
