/**
 * The RBAC side of a network inside a transaction, shared by the network and RBAC use cases:
 * reading its policies, adding and removing the wildcard ones that `shared` and `router:external`
 * stand for, keeping the stored `shared` flag equal to "a wildcard shared policy exists", and
 * finding who uses the network as external (router gateways, floating IPs). Pure core.
 */
import { Conflict } from '../../errors.js';
import { KIND, type FloatingIpData, type NetworkData, type RbacPolicyData, type RouterData } from '../../model/network.js';
import type { ResourceTx, StoredResource } from '../../ports/resource-store.js';
import type { NetworkDeps } from './network-deps.js';

export type PolicyAction = RbacPolicyData['action'];

export async function networkPolicies(tx: ResourceTx, networkId: string, action?: PolicyAction): Promise<StoredResource<RbacPolicyData>[]> {
  return (await tx.list<RbacPolicyData>(KIND.rbacPolicy)).filter((r) => r.data.objectId === networkId && (action === undefined || r.data.action === action));
}

/** Adds the `*` policy for `action` unless one exists; owned by the network's project, as Neutron does. */
export async function addWildcard(tx: ResourceTx, deps: NetworkDeps, networkId: string, projectId: string, action: PolicyAction): Promise<void> {
  if ((await networkPolicies(tx, networkId, action)).some((p) => p.data.targetTenant === '*')) return;
  const data: RbacPolicyData = { objectType: 'network', objectId: networkId, action, targetTenant: '*' };
  await tx.insert(KIND.rbacPolicy, { id: deps.uuid(), projectId, data });
}

/** Deletes the network's policies for `action` (only the wildcard one when `wildcardOnly`). */
export async function removePolicies(tx: ResourceTx, networkId: string, action: PolicyAction, wildcardOnly: boolean): Promise<void> {
  for (const p of await networkPolicies(tx, networkId, action)) {
    if (!wildcardOnly || p.data.targetTenant === '*') await tx.delete(KIND.rbacPolicy, p.id);
  }
}

/** Projects with a router gateway or a floating IP on the network: who uses it as external. */
export async function externalUsers(tx: ResourceTx, networkId: string): Promise<string[]> {
  const users = new Set<string>();
  for (const r of await tx.list<RouterData>(KIND.router)) {
    if (r.data.externalGatewayInfo?.networkId === networkId) users.add(r.projectId);
  }
  for (const f of await tx.list<FloatingIpData>(KIND.floatingIp, { parentId: networkId })) users.add(f.projectId);
  return [...users];
}

/** Turning an external network internal is refused while router gateways are on it (Neutron's check). */
export async function assertNoGateways(tx: ResourceTx, networkId: string): Promise<void> {
  const routers = await tx.list<RouterData>(KIND.router);
  if (routers.some((r) => r.data.externalGatewayInfo?.networkId === networkId)) {
    throw new Conflict(
      `External network ${networkId} cannot be updated to be made non-external, since it has existing gateway ports.`,
      'ExternalNetworkInUse',
    );
  }
}

/**
 * Writes the network's flags after its policies changed: `shared` follows the wildcard shared
 * policy, `external` is set to the value given (if any). Always bumps the revision: the policies
 * are part of the network, and Neutron bumps it for every RBAC change.
 */
export async function refreshNetwork(tx: ResourceTx, networkId: string, external?: boolean): Promise<void> {
  const net = await tx.getForUpdate<NetworkData>(KIND.network, networkId);
  if (!net) return;
  const shared = (await networkPolicies(tx, networkId, 'access_as_shared')).some((p) => p.data.targetTenant === '*');
  await tx.update(KIND.network, networkId, { ...net.data, shared, external: external ?? net.data.external });
  if (shared !== net.data.shared || (external !== undefined && external !== net.data.external)) {
    await tx.recordChange(KIND.network, networkId, 'update');
  }
}
