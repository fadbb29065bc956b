/**
 * How a finished backup job moves its resources (called by the operation service in the transaction
 * that removes the job's row): the backup to available or error, the volume or snapshot it read back
 * to where it was, a restore target to available (with the backed-up metadata) or error_restoring.
 * Driver snapshots no longer needed as an incremental base are handed to delete_snapshot jobs, never
 * deleted here (no driver calls inside a transaction). Pure: imports only core.
 */
import type { Backup } from '../model/backup.js';
import type { Operation, Snapshot, Volume, VolumeJob } from '../model/volume.js';
import type { Clock } from '../ports/clock.js';
import type { IdGenerator } from '../ports/crypto.js';
import type { ResourceTx } from '../ports/resource-store.js';
import type { JobOutcome } from '../ports/volume-jobs.js';
import { baseRefOf } from './backup-chain.js';
import { KIND } from './common.js';
import { recordMessage } from './message-service.js';
import { enqueue } from './operation-queue.js';

type BackupJob = Extract<VolumeJob, { type: 'backup' | 'restore_backup' | 'delete_backup' | 'import_backup' }>;

export function isBackupJob(job: VolumeJob): job is BackupJob {
  return job.type === 'backup' || job.type === 'restore_backup' || job.type === 'delete_backup' || job.type === 'import_backup';
}

export async function settleBackupJob(tx: ResourceTx, ids: IdGenerator, clock: Clock, opId: string, op: Operation, job: BackupJob, outcome: JobOutcome): Promise<void> {
  const message = async (resourceType: 'VOLUME' | 'VOLUME_BACKUP', resourceId: string, eventId: string, action: string) => {
    if (outcome.ok) return;
    await recordMessage(tx, ids, clock, { projectId: op.projectId, requestId: op.requestId, resourceType, resourceId, eventId, userMessage: `${action}: ${outcome.message}` });
  };
  const dropRef = (ref: string) => enqueue(tx, ids, op.projectId, op.requestId, { type: 'delete_snapshot', snapshotId: ref });
  switch (job.type) {
    case 'backup': {
      if (job.snapshotId) {
        const s = await tx.getForUpdate<Snapshot>(KIND.snapshot, job.snapshotId);
        if (s?.data.status === 'backing-up') await tx.update<Snapshot>(KIND.snapshot, s.id, { ...s.data, status: 'available' });
      } else {
        const v = await tx.getForUpdate<Volume>(KIND.volume, job.sourceVolumeId);
        if (v?.data.status === 'backing-up') await tx.update<Volume>(KIND.volume, v.id, { ...v.data, status: v.data.previousStatus ?? 'available' });
      }
      const b = await tx.getForUpdate<Backup>(KIND.backup, job.backupId);
      const madeRef = job.snapshotId ? null : baseRefOf(job.backupId);
      if (!b || b.data.status !== 'creating') {
        // Reset or force-deleted meanwhile: nobody will diff against what this job kept.
        if (madeRef && b) await dropRef(madeRef);
        return;
      }
      if (!outcome.ok) {
        await tx.update<Backup>(KIND.backup, b.id, { ...b.data, status: 'error', failReason: outcome.message });
        if (madeRef) await dropRef(madeRef);
        await message('VOLUME_BACKUP', b.id, 'VOLUME_VOLUME_BACKUP_001_002', 'create backup');
        return;
      }
      const info = outcome.backup ?? { objectCount: 0, baseRef: null, storedBytes: 0 };
      await tx.update<Backup>(KIND.backup, b.id, { ...b.data, status: 'available', objectCount: info.objectCount, baseRef: info.baseRef, storedBytes: info.storedBytes });
      // Only the newest backup of a volume keeps a driver snapshot: the older ones' go.
      for (const other of await tx.list<Backup>(KIND.backup, { projectId: b.projectId })) {
        if (other.id === b.id || other.data.volumeId !== b.data.volumeId || !other.data.baseRef) continue;
        await tx.update<Backup>(KIND.backup, other.id, { ...other.data, baseRef: null });
        await dropRef(other.data.baseRef);
      }
      return;
    }
    case 'restore_backup': {
      const v = await tx.getForUpdate<Volume>(KIND.volume, job.targetVolumeId);
      const b = await tx.getForUpdate<Backup>(KIND.backup, job.backupId);
      if (v && (v.data.status === 'restoring-backup' || v.data.status === 'creating')) {
        const creating = v.data.status === 'creating';
        const data: Volume = outcome.ok
          ? { ...v.data, status: 'available', metadata: { ...v.data.metadata, ...(b?.data.volumeMetadata ?? {}) }, bootable: v.data.bootable || (b?.data.bootable ?? false) }
          : { ...v.data, status: creating ? 'error' : 'error_restoring', errorMessage: outcome.message };
        delete data.previousStatus;
        await tx.update<Volume>(KIND.volume, v.id, data);
        await message('VOLUME', v.id, creating ? 'VOLUME_VOLUME_001_002' : 'VOLUME_VOLUME_BACKUP_001_003', 'restore backup');
      }
      if (b?.data.status === 'restoring') {
        const others = (await tx.list<{ job: VolumeJob }>(KIND.operation)).some((o) => o.id !== opId && o.data.job.type === 'restore_backup' && o.data.job.backupId === b.id);
        if (!others) await tx.update<Backup>(KIND.backup, b.id, { ...b.data, status: 'available' });
      }
      return;
    }
    case 'delete_backup': {
      const b = await tx.getForUpdate<Backup>(KIND.backup, job.backupId);
      if (!b) return;
      if (outcome.ok) {
        await tx.delete(KIND.backup, b.id);
      } else {
        await tx.update<Backup>(KIND.backup, b.id, { ...b.data, status: 'error_deleting', failReason: outcome.message });
        await message('VOLUME_BACKUP', b.id, 'VOLUME_VOLUME_BACKUP_001_004', 'delete backup');
      }
      return;
    }
    case 'import_backup': {
      const b = await tx.getForUpdate<Backup>(KIND.backup, job.backupId);
      if (!b || b.data.status !== 'creating') return;
      await tx.update<Backup>(KIND.backup, b.id, outcome.ok ? { ...b.data, status: 'available' } : { ...b.data, status: 'error', failReason: outcome.message });
      await message('VOLUME_BACKUP', b.id, 'VOLUME_VOLUME_BACKUP_001_005', 'import backup');
      return;
    }
  }
}
