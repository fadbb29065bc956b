/**
 * Volumes: create (blank, from a snapshot, a volume or an image), show, list, update, metadata and
 * delete (with cascade). Each write is one store transaction that moves the state by compare-and-swap
 * and, for long work, enqueues a leased operation for the worker; the driver is never called here.
 * Pure: imports only core.
 */
import type { RequestContext } from '../identity/context.js';
import type { Backup } from '../model/backup.js';
import { IMAGE_KIND, type Image } from '../model/image.js';
import { GiB, type Snapshot, type Volume, type VolumeJob, type VolumeType } from '../model/volume.js';
import type { Clock } from '../ports/clock.js';
import type { IdGenerator } from '../ports/crypto.js';
import type { ResourceStore, ResourceTx, StoredResource } from '../ports/resource-store.js';
import { NotFound } from '../errors.js';
import {
  AVAILABILITY_ZONE,
  KIND,
  authorizeVolume,
  badRequest,
  invalidInput,
  invalidSnapshot,
  invalidVolume,
  loadScoped,
  snapshotNotFound,
  validateMetadata,
  volumeNotFound,
} from './common.js';
import { unmetCapability } from './backend-filter.js';
import { reserveBackupForVolume } from './backup-reserve.js';
import { conditionalUpdate } from './conditional-update.js';
import { checkGroupForVolume } from './group-check.js';
import { enqueue } from './operation-service.js';
import type { QuotaService } from './quota-service.js';
import { SNAPSHOT_TRANSITIONAL, VOLUME_MOVES, canMove } from './states.js';
import type { VolumeTypeService } from './type-service.js';

export interface VolumeServiceDeps {
  store: ResourceStore;
  ids: IdGenerator;
  clock: Clock;
  types: VolumeTypeService;
  quotas: QuotaService;
  /** Wakes the worker after a commit that enqueued a job. */
  kick(): void;
}

export interface CreateVolumeInput {
  size?: unknown;
  name?: unknown;
  description?: unknown;
  metadata?: unknown;
  volumeType?: unknown;
  availabilityZone?: unknown;
  snapshotId?: unknown;
  sourceVolId?: unknown;
  imageRef?: unknown;
  multiattach?: unknown;
  backupId?: unknown;
  /** A generic volume group to join (3.13). */
  groupId?: unknown;
}

export interface UpdateVolumeInput {
  name?: unknown;
  description?: unknown;
  metadata?: unknown;
}

export function optionalText(v: unknown, field: string, max = 255): string | null | undefined {
  if (v === undefined) return undefined;
  if (v === null) return null;
  if (typeof v !== 'string') throw badRequest(`Invalid input for field/attribute ${field}. Value: ${String(v)}. ${typeof v} is not of type 'string'`);
  if (v.length > max) throw badRequest(`Invalid input for field/attribute ${field}. Value: ${v}. '${v}' is too long`);
  return v;
}

/** A positive integer size in GiB; Cinder accepts digit strings too. */
export function parseSize(v: unknown, field = 'size'): number {
  const n = typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n <= 0 || n > 2147483647) {
    throw badRequest(`Invalid input for field/attribute ${field}. Value: ${String(v)}. ${String(v)} is not a positive integer`);
  }
  return n;
}

export function parseBool(v: unknown, field: string): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (['true', 't', '1', 'yes', 'y', 'on'].includes(s)) return true;
    if (['false', 'f', '0', 'no', 'n', 'off'].includes(s)) return false;
  }
  throw badRequest(`Invalid input for field/attribute ${field}. Value: ${String(v)}. ${JSON.stringify(v)} is not a valid boolean`);
}

export class VolumeService {
  constructor(private readonly d: VolumeServiceDeps) {}

  async create(ctx: RequestContext, input: CreateVolumeInput): Promise<StoredResource<Volume>> {
    authorizeVolume(ctx, 'volume:create');
    const projectId = ctx.projectId;
    if (!projectId) throw badRequest('A project-scoped token is required to create a volume.');
    const name = optionalText(input.name, 'name') ?? null;
    const description = optionalText(input.description, 'description') ?? null;
    const metadata = input.metadata === undefined || input.metadata === null ? {} : validateMetadata(input.metadata);
    if (input.availabilityZone !== undefined && input.availabilityZone !== null && input.availabilityZone !== AVAILABILITY_ZONE) {
      throw invalidInput(`Availability zone '${String(input.availabilityZone)}' is invalid.`);
    }
    const multiattachAsked = input.multiattach === undefined || input.multiattach === null ? false : parseBool(input.multiattach, 'multiattach');
    const sources = [input.snapshotId, input.sourceVolId, input.imageRef, input.backupId].filter((x) => x !== undefined && x !== null);
    if (sources.length > 1) throw invalidInput('Only one of snapshot_id, source_volid, imageRef and backup_id may be given.');
    if (input.backupId !== undefined && input.backupId !== null && typeof input.backupId !== 'string') throw badRequest('Invalid input for field/attribute backup_id.');
    let size = input.size === undefined || input.size === null ? undefined : parseSize(input.size);

    const row = await this.d.store.transaction(async (tx) => {
      let typeRow: StoredResource<VolumeType> | undefined;
      if (input.volumeType !== undefined && input.volumeType !== null) {
        if (typeof input.volumeType !== 'string') throw badRequest('Invalid input for field/attribute volume_type.');
        typeRow = await this.d.types.resolve(tx, ctx, input.volumeType);
      }
      const id = this.d.ids.uuid();
      let job: VolumeJob | undefined;
      let snapshotId: string | null = null;
      let sourceVolId: string | null = null;
      let imageId: string | null = null;
      let bootable = false;
      let imageMetadata: Record<string, string> = {};
      if (input.snapshotId !== undefined && input.snapshotId !== null) {
        const snap = await loadScoped<Snapshot>(tx, ctx, KIND.snapshot, String(input.snapshotId), snapshotNotFound);
        if (snap.data.status !== 'available') throw invalidSnapshot(`Originating snapshot status must be one of 'available' values`);
        size ??= snap.data.size;
        if (size < snap.data.size) throw invalidInput(`Volume size '${size}'GB cannot be smaller than the snapshot size ${snap.data.size}GB. They must be >= original snapshot size.`);
        const src = await tx.get<Volume>(KIND.volume, snap.data.volumeId);
        typeRow ??= src ? await tx.get<VolumeType>(KIND.type, src.data.volumeTypeId) : undefined;
        bootable = src?.data.bootable ?? false;
        imageMetadata = src?.data.imageMetadata ?? {};
        snapshotId = snap.id;
        job = { type: 'clone' as const, volumeId: id, sourceId: snap.id, sizeBytes: size * GiB };
      } else if (input.sourceVolId !== undefined && input.sourceVolId !== null) {
        const src = await loadScoped<Volume>(tx, ctx, KIND.volume, String(input.sourceVolId), volumeNotFound);
        if (src.data.status !== 'available' && src.data.status !== 'in-use') throw invalidVolume(`Source volume status must be available or in-use, but is ${src.data.status}.`);
        size ??= src.data.size;
        if (size < src.data.size) throw invalidInput(`Volume size '${size}'GB cannot be smaller than original volume size ${src.data.size}GB. They must be >= original volume size.`);
        typeRow ??= await tx.get<VolumeType>(KIND.type, src.data.volumeTypeId);
        bootable = src.data.bootable;
        imageMetadata = src.data.imageMetadata;
        sourceVolId = src.id;
        job = { type: 'clone' as const, volumeId: id, sourceId: src.id, sizeBytes: size * GiB };
      } else if (input.imageRef !== undefined && input.imageRef !== null) {
        const img = await tx.get<Image>(IMAGE_KIND, String(input.imageRef));
        if (!img || (img.data.visibility === 'private' && img.projectId !== projectId && !ctx.isAdmin)) {
          throw new NotFound(`Image ${String(input.imageRef)} could not be found.`, 'ImageNotFound');
        }
        if (img.data.status !== 'active') throw invalidInput(`Image ${img.id} is not active.`);
        const needed = Math.max(1, Math.ceil((img.data.virtualSize ?? img.data.size ?? 0) / GiB), img.data.minDisk);
        size ??= needed;
        if (size < needed) throw invalidInput(`Image ${img.id} requires ${needed}GB, larger than the volume size ${size}GB.`);
        // The image may name the type its volumes get (cinder_img_volume_type) when the request names
        // none; a name that matches no type falls back to the default, as Cinder does.
        const imageType = img.data.properties['cinder_img_volume_type'];
        if (!typeRow && imageType) typeRow = await this.d.types.resolve(tx, ctx, imageType).catch((e: unknown) => (e instanceof NotFound ? undefined : Promise.reject(e)));
        imageId = img.id;
        // Cinder copies the image's properties with its core fields into the volume's image metadata.
        imageMetadata = { ...img.data.properties, image_id: img.id, image_name: img.data.name ?? '', disk_format: img.data.diskFormat ?? '', container_format: img.data.containerFormat ?? '', checksum: img.data.checksum ?? '', size: String(img.data.size ?? 0), min_disk: String(img.data.minDisk), min_ram: String(img.data.minRam) };
        job = { type: 'create_from_image' as const, volumeId: id, imageId: img.id, sizeBytes: size * GiB };
      } else if (typeof input.backupId === 'string') {
        // 3.47: the new volume is restored from the backup (several volumes may restore one backup at once).
        const backup = await reserveBackupForVolume(tx, ctx, input.backupId);
        size ??= backup.data.size;
        if (size < backup.data.size) throw invalidInput(`Volume size ${size}GB cannot be smaller than the backup size ${backup.data.size}GB.`);
        job = { type: 'restore_backup', backupId: backup.id, dataId: backup.data.dataId, targetVolumeId: id, createSizeBytes: size * GiB };
      }
      if (size === undefined) throw invalidInput('"size" is a required parameter.');
      job ??= { type: 'create' as const, volumeId: id, sizeBytes: size * GiB };
      typeRow ??= await this.d.types.defaultFor(tx, projectId);
      let groupId: string | null = null;
      if (input.groupId !== undefined && input.groupId !== null) {
        if (typeof input.groupId !== 'string') throw badRequest('Invalid input for field/attribute group_id.');
        await checkGroupForVolume(tx, ctx, input.groupId, typeRow);
        groupId = input.groupId;
      }
      if (await tx.get(KIND.encryption, typeRow.id)) throw invalidInput(`Volume type ${typeRow.data.name} is encrypted; PocketStack does not encrypt volumes.`);
      const unmet = unmetCapability(typeRow.data.extraSpecs);
      if (unmet && (job.type === 'create' || job.type === 'clone' || job.type === 'create_from_image')) job = { ...job, unschedulable: 'Could not find any available weighted backend.' };
      const multiattach = multiattachAsked || /^<is>\s*true$/i.test(typeRow.data.extraSpecs['multiattach'] ?? '');
      await this.d.quotas.check(tx, projectId, { volumes: 1, gigabytes: size, typeName: typeRow.data.name }, size);
      const created = await tx.insert<Volume>(KIND.volume, {
        id,
        projectId,
        data: {
          name, description, status: VOLUME_MOVES.create.to, size, availabilityZone: AVAILABILITY_ZONE, bootable, readonly: false, multiattach,
          volumeTypeId: typeRow.id, snapshotId, sourceVolId, imageId, userId: ctx.userId, metadata, imageMetadata, migrationStatus: null, attachStatus: 'detached', groupId,
        },
      });
      await enqueue(tx, this.d.ids, projectId, ctx.requestId, job);
      await tx.recordChange(KIND.volume, id, 'create');
      return created;
    });
    this.d.kick();
    return row;
  }

  async get(ctx: RequestContext, id: string): Promise<StoredResource<Volume>> {
    const row = await loadScoped<Volume>(this.d.store, ctx, KIND.volume, id, volumeNotFound);
    authorizeVolume(ctx, 'volume:get', row.projectId);
    return row;
  }

  /** Volumes of the caller's project; an admin may ask for every project's (all_tenants) or one project's. */
  async list(ctx: RequestContext, opts: { allTenants?: boolean; projectId?: string } = {}): Promise<StoredResource<Volume>[]> {
    authorizeVolume(ctx, 'volume:get_all');
    if (ctx.isAdmin && opts.allTenants) {
      return opts.projectId ? this.d.store.list<Volume>(KIND.volume, { projectId: opts.projectId }) : this.d.store.list<Volume>(KIND.volume);
    }
    authorizeVolume(ctx, 'volume:get', ctx.projectId);
    return this.d.store.list<Volume>(KIND.volume, { projectId: ctx.projectId ?? '' });
  }

  async update(ctx: RequestContext, id: string, input: UpdateVolumeInput): Promise<StoredResource<Volume>> {
    const name = optionalText(input.name, 'name');
    const description = optionalText(input.description, 'description');
    const metadata = input.metadata === undefined ? undefined : validateMetadata(input.metadata);
    return this.d.store.transaction(async (tx) => {
      const row = await loadScoped<Volume>(tx, ctx, KIND.volume, id, volumeNotFound);
      authorizeVolume(ctx, 'volume:update', row.projectId);
      return conditionalUpdate<Volume>(tx, KIND.volume, id, {
        notFound: () => volumeNotFound(id),
        check: () => undefined,
        apply: (r) => ({
          ...r.data,
          ...(name !== undefined ? { name } : {}),
          ...(description !== undefined ? { description } : {}),
          ...(metadata !== undefined ? { metadata } : {}),
        }),
      });
    });
  }

  /** Metadata writes: `replace` swaps the whole dict (PUT), otherwise keys merge in (POST, PUT key). */
  async setMetadata(ctx: RequestContext, id: string, metadata: unknown, replace: boolean): Promise<Record<string, string>> {
    const meta = validateMetadata(metadata);
    return this.d.store.transaction(async (tx) => {
      const row = await loadScoped<Volume>(tx, ctx, KIND.volume, id, volumeNotFound);
      authorizeVolume(ctx, 'volume:update', row.projectId);
      const updated = await conditionalUpdate<Volume>(tx, KIND.volume, id, {
        notFound: () => volumeNotFound(id),
        check: (r) => {
          if (r.data.status === 'maintenance') throw invalidVolume('Volume is in maintenance.');
        },
        apply: (r) => ({ ...r.data, metadata: replace ? meta : { ...r.data.metadata, ...meta } }),
      });
      return updated.data.metadata;
    });
  }

  async deleteMetadataKey(ctx: RequestContext, id: string, key: string): Promise<void> {
    await this.d.store.transaction(async (tx) => {
      const row = await loadScoped<Volume>(tx, ctx, KIND.volume, id, volumeNotFound);
      authorizeVolume(ctx, 'volume:update', row.projectId);
      if (!(key in row.data.metadata)) throw new NotFound(`Volume ${id} has no metadata with key ${key}.`, 'VolumeMetadataNotFound');
      await conditionalUpdate<Volume>(tx, KIND.volume, id, {
        notFound: () => volumeNotFound(id),
        check: () => undefined,
        apply: (r) => {
          const metadata = { ...r.data.metadata };
          delete metadata[key];
          return { ...r.data, metadata };
        },
      });
    });
  }

  /**
   * Moves the volume (and with `cascade` its snapshots) to deleting and enqueues the delete. `force`
   * (admin, os-force_delete or ?force=true) accepts any status and attached volumes.
   */
  async delete(ctx: RequestContext, id: string, opts: { cascade?: boolean; force?: boolean } = {}): Promise<void> {
    await this.d.store.transaction(async (tx) => {
      const row = await loadScoped<Volume>(tx, ctx, KIND.volume, id, volumeNotFound);
      authorizeVolume(ctx, opts.force ? 'volume:force_delete' : 'volume:delete', row.projectId);
      const move = opts.force ? VOLUME_MOVES.forceDelete : VOLUME_MOVES.delete;
      const snapshots = await tx.list<Snapshot>(KIND.snapshot, { parentId: id });
      await conditionalUpdate<Volume>(tx, KIND.volume, id, {
        notFound: () => volumeNotFound(id),
        check: (r) => {
          const s = r.data;
          if (!canMove(move, s.status) || (!opts.force && s.attachStatus !== 'detached') || s.migrationStatus) {
            throw invalidVolume(
              'Volume status must be available or error or error_restoring or error_extending or error_managing and must not be migrating, attached, belong to a group, have snapshots, awaiting a transfer, or be disassociated from snapshots after volume transfer.',
            );
          }
          if (snapshots.length > 0 && !opts.cascade) throw invalidVolume(`Volume ${id} still has ${snapshots.length} dependent snapshots.`);
          if (snapshots.some((sn) => (SNAPSHOT_TRANSITIONAL as readonly string[]).includes(sn.data.status) && sn.data.status !== 'deleting')) {
            throw invalidVolume('Snapshot of volume is in a transitional state and cannot be deleted now.');
          }
        },
        apply: (r) => ({ ...r.data, status: move.to }),
      });
      for (const s of snapshots) await tx.update<Snapshot>(KIND.snapshot, s.id, { ...s.data, status: 'deleting' });
      // Backups outlive their volume, but the driver snapshots kept as incremental bases go with it.
      const baseRefs: string[] = [];
      for (const b of await tx.list<Backup>(KIND.backup)) {
        if (b.data.volumeId !== id || !b.data.baseRef) continue;
        baseRefs.push(b.data.baseRef);
        await tx.update<Backup>(KIND.backup, b.id, { ...b.data, baseRef: null });
      }
      await enqueue(tx, this.d.ids, row.projectId, ctx.requestId, { type: 'delete', volumeId: id, snapshotIds: [...snapshots.map((s) => s.id), ...baseRefs] });
      await tx.recordChange(KIND.volume, id, 'update');
    });
    this.d.kick();
  }

  async typeOf(tx: ResourceTx, v: Volume): Promise<StoredResource<VolumeType> | undefined> {
    return tx.get<VolumeType>(KIND.type, v.volumeTypeId);
  }
}
