/**
 * Traces as a use case (POST /network/v2.0/traces and /traces/matrix): resolve what the user names
 * (a server by id or name, a port, an IP address, `outside:<external network>`) into a probe, wait
 * until the data plane realized every write the caller made before asking, trace, and render the
 * text with the planner's renderer. A user may only trace from and to what they can see (their
 * project's ports and servers; admins everything); an address is resolved among those. Pure core.
 */
import { Forbidden, InvalidInput, NotFound, Unavailable } from '../../errors.js';
import type { RequestContext } from '../../identity/context.js';
import { COMPUTE_KIND, type ServerData } from '../../model/compute.js';
import { KIND, type NetworkData, type PortData } from '../../model/network.js';
import type { PacketTracer, TraceEndpoint, TraceProbe, TraceProtocol, TraceResult } from '../../ports/dataplane-driver.js';
import type { ResourceStore, StoredResource } from '../../ports/resource-store.js';
import { type ReachabilityMatrix, reachabilityMatrix, renderMatrix } from '../plan/reachability.js';
import { renderTrace } from '../plan/trace-render.js';

export interface TraceDeps {
  store: ResourceStore;
  tracer: PacketTracer | null;
  /** Resolves once the data plane realized the store's current generation. */
  realized(): Promise<void>;
}

export interface TraceRequest {
  from: string;
  to: string;
  protocol: TraceProtocol;
  port?: number;
  ipVersion?: 4 | 6;
  sizeBytes?: number;
}

export interface TraceAnswer {
  result: TraceResult;
  text: string;
  /** How each endpoint was understood: `server web (port …)`, `port …`, `address 10.0.0.5`. */
  resolved: { from: string; to: string };
}

export interface MatrixAnswer {
  matrix: ReachabilityMatrix;
  /** Port id → the label shown in the table (server name, else port id). */
  labels: Record<string, string>;
  text: string;
}

const PROTOCOLS: readonly TraceProtocol[] = ['tcp', 'udp', 'icmp', 'dhcp'];
const UUIDISH = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const looksLikeIp = (s: string) => /^[0-9.]+$/.test(s) || (s.includes(':') && /^[0-9a-f:.]+$/i.test(s));

export class TraceService {
  constructor(private readonly deps: TraceDeps) {}

  private tracer(): PacketTracer {
    if (!this.deps.tracer) throw new Unavailable('The data plane driver in use cannot trace.', 'TraceUnsupported');
    return this.deps.tracer;
  }

  private visible = (ctx: RequestContext, projectId: string) => ctx.isAdmin || projectId === ctx.projectId;

  private checkFlow(r: { protocol: unknown; port?: unknown }): void {
    if (!PROTOCOLS.includes(r.protocol as TraceProtocol)) throw new InvalidInput(`Invalid protocol '${String(r.protocol)}': use tcp, udp, icmp or dhcp.`, 'HTTPBadRequest');
    if ((r.protocol === 'tcp' || r.protocol === 'udp') && !(Number.isInteger(r.port) && (r.port as number) >= 1 && (r.port as number) <= 65535)) {
      throw new InvalidInput(`A ${String(r.protocol)} trace needs a port between 1 and 65535.`, 'HTTPBadRequest');
    }
  }

  /** A server (id or unique name) → its first port; a port id; an address; outside:<network>. */
  private async resolve(ctx: RequestContext, ref: string, side: 'from' | 'to'): Promise<{ endpoint: TraceEndpoint; label: string }> {
    if (typeof ref !== 'string' || ref === '') throw new InvalidInput(`'${side}' is required: a server, a port, an IP address or outside:<network>.`, 'HTTPBadRequest');
    if (ref.startsWith('outside:')) {
      const name = ref.slice('outside:'.length);
      const nets = (await this.deps.store.list<NetworkData>(KIND.network)).filter((n) => n.data.external && (n.id === name || n.data.name === name));
      if (nets.length !== 1) throw new NotFound(`External network ${name} could not be found.`, 'ExternalNetworkNotFound');
      return { endpoint: { outside: nets[0]!.id }, label: `outside of ${nets[0]!.data.name || nets[0]!.id}` };
    }
    if (UUIDISH.test(ref)) {
      const port = await this.deps.store.get<PortData>(KIND.port, ref);
      if (port && this.visible(ctx, port.projectId)) return { endpoint: { portId: port.id }, label: `port ${port.id}` };
      const server = await this.deps.store.get<ServerData>(COMPUTE_KIND.server, ref);
      if (server && this.visible(ctx, server.projectId)) return this.serverEndpoint(server);
    }
    if (looksLikeIp(ref)) {
      // From an address: it must be one of the caller's ports. To an address: as the source sees it.
      if (side === 'to') return { endpoint: { ip: ref }, label: `address ${ref}` };
      const owner = (await this.deps.store.list<PortData>(KIND.port, ctx.isAdmin ? {} : { projectId: ctx.projectId ?? '' })).filter((p) =>
        p.data.fixedIps.some((f) => f.ipAddress === ref),
      );
      if (owner.length === 1) return { endpoint: { portId: owner[0]!.id, ip: ref }, label: `address ${ref} (port ${owner[0]!.id})` };
      if (owner.length > 1) throw new InvalidInput(`Address ${ref} belongs to several ports; name the port or the server.`, 'HTTPBadRequest');
      throw new NotFound(`No port of yours has address ${ref}.`, 'PortNotFound');
    }
    const named = (await this.deps.store.list<ServerData>(COMPUTE_KIND.server, ctx.isAdmin ? {} : { projectId: ctx.projectId ?? '' })).filter((s) => s.data.name === ref);
    if (named.length === 1) return this.serverEndpoint(named[0]!);
    if (named.length > 1) throw new InvalidInput(`More than one server is named ${ref}; use its id.`, 'HTTPBadRequest');
    throw new NotFound(`No server, port or address matches '${ref}'.`, 'TraceEndpointNotFound');
  }

  private serverEndpoint(s: StoredResource<ServerData>): { endpoint: TraceEndpoint; label: string } {
    const portId = s.data.portIds[0];
    if (!portId) throw new InvalidInput(`Server ${s.data.name} has no network interface.`, 'HTTPBadRequest');
    return { endpoint: { portId }, label: `server ${s.data.name} (port ${portId})` };
  }

  async trace(ctx: RequestContext, r: TraceRequest): Promise<TraceAnswer> {
    if (!ctx.projectId && !ctx.isAdmin) throw new Forbidden('A project-scoped token is required to trace.', 'Forbidden');
    this.checkFlow(r);
    const from = await this.resolve(ctx, r.from, 'from');
    const to = r.protocol === 'dhcp' ? from : await this.resolve(ctx, r.to, 'to');
    const probe: TraceProbe = {
      from: from.endpoint,
      to: to.endpoint,
      protocol: r.protocol,
      ...(r.port !== undefined && r.protocol !== 'icmp' && r.protocol !== 'dhcp' ? { port: r.port } : {}),
      ...(r.ipVersion ? { ipVersion: r.ipVersion } : {}),
      ...(r.sizeBytes ? { sizeBytes: r.sizeBytes } : {}),
    };
    await this.deps.realized();
    const result = await this.tracer().trace(probe);
    return { result, text: renderTrace(result), resolved: { from: from.label, to: to.label } };
  }

  /** Every ordered pair of the workload ports of a network, or of a project's servers. */
  async matrix(ctx: RequestContext, scope: { networkId?: string; projectId?: string }, flow: { protocol: TraceProtocol; port?: number }): Promise<MatrixAnswer> {
    this.checkFlow(flow);
    if (flow.protocol === 'dhcp') throw new InvalidInput('A matrix traces tcp, udp or icmp.', 'HTTPBadRequest');
    const servers = await this.deps.store.list<ServerData>(COMPUTE_KIND.server);
    const serverByPort = new Map<string, StoredResource<ServerData>>();
    for (const s of servers) for (const p of s.data.portIds) serverByPort.set(p, s);
    let ports: StoredResource<PortData>[];
    if (scope.networkId) {
      const net = await this.deps.store.get<NetworkData>(KIND.network, scope.networkId);
      if (!net || !(this.visible(ctx, net.projectId) || net.data.shared || net.data.external)) throw new NotFound(`Network ${scope.networkId} could not be found.`, 'NetworkNotFound');
      ports = (await this.deps.store.list<PortData>(KIND.port, { parentId: net.id })).filter((p) => this.visible(ctx, p.projectId));
    } else {
      const projectId = scope.projectId ?? ctx.projectId ?? '';
      if (!this.visible(ctx, projectId)) throw new Forbidden('You may only trace your own project.', 'Forbidden');
      ports = await this.deps.store.list<PortData>(KIND.port, { projectId });
    }
    ports = ports.filter((p) => serverByPort.has(p.id)).sort((a, b) => {
      const x = serverByPort.get(a.id)!.data.name;
      const y = serverByPort.get(b.id)!.data.name;
      return x < y ? -1 : x > y ? 1 : a.id < b.id ? -1 : 1;
    });
    if (ports.length > 64) throw new InvalidInput(`${ports.length} ports is too many for one matrix (64 at most); narrow it to a network.`, 'HTTPBadRequest');
    const labels: Record<string, string> = {};
    for (const p of ports) {
      const s = serverByPort.get(p.id)!;
      const multi = s.data.portIds.length > 1;
      labels[p.id] = multi ? `${s.data.name}/${p.data.fixedIps[0]?.ipAddress ?? p.id}` : s.data.name;
    }
    await this.deps.realized();
    const m = await reachabilityMatrix(this.tracer(), ports.map((p) => p.id), { protocol: flow.protocol, ...(flow.port !== undefined ? { port: flow.port } : {}) });
    const text = renderMatrix({ ...m, ports: m.ports.map((p) => labels[p] ?? p) });
    return { matrix: m, labels, text };
  }
}
