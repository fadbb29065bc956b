/**
 * The local store's data path: a BlockDevice over one node (volume or snapshot) of the extent tree.
 * Layer: drivers/storage/local; imports core/ports and the store engine.
 *
 * An I/O is planned synchronously (lookups, allocations, extent locks) and then issued as few
 * positional reads/writes as possible: neighbouring extents that sit in neighbouring slots coalesce.
 * Extents being allocated or copied are locked, so a concurrent I/O on them waits rather than seeing
 * a half-filled slot. No fsync per I/O: durability is flush()/FUA, which group-commits.
 */
import type {
  BlockDevice,
  BlockDeviceCapabilities,
  Extent,
  WriteOptions,
  ZeroOptions,
} from '../../../core/ports/block-device.js';
import { StorageError } from '../storage-error.js';
import { EXTENT_SIZE, LEAF_BYTES, LEAF_ENTRIES, LEAF_SHIFT, type TreeNode } from './extent-tree.js';
import { preadFull, preadFullSync, pwriteFull, pwriteFullSync } from './fs-io.js';
import { LocalStore } from './local-store.js';
import { FULL_MASK, ZERO_BLOCK, ZeroBlocks } from './zero-blocks.js';

const ZERO_CHUNK = Buffer.alloc(1 << 20);
/** One extent of scratch space for synchronous copy-on-write (safe to share: nothing awaits inside). */
const SCRATCH = Buffer.allocUnsafe(EXTENT_SIZE);
const RESOLVED: Promise<void> = Promise.resolve();

export class LocalBlockDevice implements BlockDevice {
  readonly size: number;
  readonly capabilities: BlockDeviceCapabilities;
  private closed = false;
  private own = 0;
  private idle: (() => void) | null = null;
  private readonly locks: Map<number, Promise<void>>;

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

  /**
   * A lock held on any extent of the range, or undefined. Callers loop `while ((w = lockedIn())) await w`
   * and then plan *synchronously*: any await between the check and the plan would let another I/O
   * lock (and half-fill) an extent we are about to use.
   */
  private lockedIn(offset: number, length: number): Promise<void> | undefined {
    if (this.locks.size === 0 || length === 0) return undefined;
    const first = Math.floor(offset / EXTENT_SIZE);
    const last = Math.floor((offset + length - 1) / EXTENT_SIZE);
    for (let i = first; i <= last; i++) {
      const w = this.locks.get(i);
      if (w) return w;
    }
    return undefined;
  }

  // ---- read -----------------------------------------------------------------------------------------

  /**
   * Small reads whose extents are unlocked and with no metadata operation pending run synchronously
   * (one pread from the page cache, no thread-pool hop, one settled promise); the rest go async.
   */
  read(offset: number, length: number): Promise<Uint8Array> {
    try {
      this.check(offset, length, false);
      if (length <= this.store.syncIoMax && !this.store.paused && !this.lockedIn(offset, length)) {
        const epoch = this.store.startIo();
        this.own++;
        try {
          const buf = Buffer.allocUnsafe(length);
          this.planRead(offset, buf, (b, n, pos) => preadFullSync(this.store.poolFd, buf, b, n, pos));
          return Promise.resolve(buf);
        } finally {
          this.leave(epoch);
        }
      }
    } catch (e) {
      return Promise.reject(e);
    }
    return this.readAsync(offset, length);
  }

  private async readAsync(offset: number, length: number): Promise<Uint8Array> {
    const epoch = await this.enter();
    try {
      for (let w = this.lockedIn(offset, length); w; w = this.lockedIn(offset, length)) await w;
      const buf = Buffer.allocUnsafe(length);
      const ios: Promise<void>[] = [];
      this.planRead(offset, buf, (b, n, pos) => ios.push(preadFull(this.store.poolFd, buf, b, n, pos)));
      if (ios.length === 1) await ios[0];
      else if (ios.length > 1) await Promise.all(ios);
      return buf;
    } finally {
      this.leave(epoch);
    }
  }

  /** Zero-fills holes of `buf` and hands each run of neighbouring slots to `issue` (synchronously). */
  private planRead(offset: number, buf: Buffer, issue: (bufOff: number, len: number, filePos: number) => void): void {
    const tree = this.store.tree;
    let runPos = -1;
    let runBuf = 0;
    let runLen = 0;
    let pos = offset;
    const end = offset + buf.length;
    while (pos < end) {
      const idx = Math.floor(pos / EXTENT_SIZE);
      const within = pos - idx * EXTENT_SIZE;
      const n = Math.min(EXTENT_SIZE - within, end - pos);
      const slot = tree.lookup(this.node, idx);
      const b = pos - offset;
      if (slot === 0) {
        buf.fill(0, b, b + n);
      } else {
        const filePos = LocalStore.slotOffset(slot) + within;
        if (runLen > 0 && runPos + runLen === filePos && runBuf + runLen === b) runLen += n;
        else {
          if (runLen > 0) issue(runBuf, runLen, runPos);
          runPos = filePos;
          runBuf = b;
          runLen = n;
        }
      }
      pos += n;
    }
    if (runLen > 0) issue(runBuf, runLen, runPos);
  }

  // ---- write ----------------------------------------------------------------------------------------

  /** Like read: small unlocked writes (in place or copy-on-write) complete synchronously. */
  write(offset: number, data: Uint8Array, options?: WriteOptions): Promise<void> {
    try {
      this.check(offset, data.length, true);
      if (data.length <= this.store.syncIoMax && !this.store.paused && !this.lockedIn(offset, data.length)) {
        const epoch = this.store.startIo();
        this.own++;
        try {
          this.zeroBlocks()?.clear(offset, data.length);
          this.writePlanned(offset, data, true);
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
    for (let w = this.lockedIn(offset, data.length); w; w = this.lockedIn(offset, data.length)) await w;
    await this.writePlanned(offset, data, false);
  }

  /**
   * Plans a write (lookups, allocations) and issues it. `sync`: every pwrite happens before this
   * returns (no locks needed, nothing can interleave); otherwise the new extents are locked until
   * the returned promise settles. Either way a remap is recorded only after its data write succeeded,
   * and a failed write puts the old mappings back.
   */
  private writePlanned(offset: number, data: Uint8Array, sync: true): void;
  private writePlanned(offset: number, data: Uint8Array, sync: false): Promise<void>;
  private writePlanned(offset: number, data: Uint8Array, sync: boolean): Promise<void> | void {
    const store = this.store;
    const tree = store.tree;
    const fd = store.poolFd;
    const ios: Promise<void>[] = [];
    // Allocations made by this write: [idx, newSlot, oldSlot] triples, undone if the I/O fails.
    const allocs: number[] = [];
    let release: (() => void) | null = null;
    let lock: Promise<void> | null = null;
    let runPos = -1;
    let runData = 0;
    let runLen = 0;
    const flushRun = (): void => {
      if (runLen === 0) return;
      if (sync) pwriteFullSync(fd, data, runData, runLen, runPos);
      else ios.push(pwriteFull(fd, data, runData, runLen, runPos));
      runLen = 0;
    };
    const addRun = (filePos: number, d: number, n: number): void => {
      if (runLen > 0 && runPos + runLen === filePos && runData + runLen === d) runLen += n;
      else {
        flushRun();
        runPos = filePos;
        runData = d;
        runLen = n;
      }
    };
    const undo = (e: unknown): StorageError => {
      for (let i = 0; i < allocs.length; i += 3) tree.setEntry(this.node, allocs[i]!, allocs[i + 2]!);
      return new StorageError('io', `write failed: ${(e as Error).message}`, true);
    };
    store.markDirty();
    try {
      let pos = offset;
      const end = offset + data.length;
      while (pos < end) {
        const idx = Math.floor(pos / EXTENT_SIZE);
        const within = pos - idx * EXTENT_SIZE;
        const n = Math.min(EXTENT_SIZE - within, end - pos);
        const d = pos - offset;
        if (tree.isExclusive(this.node, idx)) {
          addRun(LocalStore.slotOffset(tree.lookup(this.node, idx)) + within, d, n);
        } else {
          const old = tree.lookup(this.node, idx);
          const slot = store.allocSlot();
          tree.setEntry(this.node, idx, slot);
          allocs.push(idx, slot, old);
          if (!sync) {
            if (!lock) lock = new Promise<void>((r) => (release = r));
            this.locks.set(idx, lock);
          }
          if (n === EXTENT_SIZE) addRun(LocalStore.slotOffset(slot), d, n);
          else if (sync) this.fillExtentSync(old, slot, within, data.subarray(d, d + n));
          else ios.push(this.fillExtent(old, slot, within, data.subarray(d, d + n)));
        }
        pos += n;
      }
      flushRun();
    } catch (e) {
      const err = undo(e);
      if (!sync) this.unlock(allocs, release);
      throw err;
    }
    const record = (): void => {
      for (let i = 0; i < allocs.length; i += 3) store.recordMap(this.node.id, allocs[i]!, allocs[i + 1]!);
    };
    if (sync) return record();
    return (ios.length === 1 ? ios[0]! : Promise.all(ios)).then(
      () => {
        record();
        this.unlock(allocs, release);
      },
      (e: unknown) => {
        const err = undo(e);
        this.unlock(allocs, release);
        throw err;
      },
    );
  }

  private unlock(allocs: number[], release: (() => void) | null): void {
    for (let i = 0; i < allocs.length; i += 3) this.locks.delete(allocs[i]!);
    release?.();
  }

  /** Copy-on-write of a partial extent: old content (or zeroes) with `part` laid over at `within`. */
  private async fillExtent(oldSlot: number, slot: number, within: number, part: Uint8Array): Promise<void> {
    const buf = oldSlot !== 0 ? Buffer.allocUnsafe(EXTENT_SIZE) : Buffer.alloc(EXTENT_SIZE);
    if (oldSlot !== 0) await preadFull(this.store.poolFd, buf, 0, EXTENT_SIZE, LocalStore.slotOffset(oldSlot));
    buf.set(part, within);
    await pwriteFull(this.store.poolFd, buf, 0, EXTENT_SIZE, LocalStore.slotOffset(slot));
  }

  /** The same, synchronously, through one reusable scratch extent (only the uncovered parts are read). */
  private fillExtentSync(oldSlot: number, slot: number, within: number, part: Uint8Array): void {
    const buf = SCRATCH;
    const fd = this.store.poolFd;
    const tail = within + part.length;
    if (oldSlot === 0) {
      buf.fill(0, 0, within);
      buf.fill(0, tail);
    } else {
      const from = LocalStore.slotOffset(oldSlot);
      if (within > 0) preadFullSync(fd, buf, 0, within, from);
      if (tail < EXTENT_SIZE) preadFullSync(fd, buf, tail, EXTENT_SIZE - tail, from + tail);
    }
    buf.set(part, within);
    pwriteFullSync(fd, buf, 0, EXTENT_SIZE, LocalStore.slotOffset(slot));
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
      for (let w = this.lockedIn(offset, length); w; w = this.lockedIn(offset, length)) await w;
      this.unmapWhole(offset, length);
    } finally {
      this.leave(epoch);
    }
    if (options?.fua) await this.store.commit();
  }

  /** Unmaps the extents wholly inside the range; returns the partial head and tail left over. */
  private unmapWhole(offset: number, length: number): { head: [number, number]; tail: [number, number] } {
    const end = offset + length;
    const firstFull = Math.ceil(offset / EXTENT_SIZE);
    const lastFull = Math.floor(end / EXTENT_SIZE); // exclusive
    const tree = this.store.tree;
    if (firstFull >= lastFull) return { head: [offset, length], tail: [end, 0] };
    for (let idx = firstFull; idx < lastFull; idx++) {
      if ((idx & (LEAF_ENTRIES - 1)) === 0 && !this.node.leaves[idx >>> LEAF_SHIFT]) {
        idx += LEAF_ENTRIES - 1; // a whole hole leaf: nothing to unmap
        continue;
      }
      if (tree.lookup(this.node, idx) !== 0) {
        tree.setEntry(this.node, idx, 0);
        this.store.recordMap(this.node.id, idx, 0);
        this.zeroBlocks()?.forget(idx);
      }
    }
    const headEnd = firstFull * EXTENT_SIZE;
    const tailStart = lastFull * EXTENT_SIZE;
    return { head: [offset, headEnd - offset], tail: [tailStart, end - tailStart] };
  }

  async writeZeroes(offset: number, length: number, options?: ZeroOptions): Promise<void> {
    this.check(offset, length, true);
    const epoch = await this.enter();
    try {
      for (let w = this.lockedIn(offset, length); w; w = this.lockedIn(offset, length)) await w;
      let zb = this.zeroBlocks();
      const version = zb?.version ?? 0;
      if (options?.noHole) await this.writeZeroRange(offset, length);
      else {
        const { head, tail } = this.unmapWhole(offset, length);
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

  private async writeZeroRange(offset: number, length: number): Promise<void> {
    for (let done = 0; done < length; ) {
      const n = Math.min(ZERO_CHUNK.length, length - done);
      const at = offset + done;
      if (n <= this.store.syncIoMax && !this.lockedIn(at, n)) this.writePlanned(at, ZERO_CHUNK.subarray(0, n), true);
      else await this.writeLocked(at, ZERO_CHUNK.subarray(0, n));
      done += n;
    }
  }

  // ---- block status ---------------------------------------------------------------------------------

  async blockStatus(offset: number, length: number): Promise<Extent[]> {
    this.check(offset, length, false);
    return this.extentMap(offset, length, true);
  }

  /**
   * Holes, allocated ranges and (with `zeroes`) allocated 4 KiB blocks known to read as zeroes,
   * merged and in order. Synchronous: lookups only.
   */
  extentMap(offset: number, length: number, zeroes: boolean): Extent[] {
    const out: Extent[] = [];
    const push = (at: number, n: number, state: Extent['state']): void => {
      const last = out[out.length - 1];
      if (last && last.state === state) last.length += n;
      else out.push({ offset: at, length: n, state });
    };
    const end = offset + length;
    const tree = this.store.tree;
    const zb = zeroes ? this.zeroBlocks() : undefined;
    let pos = offset;
    while (pos < end) {
      const idx = Math.floor(pos / EXTENT_SIZE);
      const leafMissing = !this.node.leaves[idx >>> LEAF_SHIFT];
      const span = leafMissing ? LEAF_BYTES - (pos % LEAF_BYTES) : EXTENT_SIZE - (pos - idx * EXTENT_SIZE);
      const n = Math.min(span, end - pos);
      if (leafMissing || tree.lookup(this.node, idx) === 0) push(pos, n, 'hole');
      else {
        const mask = zb ? zb.mask(idx) : 0;
        if (mask === 0) push(pos, n, 'allocated');
        else if (mask === FULL_MASK) push(pos, n, 'zero');
        else {
          // Block by block: 4 KiB granularity inside a partly zeroed extent.
          const stop = pos + n;
          while (pos < stop) {
            const b = Math.floor((pos - idx * EXTENT_SIZE) / ZERO_BLOCK);
            const k = Math.min(ZERO_BLOCK - (pos % ZERO_BLOCK), stop - pos);
            push(pos, k, mask & (1 << b) ? 'zero' : 'allocated');
            pos += k;
          }
          continue;
        }
      }
      pos += n;
    }
    return out;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.own > 0) await new Promise<void>((r) => (this.idle = r));
    this.onClose();
  }
}

