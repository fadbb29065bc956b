/**
 * The local store's in-memory model: every volume and snapshot is a two-level radix tree of fixed-size
 * extents (64 KiB), flattened so that an I/O is two array lookups whatever the snapshot history.
 * Layer: drivers/storage/local; pure logic, no I/O (persistence lives in journal.ts).
 *
 * Sharing is copy-on-write with lazy refcounts (Rodeh's scheme, as in btrfs):
 * - a Leaf maps 4096 consecutive extents (256 MiB of volume) to slots of the data file (0 = hole);
 *   `leaf.refs` counts the nodes (volumes, snapshots) that point at it;
 * - `slotRefs[s]` counts the distinct *leaves* that point at slot s, not the nodes: a snapshot only
 *   bumps its leaves' refs, so it costs one increment per 256 MiB, never per extent;
 * - a write through a shared leaf first copies the leaf (bumping its slots), and a write to a slot
 *   with more than one referencing leaf goes to a new slot (the old one is immutable while shared).
 * Freed slots go to `onFree`, which the driver holds back until the freeing record is durable.
 */

export const EXTENT_SHIFT = 16;
export const EXTENT_SIZE = 1 << EXTENT_SHIFT; // 64 KiB
export const LEAF_SHIFT = 12;
export const LEAF_ENTRIES = 1 << LEAF_SHIFT; // 4096 extents = 256 MiB per leaf
export const LEAF_BYTES = EXTENT_SIZE * LEAF_ENTRIES;
/** Extent indexes are u32 in the journal: 2^32 * 64 KiB = 256 TiB; we stop well before. */
export const MAX_VOLUME_SIZE = 64 * 2 ** 40;

export class Leaf {
  refs = 1;
  readonly entries: Uint32Array;
  constructor(entries?: Uint32Array) {
    this.entries = entries ?? new Uint32Array(LEAF_ENTRIES);
  }
}

export type NodeKind = 'volume' | 'snapshot';

export interface TreeNode {
  id: string;
  kind: NodeKind;
  size: number;
  leaves: (Leaf | null)[];
  /** For a snapshot: the volume it was taken of (may since have been deleted). */
  origin: string | null;
}

/** Byte offset of `slot` (1-based) in the data file. */
export function slotOffset(slot: number): number {
  return (slot - 1) * EXTENT_SIZE;
}

export function leafCount(size: number): number {
  return Math.ceil(size / LEAF_BYTES);
}

export class ExtentTree {
  readonly nodes = new Map<string, TreeNode>();
  slotRefs = new Uint32Array(1024);
  /** Slots [1, hwm) exist in the data file; slot 0 is reserved to mean "hole". */
  hwm = 1;

  /** Called when a slot's refcount drops to zero. Settable: loading ignores frees, the store defers them. */
  constructor(public onFree: (slot: number) => void = () => undefined) {}

  get(id: string): TreeNode | undefined {
    return this.nodes.get(id);
  }

  /** The slot backing extent `idx` of `node`, 0 for a hole. */
  lookup(node: TreeNode, idx: number): number {
    const leaf = node.leaves[idx >>> LEAF_SHIFT];
    return leaf ? leaf.entries[idx & (LEAF_ENTRIES - 1)]! : 0;
  }

  /** True when a write may go to the slot in place: nobody else can see it. */
  isExclusive(node: TreeNode, idx: number): boolean {
    const leaf = node.leaves[idx >>> LEAF_SHIFT];
    if (!leaf || leaf.refs !== 1) return false;
    const s = leaf.entries[idx & (LEAF_ENTRIES - 1)]!;
    return s !== 0 && this.slotRefs[s] === 1;
  }

  ensureSlotCapacity(slot: number): void {
    if (slot < this.slotRefs.length) return;
    let n = this.slotRefs.length;
    while (n <= slot) n *= 2;
    const grown = new Uint32Array(n);
    grown.set(this.slotRefs);
    this.slotRefs = grown;
  }

  incSlot(slot: number): void {
    this.ensureSlotCapacity(slot);
    this.slotRefs[slot]!++;
    if (slot >= this.hwm) this.hwm = slot + 1;
  }

  decSlot(slot: number): void {
    const n = this.slotRefs[slot]!;
    if (n === 0) throw new Error(`slot ${slot} refcount underflow`);
    this.slotRefs[slot] = n - 1;
    if (n === 1) this.onFree(slot);
  }

  releaseLeaf(leaf: Leaf): void {
    if (--leaf.refs > 0) return;
    const e = leaf.entries;
    for (let i = 0; i < e.length; i++) if (e[i] !== 0) this.decSlot(e[i]!);
  }

  /** The node's leaf `li`, private to it (copied if shared, created if absent). */
  private writableLeaf(node: TreeNode, li: number): Leaf {
    const leaf = node.leaves[li];
    if (!leaf) {
      const fresh = new Leaf();
      node.leaves[li] = fresh;
      return fresh;
    }
    if (leaf.refs === 1) return leaf;
    const copy = new Leaf(leaf.entries.slice());
    const e = copy.entries;
    for (let i = 0; i < e.length; i++) if (e[i] !== 0) this.incSlot(e[i]!);
    leaf.refs--;
    node.leaves[li] = copy;
    return copy;
  }

  /** Points extent `idx` of `node` at `slot` (0 = unmap), adjusting refcounts. */
  setEntry(node: TreeNode, idx: number, slot: number): void {
    const li = idx >>> LEAF_SHIFT;
    const cur = node.leaves[li];
    const old = cur ? cur.entries[idx & (LEAF_ENTRIES - 1)]! : 0;
    if (old === slot) return;
    const leaf = this.writableLeaf(node, li);
    if (slot !== 0) this.incSlot(slot);
    leaf.entries[idx & (LEAF_ENTRIES - 1)] = slot;
    if (old !== 0) this.decSlot(old);
  }

  /**
   * The distinct leaves that map extent `idx` to `slot`. A slot is only ever mapped at the extent
   * index it was allocated for (leaves are shared or copied at their own position), so these are all
   * of its holders: their number is `slotRefs[slot]`.
   */
  holders(idx: number, slot: number): Leaf[] {
    const li = idx >>> LEAF_SHIFT;
    const e = idx & (LEAF_ENTRIES - 1);
    const out: Leaf[] = [];
    for (const n of this.nodes.values()) {
      const leaf = n.leaves[li];
      if (leaf && leaf.entries[e] === slot && !out.includes(leaf)) out.push(leaf);
    }
    return out;
  }

  /**
   * Moves extent `idx`'s data from slot `from` to the unused slot `to` in every leaf that holds it
   * (the defragmenter; the caller copied the bytes). Volumes and snapshots keep sharing what they
   * shared. Throws, changing nothing, when the holders do not add up to the slot's refcount.
   */
  moveSlot(idx: number, from: number, to: number): void {
    const refs = this.slotRefs[from] ?? 0;
    if (refs === 0 || to === 0 || (this.slotRefs[to] ?? 0) !== 0) throw new Error(`cannot move slot ${from} to ${to}`);
    const leaves = this.holders(idx, from);
    if (leaves.length !== refs) throw new Error(`slot ${from} has refcount ${refs} but ${leaves.length} leaves map it at ${idx}`);
    const e = idx & (LEAF_ENTRIES - 1);
    for (const l of leaves) l.entries[e] = to;
    this.ensureSlotCapacity(to);
    this.slotRefs[to] = refs;
    if (to >= this.hwm) this.hwm = to + 1;
    this.slotRefs[from] = 0;
    this.onFree(from);
  }

  // ---- whole-node operations; callers validate first, these only assert -------------------------

  create(id: string, kind: NodeKind, size: number, origin: string | null, leaves?: (Leaf | null)[]): TreeNode {
    if (this.nodes.has(id)) throw new Error(`node ${id} exists`);
    const n = leafCount(size);
    const own: (Leaf | null)[] = new Array(n).fill(null);
    if (leaves) {
      for (let i = 0; i < Math.min(n, leaves.length); i++) {
        const l = leaves[i] ?? null;
        if (l) l.refs++;
        own[i] = l;
      }
    }
    const node: TreeNode = { id, kind, size, leaves: own, origin };
    this.nodes.set(id, node);
    return node;
  }

  remove(id: string): void {
    const node = this.nodes.get(id);
    if (!node) return;
    this.nodes.delete(id);
    for (const l of node.leaves) if (l) this.releaseLeaf(l);
  }

  /** Bytes past the old size read as zeroes: allocation zero-fills partial extents, so the tail of
   * an allocated last extent is already zero. */
  extend(node: TreeNode, size: number): void {
    node.size = size;
    while (node.leaves.length < leafCount(size)) node.leaves.push(null);
  }

  /** Replaces `node`'s content by `source`'s leaves (revert). */
  replaceLeaves(node: TreeNode, source: TreeNode): void {
    const old = node.leaves;
    node.leaves = new Array(leafCount(node.size)).fill(null);
    for (let i = 0; i < node.leaves.length; i++) {
      const l = source.leaves[i] ?? null;
      if (l) l.refs++;
      node.leaves[i] = l;
    }
    for (const l of old) if (l) this.releaseLeaf(l);
  }
}
