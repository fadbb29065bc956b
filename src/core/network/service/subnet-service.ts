/**
 * Subnets: Neutron's defaults and validation (core/network/subnet), prefixes from subnet pools
 * (serialized per pool by a row lock, so concurrent requests never get overlapping prefixes), the
 * network's DHCP port kept in step with the DHCP-enabled subnets, and in-use checks on delete.
 * Pure core.
 */
import { Conflict, Forbidden, InUse, InvalidInput } from '../../errors.js';
import type { RequestContext } from '../../identity/context.js';
import { DEVICE_OWNER, KIND, type Network, type Port, type PortData, type Subnet, type SubnetData, type SubnetPool } from '../../model/network.js';
import type { ResourceTx } from '../../ports/resource-store.js';
import { type AllocationPool, type HostRoute, allocatePrefix, resolveSubnetCreate, resolveSubnetUpdate } from '../subnet/index.js';
import type { NetworkDeps } from './network-deps.js';
import { authorizeNetwork } from './network-policy.js';
import { type PortEnv, allocateFixedIps, insertPort, isAutoSubnet, networkSubnets, removePort } from './port-factory.js';
import { checkQuota } from './quota.js';
import { bumpRevision, dataOf, getNetworkVisible, grantsFor, hydrate, isSharedFor, notFound, owns, resolveProject } from './scope.js';
import { findDefaultPool, getPoolVisible } from './subnetpool-service.js';

export interface SubnetInput {
  networkId?: string;
  name?: string;
  description?: string;
  cidr?: string;
  ipVersion?: number;
  gatewayIp?: string | null;
  allocationPools?: AllocationPool[];
  dnsNameservers?: string[];
  hostRoutes?: HostRoute[];
  enableDhcp?: boolean;
  ipv6RaMode?: string | null;
  ipv6AddressMode?: string | null;
  subnetpoolId?: string | null;
  prefixlen?: number;
  useDefaultSubnetpool?: boolean;
  serviceTypes?: string[];
  dnsPublishFixedIp?: boolean;
  segmentId?: string | null;
  projectId?: string;
  tenantId?: string;
  tags?: string[];
}

export class SubnetService {
  constructor(
    private readonly deps: NetworkDeps,
    private readonly env: PortEnv,
  ) {}

  async createMany(ctx: RequestContext, inputs: SubnetInput[]): Promise<Subnet[]> {
    return this.deps.store.transaction(async (tx) => {
      const out: Subnet[] = [];
      for (const input of inputs) out.push(await this.createIn(tx, ctx, input));
      return out;
    });
  }

  private async createIn(tx: ResourceTx, ctx: RequestContext, input: SubnetInput): Promise<Subnet> {
    const networkId = input.networkId!;
    const network = await getNetworkVisible(tx, ctx, networkId, true);
    const projectId = resolveProject(ctx, 'subnet', input);
    authorizeNetwork(ctx, 'create_subnet', { projectId });
    if (!ctx.isAdmin && !owns(ctx, network.projectId)) {
      throw new Forbidden('rule:create_subnet is disallowed by policy', 'PolicyNotAuthorized');
    }
    await checkQuota(tx, this.deps, projectId, 'subnet');
    const existing = await networkSubnets(tx, networkId);
    let cidr = input.cidr;
    let subnetpoolId: string | null = input.subnetpoolId ?? null;
    if (subnetpoolId === null && input.useDefaultSubnetpool) {
      const pool = await findDefaultPool(tx, input.ipVersion ?? 4);
      if (!pool) throw new InvalidInput(`No default subnetpool found for IPv${input.ipVersion ?? 4}`, 'BadRequest');
      subnetpoolId = pool.id;
    }
    if (subnetpoolId !== null) {
      const pool = await getPoolVisible(tx, ctx, subnetpoolId, true);
      if (input.ipVersion !== undefined && input.ipVersion !== pool.ipVersion) {
        throw new InvalidInput(`Cannot allocate IPv${input.ipVersion} subnet from IPv${pool.ipVersion} subnet pool`, 'BadRequest');
      }
      const taken = (await tx.list<SubnetData>(KIND.subnet)).filter((s) => s.data.subnetpoolId === pool.id).map((s) => s.data.cidr);
      cidr = allocatePrefix(
        { ipVersion: pool.ipVersion, prefixes: pool.prefixes, defaultPrefixLength: pool.defaultPrefixlen, minPrefixLength: pool.minPrefixlen, maxPrefixLength: pool.maxPrefixlen },
        taken,
        { cidr: input.cidr, prefixLength: input.cidr === undefined ? input.prefixlen : undefined },
      );
    } else if (cidr === undefined) {
      throw new InvalidInput('Bad subnets request: a cidr must be specified in the absence of a subnet pool.', 'BadRequest');
    } else if (input.prefixlen !== undefined) {
      throw new InvalidInput('Bad subnets request: prefixlen can only be given with a subnet pool.', 'BadRequest');
    }
    const resolved = resolveSubnetCreate(
      {
        cidr: cidr!,
        ipVersion: input.ipVersion,
        gatewayIp: input.gatewayIp,
        allocationPools: input.allocationPools,
        hostRoutes: input.hostRoutes,
        dnsNameservers: input.dnsNameservers,
        enableDhcp: input.enableDhcp,
        ipv6RaMode: input.ipv6RaMode,
        ipv6AddressMode: input.ipv6AddressMode,
      },
      { networkId, existingSubnets: existing, maxDnsNameservers: this.deps.config.maxDnsNameservers, maxHostRoutes: this.deps.config.maxHostRoutes },
    );
    const data: SubnetData = {
      networkId,
      name: input.name ?? '',
      description: input.description ?? '',
      ...resolved,
      subnetpoolId,
      serviceTypes: input.serviceTypes ?? [],
      dnsPublishFixedIp: input.dnsPublishFixedIp ?? false,
      tags: input.tags ?? [],
    };
    const id = this.deps.uuid();
    const subnet = hydrate(await tx.insert(KIND.subnet, { id, projectId, parentId: networkId, data })) as Subnet;
    await tx.recordChange(KIND.subnet, id, 'create');
    await bumpRevision(tx, KIND.network, networkId);
    if (subnet.enableDhcp) await this.addToDhcpPort(tx, network, subnet, [...existing, subnet]);
    return subnet;
  }

  /** Neutron's DHCP agent keeps one port per network with an address on each DHCP-enabled subnet. */
  private async addToDhcpPort(tx: ResourceTx, network: Network, subnet: Subnet, subnets: Subnet[]): Promise<void> {
    const ports = await tx.list<PortData>(KIND.port, { parentId: network.id });
    const dhcp = ports.find((p) => p.data.deviceOwner === DEVICE_OWNER.dhcp);
    try {
      if (!dhcp) {
        await insertPort(
          tx,
          this.env,
          network,
          {
            projectId: network.projectId,
            deviceOwner: DEVICE_OWNER.dhcp,
            deviceId: `dhcp${network.id.replace(/-/g, '').slice(0, 24)}-${network.id}`,
            portSecurityEnabled: false,
            bindingHostId: 'pocketstack',
            fixedIpRequests: [{ subnetId: subnet.id }],
          },
          subnets,
        );
        return;
      }
      const port = hydrate(dhcp) as Port;
      const added = await allocateFixedIps(tx, this.env, network, subnets, port.id, port.macAddress, port.deviceOwner, [{ subnetId: subnet.id }]);
      await tx.update(KIND.port, port.id, { ...dataOf(port), fixedIps: [...port.fixedIps, ...added] });
      await tx.recordChange(KIND.port, port.id, 'update');
    } catch (e) {
      // A full subnet simply leaves DHCP without an address here, as an agent would fail to get one.
      if (!(e instanceof Conflict)) throw e;
    }
  }

  private async removeFromDhcpPort(tx: ResourceTx, networkId: string, subnetId: string): Promise<void> {
    const ports = await tx.list<PortData>(KIND.port, { parentId: networkId });
    const dhcp = ports.find((p) => p.data.deviceOwner === DEVICE_OWNER.dhcp);
    if (!dhcp) return;
    const port = hydrate(dhcp) as Port;
    const mine = port.fixedIps.filter((f) => f.subnetId === subnetId);
    if (mine.length === 0) return;
    const rest = port.fixedIps.filter((f) => f.subnetId !== subnetId);
    if (rest.length === 0) {
      await removePort(tx, this.env, port);
      return;
    }
    for (const f of mine) await this.env.ipam.release(tx, f.subnetId, f.ipAddress);
    await tx.update(KIND.port, port.id, { ...dataOf(port), fixedIps: rest });
    await tx.recordChange(KIND.port, port.id, 'update');
  }

  private async getVisible(tx: ResourceTx, ctx: RequestContext, id: string, forUpdate = false): Promise<Subnet> {
    const row = forUpdate ? await tx.getForUpdate<SubnetData>(KIND.subnet, id) : await tx.get<SubnetData>(KIND.subnet, id);
    if (!row) throw notFound(KIND.subnet, id);
    const s = hydrate(row) as Subnet;
    if (ctx.isAdmin || owns(ctx, s.projectId)) return s;
    // Subnets of a shared network are visible; those of a merely external one are not (Neutron).
    const net = await tx.get<Network>(KIND.network, s.networkId);
    if (net && (owns(ctx, net.projectId) || net.data.shared || (await grantsFor(tx, ctx)).shared.has(net.id))) return s;
    throw notFound(KIND.subnet, id);
  }

  async get(ctx: RequestContext, id: string): Promise<Subnet> {
    authorizeNetwork(ctx, 'get_subnet', { projectId: ctx.projectId });
    return this.getVisible(this.deps.store, ctx, id);
  }

  /**
   * `shared` filters by the network's sharing as the caller sees it (a policy for its project
   * counts), the way Neutron filters on subnets' hidden `shared` attribute.
   */
  async list(ctx: RequestContext, shared?: boolean): Promise<Subnet[]> {
    const tx = this.deps.store;
    const all = (await tx.list<SubnetData>(KIND.subnet)).map((r) => hydrate(r) as Subnet);
    if (ctx.isAdmin && shared === undefined) return all;
    const nets = (await tx.list<Network>(KIND.network)).map((r) => hydrate(r) as Network);
    const grants = await grantsFor(tx, ctx);
    const sharedNets = new Set(nets.filter((n) => isSharedFor(n, grants)).map((n) => n.id));
    const visibleNets = new Set(nets.filter((n) => owns(ctx, n.projectId) || sharedNets.has(n.id)).map((n) => n.id));
    return all.filter(
      (s) => (ctx.isAdmin || owns(ctx, s.projectId) || visibleNets.has(s.networkId)) && (shared === undefined || sharedNets.has(s.networkId) === shared),
    );
  }

  async update(ctx: RequestContext, id: string, changes: SubnetInput, ifMatch?: number): Promise<Subnet> {
    return this.deps.store.transaction(async (tx) => {
      const s = await this.getVisible(tx, ctx, id, true);
      authorizeNetwork(ctx, 'update_subnet', { projectId: s.projectId });
      const resolved = resolveSubnetUpdate(
        { ...s } as unknown as Parameters<typeof resolveSubnetUpdate>[0],
        {
          gatewayIp: changes.gatewayIp,
          allocationPools: changes.allocationPools,
          hostRoutes: changes.hostRoutes,
          dnsNameservers: changes.dnsNameservers,
          enableDhcp: changes.enableDhcp,
        },
        { networkId: s.networkId, maxDnsNameservers: this.deps.config.maxDnsNameservers, maxHostRoutes: this.deps.config.maxHostRoutes },
      );
      if (changes.gatewayIp !== undefined && s.gatewayIp !== null && changes.gatewayIp !== s.gatewayIp) {
        const ports = await tx.list<PortData>(KIND.port, { parentId: s.networkId });
        const holder = ports.find(
          (p) => p.data.deviceOwner.startsWith('network:router') && p.data.fixedIps.some((f) => f.subnetId === id && f.ipAddress === s.gatewayIp),
        );
        if (holder) {
          throw new Conflict(`Current gateway ip ${s.gatewayIp} already in use by port ${holder.id}. Unable to update.`, 'GatewayIpInUse');
        }
      }
      const data: SubnetData = { ...dataOf(s), ...resolved };
      for (const k of ['name', 'description', 'serviceTypes', 'dnsPublishFixedIp'] as const) {
        if (changes[k] !== undefined) (data as unknown as Record<string, unknown>)[k] = changes[k];
      }
      const updated = hydrate(await tx.update(KIND.subnet, id, data, { expectRevision: ifMatch })) as Subnet;
      await tx.recordChange(KIND.subnet, id, 'update');
      if (changes.allocationPools !== undefined) this.env.ipam.forget(id);
      if (updated.enableDhcp !== s.enableDhcp) {
        const network = await getNetworkVisible(tx, ctx, s.networkId);
        if (updated.enableDhcp) await this.addToDhcpPort(tx, network, updated, await networkSubnets(tx, s.networkId));
        else await this.removeFromDhcpPort(tx, s.networkId, id);
      }
      return updated;
    });
  }

  async delete(ctx: RequestContext, id: string, ifMatch?: number): Promise<void> {
    await this.deps.store.transaction(async (tx) => {
      const s = await this.getVisible(tx, ctx, id, true);
      authorizeNetwork(ctx, 'delete_subnet', { projectId: s.projectId });
      if (ifMatch !== undefined && ifMatch !== s.revisionNumber) await tx.update(KIND.subnet, id, dataOf(s), { expectRevision: ifMatch });
      const ports = await tx.list<PortData>(KIND.port, { parentId: s.networkId });
      const users = ports.filter((p) => p.data.deviceOwner !== DEVICE_OWNER.dhcp && p.data.fixedIps.some((f) => f.subnetId === id));
      // Addresses on SLAAC subnets are derived, not held: Neutron drops them from ordinary ports.
      const blocking = isAutoSubnet(s) ? users.filter((p) => p.data.deviceOwner.startsWith('network:router')) : users;
      if (blocking.length > 0) {
        throw new InUse(`Unable to complete operation on subnet ${id}: One or more ports have an IP allocation from this subnet.`, 'SubnetInUse');
      }
      for (const p of users) {
        const port = hydrate(p) as Port;
        for (const f of port.fixedIps.filter((x) => x.subnetId === id)) await this.env.ipam.release(tx, id, f.ipAddress);
        await tx.update(KIND.port, port.id, { ...dataOf(port), fixedIps: port.fixedIps.filter((x) => x.subnetId !== id) });
        await tx.recordChange(KIND.port, port.id, 'update');
      }
      await this.removeFromDhcpPort(tx, s.networkId, id);
      await tx.delete(KIND.subnet, id);
      await tx.recordChange(KIND.subnet, id, 'delete');
      await bumpRevision(tx, KIND.network, s.networkId);
      this.env.ipam.forget(id);
    });
  }
}

export type { SubnetPool };
