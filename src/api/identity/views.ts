/**
 * Keystone v3 views: domain objects to wire JSON (snake_case, `links`). No secrets are ever rendered.
 */
import type { TokenInfo } from '../../core/identity/auth-service.js';
import type { CatalogEntry } from '../../core/identity/catalog-service.js';
import type { CatalogService, Domain, Endpoint, Project, Region, Role, User } from '../../core/model/identity.js';

export const self = (base: string, coll: string, id: string) => ({ self: `${base}/identity/v3/${coll}/${id}` });

/** Keystone's timestamp shape: microseconds and a Z. */
export const keystoneTime = (ms: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

export const domainView = (b: string, d: Domain) => ({
  id: d.id,
  name: d.name,
  description: d.description,
  enabled: d.enabled,
  tags: [],
  options: {},
  links: self(b, 'domains', d.id),
});

export const projectView = (b: string, p: Project) => ({
  id: p.id,
  name: p.name,
  domain_id: p.domainId,
  description: p.description,
  enabled: p.enabled,
  is_domain: p.isDomain,
  parent_id: p.parentId,
  tags: p.tags,
  options: {},
  links: self(b, 'projects', p.id),
});

export const userView = (b: string, u: User) => ({
  id: u.id,
  name: u.name,
  domain_id: u.domainId,
  enabled: u.enabled,
  ...(u.email !== null ? { email: u.email } : {}),
  ...(u.description !== null ? { description: u.description } : {}),
  ...(u.defaultProjectId !== null ? { default_project_id: u.defaultProjectId } : {}),
  password_expires_at: null,
  options: {},
  links: self(b, 'users', u.id),
});

export const roleView = (b: string, r: Role) => ({
  id: r.id,
  name: r.name,
  domain_id: r.domainId,
  description: r.description,
  options: {},
  links: self(b, 'roles', r.id),
});

export const regionView = (b: string, r: Region) => ({
  id: r.id,
  description: r.description,
  parent_region_id: r.parentRegionId,
  links: self(b, 'regions', r.id),
});

export const serviceView = (b: string, s: CatalogService) => ({
  id: s.id,
  type: s.type,
  name: s.name,
  description: s.description,
  enabled: s.enabled,
  links: self(b, 'services', s.id),
});

export const endpointView = (b: string, e: Endpoint) => ({
  id: e.id,
  service_id: e.serviceId,
  interface: e.interface,
  url: e.url,
  region_id: e.regionId,
  region: e.regionId,
  enabled: e.enabled,
  links: self(b, 'endpoints', e.id),
});

export const catalogView = (entries: CatalogEntry[]) =>
  entries.map(({ service, endpoints }) => ({
    id: service.id,
    type: service.type,
    name: service.name,
    endpoints: endpoints.map((e) => ({ id: e.id, interface: e.interface, region: e.regionId, region_id: e.regionId, url: e.url })),
  }));

export function tokenView(info: TokenInfo, catalog: CatalogEntry[] | null) {
  const t = info.payload;
  const body: Record<string, unknown> = {
    methods: t.methods,
    user: {
      id: info.user.id,
      name: info.user.name,
      domain: { id: info.userDomain.id, name: info.userDomain.name },
      password_expires_at: null,
    },
    audit_ids: t.auditIds,
    issued_at: keystoneTime(t.issuedAt),
    expires_at: keystoneTime(t.expiresAt),
  };
  if (info.project && info.projectDomain) {
    body.project = { id: info.project.id, name: info.project.name, domain: { id: info.projectDomain.id, name: info.projectDomain.name } };
    body.is_domain = false;
  }
  if (info.domain) body.domain = { id: info.domain.id, name: info.domain.name };
  if (info.project || info.domain) body.roles = info.roles.map((r) => ({ id: r.id, name: r.name }));
  if (catalog) body.catalog = catalogView(catalog);
  return { token: body };
}

export const listLinks = (b: string, path: string) => ({ self: `${b}/identity/v3/${path}`, previous: null, next: null });
