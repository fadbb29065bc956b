/**
 * The persistence the identity service needs. Implemented by src/store/sql (SQLite and PostgreSQL);
 * every method is one atomic statement or transaction. "Already exists" is reported by returning
 * false / throwing Conflict from the implementation, never by a raw driver error.
 */
import type {
  CatalogService,
  Domain,
  Endpoint,
  Project,
  Region,
  Role,
  RoleAssignment,
  User,
} from '../model/identity.js';

export interface AssignmentFilter {
  userId?: string;
  roleIds?: string[];
  projectId?: string;
  domainId?: string;
}

export interface IdentityStore {
  getDomain(id: string): Promise<Domain | undefined>;
  findDomainByName(name: string): Promise<Domain | undefined>;
  listDomains(): Promise<Domain[]>;
  /** Throws Conflict when the name is taken. */
  insertDomain(d: Domain): Promise<void>;
  updateDomain(d: Domain): Promise<void>;
  deleteDomain(id: string): Promise<boolean>;

  getProject(id: string): Promise<Project | undefined>;
  findProjectByName(domainId: string, name: string): Promise<Project | undefined>;
  listProjects(): Promise<Project[]>;
  insertProject(p: Project): Promise<void>;
  updateProject(p: Project): Promise<void>;
  /** Also removes the project's role assignments. */
  deleteProject(id: string): Promise<boolean>;

  getUser(id: string): Promise<User | undefined>;
  findUserByName(domainId: string, name: string): Promise<User | undefined>;
  listUsers(): Promise<User[]>;
  insertUser(u: User): Promise<void>;
  updateUser(u: User): Promise<void>;
  /** Also removes the user's role assignments. */
  deleteUser(id: string): Promise<boolean>;

  getRole(id: string): Promise<Role | undefined>;
  findRoleByName(name: string, domainId: string | null): Promise<Role | undefined>;
  listRoles(): Promise<Role[]>;
  insertRole(r: Role): Promise<void>;
  updateRole(r: Role): Promise<void>;
  deleteRole(id: string): Promise<boolean>;

  /** Idempotent: granting a held role again is a no-op. */
  grant(a: RoleAssignment): Promise<void>;
  revoke(a: RoleAssignment): Promise<boolean>;
  listAssignments(f: AssignmentFilter): Promise<RoleAssignment[]>;

  listRegions(): Promise<Region[]>;
  getRegion(id: string): Promise<Region | undefined>;
  insertRegion(r: Region): Promise<void>;
  updateRegion(r: Region): Promise<void>;
  deleteRegion(id: string): Promise<boolean>;

  listServices(): Promise<CatalogService[]>;
  getService(id: string): Promise<CatalogService | undefined>;
  insertService(s: CatalogService): Promise<void>;
  updateService(s: CatalogService): Promise<void>;
  /** Also removes the service's endpoints. */
  deleteService(id: string): Promise<boolean>;

  listEndpoints(): Promise<Endpoint[]>;
  getEndpoint(id: string): Promise<Endpoint | undefined>;
  insertEndpoint(e: Endpoint): Promise<void>;
  updateEndpoint(e: Endpoint): Promise<void>;
  deleteEndpoint(id: string): Promise<boolean>;

  /** Token revocation: by audit id, and "everything of this user issued before t". */
  revokeAuditId(auditId: string, expiresAt: number): Promise<void>;
  isAuditIdRevoked(auditId: string): Promise<boolean>;
  revokeUserTokensBefore(userId: string, t: number): Promise<void>;
  userTokensRevokedBefore(userId: string): Promise<number | undefined>;
}

/** The global generation counter and change feed that the agent and the planner follow. */
export interface ChangeFeed {
  /** Bumps the global generation and records what changed, atomically. Returns the new generation. */
  recordChange(kind: string, id: string, op: 'create' | 'update' | 'delete'): Promise<number>;
  currentGeneration(): Promise<number>;
  changesSince(generation: number, limit?: number): Promise<Array<{ generation: number; kind: string; id: string; op: string }>>;
}
