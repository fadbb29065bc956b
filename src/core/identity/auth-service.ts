/**
 * Authentication and token validation (Keystone v3 semantics): password and token methods; project-,
 * domain- and un-scoped tokens; expiry; revocation by audit id and by user. Roles are resolved at every
 * validation, so revoking a role or disabling a project takes effect at once.
 */
import { InvalidInput, NotFound, Unauthorized } from '../errors.js';
import type { Domain, Project, Role, TokenPayload, User } from '../model/identity.js';
import type { Clock } from '../ports/clock.js';
import type { IdGenerator, PasswordHasher, TokenCodec } from '../ports/crypto.js';
import type { IdentityStore } from '../ports/identity-store.js';
import { effectiveRoles, type RequestContext } from './context.js';

/** A validated token with everything its view needs. */
export interface TokenInfo {
  payload: TokenPayload;
  user: User;
  userDomain: Domain;
  project: Project | null;
  projectDomain: Domain | null;
  domain: Domain | null;
  roles: Role[];
}

interface NameOrId {
  id?: unknown;
  name?: unknown;
  domain?: { id?: unknown; name?: unknown };
}

export interface AuthRequest {
  identity?: { methods?: unknown; password?: { user?: NameOrId & { password?: unknown } }; token?: { id?: unknown } };
  scope?: unknown;
}

const AUTH_FAILED = 'The request you have made requires authentication.';

export class AuthService {
  constructor(
    private readonly store: IdentityStore,
    private readonly hasher: PasswordHasher,
    private readonly codec: TokenCodec,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
    private readonly tokenTtlSeconds: number,
  ) {}

  /** POST /v3/auth/tokens. Returns the new token string and its info. */
  async authenticate(req: AuthRequest): Promise<{ token: string; info: TokenInfo }> {
    const identity = req?.identity;
    const methods = identity?.methods;
    if (!identity || !Array.isArray(methods) || methods.length === 0 || !methods.every((m) => typeof m === 'string')) {
      throw new InvalidInput("Invalid input for field 'identity/methods': expected a non-empty list of methods.", 'ValidationError');
    }
    const now = this.clock.now();
    let userId: string;
    let expiresAt = now + this.tokenTtlSeconds * 1000;
    let auditIds = [this.ids.hex().slice(0, 22)];
    if (methods.includes('password')) {
      userId = (await this.checkPassword(identity.password?.user)).id;
    } else if (methods.includes('token')) {
      const old = typeof identity.token?.id === 'string' ? identity.token.id : '';
      const info = await this.validate(old).catch(() => {
        throw new Unauthorized(AUTH_FAILED, 'Unauthorized');
      });
      userId = info.user.id;
      // A token made from a token never outlives it, and carries its audit chain.
      expiresAt = info.payload.expiresAt;
      auditIds = [auditIds[0] as string, info.payload.auditIds[0] as string];
    } else {
      throw new Unauthorized(`Unsupported authentication method: ${methods.join(', ')}.`, 'Unauthorized');
    }
    const user = (await this.store.getUser(userId)) as User;
    const scope = await this.resolveScope(req.scope, user);
    const payload: TokenPayload = {
      userId,
      methods: methods as string[],
      projectId: scope.projectId,
      domainId: scope.domainId,
      issuedAt: now,
      expiresAt,
      auditIds,
    };
    const token = this.codec.encode(payload);
    const info = await this.resolve(payload);
    if (!info) throw new Unauthorized(AUTH_FAILED, 'Unauthorized');
    return { token, info };
  }

  /** Validates a token: signature, expiry, revocation, user/project enabled, roles held. 404 when invalid. */
  async validate(token: string): Promise<TokenInfo> {
    const payload = this.codec.decode(token);
    const info = payload && payload.expiresAt > this.clock.now() ? await this.resolve(payload) : null;
    if (!info) throw new NotFound('Failed to validate token', 'TokenNotFound');
    return info;
  }

  /** DELETE /v3/auth/tokens: revokes the token (and the tokens made from it, which share its audit id). */
  async revoke(token: string): Promise<void> {
    const info = await this.validate(token);
    for (const audit of info.payload.auditIds) await this.store.revokeAuditId(audit, info.payload.expiresAt);
  }

  /** The context the API hands to every service call, from a validated token. */
  toContext(info: TokenInfo, requestId: string): RequestContext {
    const roles = effectiveRoles(info.roles.map((r) => r.name));
    return {
      requestId,
      userId: info.user.id,
      userName: info.user.name,
      userDomainId: info.user.domainId,
      projectId: info.project?.id ?? null,
      projectName: info.project?.name ?? null,
      projectDomainId: info.project?.domainId ?? null,
      domainId: info.domain?.id ?? null,
      roles,
      isAdmin: roles.includes('admin'),
    };
  }

  private async resolve(p: TokenPayload): Promise<TokenInfo | null> {
    for (const a of p.auditIds) if (await this.store.isAuditIdRevoked(a)) return null;
    const revokedBefore = await this.store.userTokensRevokedBefore(p.userId);
    if (revokedBefore !== undefined && p.issuedAt <= revokedBefore) return null;
    const user = await this.store.getUser(p.userId);
    if (!user || !user.enabled) return null;
    const userDomain = await this.store.getDomain(user.domainId);
    if (!userDomain || !userDomain.enabled) return null;
    let project: Project | null = null;
    let projectDomain: Domain | null = null;
    let domain: Domain | null = null;
    let roleIds: string[] = [];
    if (p.projectId) {
      project = (await this.store.getProject(p.projectId)) ?? null;
      if (!project || !project.enabled) return null;
      projectDomain = (await this.store.getDomain(project.domainId)) ?? null;
      if (!projectDomain || !projectDomain.enabled) return null;
      roleIds = (await this.store.listAssignments({ userId: user.id, projectId: project.id })).map((a) => a.roleId);
      if (roleIds.length === 0) return null;
    } else if (p.domainId) {
      domain = (await this.store.getDomain(p.domainId)) ?? null;
      if (!domain || !domain.enabled) return null;
      roleIds = (await this.store.listAssignments({ userId: user.id, domainId: domain.id })).map((a) => a.roleId);
      if (roleIds.length === 0) return null;
    }
    const roles: Role[] = [];
    for (const id of new Set(roleIds)) {
      const r = await this.store.getRole(id);
      if (r) roles.push(r);
    }
    // Implied roles appear in the token too, as Keystone lists them.
    const held = new Set(roles.map((r) => r.name));
    for (const name of effectiveRoles(held)) {
      if (held.has(name)) continue;
      const r = await this.store.findRoleByName(name, null);
      if (r) roles.push(r);
    }
    return { payload: p, user, userDomain, project, projectDomain, domain, roles };
  }

  private async checkPassword(u: (NameOrId & { password?: unknown }) | undefined): Promise<User> {
    if (!u || typeof u.password !== 'string') {
      throw new InvalidInput("Invalid input for field 'identity/password/user/password': a password is required.", 'ValidationError');
    }
    const user = await this.findUser(u);
    const ok = user?.passwordHash ? await this.hasher.verify(u.password, user.passwordHash) : false;
    if (!user || !ok || !user.enabled) throw new Unauthorized(AUTH_FAILED, 'Unauthorized');
    const domain = await this.store.getDomain(user.domainId);
    if (!domain?.enabled) throw new Unauthorized(AUTH_FAILED, 'Unauthorized');
    return user;
  }

  private async findUser(u: NameOrId): Promise<User | undefined> {
    if (typeof u.id === 'string') return this.store.getUser(u.id);
    if (typeof u.name !== 'string') {
      throw new InvalidInput("Invalid input for field 'identity/password/user': expected an id, or a name and a domain.", 'ValidationError');
    }
    const domain = await this.findDomain(u.domain);
    return domain ? this.store.findUserByName(domain.id, u.name) : undefined;
  }

  private async findDomain(d: { id?: unknown; name?: unknown } | undefined): Promise<Domain | undefined> {
    if (!d || (typeof d.id !== 'string' && typeof d.name !== 'string')) {
      throw new InvalidInput('A user or project name needs a domain, by id or by name.', 'ValidationError');
    }
    return typeof d.id === 'string' ? this.store.getDomain(d.id) : this.store.findDomainByName(d.name as string);
  }

  private async resolveScope(scope: unknown, user: User): Promise<{ projectId: string | null; domainId: string | null }> {
    if (scope === undefined || scope === null || scope === 'unscoped') {
      // No scope: the default project, if the user may use it; else unscoped (as Keystone does).
      if (user.defaultProjectId) {
        const held = await this.store.listAssignments({ userId: user.id, projectId: user.defaultProjectId });
        if (held.length > 0) return { projectId: user.defaultProjectId, domainId: null };
      }
      return { projectId: null, domainId: null };
    }
    const s = scope as { project?: NameOrId; domain?: { id?: unknown; name?: unknown }; system?: unknown };
    if (s.project) {
      let project: Project | undefined;
      if (typeof s.project.id === 'string') project = await this.store.getProject(s.project.id);
      else if (typeof s.project.name === 'string') {
        const d = await this.findDomain(s.project.domain);
        project = d ? await this.store.findProjectByName(d.id, s.project.name) : undefined;
      } else throw new InvalidInput('A project scope needs an id, or a name and a domain.', 'ValidationError');
      if (!project || !project.enabled) throw new Unauthorized(AUTH_FAILED, 'Unauthorized');
      const held = await this.store.listAssignments({ userId: user.id, projectId: project.id });
      if (held.length === 0) throw new Unauthorized(`User ${user.id} has no access to project ${project.id}`, 'Unauthorized');
      return { projectId: project.id, domainId: null };
    }
    if (s.domain) {
      const d = await this.findDomain(s.domain);
      if (!d || !d.enabled) throw new Unauthorized(AUTH_FAILED, 'Unauthorized');
      const held = await this.store.listAssignments({ userId: user.id, domainId: d.id });
      if (held.length === 0) throw new Unauthorized(`User ${user.id} has no access to domain ${d.id}`, 'Unauthorized');
      return { projectId: null, domainId: d.id };
    }
    if (s.system) throw new Unauthorized('System-scoped tokens are not supported by PocketStack; scope to a project.', 'Unauthorized');
    throw new InvalidInput('Invalid scope: expected project, domain or unscoped.', 'ValidationError');
  }
}
