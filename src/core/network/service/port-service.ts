/**
 * Ports: create on a visible network (MAC, addresses, the project's default security group unless
 * port security is off or the owner is a network service), show, list, update (fixed IPs added and
 * removed, groups, address pairs, bindings) and delete (addresses and MAC freed, floating IPs
 * disassociated; router ports only through the router API). Status stays DOWN: the data plane
 * flips it when it realizes the port. Pure core.
 */
import { Conflict, Forbidden, InvalidInput } from '../../errors.js';
import type { RequestContext } from '../../identity/context.js';
import { DEVICE_OWNER, KIND, type AddressPairData, type FloatingIpData, type Network, type Port, type PortData } from '../../model/network.js';
import type { ResourceTx, StoredResource } from '../../ports/resource-store.js';
import { canonicalIp, formatCidr, tryParseCidrLoose, tryParseIp } from '../ip/index.js';
import { normalizeMac } from '../mac/index.js';
import type { NetworkDeps } from './network-deps.js';
import { authorizeNetwork } from './network-policy.js';
import { type FixedIpRequest, type PortEnv, allocateFixedIps, claimMac, insertPort, networkSubnets, releaseMac, removePort } from './port-factory.js';
import { checkQuota } from './quota.js';
import { dataOf, getNetworkVisible, hydrate, notFound, owns, resolveProject } from './scope.js';
import type { SecurityGroupService } from './security-group-service.js';

export interface PortInput extends Partial<Omit<PortData, 'fixedIps' | 'allowedAddressPairs'>> {
  fixedIps?: FixedIpRequest[];
  allowedAddressPairs?: Array<{ ipAddress: string; macAddress?: string }>;
  projectId?: string;
  tenantId?: string;
}

export class PortService {
  /**
   * Listed ports by stored row: the store hands out the same frozen row object while a port's
   * revision is unchanged (its document cache), so an unchanged port is hydrated once and keeps its
   * identity, which lets the API memoize its rendered view. A new revision is a new row object.
   */
  private readonly listed = new WeakMap<object, Port>();

  /** One entity per stored row; frozen, since it is shared by every list that returns it. */
  private readonly entity = (r: StoredResource<PortData>): Port => {
    let p = this.listed.get(r);
    if (!p) {
      p = Object.freeze(hydrate(r)) as Port;
      this.listed.set(r, p);
    }
    return p;
  };

  constructor(
    private readonly deps: NetworkDeps,
    private readonly env: PortEnv,
    private readonly groups: SecurityGroupService,
  ) {}

  async createMany(ctx: RequestContext, inputs: PortInput[]): Promise<Port[]> {
    return this.deps.store.transaction(async (tx) => {
      const out: Port[] = [];
      for (const input of inputs) out.push(await this.createIn(tx, ctx, input));
      return out;
    });
  }

  private async createIn(tx: ResourceTx, ctx: RequestContext, input: PortInput): Promise<Port> {
    const projectId = resolveProject(ctx, 'port', input);
    const network = await getNetworkVisible(tx, ctx, input.networkId!);
    authorizeNetwork(ctx, 'create_port', { projectId });
    const networkOwner = ctx.isAdmin || owns(ctx, network.projectId);
    if (!networkOwner && !network.shared && !(await this.sharedByRbac(tx, ctx, network))) {
      throw new Forbidden('rule:create_port is disallowed by policy', 'PolicyNotAuthorized');
    }
    if (input.macAddress !== undefined && !networkOwner) authorizeNetwork(ctx, 'create_port:mac_address');
    if (input.fixedIps?.some((f) => f.ipAddress !== undefined) && !networkOwner) denyNonOwner('create_port:fixed_ips:ip_address');
    // Neutron: only the network's owner (or an admin) may set these on its network's ports.
    if (input.portSecurityEnabled !== undefined && !networkOwner) denyNonOwner('create_port:port_security_enabled');
    if (input.allowedAddressPairs !== undefined && !networkOwner) denyNonOwner('create_port:allowed_address_pairs');
    await checkQuota(tx, this.deps, projectId, 'port');
    const deviceOwner = input.deviceOwner ?? '';
    const portSecurityEnabled = input.portSecurityEnabled ?? network.portSecurityEnabled;
    const pairs = this.pairs(input.allowedAddressPairs ?? [], portSecurityEnabled);
    let securityGroups = input.securityGroups;
    if (securityGroups === undefined) {
      securityGroups = portSecurityEnabled && !deviceOwner.startsWith('network:') ? [await this.groups.ensureDefault(tx, projectId)] : [];
    } else if (securityGroups.length > 0) {
      if (!portSecurityEnabled) {
        throw new InvalidInput(
          'Port security must be enabled and port must have an IP address in order to use security groups.',
          'PortSecurityAndIPRequiredForSecurityGroups',
        );
      }
      await this.groups.assertUsable(tx, ctx, projectId, securityGroups);
    }
    const { fixedIps, projectId: _p, tenantId: _t, allowedAddressPairs: _a, ...rest } = input;
    const port = await insertPort(tx, this.env, network, {
      ...stripUndefined(rest),
      projectId,
      deviceOwner,
      deviceId: input.deviceId ?? '',
      portSecurityEnabled,
      securityGroups: [...new Set(securityGroups)],
      allowedAddressPairs: [],
      bindingVifType: input.bindingHostId ? 'ovs' : 'unbound',
      bindingVifDetails: input.bindingHostId ? { port_filter: true, connectivity: 'l2' } : {},
      fixedIpRequests: fixedIps,
    });
    if (pairs.length === 0) return port;
    const data = { ...dataOf(port), allowedAddressPairs: pairs.map((p) => ({ ipAddress: p.ipAddress, macAddress: p.macAddress ?? port.macAddress })) };
    return hydrate(await tx.update(KIND.port, port.id, data)) as Port;
  }

  private async sharedByRbac(tx: ResourceTx, ctx: RequestContext, network: Network): Promise<boolean> {
    const rows = await tx.list<{ objectId: string; action: string; targetTenant: string }>(KIND.rbacPolicy);
    return rows.some((r) => r.data.objectId === network.id && r.data.action === 'access_as_shared' && (r.data.targetTenant === '*' || r.data.targetTenant === ctx.projectId));
  }

  /** Address pairs: valid address or cidr, no duplicates, and only with port security on. */
  private pairs(pairs: Array<{ ipAddress: string; macAddress?: string }>, portSecurity: boolean): Array<{ ipAddress: string; macAddress?: string }> {
    if (pairs.length > 0 && !portSecurity) {
      throw new Conflict('Port Security must be enabled in order to have allowed address pairs on a port.', 'AddressPairAndPortSecurityRequired');
    }
    const seen = new Set<string>();
    return pairs.map((p) => {
      const asIp = tryParseIp(p.ipAddress);
      const asCidr = asIp ? null : tryParseCidrLoose(p.ipAddress);
      if (!asIp && !asCidr) {
        throw new InvalidInput(`Invalid input for allowed_address_pairs. Reason: '${p.ipAddress}' is not a valid IP address.`, 'HTTPBadRequest');
      }
      const ip = asIp ? canonicalIp(p.ipAddress) : p.ipAddress.includes('/') ? formatCidr(asCidr!) : p.ipAddress;
      const mac = p.macAddress === undefined ? undefined : normalizeMac(p.macAddress);
      const key = `${ip}|${mac ?? ''}`;
      if (seen.has(key)) throw new InvalidInput('Request contains duplicate address pair: mac_address and ip_address.', 'DuplicateAddressPairInRequest');
      seen.add(key);
      return { ipAddress: ip, macAddress: mac };
    });
  }

  private async getVisible(tx: ResourceTx, ctx: RequestContext, id: string, forUpdate = false): Promise<Port> {
    const row = forUpdate ? await tx.getForUpdate<PortData>(KIND.port, id) : await tx.get<PortData>(KIND.port, id);
    if (!row) throw notFound(KIND.port, id);
    if (ctx.isAdmin || owns(ctx, row.projectId)) return hydrate(row) as Port;
    const net = await tx.get(KIND.network, row.data.networkId);
    if (net && owns(ctx, net.projectId)) return hydrate(row) as Port;
    throw notFound(KIND.port, id);
  }

  async get(ctx: RequestContext, id: string): Promise<Port> {
    authorizeNetwork(ctx, 'get_port', { projectId: ctx.projectId });
    return this.getVisible(this.deps.store, ctx, id);
  }

  /** `networkIds` narrows the read to those networks' ports (the list filter), avoiding a full scan. */
  async list(ctx: RequestContext, networkIds?: string[]): Promise<Port[]> {
    const store = this.deps.store;
    const rows =
      networkIds && networkIds.length > 0
        ? (await Promise.all(networkIds.map((n) => store.list<PortData>(KIND.port, { parentId: n })))).flat()
        : ctx.isAdmin
          ? await store.list<PortData>(KIND.port)
          : null;
    if (rows) {
      if (ctx.isAdmin) return rows.map(this.entity);
      const ownNets = new Set((await store.list(KIND.network, { projectId: ctx.projectId ?? '' })).map((n) => n.id));
      return rows.filter((r) => owns(ctx, r.projectId) || ownNets.has(r.data.networkId)).map(this.entity);
    }
    const mine = await store.list<PortData>(KIND.port, { projectId: ctx.projectId ?? '' });
    const ownNets = (await store.list(KIND.network, { projectId: ctx.projectId ?? '' })).map((n) => n.id);
    const seen = new Set(mine.map((r) => r.id));
    const extra = (await Promise.all(ownNets.map((n) => store.list<PortData>(KIND.port, { parentId: n })))).flat().filter((r) => !seen.has(r.id));
    return [...mine, ...extra].map(this.entity);
  }

  async update(ctx: RequestContext, id: string, changes: PortInput, ifMatch?: number): Promise<Port> {
    return this.deps.store.transaction(async (tx) => {
      const port = await this.getVisible(tx, ctx, id, true);
      authorizeNetwork(ctx, 'update_port', { projectId: port.projectId });
      const network = await getNetworkVisible(tx, { ...ctx, isAdmin: true }, port.networkId);
      const networkOwner = ctx.isAdmin || owns(ctx, network.projectId);
      if (changes.portSecurityEnabled !== undefined && !networkOwner) denyNonOwner('update_port:port_security_enabled');
      if (changes.allowedAddressPairs !== undefined && !networkOwner) denyNonOwner('update_port:allowed_address_pairs');
      const data: PortData = { ...dataOf(port) };
      const simple = ['name', 'description', 'adminStateUp', 'deviceId', 'deviceOwner', 'extraDhcpOpts', 'bindingHostId', 'bindingVnicType', 'bindingProfile', 'dnsName', 'propagateUplinkStatus'] as const;
      for (const k of simple) if (changes[k] !== undefined) (data as unknown as Record<string, unknown>)[k] = changes[k];
      if (changes.bindingHostId !== undefined) {
        data.bindingVifType = changes.bindingHostId ? 'ovs' : 'unbound';
        data.bindingVifDetails = changes.bindingHostId ? { port_filter: true, connectivity: 'l2' } : {};
      }
      if (changes.portSecurityEnabled !== undefined) data.portSecurityEnabled = changes.portSecurityEnabled;
      if (changes.macAddress !== undefined && normalizeMac(changes.macAddress) !== port.macAddress) {
        if (!ctx.isAdmin) authorizeNetwork(ctx, 'create_port:mac_address');
        if (port.bindingHostId) throw new Conflict(`Port ${id} is bound; its MAC address cannot be changed.`, 'PortBound');
        data.macAddress = await claimMac(tx, this.env, port.networkId, id, changes.macAddress);
        await releaseMac(tx, port.networkId, port.macAddress);
      }
      if (changes.securityGroups !== undefined) {
        await this.groups.assertUsable(tx, ctx, port.projectId, changes.securityGroups);
        data.securityGroups = [...new Set(changes.securityGroups)];
      }
      if (changes.allowedAddressPairs !== undefined) {
        data.allowedAddressPairs = this.pairs(changes.allowedAddressPairs, data.portSecurityEnabled).map(
          (p): AddressPairData => ({ ipAddress: p.ipAddress, macAddress: p.macAddress ?? data.macAddress }),
        );
      }
      if (!data.portSecurityEnabled) {
        if (data.securityGroups.length > 0) {
          if (changes.securityGroups === undefined) {
            throw new Conflict(
              'Port has security group associated. Cannot disable port security or ip address until security group is removed',
              'PortSecurityPortHasSecurityGroup',
            );
          }
          throw new InvalidInput('Port security must be enabled and port must have an IP address in order to use security groups.', 'PortSecurityAndIPRequiredForSecurityGroups');
        }
        if (data.allowedAddressPairs.length > 0) {
          throw new Conflict('Port Security must be enabled in order to have allowed address pairs on a port.', 'AddressPairAndPortSecurityRequired');
        }
      }
      if (changes.fixedIps !== undefined) data.fixedIps = await this.changeFixedIps(tx, network, port, changes.fixedIps, data.deviceOwner);
      const row = await tx.update(KIND.port, id, data, { expectRevision: ifMatch });
      await tx.recordChange(KIND.port, id, 'update');
      return hydrate(row) as Port;
    });
  }

  /** Keeps the requested addresses the port already holds, allocates the new ones, frees the rest. */
  private async changeFixedIps(tx: ResourceTx, network: Network, port: Port, wanted: FixedIpRequest[], deviceOwner: string) {
    const subnets = await networkSubnets(tx, network.id);
    const kept: PortData['fixedIps'] = [];
    const fresh: FixedIpRequest[] = [];
    for (const w of wanted) {
      const held = w.ipAddress !== undefined && tryParseIp(w.ipAddress) !== null
        ? port.fixedIps.find((f) => f.ipAddress === canonicalIp(w.ipAddress!) && (w.subnetId === undefined || w.subnetId === f.subnetId))
        : undefined;
      if (held && !kept.includes(held)) kept.push(held);
      else fresh.push(w);
    }
    for (const f of port.fixedIps) if (!kept.includes(f)) await this.env.ipam.release(tx, f.subnetId, f.ipAddress);
    const added = fresh.length ? await allocateFixedIps(tx, this.env, network, subnets, port.id, port.macAddress, deviceOwner, fresh) : [];
    return [...kept, ...added];
  }

  async delete(ctx: RequestContext, id: string, ifMatch?: number): Promise<void> {
    await this.deps.store.transaction(async (tx) => {
      const port = await this.getVisible(tx, ctx, id, true);
      // Neutron's delete_port: the port's project, or the owner of its network.
      const net = owns(ctx, port.projectId) ? undefined : await tx.get(KIND.network, port.networkId);
      authorizeNetwork(ctx, 'delete_port', { projectId: net && owns(ctx, net.projectId) ? net.projectId : port.projectId });
      if (ifMatch !== undefined && ifMatch !== port.revisionNumber) await tx.update(KIND.port, id, dataOf(port), { expectRevision: ifMatch });
      if (port.deviceOwner === DEVICE_OWNER.routerInterface || port.deviceOwner === DEVICE_OWNER.routerGateway || port.deviceOwner === DEVICE_OWNER.floatingIp) {
        if (port.deviceOwner !== DEVICE_OWNER.routerInterface || (await tx.get(KIND.router, port.deviceId))) {
          throw new Conflict(`Port ${id} cannot be deleted directly via the port API: has device owner ${port.deviceOwner}.`, 'ServicePortInUse');
        }
      }
      await this.disassociateFloatingIps(tx, id);
      await removePort(tx, this.env, port);
    });
  }

  private async disassociateFloatingIps(tx: ResourceTx, portId: string): Promise<void> {
    for (const f of await tx.list<FloatingIpData>(KIND.floatingIp)) {
      if (f.data.portId !== portId) continue;
      await tx.update(KIND.floatingIp, f.id, { ...f.data, portId: null, fixedIpAddress: null, routerId: null, status: 'DOWN' });
      await tx.recordChange(KIND.floatingIp, f.id, 'update');
    }
  }
}

/** A rule that is "admin or network owner": the caller is neither. */
function denyNonOwner(action: string): never {
  throw new Forbidden(`rule:${action} is disallowed by policy`, 'PolicyNotAuthorized');
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
