/**
 * Volume snapshots: create (in-use only with force before 3.66), show, list, update, metadata, delete,
 * reset status and force delete. Snapshot rows are children of their volume (parentId), so a cascade
 * delete and the "latest snapshot" rule of revert read them in one query. Pure: imports only core.
 */
import { NotFound } from '../errors.js';
import type { RequestContext } from '../identity/context.js';
import type { Snapshot, SnapshotStatus, Volume, VolumeType } from '../model/volume.js';
import type { StoredResource } from '../ports/resource-store.js';
import { KIND, authorizeVolume, badRequest, invalidInput, invalidSnapshot, invalidVolume, loadScoped, snapshotNotFound, validateMetadata, volumeNotFound } from './common.js';
import { conditionalUpdate } from './conditional-update.js';
import { enqueue } from './operation-service.js';
import { SNAPSHOT_MOVES, SNAPSHOT_STATUSES, canMove } from './states.js';
import { optionalText, parseBool, type VolumeServiceDeps } from './volume-service.js';

/** What os-update_snapshot_status may report, by the snapshot's current status. */
const STATUS_REPORTS: Partial<Record<SnapshotStatus, readonly SnapshotStatus[]>> = {
  creating: ['creating', 'available', 'error'],
  deleting: ['deleting', 'error_deleting'],
};

export interface CreateSnapshotInput {
  volumeId?: unknown;
  name?: unknown;
  description?: unknown;
  force?: unknown;
  metadata?: unknown;
}

export class SnapshotService {
  constructor(private readonly d: VolumeServiceDeps) {}

  async create(ctx: RequestContext, input: CreateSnapshotInput, inUseAllowed: boolean): Promise<StoredResource<Snapshot>> {
    // Cinder looks the volume up before validating the rest, so a missing id is "volume None not found".
    if (typeof input.volumeId !== 'string') throw volumeNotFound(String(input.volumeId ?? 'None'));
    const volumeId = input.volumeId;
    const name = optionalText(input.name, 'name') ?? null;
    const description = optionalText(input.description, 'description') ?? null;
    const metadata = input.metadata === undefined || input.metadata === null ? {} : validateMetadata(input.metadata);
    const force = input.force === undefined || input.force === null ? undefined : parseBool(input.force, 'force');
    if (inUseAllowed && force === false) throw badRequest('Invalid value for force: from microversion 3.66 force may only be true or absent.');
    const row = await this.d.store.transaction(async (tx) => {
      const vol = await loadScoped<Volume>(tx, ctx, KIND.volume, volumeId, volumeNotFound);
      authorizeVolume(ctx, 'snapshot:create', vol.projectId);
      const okStatus = vol.data.status === 'available' || (vol.data.status === 'in-use' && (inUseAllowed || force === true));
      if (!okStatus) throw invalidVolume(`Volume ${volumeId} status must be available${vol.data.status === 'in-use' ? ' (or in-use with force)' : ''}, but current status is: ${vol.data.status}.`);
      if (vol.data.migrationStatus) throw invalidVolume('Volume is migrating.');
      const type = await tx.get<VolumeType>(KIND.type, vol.data.volumeTypeId);
      await this.d.quotas.check(tx, vol.projectId, { snapshots: 1, gigabytes: vol.data.size, typeName: type?.data.name });
      const id = this.d.ids.uuid();
      const snap = await tx.insert<Snapshot>(KIND.snapshot, {
        id,
        projectId: vol.projectId,
        parentId: volumeId,
        data: { name, description, status: SNAPSHOT_MOVES.create.to, volumeId, size: vol.data.size, userId: ctx.userId, metadata, progress: '0%', createdMs: this.d.clock.now() },
      });
      await enqueue(tx, this.d.ids, vol.projectId, ctx.requestId, { type: 'snapshot', volumeId, snapshotId: id });
      return snap;
    });
    this.d.kick();
    return row;
  }

  async get(ctx: RequestContext, id: string): Promise<StoredResource<Snapshot>> {
    const row = await loadScoped<Snapshot>(this.d.store, ctx, KIND.snapshot, id, snapshotNotFound);
    authorizeVolume(ctx, 'snapshot:get', row.projectId);
    return row;
  }

  async list(ctx: RequestContext, opts: { allTenants?: boolean; projectId?: string } = {}): Promise<StoredResource<Snapshot>[]> {
    authorizeVolume(ctx, 'volume:get_all');
    if (ctx.isAdmin && opts.allTenants) {
      return opts.projectId ? this.d.store.list<Snapshot>(KIND.snapshot, { projectId: opts.projectId }) : this.d.store.list<Snapshot>(KIND.snapshot);
    }
    return this.d.store.list<Snapshot>(KIND.snapshot, { projectId: ctx.projectId ?? '' });
  }

  async update(ctx: RequestContext, id: string, input: { name?: unknown; description?: unknown }): Promise<StoredResource<Snapshot>> {
    const name = optionalText(input.name, 'name');
    const description = optionalText(input.description, 'description');
    if (name === undefined && description === undefined) throw badRequest('Invalid input received: name or description must be given.');
    return this.d.store.transaction(async (tx) => {
      const row = await loadScoped<Snapshot>(tx, ctx, KIND.snapshot, id, snapshotNotFound);
      authorizeVolume(ctx, 'snapshot:update', row.projectId);
      return conditionalUpdate<Snapshot>(tx, KIND.snapshot, id, {
        notFound: () => snapshotNotFound(id),
        check: () => undefined,
        apply: (r) => ({ ...r.data, ...(name !== undefined ? { name } : {}), ...(description !== undefined ? { description } : {}) }),
      });
    });
  }

  async setMetadata(ctx: RequestContext, id: string, metadata: unknown, replace: boolean): Promise<Record<string, string>> {
    const meta = validateMetadata(metadata);
    return this.d.store.transaction(async (tx) => {
      const row = await loadScoped<Snapshot>(tx, ctx, KIND.snapshot, id, snapshotNotFound);
      authorizeVolume(ctx, 'snapshot:update', row.projectId);
      const updated = await conditionalUpdate<Snapshot>(tx, KIND.snapshot, id, {
        notFound: () => snapshotNotFound(id),
        check: () => undefined,
        apply: (r) => ({ ...r.data, metadata: replace ? meta : { ...r.data.metadata, ...meta } }),
      });
      return updated.data.metadata;
    });
  }

  async deleteMetadataKey(ctx: RequestContext, id: string, key: string): Promise<void> {
    await this.d.store.transaction(async (tx) => {
      const row = await loadScoped<Snapshot>(tx, ctx, KIND.snapshot, id, snapshotNotFound);
      authorizeVolume(ctx, 'snapshot:update', row.projectId);
      if (!(key in row.data.metadata)) throw new NotFound(`Snapshot ${id} has no metadata with key ${key}.`, 'SnapshotMetadataNotFound');
      const metadata = { ...row.data.metadata };
      delete metadata[key];
      await tx.update<Snapshot>(KIND.snapshot, id, { ...row.data, metadata }, { expectRevision: row.revision });
    });
  }

  async delete(ctx: RequestContext, id: string, force = false): Promise<void> {
    await this.d.store.transaction(async (tx) => {
      const row = await loadScoped<Snapshot>(tx, ctx, KIND.snapshot, id, snapshotNotFound);
      authorizeVolume(ctx, force ? 'snapshot:force_delete' : 'snapshot:delete', row.projectId);
      const move = force ? SNAPSHOT_MOVES.forceDelete : SNAPSHOT_MOVES.delete;
      await conditionalUpdate<Snapshot>(tx, KIND.snapshot, id, {
        notFound: () => snapshotNotFound(id),
        check: (r) => {
          if (!canMove(move, r.data.status)) throw invalidSnapshot(`Snapshot status must be available or error and no volume may be reverting to it, but is ${r.data.status}.`);
        },
        apply: (r) => ({ ...r.data, status: move.to }),
      });
      // A forced delete of a creating snapshot supersedes its create job.
      for (const op of await tx.list<{ job: { type: string; snapshotId?: string } }>(KIND.operation)) {
        if (op.data.job.snapshotId === id) await tx.delete(KIND.operation, op.id);
      }
      await enqueue(tx, this.d.ids, row.projectId, ctx.requestId, { type: 'delete_snapshot', snapshotId: id });
    });
    this.d.kick();
  }

  /**
   * os-update_snapshot_status: the owner reports the progress of a snapshot it drives (Cinder's
   * contract for external snapshot writers). Only a creating snapshot may become available or error,
   * and only a deleting one error_deleting; progress, when given, is stored as sent.
   */
  async updateStatus(ctx: RequestContext, id: string, status: unknown, progress: unknown): Promise<void> {
    if (typeof status !== 'string') throw invalidInput(`Must specify a valid status: ${String(status)}.`);
    if (progress !== undefined && progress !== null && typeof progress !== 'string') throw badRequest('Invalid input for field/attribute progress.');
    await this.d.store.transaction(async (tx) => {
      const row = await loadScoped<Snapshot>(tx, ctx, KIND.snapshot, id, snapshotNotFound);
      authorizeVolume(ctx, 'snapshot:update_status', row.projectId);
      await conditionalUpdate<Snapshot>(tx, KIND.snapshot, id, {
        notFound: () => snapshotNotFound(id),
        check: (r) => {
          const allowed = STATUS_REPORTS[r.data.status];
          if (!allowed) throw invalidSnapshot(`Snapshot status ${r.data.status} not allowed for update_snapshot_status`);
          if (!allowed.includes(status as SnapshotStatus)) throw invalidSnapshot(`Provided snapshot status ${status} not allowed for snapshot with status ${r.data.status}.`);
        },
        apply: (r) => ({ ...r.data, status: status as SnapshotStatus, ...(typeof progress === 'string' && progress !== '' ? { progress } : {}) }),
      });
    });
  }

  async resetStatus(ctx: RequestContext, id: string, status: unknown): Promise<void> {
    if (typeof status !== 'string' || !SNAPSHOT_STATUSES.includes(status.toLowerCase() as SnapshotStatus)) {
      throw invalidInput(`Must specify a valid status: ${String(status)}.`);
    }
    await this.d.store.transaction(async (tx) => {
      const row = await loadScoped<Snapshot>(tx, ctx, KIND.snapshot, id, snapshotNotFound);
      authorizeVolume(ctx, 'snapshot:reset_status', row.projectId);
      await tx.update<Snapshot>(KIND.snapshot, id, { ...row.data, status: status.toLowerCase() as SnapshotStatus }, { expectRevision: row.revision });
    });
  }
}
