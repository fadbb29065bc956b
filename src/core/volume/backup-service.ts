/**
 * Volume backups (Cinder's backup API): create (full or incremental, of a volume or one of its
 * snapshots), show, list, update, delete (refused while incremental backups build on it), restore
 * (into an existing volume or a new one), reset status, force delete, export and import of records.
 * Each write is one store transaction: compare-and-swap moves of the backup, its volume or snapshot
 * (states.ts), and a leased operation the volume worker runs (the bytes never pass through here).
 * A backup belongs to the project that made it, which may differ from the volume's (an admin backing
 * up a user's volume). Pure: imports only core.
 */
import type { RequestContext } from '../identity/context.js';
import type { Backup, BackupStatus } from '../model/backup.js';
import { GiB, type Snapshot, type Volume, type VolumeJob } from '../model/volume.js';
import type { ResourceTx, StoredResource } from '../ports/resource-store.js';
import { baseRefOf, hasDependents, latestBackup, ownsData } from './backup-chain.js';
import {
  AVAILABILITY_ZONE,
  KIND,
  authorizeVolume,
  backupNotFound,
  badRequest,
  invalidBackup,
  invalidInput,
  invalidSnapshot,
  invalidVolume,
  loadScoped,
  snapshotNotFound,
  validateMetadata,
  volumeNotFound,
} from './common.js';
import { conditionalUpdate } from './conditional-update.js';
import { enqueue } from './operation-service.js';
import { BACKUP_MOVES, BACKUP_STATUSES, SNAPSHOT_BACKUP, VOLUME_MOVES, canMove } from './states.js';
import { optionalText, parseBool, type VolumeServiceDeps } from './volume-service.js';
export { reserveBackupForVolume } from './backup-reserve.js';

export interface CreateBackupInput {
  volumeId?: unknown;
  name?: unknown;
  description?: unknown;
  container?: unknown;
  incremental?: unknown;
  force?: unknown;
  snapshotId?: unknown;
  metadata?: unknown;
  availabilityZone?: unknown;
}

export interface RestoreResult {
  backupId: string;
  volumeId: string;
  volumeName: string | null;
}

/** What export_record carries: enough to re-create the record against the same repository. */
export interface BackupRecord {
  id: string;
  dataId: string;
  volumeId: string;
  snapshotId: string | null;
  parentId: string | null;
  size: number;
  name: string | null;
  description: string | null;
  container: string | null;
  isIncremental: boolean;
  dataTimestamp: string;
  volumeMetadata: Record<string, string>;
  bootable: boolean;
  objectCount: number;
}

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

function optionalBool(v: unknown, field: string): boolean {
  return v === undefined || v === null ? false : parseBool(v, field);
}

export class BackupService {
  constructor(private readonly d: VolumeServiceDeps) {}

  async create(ctx: RequestContext, input: CreateBackupInput): Promise<StoredResource<Backup>> {
    authorizeVolume(ctx, 'backup:create');
    const projectId = ctx.projectId;
    if (!projectId) throw badRequest('A project-scoped token is required to create a backup.');
    if (typeof input.volumeId !== 'string' || input.volumeId === '') throw badRequest("Invalid input for field/attribute volume_id. Value: None. None is not of type 'string'");
    const volumeId = input.volumeId;
    const name = optionalText(input.name, 'name') ?? null;
    const description = optionalText(input.description, 'description') ?? null;
    const container = optionalText(input.container, 'container') ?? null;
    const incremental = optionalBool(input.incremental, 'incremental');
    const force = optionalBool(input.force, 'force');
    const metadata = input.metadata === undefined || input.metadata === null ? {} : validateMetadata(input.metadata);
    if (input.snapshotId !== undefined && input.snapshotId !== null && typeof input.snapshotId !== 'string') throw badRequest('Invalid input for field/attribute snapshot_id.');
    const snapshotId = (input.snapshotId as string | null | undefined) ?? null;
    if (input.availabilityZone !== undefined && input.availabilityZone !== null && input.availabilityZone !== AVAILABILITY_ZONE) {
      throw invalidInput(`Availability zone '${String(input.availabilityZone)}' is invalid.`);
    }
    const row = await this.d.store.transaction(async (tx) => {
      const vol = await loadScoped<Volume>(tx, ctx, KIND.volume, volumeId, volumeNotFound);
      authorizeVolume(ctx, 'backup:create', projectId);
      let snap: StoredResource<Snapshot> | undefined;
      if (snapshotId !== null) {
        snap = await loadScoped<Snapshot>(tx, ctx, KIND.snapshot, snapshotId, snapshotNotFound);
        if (snap.data.volumeId !== volumeId) throw invalidVolume(`Volume ${volumeId} is not the volume of snapshot ${snapshotId}.`);
        if (vol.data.status !== 'available' && vol.data.status !== 'in-use') {
          throw invalidVolume(`Volume to be backed up must be available or in-use, but the current status is "${vol.data.status}".`);
        }
      } else {
        if (vol.data.status === 'in-use' && !force) throw invalidVolume('Backing up an in-use volume must use the force flag.');
        if (!canMove(VOLUME_MOVES.backupInUse, vol.data.status)) {
          throw invalidVolume(`Volume to be backed up must be available or in-use, but the current status is "${vol.data.status}".`);
        }
      }
      const all = await tx.list<Backup>(KIND.backup, { projectId });
      const parent = incremental ? latestBackup(all, volumeId, projectId) : undefined;
      if (incremental && !parent) throw invalidBackup('No backups available to do an incremental backup.');
      const size = snap ? snap.data.size : vol.data.size;
      await this.d.quotas.check(tx, projectId, { backups: 1, backupGigabytes: size });

      if (snap) {
        await conditionalUpdate<Snapshot>(tx, KIND.snapshot, snap.id, {
          notFound: () => snapshotNotFound(snapshotId as string),
          check: (r) => {
            if (!canMove(SNAPSHOT_BACKUP, r.data.status)) throw invalidSnapshot(`Snapshot to be backed up must be available, but the current status is "${r.data.status}".`);
          },
          apply: (r) => ({ ...r.data, status: SNAPSHOT_BACKUP.to }),
        });
      } else {
        await conditionalUpdate<Volume>(tx, KIND.volume, volumeId, {
          notFound: () => volumeNotFound(volumeId),
          check: (r) => {
            if (!canMove(VOLUME_MOVES.backupInUse, r.data.status)) throw invalidVolume(`Volume to be backed up must be available or in-use, but the current status is "${r.data.status}".`);
          },
          apply: (r) => ({ ...r.data, status: VOLUME_MOVES.backupInUse.to, previousStatus: r.data.status }),
        });
      }
      const id = this.d.ids.uuid();
      const now = new Date(this.d.clock.now()).toISOString();
      const created = await tx.insert<Backup>(KIND.backup, {
        id,
        projectId,
        data: {
          name, description, status: BACKUP_MOVES.create.to, volumeId, snapshotId, size, objectCount: 0, container, availabilityZone: AVAILABILITY_ZONE,
          parentId: parent?.id ?? null, isIncremental: incremental, failReason: null, dataTimestamp: snap ? snap.createdAt : now, userId: ctx.userId, metadata,
          volumeMetadata: { ...vol.data.metadata }, bootable: vol.data.bootable, dataId: id, baseRef: null,
        },
      });
      await enqueue(tx, this.d.ids, projectId, ctx.requestId, {
        type: 'backup', backupId: id, sourceVolumeId: volumeId, snapshotId, parent: parent ? { dataId: parent.data.dataId, baseRef: parent.data.baseRef } : null,
      });
      return created;
    });
    this.d.kick();
    return row;
  }

  async get(ctx: RequestContext, id: string): Promise<StoredResource<Backup>> {
    const row = await loadScoped<Backup>(this.d.store, ctx, KIND.backup, id, backupNotFound);
    authorizeVolume(ctx, 'backup:get', row.projectId);
    return row;
  }

  async list(ctx: RequestContext, opts: { allTenants?: boolean; projectId?: string } = {}): Promise<StoredResource<Backup>[]> {
    authorizeVolume(ctx, 'backup:get_all');
    if (ctx.isAdmin && opts.allTenants) {
      return opts.projectId ? this.d.store.list<Backup>(KIND.backup, { projectId: opts.projectId }) : this.d.store.list<Backup>(KIND.backup);
    }
    return this.d.store.list<Backup>(KIND.backup, { projectId: ctx.projectId ?? '' });
  }

  /** Ids of the backups another backup builds on, among `rows`' projects (has_dependent_backups). */
  async parentsWithDependents(rows: readonly StoredResource<Backup>[]): Promise<Set<string>> {
    const projects = new Set(rows.map((r) => r.projectId));
    const out = new Set<string>();
    for (const p of projects) for (const r of await this.d.store.list<Backup>(KIND.backup, { projectId: p })) if (r.data.parentId) out.add(r.data.parentId);
    return out;
  }

  async update(ctx: RequestContext, id: string, input: { name?: unknown; description?: unknown; metadata?: unknown }): Promise<StoredResource<Backup>> {
    const name = optionalText(input.name, 'name');
    const description = optionalText(input.description, 'description');
    const metadata = input.metadata === undefined ? undefined : validateMetadata(input.metadata);
    if (name === undefined && description === undefined && metadata === undefined) throw badRequest('Invalid input received: name, description or metadata must be given.');
    return this.d.store.transaction(async (tx) => {
      const row = await loadScoped<Backup>(tx, ctx, KIND.backup, id, backupNotFound);
      authorizeVolume(ctx, 'backup:update', row.projectId);
      return conditionalUpdate<Backup>(tx, KIND.backup, id, {
        notFound: () => backupNotFound(id),
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

  /** Moves the backup to deleting and enqueues the removal of its bytes. Refused while incrementals build on it. */
  async delete(ctx: RequestContext, id: string, force = false): Promise<void> {
    await this.d.store.transaction(async (tx) => {
      const row = await loadScoped<Backup>(tx, ctx, KIND.backup, id, backupNotFound);
      authorizeVolume(ctx, force ? 'backup:force_delete' : 'backup:delete', row.projectId);
      const siblings = await tx.list<Backup>(KIND.backup, { projectId: row.projectId });
      const move = force ? BACKUP_MOVES.forceDelete : BACKUP_MOVES.delete;
      const updated = await conditionalUpdate<Backup>(tx, KIND.backup, id, {
        notFound: () => backupNotFound(id),
        check: (r) => {
          if (!canMove(move, r.data.status)) throw invalidBackup(`Backup status must be available or error, but is ${r.data.status}.`);
          if (hasDependents(siblings, id)) throw invalidBackup('Incremental backups exist for this backup.');
        },
        apply: (r) => ({ ...r.data, status: move.to }),
      });
      // A forced delete supersedes the create or restore job still running for this backup.
      const killed = force ? await this.endJobsOf(tx, id) : null;
      const dataId = ownsData(siblings, id, updated.data.dataId) ? updated.data.dataId : null;
      await enqueue(tx, this.d.ids, row.projectId, ctx.requestId, { type: 'delete_backup', backupId: id, dataId, baseRef: updated.data.baseRef ?? killed });
    });
    this.d.kick();
  }

  /**
   * Ends the jobs of a backup being force-deleted and puts what they held back (the source volume or
   * snapshot, a restore target in error). Returns the driver snapshot a killed backup job may have made.
   */
  private async endJobsOf(tx: ResourceTx, backupId: string): Promise<string | null> {
    let baseRef: string | null = null;
    for (const op of await tx.list<{ job: VolumeJob }>(KIND.operation)) {
      const job = op.data.job;
      if (job.type === 'backup' && job.backupId === backupId) {
        await tx.delete(KIND.operation, op.id);
        if (job.snapshotId) {
          const s = await tx.getForUpdate<Snapshot>(KIND.snapshot, job.snapshotId);
          if (s?.data.status === 'backing-up') await tx.update<Snapshot>(KIND.snapshot, s.id, { ...s.data, status: 'available' });
        } else {
          baseRef = baseRefOf(backupId);
          const v = await tx.getForUpdate<Volume>(KIND.volume, job.sourceVolumeId);
          if (v?.data.status === 'backing-up') await tx.update<Volume>(KIND.volume, v.id, { ...v.data, status: v.data.previousStatus ?? 'available' });
        }
      } else if (job.type === 'restore_backup' && job.backupId === backupId) {
        await tx.delete(KIND.operation, op.id);
        const v = await tx.getForUpdate<Volume>(KIND.volume, job.targetVolumeId);
        if (v && (v.data.status === 'restoring-backup' || v.data.status === 'creating')) {
          await tx.update<Volume>(KIND.volume, v.id, { ...v.data, status: job.createSizeBytes !== null && v.data.status === 'creating' ? 'error' : 'error_restoring' });
        }
      }
    }
    return baseRef;
  }

  async resetStatus(ctx: RequestContext, id: string, status: unknown): Promise<void> {
    if (typeof status !== 'string' || !BACKUP_STATUSES.includes(status.toLowerCase() as BackupStatus)) {
      throw invalidInput(`Must specify a valid status: ${String(status)}.`);
    }
    await this.d.store.transaction(async (tx) => {
      const row = await loadScoped<Backup>(tx, ctx, KIND.backup, id, backupNotFound);
      authorizeVolume(ctx, 'backup:reset_status', row.projectId);
      await conditionalUpdate<Backup>(tx, KIND.backup, id, {
        notFound: () => backupNotFound(id),
        check: () => undefined,
        apply: (r) => ({ ...r.data, status: status.toLowerCase() as BackupStatus }),
      });
    });
  }

  /**
   * Restores into `volumeId` (available and at least the backup's size) or, without one, into a new
   * volume of the backup's size named `name` (or restore_backup_<id>).
   */
  async restore(ctx: RequestContext, id: string, input: { volumeId?: unknown; name?: unknown }): Promise<RestoreResult> {
    if (input.volumeId !== undefined && input.volumeId !== null && typeof input.volumeId !== 'string') throw badRequest('Invalid input for field/attribute volume_id.');
    const name = optionalText(input.name, 'name') ?? null;
    const result = await this.d.store.transaction(async (tx): Promise<RestoreResult> => {
      const row = await loadScoped<Backup>(tx, ctx, KIND.backup, id, backupNotFound);
      authorizeVolume(ctx, 'backup:restore', row.projectId);
      const backup = await conditionalUpdate<Backup>(tx, KIND.backup, id, {
        notFound: () => backupNotFound(id),
        check: (r) => {
          if (!canMove(BACKUP_MOVES.restore, r.data.status)) throw invalidBackup('Backup status must be available');
        },
        apply: (r) => ({ ...r.data, status: BACKUP_MOVES.restore.to }),
      });
      let target: StoredResource<Volume>;
      let createSizeBytes: number | null = null;
      if (typeof input.volumeId === 'string') {
        const volumeId = input.volumeId;
        target = await loadScoped<Volume>(tx, ctx, KIND.volume, volumeId, volumeNotFound);
        authorizeVolume(ctx, 'volume:update', target.projectId);
        target = await conditionalUpdate<Volume>(tx, KIND.volume, volumeId, {
          notFound: () => volumeNotFound(volumeId),
          check: (r) => {
            if (!canMove(VOLUME_MOVES.restoreBackup, r.data.status)) throw invalidVolume(`Volume to be restored to must be available, but the current status is "${r.data.status}".`);
            if (r.data.size < backup.data.size) throw invalidVolume(`volume size ${r.data.size} is too small to restore backup of size ${backup.data.size}.`);
          },
          apply: (r) => ({ ...r.data, status: VOLUME_MOVES.restoreBackup.to, previousStatus: r.data.status }),
        });
      } else {
        const projectId = ctx.projectId;
        if (!projectId) throw badRequest('A project-scoped token is required to restore into a new volume.');
        authorizeVolume(ctx, 'volume:create');
        const type = await this.d.types.defaultFor(tx, projectId);
        await this.d.quotas.check(tx, projectId, { volumes: 1, gigabytes: backup.data.size, typeName: type.data.name }, backup.data.size);
        const volumeId = this.d.ids.uuid();
        target = await tx.insert<Volume>(KIND.volume, {
          id: volumeId,
          projectId,
          data: {
            name: name ?? `restore_backup_${id}`, description: `auto-created_from_restore_from_backup`, status: VOLUME_MOVES.restoreBackup.to, size: backup.data.size,
            availabilityZone: AVAILABILITY_ZONE, bootable: false, readonly: false, multiattach: false, volumeTypeId: type.id, snapshotId: null, sourceVolId: null,
            imageId: null, userId: ctx.userId, metadata: {}, imageMetadata: {}, migrationStatus: null, attachStatus: 'detached', groupId: null, previousStatus: 'available',
          },
        });
        await tx.recordChange(KIND.volume, volumeId, 'create');
        createSizeBytes = backup.data.size * GiB;
      }
      await enqueue(tx, this.d.ids, row.projectId, ctx.requestId, { type: 'restore_backup', backupId: id, dataId: backup.data.dataId, targetVolumeId: target.id, createSizeBytes });
      return { backupId: id, volumeId: target.id, volumeName: target.data.name };
    });
    this.d.kick();
    return result;
  }

  async exportRecord(ctx: RequestContext, id: string): Promise<BackupRecord> {
    const row = await loadScoped<Backup>(this.d.store, ctx, KIND.backup, id, backupNotFound);
    authorizeVolume(ctx, 'backup:export_import', row.projectId);
    if (row.data.status !== 'available') throw invalidBackup(`Backup status must be available and not ${row.data.status}.`);
    const b = row.data;
    return {
      id: row.id, dataId: b.dataId, volumeId: b.volumeId, snapshotId: b.snapshotId, parentId: b.parentId, size: b.size, name: b.name, description: b.description,
      container: b.container, isIncremental: b.isIncremental, dataTimestamp: b.dataTimestamp, volumeMetadata: b.volumeMetadata, bootable: b.bootable, objectCount: b.objectCount,
    };
  }

  /**
   * Re-creates a backup record from an exported one, under the record's id, pointing at the same
   * bytes; the worker checks that the repository holds them (available) or not (error).
   */
  async importRecord(ctx: RequestContext, record: unknown): Promise<StoredResource<Backup>> {
    authorizeVolume(ctx, 'backup:export_import');
    const projectId = ctx.projectId;
    if (!projectId) throw badRequest('A project-scoped token is required to import a backup.');
    const r = record as Partial<BackupRecord> | null;
    const text = (v: unknown) => (typeof v === 'string' ? v : null);
    if (!r || typeof r !== 'object' || typeof r.id !== 'string' || !UUID.test(r.id) || typeof r.dataId !== 'string' || typeof r.volumeId !== 'string' || typeof r.size !== 'number') {
      throw invalidBackup('The backup record is not a PocketStack backup record.');
    }
    const row = await this.d.store.transaction(async (tx) => {
      if (await tx.get(KIND.backup, r.id as string)) throw invalidBackup(`Backup ${r.id} already exists.`);
      await this.d.quotas.check(tx, projectId, { backups: 1, backupGigabytes: r.size as number });
      const created = await tx.insert<Backup>(KIND.backup, {
        id: r.id as string,
        projectId,
        data: {
          name: text(r.name), description: text(r.description), status: 'creating', volumeId: r.volumeId as string, snapshotId: text(r.snapshotId), size: r.size as number,
          objectCount: typeof r.objectCount === 'number' ? r.objectCount : 0, container: text(r.container), availabilityZone: AVAILABILITY_ZONE, parentId: text(r.parentId),
          isIncremental: r.isIncremental === true, failReason: null, dataTimestamp: text(r.dataTimestamp) ?? new Date(this.d.clock.now()).toISOString(), userId: ctx.userId,
          metadata: {}, volumeMetadata: r.volumeMetadata && typeof r.volumeMetadata === 'object' ? validateMetadata(r.volumeMetadata) : {}, bootable: r.bootable === true,
          dataId: r.dataId as string, baseRef: null,
        },
      });
      await enqueue(tx, this.d.ids, projectId, ctx.requestId, { type: 'import_backup', backupId: created.id, dataId: created.data.dataId });
      return created;
    });
    this.d.kick();
    return row;
  }
}
