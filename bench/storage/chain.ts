/**
 * Benchmark fixture: a volume with a realistic snapshot history, and a fresh volume with the same bytes.
 *
 * buildChain: the volume is written whole (sequential 64 KiB writes of random data), then DEPTH times:
 * snapshot, then overwrite OVERWRITE_SHARE of it in random pieces (4-64 KiB, 4 KiB aligned, seeded
 * PRNG). Every piece that lands on an extent still shared with a snapshot copies it to a new slot, in
 * the order the pieces arrive: after 10 rounds most extents live in slots written at different layers,
 * scattered over the data file, exactly as a guest rewriting parts of its disk between snapshots leaves
 * them. buildFreshCopy writes the chain volume's final content into a new volume, sequentially.
 * Both fills use 64 KiB writes (the size copy-on-write writes), because the size of a file's first
 * writes sets its page-cache folio size, and with it the cost of later overwrites (docs/storage.md).
 */
import { createHash, randomFillSync } from 'node:crypto';
import type { BlockDevice } from '../../src/core/ports/block-device.js';
import { prng } from '../../src/drivers/storage/contract/seeded-random.js';
import type { LocalVolumeDriver } from '../../src/drivers/storage/local/local-volume-driver.js';

export { prng };

export const OVERWRITE_SHARE = 0.1;
const PIECE = 64 * 1024;
const NOISE = randomFillSync(Buffer.alloc(8 * 2 ** 20));

function noise(rand: () => number, length: number): Buffer {
  const at = Math.floor(rand() * (NOISE.length - length));
  return NOISE.subarray(at, at + length);
}

async function fillSequential(dev: BlockDevice, size: number, source: (off: number, n: number) => Promise<Uint8Array>): Promise<void> {
  for (let off = 0; off < size; off += PIECE) {
    const n = Math.min(PIECE, size - off);
    await dev.write(off, await source(off, n));
  }
  await dev.flush();
}

/** Overwrites `share` of the device's bytes in random 4-64 KiB pieces. */
export async function overwriteRandomPieces(dev: BlockDevice, share: number, rand: () => number): Promise<void> {
  const blocks = Math.floor(dev.size / 4096);
  let left = Math.floor(dev.size * share);
  while (left > 0) {
    const n = Math.min(left, 4096 * (1 + Math.floor(rand() * 16)));
    const at = 4096 * Math.floor(rand() * (blocks - n / 4096));
    await dev.write(at, noise(rand, n));
    left -= n;
  }
  await dev.flush();
}

export interface Chain {
  volume: string;
  snapshots: string[];
}

/** Creates `volume` of `size` bytes with `depth` snapshots taken between random partial overwrites. */
export async function buildChain(driver: LocalVolumeDriver, volume: string, size: number, depth: number, seed = 1): Promise<Chain> {
  const rand = prng(seed);
  await driver.create(volume, size);
  const dev = await driver.open(volume, 'rw');
  await fillSequential(dev, size, async (_off, n) => noise(rand, n));
  const snapshots: string[] = [];
  for (let i = 0; i < depth; i++) {
    const snap = `${volume}-snap-${i}`;
    await driver.snapshot(volume, snap);
    snapshots.push(snap);
    await overwriteRandomPieces(dev, OVERWRITE_SHARE, rand);
  }
  await dev.close();
  return { volume, snapshots };
}

/** Creates `fresh` holding the same bytes as `source`, written sequentially into a new volume. */
export async function buildFreshCopy(driver: LocalVolumeDriver, source: string, fresh: string): Promise<void> {
  const src = await driver.open(source, 'ro');
  await driver.create(fresh, src.size);
  const dst = await driver.open(fresh, 'rw');
  await fillSequential(dst, src.size, (off, n) => src.read(off, n));
  await src.close();
  await dst.close();
}

/**
 * Keeps the chain `depth` deep while making the volume wholly shared again: a new snapshot, then the
 * oldest is deleted. Writes after it meet copy-on-write on every extent, as right after a snapshot.
 */
export async function rearmChain(driver: LocalVolumeDriver, chain: Chain, n: number): Promise<void> {
  const snap = `${chain.volume}-rearm-${n}`;
  await driver.snapshot(chain.volume, snap);
  chain.snapshots.push(snap);
  await driver.deleteSnapshot(chain.snapshots.shift()!);
}

/** sha256 of the device's content (1 MiB reads). */
export async function digest(dev: BlockDevice): Promise<string> {
  const h = createHash('sha256');
  for (let off = 0; off < dev.size; off += 2 ** 20) h.update(await dev.read(off, Math.min(2 ** 20, dev.size - off)));
  return h.digest('hex');
}
