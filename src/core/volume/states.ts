/**
 * The volume, snapshot and attachment state machines, as data. Every move goes through one of these
 * entries and is applied as a compare-and-swap on the stored row (conditional-update.ts), so two
 * requests racing for the same volume cannot both win. Pure: imports only core/model.
 *
 * `from` lists the statuses a move may start in; `to` is where it goes. A move that starts a long
 * operation goes to a transitional status and names where success and failure end (`done`, `failed`);
 * the worker finishes it. Transitional statuses all have an operation row behind them, except the
 * client-driven attach handshake (reserved/attaching/detaching), which Cinder leaves to its caller.
 */
import type { BackupStatus } from '../model/backup.js';
import type { AttachStatus, SnapshotStatus, VolumeStatus } from '../model/volume.js';

export interface Move<S extends string> {
  from: readonly S[];
  to: S;
  /** For moves into a transitional status: the status after success / after a failure. */
  done?: S;
  failed?: S;
}

export const VOLUME_MOVES = {
  create: { from: [], to: 'creating', done: 'available', failed: 'error' },
  delete: { from: ['available', 'error', 'error_restoring', 'error_extending', 'error_deleting'], to: 'deleting', failed: 'error_deleting' },
  /** Cascade/force delete also accepts the in-between statuses an operator may want gone. */
  forceDelete: {
    from: ['available', 'error', 'error_restoring', 'error_extending', 'error_deleting', 'creating', 'in-use', 'reserved', 'attaching', 'detaching', 'maintenance', 'extending', 'reverting', 'uploading', 'downloading'],
    to: 'deleting',
    failed: 'error_deleting',
  },
  extend: { from: ['available'], to: 'extending', done: 'available', failed: 'error_extending' },
  extendInUse: { from: ['in-use'], to: 'extending', done: 'in-use', failed: 'error_extending' },
  revert: { from: ['available'], to: 'reverting', done: 'available', failed: 'error' },
  uploadImage: { from: ['available', 'in-use'], to: 'uploading', failed: 'error' },
  reserve: { from: ['available', 'in-use'], to: 'reserved' },
  /** os-reserve (the pre-3.27 attach handshake) marks the volume attaching, as Cinder does. */
  legacyReserve: { from: ['available', 'in-use'], to: 'attaching' },
  unreserve: { from: ['reserved'], to: 'available' },
  beginAttach: { from: ['available', 'reserved', 'in-use', 'attaching'], to: 'attaching' },
  attach: { from: ['available', 'reserved', 'attaching', 'in-use'], to: 'in-use' },
  beginDetach: { from: ['in-use'], to: 'detaching' },
  rollDetach: { from: ['detaching'], to: 'in-use' },
  /** Detach lands on in-use while other attachments remain, else available (decided by the caller). */
  detach: { from: ['in-use', 'detaching', 'attaching', 'reserved', 'error_deleting'], to: 'available' },
  retype: { from: ['available', 'in-use'], to: 'available' },
  /** A backup reads the volume; it goes back to its previous status (available or in-use) after. */
  backup: { from: ['available'], to: 'backing-up' },
  backupInUse: { from: ['available', 'in-use'], to: 'backing-up' },
  restoreBackup: { from: ['available'], to: 'restoring-backup', done: 'available', failed: 'error_restoring' },
} as const satisfies Record<string, Move<VolumeStatus>>;

export const SNAPSHOT_MOVES = {
  create: { from: [], to: 'creating', done: 'available', failed: 'error' },
  delete: { from: ['available', 'error', 'error_deleting'], to: 'deleting', failed: 'error_deleting' },
  forceDelete: { from: ['available', 'error', 'error_deleting', 'creating', 'deleting', 'backing-up', 'restoring'], to: 'deleting', failed: 'error_deleting' },
} as const satisfies Record<string, Move<SnapshotStatus>>;

/** A snapshot being backed up is `backing-up` and back to available after. */
export const SNAPSHOT_BACKUP = { from: ['available'], to: 'backing-up', done: 'available', failed: 'available' } as const satisfies Move<SnapshotStatus>;

export const BACKUP_MOVES = {
  create: { from: [], to: 'creating', done: 'available', failed: 'error' },
  delete: { from: ['available', 'error', 'error_restoring'], to: 'deleting', failed: 'error_deleting' },
  forceDelete: { from: ['available', 'error', 'error_restoring', 'error_deleting', 'creating', 'restoring', 'deleting'], to: 'deleting', failed: 'error_deleting' },
  /** A restore leaves the backup available whatever happens to the target volume. */
  restore: { from: ['available'], to: 'restoring', done: 'available', failed: 'available' },
  /** Creating volumes from one backup may overlap (Cinder accepts them while it restores). */
  createFrom: { from: ['available', 'restoring'], to: 'restoring', done: 'available', failed: 'available' },
} as const satisfies Record<string, Move<BackupStatus>>;

export const BACKUP_STATUSES: readonly BackupStatus[] = ['creating', 'available', 'deleting', 'error', 'error_deleting', 'restoring', 'error_restoring'];
export const BACKUP_TRANSITIONAL: readonly BackupStatus[] = ['creating', 'deleting', 'restoring'];

export const ATTACHMENT_MOVES = {
  reserve: { from: [], to: 'reserved' },
  connect: { from: ['reserved', 'attaching', 'attached'], to: 'attaching' },
  complete: { from: ['attaching', 'attached', 'reserved'], to: 'attached' },
  beginDetach: { from: ['attached'], to: 'detaching' },
  rollDetach: { from: ['detaching'], to: 'attached' },
} as const satisfies Record<string, Move<AttachStatus>>;

/** Statuses that must never outlive the operation behind them (the crash test asserts it). */
export const VOLUME_TRANSITIONAL: readonly VolumeStatus[] = ['creating', 'deleting', 'extending', 'reverting', 'uploading', 'downloading', 'backing-up', 'restoring-backup'];
export const SNAPSHOT_TRANSITIONAL: readonly SnapshotStatus[] = ['creating', 'deleting', 'backing-up'];

/** Every status admin's os-reset_status may set. */
export const VOLUME_STATUSES: readonly VolumeStatus[] = [
  'creating', 'available', 'reserved', 'attaching', 'in-use', 'detaching', 'deleting', 'extending', 'reverting',
  'downloading', 'uploading', 'maintenance', 'backing-up', 'restoring-backup', 'error', 'error_deleting', 'error_extending', 'error_restoring',
];
export const SNAPSHOT_STATUSES: readonly SnapshotStatus[] = ['creating', 'available', 'deleting', 'error', 'error_deleting', 'backing-up', 'restoring', 'unmanaging'];
export const ATTACH_STATUSES: readonly AttachStatus[] = ['attached', 'attaching', 'detached', 'reserved', 'detaching', 'error_attaching', 'error_detaching'];

export function canMove<S extends string>(move: Move<S>, status: S): boolean {
  return (move.from as readonly string[]).includes(status);
}
