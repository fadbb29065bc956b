/**
 * First-start and every-start setup of identity: the default domain, the admin / member / reader roles,
 * the `admin` and `demo` projects and users, the region, and the catalog entries of the APIs this
 * process serves (their URLs are rewritten at each start, since the port may change).
 * Idempotent: a second start on the same store changes nothing but endpoint URLs.
 */
import { BUILTIN_ROLES, DEFAULT_DOMAIN_ID, type EndpointInterface, type Project, type User } from '../model/identity.js';
import type { IdGenerator, PasswordHasher } from '../ports/crypto.js';
import type { IdentityStore } from '../ports/identity-store.js';

export interface CatalogSpec {
  type: string;
  name: string;
  description: string;
  /** May contain `$(project_id)s`. */
  url: string;
}

export interface BootstrapSpec {
  region: string;
  adminPassword: string;
  demoPassword: string;
  /** Rehash the admin password even if the user exists (the operator changed it). */
  resetAdminPassword: boolean;
  services: CatalogSpec[];
}

export interface BootstrapResult {
  adminUserId: string;
  adminProjectId: string;
  demoUserId: string;
  demoProjectId: string;
}

const INTERFACES: EndpointInterface[] = ['public', 'internal', 'admin'];

export async function bootstrapIdentity(
  store: IdentityStore,
  hasher: PasswordHasher,
  ids: IdGenerator,
  spec: BootstrapSpec,
  now: () => string,
): Promise<BootstrapResult> {
  if (!(await store.getDomain(DEFAULT_DOMAIN_ID))) {
    await store.insertDomain({ id: DEFAULT_DOMAIN_ID, name: 'Default', description: 'The default domain', enabled: true });
  }
  const roleIds: Record<string, string> = {};
  for (const name of BUILTIN_ROLES) {
    let r = await store.findRoleByName(name, null);
    if (!r) {
      r = { id: ids.hex(), name, domainId: null, description: '' };
      await store.insertRole(r);
    }
    roleIds[name] = r.id;
  }
  const ensureProject = async (name: string, description: string): Promise<Project> => {
    const found = await store.findProjectByName(DEFAULT_DOMAIN_ID, name);
    if (found) return found;
    const p: Project = { id: ids.hex(), name, domainId: DEFAULT_DOMAIN_ID, description, enabled: true, isDomain: false, parentId: DEFAULT_DOMAIN_ID, tags: [] };
    await store.insertProject(p);
    return p;
  };
  const admin = await ensureProject('admin', 'Bootstrap project for administrators');
  const demo = await ensureProject('demo', 'A project for a member user to try things in');
  await ensureProject('service', 'Service users');

  const ensureUser = async (name: string, password: string, projectId: string, reset: boolean): Promise<User> => {
    const found = await store.findUserByName(DEFAULT_DOMAIN_ID, name);
    if (found && !reset) return found;
    const hash = await hasher.hash(password);
    if (found) {
      const u = { ...found, passwordHash: hash, passwordChangedAt: now() };
      await store.updateUser(u);
      return u;
    }
    const u: User = {
      id: ids.hex(),
      name,
      domainId: DEFAULT_DOMAIN_ID,
      enabled: true,
      email: null,
      description: null,
      defaultProjectId: projectId,
      passwordHash: hash,
      passwordChangedAt: now(),
    };
    await store.insertUser(u);
    return u;
  };
  const adminUser = await ensureUser('admin', spec.adminPassword, admin.id, spec.resetAdminPassword);
  const demoUser = await ensureUser('demo', spec.demoPassword, demo.id, false);
  await store.grant({ userId: adminUser.id, roleId: roleIds.admin as string, projectId: admin.id, domainId: null });
  await store.grant({ userId: adminUser.id, roleId: roleIds.admin as string, projectId: null, domainId: DEFAULT_DOMAIN_ID });
  await store.grant({ userId: demoUser.id, roleId: roleIds.member as string, projectId: demo.id, domainId: null });

  if (!(await store.getRegion(spec.region))) await store.insertRegion({ id: spec.region, description: '', parentRegionId: null });
  await syncCatalog(store, ids, spec.region, spec.services);
  return { adminUserId: adminUser.id, adminProjectId: admin.id, demoUserId: demoUser.id, demoProjectId: demo.id };
}

/** Creates or re-points the endpoints of the built-in services; services an operator added are untouched. */
async function syncCatalog(store: IdentityStore, ids: IdGenerator, region: string, specs: CatalogSpec[]): Promise<void> {
  const services = await store.listServices();
  const endpoints = await store.listEndpoints();
  for (const s of specs) {
    let svc = services.find((x) => x.type === s.type && x.name === s.name);
    if (!svc) {
      svc = { id: ids.hex(), type: s.type, name: s.name, description: s.description, enabled: true };
      await store.insertService(svc);
    }
    for (const iface of INTERFACES) {
      const e = endpoints.find((x) => x.serviceId === svc.id && x.interface === iface && x.regionId === region);
      if (!e) await store.insertEndpoint({ id: ids.hex(), serviceId: svc.id, interface: iface, url: s.url, regionId: region, enabled: true });
      else if (e.url !== s.url) await store.updateEndpoint({ ...e, url: s.url });
    }
  }
}
