/**
 * What the store knows reads as zeroes inside *allocated* extents: 4 KiB blocks written by
 * writeZeroes (with NO_HOLE, or the partial head and tail of an unmapping one). blockStatus reports
 * them as `zero` (NBD_STATE_ZERO), so qemu-img and backup tools can skip them.
 * Layer: drivers/storage/local; pure logic, no I/O.
 *
 * Memory only, never persisted: after a restart the blocks read as zeroes just the same but are
 * reported `allocated`, which is always a correct (if less precise) answer. Holes need no entry.
 */
import { EXTENT_SIZE } from './extent-tree.js';

export const ZERO_BLOCK = 4096;
const BLOCKS = EXTENT_SIZE / ZERO_BLOCK; // 16: one bit each, a u16 mask per extent
export const FULL_MASK = (1 << BLOCKS) - 1;

export class ZeroBlocks {
  private readonly masks = new Map<number, number>();
  /**
   * Bumped by every data write when it starts and when it ends. writeZeroes marks its blocks only if
   * no data write started or ended while it ran, so a racing write is never hidden behind `zero`.
   */
  version = 0;

  /** A data write touches [offset, offset+length): any block it overlaps is no longer known zero. */
  clear(offset: number, length: number): void {
    this.version++;
    if (this.masks.size === 0 || length === 0) return;
    const end = offset + length;
    const first = Math.floor(offset / EXTENT_SIZE);
    const last = Math.floor((end - 1) / EXTENT_SIZE);
    for (let idx = first; idx <= last; idx++) {
      const m = this.masks.get(idx);
      if (m === undefined) continue;
      const base = idx * EXTENT_SIZE;
      const b0 = Math.max(0, Math.floor((offset - base) / ZERO_BLOCK));
      const b1 = Math.min(BLOCKS - 1, Math.floor((end - 1 - base) / ZERO_BLOCK));
      const bits = ((1 << (b1 + 1)) - 1) & ~((1 << b0) - 1);
      const left = m & ~bits;
      if (left) this.masks.set(idx, left);
      else this.masks.delete(idx);
    }
  }

  /** Every whole 4 KiB block inside [offset, offset+length) now reads as zeroes. */
  mark(offset: number, length: number, isAllocated: (idx: number) => boolean): void {
    const start = Math.ceil(offset / ZERO_BLOCK) * ZERO_BLOCK;
    const end = Math.floor((offset + length) / ZERO_BLOCK) * ZERO_BLOCK;
    for (let pos = start; pos < end; ) {
      const idx = Math.floor(pos / EXTENT_SIZE);
      const base = idx * EXTENT_SIZE;
      const stop = Math.min(end, base + EXTENT_SIZE);
      if (isAllocated(idx)) {
        const b0 = (pos - base) / ZERO_BLOCK;
        const b1 = (stop - base) / ZERO_BLOCK; // exclusive
        const bits = ((1 << b1) - 1) & ~((1 << b0) - 1);
        this.masks.set(idx, (this.masks.get(idx) ?? 0) | bits);
      } else this.masks.delete(idx);
      pos = stop;
    }
  }

  /** Bit b set: block b of extent `idx` reads as zeroes. */
  mask(idx: number): number {
    return this.masks.size === 0 ? 0 : (this.masks.get(idx) ?? 0);
  }

  /** The extent was unmapped (or its content replaced wholesale). */
  forget(idx: number): void {
    if (this.masks.size) this.masks.delete(idx);
  }
}
