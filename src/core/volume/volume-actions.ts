/**
 * Volume actions (POST /volumes/{id}/action) other than the attach handshake: extend, revert to a
 * snapshot, reset status, bootable and read-only flags, reserve/unreserve, begin/roll detaching,
 * retype, upload to an image and the image metadata a volume carries (os-set/unset/show_image_metadata).
 * Each is one compare-and-swap move from states.ts; extend, revert and upload also enqueue their long
 * part for the worker. Pure: imports only core.
 */
import type { RequestContext } from '../identity/context.js';
import { IMAGE_KIND, type DiskFormat, type Image } from '../model/image.js';
import { GiB, type Attachment, type Snapshot, type Volume, type VolumeStatus, type VolumeType } from '../model/volume.js';
import type { ResourceTx, StoredResource } from '../ports/resource-store.js';
import { conditionalUpdate } from './conditional-update.js';
import { NotFound } from '../errors.js';
import { KIND, authorizeVolume, badRequest, invalidInput, invalidSnapshot, invalidVolume, loadScoped, snapshotNotFound, validateMetadata, volumeNotFound } from './common.js';
import { enqueue } from './operation-service.js';
import { ATTACH_STATUSES, VOLUME_MOVES, VOLUME_STATUSES, canMove, type Move } from './states.js';
import { parseBool, parseSize, type VolumeServiceDeps } from './volume-service.js';

export interface UploadImageInput {
  imageName?: unknown;
  diskFormat?: unknown;
  containerFormat?: unknown;
  force?: unknown;
  visibility?: unknown;
  protected?: unknown;
}

export class VolumeActions {
  constructor(
    private readonly d: VolumeServiceDeps,
    /** Whether in-use volumes may be extended (3.42, and the driver can). */
    private readonly canExtendInUse: boolean,
  ) {}

  /** One state move on a volume the caller may act on. */
  private async move(ctx: RequestContext, id: string, move: Move<VolumeStatus>, action = 'volume:action', extra: (v: Volume) => Partial<Volume> = () => ({}), tx?: ResourceTx): Promise<StoredResource<Volume>> {
    const run = async (t: ResourceTx) => {
      const row = await loadScoped<Volume>(t, ctx, KIND.volume, id, volumeNotFound);
      authorizeVolume(ctx, action, row.projectId);
      return conditionalUpdate<Volume>(t, KIND.volume, id, {
        notFound: () => volumeNotFound(id),
        check: (r) => {
          if (!canMove(move, r.data.status)) throw invalidVolume(`Volume ${id} status must be ${move.from.join(' or ')}, but current status is: ${r.data.status}.`);
        },
        apply: (r) => ({ ...r.data, status: move.to, ...extra(r.data) }),
      });
    };
    return tx ? run(tx) : this.d.store.transaction(run);
  }

  async extend(ctx: RequestContext, id: string, newSizeIn: unknown, microversionAllowsInUse: boolean): Promise<void> {
    const newSize = parseSize(newSizeIn, 'new_size');
    await this.d.store.transaction(async (tx) => {
      const row = await loadScoped<Volume>(tx, ctx, KIND.volume, id, volumeNotFound);
      authorizeVolume(ctx, 'volume:action', row.projectId);
      const inUse = row.data.status === 'in-use';
      if (inUse && !(microversionAllowsInUse && this.canExtendInUse)) {
        throw invalidVolume(`Volume ${id} status must be available to extend, but current status is: ${row.data.status}.`);
      }
      if (newSize <= row.data.size) throw invalidInput(`New size for extend must be greater than current size. (current: ${row.data.size}, extended: ${newSize}).`);
      const type = await tx.get<VolumeType>(KIND.type, row.data.volumeTypeId);
      await this.d.quotas.check(tx, row.projectId, { gigabytes: newSize - row.data.size, typeName: type?.data.name }, newSize);
      const move = inUse ? VOLUME_MOVES.extendInUse : VOLUME_MOVES.extend;
      await this.move(ctx, id, move, 'volume:action', () => ({}), tx);
      await enqueue(tx, this.d.ids, row.projectId, ctx.requestId, { type: 'extend', volumeId: id, sizeBytes: newSize * GiB, toStatus: move.done }, ctx.userId);
    });
    this.d.kick();
  }

  /** Revert to the volume's latest snapshot (3.40); the snapshot must be available and of the same size. */
  async revert(ctx: RequestContext, id: string, snapshotId: unknown): Promise<void> {
    if (typeof snapshotId !== 'string') throw badRequest("Invalid input for field/attribute snapshot_id. 'snapshot_id' is a required property");
    await this.d.store.transaction(async (tx) => {
      const row = await loadScoped<Volume>(tx, ctx, KIND.volume, id, volumeNotFound);
      authorizeVolume(ctx, 'volume:action', row.projectId);
      const snap = await loadScoped<Snapshot>(tx, ctx, KIND.snapshot, snapshotId, snapshotNotFound);
      if (snap.data.volumeId !== id) throw invalidInput(`Snapshot ${snapshotId} is not a snapshot of volume ${id}.`);
      const all = await tx.list<Snapshot>(KIND.snapshot, { parentId: id });
      const latest = all.reduce<StoredResource<Snapshot> | undefined>((best, s) => (!best || s.data.createdMs >= best.data.createdMs ? s : best), undefined);
      if (!latest || latest.id !== snapshotId) throw invalidSnapshot(`Snapshot ${snapshotId} is not the latest one of volume ${id}.`);
      if (snap.data.status !== 'available') throw invalidSnapshot(`Snapshot ${snapshotId} status must be available, but is ${snap.data.status}.`);
      if (snap.data.size !== row.data.size) throw invalidInput(`Volume ${id} size ${row.data.size}GB and snapshot size ${snap.data.size}GB differ; extend or restore to a new volume instead.`);
      await this.move(ctx, id, VOLUME_MOVES.revert, 'volume:action', () => ({}), tx);
      await tx.update<Snapshot>(KIND.snapshot, snap.id, { ...snap.data, status: 'restoring' });
      await enqueue(tx, this.d.ids, row.projectId, ctx.requestId, { type: 'revert', volumeId: id, snapshotId });
    });
    this.d.kick();
  }

  async resetStatus(ctx: RequestContext, id: string, body: Record<string, unknown>): Promise<void> {
    const { status, attach_status: attachStatus, migration_status: migrationStatus } = body;
    if (status === undefined && attachStatus === undefined && migrationStatus === undefined) throw badRequest('Must specify status, attach_status or migration_status.');
    if (status !== undefined && !VOLUME_STATUSES.includes(String(status).toLowerCase() as VolumeStatus)) throw invalidInput(`Must specify a valid status: ${String(status)}.`);
    if (attachStatus !== undefined && !ATTACH_STATUSES.includes(String(attachStatus) as Attachment['status'])) throw invalidInput(`Must specify a valid attach status: ${String(attachStatus)}.`);
    await this.d.store.transaction(async (tx) => {
      const row = await loadScoped<Volume>(tx, ctx, KIND.volume, id, volumeNotFound);
      authorizeVolume(ctx, 'volume:reset_status', row.projectId);
      await conditionalUpdate<Volume>(tx, KIND.volume, id, {
        notFound: () => volumeNotFound(id),
        check: () => undefined,
        apply: (r) => ({
          ...r.data,
          ...(status !== undefined ? { status: String(status).toLowerCase() as VolumeStatus } : {}),
          ...(attachStatus !== undefined ? { attachStatus: String(attachStatus) as Volume['attachStatus'] } : {}),
          ...(migrationStatus !== undefined ? { migrationStatus: migrationStatus === 'none' || migrationStatus === null ? null : String(migrationStatus) } : {}),
        }),
      });
      // An operator resetting a volume out of a transitional status also ends the operation behind it.
      if (status !== undefined) {
        for (const op of await tx.list<{ job: { volumeId?: string } }>(KIND.operation)) {
          if (op.data.job.volumeId === id) await tx.delete(KIND.operation, op.id);
        }
      }
    });
  }

  async setBootable(ctx: RequestContext, id: string, bootable: unknown): Promise<void> {
    const b = parseBool(bootable, 'bootable');
    // Cinder sets the flag in any status: it describes the content, not the attachment.
    await this.flag(ctx, id, () => ({ bootable: b }));
  }

  async setReadonly(ctx: RequestContext, id: string, readonly: unknown): Promise<void> {
    if (readonly === undefined) throw badRequest("Invalid input for field/attribute readonly. 'readonly' is a required property");
    const b = parseBool(readonly, 'readonly');
    await this.flag(ctx, id, () => ({ readonly: b, readonlySet: true }));
  }

  private async flag(ctx: RequestContext, id: string, change: (v: Volume) => Partial<Volume>): Promise<void> {
    await this.d.store.transaction(async (tx) => {
      const row = await loadScoped<Volume>(tx, ctx, KIND.volume, id, volumeNotFound);
      authorizeVolume(ctx, 'volume:update', row.projectId);
      let patch: Partial<Volume> = {};
      await conditionalUpdate<Volume>(tx, KIND.volume, id, {
        notFound: () => volumeNotFound(id),
        check: (r) => {
          patch = change(r.data);
        },
        apply: (r) => ({ ...r.data, ...patch }),
      });
    });
  }

  async reserve(ctx: RequestContext, id: string): Promise<void> {
    await this.d.store.transaction(async (tx) => {
      const row = await loadScoped<Volume>(tx, ctx, KIND.volume, id, volumeNotFound);
      // os-reserve is the legacy attach's first step: the volume goes to attaching (the attachment
      // API's reservation is a different move, to reserved). Only a multiattach volume may be
      // reserved while in use.
      const move = row.data.multiattach ? VOLUME_MOVES.legacyReserve : { ...VOLUME_MOVES.legacyReserve, from: ['available'] as const };
      await this.move(ctx, id, move, 'volume:action', () => ({}), tx);
    });
  }

  async unreserve(ctx: RequestContext, id: string): Promise<void> {
    await this.d.store.transaction(async (tx) => {
      const row = await loadScoped<Volume>(tx, ctx, KIND.volume, id, volumeNotFound);
      // Cinder's unreserve of a volume that is not being attached is a no-op.
      if (row.data.status !== 'attaching' && row.data.status !== 'reserved') return;
      const atts = (await tx.list<Attachment>(KIND.attachment, { parentId: id })).filter((a) => a.data.status === 'attached');
      await this.move(ctx, id, { from: ['attaching', 'reserved'], to: atts.length ? 'in-use' : 'available' }, 'volume:action', () => ({}), tx);
    });
  }

  async beginDetaching(ctx: RequestContext, id: string): Promise<void> {
    await this.move(ctx, id, VOLUME_MOVES.beginDetach);
  }

  async rollDetaching(ctx: RequestContext, id: string): Promise<void> {
    await this.d.store.transaction(async (tx) => {
      const row = await loadScoped<Volume>(tx, ctx, KIND.volume, id, volumeNotFound);
      if (row.data.status !== 'detaching') return; // Cinder: only a detaching volume rolls back; otherwise nothing
      await this.move(ctx, id, VOLUME_MOVES.rollDetach, 'volume:action', () => ({}), tx);
    });
  }

  /** Retype without migration: one backend, so only the type (and its quota) changes. */
  async retype(ctx: RequestContext, id: string, newType: unknown): Promise<void> {
    if (typeof newType !== 'string' || newType === '') throw badRequest('New volume type must be specified.');
    await this.d.store.transaction(async (tx) => {
      const row = await loadScoped<Volume>(tx, ctx, KIND.volume, id, volumeNotFound);
      const t = await this.d.types.resolve(tx, ctx, newType);
      if (t.id === row.data.volumeTypeId) throw invalidInput('Retype requires a different volume type.');
      await this.d.quotas.check(tx, row.projectId, { volumes: 1, gigabytes: row.data.size, typeName: t.data.name });
      const keep = row.data.status;
      await this.move(ctx, id, { from: ['available', 'in-use'], to: keep }, 'volume:action', () => ({ volumeTypeId: t.id }), tx);
    });
  }

  /** os-set_image_metadata: merges keys into the image metadata the volume carries (volume_image_metadata). */
  async setImageMetadata(ctx: RequestContext, id: string, body: unknown): Promise<Record<string, string>> {
    const raw = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>)['metadata'] : undefined;
    if (raw === undefined) throw badRequest("Invalid input for field/attribute metadata. 'metadata' is a required property");
    const meta = validateMetadata(raw, 'image metadata');
    return this.updateImageMetadata(ctx, id, (current) => ({ ...current, ...meta }));
  }

  /** os-unset_image_metadata: removes one key; a key the volume does not carry is 404 as in Cinder. */
  async unsetImageMetadata(ctx: RequestContext, id: string, key: unknown): Promise<void> {
    if (typeof key !== 'string' || key === '') throw badRequest('Need a key to unset in the image metadata.');
    await this.updateImageMetadata(ctx, id, (current) => {
      if (!(key in current)) throw new NotFound(`Glance metadata for volume ${id} has no key ${key}.`, 'GlanceMetadataNotFound');
      const next = { ...current };
      delete next[key];
      return next;
    });
  }

  /**
   * The volume's image metadata moved by compare-and-swap: `change` maps the current keys to the new
   * ones (and may throw to refuse), after the owner's update right and the maintenance check.
   */
  private updateImageMetadata(
    ctx: RequestContext,
    id: string,
    change: (current: Record<string, string>) => Record<string, string>,
  ): Promise<Record<string, string>> {
    return this.d.store.transaction(async (tx) => {
      const row = await loadScoped<Volume>(tx, ctx, KIND.volume, id, volumeNotFound);
      authorizeVolume(ctx, 'volume:update', row.projectId);
      const updated = await conditionalUpdate<Volume>(tx, KIND.volume, id, {
        notFound: () => volumeNotFound(id),
        check: (r) => {
          if (r.data.status === 'maintenance') throw invalidVolume(`Volume ${id} is in maintenance.`);
        },
        apply: (r) => ({ ...r.data, imageMetadata: change(r.data.imageMetadata) }),
      });
      return updated.data.imageMetadata;
    });
  }

  async showImageMetadata(ctx: RequestContext, id: string): Promise<Record<string, string>> {
    const row = await loadScoped<Volume>(this.d.store, ctx, KIND.volume, id, volumeNotFound);
    authorizeVolume(ctx, 'volume:get', row.projectId);
    return row.data.imageMetadata;
  }

  /** os-volume_upload_image: a new image (saving) filled from the volume by the worker. */
  async uploadImage(ctx: RequestContext, id: string, input: UploadImageInput): Promise<{ volume: StoredResource<Volume>; image: StoredResource<Image> }> {
    if (typeof input.imageName !== 'string' || input.imageName === '') throw badRequest("Invalid input for field/attribute image_name. 'image_name' is a required property");
    const diskFormat = (input.diskFormat ?? 'raw') as DiskFormat;
    if (diskFormat !== 'raw' && diskFormat !== 'qcow2') throw invalidInput(`Invalid disk-format '${String(input.diskFormat)}' specified; only raw and qcow2 are supported.`);
    const force = input.force === undefined ? false : parseBool(input.force, 'force');
    const out = await this.d.store.transaction(async (tx) => {
      const row = await loadScoped<Volume>(tx, ctx, KIND.volume, id, volumeNotFound);
      if (row.data.status === 'in-use' && !force) throw invalidVolume(`Volume ${id} status must be available, but current status is: in-use.`);
      const imageId = this.d.ids.uuid();
      const image = await tx.insert<Image>(IMAGE_KIND, {
        id: imageId,
        projectId: row.projectId,
        data: {
          name: input.imageName as string, status: 'saving', diskFormat, containerFormat: typeof input.containerFormat === 'string' ? input.containerFormat : 'bare',
          visibility: input.visibility === 'public' ? 'public' : input.visibility === 'shared' ? 'shared' : input.visibility === 'community' ? 'community' : 'private',
          protected: input.protected === undefined ? false : parseBool(input.protected, 'protected'), minDisk: row.data.size, minRam: 0,
          size: null, virtualSize: null, checksum: null, osHashAlgo: null, osHashValue: null, tags: [], properties: {},
        },
      });
      const before = row.data.status;
      const volume = await this.move(ctx, id, VOLUME_MOVES.uploadImage, 'volume:action', () => ({}), tx);
      await enqueue(tx, this.d.ids, row.projectId, ctx.requestId, { type: 'upload_image', volumeId: id, imageId, toStatus: before, diskFormat });
      return { volume, image };
    });
    this.d.kick();
    return out;
  }
}
