/**
 * IdentityStore over SQL (SQLite or PostgreSQL). Row <-> entity mapping lives here and nowhere else.
 */
import type { Kysely } from 'kysely';
import type {
  CatalogService,
  Domain,
  Endpoint,
  EndpointInterface,
  Project,
  Region,
  Role,
  RoleAssignment,
  User,
} from '../../core/model/identity.js';
import type { AssignmentFilter, IdentityStore } from '../../core/ports/identity-store.js';
import { StatementSet, run } from './prepared.js';
import type { Database, DomainRow, EndpointRow, ProjectRow, RegionRow, RoleAssignmentRow, RoleRow, ServiceRow, UserRow } from './schema.js';
import { fromBool, tableMapper, toBool } from './table-mapper.js';

type AssignmentRow = RoleAssignmentRow;

/** What every token check reads besides the mapped tables (see prepared.ts); argument order in comments. */
const STATEMENTS = {
  /** user, target type, project */
  userProjectRoles: (db: Kysely<Database>, a: (i: number) => never) =>
    db.selectFrom('role_assignments').selectAll().where('user_id', '=', a(0)).where('target_type', '=', a(1)).where('target_id', '=', a(2)).orderBy('user_id').orderBy('target_id').orderBy('role_id'),
  /** audit id */
  revokedAuditId: (db: Kysely<Database>, a: (i: number) => never) => db.selectFrom('revoked_tokens').select('audit_id').where('audit_id', '=', a(0)),
  /** user */
  userRevokedBefore: (db: Kysely<Database>, a: (i: number) => never) => db.selectFrom('user_revocations').select('revoked_before').where('user_id', '=', a(0)),
};

export class SqlIdentityStore implements IdentityStore {
  private readonly domains;
  private readonly projects;
  private readonly users;
  private readonly roles;
  private readonly regions;
  private readonly services;
  private readonly endpoints;
  private readonly statements: StatementSet<keyof typeof STATEMENTS>;

  constructor(private readonly db: Kysely<Database>) {
    this.statements = new StatementSet(db, STATEMENTS);
    this.domains = tableMapper<Domain, DomainRow>(db, {
      table: 'domains',
      label: 'Domain',
      idOf: (d) => d.id,
      toRow: (d) => ({ id: d.id, name: d.name, description: d.description, enabled: fromBool(d.enabled) }),
      fromRow: (r) => ({ id: r.id, name: r.name, description: r.description, enabled: toBool(r.enabled) }),
    });
    this.projects = tableMapper<Project, ProjectRow>(db, {
      table: 'projects',
      label: 'Project',
      idOf: (p) => p.id,
      toRow: (p) => ({
        id: p.id,
        name: p.name,
        domain_id: p.domainId,
        description: p.description,
        enabled: fromBool(p.enabled),
        is_domain: fromBool(p.isDomain),
        parent_id: p.parentId,
        tags: JSON.stringify(p.tags),
      }),
      fromRow: (r) => ({
        id: r.id,
        name: r.name,
        domainId: r.domain_id,
        description: r.description,
        enabled: toBool(r.enabled),
        isDomain: toBool(r.is_domain),
        parentId: r.parent_id,
        tags: JSON.parse(r.tags) as string[],
      }),
    });
    this.users = tableMapper<User, UserRow>(db, {
      table: 'users',
      label: 'User',
      idOf: (u) => u.id,
      toRow: (u) => ({
        id: u.id,
        name: u.name,
        domain_id: u.domainId,
        enabled: fromBool(u.enabled),
        email: u.email,
        description: u.description,
        default_project_id: u.defaultProjectId,
        password_hash: u.passwordHash,
        password_changed_at: u.passwordChangedAt,
      }),
      fromRow: (r) => ({
        id: r.id,
        name: r.name,
        domainId: r.domain_id,
        enabled: toBool(r.enabled),
        email: r.email,
        description: r.description,
        defaultProjectId: r.default_project_id,
        passwordHash: r.password_hash,
        passwordChangedAt: r.password_changed_at,
      }),
    });
    this.roles = tableMapper<Role, RoleRow>(db, {
      table: 'roles',
      label: 'Role',
      idOf: (r) => r.id,
      toRow: (r) => ({ id: r.id, name: r.name, domain_id: r.domainId ?? '', description: r.description }),
      fromRow: (r) => ({ id: r.id, name: r.name, domainId: r.domain_id === '' ? null : r.domain_id, description: r.description }),
    });
    this.regions = tableMapper<Region, RegionRow>(db, {
      table: 'regions',
      label: 'Region',
      idOf: (r) => r.id,
      toRow: (r) => ({ id: r.id, description: r.description, parent_region_id: r.parentRegionId }),
      fromRow: (r) => ({ id: r.id, description: r.description, parentRegionId: r.parent_region_id }),
    });
    this.services = tableMapper<CatalogService, ServiceRow>(db, {
      table: 'services',
      label: 'Service',
      idOf: (s) => s.id,
      toRow: (s) => ({ id: s.id, type: s.type, name: s.name, description: s.description, enabled: fromBool(s.enabled) }),
      fromRow: (r) => ({ id: r.id, type: r.type, name: r.name, description: r.description, enabled: toBool(r.enabled) }),
    });
    this.endpoints = tableMapper<Endpoint, EndpointRow>(db, {
      table: 'endpoints',
      label: 'Endpoint',
      idOf: (e) => e.id,
      toRow: (e) => ({
        id: e.id,
        service_id: e.serviceId,
        interface: e.interface,
        url: e.url,
        region_id: e.regionId,
        enabled: fromBool(e.enabled),
      }),
      fromRow: (r) => ({
        id: r.id,
        serviceId: r.service_id,
        interface: r.interface as EndpointInterface,
        url: r.url,
        regionId: r.region_id,
        enabled: toBool(r.enabled),
      }),
    });
  }

  getDomain = (id: string) => this.domains.get(id);
  findDomainByName = (name: string) => this.domains.findBy({ name });
  listDomains = () => this.domains.list();
  insertDomain = (d: Domain) => this.domains.insert(d);
  updateDomain = (d: Domain) => this.domains.update(d);
  deleteDomain = (id: string) => this.domains.delete(id);

  getProject = (id: string) => this.projects.get(id);
  findProjectByName = (domainId: string, name: string) => this.projects.findBy({ domain_id: domainId, name });
  listProjects = () => this.projects.list();
  insertProject = (p: Project) => this.projects.insert(p);
  updateProject = (p: Project) => this.projects.update(p);
  async deleteProject(id: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('role_assignments').where('target_type', '=', 'project').where('target_id', '=', id).execute();
      const r = await trx.deleteFrom('projects').where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    });
  }

  getUser = (id: string) => this.users.get(id);
  findUserByName = (domainId: string, name: string) => this.users.findBy({ domain_id: domainId, name });
  listUsers = () => this.users.list();
  insertUser = (u: User) => this.users.insert(u);
  updateUser = (u: User) => this.users.update(u);
  async deleteUser(id: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('role_assignments').where('user_id', '=', id).execute();
      const r = await trx.deleteFrom('users').where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    });
  }

  getRole = (id: string) => this.roles.get(id);
  findRoleByName = (name: string, domainId: string | null) => this.roles.findBy({ name, domain_id: domainId ?? '' });
  listRoles = () => this.roles.list();
  insertRole = (r: Role) => this.roles.insert(r);
  updateRole = (r: Role) => this.roles.update(r);
  async deleteRole(id: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('role_assignments').where('role_id', '=', id).execute();
      const r = await trx.deleteFrom('roles').where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    });
  }

  async grant(a: RoleAssignment): Promise<void> {
    const row = assignmentRow(a);
    const exists = await this.db
      .selectFrom('role_assignments')
      .select('user_id')
      .where('user_id', '=', row.user_id)
      .where('role_id', '=', row.role_id)
      .where('target_type', '=', row.target_type)
      .where('target_id', '=', row.target_id)
      .executeTakeFirst();
    if (exists) return;
    await this.db
      .insertInto('role_assignments')
      .values(row)
      .onConflict((oc) => oc.doNothing())
      .execute();
  }

  async revoke(a: RoleAssignment): Promise<boolean> {
    const row = assignmentRow(a);
    const r = await this.db
      .deleteFrom('role_assignments')
      .where('user_id', '=', row.user_id)
      .where('role_id', '=', row.role_id)
      .where('target_type', '=', row.target_type)
      .where('target_id', '=', row.target_id)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async listAssignments(f: AssignmentFilter): Promise<RoleAssignment[]> {
    // The token check's shape (a user's roles on a project) runs on every request: prepared.
    const rows = f.userId && f.projectId && !f.roleIds && !f.domainId ? (await run<AssignmentRow>(this.db, this.statements.get('userProjectRoles'), [f.userId, 'project', f.projectId])).rows : await this.queryAssignments(f);
    return rows.map((r) => ({
      userId: r.user_id,
      roleId: r.role_id,
      projectId: r.target_type === 'project' ? r.target_id : null,
      domainId: r.target_type === 'domain' ? r.target_id : null,
    }));
  }

  private async queryAssignments(f: AssignmentFilter): Promise<AssignmentRow[]> {
    let q = this.db.selectFrom('role_assignments').selectAll();
    if (f.userId) q = q.where('user_id', '=', f.userId);
    if (f.roleIds) {
      if (f.roleIds.length === 0) return [];
      q = q.where('role_id', 'in', f.roleIds);
    }
    if (f.projectId) q = q.where('target_type', '=', 'project').where('target_id', '=', f.projectId);
    if (f.domainId) q = q.where('target_type', '=', 'domain').where('target_id', '=', f.domainId);
    return q.orderBy('user_id').orderBy('target_id').orderBy('role_id').execute();
  }

  listRegions = () => this.regions.list();
  getRegion = (id: string) => this.regions.get(id);
  insertRegion = (r: Region) => this.regions.insert(r);
  updateRegion = (r: Region) => this.regions.update(r);
  deleteRegion = (id: string) => this.regions.delete(id);

  listServices = () => this.services.list();
  getService = (id: string) => this.services.get(id);
  insertService = (s: CatalogService) => this.services.insert(s);
  updateService = (s: CatalogService) => this.services.update(s);
  async deleteService(id: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('endpoints').where('service_id', '=', id).execute();
      const r = await trx.deleteFrom('services').where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    });
  }

  listEndpoints = () => this.endpoints.list();
  getEndpoint = (id: string) => this.endpoints.get(id);
  insertEndpoint = (e: Endpoint) => this.endpoints.insert(e);
  updateEndpoint = (e: Endpoint) => this.endpoints.update(e);
  deleteEndpoint = (id: string) => this.endpoints.delete(id);

  async revokeAuditId(auditId: string, expiresAt: number): Promise<void> {
    await this.db
      .insertInto('revoked_tokens')
      .values({ audit_id: auditId, expires_at: expiresAt })
      .onConflict((oc) => oc.column('audit_id').doNothing())
      .execute();
  }

  async isAuditIdRevoked(auditId: string): Promise<boolean> {
    return (await run(this.db, this.statements.get('revokedAuditId'), [auditId])).rows.length > 0;
  }

  async revokeUserTokensBefore(userId: string, t: number): Promise<void> {
    await this.db
      .insertInto('user_revocations')
      .values({ user_id: userId, revoked_before: t })
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ revoked_before: t }))
      .execute();
  }

  async userTokensRevokedBefore(userId: string): Promise<number | undefined> {
    const r = (await run<{ revoked_before: number | string }>(this.db, this.statements.get('userRevokedBefore'), [userId])).rows[0];
    return r ? Number(r.revoked_before) : undefined;
  }
}

function assignmentRow(a: RoleAssignment) {
  const target_type: 'project' | 'domain' = a.projectId ? 'project' : 'domain';
  return { user_id: a.userId, role_id: a.roleId, target_type, target_id: (a.projectId ?? a.domainId) as string };
}
