/**
 * Micro-benchmark: snapshot, clone and revert time of a 1 GiB vs a 100 GiB volume (each with its
 * first 256 MiB written plus one 64 KiB extent in every 256 MiB leaf, so the 100 GiB tree is full
 * width), and snapshot/delete-snapshot time after a 10-deep chain. Prints `key=value` lines.
 *   node --import tsx bench/storage/snapshot-micro.ts STORE_DIR
 */
import { LocalVolumeDriver } from '../../src/drivers/storage/local/local-volume-driver.js';

const root = process.argv[2];
if (!root) {
  console.error('usage: snapshot-micro.ts STORE_DIR');
  process.exit(2);
}
const GiB = 2 ** 30;
const d = await LocalVolumeDriver.open(root);

async function fill(id: string, size: number): Promise<void> {
  await d.create(id, size);
  const dev = await d.open(id, 'rw');
  const mib = Buffer.alloc(2 ** 20, 0x5a);
  for (let off = 0; off < 256 * 2 ** 20; off += mib.length) await dev.write(off, mib);
  for (let off = 0; off < size; off += 256 * 2 ** 20) await dev.write(off, mib.subarray(0, 65536));
  await dev.flush();
  await dev.close();
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function time(fn: () => Promise<void>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

for (const [label, size] of [['1g', GiB], ['100g', 100 * GiB]] as const) {
  await fill(`v-${label}`, size);
  const snaps: number[] = [];
  const clones: number[] = [];
  const reverts: number[] = [];
  for (let i = 0; i < 7; i++) {
    snaps.push(await time(() => d.snapshot(`v-${label}`, `s-${label}-${i}`)));
    clones.push(await time(() => d.clone(`s-${label}-${i}`, `c-${label}-${i}`)));
    reverts.push(await time(() => d.revert(`v-${label}`, `s-${label}-${i}`)));
  }
  console.log(`snapshot_ms_${label}=${median(snaps).toFixed(2)} clone_ms_${label}=${median(clones).toFixed(2)} revert_ms_${label}=${median(reverts).toFixed(2)}`);
}
await d.close();
