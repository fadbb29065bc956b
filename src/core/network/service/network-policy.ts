/**
 * The networking policy table: one rule per action, as Neutron's policy-in-code with the secure
 * RBAC defaults: admins do anything; project members write in their project; readers read. Whether
 * a resource is visible at all (404 versus 403) is scope.ts's job, not policy's. Pure core.
 */
import { anyOf, isAllowed, rules, type PolicyTable, type PolicyTarget, type Rule } from '../../identity/policy.js';
import { Forbidden } from '../../errors.js';
import type { RequestContext } from '../../identity/context.js';

const write = anyOf(rules.admin, rules.projectMember);
const read = anyOf(rules.admin, rules.projectReader);

const RESOURCES = [
  'network',
  'subnet',
  'port',
  'router',
  'floatingip',
  'security_group',
  'security_group_rule',
  'subnetpool',
  'rbac_policy',
] as const;

function table(): PolicyTable {
  const t: Record<string, Rule> = {};
  for (const r of RESOURCES) {
    t[`create_${r}`] = write;
    t[`update_${r}`] = write;
    t[`delete_${r}`] = write;
    t[`get_${r}`] = read;
  }
  t['add_router_interface'] = write;
  t['remove_router_interface'] = write;
  t['update_router_routes'] = write;
  // Operator-only actions.
  t['create_network:shared'] = rules.admin;
  t['create_network:router:external'] = rules.admin;
  t['create_subnetpool:shared'] = rules.admin;
  t['create_subnetpool:is_default'] = rules.admin;
  t['update_quota'] = rules.admin;
  t['delete_quota'] = rules.admin;
  t['get_quota'] = read;
  t['list_all_quotas'] = rules.admin;
  t['create_port:mac_address'] = rules.admin;
  t['create_port:binding'] = rules.admin;
  t['create_port:for_other_project_network'] = rules.admin;
  t['get_network_ip_availability'] = rules.admin;
  t['get_agent'] = rules.admin;
  return Object.freeze(t);
}

export const NETWORK_POLICY: PolicyTable = table();

/** Neutron's wording and type for a refusal: `rule:<action> is disallowed by policy`. */
export function authorizeNetwork(ctx: RequestContext, action: string, target: PolicyTarget = {}): void {
  if (!isAllowed(NETWORK_POLICY, ctx, action, target)) {
    throw new Forbidden(`rule:${action} is disallowed by policy`, 'PolicyNotAuthorized');
  }
}

export function canNetwork(ctx: RequestContext, action: string, target: PolicyTarget = {}): boolean {
  return isAllowed(NETWORK_POLICY, ctx, action, target);
}
