/**
 * A server's network interfaces, done the way Nova does them against Neutron: ports for `networks`
 * are created in the user's name (quota, default group, IPAM all apply), adopted ports must be
 * unused, and binding (binding:host_id, device_owner compute:nova, device_id) is set with an
 * elevated context because binding is an operator attribute. Also os-interface (attach/detach)
 * and the `addresses` a server shows. Interface attach and detach are instance actions. Pure core.
 */
import { Conflict, InvalidInput, NotFound } from '../errors.js';
import type { RequestContext } from '../identity/context.js';
import { COMPUTE_KIND, type ServerData } from '../model/compute.js';
import { KIND, type FloatingIpData, type NetworkData, type Port, type PortData, type SecurityGroupData } from '../model/network.js';
import type { StoredResource } from '../ports/resource-store.js';
import { type ComputeDeps, authorizeCompute } from './compute-deps.js';
import { type InstanceActionLog, actorOf } from './instance-actions.js';

export interface NetworkRequest {
  networkId?: string;
  portId?: string;
  fixedIp?: string;
}

export interface ServerAddress {
  version: 4 | 6;
  addr: string;
  type: 'fixed' | 'floating';
  mac: string;
}

export interface InterfaceAttachment {
  portId: string;
  networkId: string;
  macAddress: string;
  portState: string;
  fixedIps: { subnetId: string; ipAddress: string }[];
}

const COMPUTE_OWNER = 'compute:nova';
const elevated = (ctx: RequestContext): RequestContext => ({ ...ctx, isAdmin: true });

export class ServerPorts {
  constructor(
    private readonly deps: ComputeDeps,
    private readonly actions: InstanceActionLog,
  ) {}

  /**
   * Checks every request before anything is created. Without `networks` (microversion 2.1 with none
   * given) the server gets the one network the project can use, as Nova picks it; more than one is
   * ambiguous (409), none means no interface.
   */
  async resolveRequests(ctx: RequestContext, networks: NetworkRequest[] | undefined): Promise<NetworkRequest[]> {
    if (networks === undefined) {
      const usable = (await this.deps.network.networks.list(ctx)).filter((n) => !n.external && n.subnets.length > 0);
      if (usable.length > 1) throw new Conflict('Multiple possible networks found, use a Network ID to be more specific.', 'NetworkAmbiguous');
      return usable.map((n) => ({ networkId: n.id }));
    }
    for (const r of networks) {
      if (r.portId) {
        const p = await this.visiblePort(ctx, r.portId);
        if (p.deviceId) throw new Conflict(`Port ${r.portId} is still in use.`, 'PortInUse');
      } else if (r.networkId) {
        try {
          await this.deps.network.networks.get(ctx, r.networkId);
        } catch {
          throw new InvalidInput(`Network ${r.networkId} could not be found.`, 'NetworkNotFound');
        }
      } else {
        throw new InvalidInput('Bad networks format: network uuid is not in proper format', 'ValidationError');
      }
    }
    return networks;
  }

  private async visiblePort(ctx: RequestContext, id: string): Promise<Port> {
    try {
      return await this.deps.network.ports.get(ctx, id);
    } catch {
      throw new InvalidInput(`Port ${id} could not be found.`, 'PortNotFound');
    }
  }

  /** Security group names or ids → ids in the caller's project (Nova takes names). */
  async resolveGroups(ctx: RequestContext, projectId: string, names: string[] | undefined): Promise<string[] | undefined> {
    if (!names || names.length === 0) return undefined;
    const groups = await this.deps.store.list<SecurityGroupData>(KIND.securityGroup, ctx.isAdmin ? {} : { projectId });
    return names.map((n) => {
      const byId = groups.find((g) => g.id === n);
      const byName = groups.filter((g) => g.data.name === n && g.projectId === projectId);
      if (byId) return byId.id;
      if (byName.length === 1) return byName[0]!.id;
      if (byName.length > 1) throw new Conflict(`Multiple security groups found matching '${n}'. Use an ID to be more specific.`, 'NoUniqueMatch');
      throw new InvalidInput(`Security group ${n} not found for project ${projectId}.`, 'SecurityGroupNotFound');
    });
  }

  /** Creates or adopts one port, binds it to the server's host, and records it on the server. */
  async plug(ctx: RequestContext, serverId: string, r: NetworkRequest, groups?: string[]): Promise<string> {
    const binding = { deviceId: serverId, deviceOwner: COMPUTE_OWNER, bindingHostId: this.deps.hostId };
    let portId: string;
    let owned = false;
    if (r.portId) {
      await this.deps.network.ports.update(elevated(ctx), r.portId, binding);
      portId = r.portId;
    } else {
      const [p] = await this.deps.network.ports.createMany(ctx, [
        {
          networkId: r.networkId!,
          ...binding,
          ...(r.fixedIp ? { fixedIps: [{ ipAddress: r.fixedIp }] } : {}),
          ...(groups ? { securityGroups: groups } : {}),
        },
      ]);
      portId = p!.id;
      owned = true;
    }
    await this.deps.store.transaction(async (tx) => {
      const row = await tx.getForUpdate<ServerData>(COMPUTE_KIND.server, serverId);
      if (!row) throw new NotFound(`Instance ${serverId} could not be found.`, 'InstanceNotFound');
      const d = row.data;
      await tx.update(COMPUTE_KIND.server, serverId, { ...d, portIds: [...d.portIds, portId], ownedPortIds: owned ? [...d.ownedPortIds, portId] : d.ownedPortIds });
      await tx.recordChange(COMPUTE_KIND.server, serverId, 'update');
    });
    return portId;
  }

  /** Deletes a port the server made, releases one it adopted. Gone already is fine. */
  async unplug(ctx: RequestContext, server: StoredResource<ServerData>, portId: string): Promise<void> {
    try {
      if (server.data.ownedPortIds.includes(portId)) await this.deps.network.ports.delete(elevated(ctx), portId);
      else await this.deps.network.ports.update(elevated(ctx), portId, { deviceId: '', deviceOwner: '', bindingHostId: '' });
    } catch (e) {
      if (!(e instanceof NotFound)) throw e;
    }
  }

  async listInterfaces(ctx: RequestContext, server: StoredResource<ServerData>): Promise<InterfaceAttachment[]> {
    authorizeCompute(ctx, 'servers:interfaces', server.projectId);
    const rows = await this.deps.store.list<PortData>(KIND.port, { ids: server.data.portIds });
    const byId = new Map(rows.map((r) => [r.id, r]));
    return server.data.portIds.flatMap((id) => {
      const p = byId.get(id);
      return p ? [{ portId: p.id, networkId: p.data.networkId, macAddress: p.data.macAddress, portState: p.data.status, fixedIps: p.data.fixedIps.map((f) => ({ ...f })) }] : [];
    });
  }

  async attachInterface(ctx: RequestContext, server: StoredResource<ServerData>, r: NetworkRequest): Promise<InterfaceAttachment> {
    authorizeCompute(ctx, 'servers:interfaces', server.projectId);
    if (!['ACTIVE', 'SHUTOFF'].includes(server.data.status)) {
      throw new Conflict(`Cannot 'attach_interface' instance ${server.id} while it is in vm_state ${server.data.status.toLowerCase()}`, 'InstanceInvalidState');
    }
    const [req] = await this.resolveRequests(ctx, [r]);
    const portId = await this.actions.around(server, actorOf(ctx), 'attach_interface', () => this.plug(ctx, server.id, req!));
    const row = (await this.deps.store.get<ServerData>(COMPUTE_KIND.server, server.id))!;
    return (await this.listInterfaces(ctx, row)).find((i) => i.portId === portId)!;
  }

  async detachInterface(ctx: RequestContext, server: StoredResource<ServerData>, portId: string): Promise<void> {
    authorizeCompute(ctx, 'servers:interfaces', server.projectId);
    if (!server.data.portIds.includes(portId)) throw new NotFound(`Port ${portId} is not attached`, 'PortNotFound');
    await this.actions.around(server, actorOf(ctx), 'detach_interface', async () => {
      await this.unplug(ctx, server, portId);
      await this.deps.store.transaction(async (tx) => {
        const row = await tx.getForUpdate<ServerData>(COMPUTE_KIND.server, server.id);
        if (!row) return;
        const d = row.data;
        await tx.update(COMPUTE_KIND.server, server.id, { ...d, portIds: d.portIds.filter((x) => x !== portId), ownedPortIds: d.ownedPortIds.filter((x) => x !== portId) });
        await tx.recordChange(COMPUTE_KIND.server, server.id, 'update');
      });
    });
  }

  /** `addresses`: per network name, fixed IPs then the floating IPs pointing at them. */
  async addresses(server: StoredResource<ServerData>): Promise<Record<string, ServerAddress[]>> {
    const ports = await this.deps.store.list<PortData>(KIND.port, { ids: server.data.portIds });
    if (ports.length === 0) return {};
    const nets = await this.deps.store.list<NetworkData>(KIND.network, { ids: [...new Set(ports.map((p) => p.data.networkId))] });
    const netName = new Map(nets.map((n) => [n.id, n.data.name || n.id]));
    const portIds = new Set(ports.map((p) => p.id));
    const fips = (await this.deps.store.list<FloatingIpData>(KIND.floatingIp)).filter((f) => f.data.portId && portIds.has(f.data.portId));
    const out: Record<string, ServerAddress[]> = {};
    const byId = new Map(ports.map((p) => [p.id, p]));
    for (const id of server.data.portIds) {
      const p = byId.get(id);
      if (!p) continue;
      const list = (out[netName.get(p.data.networkId) ?? p.data.networkId] ??= []);
      for (const f of p.data.fixedIps) {
        list.push({ version: f.ipAddress.includes(':') ? 6 : 4, addr: f.ipAddress, type: 'fixed', mac: p.data.macAddress });
        for (const fip of fips) {
          if (fip.data.portId === p.id && fip.data.fixedIpAddress === f.ipAddress) {
            list.push({ version: 4, addr: fip.data.floatingIpAddress, type: 'floating', mac: p.data.macAddress });
          }
        }
      }
    }
    return out;
  }

  /** Names of the security groups on the server's ports (the `security_groups` field). */
  async securityGroupNames(server: StoredResource<ServerData>): Promise<string[]> {
    const ports = await this.deps.store.list<PortData>(KIND.port, { ids: server.data.portIds });
    const ids = [...new Set(ports.flatMap((p) => p.data.securityGroups))];
    if (ids.length === 0) return [];
    const groups = await this.deps.store.list<SecurityGroupData>(KIND.securityGroup, { ids });
    return [...new Set(groups.map((g) => g.data.name))].sort();
  }
}
