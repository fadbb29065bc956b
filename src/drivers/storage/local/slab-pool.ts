/**
 * Reusable read buffers for the NBD export's large reads: a bounded set of 1 MiB slabs of shared
 * memory, lent to one read at a time and given back by whoever sent the bytes on. Layer:
 * drivers/storage/local; no imports.
 *
 * Why: a new 1 MiB buffer per read costs the process more than the read itself (malloc, page faults,
 * unmaps; on this kind of VM fresh memory is dear), and a buffer moved to the scatter reader's worker
 * and back costs more again. A slab is allocated once, shared with the worker once (it keeps a view),
 * and then costs nothing per read. Shared memory, because the worker fills it in place.
 *
 * A slab is lent until `give`; a borrower that never gives it back only shrinks the pool (reads then
 * fall back to new buffers), it never lets two reads share memory.
 */
export const SLAB_BYTES = 1 << 20;

export class SlabPool {
  /** Every slab made so far, by index (workers cache their view by the same index). */
  readonly slabs: SharedArrayBuffer[] = [];
  private readonly free: number[] = [];
  private readonly lent: boolean[] = [];

  /** `max`: the most slabs ever made (each is SLAB_BYTES of memory kept until the store closes). */
  constructor(readonly max = 16) {}

  /** Index of a slab now lent to the caller, or -1 when all `max` are out. */
  take(): number {
    let i = this.free.pop();
    if (i === undefined) {
      if (this.slabs.length >= this.max) return -1;
      i = this.slabs.push(new SharedArrayBuffer(SLAB_BYTES)) - 1;
    }
    this.lent[i] = true;
    return i;
  }

  /**
   * Gives slab `i` back. Give each loan exactly once (LocalBlockDevice hands out a one-shot release):
   * a late second give would free the slab under its next borrower. A give of a slab not lent is
   * ignored.
   */
  give(i: number): void {
    if (!this.lent[i]) return;
    this.lent[i] = false;
    this.free.push(i);
  }

  /** The first `length` bytes of slab `i` as a Buffer. */
  view(i: number, length: number): Buffer {
    return Buffer.from(this.slabs[i]!, 0, length);
  }

  /** Slabs lent and not yet given back. */
  get out(): number {
    return this.slabs.length - this.free.length;
  }
}
