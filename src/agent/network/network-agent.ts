/**
 * The network agent: the reconciler between the desired state in the store and the data plane.
 * It follows the global generation (the change feed every networking and compute write records),
 * re-reads only the documents a batch of changes names, maps the cached documents to a Topology
 * (core/network/realize), lets the planner recompile only what the delta touched, applies the
 * changed host specs through the DataplaneDriver (never inside a transaction), and writes back
 * observed state: port status ACTIVE/DOWN, servers BUILD → ACTIVE.
 *
 * Why polling: one indexed read of the generation every `pollMs` costs nothing next to a request,
 * and it keeps API writes free of any hook into the agent (they only commit). Changes that arrive
 * while a pass runs are batched into the next pass, so a burst of API writes costs one plan.
 * After a restart it starts from a full read (the realized generation it recorded says where the
 * data plane was; a sim driver has forgotten everything, a kernel one has not) and converges.
 *
 * Agent layer: imports core/model, core/ports and the pure planner, topology and realize modules.
 */
import type { ServerData } from '../../core/model/compute.js';
import { COMPUTE_KIND } from '../../core/model/compute.js';
import { DEVICE_OWNER, KIND, type PortData } from '../../core/model/network.js';
import type { DataplaneDriver, PortStatus } from '../../core/ports/dataplane-driver.js';
import type { ChangeFeed } from '../../core/ports/identity-store.js';
import type { ResourceStore, StoredResource } from '../../core/ports/resource-store.js';
import { Planner, type PlannerOptions } from '../../core/network/plan/planner.js';
import { diffTopology } from '../../core/network/realize/topology-diff.js';
import { type DesiredState, TopologyMemo, isBound, topologyFromModel } from '../../core/network/realize/topology-from-model.js';
import type { Topology } from '../../core/network/topology/topology.js';

/** The kinds the data plane depends on, and where each lands in DesiredState. */
const WATCHED: Record<string, Exclude<keyof DesiredState, 'generation'>> = {
  [KIND.network]: 'networks',
  [KIND.subnet]: 'subnets',
  [KIND.port]: 'ports',
  [KIND.router]: 'routers',
  [KIND.floatingIp]: 'floatingIps',
  [KIND.securityGroup]: 'securityGroups',
  [KIND.securityGroupRule]: 'securityGroupRules',
  [COMPUTE_KIND.server]: 'servers',
};

/** Where the agent records how far it got; read back after a restart. */
export const AGENT_STATE_KIND = 'agent_state';

export interface AgentLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface NetworkAgentDeps {
  store: ResourceStore;
  feed: Pick<ChangeFeed, 'currentGeneration' | 'changesSince'>;
  driver: DataplaneDriver;
  planner?: PlannerOptions;
  /** Writes port status (core/network/service/port-status). */
  writePortStatuses(statuses: ReadonlyMap<string, 'ACTIVE' | 'DOWN'>): Promise<string[]>;
  /** BUILD → ACTIVE (core/compute/server-status). */
  markServersActive(ids: readonly string[]): Promise<string[]>;
  logger?: AgentLogger;
  /** How often to look at the generation; default 50 ms. */
  pollMs?: number;
  /** A full re-read this often, in case a write forgot to record its change; default 60 s. */
  resyncMs?: number;
  /** Name of the agent_state document (one per agent). */
  agentId?: string;
}

export interface AgentStatus {
  /** The generation whose desired state the data plane realizes now. */
  realizedGeneration: number;
  passes: number;
  lastError: string | null;
  /** When start() last ran, and when the last pass ended (its heartbeat, reported by GET /v2.0/agents). */
  startedAt: string | null;
  heartbeatAt: string | null;
}

type Cache = Map<string, Map<string, StoredResource<unknown>>>;

export class NetworkAgent {
  private readonly planner: Planner;
  private readonly cache: Cache = new Map(Object.keys(WATCHED).map((k) => [k, new Map()]));
  private topology: Topology | null = null;
  /** Unchanged rows keep their topology entities between passes, so diffs skip them by identity. */
  private readonly memo = new TopologyMemo();
  private seen = -1;
  private readonly appliedHosts = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;
  private lastFullRead = 0;
  private readonly state: AgentStatus = { realizedGeneration: -1, passes: 0, lastError: null, startedAt: null, heartbeatAt: null };
  private readonly waiters: Array<{ generation: number; resolve: () => void }> = [];

  constructor(private readonly deps: NetworkAgentDeps) {
    this.planner = new Planner(deps.planner);
  }

  status(): AgentStatus {
    return { ...this.state };
  }

  async start(): Promise<void> {
    await this.deps.driver.start();
    const saved = await this.deps.store.get<{ realizedGeneration: number }>(AGENT_STATE_KIND, this.deps.agentId ?? 'network');
    if (saved) this.deps.logger?.info({ realizedGeneration: saved.data.realizedGeneration }, 'network agent resumes');
    this.stopped = false;
    this.state.startedAt = new Date().toISOString();
    await this.pass();
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
    await this.deps.driver.stop();
  }

  /** Runs a pass now (or joins the one running) and resolves when the data plane caught up with `generation`. */
  async sync(generation?: number): Promise<void> {
    const target = generation ?? (await this.deps.feed.currentGeneration());
    while (this.state.realizedGeneration < target) {
      await this.pass();
      if (this.state.realizedGeneration < target && this.state.lastError) throw new Error(this.state.lastError);
    }
  }

  /** Resolves once the realized generation reaches `generation` (passes run on their own timer). */
  waitFor(generation: number): Promise<void> {
    if (this.state.realizedGeneration >= generation) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ generation, resolve }));
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.pass().finally(() => this.schedule());
    }, this.deps.pollMs ?? 50);
    // The poll must never keep a process alive on its own.
    (this.timer as { unref?: () => void }).unref?.();
  }

  /** One reconcile pass; passes never overlap. */
  pass(): Promise<void> {
    this.running ??= this.reconcile()
      .catch((e: unknown) => {
        this.state.lastError = e instanceof Error ? e.message : String(e);
        this.deps.logger?.warn({ err: this.state.lastError }, 'network agent pass failed; retrying');
      })
      .finally(() => {
        this.running = null;
        this.state.heartbeatAt = new Date().toISOString();
      });
    return this.running;
  }

  private async reconcile(): Promise<void> {
    const { feed, store } = this.deps;
    const now = Date.now();
    const full = this.topology === null || now - this.lastFullRead > (this.deps.resyncMs ?? 60_000);
    let generation: number;
    if (full) {
      generation = await feed.currentGeneration();
      await Promise.all(Object.keys(WATCHED).map(async (kind) => {
        const rows = await store.list<unknown>(kind);
        this.cache.set(kind, new Map(rows.map((r) => [r.id, r])));
      }));
      this.lastFullRead = now;
    } else {
      generation = await feed.currentGeneration();
      if (generation === this.seen) return;
      const changes = await feed.changesSince(this.seen, 10_000);
      if (changes.length === 10_000) {
        this.lastFullRead = 0; // too far behind for deltas: read everything next pass
        return;
      }
      const ids = new Map<string, Set<string>>();
      for (const c of changes) {
        if (!(c.kind in WATCHED)) continue;
        if (!ids.has(c.kind)) ids.set(c.kind, new Set());
        ids.get(c.kind)!.add(c.id);
        generation = Math.max(generation, c.generation);
      }
      await Promise.all([...ids].map(async ([kind, set]) => {
        const rows = await store.list<unknown>(kind, { ids: [...set] });
        const m = this.cache.get(kind)!;
        for (const id of set) m.delete(id);
        for (const r of rows) m.set(r.id, r);
      }));
      // A group's initial rules (and its rules on delete) are written under the group's change
      // alone, so a changed group re-reads all of its rules.
      const rules = this.cache.get(KIND.securityGroupRule)!;
      await Promise.all([...(ids.get(KIND.securityGroup) ?? [])].map(async (groupId) => {
        const rows = await store.list<unknown>(KIND.securityGroupRule, { parentId: groupId });
        for (const [id, r] of rules) if (r.parentId === groupId) rules.delete(id);
        for (const r of rows) rules.set(r.id, r);
      }));
    }
    this.state.passes++;
    const next = topologyFromModel(this.desired(generation), this.memo);
    let hosts: string[];
    if (!this.topology) {
      this.planner.load(next);
      hosts = this.planner.hosts();
    } else {
      // A resync reads everything but still updates by delta: a write that changed nothing the data
      // plane sees (a name, a status) recompiles nothing.
      const diff = diffTopology(this.topology, next);
      hosts = diff.empty ? [] : this.planner.update(diff.change).changedHosts;
    }
    this.topology = next;
    // Hosts that lost their last unit get an empty spec, so the driver forgets what was there.
    const live = new Set(this.planner.hosts());
    const toApply = new Set([...hosts, ...[...live].filter((h) => !this.appliedHosts.has(h)), ...[...this.appliedHosts].filter((h) => !live.has(h))]);
    const observed = new Map<string, PortStatus>();
    for (const host of [...toApply].sort()) {
      const result = await this.deps.driver.apply(this.planner.hostSpec(host));
      for (const [id, s] of Object.entries(result.ports)) observed.set(id, s);
      if (live.has(host)) this.appliedHosts.add(host);
      else this.appliedHosts.delete(host);
    }
    await this.writeBack(observed);
    this.seen = generation;
    this.state.realizedGeneration = generation;
    this.state.lastError = null;
    await store.transaction(async (tx) => {
      const id = this.deps.agentId ?? 'network';
      const row = await tx.get(AGENT_STATE_KIND, id);
      const data = { realizedGeneration: generation, at: new Date(now).toISOString() };
      if (row) await tx.update(AGENT_STATE_KIND, id, data);
      else await tx.insert(AGENT_STATE_KIND, { id, projectId: '', data });
    });
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.waiters[i]!.generation <= generation) this.waiters.splice(i, 1)[0]!.resolve();
    }
  }

  private desired(generation: number): DesiredState {
    const list = <T>(kind: string) => [...this.cache.get(kind)!.values()] as StoredResource<T>[];
    return {
      generation,
      networks: list(KIND.network),
      subnets: list(KIND.subnet),
      ports: list(KIND.port),
      routers: list(KIND.router),
      floatingIps: list(KIND.floatingIp),
      securityGroups: list(KIND.securityGroup),
      securityGroupRules: list(KIND.securityGroupRule),
      servers: list(COMPUTE_KIND.server),
    };
  }

  /**
   * Port status: what the driver reports for realized ports; DOWN for unbound workload ports and
   * anything the driver does not hold. Only differences from the stored status are written.
   */
  private async writeBack(observed: Map<string, PortStatus>): Promise<void> {
    const ports = this.cache.get(KIND.port)! as Map<string, StoredResource<PortData>>;
    const want = new Map<string, 'ACTIVE' | 'DOWN'>();
    const known = this.knownStatuses;
    for (const [id, s] of observed) known.set(id, s);
    for (const p of ports.values()) {
      if (p.data.deviceOwner === DEVICE_OWNER.floatingIp) continue;
      const realized = known.get(p.id);
      const status = realized === 'ACTIVE' && (isBound(p.data) || p.data.deviceOwner.startsWith('network:')) ? 'ACTIVE' : 'DOWN';
      if (p.data.status !== status) want.set(p.id, status);
    }
    for (const id of known.keys()) if (!ports.has(id)) known.delete(id);
    if (want.size) {
      await this.deps.writePortStatuses(want);
      for (const [id, s] of want) {
        const p = ports.get(id);
        if (p) ports.set(id, { ...p, data: { ...p.data, status: s } });
      }
    }
    const servers = this.cache.get(COMPUTE_KIND.server)! as Map<string, StoredResource<ServerData>>;
    const ready: string[] = [];
    for (const v of servers.values()) {
      if (v.data.status !== 'BUILD') continue;
      if (v.data.portIds.every((id) => ports.get(id)?.data.status === 'ACTIVE')) ready.push(v.id);
    }
    if (ready.length) {
      await this.deps.markServersActive(ready);
      for (const id of ready) {
        const v = servers.get(id)!;
        servers.set(id, { ...v, data: { ...v.data, status: 'ACTIVE' } });
      }
    }
  }

  private readonly knownStatuses = new Map<string, PortStatus>();
}
