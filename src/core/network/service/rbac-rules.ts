/**
 * When an RBAC policy on a network may be removed or retargeted, as Neutron decides it: a policy
 * is "in use" while a project that relies on it for access still has something on the network
 * (ports for access_as_shared; router gateways and floating IPs for access_as_external) and no
 * other policy covers that project. Pure functions over plain facts, no store access.
 */
import type { RbacPolicyData } from '../../model/network.js';

type Policy = Pick<RbacPolicyData, 'action' | 'targetTenant'>;

/** A policy being removed (`newTarget` undefined) or retargeted, with its network's other policies. */
export interface PolicyChange {
  policy: Policy;
  /** The target after an update; undefined for a delete. */
  newTarget?: string;
  /** The network's other policies of the same action (not the one changing). */
  others: readonly Policy[];
  networkOwner: string;
}

/** Projects that keep access without the changing policy: other targeted entries and the new target. */
function coveredWithout(change: PolicyChange): Set<string> {
  const covered = new Set(change.others.filter((p) => p.targetTenant !== '*').map((p) => p.targetTenant));
  if (change.newTarget !== undefined) covered.add(change.newTarget);
  return covered;
}

/**
 * access_as_shared (Neutron's ensure_no_tenant_ports_on_network): `portProjects` are the projects
 * owning ports on the network. Returns the project that would lose access it uses, or null.
 */
export function sharedPolicyBlocker(change: PolicyChange, portProjects: readonly string[]): string | null {
  const { policy, newTarget, others, networkOwner } = change;
  if (policy.targetTenant === networkOwner) return null; // self-sharing grants nothing the owner lacks
  if (newTarget !== undefined && newTarget === policy.targetTenant) return null;
  const users = portProjects.filter((p) => p !== '' && p !== networkOwner);
  if (policy.targetTenant === '*') {
    const covered = coveredWithout(change);
    return users.find((p) => !covered.has(p)) ?? null;
  }
  if (others.some((p) => p.targetTenant === '*')) return null;
  return users.find((p) => p === policy.targetTenant) ?? null;
}

/**
 * access_as_external (Neutron's _validate_ext_not_in_use_by_tenant): `users` are the projects with
 * a router gateway or a floating IP on the network. Returns why the change is refused, or null.
 */
export function externalPolicyBlocker(change: PolicyChange, users: readonly string[], isDefault: boolean): string | null {
  const { policy, newTarget, others } = change;
  if (newTarget !== undefined && newTarget === policy.targetTenant) return null;
  const dependents = 'There are routers or floating IPs on this network that depend on this policy for access.';
  if (policy.targetTenant !== '*') {
    if (others.some((p) => p.targetTenant === '*')) return null;
    if (users.includes(policy.targetTenant)) return dependents;
  } else {
    if (isDefault) return 'Default external networks must be shared to everyone.';
    const covered = coveredWithout(change);
    if (users.some((p) => !covered.has(p))) return dependents;
  }
  // The last external policy going away turns the network back into an internal one.
  if (newTarget === undefined && others.length === 0 && users.length > 0) return dependents;
  return null;
}
