/**
 * The service catalog: regions, services and endpoints, and the catalog a token carries.
 */
import { InvalidInput, NotFound } from '../errors.js';
import type { CatalogService, Endpoint, EndpointInterface, Region } from '../model/identity.js';
import type { IdGenerator } from '../ports/crypto.js';
import type { IdentityStore } from '../ports/identity-store.js';
import type { RequestContext } from './context.js';
import { identityPolicy } from './identity-policy.js';
import { authorize } from './policy.js';

export interface CatalogEntry {
  service: CatalogService;
  endpoints: Endpoint[];
}

const INTERFACES: readonly EndpointInterface[] = ['public', 'internal', 'admin'];

const notFound = (kind: string, id: string) => new NotFound(`Could not find ${kind}: ${id}.`, 'NotFound');

export class CatalogServiceUseCases {
  constructor(
    private readonly store: IdentityStore,
    private readonly ids: IdGenerator,
  ) {}

  /** The catalog of enabled services and endpoints, with `$(project_id)s` filled in for the scope. */
  async catalogFor(projectId: string | null): Promise<CatalogEntry[]> {
    const [services, endpoints] = await Promise.all([this.store.listServices(), this.store.listEndpoints()]);
    return services
      .filter((s) => s.enabled)
      .map((service) => ({
        service,
        endpoints: endpoints
          .filter((e) => e.serviceId === service.id && e.enabled)
          .map((e) => ({ ...e, url: substituteProject(e.url, projectId) }))
          .filter((e) => !/[$%]\(project_id\)s/.test(e.url)),
      }));
  }

  // ---- regions
  async listRegions(ctx: RequestContext): Promise<Region[]> {
    authorize(identityPolicy, ctx, 'identity:list_regions');
    return this.store.listRegions();
  }
  async getRegion(ctx: RequestContext, id: string): Promise<Region> {
    authorize(identityPolicy, ctx, 'identity:get_region');
    return (await this.store.getRegion(id)) ?? throwIt(notFound('region', id));
  }
  async createRegion(ctx: RequestContext, input: Partial<Region>): Promise<Region> {
    authorize(identityPolicy, ctx, 'identity:create_region');
    const r: Region = { id: input.id ?? this.ids.hex(), description: input.description ?? '', parentRegionId: input.parentRegionId ?? null };
    if (r.parentRegionId && !(await this.store.getRegion(r.parentRegionId))) throw notFound('region', r.parentRegionId);
    await this.store.insertRegion(r);
    return r;
  }
  async updateRegion(ctx: RequestContext, id: string, input: Partial<Region>): Promise<Region> {
    authorize(identityPolicy, ctx, 'identity:update_region');
    const r = (await this.store.getRegion(id)) ?? throwIt(notFound('region', id));
    const next: Region = { ...r, description: input.description ?? r.description, parentRegionId: input.parentRegionId ?? r.parentRegionId };
    await this.store.updateRegion(next);
    return next;
  }
  async deleteRegion(ctx: RequestContext, id: string): Promise<void> {
    authorize(identityPolicy, ctx, 'identity:delete_region');
    if (!(await this.store.deleteRegion(id))) throw notFound('region', id);
  }

  // ---- services
  async listServices(ctx: RequestContext): Promise<CatalogService[]> {
    authorize(identityPolicy, ctx, 'identity:list_services');
    return this.store.listServices();
  }
  async getService(ctx: RequestContext, id: string): Promise<CatalogService> {
    authorize(identityPolicy, ctx, 'identity:get_service');
    return (await this.store.getService(id)) ?? throwIt(notFound('service', id));
  }
  async createService(ctx: RequestContext, input: Partial<CatalogService>): Promise<CatalogService> {
    authorize(identityPolicy, ctx, 'identity:create_service');
    if (typeof input.type !== 'string' || input.type === '') throw new InvalidInput("Invalid input for field 'type': a service needs a type.", 'ValidationError');
    const s: CatalogService = { id: this.ids.hex(), type: input.type, name: input.name ?? '', description: input.description ?? '', enabled: input.enabled ?? true };
    await this.store.insertService(s);
    return s;
  }
  async updateService(ctx: RequestContext, id: string, input: Partial<CatalogService>): Promise<CatalogService> {
    authorize(identityPolicy, ctx, 'identity:update_service');
    const s = (await this.store.getService(id)) ?? throwIt(notFound('service', id));
    const next: CatalogService = {
      ...s,
      type: input.type ?? s.type,
      name: input.name ?? s.name,
      description: input.description ?? s.description,
      enabled: input.enabled ?? s.enabled,
    };
    await this.store.updateService(next);
    return next;
  }
  async deleteService(ctx: RequestContext, id: string): Promise<void> {
    authorize(identityPolicy, ctx, 'identity:delete_service');
    if (!(await this.store.deleteService(id))) throw notFound('service', id);
  }

  // ---- endpoints
  async listEndpoints(ctx: RequestContext): Promise<Endpoint[]> {
    authorize(identityPolicy, ctx, 'identity:list_endpoints');
    return this.store.listEndpoints();
  }
  async getEndpoint(ctx: RequestContext, id: string): Promise<Endpoint> {
    authorize(identityPolicy, ctx, 'identity:get_endpoint');
    return (await this.store.getEndpoint(id)) ?? throwIt(notFound('endpoint', id));
  }
  async createEndpoint(ctx: RequestContext, input: Partial<Endpoint>): Promise<Endpoint> {
    authorize(identityPolicy, ctx, 'identity:create_endpoint');
    const e = await this.checkEndpoint({
      id: this.ids.hex(),
      serviceId: input.serviceId as string,
      interface: input.interface as EndpointInterface,
      url: input.url as string,
      regionId: input.regionId ?? null,
      enabled: input.enabled ?? true,
    });
    await this.store.insertEndpoint(e);
    return e;
  }
  async updateEndpoint(ctx: RequestContext, id: string, input: Partial<Endpoint>): Promise<Endpoint> {
    authorize(identityPolicy, ctx, 'identity:update_endpoint');
    const e = (await this.store.getEndpoint(id)) ?? throwIt(notFound('endpoint', id));
    const next = await this.checkEndpoint({
      ...e,
      serviceId: input.serviceId ?? e.serviceId,
      interface: input.interface ?? e.interface,
      url: input.url ?? e.url,
      regionId: input.regionId !== undefined ? input.regionId : e.regionId,
      enabled: input.enabled ?? e.enabled,
    });
    await this.store.updateEndpoint(next);
    return next;
  }
  async deleteEndpoint(ctx: RequestContext, id: string): Promise<void> {
    authorize(identityPolicy, ctx, 'identity:delete_endpoint');
    if (!(await this.store.deleteEndpoint(id))) throw notFound('endpoint', id);
  }

  private async checkEndpoint(e: Endpoint): Promise<Endpoint> {
    if (!INTERFACES.includes(e.interface)) throw new InvalidInput(`Invalid input for field 'interface': expected one of ${INTERFACES.join(', ')}.`, 'ValidationError');
    if (typeof e.url !== 'string' || !/^https?:\/\//.test(e.url)) throw new InvalidInput("Invalid input for field 'url': expected an http(s) URL.", 'ValidationError');
    if (typeof e.serviceId !== 'string' || !(await this.store.getService(e.serviceId))) throw notFound('service', String(e.serviceId));
    if (e.regionId && !(await this.store.getRegion(e.regionId))) throw notFound('region', e.regionId);
    return e;
  }
}

/** Keystone fills `$(project_id)s` (and the `%(…)s` spelling) in catalog URLs with the token's project. */
export function substituteProject(url: string, projectId: string | null): string {
  return projectId ? url.replace(/[$%]\(project_id\)s/g, projectId).replace(/[$%]\(tenant_id\)s/g, projectId) : url;
}

function throwIt(e: Error): never {
  throw e;
}
