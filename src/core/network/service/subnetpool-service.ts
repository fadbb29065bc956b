/**
 * Subnet pools: validated prefixes and prefix-length bounds (core/network/subnet), one default pool
 * per IP version, visibility (own or shared), and no delete while subnets are carved from them.
 * Prefix allocation itself runs in the subnet service under a row lock on the pool. Pure core.
 */
import { Conflict, InUse, InvalidInput } from '../../errors.js';
import type { RequestContext } from '../../identity/context.js';
import { KIND, type SubnetData, type SubnetPool, type SubnetPoolData } from '../../model/network.js';
import type { ResourceTx } from '../../ports/resource-store.js';
import { validateSubnetPool } from '../subnet/index.js';
import { tryParseCidrLoose, cidrContainsCidr } from '../ip/index.js';
import type { NetworkDeps } from './network-deps.js';
import { authorizeNetwork } from './network-policy.js';
import { checkQuota } from './quota.js';
import { dataOf, hydrate, notFound, owns, resolveProject } from './scope.js';

export interface SubnetPoolInput {
  name?: string;
  description?: string;
  prefixes?: string[];
  defaultPrefixlen?: number | null;
  minPrefixlen?: number | null;
  maxPrefixlen?: number | null;
  isDefault?: boolean;
  shared?: boolean;
  addressScopeId?: string | null;
  defaultQuota?: number | null;
  projectId?: string;
  tenantId?: string;
  tags?: string[];
}

export async function getPoolVisible(tx: ResourceTx, ctx: RequestContext, id: string, forUpdate = false): Promise<SubnetPool> {
  const row = forUpdate ? await tx.getForUpdate<SubnetPoolData>(KIND.subnetPool, id) : await tx.get<SubnetPoolData>(KIND.subnetPool, id);
  if (!row || !(ctx.isAdmin || owns(ctx, row.projectId) || row.data.shared)) throw notFound(KIND.subnetPool, id);
  return hydrate(row) as SubnetPool;
}

export async function findDefaultPool(tx: ResourceTx, ipVersion: number): Promise<SubnetPool | undefined> {
  const row = (await tx.list<SubnetPoolData>(KIND.subnetPool)).find((r) => r.data.isDefault && r.data.ipVersion === ipVersion);
  return row ? (hydrate(row) as SubnetPool) : undefined;
}

export class SubnetPoolService {
  constructor(private readonly deps: NetworkDeps) {}

  async createMany(ctx: RequestContext, inputs: SubnetPoolInput[]): Promise<SubnetPool[]> {
    return this.deps.store.transaction(async (tx) => {
      const out: SubnetPool[] = [];
      for (const input of inputs) out.push(await this.createIn(tx, ctx, input));
      return out;
    });
  }

  private async createIn(tx: ResourceTx, ctx: RequestContext, input: SubnetPoolInput): Promise<SubnetPool> {
    const projectId = resolveProject(ctx, 'subnetpool', input);
    authorizeNetwork(ctx, 'create_subnetpool', { projectId });
    if (input.shared) authorizeNetwork(ctx, 'create_subnetpool:shared');
    if (input.isDefault) authorizeNetwork(ctx, 'create_subnetpool:is_default');
    await checkQuota(tx, this.deps, projectId, 'subnetpool');
    const spec = validateSubnetPool({
      prefixes: input.prefixes ?? [],
      defaultPrefixLength: input.defaultPrefixlen,
      minPrefixLength: input.minPrefixlen,
      maxPrefixLength: input.maxPrefixlen,
    });
    if (input.isDefault) await this.assertNoOtherDefault(tx, spec.ipVersion, null);
    const data: SubnetPoolData = {
      name: input.name ?? '',
      description: input.description ?? '',
      ipVersion: spec.ipVersion,
      prefixes: spec.prefixes,
      defaultPrefixlen: spec.defaultPrefixLength,
      minPrefixlen: spec.minPrefixLength,
      maxPrefixlen: spec.maxPrefixLength,
      isDefault: input.isDefault ?? false,
      shared: input.shared ?? false,
      addressScopeId: input.addressScopeId ?? null,
      defaultQuota: input.defaultQuota ?? null,
      tags: input.tags ?? [],
    };
    const id = this.deps.uuid();
    return hydrate(await tx.insert(KIND.subnetPool, { id, projectId, data })) as SubnetPool;
  }

  private async assertNoOtherDefault(tx: ResourceTx, ipVersion: number, except: string | null): Promise<void> {
    const other = await findDefaultPool(tx, ipVersion);
    if (other && other.id !== except) {
      throw new InvalidInput(`Invalid input for operation: A default subnetpool for this IP family has already been set. Only one default may exist per IP family.`, 'InvalidInput');
    }
  }

  get(ctx: RequestContext, id: string): Promise<SubnetPool> {
    authorizeNetwork(ctx, 'get_subnetpool', { projectId: ctx.projectId });
    return getPoolVisible(this.deps.store, ctx, id);
  }

  async list(ctx: RequestContext): Promise<SubnetPool[]> {
    const rows = await this.deps.store.list<SubnetPoolData>(KIND.subnetPool);
    return rows.filter((r) => ctx.isAdmin || owns(ctx, r.projectId) || r.data.shared).map((r) => hydrate(r) as SubnetPool);
  }

  async update(ctx: RequestContext, id: string, changes: SubnetPoolInput, ifMatch?: number): Promise<SubnetPool> {
    return this.deps.store.transaction(async (tx) => {
      const p = await getPoolVisible(tx, ctx, id, true);
      authorizeNetwork(ctx, 'update_subnetpool', { projectId: p.projectId });
      if (changes.isDefault !== undefined && changes.isDefault !== p.isDefault) authorizeNetwork(ctx, 'create_subnetpool:is_default');
      let prefixes = p.prefixes;
      if (changes.prefixes !== undefined) {
        // Prefixes may only grow: every existing prefix must still be covered.
        const next = validateSubnetPool({ prefixes: changes.prefixes }).prefixes;
        for (const old of p.prefixes) {
          const o = tryParseCidrLoose(old)!;
          if (!next.some((n) => cidrContainsCidr(tryParseCidrLoose(n)!, o))) {
            throw new InvalidInput('Illegal update to prefixes: Existing prefixes must be a subset of the new prefixes', 'IllegalSubnetPoolPrefixUpdate');
          }
        }
        prefixes = next;
      }
      const spec = validateSubnetPool({
        prefixes,
        defaultPrefixLength: changes.defaultPrefixlen ?? p.defaultPrefixlen,
        minPrefixLength: changes.minPrefixlen ?? p.minPrefixlen,
        maxPrefixLength: changes.maxPrefixlen ?? p.maxPrefixlen,
      });
      const isDefault = changes.isDefault ?? p.isDefault;
      if (isDefault && !p.isDefault) await this.assertNoOtherDefault(tx, spec.ipVersion, id);
      const data: SubnetPoolData = {
        ...dataOf(p),
        prefixes: spec.prefixes,
        defaultPrefixlen: spec.defaultPrefixLength,
        minPrefixlen: spec.minPrefixLength,
        maxPrefixlen: spec.maxPrefixLength,
        isDefault,
        name: changes.name ?? p.name,
        description: changes.description ?? p.description,
        defaultQuota: changes.defaultQuota !== undefined ? changes.defaultQuota : p.defaultQuota,
        addressScopeId: changes.addressScopeId !== undefined ? changes.addressScopeId : p.addressScopeId,
      };
      return hydrate(await tx.update(KIND.subnetPool, id, data, { expectRevision: ifMatch })) as SubnetPool;
    });
  }

  async delete(ctx: RequestContext, id: string): Promise<void> {
    await this.deps.store.transaction(async (tx) => {
      const p = await getPoolVisible(tx, ctx, id, true);
      authorizeNetwork(ctx, 'delete_subnetpool', { projectId: p.projectId });
      const used = (await tx.list<SubnetData>(KIND.subnet)).some((s) => s.data.subnetpoolId === id);
      if (used) throw new InUse(`Unable to delete subnet pool: Subnet pool ${id} has subnets allocated from it.`, 'SubnetPoolInUse');
      await tx.delete(KIND.subnetPool, id);
    });
  }
}

export { Conflict };
