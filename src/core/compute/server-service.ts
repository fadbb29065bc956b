/**
 * Servers: create (ports made or adopted through the networking services and bound to the host),
 * show, list, rename/metadata, delete (owned ports deleted, adopted ones released), start, stop,
 * reboot. A server is a simulated workload: it is BUILD until the network agent realized all its
 * ports, then ACTIVE. Every write records a change so the agent replans; every request that changes
 * what runs (not a rename) records an instance action. Pure core.
 */
import { Conflict, InvalidInput, NotFound } from '../errors.js';
import type { RequestContext } from '../identity/context.js';
import { COMPUTE_KIND, type ServerData, type ServerStatus } from '../model/compute.js';
import { IMAGE_KIND, type Image } from '../model/image.js';
import { KIND, type PortData } from '../model/network.js';
import type { ResourceTx, StoredResource } from '../ports/resource-store.js';
import { type ComputeDeps, authorizeCompute } from './compute-deps.js';
import { InstanceActionLog, actorOf, describeFailure, finishOpenAction } from './instance-actions.js';
import { ServerEvents } from './server-events.js';
import { consoleLog } from './console-log.js';
import { getFlavor } from './flavors.js';
import { type NetworkRequest, ServerPorts } from './server-ports.js';
import { ServerVolumes } from './server-volumes.js';
import { validateWorkloadMetadata } from './workload.js';

export type Server = StoredResource<ServerData>;

export interface BlockDeviceRequest {
  sourceType: 'volume' | 'image' | 'blank' | 'snapshot';
  destinationType: 'volume' | 'local';
  uuid: string | null;
  bootIndex: number | null;
  deleteOnTermination: boolean;
}

export interface ServerCreate {
  name: string;
  flavorId: string;
  imageId?: string;
  networks?: NetworkRequest[];
  securityGroups?: string[];
  metadata?: Record<string, string>;
  keyName?: string | null;
  availabilityZone?: string;
  blockDevices?: BlockDeviceRequest[];
}

export const serverNotFound = (id: string) => new NotFound(`Instance ${id} could not be found.`, 'InstanceNotFound');

function checkName(name: unknown): string {
  if (typeof name !== 'string' || name.trim() === '' || name.length > 255) {
    throw new InvalidInput("Invalid input for field/attribute name. Value must be a non-empty string of at most 255 characters.", 'ValidationError');
  }
  return name;
}

export class ServerService {
  readonly ports: ServerPorts;
  readonly volumes: ServerVolumes;
  readonly actions: InstanceActionLog;
  /** External events other services send (Cinder's volume-extended). */
  readonly events: ServerEvents;

  constructor(private readonly deps: ComputeDeps) {
    this.actions = new InstanceActionLog(deps);
    this.ports = new ServerPorts(deps, this.actions);
    this.volumes = new ServerVolumes(deps, this.actions);
    this.events = new ServerEvents(deps, this.actions);
  }

  /** A server the caller may see (own project, or admin); others are 404 as in Nova. */
  async get(ctx: RequestContext, id: string): Promise<Server> {
    const row = await this.deps.store.get<ServerData>(COMPUTE_KIND.server, id);
    if (!row || !(ctx.isAdmin || row.projectId === ctx.projectId)) throw serverNotFound(id);
    authorizeCompute(ctx, 'servers:show', row.projectId);
    return row;
  }

  async list(ctx: RequestContext, opts: { allTenants?: boolean; projectId?: string } = {}): Promise<Server[]> {
    authorizeCompute(ctx, 'servers:index', ctx.projectId);
    const all = opts.allTenants && ctx.isAdmin;
    const projectId = all ? opts.projectId : ctx.projectId ?? '';
    const rows = await this.deps.store.list<ServerData>(COMPUTE_KIND.server, projectId !== undefined ? { projectId } : {});
    return rows.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.id < b.id ? 1 : -1));
  }

  async create(ctx: RequestContext, input: ServerCreate): Promise<Server> {
    const projectId = ctx.projectId ?? '';
    authorizeCompute(ctx, 'servers:create', projectId);
    const name = checkName(input.name);
    getFlavor(input.flavorId);
    const metadata = input.metadata ?? {};
    validateWorkloadMetadata(metadata);
    const bootVolume = (input.blockDevices ?? []).find((b) => b.bootIndex === 0 && b.sourceType === 'volume' && b.uuid);
    if (input.imageId) await this.assertImage(ctx, input.imageId);
    else if (!bootVolume) {
      throw new InvalidInput('Block Device Mapping is Invalid: Boot sequence for the instance and image/block device mapping combination is not valid.', 'InvalidBDMBootSequence');
    }
    if (bootVolume && this.deps.volumes) await this.deps.volumes.assertVisible(ctx, bootVolume.uuid!);
    const requests = await this.ports.resolveRequests(ctx, input.networks);
    const groups = await this.ports.resolveGroups(ctx, projectId, input.securityGroups);

    const id = this.deps.uuid();
    const data: ServerData = {
      name,
      userId: ctx.userId ?? '',
      flavorId: input.flavorId,
      imageId: input.imageId ?? '',
      status: 'BUILD',
      powerState: 0,
      taskState: 'spawning',
      metadata,
      portIds: [],
      ownedPortIds: [],
      volumeAttachments: [],
      keyName: input.keyName ?? null,
      availabilityZone: input.availabilityZone || 'nova',
      hostId: this.deps.hostId,
      launchedAt: null,
      fault: null,
      boots: 1,
    };
    await this.deps.store.transaction(async (tx) => {
      await tx.insert(COMPUTE_KIND.server, { id, projectId, data });
      await tx.recordChange(COMPUTE_KIND.server, id, 'create');
      // Its event ends when the build does: ACTIVE (the network agent) or ERROR (fail below).
      await this.actions.begin(tx, { id, projectId }, actorOf(ctx), 'create');
    });
    try {
      for (const r of requests) await this.ports.plug(ctx, id, r, groups);
      if (bootVolume && this.deps.volumes) await this.attachBoot(ctx, id, bootVolume);
    } catch (e) {
      await this.fail(id, e);
      throw e;
    }
    return (await this.deps.store.get<ServerData>(COMPUTE_KIND.server, id))!;
  }

  private async attachBoot(ctx: RequestContext, id: string, b: BlockDeviceRequest): Promise<void> {
    const { attachmentId, connectionInfo } = await this.deps.volumes!.attach(ctx, b.uuid!, id, '/dev/vda');
    await this.mutate(id, (d) => ({
      ...d,
      volumeAttachments: [...d.volumeAttachments, { volumeId: b.uuid!, attachmentId, device: '/dev/vda', connectionInfo, deleteOnTermination: b.deleteOnTermination }],
    }));
  }

  private async assertImage(ctx: RequestContext, imageId: string): Promise<void> {
    const img = await this.deps.store.get<Image>(IMAGE_KIND, imageId);
    const visible = img && (ctx.isAdmin || img.projectId === ctx.projectId || img.data.visibility === 'public' || img.data.visibility === 'community');
    if (!visible) throw new InvalidInput(`Image ${imageId} could not be found.`, 'ImageNotFound');
    if (img.data.status !== 'active') throw new InvalidInput(`Image ${imageId} is not active.`, 'ImageNotActive');
  }

  /** Puts a server in ERROR with Nova's fault, keeping whatever was plugged (delete cleans up); the build failed. */
  private async fail(id: string, e: unknown): Promise<void> {
    const message = e instanceof Error ? e.message : String(e);
    const code = (e as { status?: number }).status ?? 500;
    const now = this.deps.now();
    await this.deps.store.transaction(async (tx) => {
      await this.mutateIn(tx, id, (d) => ({ ...d, status: 'ERROR', taskState: null, fault: { code, message, created: now } }));
      await finishOpenAction(tx, id, 'create', now, describeFailure(e));
    });
  }

  /** Read-modify-write under the row lock, recording the change for the agent. */
  async mutate(id: string, fn: (d: ServerData) => ServerData): Promise<Server> {
    return this.deps.store.transaction((tx) => this.mutateIn(tx, id, fn));
  }

  private async mutateIn(tx: ResourceTx, id: string, fn: (d: ServerData) => ServerData): Promise<Server> {
    const row = await tx.getForUpdate<ServerData>(COMPUTE_KIND.server, id);
    if (!row) throw serverNotFound(id);
    const updated = await tx.update(COMPUTE_KIND.server, id, fn(row.data));
    await tx.recordChange(COMPUTE_KIND.server, id, 'update');
    return updated;
  }

  async update(ctx: RequestContext, id: string, changes: { name?: string; metadata?: Record<string, string>; replaceMetadata?: boolean }): Promise<Server> {
    const s = await this.get(ctx, id);
    authorizeCompute(ctx, 'servers:update', s.projectId);
    const name = changes.name !== undefined ? checkName(changes.name) : undefined;
    const metadata = changes.metadata === undefined ? undefined : changes.replaceMetadata ? changes.metadata : { ...s.data.metadata, ...changes.metadata };
    if (metadata) validateWorkloadMetadata(metadata);
    return this.mutate(id, (d) => ({ ...d, ...(name !== undefined ? { name } : {}), ...(metadata ? { metadata } : {}) }));
  }

  async deleteMetadataKey(ctx: RequestContext, id: string, key: string): Promise<void> {
    const s = await this.get(ctx, id);
    authorizeCompute(ctx, 'servers:update', s.projectId);
    if (!(key in s.data.metadata)) throw new NotFound(`Metadata item was not found`, 'MetadataItemNotFound');
    await this.mutate(id, (d) => {
      const metadata = { ...d.metadata };
      delete metadata[key];
      return { ...d, metadata };
    });
  }

  /**
   * The delete action is visible while the volumes and ports are released; when that fails the server
   * stays with the action's event in Error. Done, the server goes with its actions.
   */
  async delete(ctx: RequestContext, id: string): Promise<void> {
    const s = await this.get(ctx, id);
    authorizeCompute(ctx, 'servers:delete', s.projectId);
    const actionId = await this.deps.store.transaction((tx) => this.actions.begin(tx, s, actorOf(ctx), 'delete'));
    try {
      for (const a of s.data.volumeAttachments) {
        if (this.deps.volumes) await this.deps.volumes.detach(ctx, a.volumeId, a.attachmentId).catch(() => undefined);
      }
      for (const portId of s.data.portIds) await this.ports.unplug(ctx, s, portId);
    } catch (e) {
      await this.actions.end(actionId, e);
      throw e;
    }
    await this.deps.store.transaction(async (tx) => {
      if (await tx.delete(COMPUTE_KIND.server, id)) await tx.recordChange(COMPUTE_KIND.server, id, 'delete');
      await this.actions.removeAll(tx, id);
    });
  }

  /** os-getConsoleOutput: the last `length` lines of the simulated console. */
  async consoleOutput(ctx: RequestContext, id: string, length?: number): Promise<string> {
    const s = await this.get(ctx, id);
    authorizeCompute(ctx, 'servers:console_output', s.projectId);
    const ports = await this.deps.store.list<PortData>(KIND.port, { ids: s.data.portIds });
    const lines = await consoleLog(s, ports, this.deps.tracer, this.deps.now());
    return `${(length !== undefined && length >= 0 ? lines.slice(lines.length - length) : lines).join('\n')}\n`;
  }

  /** start / stop / reboot: Nova's vm_state checks (409 when the server is in the wrong state). */
  async power(ctx: RequestContext, id: string, action: 'start' | 'stop' | 'reboot', hard = false): Promise<void> {
    const s = await this.get(ctx, id);
    authorizeCompute(ctx, `servers:${action}`, s.projectId);
    const allowed: Record<typeof action, ServerStatus[]> = { start: ['SHUTOFF'], stop: ['ACTIVE', 'ERROR'], reboot: hard ? ['ACTIVE', 'SHUTOFF', 'ERROR'] : ['ACTIVE'] };
    if (!allowed[action].includes(s.data.status)) {
      throw new Conflict(`Cannot '${action}' instance ${id} while it is in vm_state ${s.data.status.toLowerCase()}`, 'InstanceInvalidState');
    }
    // The simulated power change is done within this transaction, so its action is recorded whole.
    await this.deps.store.transaction(async (tx) => {
      await this.mutateIn(tx, id, (d) =>
        action === 'stop'
          ? { ...d, status: 'SHUTOFF', powerState: 4, taskState: null }
          : { ...d, status: 'ACTIVE', powerState: 1, taskState: null, fault: null, boots: d.boots + 1 },
      );
      await this.actions.record(tx, s, actorOf(ctx), action);
    });
  }
}
