/**
 * Group types (3.11): CRUD, public/private and free-form group specs, admin-managed. A type a group
 * uses cannot be deleted. Pure: imports only core.
 */
import { Conflict, NotFound } from '../errors.js';
import type { RequestContext } from '../identity/context.js';
import type { GroupType, VolumeGroup } from '../model/volume.js';
import type { IdGenerator } from '../ports/crypto.js';
import type { ResourceStore, StoredResource } from '../ports/resource-store.js';
import { KIND, authorizeVolume, badRequest, groupTypeNotFound, validateMetadata } from './common.js';
import { checkTypeName } from './type-service.js';
import { optionalText } from './volume-service.js';

export interface GroupTypeInput {
  name?: unknown;
  description?: unknown;
  isPublic?: boolean;
  groupSpecs?: unknown;
}

export class GroupTypeService {
  constructor(
    private readonly store: ResourceStore,
    private readonly ids: IdGenerator,
  ) {}

  async list(ctx: RequestContext, isPublic: boolean | null, sortDesc: boolean): Promise<StoredResource<GroupType>[]> {
    authorizeVolume(ctx, 'group_type:read');
    const rows = (await this.store.list<GroupType>(KIND.groupType)).filter((t) => {
      if (!ctx.isAdmin) return t.data.isPublic;
      return isPublic === null ? true : t.data.isPublic === isPublic;
    });
    rows.sort((a, b) => a.data.name.localeCompare(b.data.name) * (sortDesc ? -1 : 1));
    return rows;
  }

  async get(ctx: RequestContext, id: string): Promise<StoredResource<GroupType>> {
    authorizeVolume(ctx, 'group_type:read');
    const t = await this.store.get<GroupType>(KIND.groupType, id);
    if (!t || (!ctx.isAdmin && !t.data.isPublic)) throw groupTypeNotFound(id);
    return t;
  }

  async create(ctx: RequestContext, input: GroupTypeInput): Promise<StoredResource<GroupType>> {
    authorizeVolume(ctx, 'group_type:manage');
    const name = checkTypeName(input.name);
    const description = optionalText(input.description, 'description') ?? null;
    const groupSpecs = input.groupSpecs === undefined || input.groupSpecs === null ? {} : validateMetadata(input.groupSpecs, 'group_specs');
    return this.store.transaction(async (tx) => {
      if (!(await tx.claim('volume_group_type_name', name, name))) throw new Conflict(`Group Type with name ${name} already exists.`, 'GroupTypeExists');
      return tx.insert<GroupType>(KIND.groupType, { id: this.ids.uuid(), projectId: '', data: { name, description, isPublic: input.isPublic ?? true, groupSpecs } });
    });
  }

  async update(ctx: RequestContext, id: string, input: GroupTypeInput): Promise<StoredResource<GroupType>> {
    authorizeVolume(ctx, 'group_type:manage');
    const name = input.name === undefined ? undefined : checkTypeName(input.name);
    const description = optionalText(input.description, 'description');
    if (name === undefined && description === undefined && input.isPublic === undefined) throw badRequest('Specify group type name, description or is_public.');
    return this.store.transaction(async (tx) => {
      const t = await tx.getForUpdate<GroupType>(KIND.groupType, id);
      if (!t) throw groupTypeNotFound(id);
      if (name !== undefined && name !== t.data.name) {
        if (!(await tx.claim('volume_group_type_name', name, name))) throw new Conflict(`Group Type with name ${name} already exists.`, 'GroupTypeExists');
        await tx.release('volume_group_type_name', t.data.name);
      }
      return tx.update<GroupType>(KIND.groupType, id, {
        ...t.data,
        ...(name !== undefined ? { name } : {}),
        ...(description !== undefined ? { description } : {}),
        ...(input.isPublic !== undefined ? { isPublic: input.isPublic } : {}),
      });
    });
  }

  async delete(ctx: RequestContext, id: string): Promise<void> {
    authorizeVolume(ctx, 'group_type:manage');
    await this.store.transaction(async (tx) => {
      const t = await tx.getForUpdate<GroupType>(KIND.groupType, id);
      if (!t) throw groupTypeNotFound(id);
      if ((await tx.list<VolumeGroup>(KIND.group)).some((g) => g.data.groupTypeId === id)) throw badRequest(`Target group type with id ${id} is still in use.`);
      await tx.release('volume_group_type_name', t.data.name);
      await tx.delete(KIND.groupType, id);
    });
  }

  /** Merges specs in; answers what was written, as Cinder does. */
  async setSpecs(ctx: RequestContext, id: string, specs: unknown): Promise<Record<string, string>> {
    authorizeVolume(ctx, 'group_type:manage');
    const add = validateMetadata(specs, 'group_specs');
    await this.store.transaction(async (tx) => {
      const t = await tx.getForUpdate<GroupType>(KIND.groupType, id);
      if (!t) throw groupTypeNotFound(id);
      await tx.update<GroupType>(KIND.groupType, id, { ...t.data, groupSpecs: { ...t.data.groupSpecs, ...add } });
    });
    return add;
  }

  async getSpec(ctx: RequestContext, id: string, key: string): Promise<string> {
    const t = await this.get(ctx, id);
    const v = t.data.groupSpecs[key];
    if (v === undefined) throw new NotFound(`Group Type ${id} has no specs with key ${key}.`, 'GroupTypeSpecsNotFound');
    return v;
  }

  async deleteSpec(ctx: RequestContext, id: string, key: string): Promise<void> {
    authorizeVolume(ctx, 'group_type:manage');
    await this.store.transaction(async (tx) => {
      const t = await tx.getForUpdate<GroupType>(KIND.groupType, id);
      if (!t) throw groupTypeNotFound(id);
      if (!(key in t.data.groupSpecs)) throw new NotFound(`Group Type ${id} has no specs with key ${key}.`, 'GroupTypeSpecsNotFound');
      const groupSpecs = { ...t.data.groupSpecs };
      delete groupSpecs[key];
      await tx.update<GroupType>(KIND.groupType, id, { ...t.data, groupSpecs });
    });
  }
}
