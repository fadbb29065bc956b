/**
 * Volume backups (Cinder's backup service): the stored record of a backup. The bytes live in a
 * backup repository (core/ports/backup-repository.ts), apart from the volume store; this record says
 * where (`dataId`) and how it chains (`parentId`). Pure types.
 */

export type BackupStatus = 'creating' | 'available' | 'deleting' | 'error' | 'error_deleting' | 'restoring' | 'error_restoring';

export interface Backup {
  name: string | null;
  description: string | null;
  status: BackupStatus;
  volumeId: string;
  snapshotId: string | null;
  /** GiB: the size of the volume (or snapshot) when it was backed up. */
  size: number;
  /** Chunks this backup stored (an incremental counts only what changed). */
  objectCount: number;
  container: string | null;
  availabilityZone: string;
  /** The backup an incremental builds on (the latest one of the same volume in the same project). */
  parentId: string | null;
  isIncremental: boolean;
  failReason: string | null;
  /** When the data was taken (the snapshot's creation time for a backup of a snapshot). */
  dataTimestamp: string;
  userId: string | null;
  metadata: Record<string, string>;
  /** The volume's metadata and bootable flag at backup time: a restore brings them back. */
  volumeMetadata: Record<string, string>;
  bootable: boolean;
  /** Repository key of the bytes: the backup id, except for an imported record (it shares the original's). */
  dataId: string;
  /**
   * The driver snapshot this backup was read from, kept as the base of the next incremental's
   * changedBlocks. Only the newest backup of a volume (per project) keeps one; null otherwise.
   */
  baseRef: string | null;
  /** Bytes this backup added to the repository after deduplication and compression. */
  storedBytes?: number;
}
