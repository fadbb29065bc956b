/**
 * Volume types: CRUD, extra specs, private-type access and per-project default types (3.62). A type
 * name is unique through a store claim, so two concurrent creates cannot both win. The built-in
 * `__DEFAULT__` type exists from the first start and cannot be deleted. Pure: imports only core.
 */
import { Conflict, InvalidInput, NotFound } from '../errors.js';
import type { RequestContext } from '../identity/context.js';
import type { DefaultType, Volume, VolumeType } from '../model/volume.js';
import type { IdGenerator } from '../ports/crypto.js';
import type { ResourceStore, ResourceTx, StoredResource } from '../ports/resource-store.js';
import { DEFAULT_TYPE_NAME, KIND, authorizeVolume, badRequest, typeNotFound, validateMetadata } from './common.js';

const NAME_CLAIMS = 'volume_type_name';
const GLOBAL = '';

export interface TypeInput {
  name?: string;
  description?: string | null;
  isPublic?: boolean;
  extraSpecs?: Record<string, string>;
}

export function checkTypeName(name: unknown): string {
  if (typeof name !== 'string' || name.trim().length === 0) throw badRequest('Volume type name can not be empty.');
  if (name.length > 255) throw badRequest('Invalid input for field/attribute name. Value must be at most 255 characters.');
  return name.trim();
}

export class VolumeTypeService {
  constructor(
    private readonly store: ResourceStore,
    private readonly ids: IdGenerator,
  ) {}

  /** Creates `__DEFAULT__` if missing; idempotent, safe with several processes (the name claim). */
  async ensureDefault(): Promise<StoredResource<VolumeType>> {
    return this.store.transaction(async (tx) => {
      const existing = await this.byName(tx, DEFAULT_TYPE_NAME);
      if (existing) return existing;
      const id = this.ids.uuid();
      if (!(await tx.claim(NAME_CLAIMS, DEFAULT_TYPE_NAME, id))) throw new Conflict('default type is being created', 'VolumeTypeExists');
      return tx.insert<VolumeType>(KIND.type, { id, projectId: GLOBAL, data: { name: DEFAULT_TYPE_NAME, description: 'Default Volume Type', isPublic: true, extraSpecs: {}, qosSpecsId: null, projects: [] } });
    });
  }

  async byName(tx: ResourceTx, name: string): Promise<StoredResource<VolumeType> | undefined> {
    const claims = await tx.listClaims(NAME_CLAIMS);
    const c = claims.find((x) => x.key === name);
    return c ? tx.get<VolumeType>(KIND.type, c.owner) : undefined;
  }

  canSee(ctx: RequestContext, t: VolumeType): boolean {
    return ctx.isAdmin || t.isPublic || (ctx.projectId !== null && t.projects.includes(ctx.projectId));
  }

  /** The type a volume gets when none is named: the project's default (3.62), else __DEFAULT__. */
  async defaultFor(tx: ResourceTx, projectId: string): Promise<StoredResource<VolumeType>> {
    const d = await tx.get<DefaultType>(KIND.defaultType, projectId);
    if (d) {
      const t = await tx.get<VolumeType>(KIND.type, d.data.volumeTypeId);
      if (t) return t;
    }
    const t = await this.byName(tx, DEFAULT_TYPE_NAME);
    return t ?? this.ensureDefault();
  }

  /** Finds a type by id or name, as volume create and default-type set accept either. */
  async resolve(tx: ResourceTx, ctx: RequestContext, idOrName: string): Promise<StoredResource<VolumeType>> {
    const t = (await tx.get<VolumeType>(KIND.type, idOrName)) ?? (await this.byName(tx, idOrName));
    if (!t || !this.canSee(ctx, t.data)) throw typeNotFound(idOrName);
    return t;
  }

  async list(ctx: RequestContext, isPublic?: boolean | null): Promise<StoredResource<VolumeType>[]> {
    authorizeVolume(ctx, 'type:read');
    const all = await this.store.list<VolumeType>(KIND.type);
    return all.filter((t) => {
      if (!this.canSee(ctx, t.data)) return false;
      if (ctx.isAdmin && isPublic !== undefined && isPublic !== null) return t.data.isPublic === isPublic;
      // Without is_public an admin lists every type; others see public ones and their private ones.
      return true;
    });
  }

  async get(ctx: RequestContext, id: string): Promise<StoredResource<VolumeType>> {
    authorizeVolume(ctx, 'type:read');
    if (id === 'default') return this.defaultFor(this.store, ctx.projectId ?? '');
    const t = await this.store.get<VolumeType>(KIND.type, id);
    if (!t || !this.canSee(ctx, t.data)) throw typeNotFound(id);
    return t;
  }

  async create(ctx: RequestContext, input: TypeInput): Promise<StoredResource<VolumeType>> {
    authorizeVolume(ctx, 'type:manage');
    const name = checkTypeName(input.name);
    const extraSpecs = input.extraSpecs === undefined ? {} : validateMetadata(input.extraSpecs, 'extra_specs');
    return this.store.transaction(async (tx) => {
      const id = this.ids.uuid();
      if (!(await tx.claim(NAME_CLAIMS, name, id))) throw new Conflict(`Volume Type ${name} already exists.`, 'VolumeTypeExists');
      return tx.insert<VolumeType>(KIND.type, {
        id,
        projectId: GLOBAL,
        data: { name, description: input.description ?? null, isPublic: input.isPublic ?? true, extraSpecs, qosSpecsId: null, projects: [] },
      });
    });
  }

  async update(ctx: RequestContext, id: string, input: TypeInput): Promise<StoredResource<VolumeType>> {
    authorizeVolume(ctx, 'type:manage');
    if (input.name === undefined && input.description === undefined && input.isPublic === undefined) {
      throw badRequest('Specify volume type name, description, is_public or a combination thereof.');
    }
    return this.store.transaction(async (tx) => {
      const t = await tx.getForUpdate<VolumeType>(KIND.type, id);
      if (!t) throw typeNotFound(id);
      const data = { ...t.data };
      if (input.name !== undefined) {
        const name = checkTypeName(input.name);
        if (t.data.name === DEFAULT_TYPE_NAME && name !== DEFAULT_TYPE_NAME) throw badRequest('The default volume type cannot be renamed.');
        if (name !== t.data.name) {
          if (!(await tx.claim(NAME_CLAIMS, name, id))) throw new Conflict(`Volume Type ${name} already exists.`, 'VolumeTypeExists');
          await tx.release(NAME_CLAIMS, t.data.name);
          data.name = name;
        }
      }
      if (input.description !== undefined) data.description = input.description;
      if (input.isPublic !== undefined) data.isPublic = input.isPublic;
      return tx.update<VolumeType>(KIND.type, id, data);
    });
  }

  async delete(ctx: RequestContext, id: string): Promise<void> {
    authorizeVolume(ctx, 'type:manage');
    await this.store.transaction(async (tx) => {
      const t = await tx.getForUpdate<VolumeType>(KIND.type, id);
      if (!t) throw typeNotFound(id);
      if (t.data.name === DEFAULT_TYPE_NAME) throw badRequest('Default volume type can not be deleted.');
      const volumes = await tx.list<Volume>(KIND.volume);
      if (volumes.some((v) => v.data.volumeTypeId === id)) throw new InvalidInput('Target volume type is still in use.', 'VolumeTypeInUse');
      const defaults = await tx.list<DefaultType>(KIND.defaultType);
      if (defaults.some((d) => d.data.volumeTypeId === id)) throw badRequest('Volume type is the default of a project; unset it first.');
      await tx.release(NAME_CLAIMS, t.data.name);
      await tx.delete(KIND.type, id);
    });
  }

  // ---- extra specs
  async setExtraSpecs(ctx: RequestContext, id: string, specs: Record<string, string>): Promise<Record<string, string>> {
    authorizeVolume(ctx, 'type:manage');
    const valid = validateMetadata(specs, 'extra_specs');
    if (Object.keys(valid).length === 0) throw badRequest('Invalid input received: extra_specs must not be empty.');
    return this.store.transaction(async (tx) => {
      const t = await tx.getForUpdate<VolumeType>(KIND.type, id);
      if (!t) throw typeNotFound(id);
      await tx.update<VolumeType>(KIND.type, id, { ...t.data, extraSpecs: { ...t.data.extraSpecs, ...valid } });
      return valid;
    });
  }

  async getExtraSpecs(ctx: RequestContext, id: string): Promise<Record<string, string>> {
    return (await this.get(ctx, id)).data.extraSpecs;
  }

  async getExtraSpec(ctx: RequestContext, id: string, key: string): Promise<string> {
    const specs = await this.getExtraSpecs(ctx, id);
    if (!(key in specs)) throw new NotFound(`Volume Type ${id} has no extra specs with key ${key}.`, 'VolumeTypeExtraSpecsNotFound');
    return specs[key] as string;
  }

  async deleteExtraSpec(ctx: RequestContext, id: string, key: string): Promise<void> {
    authorizeVolume(ctx, 'type:manage');
    await this.store.transaction(async (tx) => {
      const t = await tx.getForUpdate<VolumeType>(KIND.type, id);
      if (!t) throw typeNotFound(id);
      if (!(key in t.data.extraSpecs)) throw new NotFound(`Volume Type ${id} has no extra specs with key ${key}.`, 'VolumeTypeExtraSpecsNotFound');
      const extraSpecs = { ...t.data.extraSpecs };
      delete extraSpecs[key];
      await tx.update<VolumeType>(KIND.type, id, { ...t.data, extraSpecs });
    });
  }

  // ---- access to private types
  async listAccess(ctx: RequestContext, id: string): Promise<string[]> {
    authorizeVolume(ctx, 'type:manage');
    const t = await this.store.get<VolumeType>(KIND.type, id);
    if (!t) throw typeNotFound(id);
    if (t.data.isPublic) throw new NotFound(`Volume type access not found for ${id}.`, 'VolumeTypeAccessNotFound');
    return t.data.projects;
  }

  async changeAccess(ctx: RequestContext, id: string, projectId: string, add: boolean): Promise<void> {
    authorizeVolume(ctx, 'type:manage');
    await this.store.transaction(async (tx) => {
      const t = await tx.getForUpdate<VolumeType>(KIND.type, id);
      if (!t) throw typeNotFound(id);
      if (t.data.isPublic) throw badRequest('Invalid volume type: Type access modification is not applicable to public volume type.');
      const has = t.data.projects.includes(projectId);
      if (add && has) throw new Conflict(`Volume type access for ${id} / ${projectId} combination already exists.`, 'VolumeTypeAccessExists');
      if (!add && !has) throw new NotFound(`Volume type access not found for ${id} / ${projectId} combination.`, 'VolumeTypeAccessNotFound');
      const projects = add ? [...t.data.projects, projectId] : t.data.projects.filter((p) => p !== projectId);
      await tx.update<VolumeType>(KIND.type, id, { ...t.data, projects });
    });
  }

  // ---- default types (3.62)
  async setDefault(ctx: RequestContext, projectId: string, typeRef: string): Promise<StoredResource<DefaultType>> {
    authorizeVolume(ctx, 'default_type:manage');
    return this.store.transaction(async (tx) => {
      const t = await this.resolve(tx, ctx, typeRef);
      const existing = await tx.getForUpdate<DefaultType>(KIND.defaultType, projectId);
      if (existing) return tx.update<DefaultType>(KIND.defaultType, projectId, { volumeTypeId: t.id });
      return tx.insert<DefaultType>(KIND.defaultType, { id: projectId, projectId, data: { volumeTypeId: t.id } });
    });
  }

  async getDefault(ctx: RequestContext, projectId: string): Promise<StoredResource<DefaultType>> {
    authorizeVolume(ctx, 'default_type:manage');
    const d = await this.store.get<DefaultType>(KIND.defaultType, projectId);
    if (!d) throw new NotFound(`Default type for project ${projectId} could not be found.`, 'VolumeTypeProjectDefaultNotFound');
    return d;
  }

  async listDefaults(ctx: RequestContext): Promise<StoredResource<DefaultType>[]> {
    authorizeVolume(ctx, 'default_type:manage');
    return this.store.list<DefaultType>(KIND.defaultType);
  }

  async unsetDefault(ctx: RequestContext, projectId: string): Promise<void> {
    authorizeVolume(ctx, 'default_type:manage');
    await this.store.delete(KIND.defaultType, projectId);
  }
}
