/**
 * Networks: create (segment from the type drivers, MTU from the segment type), show, list (own,
 * shared, external and RBAC-granted ones), update and delete (only when nothing but DHCP ports is
 * left on it). Every write records a change so the data plane can follow. Pure core.
 */
import { Conflict, InUse, InvalidInput } from '../../errors.js';
import type { RequestContext } from '../../identity/context.js';
import { DEVICE_OWNER, KIND, type FloatingIpData, type Network, type NetworkData, type Port, type Subnet } from '../../model/network.js';
import type { ResourceTx } from '../../ports/resource-store.js';
import { type NetworkType, networkMtu } from '../segments/index.js';
import type { NetworkDeps } from './network-deps.js';
import { authorizeNetwork } from './network-policy.js';
import { checkQuota } from './quota.js';
import { addWildcard, assertNoGateways, networkPolicies, removePolicies } from './network-access.js';
import { sharedPolicyBlocker } from './rbac-rules.js';
import { type Grants, canSeeNetwork, dataOf, getNetworkVisible, grantsFor, hydrate, isSharedFor, resolveProject } from './scope.js';
import { claimSegment, releaseSegment } from './segment-claims.js';
import { type PortEnv, removePort } from './port-factory.js';

export interface NetworkInput {
  name?: string;
  description?: string;
  adminStateUp?: boolean;
  shared?: boolean;
  external?: boolean;
  mtu?: number;
  portSecurityEnabled?: boolean;
  providerNetworkType?: string;
  providerPhysicalNetwork?: string | null;
  providerSegmentationId?: number | null;
  availabilityZoneHints?: string[];
  dnsDomain?: string;
  isDefault?: boolean;
  projectId?: string;
  tenantId?: string;
  tags?: string[];
}

/** A network as shown: with the ids of its subnets. */
export type NetworkView = Network & { subnets: string[] };

export class NetworkService {
  constructor(
    private readonly deps: NetworkDeps,
    private readonly env: PortEnv,
  ) {}

  private maxMtu(type: string, physnet: string | null): number {
    return networkMtu(type as NetworkType, physnet, { underlayMtu: this.deps.config.underlayMtu });
  }

  async createMany(ctx: RequestContext, inputs: NetworkInput[]): Promise<NetworkView[]> {
    return this.deps.store.transaction(async (tx) => {
      const out: NetworkView[] = [];
      for (const input of inputs) out.push({ ...(await this.createIn(tx, ctx, input)), subnets: [] });
      return out;
    });
  }

  private async createIn(tx: ResourceTx, ctx: RequestContext, input: NetworkInput): Promise<Network> {
    const projectId = resolveProject(ctx, 'network', input);
    authorizeNetwork(ctx, 'create_network', { projectId });
    if (input.shared) authorizeNetwork(ctx, 'create_network:shared');
    if (input.external) authorizeNetwork(ctx, 'create_network:router:external');
    await checkQuota(tx, this.deps, projectId, 'network');
    const id = this.deps.uuid();
    const provider =
      input.providerNetworkType !== undefined
        ? { networkType: input.providerNetworkType, physicalNetwork: input.providerPhysicalNetwork, segmentationId: input.providerSegmentationId }
        : input.providerPhysicalNetwork != null || input.providerSegmentationId != null
          ? (() => {
              throw new InvalidInput('Invalid input for operation: network_type required.', 'InvalidInput');
            })()
          : null;
    const segment = await claimSegment(tx, this.deps.config.typeDrivers, id, provider);
    const max = this.maxMtu(segment.networkType, segment.physicalNetwork);
    if (input.mtu !== undefined && input.mtu > max) {
      throw new InvalidInput(`Invalid input for operation: Requested MTU is too big, maximum is ${max}.`, 'InvalidInput');
    }
    if (input.mtu !== undefined && input.mtu < 68) {
      throw new InvalidInput(`Invalid input for mtu. Reason: '${input.mtu}' is too small - must be at least '68'.`, 'HTTPBadRequest');
    }
    const data: NetworkData = {
      name: input.name ?? '',
      description: input.description ?? '',
      adminStateUp: input.adminStateUp ?? true,
      shared: input.shared ?? false,
      external: input.external ?? false,
      mtu: input.mtu ?? max,
      status: 'ACTIVE',
      portSecurityEnabled: input.portSecurityEnabled ?? true,
      segment,
      availabilityZoneHints: input.availabilityZoneHints ?? [],
      dnsDomain: input.dnsDomain ?? '',
      isDefault: input.isDefault ?? false,
      tags: input.tags ?? [],
    };
    const row = await tx.insert(KIND.network, { id, projectId, data });
    // `shared` and `router:external` are wildcard RBAC policies, as in Neutron.
    if (data.shared) await addWildcard(tx, this.deps, id, projectId, 'access_as_shared');
    if (data.external) await addWildcard(tx, this.deps, id, projectId, 'access_as_external');
    await tx.recordChange(KIND.network, id, 'create');
    return hydrate(row);
  }

  /** Views with subnet ids and `shared` as the caller sees it (a policy for its project counts). */
  private async withSubnets(tx: ResourceTx, ctx: RequestContext, nets: Network[], grants?: Grants): Promise<NetworkView[]> {
    if (nets.length === 0) return [];
    const g = grants ?? (await grantsFor(tx, ctx));
    const byNet = new Map<string, string[]>();
    const subnets = nets.length === 1 ? await tx.list<Subnet>(KIND.subnet, { parentId: nets[0]!.id }) : await tx.list<Subnet>(KIND.subnet);
    for (const s of subnets) {
      const list = byNet.get(s.parentId ?? '') ?? [];
      list.push(s.id);
      byNet.set(s.parentId ?? '', list);
    }
    return nets.map((n) => ({ ...n, shared: isSharedFor(n, g), subnets: byNet.get(n.id) ?? [] }));
  }

  async get(ctx: RequestContext, id: string): Promise<NetworkView> {
    authorizeNetwork(ctx, 'get_network', { projectId: ctx.projectId });
    const n = await getNetworkVisible(this.deps.store, ctx, id);
    return (await this.withSubnets(this.deps.store, ctx, [n]))[0]!;
  }

  async list(ctx: RequestContext): Promise<NetworkView[]> {
    const tx = this.deps.store;
    const rows = await tx.list<NetworkData>(KIND.network);
    const grants = await grantsFor(tx, ctx);
    const nets = rows.map((r) => hydrate(r) as Network).filter((n) => canSeeNetwork(ctx, n, grants));
    return this.withSubnets(tx, ctx, nets, grants);
  }

  async update(ctx: RequestContext, id: string, changes: NetworkInput, ifMatch?: number): Promise<NetworkView> {
    const updated = await this.deps.store.transaction(async (tx) => {
      const n = await getNetworkVisible(tx, ctx, id, true);
      authorizeNetwork(ctx, 'update_network', { projectId: n.projectId });
      if (changes.shared !== undefined && changes.shared !== n.shared) {
        if (!ctx.isAdmin && changes.shared) authorizeNetwork(ctx, 'create_network:shared');
        if (changes.shared) await addWildcard(tx, this.deps, id, n.projectId, 'access_as_shared');
        else {
          await this.assertNotUsedByOthers(tx, n);
          await removePolicies(tx, id, 'access_as_shared', true);
        }
      }
      if (changes.external !== undefined && changes.external !== n.external) {
        authorizeNetwork(ctx, 'create_network:router:external');
        if (changes.external) await addWildcard(tx, this.deps, id, n.projectId, 'access_as_external');
        else {
          await assertNoGateways(tx, id);
          await removePolicies(tx, id, 'access_as_external', false);
        }
      }
      if (changes.mtu !== undefined) {
        const max = this.maxMtu(n.segment.networkType, n.segment.physicalNetwork);
        if (changes.mtu > max) throw new InvalidInput(`Invalid input for operation: Requested MTU is too big, maximum is ${max}.`, 'InvalidInput');
      }
      const data: NetworkData = { ...dataOf(n) };
      for (const k of ['name', 'description', 'adminStateUp', 'shared', 'external', 'mtu', 'portSecurityEnabled', 'dnsDomain', 'isDefault', 'availabilityZoneHints'] as const) {
        if (changes[k] !== undefined) (data as unknown as Record<string, unknown>)[k] = changes[k];
      }
      const row = await tx.update(KIND.network, id, data, { expectRevision: ifMatch });
      await tx.recordChange(KIND.network, id, 'update');
      return hydrate(row) as Network;
    });
    return (await this.withSubnets(this.deps.store, ctx, [updated]))[0]!;
  }

  /** Unsharing is refused while projects without a policy of their own have ports on it (InvalidSharedSetting). */
  private async assertNotUsedByOthers(tx: ResourceTx, n: Network): Promise<void> {
    const ports = (await tx.list<Port>(KIND.port, { parentId: n.id })).filter((p) => p.data.deviceOwner !== DEVICE_OWNER.dhcp);
    const others = (await networkPolicies(tx, n.id, 'access_as_shared')).map((r) => r.data).filter((p) => p.targetTenant !== '*');
    const change = { policy: { action: 'access_as_shared' as const, targetTenant: '*' }, others, networkOwner: n.projectId };
    if (sharedPolicyBlocker(change, ports.map((p) => p.projectId)) !== null) {
      throw new Conflict(
        `Unable to reconfigure sharing settings for network ${n.id}. Multiple tenants are using it.`,
        'InvalidSharedSetting',
      );
    }
  }

  async delete(ctx: RequestContext, id: string, ifMatch?: number): Promise<void> {
    await this.deps.store.transaction(async (tx) => {
      const n = await getNetworkVisible(tx, ctx, id, true);
      authorizeNetwork(ctx, 'delete_network', { projectId: n.projectId });
      if (ifMatch !== undefined && ifMatch !== n.revisionNumber) {
        await tx.update(KIND.network, id, dataOf(n), { expectRevision: ifMatch });
      }
      const ports = await tx.list<Port>(KIND.port, { parentId: id });
      // DHCP ports and unassociated floating IPs go with the network, as in Neutron; anything else is in use.
      const fips = (await tx.list<FloatingIpData>(KIND.floatingIp, { parentId: id })).filter((f) => f.data.portId === null);
      const fipPorts = new Set(fips.map((f) => f.data.floatingPortId));
      if (ports.some((p) => p.data.deviceOwner !== DEVICE_OWNER.dhcp && !fipPorts.has(p.id))) {
        throw new InUse(
          `Unable to complete operation on network ${id}. There are one or more ports still in use on the network.`,
          'NetworkInUse',
        );
      }
      for (const p of ports) await removePort(tx, this.env, hydrate(p) as Port);
      for (const f of fips) {
        await tx.delete(KIND.floatingIp, f.id);
        await tx.recordChange(KIND.floatingIp, f.id, 'delete');
      }
      for (const s of await tx.list<Subnet>(KIND.subnet, { parentId: id })) {
        await tx.delete(KIND.subnet, s.id);
        await tx.recordChange(KIND.subnet, s.id, 'delete');
        this.env.ipam.forget(s.id);
      }
      for (const r of await tx.list<{ objectId: string }>(KIND.rbacPolicy)) {
        if (r.data.objectId === id) await tx.delete(KIND.rbacPolicy, r.id);
      }
      await releaseSegment(tx, id);
      await tx.delete(KIND.network, id);
      await tx.recordChange(KIND.network, id, 'delete');
    });
  }
}
