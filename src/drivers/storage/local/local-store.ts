/**
 * The local store's engine: owns the data file (`pool`), the extent tree, the journal and checkpoint,
 * and the rules that make it crash-safe. The driver (API) and block devices (data path) sit on it.
 * Layer: drivers/storage/local; node:fs, node:path, node:process only.
 *
 * Crash-safety rules (see docs/storage.md):
 * 1. Data before metadata: an extent remap is journaled only after its data write completed, and a
 *    commit fdatasyncs the pool before appending the journal; so no durable record points at a slot
 *    whose data is not durable (no stale bytes of a deleted volume can ever be read).
 * 2. No reuse before the free is durable: a freed slot stays pending until the record that freed it is
 *    fsynced, and then until every I/O that started before that commit has finished.
 * 3. Writes to a slot in place only when exactly one leaf of one node sees it; shared slots are
 *    immutable, so snapshots never change under a write.
 * 4. Metadata operations pause I/O (all devices), apply, and commit before they return.
 */
import fs from 'node:fs';
import path from 'node:path';
import { StorageError } from '../storage-error.js';
import { type DefragOptions, Defragmenter } from './defrag.js';
import { EXTENT_SIZE, ExtentTree, type TreeNode, slotOffset } from './extent-tree.js';
import { FreeSlots } from './free-slots.js';
import { fdatasync, fsyncDir, pwriteFull } from './fs-io.js';
import { placeSlot } from './placement.js';
import { ScatterReader } from './scatter-reader.js';
import { SlabPool } from './slab-pool.js';
import type { ZeroBlocks } from './zero-blocks.js';
import {
  HEADER_BYTES,
  JOURNAL_MAGIC,
  type MetaRecord,
  applyEntry,
  decodeCheckpoint,
  decodeRecords,
  encodeCheckpoint,
  encodeMap,
  encodeMeta,
  encodeMove,
  header,
  readHeader,
} from './journal.js';

export interface LocalStoreOptions {
  /** Checkpoint (and reset the journal) once it grows past this many bytes. Default 64 MiB. */
  checkpointJournalBytes?: number;
  /**
   * Reads and writes up to this many bytes run synchronously on the event loop (no thread-pool hop)
   * when nothing they touch is locked. Default 128 KiB; 0 sends every I/O through the thread pool.
   * The cost: a read that misses the page cache blocks the loop for one device access.
   */
  syncIoMaxBytes?: number;
  /** The background defragmenter (defrag.ts); `{ idleMs: 0 }` turns it off. */
  defrag?: DefragOptions;
}

export class LocalStore {
  readonly tree: ExtentTree;
  readonly poolFd: number;
  private journalFd: number;
  private journalSize: number;
  private generation: number;
  private readonly checkpointBytes: number;
  readonly syncIoMax: number;
  /** Blocks known to read as zeroes, per node (memory only; see zero-blocks.ts). */
  readonly zeroes = new WeakMap<TreeNode, ZeroBlocks>();
  /** Reusable 1 MiB buffers for large reads whose consumer gives them back (readLent; slab-pool.ts). */
  readonly slabs = new SlabPool();
  /** Reads of several scattered runs, in one job off the event loop (scatter-reader.ts). */
  readonly scatter = new ScatterReader(this.slabs);

  /** Journal bytes not yet written, in order; maps are buffered per node until the next meta record. */
  private pending: Buffer[] = [];
  private pendingMaps = new Map<string, number[]>();
  private pendingFree: number[] = [];
  private committedFree: { epoch: number; slots: number[] }[] = [];
  /** Reusable slots (a bitmap: lowest free, a given slot, a wholly free 1 MiB block). */
  readonly free = new FreeSlots();
  /** Moves volumes' scattered 1 MiB groups back together when the store is idle (defrag.ts). */
  readonly defrag: Defragmenter;
  /** I/Os started since open: the defragmenter's idleness test. */
  ioCount = 0;
  private dirty = false;
  private broken: Error | null = null;

  private epoch = 0;
  private inflight = new Map<number, number>();
  private inflightTotal = 0;
  private drained: (() => void) | null = null;
  /** Set while a metadata operation runs; I/O waits on it. */
  paused: Promise<void> | null = null;
  private metaChain: Promise<unknown> = Promise.resolve();

  private commitChain: Promise<void> = Promise.resolve();
  private queuedCommit: Promise<void> | null = null;

  /** Extent locks per node id: extents being allocated or copied. */
  readonly locks = new Map<string, Map<number, Promise<void>>>();
  readonly openCount = new Map<string, number>();

  private constructor(
    readonly root: string,
    opts: LocalStoreOptions,
    tree: ExtentTree,
    poolFd: number,
    journalFd: number,
    journalSize: number,
    generation: number,
  ) {
    this.tree = tree;
    this.poolFd = poolFd;
    this.journalFd = journalFd;
    this.journalSize = journalSize;
    this.generation = generation;
    this.checkpointBytes = opts.checkpointJournalBytes ?? 64 * 2 ** 20;
    this.syncIoMax = opts.syncIoMaxBytes ?? 128 * 1024;
    this.defrag = new Defragmenter(this, opts.defrag);
  }

  /** Opens (creating if needed) the store in `root`, replaying the journal. Takes a pid lock. */
  static async open(root: string, opts: LocalStoreOptions = {}): Promise<LocalStore> {
    fs.mkdirSync(root, { recursive: true });
    takeLock(root);
    try {
      const loaded = loadTree(root);
      const { tree, generation, journalValidEnd } = loaded;
      const journalPath = path.join(root, 'journal');
      if (!loaded.journalMatches) writeFreshJournal(root, generation);
      const journalFd = fs.openSync(journalPath, 'r+');
      const journalSize = loaded.journalMatches ? journalValidEnd : HEADER_BYTES;
      fs.ftruncateSync(journalFd, journalSize); // drop a torn tail
      const poolFd = fs.openSync(path.join(root, 'pool'), fs.existsSync(path.join(root, 'pool')) ? 'r+' : 'w+');
      const store = new LocalStore(root, opts, tree, poolFd, journalFd, journalSize, generation);
      tree.onFree = (s) => store.pendingFree.push(s);
      for (let s = 1; s < tree.hwm; s++) {
        if (tree.slotRefs[s] === 0) store.free.add(s);
        else store.free.markWritten(s);
      }
      for (const n of tree.nodes.values()) if (n.kind === 'volume') store.defrag.scanAll(n.id); // written before
      return store;
    } catch (e) {
      releaseLock(root);
      throw e;
    }
  }

  // ---- I/O gate and epochs --------------------------------------------------------------------------

  /** Registers an I/O; returns its epoch for endIo. Callers first await `paused` if set. */
  startIo(): number {
    if (this.broken) throw new StorageError('io', `store is broken: ${this.broken.message}`);
    const e = this.epoch;
    this.ioCount++;
    this.inflight.set(e, (this.inflight.get(e) ?? 0) + 1);
    this.inflightTotal++;
    return e;
  }

  endIo(epoch: number): void {
    const n = this.inflight.get(epoch)! - 1;
    if (n === 0) {
      this.inflight.delete(epoch);
      if (this.committedFree.length) this.releaseFrees();
    } else this.inflight.set(epoch, n);
    if (--this.inflightTotal === 0 && this.drained) this.drained();
  }

  /** True when no I/O is in flight and no metadata operation runs (the defragmenter may work). */
  get quiet(): boolean {
    return this.inflightTotal === 0 && this.paused === null && this.broken === null;
  }

  /** Runs a metadata operation with all I/O paused and drained, then commits it. Serialized. */
  async exclusive<T>(fn: () => T | Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      let release!: () => void;
      this.paused = new Promise<void>((r) => (release = r));
      try {
        if (this.inflightTotal > 0) await new Promise<void>((r) => (this.drained = r));
        this.drained = null;
        const out = await fn();
        await this.commit();
        return out;
      } finally {
        this.paused = null;
        release();
      }
    };
    const p = this.metaChain.then(run, run);
    this.metaChain = p.catch(() => undefined);
    return p;
  }

  // ---- slots and records ----------------------------------------------------------------------------

  /** A slot for a new write of extent `idx` of `node` (placement.ts); the caller writes all of it. */
  allocSlotFor(node: TreeNode, idx: number): number {
    const slot = placeSlot(this.tree, this.free, node, idx, () => this.tree.hwm - 1 - this.freeSlotCount());
    this.free.markWritten(slot);
    this.defrag.noteAlloc(node.id, idx);
    return slot;
  }

  static slotOffset(slot: number): number {
    return slotOffset(slot);
  }

  markDirty(): void {
    this.dirty = true;
  }

  recordMap(id: string, idx: number, slot: number): void {
    let p = this.pendingMaps.get(id);
    if (!p) this.pendingMaps.set(id, (p = []));
    p.push(idx, slot);
  }

  recordMeta(rec: MetaRecord): void {
    this.spillMaps();
    this.pending.push(encodeMeta(rec));
  }

  /** Journals the defragmenter's slot moves (after the maps recorded before them). */
  recordMove(moves: number[]): void {
    this.spillMaps();
    this.pending.push(encodeMove({ moves }));
  }

  private spillMaps(): void {
    for (const [id, pairs] of this.pendingMaps) this.pending.push(encodeMap({ id, pairs }));
    this.pendingMaps.clear();
  }

  private releaseFrees(): void {
    let min = Infinity;
    for (const e of this.inflight.keys()) if (e < min) min = e;
    while (this.committedFree.length && this.committedFree[0]!.epoch < min) {
      for (const s of this.committedFree.shift()!.slots) this.free.add(s);
    }
  }

  // ---- durability -----------------------------------------------------------------------------------

  /** Group commit: every write and record completed before the call becomes durable. */
  commit(): Promise<void> {
    if (this.queuedCommit) return this.queuedCommit;
    const p = this.commitChain.then(() => {
      this.queuedCommit = null;
      return this.doCommit();
    });
    this.queuedCommit = p;
    this.commitChain = p.catch(() => undefined);
    return p;
  }

  private async doCommit(): Promise<void> {
    if (this.broken) throw new StorageError('io', `store is broken: ${this.broken.message}`);
    this.spillMaps();
    const records = this.pending;
    const frees = this.pendingFree;
    const wasDirty = this.dirty;
    this.pending = [];
    this.pendingFree = [];
    this.dirty = false;
    try {
      if (wasDirty || records.length) await fdatasync(this.poolFd);
      if (records.length) {
        const buf = records.length === 1 ? records[0]! : Buffer.concat(records);
        await pwriteFull(this.journalFd, buf, 0, buf.length, this.journalSize);
        this.journalSize += buf.length;
        await fdatasync(this.journalFd);
      }
    } catch (e) {
      // The in-memory tree is now ahead of the disk in a way we cannot undo: refuse further work
      // rather than acknowledge writes we may lose. Reopening the store recovers the durable state.
      this.broken = e as Error;
      throw new StorageError('io', `commit failed: ${(e as Error).message}`, true);
    }
    if (frees.length) this.committedFree.push({ epoch: this.epoch, slots: frees });
    this.epoch++;
    this.releaseFrees();
    if (this.journalSize > this.checkpointBytes && !this.paused) void this.exclusive(() => this.checkpoint());
  }

  /** Writes the whole tree as a new checkpoint and resets the journal. Call with I/O paused. */
  async checkpoint(): Promise<void> {
    await this.commit();
    if (this.dirty) await fdatasync(this.poolFd);
    const gen = this.generation + 1;
    const buf = encodeCheckpoint(this.tree, gen, EXTENT_SIZE);
    const tmp = path.join(this.root, 'checkpoint.tmp');
    const fd = fs.openSync(tmp, 'w');
    try {
      fs.writeSync(fd, buf, 0, buf.length, 0);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, path.join(this.root, 'checkpoint'));
    fsyncDir(this.root);
    this.generation = gen;
    writeFreshJournal(this.root, gen);
    fs.closeSync(this.journalFd);
    this.journalFd = fs.openSync(path.join(this.root, 'journal'), 'r+');
    this.journalSize = HEADER_BYTES;
  }

  /** Commits, checkpoints and releases the files and the lock. */
  async close(): Promise<void> {
    this.defrag.stop();
    try {
      if (!this.broken) await this.exclusive(() => this.checkpoint());
    } finally {
      await this.scatter.close();
      fs.closeSync(this.poolFd);
      fs.closeSync(this.journalFd);
      releaseLock(this.root);
    }
  }

  /** Test hook: stop dead like kill -9 would (no commit, no checkpoint), releasing fds and lock. */
  abandon(): void {
    this.broken = new Error('abandoned');
    this.defrag.stop();
    void this.scatter.close();
    fs.closeSync(this.poolFd);
    fs.closeSync(this.journalFd);
    releaseLock(this.root);
  }

  freeSlotCount(): number {
    return this.free.count + this.pendingFree.length + this.committedFree.reduce((n, c) => n + c.slots.length, 0);
  }
}

// ---- loading ----------------------------------------------------------------------------------------

export interface LoadedTree {
  tree: ExtentTree;
  generation: number;
  journalMatches: boolean;
  journalValidEnd: number;
  journalRecords: number;
  journalTornBytes: number;
}

/** Reads checkpoint + journal of `root` into a fresh tree. Throws if the checkpoint is corrupt. */
export function loadTree(root: string): LoadedTree {
  const tree = new ExtentTree();
  const cpPath = path.join(root, 'checkpoint');
  let generation = 0;
  if (fs.existsSync(cpPath)) generation = decodeCheckpoint(fs.readFileSync(cpPath), tree).generation;
  const jPath = path.join(root, 'journal');
  let journalMatches = false;
  let validEnd = HEADER_BYTES;
  let records = 0;
  let torn = 0;
  if (fs.existsSync(jPath)) {
    const buf = fs.readFileSync(jPath);
    if (readHeader(buf, JOURNAL_MAGIC) === generation) {
      journalMatches = true;
      const { entries, validEnd: end } = decodeRecords(buf, HEADER_BYTES);
      for (const e of entries) applyEntry(tree, e);
      validEnd = end;
      records = entries.length;
      torn = buf.length - end;
    }
  }
  return { tree, generation, journalMatches, journalValidEnd: validEnd, journalRecords: records, journalTornBytes: torn };
}

function writeFreshJournal(root: string, generation: number): void {
  const tmp = path.join(root, 'journal.tmp');
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, header(JOURNAL_MAGIC, generation));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, path.join(root, 'journal'));
  fsyncDir(root);
}

// One process per store: a pid file, taken over when its owner is dead (after kill -9).
// Exported for tools that must keep a server from opening the store while they read it
// (`pocketstack storage check`); they throw StorageError 'in_use' naming the owner's pid.
export function takeLock(root: string): void {
  const p = path.join(root, 'LOCK');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(p, String(process.pid), { flag: 'wx' });
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(fs.readFileSync(p, 'utf8'));
      if (pid && pid !== process.pid && isAlive(pid)) {
        throw new StorageError('in_use', `store ${root} is open in process ${pid}`);
      }
      if (pid === process.pid) throw new StorageError('in_use', `store ${root} is already open in this process`);
      fs.rmSync(p, { force: true });
    }
  }
  throw new StorageError('in_use', `cannot lock store ${root}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function releaseLock(root: string): void {
  fs.rmSync(path.join(root, 'LOCK'), { force: true });
}

