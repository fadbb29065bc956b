/**
 * The local store's write path: changing what a node's extents map to. A write goes in place when
 * nobody else can see its extent's slot, else to a new slot (copy-on-write of a partial extent);
 * trim unmaps whole extents. Layer: drivers/storage/local; imports the store engine and fs-io.
 *
 * Crash rules kept here (docs/storage.md): a remap is recorded (journal-pending) only after its data
 * write returned; a failed write puts the old mappings back; shared slots are never written.
 */
import { StorageError } from '../storage-error.js';
import type { ExtentLocks } from './extent-locks.js';
import { EXTENT_SIZE, LEAF_ENTRIES, LEAF_SHIFT, type TreeNode, slotOffset } from './extent-tree.js';
import { preadFull, preadFullSync, pwriteFull, pwriteFullSync } from './fs-io.js';
import type { LocalStore } from './local-store.js';

/** One node's view of the store, as a device holds it. */
export interface WriteTarget {
  readonly store: LocalStore;
  readonly node: TreeNode;
  readonly locks: ExtentLocks;
}

/** One extent of scratch space for synchronous copy-on-write (safe to share: nothing awaits inside). */
const SCRATCH = Buffer.allocUnsafe(EXTENT_SIZE);

/**
 * Plans a write (lookups, allocations) and issues it. `sync`: every pwrite happens before this
 * returns (no locks needed, nothing can interleave); otherwise the new extents are locked until
 * the returned promise settles. Either way a remap is recorded only after its data write succeeded,
 * and a failed write puts the old mappings back. The caller has checked that no extent of the range
 * is locked, in the same synchronous step.
 */
export function writePlanned(t: WriteTarget, offset: number, data: Uint8Array, sync: true): void;
export function writePlanned(t: WriteTarget, offset: number, data: Uint8Array, sync: false): Promise<void>;
export function writePlanned(t: WriteTarget, offset: number, data: Uint8Array, sync: boolean): Promise<void> | void {
  const { store, node, locks } = t;
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
    for (let i = 0; i < allocs.length; i += 3) tree.setEntry(node, allocs[i]!, allocs[i + 2]!);
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
      if (tree.isExclusive(node, idx)) {
        addRun(slotOffset(tree.lookup(node, idx)) + within, d, n);
      } else {
        const old = tree.lookup(node, idx);
        const slot = store.allocSlotFor(node, idx);
        tree.setEntry(node, idx, slot);
        allocs.push(idx, slot, old);
        if (!sync) {
          if (!lock) lock = new Promise<void>((r) => (release = r));
          locks.set(idx, lock);
        }
        if (n === EXTENT_SIZE) addRun(slotOffset(slot), d, n);
        else if (sync) fillExtentSync(fd, old, slot, within, data.subarray(d, d + n));
        else ios.push(fillExtent(fd, old, slot, within, data.subarray(d, d + n)));
      }
      pos += n;
    }
    flushRun();
  } catch (e) {
    const err = undo(e);
    if (!sync) unlock(locks, allocs, release);
    throw err;
  }
  const record = (): void => {
    for (let i = 0; i < allocs.length; i += 3) store.recordMap(node.id, allocs[i]!, allocs[i + 1]!);
  };
  if (sync) return record();
  return (ios.length === 1 ? ios[0]! : Promise.all(ios)).then(
    () => {
      record();
      unlock(locks, allocs, release);
    },
    (e: unknown) => {
      const err = undo(e);
      unlock(locks, allocs, release);
      throw err;
    },
  );
}

function unlock(locks: ExtentLocks, allocs: number[], release: (() => void) | null): void {
  for (let i = 0; i < allocs.length; i += 3) locks.delete(allocs[i]!);
  release?.();
}

/** Copy-on-write of a partial extent: old content (or zeroes) with `part` laid over at `within`. */
async function fillExtent(fd: number, oldSlot: number, slot: number, within: number, part: Uint8Array): Promise<void> {
  const buf = oldSlot !== 0 ? Buffer.allocUnsafe(EXTENT_SIZE) : Buffer.alloc(EXTENT_SIZE);
  if (oldSlot !== 0) await preadFull(fd, buf, 0, EXTENT_SIZE, slotOffset(oldSlot));
  buf.set(part, within);
  await pwriteFull(fd, buf, 0, EXTENT_SIZE, slotOffset(slot));
}

/**
 * The same, synchronously, through one reusable scratch extent. The old extent is read whole, in one
 * call: a syscall costs more here than copying the few KiB the write then covers.
 */
function fillExtentSync(fd: number, oldSlot: number, slot: number, within: number, part: Uint8Array): void {
  const buf = SCRATCH;
  if (oldSlot === 0) {
    buf.fill(0, 0, within);
    buf.fill(0, within + part.length);
  } else {
    preadFullSync(fd, buf, 0, EXTENT_SIZE, slotOffset(oldSlot));
  }
  buf.set(part, within);
  pwriteFullSync(fd, buf, 0, EXTENT_SIZE, slotOffset(slot));
}

/**
 * Unmaps the extents wholly inside the range (journal-pending) and calls `forget` for each; returns
 * the partial head and tail left over, which the caller zero-fills.
 */
export function unmapWhole(
  t: WriteTarget,
  offset: number,
  length: number,
  forget: (idx: number) => void,
): { head: [number, number]; tail: [number, number] } {
  const { store, node } = t;
  const end = offset + length;
  const firstFull = Math.ceil(offset / EXTENT_SIZE);
  const lastFull = Math.floor(end / EXTENT_SIZE); // exclusive
  const tree = store.tree;
  if (firstFull >= lastFull) return { head: [offset, length], tail: [end, 0] };
  for (let idx = firstFull; idx < lastFull; idx++) {
    if ((idx & (LEAF_ENTRIES - 1)) === 0 && !node.leaves[idx >>> LEAF_SHIFT]) {
      idx += LEAF_ENTRIES - 1; // a whole hole leaf: nothing to unmap
      continue;
    }
    if (tree.lookup(node, idx) !== 0) {
      tree.setEntry(node, idx, 0);
      store.recordMap(node.id, idx, 0);
      forget(idx);
    }
  }
  const headEnd = firstFull * EXTENT_SIZE;
  const tailStart = lastFull * EXTENT_SIZE;
  return { head: [offset, headEnd - offset], tail: [tailStart, end - tailStart] };
}
