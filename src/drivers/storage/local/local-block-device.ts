/**
 * The local store's data path: a BlockDevice over one node (volume or snapshot) of the extent tree.
 * Layer: drivers/storage/local; imports core/ports and the store engine.
 *
 * This class is the gate of every I/O: range and mode checks, the store's pause and epochs, the
 * choice between the synchronous small-I/O path and the async one, waiting for extent locks. What
 * the I/O then does lives beside it: extent-resolve.ts (which pool bytes a range reads),
 * write-path.ts (in place vs copy-on-write, unmapping), extent-locks.ts. An I/O is planned in one
 * synchronous step after the lock check and issued as few positional reads/writes as possible. No
 * fsync per I/O: durability is flush()/FUA, which group-commits in the store.
 */
import type {
  BlockDevice,
  BlockDeviceCapabilities,
  Extent,
  LentBytes,
  WriteOptions,
  ZeroOptions,
} from '../../../core/ports/block-device.js';
import { StorageError } from '../storage-error.js';
import { type ExtentLocks, lockedIn } from './extent-locks.js';
import { extentMap, planRead } from './extent-resolve.js';
import type { TreeNode } from './extent-tree.js';
import { preadFull, preadFullSync } from './fs-io.js';
import type { LocalStore } from './local-store.js';
import { SLAB_BYTES } from './slab-pool.js';
import { type WriteTarget, unmapWhole, writePlanned } from './write-path.js';
import { ZeroBlocks } from './zero-blocks.js';

const ZERO_CHUNK = Buffer.alloc(1 << 20);
const RESOLVED: Promise<void> = Promise.resolve();
const NOTHING_TO_RELEASE = (): void => undefined;
const lentNothing = (data: Uint8Array): LentBytes => ({ data, release: NOTHING_TO_RELEASE });

export class LocalBlockDevice implements BlockDevice {
  readonly size: number;
  readonly capabilities: BlockDeviceCapabilities;
  private closed = false;
  private own = 0;
  private idle: (() => void) | null = null;
  private readonly locks: ExtentLocks;
  /** What the write path needs of this device. */
  private readonly target: WriteTarget;

  constructor(
    private readonly store: LocalStore,
    private readonly node: TreeNode,
    private readonly writable: boolean,
    private readonly onClose: () => void,
  ) {
    this.size = node.size;
    this.capabilities = { canTrim: writable, canZero: writable, canFua: writable, canWrite: writable, canMultiConn: true };
    let l = store.locks.get(node.id);
    if (!l) store.locks.set(node.id, (l = new Map()));
    this.locks = l;
    this.target = { store, node, locks: l };
  }

  // ---- bookkeeping shared by every operation --------------------------------------------------------

  private check(offset: number, length: number, write: boolean): void {
    if (this.closed) throw new StorageError('closed', 'device is closed');
    if (write && !this.writable) throw new StorageError('read_only', 'device is read-only');
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > this.size) {
      throw new StorageError('out_of_range', `range ${offset}+${length} outside device of ${this.size} bytes`);
    }
  }

  private async enter(): Promise<number> {
    while (this.store.paused) await this.store.paused;
    if (this.closed) throw new StorageError('closed', 'device is closed');
    this.own++;
    return this.store.startIo();
  }

  private leave(epoch: number): void {
    this.store.endIo(epoch);
    if (--this.own === 0 && this.idle) this.idle();
  }

  // ---- read -----------------------------------------------------------------------------------------

  /**
   * Small reads (up to syncIoMax bytes) run synchronously when nothing they touch is locked and no
   * metadata operation is pending: preads from the page cache, no thread-pool hop, one settled promise.
   * Larger reads are planned at once: a contiguous one is one thread-pool read; a scattered one (a
   * volume with snapshot history resolves 1 MiB to ~13 runs of 64 KiB) is read right here when it is
   * small enough (see readsInline), otherwise it is one job of the store's scatter reader, so that it
   * costs the loop one completion.
   */
  read(offset: number, length: number): Promise<Uint8Array> {
    return this.readInto(offset, length, -1);
  }

  /**
   * As read, into a slab of the store's pool when the read is large (above syncIoMax, at most a slab)
   * and a slab is free; otherwise a new buffer with a release that does nothing. The NBD export gives
   * the slab back once the socket has the bytes: no buffer to allocate, fault in and free per read,
   * and the scatter reader's worker fills the slab in place instead of moving a buffer both ways.
   */
  readLent(offset: number, length: number): Promise<LentBytes> {
    const pool = this.store.slabs;
    const slab = length > this.store.syncIoMax && length <= SLAB_BYTES ? pool.take() : -1;
    if (slab < 0) return this.read(offset, length).then(lentNothing);
    let given = false;
    const release = (): void => {
      if (given) return;
      given = true;
      pool.give(slab);
    };
    return this.readInto(offset, length, slab).then(
      (data) => ({ data, release }),
      (e: unknown) => {
        release();
        throw e;
      },
    );
  }

  /** read() into slab `slab` of the store's pool, or into a new buffer when `slab` is -1. */
  private readInto(offset: number, length: number, slab: number): Promise<Uint8Array> {
    try {
      this.check(offset, length, false);
      if (!this.store.paused && !lockedIn(this.locks, offset, length)) {
        const epoch = this.store.startIo();
        this.own++;
        if (length <= this.store.syncIoMax) {
          try {
            const buf = Buffer.allocUnsafe(length);
            const fd = this.store.poolFd;
            planRead(this.store.tree, this.node, offset, buf, (b, n, pos) => preadFullSync(fd, buf, b, n, pos));
            return Promise.resolve(buf);
          } finally {
            this.leave(epoch);
          }
        }
        let io: Promise<Buffer>;
        try {
          io = this.issueRead(offset, length, slab);
        } catch (e) {
          this.leave(epoch);
          throw e;
        }
        return io.finally(() => this.leave(epoch));
      }
    } catch (e) {
      return Promise.reject(e);
    }
    return this.readAsync(offset, length, slab);
  }

  private async readAsync(offset: number, length: number, slab: number): Promise<Uint8Array> {
    const epoch = await this.enter();
    try {
      for (let w = lockedIn(this.locks, offset, length); w; w = lockedIn(this.locks, offset, length)) await w;
      return await this.issueRead(offset, length, slab);
    } finally {
      this.leave(epoch);
    }
  }

  /** Plans a read and issues it (see read()); call inside an epoch, in the step that checked locks. */
  private issueRead(offset: number, length: number, slab: number): Promise<Buffer> {
    const buf = slab >= 0 ? this.store.slabs.view(slab, length) : Buffer.allocUnsafeSlow(length);
    const runs: number[] = [];
    planRead(this.store.tree, this.node, offset, buf, (b, n, pos) => runs.push(b, n, pos));
    const fd = this.store.poolFd;
    if (runs.length === 0) return Promise.resolve(buf);
    if (runs.length === 3) return preadFull(fd, buf, runs[0]!, runs[1]!, runs[2]!).then(() => buf);
    if (this.readsInline(length)) {
      for (let i = 0; i < runs.length; i += 3) preadFullSync(fd, buf, runs[i]!, runs[i + 1]!, runs[i + 2]!);
      return Promise.resolve(buf);
    }
    if (slab >= 0) return this.store.scatter.readSlab(fd, slab, buf, runs);
    return this.store.scatter.read(fd, buf, runs);
  }

  /**
   * A scattered read is read right here when it is at most 8 times syncIoMax (1 MiB by default; 0
   * turns it off, as it does the small-I/O path). The worker's hop costs more CPU than the preads; it
   * paid off while other reads were in flight only as long as every read also allocated its buffer on
   * the loop. Since the NBD export's reads land in slabs, the preads here measured better at queue
   * depth 8 too (docs/storage.md, *Read buffers*). Larger ones go to the worker.
   */
  private readsInline(length: number): boolean {
    const max = this.store.syncIoMax;
    return max > 0 && length <= max * 8;
  }

  // ---- write ----------------------------------------------------------------------------------------

  /** Like read: small unlocked writes (in place or copy-on-write) complete synchronously. */
  write(offset: number, data: Uint8Array, options?: WriteOptions): Promise<void> {
    try {
      this.check(offset, data.length, true);
      if (data.length <= this.store.syncIoMax && !this.store.paused && !lockedIn(this.locks, offset, data.length)) {
        const epoch = this.store.startIo();
        this.own++;
        try {
          this.zeroBlocks()?.clear(offset, data.length);
          writePlanned(this.target, offset, data, true);
        } finally {
          this.leave(epoch);
        }
        return options?.fua ? this.store.commit() : RESOLVED;
      }
    } catch (e) {
      return Promise.reject(e);
    }
    return this.writeAsync(offset, data, options);
  }

  private async writeAsync(offset: number, data: Uint8Array, options?: WriteOptions): Promise<void> {
    const epoch = await this.enter();
    const zb = this.zeroBlocks();
    try {
      zb?.clear(offset, data.length);
      await this.writeLocked(offset, data);
    } finally {
      zb?.clear(offset, data.length); // bump again at the end: a writeZeroes spanning us must not mark
      this.leave(epoch);
    }
    if (options?.fua) await this.store.commit();
  }

  /** Waits for locks on the range, then plans and issues the write in one synchronous step. */
  private async writeLocked(offset: number, data: Uint8Array): Promise<void> {
    for (let w = lockedIn(this.locks, offset, data.length); w; w = lockedIn(this.locks, offset, data.length)) await w;
    await writePlanned(this.target, offset, data, false);
  }

  private zeroBlocks(): ZeroBlocks | undefined {
    return this.store.zeroes.get(this.node);
  }

  async flush(): Promise<void> {
    if (this.closed) throw new StorageError('closed', 'device is closed');
    await this.store.commit();
  }

  // ---- trim and zeroes ------------------------------------------------------------------------------

  async trim(offset: number, length: number, options?: WriteOptions): Promise<void> {
    this.check(offset, length, true);
    const epoch = await this.enter();
    try {
      for (let w = lockedIn(this.locks, offset, length); w; w = lockedIn(this.locks, offset, length)) await w;
      this.unmap(offset, length);
    } finally {
      this.leave(epoch);
    }
    if (options?.fua) await this.store.commit();
  }

  async writeZeroes(offset: number, length: number, options?: ZeroOptions): Promise<void> {
    this.check(offset, length, true);
    const epoch = await this.enter();
    try {
      for (let w = lockedIn(this.locks, offset, length); w; w = lockedIn(this.locks, offset, length)) await w;
      let zb = this.zeroBlocks();
      const version = zb?.version ?? 0;
      if (options?.noHole) await this.writeZeroRange(offset, length);
      else {
        const { head, tail } = this.unmap(offset, length);
        await this.writeZeroRange(head[0], head[1]);
        await this.writeZeroRange(tail[0], tail[1]);
      }
      // Remember what now reads as zeroes inside allocated extents, unless a data write raced us.
      if (!zb) this.store.zeroes.set(this.node, (zb = new ZeroBlocks()));
      if (zb.version === version) zb.mark(offset, length, (idx) => this.store.tree.lookup(this.node, idx) !== 0);
    } finally {
      this.leave(epoch);
    }
    if (options?.fua) await this.store.commit();
  }

  /** Unmaps the whole extents of the range (forgetting their zero blocks); returns head and tail. */
  private unmap(offset: number, length: number): { head: [number, number]; tail: [number, number] } {
    return unmapWhole(this.target, offset, length, (idx) => this.zeroBlocks()?.forget(idx));
  }

  private async writeZeroRange(offset: number, length: number): Promise<void> {
    for (let done = 0; done < length; ) {
      const n = Math.min(ZERO_CHUNK.length, length - done);
      const at = offset + done;
      if (n <= this.store.syncIoMax && !lockedIn(this.locks, at, n)) writePlanned(this.target, at, ZERO_CHUNK.subarray(0, n), true);
      else await this.writeLocked(at, ZERO_CHUNK.subarray(0, n));
      done += n;
    }
  }

  // ---- block status ---------------------------------------------------------------------------------

  async blockStatus(offset: number, length: number): Promise<Extent[]> {
    this.check(offset, length, false);
    return this.extentMap(offset, length, true);
  }

  /** Holes, allocated ranges and (with `zeroes`) blocks known to read as zeroes; synchronous. */
  extentMap(offset: number, length: number, zeroes: boolean): Extent[] {
    return extentMap(this.store.tree, this.node, zeroes ? this.zeroBlocks() : undefined, offset, length);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.own > 0) await new Promise<void>((r) => (this.idle = r));
    this.onClose();
  }
}

