/**
 * Micro-benchmark of copy-on-write writes, in process: the cost of the first 4 KiB write into each
 * extent of a volume right after a snapshot (what a guest pays after every snapshot), against the
 * same writes in place into a volume without snapshots. Builds a DEPTH-deep chain (chain.ts) and a
 * fresh copy, then for BATCHES batches, alternating which side goes first: re-arm the chain (one
 * more snapshot, the oldest deleted: every extent shared again, freed slots scattered over the data
 * file), then write one 4 KiB block into each of N random extents of each side through the
 * synchronous path (LocalBlockDevice.write), and flush. Prints per side the median wall and CPU time
 * per write and the median of the per-batch ratios chain/fresh; also the data file's span and the
 * extents in use, so the allocator's growth shows.
 *   node --import tsx bench/storage/cow-micro.ts STORE_DIR [SIZE_BYTES] [DEPTH] [BATCHES] [N]
 */
import fs from 'node:fs';
import { LocalVolumeDriver } from '../../src/drivers/storage/local/local-volume-driver.js';
import { buildChain, buildFreshCopy, prng, rearmChain } from './chain.js';

const [root, sizeArg, depthArg, batchArg, nArg] = process.argv.slice(2);
if (!root) {
  console.error('usage: cow-micro.ts STORE_DIR [SIZE_BYTES] [DEPTH] [BATCHES] [N]');
  process.exit(2);
}
const SIZE = Number(sizeArg ?? 2 ** 30);
const DEPTH = Number(depthArg ?? 10);
const BATCHES = Number(batchArg ?? 9);
const N = Number(nArg ?? 8000);
const EXTENT = 65536;

const t0 = performance.now();
const driver = await LocalVolumeDriver.open(root);
const chain = await buildChain(driver, 'chain', SIZE, DEPTH);
await buildFreshCopy(driver, 'chain', 'fresh');
console.log(`# built ${SIZE / 2 ** 20} MiB, depth ${DEPTH} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
const devs = { chain: await driver.open('chain', 'rw'), fresh: await driver.open('fresh', 'rw') };
type Side = keyof typeof devs;
const rand = prng(11);
const block = Buffer.alloc(4096, 0x5a);
const results: Record<Side, { wall: number; cpu: number }[]> = { chain: [], fresh: [] };

async function batch(side: Side, offsets: Float64Array): Promise<void> {
  const dev = devs[side];
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  for (const off of offsets) await dev.write(off, block);
  const wall = performance.now() - w0;
  const c = process.cpuUsage(c0);
  await dev.flush();
  results[side].push({ wall: (wall * 1000) / offsets.length, cpu: (c.user + c.system) / offsets.length });
}

const extents = SIZE / EXTENT;
for (let b = 0; b < BATCHES; b++) {
  await devs.chain.close();
  await rearmChain(driver, chain, b + 1);
  devs.chain = await driver.open('chain', 'rw');
  const offsets = Float64Array.from({ length: N }, () => Math.floor(rand() * extents) * EXTENT + 4096 * Math.floor(rand() * 16));
  const order: Side[] = b % 2 === 0 ? ['chain', 'fresh'] : ['fresh', 'chain'];
  for (const s of order) await batch(s, offsets);
}
const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ratios = results.chain.map((r, i) => r.wall / results.fresh[i]!.wall);
console.log(
  `4k write, first after snapshot (chain) vs in place (fresh), us per write: ` +
    `chain wall ${med(results.chain.map((r) => r.wall)).toFixed(1)} cpu ${med(results.chain.map((r) => r.cpu)).toFixed(1)}; ` +
    `fresh wall ${med(results.fresh.map((r) => r.wall)).toFixed(1)} cpu ${med(results.fresh.map((r) => r.cpu)).toFixed(1)}; ` +
    `chain/fresh wall ${med(ratios).toFixed(2)} [${ratios.map((r) => r.toFixed(2)).join(' ')}]`,
);
const stats = await driver.stats();
const poolBytes = fs.statSync(`${root}/pool`).size;
console.log(`# data file ${(poolBytes / 2 ** 30).toFixed(2)} GiB (apparent), ${(stats.allocatedBytes / 2 ** 30).toFixed(2)} GiB in use`);
for (const d of Object.values(devs)) await d.close();
await driver.close();
