/**
 * RBAC policies on networks: access_as_shared (use it as if shared) and access_as_external (use it
 * as an external network), targeted at one project or `*`. A wildcard shared policy is what makes a
 * network `shared`, so creating or deleting one flips the flag. Pure core.
 */
import { Conflict, InUse, InvalidInput } from '../../errors.js';
import type { RequestContext } from '../../identity/context.js';
import { KIND, type NetworkData, type PortData, type RbacPolicy, type RbacPolicyData } from '../../model/network.js';
import type { ResourceTx } from '../../ports/resource-store.js';
import type { NetworkDeps } from './network-deps.js';
import { authorizeNetwork } from './network-policy.js';
import { checkQuota } from './quota.js';
import { getOwned, hydrate, notFound, owns, resolveProject } from './scope.js';

export interface RbacInput {
  objectType?: string;
  objectId?: string;
  action?: string;
  targetTenant?: string;
  projectId?: string;
  tenantId?: string;
}

const ACTIONS = ['access_as_shared', 'access_as_external'];

export class RbacService {
  constructor(private readonly deps: NetworkDeps) {}

  async create(ctx: RequestContext, input: RbacInput): Promise<RbacPolicy> {
    return this.deps.store.transaction(async (tx) => {
      const projectId = resolveProject(ctx, 'rbac_policy', input);
      authorizeNetwork(ctx, 'create_rbac_policy', { projectId });
      if (input.objectType !== 'network') {
        throw new InvalidInput(`Invalid input for object_type. Reason: '${input.objectType}' is not in ['network'].`, 'HTTPBadRequest');
      }
      if (!ACTIONS.includes(input.action ?? '')) {
        throw new InvalidInput(`Invalid input for action. Reason: '${input.action}' is not in ${JSON.stringify(ACTIONS).replace(/"/g, "'")}.`, 'HTTPBadRequest');
      }
      if (input.action === 'access_as_external' && input.targetTenant !== '*' && !ctx.isAdmin) authorizeNetwork(ctx, 'create_network:router:external');
      const net = await tx.getForUpdate<NetworkData>(KIND.network, input.objectId!);
      if (!net || !(ctx.isAdmin || owns(ctx, net.projectId))) throw notFound(KIND.network, input.objectId!);
      await checkQuota(tx, this.deps, projectId, 'rbac_policy');
      const dup = (await tx.list<RbacPolicyData>(KIND.rbacPolicy)).find(
        (r) => r.data.objectId === input.objectId && r.data.action === input.action && r.data.targetTenant === input.targetTenant,
      );
      if (dup) throw new Conflict(`An RBAC policy already exists with those values.`, 'DuplicateRbacPolicy');
      const data: RbacPolicyData = { objectType: 'network', objectId: input.objectId!, action: input.action as RbacPolicyData['action'], targetTenant: input.targetTenant! };
      const id = this.deps.uuid();
      const row = await tx.insert(KIND.rbacPolicy, { id, projectId, data });
      await this.syncFlags(tx, input.objectId!);
      return hydrate(row) as RbacPolicy;
    });
  }

  /** A wildcard policy is the network's shared / external flag (Neutron derives the flags the same way). */
  private async syncFlags(tx: ResourceTx, networkId: string): Promise<void> {
    const net = await tx.getForUpdate<NetworkData>(KIND.network, networkId);
    if (!net) return;
    const policies = (await tx.list<RbacPolicyData>(KIND.rbacPolicy)).filter((r) => r.data.objectId === networkId && r.data.targetTenant === '*');
    const shared = policies.some((p) => p.data.action === 'access_as_shared');
    const external = net.data.external || policies.some((p) => p.data.action === 'access_as_external');
    if (shared !== net.data.shared || external !== net.data.external) {
      await tx.update(KIND.network, networkId, { ...net.data, shared, external });
      await tx.recordChange(KIND.network, networkId, 'update');
    }
  }

  get(ctx: RequestContext, id: string): Promise<RbacPolicy> {
    return getOwned<RbacPolicyData>(this.deps.store, ctx, KIND.rbacPolicy, id) as Promise<RbacPolicy>;
  }

  async list(ctx: RequestContext): Promise<RbacPolicy[]> {
    const rows = await this.deps.store.list<RbacPolicyData>(KIND.rbacPolicy);
    return rows.filter((r) => ctx.isAdmin || owns(ctx, r.projectId) || r.data.targetTenant === ctx.projectId).map((r) => hydrate(r) as RbacPolicy);
  }

  async update(ctx: RequestContext, id: string, changes: RbacInput): Promise<RbacPolicy> {
    return this.deps.store.transaction(async (tx) => {
      const p = (await getOwned<RbacPolicyData>(tx, ctx, KIND.rbacPolicy, id, true)) as RbacPolicy;
      authorizeNetwork(ctx, 'update_rbac_policy', { projectId: p.projectId });
      const data: RbacPolicyData = { objectType: p.objectType, objectId: p.objectId, action: p.action, targetTenant: changes.targetTenant ?? p.targetTenant };
      if (data.targetTenant !== p.targetTenant) await this.assertUnused(tx, p);
      const row = await tx.update(KIND.rbacPolicy, id, data);
      await this.syncFlags(tx, p.objectId);
      return hydrate(row) as RbacPolicy;
    });
  }

  /** Removing access another project is using (it has ports on the network) is refused. */
  private async assertUnused(tx: ResourceTx, p: RbacPolicy): Promise<void> {
    if (p.action !== 'access_as_shared') return;
    const net = await tx.get(KIND.network, p.objectId);
    const ports = await tx.list<PortData>(KIND.port, { parentId: p.objectId });
    const users = ports.filter((x) => x.projectId !== '' && x.projectId !== net?.projectId && (p.targetTenant === '*' || x.projectId === p.targetTenant));
    if (users.length > 0) {
      throw new InUse(`RBAC policy on object ${p.objectId} cannot be removed because other objects depend on it.`, 'RbacPolicyInUse');
    }
  }

  async delete(ctx: RequestContext, id: string): Promise<void> {
    await this.deps.store.transaction(async (tx) => {
      const p = (await getOwned<RbacPolicyData>(tx, ctx, KIND.rbacPolicy, id, true)) as RbacPolicy;
      authorizeNetwork(ctx, 'delete_rbac_policy', { projectId: p.projectId });
      await this.assertUnused(tx, p);
      await tx.delete(KIND.rbacPolicy, id);
      await this.syncFlags(tx, p.objectId);
    });
  }
}
