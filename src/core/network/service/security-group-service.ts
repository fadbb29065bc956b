/**
 * Security groups and rules: each project's `default` group made on first use (claimed per project,
 * so concurrent first uses agree on one group), Neutron's initial rules, rule validation and
 * duplicate detection (core/network/security-group), and the in-use and default-group protections.
 * Pure core.
 */
import { Conflict, InUse, NotFound } from '../../errors.js';
import type { RequestContext } from '../../identity/context.js';
import { KIND, type PortData, type SecurityGroup, type SecurityGroupData, type SecurityGroupRule, type SecurityGroupRuleData } from '../../model/network.js';
import type { ResourceTx } from '../../ports/resource-store.js';
import {
  DEFAULT_SECURITY_GROUP_NAME,
  type SecurityGroupRuleInput,
  type SecurityGroupRuleSpec,
  assertNoDuplicatesInRequest,
  assertNotDuplicateRule,
  initialSecurityGroupRules,
  normalizeSecurityGroupRule,
  validateSecurityGroupCreate,
} from '../security-group/index.js';
import type { NetworkDeps } from './network-deps.js';
import { authorizeNetwork } from './network-policy.js';
import { checkQuota } from './quota.js';
import { bumpRevision, dataOf, getOwned, hydrate, notFound, owns, resolveProject } from './scope.js';

export type SecurityGroupView = SecurityGroup & { rules: SecurityGroupRule[] };

export interface SecurityGroupInput {
  name?: string;
  description?: string;
  stateful?: boolean;
  projectId?: string;
  tenantId?: string;
  tags?: string[];
}

export type RuleInput = Omit<SecurityGroupRuleInput, 'securityGroupId'> & { securityGroupId: string; projectId?: string; tenantId?: string };

const defaultNs = (projectId: string) => `sg-default:${projectId}`;

export class SecurityGroupService {
  private readonly defaults = new Map<string, string>();

  constructor(private readonly deps: NetworkDeps) {}

  /** The project's default group, made (with its rules) when it does not exist yet. */
  async ensureDefault(tx: ResourceTx, projectId: string): Promise<string> {
    const cached = this.defaults.get(projectId);
    if (cached && (await tx.get(KIND.securityGroup, cached))) return cached;
    const held = await tx.listClaims(defaultNs(projectId));
    if (held[0] && (await tx.get(KIND.securityGroup, held[0].owner))) {
      this.defaults.set(projectId, held[0].owner);
      return held[0].owner;
    }
    if (held[0]) await tx.release(defaultNs(projectId), 'default');
    const id = this.deps.uuid();
    if (!(await tx.claim(defaultNs(projectId), 'default', id))) {
      const owner = (await tx.listClaims(defaultNs(projectId)))[0]!.owner;
      this.defaults.set(projectId, owner);
      return owner;
    }
    await this.insertGroup(tx, projectId, id, { name: DEFAULT_SECURITY_GROUP_NAME, description: 'Default security group', stateful: true }, true);
    this.defaults.set(projectId, id);
    return id;
  }

  private async insertGroup(tx: ResourceTx, projectId: string, id: string, spec: { name: string; description: string; stateful: boolean }, isDefault: boolean, tags: string[] = []): Promise<void> {
    const data: SecurityGroupData = { ...spec, isDefault, tags };
    await tx.insert(KIND.securityGroup, { id, projectId, data });
    for (const r of initialSecurityGroupRules(id, { isDefaultGroup: isDefault })) {
      await tx.insert(KIND.securityGroupRule, { id: this.deps.uuid(), projectId, parentId: id, data: r as SecurityGroupRuleData });
    }
    await tx.recordChange(KIND.securityGroup, id, 'create');
  }

  private async withRules(tx: ResourceTx, groups: SecurityGroup[]): Promise<SecurityGroupView[]> {
    const rules =
      groups.length === 1
        ? await tx.list<SecurityGroupRuleData>(KIND.securityGroupRule, { parentId: groups[0]!.id })
        : await tx.list<SecurityGroupRuleData>(KIND.securityGroupRule);
    const by = new Map<string, SecurityGroupRule[]>();
    for (const r of rules) {
      const list = by.get(r.parentId ?? '') ?? [];
      list.push(hydrate(r) as SecurityGroupRule);
      by.set(r.parentId ?? '', list);
    }
    return groups.map((g) => ({ ...g, rules: by.get(g.id) ?? [] }));
  }

  async createMany(ctx: RequestContext, inputs: SecurityGroupInput[]): Promise<SecurityGroupView[]> {
    return this.deps.store.transaction(async (tx) => {
      const out: SecurityGroup[] = [];
      for (const input of inputs) {
        const projectId = resolveProject(ctx, 'security_group', input);
        authorizeNetwork(ctx, 'create_security_group', { projectId });
        await this.ensureDefault(tx, projectId);
        await checkQuota(tx, this.deps, projectId, 'security_group');
        const spec = validateSecurityGroupCreate(input);
        const id = this.deps.uuid();
        // The group's egress rules count against the rule quota, as in Neutron.
        await checkQuota(tx, this.deps, projectId, 'security_group_rule', initialSecurityGroupRules(id, { isDefaultGroup: false }).length);
        await this.insertGroup(tx, projectId, id, spec, false, input.tags ?? []);
        out.push(hydrate((await tx.get<SecurityGroupData>(KIND.securityGroup, id))!) as SecurityGroup);
      }
      return this.withRules(tx, out);
    });
  }

  async get(ctx: RequestContext, id: string): Promise<SecurityGroupView> {
    authorizeNetwork(ctx, 'get_security_group', { projectId: ctx.projectId });
    const g = await getOwned<SecurityGroupData>(this.deps.store, ctx, KIND.securityGroup, id);
    return (await this.withRules(this.deps.store, [g]))[0]!;
  }

  /**
   * Lists groups; like Neutron, first makes the default group of the project asked for: the caller's,
   * or for an admin the one project a `tenant_id`/`project_id` filter names.
   */
  async list(ctx: RequestContext, projectFilter: readonly string[] = []): Promise<SecurityGroupView[]> {
    const target = ctx.isAdmin && projectFilter.length === 1 && projectFilter[0] ? projectFilter[0] : ctx.projectId;
    if (target) await this.deps.store.transaction((tx) => this.ensureDefault(tx, target));
    const rows = ctx.isAdmin
      ? await this.deps.store.list<SecurityGroupData>(KIND.securityGroup)
      : await this.deps.store.list<SecurityGroupData>(KIND.securityGroup, { projectId: ctx.projectId ?? '' });
    return this.withRules(this.deps.store, rows.map((r) => hydrate(r)));
  }

  async update(ctx: RequestContext, id: string, changes: SecurityGroupInput, ifMatch?: number): Promise<SecurityGroupView> {
    return this.deps.store.transaction(async (tx) => {
      const g = await getOwned<SecurityGroupData>(tx, ctx, KIND.securityGroup, id, true);
      authorizeNetwork(ctx, 'update_security_group', { projectId: g.projectId });
      if (g.isDefault && changes.name !== undefined && changes.name !== g.name) {
        throw new Conflict('Updating default security group not allowed.', 'SecurityGroupCannotUpdateDefault');
      }
      if (!g.isDefault && changes.name !== undefined && changes.name.toLowerCase() === DEFAULT_SECURITY_GROUP_NAME) {
        throw new Conflict('Default security group already exists.', 'SecurityGroupDefaultAlreadyExists');
      }
      const data: SecurityGroupData = { ...dataOf(g) };
      if (changes.name !== undefined) data.name = changes.name;
      if (changes.description !== undefined) data.description = changes.description;
      if (changes.stateful !== undefined) data.stateful = changes.stateful;
      const row = await tx.update(KIND.securityGroup, id, data, { expectRevision: ifMatch });
      await tx.recordChange(KIND.securityGroup, id, 'update');
      return (await this.withRules(tx, [hydrate(row)]))[0]!;
    });
  }

  async delete(ctx: RequestContext, id: string, ifMatch?: number): Promise<void> {
    await this.deps.store.transaction(async (tx) => {
      const g = await getOwned<SecurityGroupData>(tx, ctx, KIND.securityGroup, id, true);
      authorizeNetwork(ctx, 'delete_security_group', { projectId: g.projectId });
      if (ifMatch !== undefined && ifMatch !== g.revisionNumber) await tx.update(KIND.securityGroup, id, dataOf(g), { expectRevision: ifMatch });
      if (g.isDefault && !ctx.isAdmin) throw new Conflict('Insufficient rights for removing default security group.', 'SecurityGroupCannotRemoveDefault');
      const ports = await tx.list<PortData>(KIND.port);
      if (ports.some((p) => p.data.securityGroups.includes(id))) throw new InUse(`Security Group ${id} in use.`, 'SecurityGroupInUse');
      const rules = await tx.list<SecurityGroupRuleData>(KIND.securityGroupRule);
      if (rules.some((r) => r.data.remoteGroupId === id && r.parentId !== id)) throw new InUse(`Security Group ${id} in use.`, 'SecurityGroupInUse');
      for (const r of rules.filter((x) => x.parentId === id)) await tx.delete(KIND.securityGroupRule, r.id);
      await tx.delete(KIND.securityGroup, id);
      await tx.recordChange(KIND.securityGroup, id, 'delete');
      if (g.isDefault) {
        await tx.release(defaultNs(g.projectId), 'default');
        this.defaults.delete(g.projectId);
      }
    });
  }

  // ---- rules ----------------------------------------------------------------------------------

  async createRules(ctx: RequestContext, inputs: RuleInput[]): Promise<SecurityGroupRule[]> {
    return this.deps.store.transaction(async (tx) => {
      const specs: Array<{ spec: SecurityGroupRuleSpec; projectId: string }> = [];
      for (const input of inputs) {
        const group = await getOwned<SecurityGroupData>(tx, ctx, KIND.securityGroup, input.securityGroupId, true).catch(() => {
          throw notFound(KIND.securityGroup, input.securityGroupId);
        });
        const projectId = resolveProject(ctx, 'security_group_rule', input);
        authorizeNetwork(ctx, 'create_security_group_rule', { projectId: group.projectId });
        const spec = normalizeSecurityGroupRule(input);
        if (spec.remoteGroupId !== null && spec.remoteGroupId !== group.id) {
          const remote = await tx.get(KIND.securityGroup, spec.remoteGroupId);
          if (!remote || !(ctx.isAdmin || owns(ctx, remote.projectId) || remote.projectId === group.projectId)) {
            throw notFound(KIND.securityGroup, spec.remoteGroupId);
          }
        }
        specs.push({ spec, projectId: ctx.isAdmin ? projectId : group.projectId });
      }
      assertNoDuplicatesInRequest(specs.map((s) => s.spec));
      const out: SecurityGroupRule[] = [];
      const touched = new Set<string>();
      for (const { spec, projectId } of specs) {
        const existing = (await tx.list<SecurityGroupRuleData>(KIND.securityGroupRule, { parentId: spec.securityGroupId })).map((r) => ({ ...r.data, id: r.id }));
        assertNotDuplicateRule(spec, existing);
        await checkQuota(tx, this.deps, projectId, 'security_group_rule');
        const id = this.deps.uuid();
        const row = await tx.insert(KIND.securityGroupRule, { id, projectId, parentId: spec.securityGroupId, data: spec as SecurityGroupRuleData });
        out.push(hydrate(row) as SecurityGroupRule);
        touched.add(spec.securityGroupId);
      }
      for (const g of touched) {
        await bumpRevision(tx, KIND.securityGroup, g);
        await tx.recordChange(KIND.securityGroup, g, 'update');
      }
      return out;
    });
  }

  async getRule(ctx: RequestContext, id: string): Promise<SecurityGroupRule> {
    authorizeNetwork(ctx, 'get_security_group_rule', { projectId: ctx.projectId });
    const row = await this.deps.store.get<SecurityGroupRuleData>(KIND.securityGroupRule, id);
    if (!row || !(ctx.isAdmin || owns(ctx, row.projectId) || (await this.ownsGroup(ctx, row.parentId)))) throw notFound(KIND.securityGroupRule, id);
    return hydrate(row) as SecurityGroupRule;
  }

  private async ownsGroup(ctx: RequestContext, groupId: string | null): Promise<boolean> {
    if (!groupId) return false;
    const g = await this.deps.store.get(KIND.securityGroup, groupId);
    return g !== undefined && owns(ctx, g.projectId);
  }

  async listRules(ctx: RequestContext): Promise<SecurityGroupRule[]> {
    if (ctx.projectId) await this.deps.store.transaction((tx) => this.ensureDefault(tx, ctx.projectId!));
    const rows = await this.deps.store.list<SecurityGroupRuleData>(KIND.securityGroupRule);
    if (ctx.isAdmin) return rows.map((r) => hydrate(r) as SecurityGroupRule);
    const mine = new Set((await this.deps.store.list(KIND.securityGroup, { projectId: ctx.projectId ?? '' })).map((g) => g.id));
    return rows.filter((r) => owns(ctx, r.projectId) || mine.has(r.parentId ?? '')).map((r) => hydrate(r) as SecurityGroupRule);
  }

  async deleteRule(ctx: RequestContext, id: string): Promise<void> {
    await this.deps.store.transaction(async (tx) => {
      const row = await tx.get<SecurityGroupRuleData>(KIND.securityGroupRule, id);
      if (!row) throw notFound(KIND.securityGroupRule, id);
      const group = row.parentId ? await tx.get(KIND.securityGroup, row.parentId) : undefined;
      if (!(ctx.isAdmin || owns(ctx, row.projectId) || (group && owns(ctx, group.projectId)))) throw notFound(KIND.securityGroupRule, id);
      authorizeNetwork(ctx, 'delete_security_group_rule', { projectId: ctx.isAdmin ? ctx.projectId : ctx.projectId });
      await tx.delete(KIND.securityGroupRule, id);
      if (row.parentId) {
        await bumpRevision(tx, KIND.securityGroup, row.parentId);
        await tx.recordChange(KIND.securityGroup, row.parentId, 'update');
      }
    });
  }

  /** Validates a port's group list: each must exist and belong to the port's project (or the caller is admin). */
  async assertUsable(tx: ResourceTx, ctx: RequestContext, projectId: string, ids: string[]): Promise<void> {
    for (const id of ids) {
      const g = await tx.get(KIND.securityGroup, id);
      if (!g || !(ctx.isAdmin || g.projectId === projectId)) throw new NotFound(`Security group ${id} does not exist`, 'SecurityGroupNotFound');
    }
  }
}
