/**
 * Block storage resource types (Cinder v3 subset): volumes, snapshots, attachments, volume types,
 * QoS specs, quotas, user messages and the leased operation rows the volume worker executes.
 * Pure types; domain fields camelCase (the API views spell them the Cinder way).
 */

export type VolumeStatus =
  | 'creating'
  | 'available'
  | 'reserved'
  | 'attaching'
  | 'in-use'
  | 'detaching'
  | 'deleting'
  | 'extending'
  | 'reverting'
  | 'downloading'
  | 'uploading'
  | 'maintenance'
  | 'backing-up'
  | 'restoring-backup'
  | 'error'
  | 'error_deleting'
  | 'error_extending'
  | 'error_restoring'
  | 'awaiting-transfer';

export type AttachStatus = 'attached' | 'attaching' | 'detached' | 'reserved' | 'detaching' | 'error_attaching' | 'error_detaching';

export type SnapshotStatus = 'creating' | 'available' | 'deleting' | 'error' | 'error_deleting' | 'backing-up' | 'restoring' | 'unmanaging';

export type AttachMode = 'rw' | 'ro';

export interface Volume {
  name: string | null;
  description: string | null;
  status: VolumeStatus;
  /** GiB, as Cinder counts. */
  size: number;
  availabilityZone: string;
  bootable: boolean;
  readonly: boolean;
  /** True once os-update_readonly_flag was called: Cinder then shows `readonly` in metadata, True or False. */
  readonlySet?: boolean;
  multiattach: boolean;
  volumeTypeId: string;
  snapshotId: string | null;
  sourceVolId: string | null;
  imageId: string | null;
  userId: string | null;
  metadata: Record<string, string>;
  imageMetadata: Record<string, string>;
  /** The last error an operation left, for messages and the log. */
  errorMessage?: string;
  /** Status to go back to when a transitional state ends (extend of an in-use volume, for instance). */
  previousStatus?: VolumeStatus;
  migrationStatus: string | null;
  /** The generic volume group (3.13) the volume belongs to. */
  groupId?: string | null;
  attachStatus: 'attached' | 'detached' | 'attaching' | 'detaching' | 'reserved';
}

export interface Snapshot {
  name: string | null;
  description: string | null;
  status: SnapshotStatus;
  volumeId: string;
  size: number;
  userId: string | null;
  metadata: Record<string, string>;
  progress: string;
  /** Creation time in ms: orders snapshots of one volume (revert accepts only the latest). */
  createdMs: number;
  errorMessage?: string;
  /** The group snapshot (3.14) this snapshot was taken for. */
  groupSnapshotId?: string | null;
}

export interface Connector {
  host?: string;
  initiator?: string;
  [key: string]: unknown;
}

export interface ConnectionInfo {
  driver_volume_type: 'nbd';
  data: {
    uri: string;
    export_name: string;
    read_only: boolean;
    /** Present for nbd+unix URIs. */
    socket?: string;
    host?: string;
    port?: number;
    access_mode: AttachMode;
    qos_specs: Record<string, string> | null;
  };
}

export interface Attachment {
  volumeId: string;
  status: AttachStatus;
  instanceUuid: string | null;
  hostName: string | null;
  mountpoint: string | null;
  attachMode: AttachMode;
  connector: Connector | null;
  /** The NBD export serving this attachment, once a connector was given. */
  exportName: string | null;
  attachedAt: string | null;
  detachedAt: string | null;
}

export interface VolumeType {
  name: string;
  description: string | null;
  isPublic: boolean;
  extraSpecs: Record<string, string>;
  qosSpecsId: string | null;
  /** Projects given access to a private type. */
  projects: string[];
}

export type QosConsumer = 'front-end' | 'back-end' | 'both';

export interface QosSpec {
  name: string;
  consumer: QosConsumer;
  specs: Record<string, string>;
}

/** Per-project overrides; absent keys fall back to the defaults. */
export interface QuotaSet {
  limits: Record<string, number>;
}

export interface UserMessage {
  resourceType: 'VOLUME' | 'SNAPSHOT' | 'IMAGE' | 'VOLUME_TYPE' | 'VOLUME_BACKUP';
  resourceId: string | null;
  eventId: string;
  userMessage: string;
  level: 'ERROR';
  requestId: string;
  expiresAt: string;
}

/**
 * A volume offered to another project (os-volume-transfer, volume-transfers 3.55+). The row lives in
 * the source project until accepted; `authKey` is the credential the receiver presents.
 */
export interface VolumeTransfer {
  volumeId: string;
  name: string | null;
  authKey: string;
  sourceProjectId: string;
  destinationProjectId: string | null;
  accepted: boolean;
  noSnapshots: boolean;
}

/** A volume type's encryption spec (stored with the type id as its id). Recorded, not enforced. */
export interface TypeEncryption {
  encryptionId: string;
  provider: string;
  cipher: string | null;
  keySize: number | null;
  controlLocation: 'front-end' | 'back-end';
}

/** Group types (3.11): what a generic volume group is; specs are free-form here. */
export interface GroupType {
  name: string;
  description: string | null;
  isPublic: boolean;
  groupSpecs: Record<string, string>;
}

export type GroupStatus = 'creating' | 'available' | 'updating' | 'deleting' | 'error' | 'error_deleting' | 'in-use';

/** A generic volume group (3.13): volumes of the listed types managed together. */
export interface VolumeGroup {
  name: string | null;
  description: string | null;
  status: GroupStatus;
  groupTypeId: string;
  volumeTypeIds: string[];
  availabilityZone: string;
  groupSnapshotId: string | null;
  sourceGroupId: string | null;
}

export type GroupSnapshotStatus = 'creating' | 'available' | 'deleting' | 'error' | 'error_deleting';

/** A group snapshot (3.14): one snapshot per volume of the group, taken together. */
export interface GroupSnapshot {
  name: string | null;
  description: string | null;
  status: GroupSnapshotStatus;
  groupId: string;
  groupTypeId: string;
}

/** Per-project default volume type (3.62). Stored with the project id as its id. */
export interface DefaultType {
  volumeTypeId: string;
}

/**
 * A long operation the worker runs outside any transaction. The row is written in the same
 * transaction as the resource's transitional status, so a crash leaves either neither or both; the
 * lease says who is running it, and an expired (or dead owner's) lease is adopted and run again —
 * which is why every driver call is idempotent.
 *
 * `unschedulable` on a create job says why no backend fits the volume's type (the scheduler's
 * capability filter, decided at create time): the worker fails the job without calling the driver.
 */
export type VolumeJob =
  | { type: 'create'; volumeId: string; sizeBytes: number; unschedulable?: string }
  | { type: 'clone'; volumeId: string; sourceId: string; sizeBytes: number; unschedulable?: string }
  | { type: 'create_from_image'; volumeId: string; imageId: string; sizeBytes: number; unschedulable?: string }
  | { type: 'delete'; volumeId: string; snapshotIds: string[] }
  | { type: 'extend'; volumeId: string; sizeBytes: number; toStatus: VolumeStatus }
  | { type: 'snapshot'; volumeId: string; snapshotId: string }
  | { type: 'delete_snapshot'; snapshotId: string }
  | { type: 'revert'; volumeId: string; snapshotId: string }
  | { type: 'upload_image'; volumeId: string; imageId: string; toStatus: VolumeStatus; diskFormat: 'raw' | 'qcow2' }
  /**
   * Backup jobs name their volume `sourceVolumeId` / `targetVolumeId`, not `volumeId`: a volume's
   * os-reset_status ends the operations keyed by `volumeId`, and a backup must not lose its job that way.
   * `parent`: the backup an incremental diffs against (its data and, when still kept, its driver snapshot).
   */
  | { type: 'backup'; backupId: string; sourceVolumeId: string; snapshotId: string | null; parent: { dataId: string; baseRef: string | null } | null }
  /** `createSizeBytes`: the target is a new volume (restore without volume_id, or create with backup_id). */
  | { type: 'restore_backup'; backupId: string; dataId: string; targetVolumeId: string; createSizeBytes: number | null }
  /** `dataId` null: another record (an imported copy) still uses the bytes. */
  | { type: 'delete_backup'; backupId: string; dataId: string | null; baseRef: string | null }
  | { type: 'import_backup'; backupId: string; dataId: string };

export interface Operation {
  job: VolumeJob;
  requestId: string;
  projectId: string;
  /** Who asked; kept for the jobs that tell the compute side about their outcome (absent on older rows). */
  userId?: string;
  /** Who runs it and until when (ms since the epoch); null when nobody does. */
  lease: { owner: string; expiresAt: number } | null;
  attempts: number;
}

export const GiB = 1024 ** 3;
