/**
 * Identity use cases: domains, projects, users, roles and grants. Every method takes the request
 * context, authorizes through the identity policy, validates, and calls the store.
 */
import { Conflict, Forbidden, InvalidInput, NotFound } from '../errors.js';
import { DEFAULT_DOMAIN_ID, type Domain, type Project, type Role, type RoleAssignment, type User } from '../model/identity.js';
import type { Clock } from '../ports/clock.js';
import type { IdGenerator, PasswordHasher } from '../ports/crypto.js';
import type { AssignmentFilter, IdentityStore } from '../ports/identity-store.js';
import type { RequestContext } from './context.js';
import { identityPolicy } from './identity-policy.js';
import { authorize, isAllowed } from './policy.js';

export type DomainInput = Partial<Pick<Domain, 'name' | 'description' | 'enabled'>>;
export type ProjectInput = Partial<Pick<Project, 'name' | 'domainId' | 'description' | 'enabled' | 'isDomain' | 'parentId' | 'tags'>>;
export type UserInput = Partial<Pick<User, 'name' | 'domainId' | 'enabled' | 'email' | 'description' | 'defaultProjectId'>> & {
  password?: string | null;
};
export type RoleInput = Partial<Pick<Role, 'name' | 'domainId' | 'description'>>;

export interface AssignmentNames {
  user(id: string): Record<string, unknown>;
  project(id: string): Record<string, unknown>;
  role(id: string): Record<string, unknown>;
  domain(id: string): Record<string, unknown>;
}

/** A grant target: a project or a domain. */
export type GrantTarget = { projectId: string } | { domainId: string };

const notFound = (kind: string, id: string) => new NotFound(`Could not find ${kind}: ${id}.`, 'NotFound');

function requireName(name: unknown, kind: string): string {
  if (typeof name !== 'string' || name.trim() === '' || name.length > 255) {
    throw new InvalidInput(`Invalid input for field 'name': a ${kind} needs a name of 1 to 255 characters.`, 'ValidationError');
  }
  return name;
}

export class IdentityService {
  constructor(
    private readonly store: IdentityStore,
    private readonly hasher: PasswordHasher,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
  ) {}

  // ---- domains
  async getDomain(ctx: RequestContext, id: string): Promise<Domain> {
    authorize(identityPolicy, ctx, 'identity:get_domain', { domainId: id });
    return (await this.store.getDomain(id)) ?? throwNotFound('domain', id);
  }
  async listDomains(ctx: RequestContext): Promise<Domain[]> {
    authorize(identityPolicy, ctx, 'identity:list_domains');
    return this.store.listDomains();
  }
  async createDomain(ctx: RequestContext, input: DomainInput): Promise<Domain> {
    authorize(identityPolicy, ctx, 'identity:create_domain');
    const d: Domain = { id: this.ids.hex(), name: requireName(input.name, 'domain'), description: input.description ?? '', enabled: input.enabled ?? true };
    await this.store.insertDomain(d);
    return d;
  }
  async updateDomain(ctx: RequestContext, id: string, input: DomainInput): Promise<Domain> {
    authorize(identityPolicy, ctx, 'identity:update_domain');
    const d = (await this.store.getDomain(id)) ?? throwNotFound('domain', id);
    const next = { ...d, ...defined(input) };
    if (input.name !== undefined) requireName(input.name, 'domain');
    await this.store.updateDomain(next);
    return next;
  }
  async deleteDomain(ctx: RequestContext, id: string): Promise<void> {
    authorize(identityPolicy, ctx, 'identity:delete_domain');
    const d = (await this.store.getDomain(id)) ?? throwNotFound('domain', id);
    if (d.enabled) throw new Forbidden('Cannot delete a domain that is enabled, please disable it first.', 'Forbidden');
    const inUse = (await this.store.listProjects()).some((p) => p.domainId === id) || (await this.store.listUsers()).some((u) => u.domainId === id);
    if (inUse) throw new Conflict(`Domain ${id} still has projects or users; delete them first.`, 'Conflict');
    await this.store.deleteDomain(id);
  }

  // ---- projects
  async getProject(ctx: RequestContext, id: string): Promise<Project> {
    authorize(identityPolicy, ctx, 'identity:get_project', { projectId: id });
    return (await this.store.getProject(id)) ?? throwNotFound('project', id);
  }
  async listProjects(ctx: RequestContext): Promise<Project[]> {
    authorize(identityPolicy, ctx, 'identity:list_projects');
    return this.store.listProjects();
  }
  /** Projects on which the user holds a role (GET /v3/users/{id}/projects and /v3/auth/projects). */
  async listUserProjects(ctx: RequestContext, userId: string): Promise<Project[]> {
    authorize(identityPolicy, ctx, 'identity:list_user_projects', { userId });
    const ids = new Set((await this.store.listAssignments({ userId })).flatMap((a) => (a.projectId ? [a.projectId] : [])));
    const out: Project[] = [];
    for (const id of ids) {
      const p = await this.store.getProject(id);
      if (p) out.push(p);
    }
    return out;
  }
  /** Domains on which the user holds a role (GET /v3/auth/domains). */
  async listUserDomains(ctx: RequestContext, userId: string): Promise<Domain[]> {
    authorize(identityPolicy, ctx, 'identity:list_user_projects', { userId });
    const ids = new Set((await this.store.listAssignments({ userId })).flatMap((a) => (a.domainId ? [a.domainId] : [])));
    const out: Domain[] = [];
    for (const id of ids) {
      const d = await this.store.getDomain(id);
      if (d?.enabled) out.push(d);
    }
    return out;
  }
  async createProject(ctx: RequestContext, input: ProjectInput): Promise<Project> {
    authorize(identityPolicy, ctx, 'identity:create_project');
    const domainId = input.domainId ?? ctx.domainId ?? ctx.projectDomainId ?? DEFAULT_DOMAIN_ID;
    if (!(await this.store.getDomain(domainId))) throw new NotFound(`Could not find domain: ${domainId}.`, 'NotFound');
    const parentId = input.parentId ?? domainId;
    if (parentId !== domainId && !(await this.store.getProject(parentId))) throw notFound('project', parentId);
    const p: Project = {
      id: this.ids.hex(),
      name: requireName(input.name, 'project'),
      domainId,
      description: input.description ?? '',
      enabled: input.enabled ?? true,
      isDomain: input.isDomain ?? false,
      parentId,
      tags: input.tags ?? [],
    };
    await this.store.insertProject(p);
    return p;
  }
  async updateProject(ctx: RequestContext, id: string, input: ProjectInput): Promise<Project> {
    authorize(identityPolicy, ctx, 'identity:update_project');
    const p = (await this.store.getProject(id)) ?? throwNotFound('project', id);
    if (input.domainId !== undefined && input.domainId !== p.domainId) {
      throw new InvalidInput('Updating the domain_id of a project is not allowed.', 'ValidationError');
    }
    if (input.name !== undefined) requireName(input.name, 'project');
    const next = { ...p, ...defined(input) };
    await this.store.updateProject(next);
    return next;
  }
  async deleteProject(ctx: RequestContext, id: string): Promise<void> {
    authorize(identityPolicy, ctx, 'identity:delete_project');
    if (!(await this.store.deleteProject(id))) throw notFound('project', id);
  }

  // ---- users
  async getUser(ctx: RequestContext, id: string): Promise<User> {
    authorize(identityPolicy, ctx, 'identity:get_user', { userId: id });
    return (await this.store.getUser(id)) ?? throwNotFound('user', id);
  }
  async listUsers(ctx: RequestContext): Promise<User[]> {
    authorize(identityPolicy, ctx, 'identity:list_users');
    return this.store.listUsers();
  }
  async createUser(ctx: RequestContext, input: UserInput): Promise<User> {
    authorize(identityPolicy, ctx, 'identity:create_user');
    const domainId = input.domainId ?? ctx.domainId ?? ctx.projectDomainId ?? DEFAULT_DOMAIN_ID;
    if (!(await this.store.getDomain(domainId))) throw new NotFound(`Could not find domain: ${domainId}.`, 'NotFound');
    const u: User = {
      id: this.ids.hex(),
      name: requireName(input.name, 'user'),
      domainId,
      enabled: input.enabled ?? true,
      email: input.email ?? null,
      description: input.description ?? null,
      defaultProjectId: input.defaultProjectId ?? null,
      passwordHash: input.password ? await this.hasher.hash(input.password) : null,
      passwordChangedAt: input.password ? new Date(this.clock.now()).toISOString() : null,
    };
    await this.store.insertUser(u);
    return u;
  }
  async updateUser(ctx: RequestContext, id: string, input: UserInput): Promise<User> {
    authorize(identityPolicy, ctx, 'identity:update_user');
    const u = (await this.store.getUser(id)) ?? throwNotFound('user', id);
    if (input.name !== undefined) requireName(input.name, 'user');
    const { password, ...rest } = input;
    const next: User = { ...u, ...defined(rest) };
    if (password !== undefined) {
      next.passwordHash = password ? await this.hasher.hash(password) : null;
      next.passwordChangedAt = new Date(this.clock.now()).toISOString();
    }
    await this.store.updateUser(next);
    // Disabling a user or changing the password ends the user's existing tokens.
    if (password !== undefined || (u.enabled && !next.enabled)) await this.store.revokeUserTokensBefore(id, this.clock.now());
    return next;
  }
  async changePassword(ctx: RequestContext, id: string, original: string, password: string): Promise<void> {
    authorize(identityPolicy, ctx, 'identity:change_password', { userId: id });
    const u = (await this.store.getUser(id)) ?? throwNotFound('user', id);
    if (!u.passwordHash || !(await this.hasher.verify(original, u.passwordHash))) {
      throw new InvalidInput('The original password is not correct.', 'Unauthorized');
    }
    await this.store.updateUser({ ...u, passwordHash: await this.hasher.hash(password), passwordChangedAt: new Date(this.clock.now()).toISOString() });
    await this.store.revokeUserTokensBefore(id, this.clock.now());
  }
  async deleteUser(ctx: RequestContext, id: string): Promise<void> {
    authorize(identityPolicy, ctx, 'identity:delete_user');
    if (!(await this.store.deleteUser(id))) throw notFound('user', id);
    await this.store.revokeUserTokensBefore(id, this.clock.now());
  }

  // ---- roles
  async getRole(ctx: RequestContext, id: string): Promise<Role> {
    authorize(identityPolicy, ctx, 'identity:get_role');
    return (await this.store.getRole(id)) ?? throwNotFound('role', id);
  }
  async listRoles(ctx: RequestContext): Promise<Role[]> {
    authorize(identityPolicy, ctx, 'identity:list_roles');
    return this.store.listRoles();
  }
  async createRole(ctx: RequestContext, input: RoleInput): Promise<Role> {
    authorize(identityPolicy, ctx, 'identity:create_role');
    const r: Role = { id: this.ids.hex(), name: requireName(input.name, 'role'), domainId: input.domainId ?? null, description: input.description ?? '' };
    await this.store.insertRole(r);
    return r;
  }
  async updateRole(ctx: RequestContext, id: string, input: RoleInput): Promise<Role> {
    authorize(identityPolicy, ctx, 'identity:update_role');
    const r = (await this.store.getRole(id)) ?? throwNotFound('role', id);
    if (input.name !== undefined) requireName(input.name, 'role');
    const next = { ...r, ...defined(input) };
    await this.store.updateRole(next);
    return next;
  }
  async deleteRole(ctx: RequestContext, id: string): Promise<void> {
    authorize(identityPolicy, ctx, 'identity:delete_role');
    if (!(await this.store.deleteRole(id))) throw notFound('role', id);
  }

  // ---- grants
  async grant(ctx: RequestContext, target: GrantTarget, userId: string, roleId: string): Promise<void> {
    authorize(identityPolicy, ctx, 'identity:create_grant');
    await this.store.grant(await this.checkedAssignment(target, userId, roleId));
  }
  async revokeGrant(ctx: RequestContext, target: GrantTarget, userId: string, roleId: string): Promise<void> {
    authorize(identityPolicy, ctx, 'identity:revoke_grant');
    const a = await this.checkedAssignment(target, userId, roleId);
    if (!(await this.store.revoke(a))) throw new NotFound(`Could not find role assignment.`, 'NotFound');
  }
  async checkGrant(ctx: RequestContext, target: GrantTarget, userId: string, roleId: string): Promise<void> {
    authorize(identityPolicy, ctx, 'identity:check_grant');
    const a = await this.checkedAssignment(target, userId, roleId);
    const held = await this.store.listAssignments({ userId, roleIds: [roleId], ...target });
    if (!held.some((h) => h.projectId === a.projectId && h.domainId === a.domainId)) {
      throw new NotFound(`Could not find role assignment.`, 'NotFound');
    }
  }
  async listGrants(ctx: RequestContext, target: GrantTarget, userId: string): Promise<Role[]> {
    authorize(identityPolicy, ctx, 'identity:list_grants');
    await this.checkedTarget(target, userId);
    const roleIds = (await this.store.listAssignments({ userId, ...target })).map((a) => a.roleId);
    const roles = await this.store.listRoles();
    return roles.filter((r) => roleIds.includes(r.id));
  }
  async listRoleAssignments(ctx: RequestContext, f: AssignmentFilter): Promise<RoleAssignment[]> {
    const ownProject = f.projectId !== undefined && isAllowed(identityPolicy, ctx, 'identity:list_role_assignments_for_project', { projectId: f.projectId });
    if (!ownProject) authorize(identityPolicy, ctx, 'identity:list_role_assignments');
    return this.store.listAssignments(f);
  }

  /**
   * Names for `include_names` on role assignments. Call only after listRoleAssignments has authorized
   * the caller: it reveals names of the users, projects and roles in assignments the caller may see.
   */
  async assignmentNames(): Promise<AssignmentNames> {
    const [users, projects, roles, domains] = await Promise.all([this.store.listUsers(), this.store.listProjects(), this.store.listRoles(), this.store.listDomains()]);
    const dom = new Map(domains.map((x) => [x.id, { id: x.id, name: x.name }]));
    const u = new Map(users.map((x) => [x.id, x]));
    const pr = new Map(projects.map((x) => [x.id, x]));
    const r = new Map(roles.map((x) => [x.id, x]));
    return {
      user: (id) => (u.has(id) ? { name: u.get(id)?.name, domain: dom.get(u.get(id)?.domainId as string) } : {}),
      project: (id) => (pr.has(id) ? { name: pr.get(id)?.name, domain: dom.get(pr.get(id)?.domainId as string) } : {}),
      role: (id) => (r.has(id) ? { name: r.get(id)?.name } : {}),
      domain: (id) => (dom.has(id) ? { name: dom.get(id)?.name } : {}),
    };
  }

  private async checkedTarget(target: GrantTarget, userId: string): Promise<void> {
    if (!(await this.store.getUser(userId))) throw notFound('user', userId);
    if ('projectId' in target) {
      if (!(await this.store.getProject(target.projectId))) throw notFound('project', target.projectId);
    } else if (!(await this.store.getDomain(target.domainId))) throw notFound('domain', target.domainId);
  }
  private async checkedAssignment(target: GrantTarget, userId: string, roleId: string): Promise<RoleAssignment> {
    await this.checkedTarget(target, userId);
    if (!(await this.store.getRole(roleId))) throw notFound('role', roleId);
    return { userId, roleId, projectId: 'projectId' in target ? target.projectId : null, domainId: 'domainId' in target ? target.domainId : null };
  }
}

function throwNotFound(kind: string, id: string): never {
  throw notFound(kind, id);
}

/** Drops undefined values so that a partial input never erases a field. */
function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
