/**
 * The local store's defragmenter: brings each 1 MiB group of a volume (16 extents) back next to each
 * other in the data file, at their places in one 1 MiB block, so that a volume rewritten piecemeal
 * between snapshots reads 1 MiB with one pread again instead of one per scattered run.
 * Layer: drivers/storage/local; imports its planning (defrag-plan.ts), the extent tree, the placement
 * policy and fs-io, and reaches the store through the DefragStore interface (LocalStore implements it).
 *
 * A move copies an extent's bytes from its slot to a free slot, then points every leaf that holds
 * the old slot at the new one (ExtentTree.moveSlot): volumes and snapshots keep sharing what they
 * shared, and every node reads the same bytes before and after. It is crash-safe by the store's
 * rules: the copy is written before the move is recorded, a commit syncs the data file before it
 * appends the record, and the old slot is freed like any other (reusable once the record is durable
 * and no earlier I/O is in flight). A group is moved in one synchronous step, only while no I/O is in
 * flight and no metadata operation runs, so no write can land in a slot while it is being copied.
 *
 * It looks only at groups that may have scattered: those where a write allocated a slot, and all
 * groups of a volume after the store opened, a clone or a revert. In the background it works only
 * after the store has seen no I/O for `idleMs`, in slices of a few milliseconds.
 */
import { NEW_BLOCK, groupEnd, planGroup } from './defrag-plan.js';
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
  /**
   * The work: groups that got a new slot since they were last looked at (by node id, each group by
   * its first extent index), and volumes to scan whole (by id: the next group to look at), as after
   * opening the store, a clone or a revert. Nothing else can scatter a group.
   */
  private readonly groups = new Map<string, Set<number>>();
  private readonly scans = new Map<string, number>();
  /** Groups whose places were just cleared by evictions: looked at again after the next commit. */
  private readonly later = new Map<string, Set<number>>();
  /**
   * Groups left for want of a free block (the data file at its bound). The moves of the same step
   * free slots, so they are tried again after the commit, as long as a step moves anything.
   */
  private readonly noRoom = new Map<string, Set<number>>();
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

  /** Extent `idx` of node `id` got a new slot: its group may be scattered now. */
  noteAlloc(id: string, idx: number): void {
    this.note(id, idx - (idx & (BLOCK_SLOTS - 1)));
    this.wake();
  }

  private note(id: string, first: number): void {
    addTo(this.groups, id, first);
  }

  /** Every group of node `id` may be scattered (the store was opened, or the node cloned or reverted). */
  scanAll(id: string): void {
    this.scans.set(id, 0);
    this.wake();
  }

  private wake(): void {
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
      else if (this.groups.size > 0 || this.scans.size > 0) this.schedule(this.idleMs);
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
   * Looks at the pending groups and moves those that need it, for about `budgetMs` (Infinity: all
   * of them); returns what it moved and whether the work is done for now (not done: call again,
   * after committing if it moved anything). Call only when no I/O is in flight and no metadata
   * operation runs (the store's `quiet`, or inside its exclusive gate).
   */
  step(budgetMs: number): { moved: number; done: boolean } {
    for (const [id, set] of this.later) for (const first of set) this.note(id, first);
    this.later.clear();
    const t0 = performance.now();
    const over = (): boolean => performance.now() - t0 >= budgetMs;
    let moved = 0;
    for (const [id, next] of this.scans) {
      const node = this.volume(id);
      const groups = node ? Math.ceil(node.size / EXTENT_SIZE / BLOCK_SLOTS) : 0;
      let g = next;
      for (let looked = 0; node && g < groups; looked++) {
        const first = g * BLOCK_SLOTS;
        if ((first & (LEAF_ENTRIES - 1)) === 0 && !node.leaves[first >>> LEAF_SHIFT]) {
          g += LEAF_ENTRIES / BLOCK_SLOTS; // a hole leaf: nothing mapped
          continue;
        }
        const n = this.defragGroup(node, first);
        moved += n;
        g++;
        if ((n > 0 || looked % 1024 === 1023) && over()) {
          this.scans.set(id, g);
          return { moved, done: false };
        }
      }
      this.scans.delete(id);
    }
    for (const [id, set] of this.groups) {
      const node = this.volume(id);
      for (const first of set) {
        set.delete(first);
        if (this.later.get(id)?.has(first)) continue; // its places are being cleared: after the commit
        const n = node ? this.defragGroup(node, first) : 0;
        moved += n;
        if (n > 0 && set.size > 0 && over()) return { moved, done: false };
      }
      this.groups.delete(id);
    }
    if (moved > 0) for (const [id, set] of this.noRoom) for (const first of set) addTo(this.later, id, first);
    this.noRoom.clear();
    return { moved, done: this.later.size === 0 };
  }

  /** Node `id` if it is a volume (snapshots are not scanned: nothing writes them). */
  private volume(id: string): TreeNode | undefined {
    const n = this.store.tree.get(id);
    return n && n.kind === 'volume' ? n : undefined;
  }

  /**
   * Moves group `first` of `node` to its places in one block, if it needs it; returns the extents
   * copied. When places of that block hold older versions of the same extents (snapshots' copies),
   * this step only moves those out of the way; the group itself follows in a later step, after a
   * commit, because a slot freed by a move may not be reused before the move is durable.
   */
  private defragGroup(node: TreeNode, first: number): number {
    const store = this.store;
    const tree = store.tree;
    const free = store.free;
    /** True when no volume but `except` maps extent `j` to slot `t`. */
    const noVolumeBut = (j: number, t: number, except: TreeNode | null): boolean => {
      for (const n of tree.nodes.values()) if (n !== except && n.kind === 'volume' && tree.lookup(n, j) === t) return false;
      return true;
    };
    let base = planGroup(tree, node, first, {
      isFree: (t) => free.has(t),
      canEvict: (j, t) => {
        const refs = tree.slotRefs[t] ?? 0;
        return refs > 0 && tree.holders(j, t).length === refs && noVolumeBut(j, t, null);
      },
      canMove: (j, s) => noVolumeBut(j, s, node),
    });
    if (base === 0) return 0;
    if (base === NEW_BLOCK) {
      base = freeBlock(tree, free, () => tree.hwm - 1 - store.freeSlotCount());
      if (base === 0) {
        addTo(this.noRoom, node.id, first); // the file is at its bound: perhaps after this step's frees
        return 0;
      }
    }
    const end = groupEnd(node, first);
    const moves: number[] = [];
    const evictions: number[] = [];
    for (let j = first; j < end; j++) {
      const s = tree.lookup(node, j);
      const to = base + (j - first);
      if (s === 0 || s === to) continue;
      if (free.has(to)) moves.push(j, s, to);
      else evictions.push(j, to, 0);
    }
    if (evictions.length > 0) {
      // Out of the way (canEvict found all their holders), to any free slot but the places the
      // group will take.
      for (let i = 0; i < moves.length; i += 3) free.take(moves[i + 2]!);
      for (let i = 0; i < evictions.length; i += 3) evictions[i + 2] = free.takeLowest();
      for (let i = 0; i < moves.length; i += 3) free.add(moves[i + 2]!);
      if (evictions.some((v, i) => i % 3 === 2 && v === 0)) {
        for (let i = 2; i < evictions.length; i += 3) if (evictions[i] !== 0) free.add(evictions[i]!);
        return 0; // no free slot left
      }
      this.copy(evictions, first);
      this.apply(evictions);
      addTo(this.later, node.id, first);
      return evictions.length / 3;
    }
    // Every holder must be found, or a move would leave a leaf behind: skip the group if not (a
    // damaged tree, which `storage check` reports) rather than make it worse.
    for (let i = 0; i < moves.length; i += 3) {
      if (tree.holders(moves[i]!, moves[i + 1]!).length !== tree.slotRefs[moves[i + 1]!]) return 0;
    }
    for (let i = 0; i < moves.length; i += 3) {
      if (!free.take(moves[i + 2]!)) throw new Error(`defragmenter: slot ${moves[i + 2]} is not free`);
    }
    this.copy(moves, first);
    this.apply(moves);
    return moves.length / 3;
  }

  /**
   * Copies each move's extent (index, from, to triples of group `first`) to its new slot, writing
   * consecutive targets in one call. On an error the targets go back to the free slots.
   */
  private copy(moves: number[], first: number): void {
    const fd = this.store.poolFd;
    const buf = this.scratch;
    try {
      for (let i = 0; i < moves.length; i += 3) {
        preadFullSync(fd, buf, (moves[i]! - first) * EXTENT_SIZE, EXTENT_SIZE, slotOffset(moves[i + 1]!));
      }
      for (let i = 0; i < moves.length; ) {
        let k = i + 3;
        while (k < moves.length && moves[k]! === moves[k - 3]! + 1 && moves[k + 2]! === moves[k - 1]! + 1) k += 3;
        const at = (moves[i]! - first) * EXTENT_SIZE;
        pwriteFullSync(fd, buf, at, ((k - i) / 3) * EXTENT_SIZE, slotOffset(moves[i + 2]!));
        i = k;
      }
    } catch (e) {
      for (let i = 0; i < moves.length; i += 3) this.store.free.add(moves[i + 2]!);
      throw e;
    }
  }

  /** Remaps the copied extents in every leaf that holds them and journals the moves. */
  private apply(moves: number[]): void {
    const store = this.store;
    store.markDirty();
    for (let i = 0; i < moves.length; i += 3) {
      store.tree.moveSlot(moves[i]!, moves[i + 1]!, moves[i + 2]!);
      store.free.markWritten(moves[i + 2]!);
    }
    store.recordMove(moves);
    this.moved += moves.length / 3;
  }
}

function addTo(map: Map<string, Set<number>>, id: string, first: number): void {
  let set = map.get(id);
  if (!set) map.set(id, (set = new Set()));
  set.add(first);
}
