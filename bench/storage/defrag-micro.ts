/**
 * Micro-benchmark of the defragmenter, in process: builds a 10-deep chain (chain.ts: written whole,
 * then 10 times a snapshot and a tenth rewritten in random 4-64 KiB pieces), defragments it, then
 * ROUNDS times takes one more snapshot (none is deleted, so the store keeps growing), rewrites a
 * tenth the same way and defragments again. Prints per step the extents moved and the time taken,
 * the groups of the volume still scattered afterwards (read from the store's files), the data file's
 * size and the disk space it holds, and the bytes in use. The background defragmenter is off: every
 * step is LocalVolumeDriver.defragment().
 *   node --import tsx bench/storage/defrag-micro.ts STORE_DIR [SIZE_BYTES] [ROUNDS]
 */
import fs from 'node:fs';
import path from 'node:path';
import { groupPlaced } from '../../src/drivers/storage/local/defrag-plan.js';
import { EXTENT_SIZE } from '../../src/drivers/storage/local/extent-tree.js';
import { BLOCK_SLOTS } from '../../src/drivers/storage/local/free-slots.js';
import { loadTree } from '../../src/drivers/storage/local/local-store.js';
import { LocalVolumeDriver } from '../../src/drivers/storage/local/local-volume-driver.js';
import { buildChain, overwriteRandomPieces, prng } from './chain.js';

const [root, sizeArg, roundsArg] = process.argv.slice(2);
if (!root) {
  console.error('usage: defrag-micro.ts STORE_DIR [SIZE_BYTES] [ROUNDS]');
  process.exit(2);
}
const SIZE = Number(sizeArg ?? 2 ** 30);
const ROUNDS = Number(roundsArg ?? 5);
const MiB = 2 ** 20;
fs.rmSync(root, { recursive: true, force: true });

/** Groups of volume `v` not at their places in one block, from the store's files (journal committed). */
function scattered(): number {
  const tree = loadTree(root!).tree;
  const node = tree.get('v')!;
  let n = 0;
  for (let first = 0; first * EXTENT_SIZE < node.size; first += BLOCK_SLOTS) if (!groupPlaced(tree, node, first)) n++;
  return n;
}

const driver = await LocalVolumeDriver.open(root, { defrag: { idleMs: 0 } });
async function defragment(label: string): Promise<void> {
  const t0 = performance.now();
  const moved = await driver.defragment();
  const ms = performance.now() - t0;
  const st = fs.statSync(path.join(root!, 'pool'));
  const inUse = (await driver.stats()).allocatedBytes;
  console.log(
    `${label}: moved ${moved} extents in ${(ms / 1000).toFixed(2)} s; scattered groups ${scattered()} of ${SIZE / MiB}; ` +
      `data file ${(st.size / MiB).toFixed(0)} MiB, ${((st.blocks * 512) / MiB).toFixed(0)} MiB on disk, ${(inUse / MiB).toFixed(0)} MiB in use`,
  );
}

let t0 = performance.now();
await buildChain(driver, 'v', SIZE, 10, 1);
console.log(`# built ${SIZE / MiB} MiB, depth 10, in ${((performance.now() - t0) / 1000).toFixed(1)} s; scattered groups ${scattered()}`);
await defragment('chain10');
const rand = prng(9);
for (let r = 0; r < ROUNDS; r++) {
  await driver.snapshot('v', `more-${r}`);
  const dev = await driver.open('v', 'rw');
  t0 = performance.now();
  await overwriteRandomPieces(dev, 0.1, rand);
  await dev.close();
  await defragment(`round ${r + 1} (snapshot, a tenth rewritten)`);
}
await driver.close();
fs.rmSync(root, { recursive: true, force: true });
