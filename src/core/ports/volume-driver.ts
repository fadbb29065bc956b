/**
 * Port: a volume driver, the storage engine behind Cinder (the `local` copy-on-write store now, Ceph
 * RBD later). Pure types; imports only other ports.
 *
 * Contract shared by every method (Cinder's manager relies on it):
 * - The agent calls these outside any store transaction, after the desired state is committed.
 * - Every method may block (promises); none holds a lock across calls.
 * - Failures reject with a `StorageFailure` (below). The agent then puts the resource it was working
 *   on in `error` (or `error_deleting`, `error_extending`, ...), unless `retryable`, in which case it
 *   retries later. A failure never leaves the driver half-changed: the operation either happened
 *   entirely or not at all.
 * - Refs are opaque ids chosen by the caller (the volume or snapshot UUID); volumes and snapshots share
 *   one namespace.
 */
import type { BlockDevice, Extent } from './block-device.js';

export type StorageFailureCode =
  | 'not_found'
  | 'already_exists'
  | 'in_use'
  | 'invalid'
  | 'no_space'
  | 'out_of_range'
  | 'read_only'
  | 'closed'
  | 'io';

/** Shape of every error a storage driver or block device rejects with. */
export interface StorageFailure extends Error {
  readonly code: StorageFailureCode;
  readonly retryable: boolean;
}

export interface VolumeDriverCapabilities {
  /** Stable driver name, e.g. 'local', 'rbd'. */
  driver: string;
  thinProvisioning: boolean;
  /** snapshot/clone/revert cost does not grow with the volume size. */
  constantTimeSnapshots: boolean;
  canRevert: boolean;
  canChangedBlocks: boolean;
  /** Granularity of allocation and of changedBlocks, bytes. */
  extentSize: number;
  /** Largest volume size accepted, bytes. */
  maxVolumeSize: number;
}

export interface VolumeDriverStats {
  /** Bytes the backing store may still grow by (free disk, or a configured quota). */
  freeBytes: number;
  /** Bytes of distinct extents actually stored (shared extents counted once). */
  allocatedBytes: number;
  /** Sum of the virtual sizes of all volumes (not snapshots). */
  provisionedBytes: number;
  volumes: number;
  snapshots: number;
}

export type OpenMode = 'ro' | 'rw';

export interface VolumeDriver {
  readonly capabilities: VolumeDriverCapabilities;

  /** Space figures for the scheduler and `/metrics`. Cheap, never blocks on the data path. */
  stats(): Promise<VolumeDriverStats>;

  /**
   * Creates an empty (all zeroes, nothing allocated) volume. Called when a volume enters `creating`.
   * Idempotent: the same id with the same size succeeds again; a different size rejects 'already_exists'.
   * On failure the volume goes to `error`.
   */
  create(id: string, sizeBytes: number): Promise<void>;

  /**
   * Deletes a volume or snapshot and frees every extent nobody else shares. Called in `deleting`.
   * Idempotent: an id already gone succeeds. Rejects 'in_use' while a device is open on it; a volume
   * with snapshots is deleted but its shared extents stay until the last snapshot goes. On failure the
   * volume goes to `error_deleting`.
   */
  delete(id: string): Promise<void>;

  /**
   * Grows a volume (never shrinks: 'invalid'). Called in `extending`. Idempotent: extending to the
   * current size succeeds. New bytes read as zeroes. On failure the volume goes to `error_extending`.
   */
  extend(id: string, newSizeBytes: number): Promise<void>;

  /**
   * Point-in-time, crash-consistent, read-only copy of a volume; O(1) in the volume size. Writes that
   * completed before the call are in the snapshot (in-flight ones are waited for). Idempotent for the
   * same (volId, snapId) pair. On failure the snapshot goes to `error`, the volume is unchanged.
   */
  snapshot(volId: string, snapId: string): Promise<void>;

  /** Deletes a snapshot; like `delete` but rejects 'invalid' if `snapId` is a volume. Idempotent. */
  deleteSnapshot(snapId: string): Promise<void>;

  /**
   * Makes the volume's content equal to the snapshot's (the snapshot must be of this volume, else
   * 'invalid'). Called in `reverting` with no device open ('in_use'). Idempotent. On failure the volume
   * goes to `error`, with its content either fully old or fully reverted.
   */
  revert(volId: string, snapId: string): Promise<void>;

  /**
   * New writable volume with the content of a snapshot or a volume, sharing extents; O(1).
   * `newSizeBytes` (default: the source's size) may only grow it. Idempotent for the same pair.
   * On failure the new volume goes to `error`, the source is untouched.
   */
  clone(sourceId: string, newId: string, newSizeBytes?: number): Promise<void>;

  /**
   * Ranges whose content may differ between `fromSnapId` and `toId` (a later snapshot or the volume),
   * at `extentSize` granularity, merged and ordered. `fromSnapId` null means "since empty": every
   * allocated range. Used by incremental backup; costs what changed, not the volume size. Read-only.
   */
  changedBlocks(fromSnapId: string | null, toId: string): Promise<Extent[]>;

  /** Allocated and hole ranges of a volume or snapshot, covering its whole size. Read-only. */
  allocationMap(id: string): Promise<Extent[]>;

  /**
   * Opens a block device on a volume ('rw' or 'ro') or a snapshot ('ro' only, else 'read_only').
   * Called on attach or for a copy. Several devices may be open on one volume at once. The device
   * must be closed; an open device blocks delete/revert ('in_use').
   */
  open(id: string, mode: OpenMode): Promise<BlockDevice>;

  /** Flushes and releases everything (devices still open are closed). Idempotent. */
  close(): Promise<void>;
}

/** Optional ability: an offline consistency check (`pocketstack storage check`). */
export interface StoreChecker {
  check(): Promise<StoreCheckReport>;
}

export interface StoreCheckReport {
  ok: boolean;
  volumes: number;
  snapshots: number;
  /** Distinct extents in use. */
  extentsInUse: number;
  /** Free extents inside the data file (reusable holes). */
  extentsFree: number;
  /** Human-readable problems; empty when ok. */
  problems: string[];
}
