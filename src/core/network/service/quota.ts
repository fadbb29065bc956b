/**
 * Quotas: Neutron's defaults, per-project overrides (one `quota` document per project), usage
 * counted from the store, and the check every create runs inside its transaction (409 OverQuota,
 * Neutron's type and words). Pure core.
 */
import { Conflict, InvalidInput } from '../../errors.js';
import type { RequestContext } from '../../identity/context.js';
import { KIND, type QuotaData } from '../../model/network.js';
import type { ResourceTx } from '../../ports/resource-store.js';
import type { NetworkDeps } from './network-deps.js';
import { authorizeNetwork } from './network-policy.js';

/** Quota resource name -> store kind. */
const QUOTA_KINDS: Record<string, string> = {
  network: KIND.network,
  subnet: KIND.subnet,
  port: KIND.port,
  router: KIND.router,
  floatingip: KIND.floatingIp,
  security_group: KIND.securityGroup,
  security_group_rule: KIND.securityGroupRule,
  subnetpool: KIND.subnetPool,
  rbac_policy: KIND.rbacPolicy,
};

export async function quotaLimits(tx: ResourceTx, deps: NetworkDeps, projectId: string): Promise<Record<string, number>> {
  const row = await tx.get<QuotaData>(KIND.quota, projectId);
  return { ...deps.config.defaultQuotas, ...(row?.data ?? {}) };
}

/** Throws OverQuota when `adding` more of `resource` would exceed the project's limit. */
/** Neutron's quota limits are database integers (neutron-lib `DB_INTEGER_MAX_VALUE`). */
const QUOTA_MAX = 2 ** 31 - 1;

export async function checkQuota(tx: ResourceTx, deps: NetworkDeps, projectId: string, resource: string, adding = 1): Promise<void> {
  if (projectId === '') return;
  const limits = await quotaLimits(tx, deps, projectId);
  const limit = limits[resource] ?? -1;
  if (limit < 0) return;
  const used = await tx.count(QUOTA_KINDS[resource] ?? resource, { projectId });
  if (used + adding > limit) throw new Conflict(`Quota exceeded for resources: ['${resource}'].`, 'OverQuota');
}

export interface QuotaDetail {
  limit: number;
  used: number;
  reserved: number;
}

export class QuotaService {
  constructor(private readonly deps: NetworkDeps) {}

  private target(ctx: RequestContext, projectId: string): void {
    if (!ctx.isAdmin && ctx.projectId !== projectId) authorizeNetwork(ctx, 'update_quota');
    authorizeNetwork(ctx, 'get_quota', { projectId: ctx.isAdmin ? ctx.projectId : projectId });
  }

  async list(ctx: RequestContext): Promise<Array<{ projectId: string; limits: Record<string, number> }>> {
    authorizeNetwork(ctx, 'list_all_quotas');
    const rows = await this.deps.store.list<QuotaData>(KIND.quota);
    return rows.map((r) => ({ projectId: r.id, limits: { ...this.deps.config.defaultQuotas, ...r.data } }));
  }

  async get(ctx: RequestContext, projectId: string): Promise<Record<string, number>> {
    this.target(ctx, projectId);
    return quotaLimits(this.deps.store, this.deps, projectId);
  }

  defaults(ctx: RequestContext, projectId: string): Record<string, number> {
    this.target(ctx, projectId);
    return { ...this.deps.config.defaultQuotas };
  }

  async details(ctx: RequestContext, projectId: string): Promise<Record<string, QuotaDetail>> {
    this.target(ctx, projectId);
    const limits = await quotaLimits(this.deps.store, this.deps, projectId);
    const out: Record<string, QuotaDetail> = {};
    for (const [name, limit] of Object.entries(limits)) {
      const used = await this.deps.store.count(QUOTA_KINDS[name] ?? name, { projectId });
      out[name] = { limit, used, reserved: 0 };
    }
    return out;
  }

  async update(ctx: RequestContext, projectId: string, changes: Record<string, unknown>): Promise<Record<string, number>> {
    authorizeNetwork(ctx, 'update_quota');
    const clean: Record<string, number> = {};
    for (const [k, v] of Object.entries(changes)) {
      if (!(k in QUOTA_KINDS)) throw new InvalidInput(`Unrecognized attribute(s) '${k}'`, 'HTTPBadRequest');
      const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < -1) {
        throw new InvalidInput(`Invalid input for ${k}. Reason: '${String(v)}' should be an integer greater or equal to -1.`, 'HTTPBadRequest');
      }
      if (n > QUOTA_MAX) {
        throw new InvalidInput(`Invalid input for ${k}. Reason: '${String(v)}' is too large - must be no larger than '${QUOTA_MAX}'.`, 'HTTPBadRequest');
      }
      clean[k] = n;
    }
    return this.deps.store.transaction(async (tx) => {
      const row = await tx.getForUpdate<QuotaData>(KIND.quota, projectId);
      if (row) await tx.update(KIND.quota, projectId, { ...row.data, ...clean });
      else await tx.insert(KIND.quota, { id: projectId, projectId, data: clean });
      return quotaLimits(tx, this.deps, projectId);
    });
  }

  async reset(ctx: RequestContext, projectId: string): Promise<void> {
    authorizeNetwork(ctx, 'delete_quota');
    await this.deps.store.delete(KIND.quota, projectId);
  }
}
