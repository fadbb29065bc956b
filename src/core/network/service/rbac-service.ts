/**
 * RBAC policies on networks: access_as_shared (use it as if shared) and access_as_external (use it
 * as an external network), targeted at one project or `*`. A wildcard shared policy is what makes a
 * network `shared`; an external policy makes the network external (and deleting the last one makes
 * it internal again). Removing access a project still uses is refused (rbac-rules.ts). Pure core.
 */
import { Conflict, InUse, InvalidInput } from '../../errors.js';
import type { RequestContext } from '../../identity/context.js';
import { KIND, type NetworkData, type PortData, type RbacPolicy, type RbacPolicyData } from '../../model/network.js';
import type { ResourceTx } from '../../ports/resource-store.js';
import { externalUsers, networkPolicies, refreshNetwork } from './network-access.js';
import type { NetworkDeps } from './network-deps.js';
import { authorizeNetwork } from './network-policy.js';
import { checkQuota } from './quota.js';
import { externalPolicyBlocker, sharedPolicyBlocker, type PolicyChange } from './rbac-rules.js';
import { canSeeNetwork, getOwned, grantsFor, hydrate, notFound, owns, resolveProject } from './scope.js';
import type { Network } from '../../model/network.js';

export interface RbacInput {
  objectType?: string;
  objectId?: string;
  action?: string;
  targetTenant?: string;
  projectId?: string;
  tenantId?: string;
}

const ACTIONS = ['access_as_shared', 'access_as_external'];

function pyList(xs: string[]): string {
  return `[${xs.map((x) => `'${x}'`).join(', ')}]`;
}

export class RbacService {
  constructor(private readonly deps: NetworkDeps) {}

  async create(ctx: RequestContext, input: RbacInput): Promise<RbacPolicy> {
    if (input.objectType !== 'network') {
      throw new InvalidInput(`Invalid input for object_type. Reason: '${input.objectType}' is not in ['network'].`, 'HTTPBadRequest');
    }
    if (!ACTIONS.includes(input.action ?? '')) {
      throw new InvalidInput(`Invalid input for action. Reason: '${input.action}' is not in ${pyList(ACTIONS)}.`, 'HTTPBadRequest');
    }
    const action = input.action as RbacPolicyData['action'];
    const target = input.targetTenant!;
    return this.deps.store.transaction(async (tx) => {
      const projectId = resolveProject(ctx, 'rbac_policy', input);
      authorizeNetwork(ctx, 'create_rbac_policy', { projectId });
      if (target === '*' && !ctx.isAdmin) authorizeNetwork(ctx, 'create_rbac_policy:target_tenant');
      const net = await this.ownedNetwork(tx, ctx, input.objectId!);
      await checkQuota(tx, this.deps, projectId, 'rbac_policy');
      if ((await networkPolicies(tx, net.id, action)).some((r) => r.data.targetTenant === target)) {
        throw new Conflict('An RBAC policy already exists with those values.', 'DuplicateRbacPolicy');
      }
      const data: RbacPolicyData = { objectType: 'network', objectId: net.id, action, targetTenant: target };
      const row = await tx.insert(KIND.rbacPolicy, { id: this.deps.uuid(), projectId, data });
      // An external policy converts the network to external, without a wildcard (Neutron).
      await refreshNetwork(tx, net.id, action === 'access_as_external' ? true : undefined);
      return hydrate(row) as RbacPolicy;
    });
  }

  /**
   * The network a policy is about: invisible ones are 404; visible ones the caller does not own are
   * 400, as Neutron's RBAC callbacks answer ("Only admins can manipulate policies ...").
   */
  private async ownedNetwork(tx: ResourceTx, ctx: RequestContext, id: string): Promise<Network> {
    const row = await tx.getForUpdate<NetworkData>(KIND.network, id);
    if (!row) throw notFound(KIND.network, id);
    const net = hydrate(row) as Network;
    if (ctx.isAdmin || owns(ctx, net.projectId)) return net;
    if (!canSeeNetwork(ctx, net, await grantsFor(tx, ctx))) throw notFound(KIND.network, id);
    throw new InvalidInput('Invalid input for operation: Only admins can manipulate policies on networks they do not own.', 'InvalidInput');
  }

  get(ctx: RequestContext, id: string): Promise<RbacPolicy> {
    return getOwned<RbacPolicyData>(this.deps.store, ctx, KIND.rbacPolicy, id) as Promise<RbacPolicy>;
  }

  /** A policy is its owner's (and admins'); the project it targets does not see it (Neutron). */
  async list(ctx: RequestContext): Promise<RbacPolicy[]> {
    const rows = await this.deps.store.list<RbacPolicyData>(KIND.rbacPolicy);
    return rows.filter((r) => ctx.isAdmin || owns(ctx, r.projectId)).map((r) => hydrate(r) as RbacPolicy);
  }

  async update(ctx: RequestContext, id: string, changes: RbacInput): Promise<RbacPolicy> {
    return this.deps.store.transaction(async (tx) => {
      const p = (await getOwned<RbacPolicyData>(tx, ctx, KIND.rbacPolicy, id, true)) as RbacPolicy;
      authorizeNetwork(ctx, 'update_rbac_policy', { projectId: p.projectId });
      const target = changes.targetTenant ?? p.targetTenant;
      if (target === '*' && !ctx.isAdmin) authorizeNetwork(ctx, 'update_rbac_policy:target_tenant');
      if (target !== p.targetTenant) {
        if ((await networkPolicies(tx, p.objectId, p.action)).some((r) => r.data.targetTenant === target)) {
          throw new Conflict('An RBAC policy already exists with those values.', 'DuplicateRbacPolicy');
        }
        await this.assertUnused(tx, p, target);
      }
      const data: RbacPolicyData = { objectType: p.objectType, objectId: p.objectId, action: p.action, targetTenant: target };
      const row = await tx.update(KIND.rbacPolicy, id, data);
      await refreshNetwork(tx, p.objectId);
      return hydrate(row) as RbacPolicy;
    });
  }

  /** Refuses removing or retargeting access another project is using (409 RbacPolicyInUse). */
  private async assertUnused(tx: ResourceTx, p: RbacPolicy, newTarget?: string): Promise<void> {
    const net = await tx.get<NetworkData>(KIND.network, p.objectId);
    if (!net) return;
    const others = (await networkPolicies(tx, p.objectId, p.action)).filter((r) => r.id !== p.id).map((r) => r.data);
    const change: PolicyChange = { policy: p, newTarget, others, networkOwner: net.projectId };
    let details: string | null;
    if (p.action === 'access_as_shared') {
      const ports = await tx.list<PortData>(KIND.port, { parentId: p.objectId });
      const user = sharedPolicyBlocker(change, ports.map((x) => x.projectId));
      details = user === null ? null : `Project ${user} has ports on the network.`;
    } else {
      details = externalPolicyBlocker(change, await externalUsers(tx, p.objectId), net.data.isDefault);
    }
    if (details !== null) {
      throw new InUse(`RBAC policy on object ${p.objectId} cannot be removed because other objects depend on it.\nDetails: ${details}`, 'RbacPolicyInUse');
    }
  }

  async delete(ctx: RequestContext, id: string): Promise<void> {
    await this.deps.store.transaction(async (tx) => {
      const p = (await getOwned<RbacPolicyData>(tx, ctx, KIND.rbacPolicy, id, true)) as RbacPolicy;
      authorizeNetwork(ctx, 'delete_rbac_policy', { projectId: p.projectId });
      await this.assertUnused(tx, p);
      await tx.delete(KIND.rbacPolicy, id);
      const lastExternal = p.action === 'access_as_external' && (await networkPolicies(tx, p.objectId, 'access_as_external')).length === 0;
      await refreshNetwork(tx, p.objectId, lastExternal ? false : undefined);
    });
  }

  /**
   * State written before wildcard policies stood for `shared` and `router:external` has the flags
   * without the policies; this adds them (idempotent, run at start).
   */
  async adoptLegacyFlags(): Promise<void> {
    await this.deps.store.transaction(async (tx) => {
      const policies = await tx.list<RbacPolicyData>(KIND.rbacPolicy);
      const has = (id: string, action: string, wildcard: boolean) =>
        policies.some((p) => p.data.objectId === id && p.data.action === action && (!wildcard || p.data.targetTenant === '*'));
      for (const n of await tx.list<NetworkData>(KIND.network)) {
        for (const [flag, action, wildcard] of [[n.data.shared, 'access_as_shared', true], [n.data.external, 'access_as_external', false]] as const) {
          if (!flag || has(n.id, action, wildcard)) continue;
          const data: RbacPolicyData = { objectType: 'network', objectId: n.id, action, targetTenant: '*' };
          await tx.insert(KIND.rbacPolicy, { id: this.deps.uuid(), projectId: n.projectId, data });
        }
      }
    });
  }
}
