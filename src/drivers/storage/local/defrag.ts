/**
 * The local store's defragmenter: brings each 1 MiB group of a volume (16 extents) back next to each
 * other in the data file, at their places in one 1 MiB block, so that a volume rewritten piecemeal
 * between snapshots reads 1 MiB with one pread again instead of one per scattered run.
 * Layer: drivers/storage/local; imports the store engine and fs-io.
 *
 * A move copies an extent's bytes from its slot to a free slot, then points every leaf that holds
 * the old slot at the new one (ExtentTree.moveSlot): volumes and snapshots keep sharing what they
 * shared, and every node reads the same bytes before and after. It is crash-safe by the store's
 * rules: the copy is written before the move is recorded, a commit syncs the data file before it
 * appends the record, and the old slot is freed like any other (reusable once the record is durable
 * and no earlier I/O is in flight). A group is moved in one synchronous step, only while no I/O is in
 * flight and no metadata operation runs, so no write can land in a slot while it is being copied.
 *
 * In the background it works only after the store has seen no I/O for `idleMs`, in slices of a few
 * milliseconds, and stops after a pass over every volume that moved nothing, until a write
 * allocates again.
 */
import { EXTENT_SIZE, type ExtentTree, LEAF_ENTRIES, LEAF_SHIFT, type TreeNode, slotOffset } from './extent-tree.js';
import { BLOCK_SLOTS, type FreeSlots } from './free-slots.js';
import { preadFullSync, pwriteFullSync } from './fs-io.js';
import { freeBlock } from './placement.js';

/** What the defragmenter needs of the store (LocalStore). */
export interface DefragStore {
  readonly tree: ExtentTree;
  readonly free: FreeSlots;
  readonly poolFd: number;
  /** I/Os started so far: unchanged between two looks means the store was idle. */
  readonly ioCount: number;
  /** No I/O in flight and no metadata operation running. */
  readonly quiet: boolean;
  freeSlotCount(): number;
  markDirty(): void;
  recordMove(moves: number[]): void;
  commit(): Promise<void>;
}

/** Longest synchronous slice of background work, ms (one group's copy may overrun it). */
const SLICE_MS = 8;
/** Pause between slices while the store stays idle, ms. */
const SLICE_GAP_MS = 2;

/** Where group `first` of `node` goes: a block base, NEW_BLOCK for a wholly free one, or 0 (leave it). */
export const NEW_BLOCK = -1;

/**
 * Plans group `first` (a multiple of 16) of `node`. Nothing to do (0) when fewer than two extents
 * are mapped or all of them already sit at their places in one block. Otherwise the block that
 * already holds most of them at their places, if every other place the group needs there is free;
 * else NEW_BLOCK. Pure: `isFree` says which slots may be taken.
 */
export function planGroup(tree: ExtentTree, node: TreeNode, first: number, isFree: (slot: number) => boolean): number {
  const end = Math.min(first + BLOCK_SLOTS, Math.ceil(node.size / EXTENT_SIZE));
  const placed = new Map<number, number>(); // block base -> extents already at their place in it
  let mapped = 0;
  for (let j = first; j < end; j++) {
    const s = tree.lookup(node, j);
    if (s === 0) continue;
    mapped++;
    if (((s - 1) & (BLOCK_SLOTS - 1)) === j - first) {
      const base = s - (j - first);
      placed.set(base, (placed.get(base) ?? 0) + 1);
    }
  }
  if (mapped < 2) return 0;
  if (placed.size === 1 && placed.values().next().value === mapped) return 0;
  let best = NEW_BLOCK;
  let bestScore = 0;
  for (const [base, score] of placed) {
    if (score <= bestScore) continue;
    let fits = true;
    for (let j = first; j < end && fits; j++) {
      const s = tree.lookup(node, j);
      if (s !== 0 && s !== base + (j - first) && !isFree(base + (j - first))) fits = false;
    }
    if (fits) {
      best = base;
      bestScore = score;
    }
  }
  return best;
}

export interface DefragOptions {
  /** Background work starts after this long without I/O, ms. Default 200; 0 turns it off. */
  idleMs?: number;
  /** Called when a background run that moved something has caught up. */
  onCaughtUp?: (report: { moved: number; ms: number }) => void;
}

export class Defragmenter {
  /** Extents moved since the store opened. */
  moved = 0;
  private readonly idleMs: number;
  private timer: NodeJS.Timeout | null = null;
  /** A slice's commit is pending: the next tick is scheduled when it settles. */
  private committing = false;
  private stopped = false;
  /** A write allocated since the current pass began: the pass must not end the work. */
  private wanted = false;
  private passMoved = 0;
  private cursor: { id: string; group: number } | null = null;
  private seenIo = -1;
  private runStart = 0;
  private runMoved = 0;
  private readonly scratch = Buffer.allocUnsafe(BLOCK_SLOTS * EXTENT_SIZE);

  constructor(
    private readonly store: DefragStore,
    private readonly opts: DefragOptions = {},
  ) {
    this.idleMs = opts.idleMs ?? 200;
  }

  /** Moved extents, and whether background work is done for now (nothing scheduled or committing). */
  status(): { moved: number; settled: boolean } {
    return { moved: this.moved, settled: this.timer === null && !this.committing };
  }

  /** Something may have fragmented (a write allocated): make sure a background run will look. */
  wake(): void {
    this.wanted = true;
    if (this.timer || this.committing || this.stopped || this.idleMs <= 0) return;
    this.schedule(this.idleMs);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => this.tick(), ms);
    this.timer.unref();
  }

  /** Works one slice when the store saw no I/O since the last tick; otherwise waits again. */
  private tick(): void {
    this.timer = null;
    if (this.stopped) return;
    const io = this.store.ioCount;
    if (io !== this.seenIo || !this.store.quiet) {
      this.seenIo = io;
      this.schedule(this.idleMs);
      return;
    }
    if (this.runMoved === 0) this.runStart = performance.now();
    let outcome: { moved: number; done: boolean };
    try {
      outcome = this.step(SLICE_MS);
    } catch {
      this.stop(); // an I/O error: the data path will meet it too and report it; stay out of the way
      return;
    }
    this.runMoved += outcome.moved;
    if (outcome.done) {
      const report = { moved: this.runMoved, ms: Math.round(performance.now() - this.runStart) };
      this.runMoved = 0;
      if (report.moved > 0) this.opts.onCaughtUp?.(report);
    }
    const next = (): void => {
      if (this.stopped) return;
      this.seenIo = this.store.ioCount;
      if (!outcome.done) this.schedule(SLICE_GAP_MS);
      else if (this.wanted) this.schedule(this.idleMs);
    };
    if (outcome.moved === 0) return next();
    this.committing = true;
    this.store.commit().then(
      () => {
        this.committing = false;
        next();
      },
      () => this.stop(), // the store is broken now; its users get the error
    );
  }

  /**
   * Scans and moves groups for about `budgetMs` (Infinity: until a pass moves nothing); returns what
   * it moved and whether the work is done for now. Call only when no I/O is in flight and no
   * metadata operation runs (the store's `quiet`, or inside its exclusive gate).
   */
  step(budgetMs: number): { moved: number; done: boolean } {
    const t0 = performance.now();
    let moved = 0;
    for (;;) {
      if (this.cursor === null) {
        const firstVolume = this.nextVolume(null);
        if (!firstVolume) {
          this.wanted = false;
          return { moved, done: true };
        }
        this.cursor = { id: firstVolume.id, group: 0 };
        this.passMoved = 0;
        this.wanted = false;
      }
      const node = this.store.tree.get(this.cursor.id);
      const groups = node ? Math.ceil(node.size / EXTENT_SIZE / BLOCK_SLOTS) : 0;
      let g = this.cursor.group;
      let scanned = 0;
      while (node && g < groups && scanned < 4096) {
        const first = g * BLOCK_SLOTS;
        if ((first & (LEAF_ENTRIES - 1)) === 0 && !node.leaves[first >>> LEAF_SHIFT]) {
          g += LEAF_ENTRIES / BLOCK_SLOTS; // a hole leaf: nothing mapped
          continue;
        }
        const n = this.defragGroup(node, first);
        moved += n;
        this.passMoved += n;
        g++;
        scanned++;
        if (n > 0 && performance.now() - t0 >= budgetMs) break;
      }
      if (node && g < groups) {
        this.cursor.group = g;
        if (performance.now() - t0 >= budgetMs) return { moved, done: false };
        continue;
      }
      const next = this.nextVolume(this.cursor.id);
      if (next) {
        this.cursor = { id: next.id, group: 0 };
        if (performance.now() - t0 >= budgetMs) return { moved, done: false };
        continue;
      }
      // A pass over every volume ended.
      this.cursor = null;
      if (this.passMoved === 0 && !this.wanted) return { moved, done: true };
      if (performance.now() - t0 >= budgetMs) return { moved, done: false };
    }
  }

  /** The volume after `id` in the tree's order (the first one for null). */
  private nextVolume(id: string | null): TreeNode | undefined {
    let seen = id === null;
    for (const n of this.store.tree.nodes.values()) {
      if (seen && n.kind === 'volume') return n;
      if (n.id === id) seen = true;
    }
    return undefined;
  }

  /** Moves group `first` of `node` to its places in one block, if it needs it; returns the moves. */
  private defragGroup(node: TreeNode, first: number): number {
    const store = this.store;
    const tree = store.tree;
    const free = store.free;
    let base = planGroup(tree, node, first, (s) => free.has(s));
    if (base === 0) return 0;
    if (base === NEW_BLOCK) {
      base = freeBlock(tree, free, () => tree.hwm - 1 - store.freeSlotCount());
      if (base === 0) return 0; // the file is at its bound: leave the group as it is
    }
    const end = Math.min(first + BLOCK_SLOTS, Math.ceil(node.size / EXTENT_SIZE));
    const moves: number[] = [];
    for (let j = first; j < end; j++) {
      const s = tree.lookup(node, j);
      const to = base + (j - first);
      if (s === 0 || s === to) continue;
      moves.push(j, s, to);
    }
    // Every holder must be found, or a move would leave a leaf behind: skip the group if not (a
    // damaged tree, which `storage check` reports) rather than make it worse.
    for (let i = 0; i < moves.length; i += 3) {
      if (tree.holders(moves[i]!, moves[i + 1]!).length !== tree.slotRefs[moves[i + 1]!]) return 0;
    }
    for (let i = 0; i < moves.length; i += 3) {
      if (!free.take(moves[i + 2]!)) throw new Error(`defragmenter: slot ${moves[i + 2]} is not free`);
    }
    const fd = store.poolFd;
    const buf = this.scratch;
    try {
      for (let i = 0; i < moves.length; i += 3) {
        preadFullSync(fd, buf, (moves[i]! - first) * EXTENT_SIZE, EXTENT_SIZE, slotOffset(moves[i + 1]!));
      }
      // Write the copies as runs of consecutive places.
      for (let i = 0; i < moves.length; ) {
        let k = i + 3;
        while (k < moves.length && moves[k]! === moves[k - 3]! + 1) k += 3;
        const at = (moves[i]! - first) * EXTENT_SIZE;
        pwriteFullSync(fd, buf, at, (k - i) / 3 * EXTENT_SIZE, slotOffset(moves[i + 2]!));
        i = k;
      }
    } catch (e) {
      for (let i = 0; i < moves.length; i += 3) free.add(moves[i + 2]!);
      throw e;
    }
    store.markDirty();
    for (let i = 0; i < moves.length; i += 3) {
      tree.moveSlot(moves[i]!, moves[i + 1]!, moves[i + 2]!);
      free.markWritten(moves[i + 2]!);
    }
    store.recordMove(moves);
    this.moved += moves.length / 3;
    return moves.length / 3;
  }
}
