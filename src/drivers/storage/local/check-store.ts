/**
 * Consistency check of a local store, for `pocketstack storage check` and the crash tests.
 * Layer: drivers/storage/local; node:fs only.
 *
 * The tree keeps refcounts incrementally (checkpoint + journal replay); the check recounts them from
 * scratch and compares, and verifies every referenced slot lies inside the data file. `checkStore`
 * works on a closed store directory (it does not take the lock and never writes).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { StoreCheckReport } from '../../../core/ports/volume-driver.js';
import { EXTENT_SIZE, type ExtentTree, type Leaf, leafCount } from './extent-tree.js';
import { loadTree } from './local-store.js';

export function checkTree(tree: ExtentTree, poolBytes: number, problems: string[]): StoreCheckReport {
  const leafRefs = new Map<Leaf, number>();
  let volumes = 0;
  let snapshots = 0;
  for (const n of tree.nodes.values()) {
    if (n.kind === 'volume') volumes++;
    else snapshots++;
    if (n.leaves.length !== leafCount(n.size)) problems.push(`${n.id}: ${n.leaves.length} leaves for size ${n.size}`);
    for (const l of n.leaves) if (l) leafRefs.set(l, (leafRefs.get(l) ?? 0) + 1);
  }
  const counted = new Uint32Array(Math.max(tree.hwm, 1));
  for (const [leaf, refs] of leafRefs) {
    if (leaf.refs !== refs) problems.push(`a leaf has refs=${leaf.refs} but ${refs} nodes point at it`);
    const e = leaf.entries;
    for (let i = 0; i < e.length; i++) {
      const s = e[i]!;
      if (s === 0) continue;
      if (s >= tree.hwm) {
        problems.push(`dangling slot ${s} (high-water mark ${tree.hwm})`);
        continue;
      }
      counted[s]!++;
    }
  }
  let inUse = 0;
  let free = 0;
  let reported = 0;
  for (let s = 1; s < tree.hwm; s++) {
    const want = counted[s]!;
    const have = tree.slotRefs[s] ?? 0;
    if (want !== have && reported++ < 20) problems.push(`slot ${s}: refcount ${have}, counted ${want}`);
    if (want > 0) {
      inUse++;
      if (s * EXTENT_SIZE > poolBytes && reported++ < 20) problems.push(`slot ${s} lies past the end of the data file`);
    } else free++;
  }
  if (reported > 20) problems.push(`... ${reported - 20} more slot problems`);
  return { ok: problems.length === 0, volumes, snapshots, extentsInUse: inUse, extentsFree: free, problems };
}

/** Checks the store in `root` from its files alone. Never throws for corruption: it reports it. */
export function checkStore(root: string): StoreCheckReport {
  const problems: string[] = [];
  try {
    // A torn journal tail is the expected trace of a crash mid-append, not damage: loadTree stops
    // before it, as reopening does.
    const loaded = loadTree(root);
    const poolPath = path.join(root, 'pool');
    const poolBytes = fs.existsSync(poolPath) ? fs.statSync(poolPath).size : 0;
    return checkTree(loaded.tree, poolBytes, problems);
  } catch (e) {
    return { ok: false, volumes: 0, snapshots: 0, extentsInUse: 0, extentsFree: 0, problems: [`metadata: ${(e as Error).message}`] };
  }
}
