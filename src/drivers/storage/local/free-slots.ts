/**
 * The reusable slots of the data file, as a bitmap, with the queries the allocator needs: the lowest
 * free slot, a given slot, and the lowest aligned block of BLOCK_SLOTS free slots (1 MiB of the data
 * file). Layer: drivers/storage/local; pure, no I/O.
 *
 * Bit i stands for slot i + 1 (slots are 1-based), so block b is bits 16b..16b+15: one half of a
 * 32-bit word, and the block's slots start at a 1 MiB boundary of the data file.
 */

export const BLOCK_SHIFT = 4;
export const BLOCK_SLOTS = 1 << BLOCK_SHIFT; // 16 slots of 64 KiB = 1 MiB

export class FreeSlots {
  private bits = new Uint32Array(64);
  count = 0;
  /** No free slot lies in a word below this one. */
  private lowWord = 0;
  /** No wholly free block lies in a word below this one. */
  private blockWord = 0;

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
  }

  /** Takes `slot` if it is free. */
  take(slot: number): boolean {
    if (!this.has(slot)) return false;
    const i = slot - 1;
    this.bits[i >>> 5]! &= ~(1 << (i & 31));
    this.count--;
    return true;
  }

  /** Takes the lowest free slot; 0 when there is none. */
  takeLowest(): number {
    if (this.count === 0) return 0;
    const bits = this.bits;
    let w = this.lowWord;
    while (bits[w] === 0) w++;
    this.lowWord = w;
    const v = bits[w]!;
    const bit = 31 - Math.clz32(v & -v);
    bits[w] = v & ~(1 << bit);
    this.count--;
    return w * 32 + bit + 1;
  }

  /** The first slot of the lowest block whose slots are all free (none taken); 0 when there is none. */
  findFreeBlock(): number {
    const bits = this.bits;
    for (let w = this.blockWord; w < bits.length; w++) {
      const v = bits[w]!;
      if ((v & 0xffff) === 0xffff) {
        this.blockWord = w;
        return w * 32 + 1;
      }
      if (v >>> 16 === 0xffff) {
        this.blockWord = w;
        return w * 32 + 17;
      }
    }
    this.blockWord = bits.length;
    return 0;
  }

  private grow(w: number): void {
    let n = this.bits.length;
    while (n <= w) n *= 2;
    const g = new Uint32Array(n);
    g.set(this.bits);
    this.bits = g;
  }
}
