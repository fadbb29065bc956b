/**
 * Neutron's agent API over what really runs: PocketStack's one network agent (src/agent/network),
 * which realizes L2, L3/NAT, DHCP and security groups in the data plane of its host. It is listed
 * only when it runs in this process (the compute module mounts it), `alive` comes from its own
 * heartbeat (the end of its last reconcile pass), and only what is true can change: its
 * description; it cannot be disabled or deleted while it runs. Agents are admin-only, as in
 * Neutron (others see an empty list). Pure core.
 */
import { Conflict, InvalidInput, NotFound } from '../../errors.js';
import type { RequestContext } from '../../identity/context.js';
import type { ResourceStore } from '../../ports/resource-store.js';
import { canNetwork } from './network-policy.js';

/** What the running agent says about itself. */
export interface AgentReport {
  host: string;
  /** The data plane driver it applies specs to (`sim`, `linux`). */
  dataplane: string;
  startedAt: string | null;
  heartbeatAt: string | null;
  realizedGeneration: number;
  lastError: string | null;
}

/** The running agent, looked up at call time; null when none runs in this process. */
export type AgentProbe = () => AgentReport | null;

export interface Agent {
  id: string;
  agentType: string;
  binary: string;
  topic: string;
  host: string;
  adminStateUp: boolean;
  alive: boolean;
  description: string;
  createdAt: string;
  startedAt: string | null;
  heartbeatTimestamp: string | null;
  configurations: Record<string, unknown>;
}

/** The agent's stored identity: a stable id and what an operator wrote about it. */
interface AgentDoc {
  agentId: string;
  description: string;
  createdAt: string;
}

const KIND_AGENT = 'network_agent';
export const AGENT_TYPE = 'PocketStack network agent';
/** Neutron's agent_down_time default: no heartbeat for this long means not alive. */
const DOWN_AFTER_MS = 75_000;

export interface AgentServiceDeps {
  store: ResourceStore;
  uuid(): string;
  probe: AgentProbe;
  now(): Date;
}

export function isAlive(heartbeatAt: string | null, now: Date): boolean {
  return heartbeatAt !== null && now.getTime() - Date.parse(heartbeatAt) < DOWN_AFTER_MS;
}

export class AgentService {
  constructor(private readonly deps: AgentServiceDeps) {}

  /** Gives the running agent its stable id (once per host; run at start). */
  async register(): Promise<void> {
    const report = this.deps.probe();
    if (!report) return;
    await this.deps.store.transaction(async (tx) => {
      if (await tx.getForUpdate(KIND_AGENT, report.host)) return;
      const data: AgentDoc = { agentId: this.deps.uuid(), description: '', createdAt: this.deps.now().toISOString() };
      await tx.insert(KIND_AGENT, { id: report.host, projectId: '', data });
    });
  }

  private async current(): Promise<{ report: AgentReport; doc: AgentDoc } | null> {
    const report = this.deps.probe();
    if (!report) return null;
    const row = await this.deps.store.get<AgentDoc>(KIND_AGENT, report.host);
    return row ? { report, doc: row.data } : null;
  }

  private view(report: AgentReport, doc: AgentDoc): Agent {
    return {
      id: doc.agentId,
      agentType: AGENT_TYPE,
      binary: 'pocketstack-network-agent',
      topic: 'N/A',
      host: report.host,
      adminStateUp: true,
      alive: isAlive(report.heartbeatAt, this.deps.now()),
      description: doc.description,
      createdAt: doc.createdAt,
      startedAt: report.startedAt,
      heartbeatTimestamp: report.heartbeatAt,
      configurations: { dataplane: report.dataplane, realized_generation: report.realizedGeneration, last_error: report.lastError },
    };
  }

  async list(ctx: RequestContext): Promise<Agent[]> {
    if (!canNetwork(ctx, 'get_agent')) return [];
    const c = await this.current();
    return c ? [this.view(c.report, c.doc)] : [];
  }

  async get(ctx: RequestContext, id: string): Promise<Agent> {
    const c = canNetwork(ctx, 'get_agent') ? await this.current() : null;
    if (!c || c.doc.agentId !== id) throw new NotFound(`Agent ${id} could not be found.`, 'AgentNotFound');
    return this.view(c.report, c.doc);
  }

  async update(ctx: RequestContext, id: string, changes: { adminStateUp?: unknown; description?: unknown }): Promise<Agent> {
    const agent = await this.get(ctx, id);
    if (changes.adminStateUp !== undefined && changes.adminStateUp !== true) {
      throw new InvalidInput('Invalid input for operation: the network agent is the only one realizing the data plane; it cannot be disabled.', 'InvalidInput');
    }
    if (changes.description !== undefined) {
      const d = changes.description;
      if (typeof d !== 'string' || d.length > 255) throw new InvalidInput(`Invalid input for description. Reason: '${String(d)}' is not a valid string.`, 'HTTPBadRequest');
      await this.deps.store.transaction(async (tx) => {
        const row = await tx.getForUpdate<AgentDoc>(KIND_AGENT, agent.host);
        if (row) await tx.update(KIND_AGENT, agent.host, { ...row.data, description: d });
      });
    }
    return this.get(ctx, id);
  }

  async delete(ctx: RequestContext, id: string): Promise<void> {
    await this.get(ctx, id);
    throw new Conflict(`Agent ${id} runs in this process and cannot be deleted while it runs.`, 'AgentInUse');
  }
}
