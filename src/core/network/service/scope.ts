/**
 * Project scoping, in one place: turning store rows into entities, deciding who sees what (admins
 * everything; others their project's resources, plus shared and external networks and what RBAC
 * policies grant them), and answering another project's resource with the resource's 404, as
 * Neutron does. Pure core.
 */
import { InvalidInput, NotFound } from '../../errors.js';
import type { RequestContext } from '../../identity/context.js';
import type { Entity, Network, RbacPolicy } from '../../model/network.js';
import { KIND } from '../../model/network.js';
import type { ResourceTx, StoredResource } from '../../ports/resource-store.js';
import { authorizeNetwork } from './network-policy.js';

export function hydrate<D>(s: StoredResource<D>): Entity<D> {
  return { ...s.data, id: s.id, projectId: s.projectId, revisionNumber: s.revision, createdAt: s.createdAt, updatedAt: s.updatedAt };
}

/** The document part of an entity (what the store keeps). */
export function dataOf<D>(e: Entity<D>): D {
  const { id: _i, projectId: _p, revisionNumber: _r, createdAt: _c, updatedAt: _u, ...data } = e;
  return data as unknown as D;
}

/**
 * Bumps a parent's revision in this transaction, leaving its document as stored: Neutron bumps a
 * network's revision_number when its subnets change and a security group's when its rules do.
 */
export async function bumpRevision(tx: ResourceTx, kind: string, id: string): Promise<void> {
  const row = await tx.getForUpdate(kind, id);
  if (row) await tx.update(kind, id, row.data);
}

const LABELS: Record<string, [string, string]> = {
  network: ['Network', 'NetworkNotFound'],
  subnet: ['Subnet', 'SubnetNotFound'],
  port: ['Port', 'PortNotFound'],
  router: ['Router', 'RouterNotFound'],
  floatingip: ['Floating IP', 'FloatingIPNotFound'],
  security_group: ['Security group', 'SecurityGroupNotFound'],
  security_group_rule: ['Security group rule', 'SecurityGroupRuleNotFound'],
  subnetpool: ['Subnet pool', 'SubnetPoolNotFound'],
  rbac_policy: ['RBAC policy', 'RbacPolicyNotFound'],
};

export function notFound(kind: string, id: string): NotFound {
  const [label, type] = LABELS[kind] ?? [kind, 'NotFound'];
  if (kind === 'rbac_policy') return new NotFound(`RBAC policy of type network with ID ${id} not found`, type);
  if (kind === 'security_group_rule') return new NotFound(`Security group rule ${id} does not exist`, type);
  if (kind === 'security_group') return new NotFound(`Security group ${id} does not exist`, type);
  if (kind === 'subnetpool') return new NotFound(`Subnet pool ${id} could not be found.`, type);
  return new NotFound(`${label} ${id} could not be found.`, type);
}

/** What RBAC grants the caller's project: network ids shared with it and ids it may use as external. */
export interface Grants {
  shared: Set<string>;
  external: Set<string>;
}

export async function grantsFor(tx: ResourceTx, ctx: RequestContext): Promise<Grants> {
  const shared = new Set<string>();
  const external = new Set<string>();
  for (const row of await tx.list<RbacPolicy>(KIND.rbacPolicy)) {
    const p = row.data;
    if (p.targetTenant !== '*' && p.targetTenant !== ctx.projectId) continue;
    (p.action === 'access_as_shared' ? shared : external).add(p.objectId);
  }
  return { shared, external };
}

export function owns(ctx: RequestContext, projectId: string): boolean {
  return ctx.projectId !== null && ctx.projectId === projectId;
}

/**
 * Who sees a network: admins, its owner, and projects an RBAC policy grants it to (`*` or their
 * own id), as shared or as external. `shared` (the stored flag) means a wildcard shared policy
 * exists, so it needs no lookup; `router:external` alone grants nothing (a network made external
 * by a policy for one project is invisible to the others, as in Neutron).
 */
export function canSeeNetwork(ctx: RequestContext, n: Network, grants?: Grants): boolean {
  if (ctx.isAdmin || owns(ctx, n.projectId) || n.shared) return true;
  return grants !== undefined && (grants.shared.has(n.id) || grants.external.has(n.id));
}

/** `shared` as the caller sees it: a wildcard policy, or one naming the caller's project. */
export function isSharedFor(n: Network, grants: Grants): boolean {
  return n.shared || grants.shared.has(n.id);
}

/** Reads a resource the caller may see; NotFound (the resource's own type) otherwise. */
export async function getOwned<D>(tx: ResourceTx, ctx: RequestContext, kind: string, id: string, forUpdate = false): Promise<Entity<D>> {
  const row = forUpdate ? await tx.getForUpdate<D>(kind, id) : await tx.get<D>(kind, id);
  if (!row || !(ctx.isAdmin || owns(ctx, row.projectId))) throw notFound(kind, id);
  return hydrate(row);
}

/** Any row by id, no visibility check (for internal references already validated). */
export async function getAny<D>(tx: ResourceTx, kind: string, id: string, forUpdate = false): Promise<Entity<D> | undefined> {
  const row = forUpdate ? await tx.getForUpdate<D>(kind, id) : await tx.get<D>(kind, id);
  return row ? hydrate(row) : undefined;
}

export async function getNetworkVisible(tx: ResourceTx, ctx: RequestContext, id: string, forUpdate = false): Promise<Network> {
  const row = forUpdate ? await tx.getForUpdate<Network>(KIND.network, id) : await tx.get<Network>(KIND.network, id);
  if (!row) throw notFound(KIND.network, id);
  const n = hydrate(row) as Network;
  if (canSeeNetwork(ctx, n) || canSeeNetwork(ctx, n, await grantsFor(tx, ctx))) return n;
  throw notFound(KIND.network, id);
}

/**
 * The project a new resource belongs to: the caller's, or (admins only) the one the body names.
 * Neutron accepts both project_id and tenant_id and requires them to agree.
 */
export function resolveProject(ctx: RequestContext, resource: string, given: { projectId?: unknown; tenantId?: unknown }): string {
  if (given.projectId != null && given.tenantId != null && given.projectId !== given.tenantId) {
    throw new InvalidInput("'project_id' and 'tenant_id' do not match", 'HTTPBadRequest');
  }
  const p = given.projectId ?? given.tenantId;
  if (typeof p === 'string' && p !== '' && p !== ctx.projectId) {
    // neutron-lib's populate_project_id: a 400 before any policy check.
    if (!ctx.isAdmin) {
      throw new InvalidInput(
        "Specifying 'project_id' or 'tenant_id' other than the authenticated project in request requires admin privileges",
        'HTTPBadRequest',
      );
    }
    return p;
  }
  return ctx.projectId ?? '';
}

/** Write permission on an existing resource: visible ones the caller does not own are 403. */
export function authorizeWrite(ctx: RequestContext, action: string, projectId: string): void {
  authorizeNetwork(ctx, action, { projectId });
}
