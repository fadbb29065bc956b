/**
 * Port: a backup repository, where backup bytes live apart from the volume store (a local directory
 * now, object storage later). Content-addressed: a chunk's id is the SHA-256 of its bytes, so equal
 * chunks are stored once (across backups and volumes), and every read is verified against its id.
 * A manifest per backup lists the chunks it stored and names its parent (incremental chain). Pure types.
 *
 * Contract:
 * - Called by the volume worker outside any store transaction; every method may block.
 * - `putChunk` and `writeManifest` are idempotent and atomic: after a crash a chunk or manifest is
 *   either absent or whole. A manifest is written only after every chunk it names is durable.
 * - Chunks and manifests are written inside `session(fn)`; `collectGarbage` (which removes chunks no
 *   manifest names) never runs while a session is open, so it cannot remove a chunk whose manifest is
 *   not written yet.
 * - Damaged data (a chunk whose bytes do not hash to its id, a manifest failing its checksum) rejects
 *   with a `BackupFailure` of code 'corrupt', never with wrong bytes.
 */

export type BackupFailureCode = 'corrupt' | 'not_found' | 'io';

export interface BackupFailure extends Error {
  readonly code: BackupFailureCode;
  readonly retryable: boolean;
}

/** One chunk of a backup: `chunk` null means the range reads as zeroes (a hole). */
export interface ManifestEntry {
  offset: number;
  chunk: string | null;
}

export interface BackupManifest {
  /** Repository key (the backup id, usually). */
  dataId: string;
  /** Data id of the backup this one is incremental to; null for a full backup. */
  parent: string | null;
  /** Size of the backed-up volume or snapshot, bytes. */
  sizeBytes: number;
  /** Every entry covers `chunkSize` bytes (the last one may be cut by sizeBytes). */
  chunkSize: number;
  /**
   * A full backup lists its non-zero chunks (anything unlisted is zero); an incremental lists what
   * changed since its parent, zero chunks as `chunk: null`. Sorted by offset.
   */
  entries: ManifestEntry[];
  createdAt: string;
}

export interface BackupSession {
  /** Stores a chunk unless it is there already; returns its id and the bytes it added (0 if deduplicated). */
  putChunk(data: Uint8Array): Promise<{ id: string; storedBytes: number }>;
  writeManifest(m: BackupManifest): Promise<void>;
}

export interface BackupRepository {
  readonly chunkSize: number;
  session<T>(fn: (s: BackupSession) => Promise<T>): Promise<T>;
  /** The manifest of `dataId`, verified; undefined when there is none. Rejects 'corrupt'. */
  readManifest(dataId: string): Promise<BackupManifest | undefined>;
  /** A chunk's bytes, verified against its id. Rejects 'corrupt' or 'not_found'. */
  readChunk(id: string): Promise<Uint8Array>;
  /** Removes a manifest; idempotent. Its chunks stay until `collectGarbage`. */
  deleteManifest(dataId: string): Promise<void>;
  /** Removes every chunk no manifest names; returns how many. */
  collectGarbage(): Promise<number>;
}
