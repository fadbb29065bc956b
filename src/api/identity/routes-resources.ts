/** Keystone v3 domains, projects, users, roles, grants and role assignments. Thin: parse, one call, render. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HEAD_TOO, type IdentityApiDeps } from './deps.js';
import type { GrantTarget } from '../../core/identity/identity-service.js';
import { baseUrl } from '../http/server.js';
import { bool, envelope, filterByQuery, str, strList } from './body.js';
import { domainView, listLinks, projectView, roleView, userView } from './views.js';

type Params = Record<string, string>;
const q = (req: FastifyRequest) => req.query as Record<string, unknown>;
const p = (req: FastifyRequest) => req.params as Params;

export function registerResourceRoutes(app: FastifyInstance, d: IdentityApiDeps): void {
  const { identity } = d;
  const V3 = '/identity/v3';

  // ---- domains
  app.get(`${V3}/domains`, HEAD_TOO, async (req) => {
    const b = baseUrl(req);
    const items = filterByQuery(await identity.listDomains(req.ctx), q(req), { name: (x) => x.name, enabled: (x) => x.enabled });
    return { domains: items.map((x) => domainView(b, x)), links: listLinks(b, 'domains') };
  });
  app.post(`${V3}/domains`, async (req, reply) => {
    const o = envelope(req.body, 'domain');
    const x = await identity.createDomain(req.ctx, { name: str(o, 'name') ?? undefined, description: str(o, 'description') ?? undefined, enabled: bool(o, 'enabled') });
    reply.status(201);
    return { domain: domainView(baseUrl(req), x) };
  });
  app.get(`${V3}/domains/:id`, HEAD_TOO, async (req) => ({ domain: domainView(baseUrl(req), await identity.getDomain(req.ctx, p(req).id as string)) }));
  app.patch(`${V3}/domains/:id`, async (req) => {
    const o = envelope(req.body, 'domain');
    const x = await identity.updateDomain(req.ctx, p(req).id as string, { name: str(o, 'name') ?? undefined, description: str(o, 'description') ?? undefined, enabled: bool(o, 'enabled') });
    return { domain: domainView(baseUrl(req), x) };
  });
  app.delete(`${V3}/domains/:id`, async (req, reply) => {
    await identity.deleteDomain(req.ctx, p(req).id as string);
    reply.status(204);
  });

  // ---- projects
  app.get(`${V3}/projects`, HEAD_TOO, async (req) => {
    const b = baseUrl(req);
    const items = filterByQuery(await identity.listProjects(req.ctx), q(req), {
      name: (x) => x.name,
      domain_id: (x) => x.domainId,
      enabled: (x) => x.enabled,
      parent_id: (x) => x.parentId,
      is_domain: (x) => x.isDomain,
    });
    return { projects: items.map((x) => projectView(b, x)), links: listLinks(b, 'projects') };
  });
  app.post(`${V3}/projects`, async (req, reply) => {
    const o = envelope(req.body, 'project');
    const x = await identity.createProject(req.ctx, {
      name: str(o, 'name') ?? undefined,
      domainId: str(o, 'domain_id') ?? undefined,
      description: str(o, 'description') ?? undefined,
      enabled: bool(o, 'enabled'),
      isDomain: bool(o, 'is_domain'),
      parentId: str(o, 'parent_id', true) ?? undefined,
      tags: strList(o, 'tags'),
    });
    reply.status(201);
    return { project: projectView(baseUrl(req), x) };
  });
  app.get(`${V3}/projects/:id`, HEAD_TOO, async (req) => ({ project: projectView(baseUrl(req), await identity.getProject(req.ctx, p(req).id as string)) }));
  app.patch(`${V3}/projects/:id`, async (req) => {
    const o = envelope(req.body, 'project');
    const x = await identity.updateProject(req.ctx, p(req).id as string, {
      name: str(o, 'name') ?? undefined,
      domainId: str(o, 'domain_id') ?? undefined,
      description: str(o, 'description') ?? undefined,
      enabled: bool(o, 'enabled'),
      tags: strList(o, 'tags'),
    });
    return { project: projectView(baseUrl(req), x) };
  });
  app.delete(`${V3}/projects/:id`, async (req, reply) => {
    await identity.deleteProject(req.ctx, p(req).id as string);
    reply.status(204);
  });

  // ---- users
  app.get(`${V3}/users`, HEAD_TOO, async (req) => {
    const b = baseUrl(req);
    const items = filterByQuery(await identity.listUsers(req.ctx), q(req), { name: (x) => x.name, domain_id: (x) => x.domainId, enabled: (x) => x.enabled });
    return { users: items.map((x) => userView(b, x)), links: listLinks(b, 'users') };
  });
  const userInput = (o: Record<string, unknown>) => ({
    name: str(o, 'name') ?? undefined,
    domainId: str(o, 'domain_id') ?? undefined,
    password: str(o, 'password', true),
    email: str(o, 'email', true),
    description: str(o, 'description', true),
    enabled: bool(o, 'enabled'),
    defaultProjectId: str(o, 'default_project_id', true),
  });
  app.post(`${V3}/users`, async (req, reply) => {
    const x = await identity.createUser(req.ctx, userInput(envelope(req.body, 'user')));
    reply.status(201);
    return { user: userView(baseUrl(req), x) };
  });
  app.get(`${V3}/users/:id`, HEAD_TOO, async (req) => ({ user: userView(baseUrl(req), await identity.getUser(req.ctx, p(req).id as string)) }));
  app.patch(`${V3}/users/:id`, async (req) => {
    const x = await identity.updateUser(req.ctx, p(req).id as string, userInput(envelope(req.body, 'user')));
    return { user: userView(baseUrl(req), x) };
  });
  app.delete(`${V3}/users/:id`, async (req, reply) => {
    await identity.deleteUser(req.ctx, p(req).id as string);
    reply.status(204);
  });
  app.post(`${V3}/users/:id/password`, async (req, reply) => {
    const o = envelope(req.body, 'user');
    await identity.changePassword(req.ctx, p(req).id as string, str(o, 'original_password') ?? '', str(o, 'password') ?? '');
    reply.status(204);
  });
  app.get(`${V3}/users/:id/projects`, HEAD_TOO, async (req) => {
    const b = baseUrl(req);
    const items = await identity.listUserProjects(req.ctx, p(req).id as string);
    return { projects: items.map((x) => projectView(b, x)), links: listLinks(b, `users/${p(req).id}/projects`) };
  });

  // ---- roles
  app.get(`${V3}/roles`, HEAD_TOO, async (req) => {
    const b = baseUrl(req);
    const items = filterByQuery(await identity.listRoles(req.ctx), q(req), { name: (x) => x.name, domain_id: (x) => x.domainId ?? '' });
    return { roles: items.map((x) => roleView(b, x)), links: listLinks(b, 'roles') };
  });
  app.post(`${V3}/roles`, async (req, reply) => {
    const o = envelope(req.body, 'role');
    const x = await identity.createRole(req.ctx, { name: str(o, 'name') ?? undefined, domainId: str(o, 'domain_id', true) ?? null, description: str(o, 'description') ?? undefined });
    reply.status(201);
    return { role: roleView(baseUrl(req), x) };
  });
  app.get(`${V3}/roles/:id`, HEAD_TOO, async (req) => ({ role: roleView(baseUrl(req), await identity.getRole(req.ctx, p(req).id as string)) }));
  app.patch(`${V3}/roles/:id`, async (req) => {
    const o = envelope(req.body, 'role');
    const x = await identity.updateRole(req.ctx, p(req).id as string, { name: str(o, 'name') ?? undefined, description: str(o, 'description') ?? undefined });
    return { role: roleView(baseUrl(req), x) };
  });
  app.delete(`${V3}/roles/:id`, async (req, reply) => {
    await identity.deleteRole(req.ctx, p(req).id as string);
    reply.status(204);
  });

  // ---- grants on projects and domains
  for (const [coll, key] of [
    ['projects', 'projectId'],
    ['domains', 'domainId'],
  ] as const) {
    const target = (req: FastifyRequest): GrantTarget => (key === 'projectId' ? { projectId: p(req).tid as string } : { domainId: p(req).tid as string });
    app.get(`${V3}/${coll}/:tid/users/:uid/roles`, HEAD_TOO, async (req) => {
      const b = baseUrl(req);
      const roles = await identity.listGrants(req.ctx, target(req), p(req).uid as string);
      return { roles: roles.map((r) => roleView(b, r)), links: listLinks(b, `${coll}/${p(req).tid}/users/${p(req).uid}/roles`) };
    });
    app.put(`${V3}/${coll}/:tid/users/:uid/roles/:rid`, async (req, reply) => {
      await identity.grant(req.ctx, target(req), p(req).uid as string, p(req).rid as string);
      reply.status(204);
    });
    app.get(`${V3}/${coll}/:tid/users/:uid/roles/:rid`, HEAD_TOO, async (req, reply) => {
      await identity.checkGrant(req.ctx, target(req), p(req).uid as string, p(req).rid as string);
      reply.status(204);
    });
    app.delete(`${V3}/${coll}/:tid/users/:uid/roles/:rid`, async (req, reply) => {
      await identity.revokeGrant(req.ctx, target(req), p(req).uid as string, p(req).rid as string);
      reply.status(204);
    });
  }

  // ---- role assignments
  app.get(`${V3}/role_assignments`, HEAD_TOO, async (req) => {
    const query = q(req);
    const s = (k: string) => (typeof query[k] === 'string' ? (query[k] as string) : undefined);
    const roleId = s('role.id');
    const items = await identity.listRoleAssignments(req.ctx, {
      userId: s('user.id'),
      projectId: s('scope.project.id'),
      domainId: s('scope.domain.id'),
      roleIds: roleId ? [roleId] : undefined,
    });
    const b = baseUrl(req);
    const names = 'include_names' in query && query.include_names !== 'false' && query.include_names !== '0';
    const nameOf = names ? await identity.assignmentNames() : null;
    return {
      role_assignments: items.map((a) => {
        const scope = a.projectId
          ? { project: { id: a.projectId, ...(nameOf ? nameOf.project(a.projectId) : {}) } }
          : { domain: { id: a.domainId, ...(nameOf ? nameOf.domain(a.domainId as string) : {}) } };
        const path = a.projectId ? `projects/${a.projectId}` : `domains/${a.domainId}`;
        return {
          role: { id: a.roleId, ...(nameOf ? nameOf.role(a.roleId) : {}) },
          user: { id: a.userId, ...(nameOf ? nameOf.user(a.userId) : {}) },
          scope,
          links: { assignment: `${b}/identity/v3/${path}/users/${a.userId}/roles/${a.roleId}` },
        };
      }),
      links: listLinks(b, 'role_assignments'),
    };
  });
}
