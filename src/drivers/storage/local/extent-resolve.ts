/**
 * Extent resolution for the data path: which bytes of the data file back a byte range of a node,
 * as a read plan (runs of neighbouring slots, holes) or as an allocation map (block status).
 * Layer: drivers/storage/local; pure: tree lookups only, no I/O, no awaits.
 *
 * Every lookup is two array indexings (leaf, then entry) whatever the node's snapshot history: a
 * snapshot shares leaves, it is not a layer to walk. `bench/storage/read-path-micro.ts` measures it.
 */
import type { Extent } from '../../../core/ports/block-device.js';
import { EXTENT_SIZE, type ExtentTree, LEAF_BYTES, LEAF_SHIFT, type TreeNode, slotOffset } from './extent-tree.js';
import { FULL_MASK, ZERO_BLOCK, type ZeroBlocks } from './zero-blocks.js';

/** Receives one run of the plan: `len` bytes at `filePos` of the data file go to `bufOff` of the buffer. */
export type IssueRun = (bufOff: number, len: number, filePos: number) => void;

/**
 * Plans a read of `buf.length` bytes at `offset` of `node`: zero-fills the holes of `buf` and hands
 * each run of neighbouring slots to `issue`, synchronously and in order. Returns the number of runs.
 */
export function planRead(tree: ExtentTree, node: TreeNode, offset: number, buf: Buffer, issue: IssueRun): number {
  let runs = 0;
  let runPos = -1;
  let runBuf = 0;
  let runLen = 0;
  let pos = offset;
  const end = offset + buf.length;
  while (pos < end) {
    const idx = Math.floor(pos / EXTENT_SIZE);
    const within = pos - idx * EXTENT_SIZE;
    const n = Math.min(EXTENT_SIZE - within, end - pos);
    const slot = tree.lookup(node, idx);
    const b = pos - offset;
    if (slot === 0) {
      buf.fill(0, b, b + n);
    } else {
      const filePos = slotOffset(slot) + within;
      if (runLen > 0 && runPos + runLen === filePos && runBuf + runLen === b) runLen += n;
      else {
        if (runLen > 0) {
          issue(runBuf, runLen, runPos);
          runs++;
        }
        runPos = filePos;
        runBuf = b;
        runLen = n;
      }
    }
    pos += n;
  }
  if (runLen > 0) {
    issue(runBuf, runLen, runPos);
    runs++;
  }
  return runs;
}

/**
 * Holes, allocated ranges and (with `zeroes`) allocated 4 KiB blocks known to read as zeroes,
 * merged and in order.
 */
export function extentMap(tree: ExtentTree, node: TreeNode, zeroes: ZeroBlocks | undefined, offset: number, length: number): Extent[] {
  const out: Extent[] = [];
  const push = (at: number, n: number, state: Extent['state']): void => {
    const last = out[out.length - 1];
    if (last && last.state === state) last.length += n;
    else out.push({ offset: at, length: n, state });
  };
  const end = offset + length;
  let pos = offset;
  while (pos < end) {
    const idx = Math.floor(pos / EXTENT_SIZE);
    const leafMissing = !node.leaves[idx >>> LEAF_SHIFT];
    const span = leafMissing ? LEAF_BYTES - (pos % LEAF_BYTES) : EXTENT_SIZE - (pos - idx * EXTENT_SIZE);
    const n = Math.min(span, end - pos);
    if (leafMissing || tree.lookup(node, idx) === 0) push(pos, n, 'hole');
    else {
      const mask = zeroes ? zeroes.mask(idx) : 0;
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
