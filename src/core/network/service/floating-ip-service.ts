/**
 * Floating IPs: an address from an external network (held by a network:floatingip port), associated
 * with a port's fixed IP only when a router joins that port's subnet to the external network (else
 * 404 ExternalGatewayForFloatingIPNotFound); the router id is derived, never given. Pure core.
 */
import { Conflict, Forbidden, InvalidInput, NotFound } from '../../errors.js';
import type { RequestContext } from '../../identity/context.js';
import { DEVICE_OWNER, KIND, type FloatingIp, type FloatingIpData, type Port, type PortData } from '../../model/network.js';
import type { ResourceTx } from '../../ports/resource-store.js';
import { canonicalIp, tryParseIp } from '../ip/index.js';
import type { NetworkDeps } from './network-deps.js';
import { authorizeNetwork } from './network-policy.js';
import { type PortEnv, insertPort, removePort } from './port-factory.js';
import { checkQuota } from './quota.js';
import { routerJoining } from './router-gateway.js';
import { dataOf, getNetworkVisible, getOwned, hydrate, notFound, owns, resolveProject } from './scope.js';

export interface FloatingIpInput {
  floatingNetworkId?: string;
  floatingIpAddress?: string;
  subnetId?: string;
  portId?: string | null;
  fixedIpAddress?: string | null;
  description?: string;
  dnsName?: string;
  dnsDomain?: string;
  projectId?: string;
  tenantId?: string;
  tags?: string[];
}

type Association = Pick<FloatingIpData, 'portId' | 'fixedIpAddress' | 'routerId'>;
/** The floating IP an association is for (it may not be stored yet). */
type FipRef = Pick<FloatingIp, 'id' | 'projectId' | 'floatingNetworkId' | 'floatingIpAddress'>;

export class FloatingIpService {
  constructor(
    private readonly deps: NetworkDeps,
    private readonly env: PortEnv,
  ) {}

  async createMany(ctx: RequestContext, inputs: FloatingIpInput[]): Promise<FloatingIp[]> {
    return this.deps.store.transaction(async (tx) => {
      const out: FloatingIp[] = [];
      for (const input of inputs) out.push(await this.createIn(tx, ctx, input));
      return out;
    });
  }

  private async createIn(tx: ResourceTx, ctx: RequestContext, input: FloatingIpInput): Promise<FloatingIp> {
    const projectId = resolveProject(ctx, 'floatingip', input);
    authorizeNetwork(ctx, 'create_floatingip', { projectId });
    const network = await getNetworkVisible(tx, ctx, input.floatingNetworkId!);
    if (!network.external) {
      throw new InvalidInput(`Bad floatingip request: Network ${network.id} is not a valid external network.`, 'BadRequest');
    }
    if (input.floatingIpAddress !== undefined && !ctx.isAdmin) {
      throw new Forbidden('rule:create_floatingip:floating_ip_address is disallowed by policy', 'PolicyNotAuthorized');
    }
    await checkQuota(tx, this.deps, projectId, 'floatingip');
    const id = this.deps.uuid();
    const request =
      input.floatingIpAddress !== undefined || input.subnetId !== undefined
        ? [{ subnetId: input.subnetId, ipAddress: input.floatingIpAddress }]
        : undefined;
    const subnets = (await tx.list<{ ipVersion: number }>(KIND.subnet, { parentId: network.id })).filter((s) => s.data.ipVersion === 4);
    if (request === undefined && subnets.length === 0) {
      throw new InvalidInput(`Bad floatingip request: Network ${network.id} does not contain any IPv4 subnet.`, 'BadRequest');
    }
    const port = await insertPort(tx, this.env, network, {
      projectId: '',
      deviceOwner: DEVICE_OWNER.floatingIp,
      deviceId: id,
      portSecurityEnabled: false,
      fixedIpRequests: request ?? [{ subnetId: subnets[0]!.id }],
    });
    const address = port.fixedIps[0]!.ipAddress;
    let assoc: Association = { portId: null, fixedIpAddress: null, routerId: null };
    if (input.portId) assoc = await this.association(tx, ctx, { id, projectId, floatingNetworkId: network.id, floatingIpAddress: address }, input.portId, input.fixedIpAddress ?? undefined);
    const data: FloatingIpData = {
      floatingNetworkId: network.id,
      floatingIpAddress: address,
      floatingPortId: port.id,
      ...assoc,
      status: 'DOWN',
      description: input.description ?? '',
      dnsName: input.dnsName ?? '',
      dnsDomain: input.dnsDomain ?? '',
      tags: input.tags ?? [],
    };
    const row = await tx.insert(KIND.floatingIp, { id, projectId, parentId: network.id, data });
    await tx.recordChange(KIND.floatingIp, id, 'create');
    return hydrate(row) as FloatingIp;
  }

  /** Resolves port, fixed IP and router for an association, with Neutron's checks and errors. */
  private async association(tx: ResourceTx, ctx: RequestContext, fip: FipRef, portId: string, fixedIp?: string): Promise<Association> {
    const { id: fipId, floatingNetworkId: externalNetworkId, floatingIpAddress: address } = fip;
    const row = await tx.get<PortData>(KIND.port, portId);
    if (!row || !(ctx.isAdmin || owns(ctx, row.projectId) || (await this.ownsNetwork(tx, ctx, row.data.networkId)))) throw notFound(KIND.port, portId);
    const port = hydrate(row) as Port;
    // A network owner sees other projects' ports on its network, but may not point its floating IP at them.
    if (port.projectId !== fip.projectId && !ctx.isAdmin) {
      throw new InvalidInput(
        `Bad floatingip request: Cannot process floating IP association with Port ${portId}, since that port is owned by a different tenant.`,
        'BadRequest',
      );
    }
    const v4 = port.fixedIps.filter((f) => tryParseIp(f.ipAddress)?.version === 4);
    let chosen;
    if (fixedIp !== undefined) {
      chosen = port.fixedIps.find((f) => f.ipAddress === canonicalIp(fixedIp));
      if (!chosen) throw new InvalidInput(`Bad floatingip request: Port ${portId} does not have fixed ip ${fixedIp}.`, 'BadRequest');
      if (tryParseIp(chosen.ipAddress)?.version !== 4) {
        throw new InvalidInput(`Bad floatingip request: Cannot process floating IP association with ${fixedIp}, since that is not an IPv4 address.`, 'BadRequest');
      }
    } else {
      if (v4.length === 0) {
        throw new InvalidInput(`Bad floatingip request: Port ${portId} does not have any IPv4 address associated with it. Cannot associate with a Floating IP.`, 'BadRequest');
      }
      if (v4.length > 1) {
        throw new InvalidInput(`Bad floatingip request: Port ${portId} has multiple fixed IPv4 addresses. Must provide a specific IPv4 address when assigning a floating IP.`, 'BadRequest');
      }
      chosen = v4[0]!;
    }
    if (port.networkId === externalNetworkId) {
      throw new InvalidInput(`Bad floatingip request: Port ${portId} is on the external network of the floating IP.`, 'BadRequest');
    }
    const router = await routerJoining(tx, chosen.subnetId, externalNetworkId);
    if (!router) {
      throw new NotFound(
        `External network ${externalNetworkId} is not reachable from subnet ${chosen.subnetId}.  Therefore, cannot associate Port ${portId} with a Floating IP.`,
        'ExternalGatewayForFloatingIPNotFound',
      );
    }
    for (const f of await tx.list<FloatingIpData>(KIND.floatingIp)) {
      if (f.id !== fipId && f.data.portId === portId && f.data.fixedIpAddress === chosen.ipAddress && f.data.floatingNetworkId === externalNetworkId) {
        throw new Conflict(
          `Cannot associate floating IP ${address} (${fipId}) with port ${portId} using fixed IP ${chosen.ipAddress}, as that fixed IP already has a floating IP on external network ${externalNetworkId}.`,
          'FloatingIPPortAlreadyAssociated',
        );
      }
    }
    return { portId, fixedIpAddress: chosen.ipAddress, routerId: router.id };
  }

  private async ownsNetwork(tx: ResourceTx, ctx: RequestContext, networkId: string): Promise<boolean> {
    const net = await tx.get(KIND.network, networkId);
    return net !== undefined && owns(ctx, net.projectId);
  }

  get(ctx: RequestContext, id: string): Promise<FloatingIp> {
    authorizeNetwork(ctx, 'get_floatingip', { projectId: ctx.projectId });
    return getOwned<FloatingIpData>(this.deps.store, ctx, KIND.floatingIp, id) as Promise<FloatingIp>;
  }

  async list(ctx: RequestContext): Promise<FloatingIp[]> {
    const rows = ctx.isAdmin
      ? await this.deps.store.list<FloatingIpData>(KIND.floatingIp)
      : await this.deps.store.list<FloatingIpData>(KIND.floatingIp, { projectId: ctx.projectId ?? '' });
    return rows.map((r) => hydrate(r) as FloatingIp);
  }

  async update(ctx: RequestContext, id: string, changes: FloatingIpInput, ifMatch?: number): Promise<FloatingIp> {
    return this.deps.store.transaction(async (tx) => {
      const fip = (await getOwned<FloatingIpData>(tx, ctx, KIND.floatingIp, id, true)) as FloatingIp;
      authorizeNetwork(ctx, 'update_floatingip', { projectId: fip.projectId });
      const data: FloatingIpData = { ...dataOf(fip) };
      if (changes.description !== undefined) data.description = changes.description;
      // An empty update disassociates: the floating IP's original API had no other attribute.
      if (Object.values(changes).every((v) => v === undefined)) changes = { ...changes, portId: null };
      if (changes.portId !== undefined) {
        Object.assign(
          data,
          changes.portId === null
            ? { portId: null, fixedIpAddress: null, routerId: null }
            : await this.association(tx, ctx, fip, changes.portId, changes.fixedIpAddress ?? undefined),
        );
      } else if (changes.fixedIpAddress !== undefined && changes.fixedIpAddress !== null && fip.portId) {
        Object.assign(data, await this.association(tx, ctx, fip, fip.portId, changes.fixedIpAddress));
      }
      const row = await tx.update(KIND.floatingIp, id, data, { expectRevision: ifMatch });
      await tx.recordChange(KIND.floatingIp, id, 'update');
      return hydrate(row) as FloatingIp;
    });
  }

  async delete(ctx: RequestContext, id: string, ifMatch?: number): Promise<void> {
    await this.deps.store.transaction(async (tx) => {
      const fip = (await getOwned<FloatingIpData>(tx, ctx, KIND.floatingIp, id, true)) as FloatingIp;
      authorizeNetwork(ctx, 'delete_floatingip', { projectId: fip.projectId });
      if (ifMatch !== undefined && ifMatch !== fip.revisionNumber) await tx.update(KIND.floatingIp, id, dataOf(fip), { expectRevision: ifMatch });
      const port = await tx.get<PortData>(KIND.port, fip.floatingPortId);
      if (port) await removePort(tx, this.env, hydrate(port) as Port);
      await tx.delete(KIND.floatingIp, id);
      await tx.recordChange(KIND.floatingIp, id, 'delete');
    });
  }
}
