/**
 * Where a new slot goes: the allocation policy of the local store. Layer: drivers/storage/local; pure
 * (the extent tree and the free-slot bitmap), no I/O.
 *
 * Placement keeps each 1 MiB group of a volume (16 extents) together in the data file, so that a
 * volume rewritten piecemeal after a snapshot still reads and writes 1 MiB as one run: an extent goes
 * to its place in the 1 MiB block where a neighbour of its group already lives (in a slot of the
 * node's own), else to its place in a wholly free block, else in a new block at the end of the file.
 * Unused places of a block stay free (the file is sparse: they take no disk space). The data file
 * may so grow to twice the extents in use plus GROWTH_FLOOR; past that, freed slots are reused one by
 * one, lowest first. Which slots are free is the store's business (crash rules 1 and 2); this only
 * chooses among them.
 */
import { EXTENT_SIZE, type ExtentTree, type TreeNode } from './extent-tree.js';
import { BLOCK_SLOTS, type FreeSlots } from './free-slots.js';

/** Slots the data file may grow by beyond twice the extents in use, to keep 1 MiB groups together. */
const GROWTH_FLOOR = 4096; // 256 MiB

/**
 * Takes a free slot for extent `idx` of `node`, which is about to get a new one (first write, or
 * copy-on-write), extending the tree's slot range by a block when the policy says so. `inUse` counts
 * the slots in use (asked only when no wholly free block exists).
 */
export function placeSlot(tree: ExtentTree, free: FreeSlots, node: TreeNode, idx: number, inUse: () => number): number {
  const place = idx & (BLOCK_SLOTS - 1);
  const first = idx - place;
  const last = Math.min(first + BLOCK_SLOTS, Math.ceil(node.size / EXTENT_SIZE));
  for (let j = first; j < last; j++) {
    if (j === idx || !tree.isExclusive(node, j)) continue;
    const s = tree.lookup(node, j);
    if (((s - 1) & (BLOCK_SLOTS - 1)) !== (j & (BLOCK_SLOTS - 1))) continue; // not placed by block
    const want = s - (j - first) + place;
    if (free.take(want)) return want;
  }
  const base = freeBlock(tree, free, inUse);
  if (base === 0) return free.takeLowest();
  free.take(base + place);
  return base + place;
}

/**
 * The first slot of a wholly free block (see FreeSlots.findFreeBlock), or of a new one at the end of
 * the file while the policy lets the file grow; 0 when the file is at its bound and free slots remain
 * (they are then reused one by one).
 */
export function freeBlock(tree: ExtentTree, free: FreeSlots, inUse: () => number): number {
  const base = free.findFreeBlock();
  if (base !== 0) return base;
  if (free.count > 0 && tree.hwm - 1 + 2 * BLOCK_SLOTS > 2 * inUse() + GROWTH_FLOOR) return 0;
  return newBlock(tree, free);
}

/** Appends a free 1 MiB-aligned block of slots to the tree's slot range; returns its first slot. */
function newBlock(tree: ExtentTree, free: FreeSlots): number {
  const base = ((tree.hwm - 1 + BLOCK_SLOTS - 1) & ~(BLOCK_SLOTS - 1)) + 1;
  const end = base + BLOCK_SLOTS;
  tree.ensureSlotCapacity(end - 1);
  for (let s = tree.hwm; s < end; s++) free.add(s);
  tree.hwm = end;
  return base;
}
