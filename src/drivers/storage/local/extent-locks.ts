/**
 * Extent locks of one node: extents being allocated or copied map to a promise that settles when
 * they are filled. Layer: drivers/storage/local; pure.
 *
 * Callers loop `for (let w = lockedIn(...); w; w = lockedIn(...)) await w;` and then plan their I/O
 * in the same synchronous step. Never wrap that loop in an async helper: the await on the helper would
 * put a microtask between the last check and the plan, in which another I/O could lock (and
 * half-fill) an extent we are about to use.
 */
import { EXTENT_SIZE } from './extent-tree.js';

export type ExtentLocks = Map<number, Promise<void>>;

/** A lock held on any extent of the range, or undefined. */
export function lockedIn(locks: ExtentLocks, offset: number, length: number): Promise<void> | undefined {
  if (locks.size === 0 || length === 0) return undefined;
  const first = Math.floor(offset / EXTENT_SIZE);
  const last = Math.floor((offset + length - 1) / EXTENT_SIZE);
  for (let i = first; i <= last; i++) {
    const w = locks.get(i);
    if (w) return w;
  }
  return undefined;
}
