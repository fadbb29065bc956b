/**
 * Generic volume groups (3.13) and group snapshots (3.14): a group names a group type and the volume
 * types its volumes may have; volumes join at create (`group_id`) or by update; a group snapshot
 * snapshots every member in one transaction (one worker job each) and becomes available when the
 * last member snapshot does (operation-service settles that). Groups carry no backend state of their
 * own, so creating, updating and resetting them is synchronous. Pure: imports only core.
 */
import type { RequestContext } from '../identity/context.js';
import type { GroupSnapshot, GroupSnapshotStatus, GroupStatus, GroupType, Snapshot, Volume, VolumeGroup, VolumeType } from '../model/volume.js';
import type { ResourceTx, StoredResource } from '../ports/resource-store.js';
import {
  AVAILABILITY_ZONE,
  KIND,
  authorizeVolume,
  badRequest,
  groupNotFound,
  groupSnapshotNotFound,
  groupTypeNotFound,
  invalidInput,
  loadScoped,
} from './common.js';
import { enqueue } from './operation-service.js';
import { SNAPSHOT_MOVES, VOLUME_MOVES, canMove } from './states.js';
import { optionalText, parseBool, type VolumeService, type VolumeServiceDeps } from './volume-service.js';

const GROUP_STATUSES: readonly GroupStatus[] = ['creating', 'available', 'updating', 'deleting', 'error', 'error_deleting', 'in-use'];
const GROUP_SNAPSHOT_STATUSES: readonly GroupSnapshotStatus[] = ['creating', 'available', 'deleting', 'error', 'error_deleting'];
const invalidGroup = (reason: string) => badRequest(`Invalid group: ${reason}`);

export interface CreateGroupInput {
  name?: unknown;
  description?: unknown;
  groupType?: unknown;
  volumeTypes?: unknown;
  availabilityZone?: unknown;
}

/** Cinder takes add_volumes / remove_volumes as one comma-separated string of ids. */
function idList(v: unknown, field: string): string[] {
  if (v === undefined || v === null || v === '') return [];
  if (typeof v !== 'string') throw badRequest(`Invalid input for field/attribute ${field}.`);
  return v.split(',').map((s) => s.trim()).filter(Boolean);
}

export class GroupService {
  constructor(
    private readonly d: VolumeServiceDeps,
    private readonly volumes: VolumeService,
  ) {}

  async create(ctx: RequestContext, input: CreateGroupInput): Promise<StoredResource<VolumeGroup>> {
    authorizeVolume(ctx, 'group:write');
    const projectId = ctx.projectId;
    if (!projectId) throw badRequest('A project-scoped token is required to create a group.');
    const name = optionalText(input.name, 'name') ?? null;
    const description = optionalText(input.description, 'description') ?? null;
    if (typeof input.groupType !== 'string') throw badRequest("Invalid input for field/attribute group_type. 'group_type' is a required property");
    const groupTypeRef = input.groupType;
    if (!Array.isArray(input.volumeTypes) || input.volumeTypes.length === 0 || input.volumeTypes.some((t) => typeof t !== 'string')) {
      throw badRequest("Invalid input for field/attribute volume_types. 'volume_types' is a required property");
    }
    const typeRefs = input.volumeTypes as string[];
    if (input.availabilityZone !== undefined && input.availabilityZone !== null && input.availabilityZone !== AVAILABILITY_ZONE) {
      throw invalidInput(`Availability zone '${String(input.availabilityZone)}' is invalid.`);
    }
    return this.d.store.transaction(async (tx) => {
      const gt = await this.groupType(tx, ctx, groupTypeRef);
      const volumeTypeIds: string[] = [];
      for (const ref of typeRefs) volumeTypeIds.push((await this.d.types.resolve(tx, ctx, ref)).id);
      await this.d.quotas.check(tx, projectId, {});
      return tx.insert<VolumeGroup>(KIND.group, {
        id: this.d.ids.uuid(),
        projectId,
        data: { name, description, status: 'available', groupTypeId: gt.id, volumeTypeIds, availabilityZone: AVAILABILITY_ZONE, groupSnapshotId: null, sourceGroupId: null },
      });
    });
  }

  /**
   * create-from-src (3.14): a new group of the source's types whose volumes are clones of the source
   * group's volumes, or of a group snapshot's snapshots. The group is available at once; its volumes
   * go through the usual creating → available.
   */
  async createFromSource(ctx: RequestContext, input: { name?: unknown; description?: unknown; sourceGroupId?: unknown; groupSnapshotId?: unknown }): Promise<StoredResource<VolumeGroup>> {
    authorizeVolume(ctx, 'group:write');
    const hasGroup = typeof input.sourceGroupId === 'string';
    const hasSnap = typeof input.groupSnapshotId === 'string';
    if (hasGroup === hasSnap) throw badRequest('Either source_group_id or group_snapshot_id must be provided, but not both.');
    const name = optionalText(input.name, 'name') ?? null;
    const description = optionalText(input.description, 'description') ?? null;
    const { group, sources } = await this.d.store.transaction(async (tx) => {
      let src: StoredResource<VolumeGroup>;
      let sources: Array<{ size: number; typeId: string; sourceVolId?: string; snapshotId?: string }>;
      if (hasGroup) {
        src = await loadScoped<VolumeGroup>(tx, ctx, KIND.group, input.sourceGroupId as string, groupNotFound);
        if (src.data.status !== 'available') throw invalidGroup(`Source group ${src.id} status must be available.`);
        sources = (await this.members(tx, src.id)).map((v) => ({ size: v.data.size, typeId: v.data.volumeTypeId, sourceVolId: v.id }));
      } else {
        const gs = await loadScoped<GroupSnapshot>(tx, ctx, KIND.groupSnapshot, input.groupSnapshotId as string, groupSnapshotNotFound);
        if (gs.data.status !== 'available') throw badRequest(`Invalid GroupSnapshot: group snapshot ${gs.id} status must be available.`);
        src = await loadScoped<VolumeGroup>(tx, ctx, KIND.group, gs.data.groupId, groupNotFound);
        const snaps = await this.snapshotsOf(tx, gs.projectId, gs.id);
        sources = [];
        for (const s of snaps) {
          const v = await tx.get<Volume>(KIND.volume, s.data.volumeId);
          sources.push({ size: s.data.size, typeId: v?.data.volumeTypeId ?? src.data.volumeTypeIds[0] ?? '', snapshotId: s.id });
        }
      }
      const group = await tx.insert<VolumeGroup>(KIND.group, {
        id: this.d.ids.uuid(),
        projectId: src.projectId,
        data: {
          name, description, status: 'available', groupTypeId: src.data.groupTypeId, volumeTypeIds: [...src.data.volumeTypeIds], availabilityZone: AVAILABILITY_ZONE,
          groupSnapshotId: hasSnap ? (input.groupSnapshotId as string) : null, sourceGroupId: hasGroup ? src.id : null,
        },
      });
      return { group, sources };
    });
    for (const s of sources) {
      await this.volumes.create(ctx, { size: s.size, volumeType: s.typeId, sourceVolId: s.sourceVolId, snapshotId: s.snapshotId, groupId: group.id });
    }
    return group;
  }

  async get(ctx: RequestContext, id: string): Promise<StoredResource<VolumeGroup>> {
    const g = await loadScoped<VolumeGroup>(this.d.store, ctx, KIND.group, id, groupNotFound);
    authorizeVolume(ctx, 'group:get', g.projectId);
    return g;
  }

  async list(ctx: RequestContext, allTenants: boolean): Promise<StoredResource<VolumeGroup>[]> {
    authorizeVolume(ctx, 'volume:get_all');
    if (ctx.isAdmin && allTenants) return this.d.store.list<VolumeGroup>(KIND.group);
    return this.d.store.list<VolumeGroup>(KIND.group, { projectId: ctx.projectId ?? '' });
  }

  /** Ids of the group's volumes (the `volumes` attribute from 3.25). */
  async memberIds(groupId: string, projectId: string): Promise<string[]> {
    return (await this.d.store.list<Volume>(KIND.volume, { projectId })).filter((v) => v.data.groupId === groupId).map((v) => v.id);
  }

  async update(ctx: RequestContext, id: string, input: { name?: unknown; description?: unknown; addVolumes?: unknown; removeVolumes?: unknown }): Promise<void> {
    const name = optionalText(input.name, 'name');
    const description = optionalText(input.description, 'description');
    const add = idList(input.addVolumes, 'add_volumes');
    const remove = idList(input.removeVolumes, 'remove_volumes');
    if (name === undefined && description === undefined && add.length === 0 && remove.length === 0) {
      throw badRequest('Name, description, add_volumes, and remove_volumes can not be all empty in the request body.');
    }
    await this.d.store.transaction(async (tx) => {
      const g = await loadScoped<VolumeGroup>(tx, ctx, KIND.group, id, groupNotFound);
      authorizeVolume(ctx, 'group:write', g.projectId);
      const cur = await tx.getForUpdate<VolumeGroup>(KIND.group, id);
      if (!cur || (cur.data.status !== 'available' && cur.data.status !== 'in-use')) throw invalidGroup(`Group ${id} status must be available or in-use, but current status is: ${cur?.data.status}.`);
      for (const vid of add) {
        const v = await tx.getForUpdate<Volume>(KIND.volume, vid);
        if (!v || v.projectId !== g.projectId) throw invalidVolume(`Cannot add volume ${vid} to group ${id} because volume cannot be found.`);
        if (v.data.groupId && v.data.groupId !== id) throw invalidVolume(`Cannot add volume ${vid} to group ${id} because it is already in group ${v.data.groupId}.`);
        if (!cur.data.volumeTypeIds.includes(v.data.volumeTypeId)) throw invalidVolume(`Cannot add volume ${vid} to group ${id} because volume type ${v.data.volumeTypeId} is not supported by the group.`);
        if (v.data.status !== 'available' && v.data.status !== 'in-use') throw invalidVolume(`Cannot add volume ${vid} to group ${id} because volume is in an invalid state: ${v.data.status}.`);
        await tx.update<Volume>(KIND.volume, vid, { ...v.data, groupId: id });
      }
      for (const vid of remove) {
        const v = await tx.getForUpdate<Volume>(KIND.volume, vid);
        if (!v || v.data.groupId !== id) throw invalidVolume(`Cannot remove volume ${vid} from group ${id} because it is not in the group.`);
        if (v.data.status !== 'available' && v.data.status !== 'in-use' && v.data.status !== 'error') throw invalidVolume(`Cannot remove volume ${vid} from group ${id} because volume is in an invalid state: ${v.data.status}.`);
        await tx.update<Volume>(KIND.volume, vid, { ...v.data, groupId: null });
      }
      await tx.update<VolumeGroup>(KIND.group, id, {
        ...cur.data,
        ...(name !== undefined ? { name } : {}),
        ...(description !== undefined ? { description } : {}),
      });
    });
  }

  /** The `delete` action: with `delete-volumes`, the members are deleted too (each by its own job). */
  async delete(ctx: RequestContext, id: string, deleteVolumes: unknown): Promise<void> {
    const withVolumes = deleteVolumes === undefined || deleteVolumes === null ? false : parseBool(deleteVolumes, 'delete-volumes');
    await this.d.store.transaction(async (tx) => {
      const g = await loadScoped<VolumeGroup>(tx, ctx, KIND.group, id, groupNotFound);
      authorizeVolume(ctx, 'group:write', g.projectId);
      if (!['available', 'error', 'error_deleting', 'in-use'].includes(g.data.status)) throw invalidGroup(`Group status must be available or error, but current status is: ${g.data.status}.`);
      if ((await tx.list<GroupSnapshot>(KIND.groupSnapshot, { projectId: g.projectId })).some((s) => s.data.groupId === id)) {
        throw invalidGroup(`Group ${id} has group snapshots; delete them first.`);
      }
      const members = await this.members(tx, id);
      if (members.length > 0 && !withVolumes) throw invalidGroup(`Group ${id} still contains volumes. The delete-volumes flag is required to delete it.`);
      for (const v of members) {
        if (!canMove(VOLUME_MOVES.delete, v.data.status) || v.data.attachStatus !== 'detached') throw invalidGroup(`Volume ${v.id} in group ${id} is attached or in state ${v.data.status}.`);
        if ((await tx.count(KIND.snapshot, { parentId: v.id })) > 0) throw invalidGroup(`Volume ${v.id} in group ${id} has snapshots.`);
      }
      for (const v of members) {
        await tx.update<Volume>(KIND.volume, v.id, { ...v.data, status: VOLUME_MOVES.delete.to });
        await enqueue(tx, this.d.ids, v.projectId, ctx.requestId, { type: 'delete', volumeId: v.id, snapshotIds: [] });
        await tx.recordChange(KIND.volume, v.id, 'update');
      }
      await tx.delete(KIND.group, id);
    });
    this.d.kick();
  }

  async resetStatus(ctx: RequestContext, id: string, status: unknown): Promise<void> {
    if (typeof status !== 'string' || !GROUP_STATUSES.includes(status as GroupStatus)) throw invalidInput(`Must specify a valid status: ${String(status)}.`);
    await this.d.store.transaction(async (tx) => {
      const g = await loadScoped<VolumeGroup>(tx, ctx, KIND.group, id, groupNotFound);
      authorizeVolume(ctx, 'group:reset_status', g.projectId);
      await tx.update<VolumeGroup>(KIND.group, id, { ...g.data, status: status as GroupStatus }, { expectRevision: g.revision });
    });
  }

  // ---- group snapshots

  async createSnapshot(ctx: RequestContext, input: { groupId?: unknown; name?: unknown; description?: unknown }): Promise<StoredResource<GroupSnapshot>> {
    if (typeof input.groupId !== 'string') throw badRequest("Invalid input for field/attribute group_id. 'group_id' is a required property");
    const groupId = input.groupId;
    const name = optionalText(input.name, 'name') ?? null;
    const description = optionalText(input.description, 'description') ?? null;
    const row = await this.d.store.transaction(async (tx) => {
      const g = await loadScoped<VolumeGroup>(tx, ctx, KIND.group, groupId, groupNotFound);
      authorizeVolume(ctx, 'group:write', g.projectId);
      if (g.data.status !== 'available' && g.data.status !== 'in-use') throw invalidGroup(`Group ${groupId} status must be available or in-use.`);
      const members = await this.members(tx, groupId);
      for (const v of members) {
        if (v.data.status !== 'available' && v.data.status !== 'in-use') throw invalidGroup(`Volume ${v.id} in group ${groupId} is in state ${v.data.status}.`);
      }
      const gb = members.reduce((n, v) => n + v.data.size, 0);
      await this.d.quotas.check(tx, g.projectId, { snapshots: members.length, gigabytes: gb });
      const id = this.d.ids.uuid();
      const gs = await tx.insert<GroupSnapshot>(KIND.groupSnapshot, {
        id,
        projectId: g.projectId,
        data: { name, description, status: members.length === 0 ? 'available' : 'creating', groupId, groupTypeId: g.data.groupTypeId },
      });
      for (const v of members) {
        const sid = this.d.ids.uuid();
        await tx.insert<Snapshot>(KIND.snapshot, {
          id: sid,
          projectId: v.projectId,
          parentId: v.id,
          data: {
            name: `group-snapshot-${id}`, description: null, status: SNAPSHOT_MOVES.create.to, volumeId: v.id, size: v.data.size, userId: ctx.userId,
            metadata: {}, progress: '0%', createdMs: this.d.clock.now(), groupSnapshotId: id,
          },
        });
        await enqueue(tx, this.d.ids, v.projectId, ctx.requestId, { type: 'snapshot', volumeId: v.id, snapshotId: sid });
      }
      return gs;
    });
    this.d.kick();
    return row;
  }

  async getSnapshot(ctx: RequestContext, id: string): Promise<StoredResource<GroupSnapshot>> {
    const gs = await loadScoped<GroupSnapshot>(this.d.store, ctx, KIND.groupSnapshot, id, groupSnapshotNotFound);
    authorizeVolume(ctx, 'group:get', gs.projectId);
    return gs;
  }

  async listSnapshots(ctx: RequestContext, allTenants: boolean): Promise<StoredResource<GroupSnapshot>[]> {
    authorizeVolume(ctx, 'volume:get_all');
    if (ctx.isAdmin && allTenants) return this.d.store.list<GroupSnapshot>(KIND.groupSnapshot);
    return this.d.store.list<GroupSnapshot>(KIND.groupSnapshot, { projectId: ctx.projectId ?? '' });
  }

  /** Deletes the member snapshots (one job each); the group snapshot goes when the last one does. */
  async deleteSnapshot(ctx: RequestContext, id: string): Promise<void> {
    await this.d.store.transaction(async (tx) => {
      const gs = await loadScoped<GroupSnapshot>(tx, ctx, KIND.groupSnapshot, id, groupSnapshotNotFound);
      authorizeVolume(ctx, 'group:write', gs.projectId);
      if (!['available', 'error', 'error_deleting'].includes(gs.data.status)) throw badRequest(`Invalid GroupSnapshot: group snapshot status must be available or error, but is ${gs.data.status}.`);
      if ((await tx.list<VolumeGroup>(KIND.group, { projectId: gs.projectId })).some((g) => g.data.groupSnapshotId === id && g.data.status === 'creating')) {
        throw badRequest('Invalid GroupSnapshot: a group is being created from it.');
      }
      const snaps = await this.snapshotsOf(tx, gs.projectId, id);
      if (snaps.length === 0) {
        await tx.delete(KIND.groupSnapshot, id);
        return;
      }
      await tx.update<GroupSnapshot>(KIND.groupSnapshot, id, { ...gs.data, status: 'deleting' }, { expectRevision: gs.revision });
      for (const s of snaps) {
        if (s.data.status === 'deleting') continue;
        await tx.update<Snapshot>(KIND.snapshot, s.id, { ...s.data, status: SNAPSHOT_MOVES.forceDelete.to });
        await enqueue(tx, this.d.ids, s.projectId, ctx.requestId, { type: 'delete_snapshot', snapshotId: s.id });
      }
    });
    this.d.kick();
  }

  async resetSnapshotStatus(ctx: RequestContext, id: string, status: unknown): Promise<void> {
    if (typeof status !== 'string' || !GROUP_SNAPSHOT_STATUSES.includes(status as GroupSnapshotStatus)) throw invalidInput(`Must specify a valid status: ${String(status)}.`);
    await this.d.store.transaction(async (tx) => {
      const gs = await loadScoped<GroupSnapshot>(tx, ctx, KIND.groupSnapshot, id, groupSnapshotNotFound);
      authorizeVolume(ctx, 'group:reset_status', gs.projectId);
      await tx.update<GroupSnapshot>(KIND.groupSnapshot, id, { ...gs.data, status: status as GroupSnapshotStatus }, { expectRevision: gs.revision });
    });
  }

  private async members(tx: ResourceTx, groupId: string): Promise<StoredResource<Volume>[]> {
    return (await tx.list<Volume>(KIND.volume)).filter((v) => v.data.groupId === groupId);
  }

  private async snapshotsOf(tx: ResourceTx, projectId: string, groupSnapshotId: string): Promise<StoredResource<Snapshot>[]> {
    return (await tx.list<Snapshot>(KIND.snapshot, { projectId })).filter((s) => s.data.groupSnapshotId === groupSnapshotId);
  }

  private async groupType(tx: ResourceTx, ctx: RequestContext, ref: string): Promise<StoredResource<GroupType>> {
    const byId = await tx.get<GroupType>(KIND.groupType, ref);
    const t = byId ?? (await tx.list<GroupType>(KIND.groupType)).find((x) => x.data.name === ref);
    if (!t || (!ctx.isAdmin && !t.data.isPublic)) throw groupTypeNotFound(ref);
    return t;
  }
}

const invalidVolume = (reason: string) => badRequest(`Invalid volume: ${reason}`);
