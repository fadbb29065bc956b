/**
 * Port: a block device, the one thing the NBD export (and any future consumer: backup, image upload)
 * sees of a volume. Pure types; imports nothing.
 *
 * Offsets and lengths are bytes. Every method may block on I/O (returns a promise). Out-of-range
 * requests reject with a `StorageFailure` whose code is 'out_of_range'; a device used after close
 * rejects with 'closed'. A failed I/O never changes a resource's status by itself: the caller (the
 * export) reports it to its client, and the agent decides whether the volume goes to `error`.
 */

/** How a byte range is backed, as reported by `blockStatus` (NBD's base:allocation). */
export type ExtentState = 'allocated' | 'hole' | 'zero';

export interface Extent {
  offset: number;
  length: number;
  state: ExtentState;
}

export interface WriteOptions {
  /** Force unit access: durable before the promise resolves, as if followed by flush(). */
  fua?: boolean;
}

export interface ZeroOptions extends WriteOptions {
  /** Keep the range allocated (NBD_CMD_FLAG_NO_HOLE): write real zeroes instead of unmapping. */
  noHole?: boolean;
}

/**
 * Capabilities are probes, never `throw NotImplemented`: a device that cannot trim answers false and
 * its `trim` resolves without effect (trim is advisory); one that cannot zero efficiently still
 * zeroes (by writing zeroes) and answers false to `canZero`.
 */
export interface BlockDeviceCapabilities {
  canTrim: boolean;
  canZero: boolean;
  canFua: boolean;
  /** False for a read-only device: write/trim/writeZeroes reject with 'read_only'. */
  canWrite: boolean;
  /** Many connections may use the device at once and see each other's flushed writes. */
  canMultiConn: boolean;
}

/** Bytes a device lent to the caller (see BlockDevice.readLent): call `release` once, when done. */
export interface LentBytes {
  data: Uint8Array;
  release(): void;
}

export interface BlockDevice {
  /** Size in bytes; fixed while the device is open (extend takes effect on the next open). */
  readonly size: number;
  readonly capabilities: BlockDeviceCapabilities;
  /** Reads `length` bytes at `offset`; unwritten ranges read as zeroes. */
  read(offset: number, length: number): Promise<Uint8Array>;
  /**
   * Optional: as read, but the bytes may sit in memory the device reuses once the caller calls
   * `release` (after which the caller must not touch `data`). For a consumer that only passes the
   * bytes on, such as the NBD export writing them to a socket: it saves a buffer per read.
   */
  readLent?(offset: number, length: number): Promise<LentBytes>;
  /** Writes; durable only after flush() or with { fua: true }. Not atomic beyond 512-byte sectors. */
  write(offset: number, data: Uint8Array, options?: WriteOptions): Promise<void>;
  /** Makes every write that completed before the call durable (survives kill -9 and power loss). */
  flush(): Promise<void>;
  /** Advisory discard: the range may read back as zeroes or as old data, and may free space. */
  trim(offset: number, length: number, options?: WriteOptions): Promise<void>;
  /** The range reads back as zeroes afterwards; unmaps where possible unless `noHole`. */
  writeZeroes(offset: number, length: number, options?: ZeroOptions): Promise<void>;
  /** Describes `[offset, offset+length)` as contiguous extents, in order, covering at least one byte. */
  blockStatus(offset: number, length: number): Promise<Extent[]>;
  /** Waits for in-flight I/O, releases the device. Idempotent. Does not flush. */
  close(): Promise<void>;
}
