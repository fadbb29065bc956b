/**
 * The reusable slots of the data file, as a bitmap, with the queries the allocator needs: the lowest
 * free slot, a given slot, and the lowest aligned block of BLOCK_SLOTS free slots (1 MiB of the data
 * file). Layer: drivers/storage/local; pure, no I/O.
 *
 * Bit i stands for slot i + 1 (slots are 1-based), so block b is bits 16b..16b+15: one half of a
 * 32-bit word, and the block's slots start at a 1 MiB boundary of the data file.
 *
 * A second bitmap of the same shape remembers which slots have been written since the store opened
 * (or were in use when it opened). A wholly free block whose slots were all written is preferred:
 * writing there overwrites file space the filesystem already holds, usually still in the page cache,
 * while a never-written place is a hole whose first write makes the kernel allocate pages and disk
 * blocks (measured: docs/benchmarks.md, session 5).
 */

export const BLOCK_SHIFT = 4;
export const BLOCK_SLOTS = 1 << BLOCK_SHIFT; // 16 slots of 64 KiB = 1 MiB

export class FreeSlots {
  private bits = new Uint32Array(64);
  /** Slots written since open (or in use at open): the same layout as `bits`. */
  private written = new Uint32Array(64);
  count = 0;
  /** No free slot lies in a word below this one. */
  private lowWord = 0;
  /** No free, written slot lies in a word below this one. */
  private lowWrittenWord = 0;
  /** No wholly free block lies in a word below this one. */
  private blockWord = 0;
  /** No wholly free, wholly written block lies in a word below this one. */
  private writtenBlockWord = 0;

  has(slot: number): boolean {
    const i = slot - 1;
    const w = i >>> 5;
    return w < this.bits.length && (this.bits[w]! & (1 << (i & 31))) !== 0;
  }

  add(slot: number): void {
    const i = slot - 1;
    const w = i >>> 5;
    if (w >= this.bits.length) this.grow(w);
    const m = 1 << (i & 31);
    if (this.bits[w]! & m) throw new Error(`slot ${slot} is already free`);
    this.bits[w]! |= m;
    this.count++;
    if (w < this.lowWord) this.lowWord = w;
    if (w < this.blockWord) this.blockWord = w;
    if (w < this.writtenBlockWord) this.writtenBlockWord = w;
    if (w < this.lowWrittenWord) this.lowWrittenWord = w;
  }

  /**
   * Records that `slot` now holds written data (its file space is no hole). Usually the slot was
   * just taken, and then the search hints stay: only a free slot can make a free written one appear
   * (lowering them for a taken slot would rescan the bitmap's tail on every allocation).
   */
  markWritten(slot: number): void {
    const i = slot - 1;
    const w = i >>> 5;
    if (w >= this.written.length) this.grow(w);
    this.written[w]! |= 1 << (i & 31);
    if (!this.has(slot)) return;
    if (w < this.writtenBlockWord) this.writtenBlockWord = w;
    if (w < this.lowWrittenWord) this.lowWrittenWord = w;
  }

  isWritten(slot: number): boolean {
    const i = slot - 1;
    const w = i >>> 5;
    return w < this.written.length && (this.written[w]! & (1 << (i & 31))) !== 0;
  }

  /** Takes `slot` if it is free. */
  take(slot: number): boolean {
    if (!this.has(slot)) return false;
    const i = slot - 1;
    this.bits[i >>> 5]! &= ~(1 << (i & 31));
    this.count--;
    return true;
  }

  /** Takes the lowest free slot that was written, else the lowest free slot; 0 when there is none. */
  takeLowest(): number {
    if (this.count === 0) return 0;
    const bits = this.bits;
    const written = this.written;
    let w = this.lowWrittenWord;
    while (w < bits.length && (bits[w]! & written[w]!) === 0) w++;
    this.lowWrittenWord = w;
    let v: number;
    if (w < bits.length) v = bits[w]! & written[w]!;
    else {
      w = this.lowWord;
      while (bits[w] === 0) w++;
      this.lowWord = w;
      v = bits[w]!;
    }
    const bit = 31 - Math.clz32(v & -v);
    bits[w] = bits[w]! & ~(1 << bit);
    this.count--;
    return w * 32 + bit + 1;
  }

  /**
   * The first slot of a block whose slots are all free (none taken): the lowest such block whose
   * slots were all written, else the lowest such block; 0 when there is none.
   */
  findFreeBlock(): number {
    const [wb, slot] = scanBlocks(this.bits, this.written, this.writtenBlockWord);
    this.writtenBlockWord = wb;
    if (slot !== 0) return slot;
    const [b, any] = scanBlocks(this.bits, null, this.blockWord);
    this.blockWord = b;
    return any;
  }

  private grow(w: number): void {
    let n = this.bits.length;
    while (n <= w) n *= 2;
    const g = new Uint32Array(n);
    g.set(this.bits);
    this.bits = g;
    const h = new Uint32Array(n);
    h.set(this.written);
    this.written = h;
  }
}

/**
 * From word `from` on, the first block whose bits are all set in `bits` (and in `mask`, if given):
 * returns [the word it lies in, or bits.length when none, its first slot or 0].
 */
function scanBlocks(bits: Uint32Array, mask: Uint32Array | null, from: number): [number, number] {
  for (let w = from; w < bits.length; w++) {
    const v = mask ? bits[w]! & mask[w]! : bits[w]!;
    if ((v & 0xffff) === 0xffff) return [w, w * 32 + 1];
    if (v >>> 16 === 0xffff) return [w, w * 32 + 17];
  }
  return [bits.length, 0];
}
