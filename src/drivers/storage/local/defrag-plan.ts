/**
 * The defragmenter's planning (defrag.ts): whether a volume's 1 MiB group is placed, and which block
 * it should move to. Layer: drivers/storage/local; pure (the extent tree and predicates), no I/O.
 */
import { EXTENT_SIZE, type ExtentTree, type TreeNode } from './extent-tree.js';
import { BLOCK_SLOTS } from './free-slots.js';

/** Where group `first` of `node` goes: a block base, NEW_BLOCK for a wholly free one, or 0 (leave it). */
export const NEW_BLOCK = -1;

export function groupEnd(node: TreeNode, first: number): number {
  return Math.min(first + BLOCK_SLOTS, Math.ceil(node.size / EXTENT_SIZE));
}

/**
 * True when group `first` of `node` reads as few runs as it can: fewer than two extents mapped, or
 * all of them at their places in one block (holes between are fine: they cost no read).
 */
export function groupPlaced(tree: ExtentTree, node: TreeNode, first: number): boolean {
  let base = 0;
  let mapped = 0;
  let out = false;
  const end = groupEnd(node, first);
  for (let j = first; j < end; j++) {
    const s = tree.lookup(node, j);
    if (s === 0) continue;
    mapped++;
    const b = s - (j - first);
    if (((s - 1) & (BLOCK_SLOTS - 1)) !== j - first || (base !== 0 && b !== base)) out = true;
    base = b;
  }
  return mapped < 2 || !out;
}

/** What planGroup may do with slots; the defragmenter answers from the tree and the free slots. */
export interface GroupRules {
  /** The slot may be taken. */
  isFree(slot: number): boolean;
  /** The slot, an older copy of extent `idx` that only snapshots still see, may be moved out of the way. */
  canEvict?(idx: number, slot: number): boolean;
  /** Extent `idx`'s slot may move: no other volume maps it (moving it would scatter that volume). */
  canMove?(idx: number, slot: number): boolean;
}

/**
 * Plans group `first` (a multiple of 16) of `node`. Nothing to do (0) when fewer than two extents
 * are mapped or all of them already sit at their places in one block. Otherwise the block that
 * already holds some of them at their places and needs the fewest copies to take the rest: each
 * other place it needs must be free, or hold an older copy of the same extent that only snapshots
 * still see (evicted first: one more copy). NEW_BLOCK (a wholly free block) when no such block
 * copies fewer extents than moving the whole group. 0 as well when every way needs a slot that may
 * not move (shared with another volume: two volumes that differ inside a group cannot both be in
 * one block, and moving shared slots back and forth would never end). Pure.
 */
export function planGroup(tree: ExtentTree, node: TreeNode, first: number, rules: GroupRules): number {
  if (groupPlaced(tree, node, first)) return 0;
  const canEvict = rules.canEvict ?? (() => false);
  const canMove = rules.canMove ?? (() => true);
  const end = groupEnd(node, first);
  const placed = new Set<number>(); // blocks holding some extent of the group at its place
  let mapped = 0;
  let movable = 0;
  for (let j = first; j < end; j++) {
    const s = tree.lookup(node, j);
    if (s === 0) continue;
    mapped++;
    if (canMove(j, s)) movable++;
    if (((s - 1) & (BLOCK_SLOTS - 1)) === j - first) placed.add(s - (j - first));
  }
  let best = 0;
  let bestCost = Infinity;
  if (movable === mapped) {
    best = NEW_BLOCK;
    bestCost = mapped;
  }
  for (const base of placed) {
    let cost = 0;
    for (let j = first; j < end && cost < bestCost; j++) {
      const s = tree.lookup(node, j);
      const t = base + (j - first);
      if (s === 0 || s === t) continue;
      cost += canMove(j, s) ? 1 : Infinity;
      if (rules.isFree(t)) continue;
      cost += canEvict(j, t) ? 1 : Infinity;
    }
    if (cost < bestCost) {
      best = base;
      bestCost = cost;
    }
  }
  return best;
}
