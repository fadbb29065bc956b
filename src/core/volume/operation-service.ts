/**
 * Leased operation rows: the core side of the volume worker's queue (ports/volume-jobs.ts). Use cases
 * `enqueue` a job in the same transaction that moves a resource into a transitional status; the
 * worker claims it (compare-and-swap on the row's lease), runs the driver call, and `finish` moves the
 * resource to its final state and deletes the row, in one transaction. A crash at any point leaves a
 * row whose lease expires (or whose owner is known dead) and the job runs again: driver calls are
 * idempotent, so running twice is the same as once. An extend of an attached volume is told to the
 * compute side (InstanceNotifier) after its commit. Pure: imports only core.
 */
import { PreconditionFailed } from '../errors.js';
import { IMAGE_KIND as IMAGE, type Image } from '../model/image.js';
import type { Attachment, GroupSnapshot, Operation, Snapshot, Volume, VolumeJob, VolumeType, QosSpec } from '../model/volume.js';
import type { Clock } from '../ports/clock.js';
import type { IdGenerator } from '../ports/crypto.js';
import type { ResourceStore, ResourceTx } from '../ports/resource-store.js';
import type { ActiveExport, ClaimedJob, JobOutcome, VolumeJobQueue } from '../ports/volume-jobs.js';
import { KIND } from './common.js';
import { SNAPSHOT_MOVES, VOLUME_MOVES } from './states.js';
import { recordMessage } from './message-service.js';
import { isBackupJob, settleBackupJob } from './backup-settle.js';
import type { InstanceNotifier, VolumeExtendedNotice } from './instance-notifier.js';

const MAX_ATTEMPTS = 5;

export { enqueue } from './operation-queue.js';

export class VolumeOperationService implements VolumeJobQueue {
  constructor(
    private readonly store: ResourceStore,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    /** Looked up per call by the composition root; absent without a compute service. */
    private readonly notifier?: InstanceNotifier,
  ) {}

  async claim(owner: string, leaseMs: number, isDead: (owner: string) => boolean, accept?: (job: VolumeJob) => boolean): Promise<ClaimedJob | undefined> {
    const now = this.clock.now();
    const rows = await this.store.list<Operation>(KIND.operation);
    for (const row of rows) {
      const lease = row.data.lease;
      if (lease && lease.expiresAt > now && !isDead(lease.owner)) continue;
      if (accept && !accept(row.data.job)) continue;
      try {
        await this.store.update<Operation>(KIND.operation, row.id, { ...row.data, lease: { owner, expiresAt: now + leaseMs }, attempts: row.data.attempts + 1 }, { expectRevision: row.revision });
      } catch (e) {
        if (e instanceof PreconditionFailed) continue; // another worker took it first
        throw e;
      }
      return { id: row.id, job: row.data.job, attempts: row.data.attempts + 1, requestId: row.data.requestId };
    }
    return undefined;
  }

  async renew(id: string, owner: string, leaseMs: number): Promise<boolean> {
    const row = await this.store.get<Operation>(KIND.operation, id);
    if (!row || row.data.lease?.owner !== owner) return false;
    try {
      await this.store.update<Operation>(KIND.operation, id, { ...row.data, lease: { owner, expiresAt: this.clock.now() + leaseMs } }, { expectRevision: row.revision });
      return true;
    } catch (e) {
      if (e instanceof PreconditionFailed) return false;
      throw e;
    }
  }

  async finish(id: string, owner: string, outcome: JobOutcome): Promise<void> {
    const notices: VolumeExtendedNotice[] = [];
    await this.store.transaction(async (tx) => {
      notices.length = 0; // a retried transaction collects again
      const row = await tx.getForUpdate<Operation>(KIND.operation, id);
      if (!row || row.data.lease?.owner !== owner) return; // finished (or adopted) elsewhere
      if (!outcome.ok && outcome.retryable && row.data.attempts < MAX_ATTEMPTS) {
        // Back off: the lease of a pseudo-owner expires after a delay growing with the attempts.
        const delay = 500 * 2 ** row.data.attempts;
        await tx.update<Operation>(KIND.operation, id, { ...row.data, lease: { owner: 'retry', expiresAt: this.clock.now() + delay } });
        return;
      }
      await this.settle(tx, row.id, row.data, outcome, notices);
      await tx.delete(KIND.operation, id);
    });
    for (const n of notices) await this.notifier?.volumeExtended(n).catch(() => undefined);
  }

  async activeExports(): Promise<ActiveExport[]> {
    const out: ActiveExport[] = [];
    const attachments = await this.store.list<Attachment>(KIND.attachment);
    for (const a of attachments) {
      if (!a.data.exportName || (a.data.status !== 'attached' && a.data.status !== 'attaching' && a.data.status !== 'detaching')) continue;
      const vol = await this.store.get<Volume>(KIND.volume, a.data.volumeId);
      if (!vol) continue;
      out.push({
        exportName: a.data.exportName,
        volumeId: a.data.volumeId,
        readOnly: a.data.attachMode === 'ro' || vol.data.readonly,
        qos: await qosOfType(this.store, vol.data.volumeTypeId),
        transport: a.data.connector?.['transport'] === 'tcp' ? 'tcp' : 'unix',
      });
    }
    return out;
  }

  /** Moves the resource the job was about to its final state (or its failure state). */
  private async settle(tx: ResourceTx, opId: string, op: Operation, outcome: JobOutcome, notices: VolumeExtendedNotice[]): Promise<void> {
    const job = op.job;
    if (isBackupJob(job)) return settleBackupJob(tx, this.ids, this.clock, opId, op, job, outcome);
    const fail = async (_kind: string, resourceId: string, resourceType: 'VOLUME' | 'SNAPSHOT', eventId: string, action: string) => {
      if (outcome.ok) return;
      await recordMessage(tx, this.ids, this.clock, {
        projectId: op.projectId,
        requestId: op.requestId,
        resourceType,
        resourceId,
        eventId,
        userMessage: `${action}: ${outcome.message}`,
      });
    };
    switch (job.type) {
      case 'create':
      case 'clone':
      case 'create_from_image': {
        const v = await tx.getForUpdate<Volume>(KIND.volume, job.volumeId);
        if (!v || v.data.status !== 'creating') return;
        const status = outcome.ok ? VOLUME_MOVES.create.done : VOLUME_MOVES.create.failed;
        const bootable = v.data.bootable || (outcome.ok && job.type === 'create_from_image');
        await tx.update<Volume>(KIND.volume, v.id, { ...v.data, status, bootable, ...(outcome.ok ? {} : { errorMessage: outcome.message }) });
        // Cinder's scheduler words a filtered-out create as action 001, detail 003.
        if (job.unschedulable) await fail(KIND.volume, v.id, 'VOLUME', 'VOLUME_VOLUME_001_003', 'schedule allocate volume');
        else await fail(KIND.volume, v.id, 'VOLUME', 'VOLUME_VOLUME_001_002', 'create volume');
        return;
      }
      case 'delete': {
        const v = await tx.getForUpdate<Volume>(KIND.volume, job.volumeId);
        if (!v) return;
        if (outcome.ok) {
          for (const s of await tx.list<Snapshot>(KIND.snapshot, { parentId: v.id })) await tx.delete(KIND.snapshot, s.id);
          for (const a of await tx.list<Attachment>(KIND.attachment, { parentId: v.id })) await tx.delete(KIND.attachment, a.id);
          await tx.delete(KIND.volume, v.id);
          await tx.recordChange(KIND.volume, v.id, 'delete');
        } else {
          await tx.update<Volume>(KIND.volume, v.id, { ...v.data, status: VOLUME_MOVES.delete.failed, errorMessage: outcome.message });
          for (const sid of job.snapshotIds) {
            const s = await tx.get<Snapshot>(KIND.snapshot, sid);
            if (s && s.data.status === 'deleting') await tx.update<Snapshot>(KIND.snapshot, sid, { ...s.data, status: 'error_deleting' });
          }
          await fail(KIND.volume, v.id, 'VOLUME', 'VOLUME_VOLUME_001_011', 'delete volume');
        }
        return;
      }
      case 'extend': {
        const v = await tx.getForUpdate<Volume>(KIND.volume, job.volumeId);
        if (!v || v.data.status !== 'extending') return;
        if (outcome.ok) {
          await tx.update<Volume>(KIND.volume, v.id, { ...v.data, status: job.toStatus, size: Math.round(job.sizeBytes / 1024 ** 3) });
          // Cinder tells Nova about every instance the volume is attached to (volume-extended).
          const attached = (await tx.list<Attachment>(KIND.attachment, { parentId: v.id })).filter((a) => a.data.status === 'attached' && a.data.instanceUuid);
          const serverIds = [...new Set(attached.map((a) => a.data.instanceUuid!))];
          if (serverIds.length > 0) {
            notices.push({ volumeId: v.id, newSizeBytes: job.sizeBytes, serverIds, userId: op.userId ?? null, projectId: op.projectId, requestId: op.requestId });
          }
        } else {
          await tx.update<Volume>(KIND.volume, v.id, { ...v.data, status: 'error_extending', errorMessage: outcome.message });
          await fail(KIND.volume, v.id, 'VOLUME', 'VOLUME_VOLUME_001_007', 'extend volume');
        }
        return;
      }
      case 'snapshot': {
        const s = await tx.getForUpdate<Snapshot>(KIND.snapshot, job.snapshotId);
        if (!s || s.data.status !== 'creating') return;
        await tx.update<Snapshot>(KIND.snapshot, s.id, { ...s.data, status: outcome.ok ? SNAPSHOT_MOVES.create.done : SNAPSHOT_MOVES.create.failed, progress: outcome.ok ? '100%' : '0%' });
        if (s.data.groupSnapshotId) await settleGroupSnapshot(tx, s.data.groupSnapshotId, s.projectId);
        await fail(KIND.snapshot, s.id, 'SNAPSHOT', 'VOLUME_SNAPSHOT_001_002', 'create snapshot');
        return;
      }
      case 'delete_snapshot': {
        const s = await tx.getForUpdate<Snapshot>(KIND.snapshot, job.snapshotId);
        if (!s) return;
        if (outcome.ok) {
          await tx.delete(KIND.snapshot, s.id);
          if (s.data.groupSnapshotId) await settleGroupSnapshot(tx, s.data.groupSnapshotId, s.projectId);
        } else {
          await tx.update<Snapshot>(KIND.snapshot, s.id, { ...s.data, status: SNAPSHOT_MOVES.delete.failed, errorMessage: outcome.message });
          if (s.data.groupSnapshotId) await settleGroupSnapshot(tx, s.data.groupSnapshotId, s.projectId);
          await fail(KIND.snapshot, s.id, 'SNAPSHOT', 'VOLUME_SNAPSHOT_001_003', 'delete snapshot');
        }
        return;
      }
      case 'revert': {
        const v = await tx.getForUpdate<Volume>(KIND.volume, job.volumeId);
        if (v && v.data.status === 'reverting') {
          await tx.update<Volume>(KIND.volume, v.id, { ...v.data, status: outcome.ok ? VOLUME_MOVES.revert.done : VOLUME_MOVES.revert.failed });
        }
        const s = await tx.getForUpdate<Snapshot>(KIND.snapshot, job.snapshotId);
        if (s && s.data.status === 'restoring') await tx.update<Snapshot>(KIND.snapshot, s.id, { ...s.data, status: 'available' });
        if (v) await fail(KIND.volume, v.id, 'VOLUME', 'VOLUME_VOLUME_001_010', 'revert volume');
        return;
      }
      case 'upload_image': {
        const v = await tx.getForUpdate<Volume>(KIND.volume, job.volumeId);
        if (v && v.data.status === 'uploading') await tx.update<Volume>(KIND.volume, v.id, { ...v.data, status: job.toStatus });
        const img = await tx.getForUpdate<Image>(IMAGE, job.imageId);
        if (img) {
          const data: Image = outcome.ok && outcome.image
            ? { ...img.data, status: 'active', size: outcome.image.size, virtualSize: outcome.image.size, checksum: outcome.image.checksum, osHashAlgo: 'sha512', osHashValue: outcome.image.sha512 }
            : { ...img.data, status: 'killed' };
          await tx.update<Image>(IMAGE, img.id, data);
        }
        if (v) await fail(KIND.volume, v.id, 'VOLUME', 'VOLUME_VOLUME_002_004', 'upload image');
        return;
      }
    }
  }
}

/**
 * A group snapshot follows its member snapshots: creating until none is creating (then available, or
 * error if one failed); while deleting, gone with the last member, error_deleting if one failed.
 */
async function settleGroupSnapshot(tx: ResourceTx, id: string, projectId: string): Promise<void> {
  const gs = await tx.getForUpdate<GroupSnapshot>(KIND.groupSnapshot, id);
  if (!gs) return;
  const members = (await tx.list<Snapshot>(KIND.snapshot, { projectId })).filter((s) => s.data.groupSnapshotId === id);
  if (gs.data.status === 'creating') {
    if (members.some((s) => s.data.status === 'creating')) return;
    await tx.update<GroupSnapshot>(KIND.groupSnapshot, id, { ...gs.data, status: members.some((s) => s.data.status === 'error') ? 'error' : 'available' });
  } else if (gs.data.status === 'deleting') {
    if (members.length === 0) await tx.delete(KIND.groupSnapshot, id);
    else if (!members.some((s) => s.data.status === 'deleting')) await tx.update<GroupSnapshot>(KIND.groupSnapshot, id, { ...gs.data, status: 'error_deleting' });
  }
}

/** The front-end QoS keys of a volume type (what the export enforces). */
export async function qosOfType(tx: ResourceTx, typeId: string): Promise<Record<string, string>> {
  const t = await tx.get<VolumeType>(KIND.type, typeId);
  if (!t?.data.qosSpecsId) return {};
  const q = await tx.get<QosSpec>(KIND.qos, t.data.qosSpecsId);
  if (!q || q.data.consumer === 'back-end') return {};
  return { ...q.data.specs };
}
