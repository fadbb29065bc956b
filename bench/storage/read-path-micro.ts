/**
 * Micro-benchmark of the read path, in process, so that the chain-depth claim does not rest on fio
 * runs on a noisy machine. Builds a DEPTH-deep chain with random partial overwrites between snapshots
 * and a fresh volume holding the same bytes (chain.ts; the digests must match), then measures, in
 * interleaved batches (order flipped every batch), for the fresh volume and the chain volume:
 *   lookup      one extent lookup (tree.lookup), random extents
 *   plan 4k     resolving a random 4 KiB read (extent-resolve.ts planRead, no I/O)
 *   plan 1m     resolving a sequential 1 MiB read (no I/O); also counts the preads it needs
 *   read 4k     LocalBlockDevice.read of a random 4 KiB block (synchronous path, page cache)
 *   read 1m qd8 LocalBlockDevice.read of sequential 1 MiB blocks, 8 in flight (thread-pool path)
 *   lent 1m qd8 the same through readLent, as the NBD export reads (slabs, given back at once)
 * and prints per measure the median cost of each side, the median of the per-batch ratios
 * chain/fresh and their range, in wall time and in CPU time of the whole process (thread pool
 * included; steadier than wall time when other work shares the machine). Deterministic counts
 * (preads per read) need no statistics. The lookup and plan measures include the loop's overhead
 * (~1 ns per iteration); CPU time of the sub-microsecond measures is only as fine as the OS clock.
 *   node --import tsx bench/storage/read-path-micro.ts STORE_DIR [SIZE_BYTES] [DEPTH] [BATCHES]
 * Env SYNC_IO_MAX sets the store's syncIoMaxBytes for the measurement (default: the store's);
 * ONLY='read 1m qd8' (a measure's name) runs that measure alone. DEFRAG=1 defragments the store
 * (LocalVolumeDriver.defragment) after the build and prints what it moved and how long it took; the
 * background defragmenter is off throughout, so that it cannot change the volumes mid-measure.
 */
import { LocalBlockDevice } from '../../src/drivers/storage/local/local-block-device.js';
import { planRead } from '../../src/drivers/storage/local/extent-resolve.js';
import { EXTENT_SIZE, type TreeNode } from '../../src/drivers/storage/local/extent-tree.js';
import { LocalStore } from '../../src/drivers/storage/local/local-store.js';
import { LocalVolumeDriver } from '../../src/drivers/storage/local/local-volume-driver.js';
import { buildChain, buildFreshCopy, digest, prng } from './chain.js';

const [root, sizeArg, depthArg, batchArg] = process.argv.slice(2);
if (!root) {
  console.error('usage: read-path-micro.ts STORE_DIR [SIZE_BYTES] [DEPTH] [BATCHES]');
  process.exit(2);
}
const SIZE = Number(sizeArg ?? 2 ** 30);
const DEPTH = Number(depthArg ?? 10);
const BATCHES = Number(batchArg ?? 15);
const MiB = 2 ** 20;

// ---- build -----------------------------------------------------------------------------------------
let t0 = performance.now();
const driver = await LocalVolumeDriver.open(root, { defrag: { idleMs: 0 } });
await buildChain(driver, 'chain', SIZE, DEPTH);
await buildFreshCopy(driver, 'chain', 'fresh');
if (process.env.DEFRAG === '1') {
  const t1 = performance.now();
  const moved = await driver.defragment();
  console.log(`# defragmented: ${moved} extents moved in ${((performance.now() - t1) / 1000).toFixed(2)} s`);
}
const sums = await Promise.all(['chain', 'fresh'].map(async (id) => {
  const dev = await driver.open(id, 'ro');
  const d = await digest(dev);
  await dev.close();
  return d;
}));
if (sums[0] !== sums[1]) throw new Error('fresh copy differs from the chain volume');
await driver.close();
console.log(`# built ${SIZE / MiB} MiB, depth ${DEPTH}, same content (sha256 ${sums[0]!.slice(0, 12)}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

const store = await LocalStore.open(root, {
  defrag: { idleMs: 0 },
  ...(process.env.SYNC_IO_MAX ? { syncIoMaxBytes: Number(process.env.SYNC_IO_MAX) } : {}),
});
const nodes = { fresh: store.tree.get('fresh')!, chain: store.tree.get('chain')! };
const devs = {
  fresh: new LocalBlockDevice(store, nodes.fresh, false, () => undefined),
  chain: new LocalBlockDevice(store, nodes.chain, false, () => undefined),
};
type Side = keyof typeof nodes;

// ---- workloads: the same random offsets for both sides -------------------------------------------
const rand = prng(7);
const extents = SIZE / EXTENT_SIZE;
const LOOKUPS = 2_000_000;
const idxs = Uint32Array.from({ length: LOOKUPS }, () => Math.floor(rand() * extents));
const READS_4K = 200_000;
const offs4k = Float64Array.from({ length: READS_4K }, () => 4096 * Math.floor(rand() * (SIZE / 4096)));
const SYSREADS_4K = 20_000;
const SEQ = SIZE / MiB;

let sink = 0;
const buf4k = Buffer.allocUnsafe(4096);
const buf1m = Buffer.allocUnsafe(MiB);
const countRun = (): void => {
  sink++;
};

/** Reads the whole volume in 1 MiB pieces, 8 in flight. */
async function seq1mQd8(read1m: (offset: number) => Promise<number>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < SEQ) sink += await read1m(MiB * next++);
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

const measures: Record<string, { unit: string; per: number; run: (s: Side) => Promise<void> | void }> = {
  lookup: {
    unit: 'ns',
    per: LOOKUPS,
    run: (s) => {
      const node: TreeNode = nodes[s];
      const tree = store.tree;
      let acc = 0;
      for (let i = 0; i < LOOKUPS; i++) acc += tree.lookup(node, idxs[i]!);
      sink += acc;
    },
  },
  'plan 4k': {
    unit: 'ns',
    per: READS_4K,
    run: (s) => {
      for (let i = 0; i < READS_4K; i++) planRead(store.tree, nodes[s], offs4k[i]!, buf4k, countRun);
    },
  },
  'plan 1m': {
    unit: 'ns',
    per: SEQ * 4,
    run: (s) => {
      for (let k = 0; k < 4; k++) for (let i = 0; i < SEQ; i++) planRead(store.tree, nodes[s], i * MiB, buf1m, countRun);
    },
  },
  'read 4k': {
    unit: 'ns',
    per: SYSREADS_4K,
    run: async (s) => {
      const dev = devs[s];
      for (let i = 0; i < SYSREADS_4K; i++) sink += (await dev.read(offs4k[i]!, 4096)).length;
    },
  },
  'read 1m qd8': { unit: 'us', per: SEQ, run: (s) => seq1mQd8(async (off) => (await devs[s].read(off, MiB)).length) },
  'lent 1m qd8': {
    unit: 'us',
    per: SEQ,
    run: (s) =>
      seq1mQd8(async (off) => {
        const l = await devs[s].readLent(off, MiB);
        l.release(); // the NBD export gives it back once the socket has the bytes
        return l.data.length;
      }),
  },
};

// ---- deterministic counts --------------------------------------------------------------------------
function runsPer(side: Side, offsets: ArrayLike<number>, buf: Buffer): number {
  let runs = 0;
  for (let i = 0; i < offsets.length; i++) runs += planRead(store.tree, nodes[side], offsets[i]!, buf, () => undefined);
  return runs / offsets.length;
}
const seqOffs = Array.from({ length: SEQ }, (_, i) => i * MiB);
for (const s of ['fresh', 'chain'] as const) {
  console.log(`preads_per_read_${s}: 4k=${runsPer(s, offs4k, buf4k).toFixed(3)} 1m=${runsPer(s, seqOffs, buf1m).toFixed(2)}`);
}

// ---- timing ----------------------------------------------------------------------------------------
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
t0 = performance.now();
for (const [name, m] of Object.entries(measures).filter(([k]) => !process.env.ONLY || k === process.env.ONLY)) {
  await m.run('fresh'); // warm-up (JIT, page cache)
  await m.run('chain');
  const cost: Record<Side, number[]> = { fresh: [], chain: [] };
  const cpu: Record<Side, number[]> = { fresh: [], chain: [] };
  const ratios: number[] = [];
  const cpuRatios: number[] = [];
  const scale = m.unit === 'us' ? 1000 : 1;
  for (let b = 0; b < BATCHES; b++) {
    const order: Side[] = b % 2 ? ['chain', 'fresh'] : ['fresh', 'chain'];
    for (const s of order) {
      const c = process.cpuUsage();
      const t = process.hrtime.bigint();
      await m.run(s);
      const ns = Number(process.hrtime.bigint() - t) / m.per;
      const used = process.cpuUsage(c);
      cost[s].push(ns / scale);
      cpu[s].push(((used.user + used.system) * 1000) / m.per / scale); // all threads (thread pool included)
    }
    ratios.push(cost.chain[b]! / cost.fresh[b]!);
    cpuRatios.push(cpu.chain[b]! / cpu.fresh[b]!);
  }
  const fmt = (x: number): string => (x < 10 ? x.toFixed(2) : x.toFixed(0));
  const range = (xs: number[]): string => `[${Math.min(...xs).toFixed(2)} ${Math.max(...xs).toFixed(2)}]`;
  console.log(
    `${name.padEnd(12)} wall: fresh=${fmt(median(cost.fresh))} chain=${fmt(median(cost.chain))} ${m.unit} ` +
      `chain/fresh=${median(ratios).toFixed(3)} ${range(ratios)}  ` +
      `cpu: fresh=${fmt(median(cpu.fresh))} chain=${fmt(median(cpu.chain))} ${m.unit} chain/fresh=${median(cpuRatios).toFixed(3)} ${range(cpuRatios)}`,
  );
}
console.log(`# timing took ${((performance.now() - t0) / 1000).toFixed(1)} s; sink ${sink > 0}`);
await store.close();
