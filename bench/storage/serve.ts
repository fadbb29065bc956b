/**
 * Benchmark helper: creates a LocalVolumeDriver store and serves it over NBD on a unix socket until
 * SIGTERM. Two modes:
 *   node --import tsx bench/storage/serve.ts STORE_DIR SOCKET SIZE [CHAIN_DEPTH]
 *     one export `bench`: a volume of SIZE bytes filled with random data (empty regions would be a
 *     fast path), optionally with a chain of CHAIN_DEPTH snapshots taken between rewrites of a tenth.
 *     NO_FILL=1 leaves a plain volume empty (run.sh then fills it through NBD, exactly as it fills the
 *     qemu-nbd peer: how data was first written decides the kernel's page-cache folio size, and with
 *     it the cost of later 4 KiB overwrites, so both sides must be filled the same way).
 *   node --import tsx bench/storage/serve.ts STORE_DIR SOCKET SIZE chains
 *     three exports of one store, in one process (so that fio compares volumes, not processes):
 *     `chain10` and `chain1`, built by chain.ts (written whole, then per level: snapshot, overwrite a
 *     tenth in random 4-64 KiB pieces), and `fresh`, a new volume holding chain10's bytes.
 * Prints READY when listening. Env SYNC_IO_MAX sets the store's syncIoMaxBytes (default: the store's);
 * DEFRAG_IDLE_MS the background defragmenter's idle delay (default: the store's; 0 turns it off). In
 * the `chains` mode READY waits until the defragmenter has caught up with the build, and every
 * background run that moved extents prints `defrag: moved N extents in T ms`.
 *
 * SIGUSR2 re-arms the chains: one more snapshot, then the oldest is deleted, so the depth stays the
 * same and the volume is again wholly shared with its newest snapshot, as right after a snapshot
 * (random writes would otherwise have un-shared it in the first round). In the first mode the
 * re-arm also rewrites the next tenth. Prints REARMED <n>.
 */
import { randomFillSync } from 'node:crypto';
import { LocalVolumeDriver } from '../../src/drivers/storage/local/local-volume-driver.js';
import { NbdServer } from '../../src/export/nbd/nbd-server.js';
import { type Chain, buildChain, buildFreshCopy, rearmChain } from './chain.js';

const [root, socket, sizeArg, depthArg] = process.argv.slice(2);
if (!root || !socket || !sizeArg) {
  console.error('usage: serve.ts STORE_DIR SOCKET SIZE [CHAIN_DEPTH | chains]');
  process.exit(2);
}
const storeOptions = {
  ...(process.env.SYNC_IO_MAX === undefined ? {} : { syncIoMaxBytes: Number(process.env.SYNC_IO_MAX) }),
  defrag: {
    ...(process.env.DEFRAG_IDLE_MS === undefined ? {} : { idleMs: Number(process.env.DEFRAG_IDLE_MS) }),
    onCaughtUp: (r: { moved: number; ms: number }) => console.log(`defrag: moved ${r.moved} extents in ${r.ms} ms`),
  },
};
if (depthArg === 'chains') await serveChains();
const driver = await LocalVolumeDriver.open(root, storeOptions);
const size = Number(sizeArg);
const depth = Number(depthArg ?? 0);
await driver.create('bench', size);
const device = await driver.open('bench', 'rw');
const chunk = randomFillSync(Buffer.alloc(4 * 2 ** 20));
const fill = depth > 0 || process.env.NO_FILL !== '1';
if (fill) for (let off = 0; off < size; off += chunk.length) await device.write(off, chunk.subarray(0, Math.min(chunk.length, size - off)));

const snaps: string[] = [];
let made = 0;
/** Snapshot, then rewrite a different tenth of the volume, so the chain has real history. */
async function extendChain(): Promise<void> {
  await device.flush();
  const id = `chain-${made}`;
  await driver.snapshot('bench', id);
  snaps.push(id);
  const part = Math.floor(size / 10 / chunk.length) * chunk.length;
  const tenth = made % 10;
  for (let off = tenth * part; off < (tenth + 1) * part; off += chunk.length) await device.write(off, chunk);
  made++;
}
for (let i = 0; i < depth; i++) await extendChain();
await device.flush();
const server = new NbdServer();
server.addExport('bench', device);
await server.listen({ path: socket });
console.log('READY');
let rearms = 0;
process.on('SIGUSR2', () => {
  void (async () => {
    if (depth > 0) {
      await extendChain();
      await driver.deleteSnapshot(snaps.shift()!);
      await device.flush();
    }
    console.log(`REARMED ${++rearms}`);
  })();
});
const stop = async (): Promise<void> => {
  await server.close();
  await device.close();
  await driver.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

/** The `chains` mode: fresh, chain1 and chain10 from one store, in this process. */
async function serveChains(): Promise<never> {
  const t0 = performance.now();
  const drv = await LocalVolumeDriver.open(root!, storeOptions);
  const sz = Number(sizeArg);
  const chains: Chain[] = [await buildChain(drv, 'chain10', sz, 10, 1), await buildChain(drv, 'chain1', sz, 1, 2)];
  await buildFreshCopy(drv, 'chain10', 'fresh');
  const srv = new NbdServer();
  const devs = await Promise.all(['fresh', 'chain1', 'chain10'].map(async (id) => {
    const dev = await drv.open(id, 'rw');
    srv.addExport(id, dev);
    return dev;
  }));
  await srv.listen({ path: socket! });
  console.log(`built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const t1 = performance.now();
  while (!drv.defragStatus().settled) await new Promise((r) => setTimeout(r, 50));
  console.log(`defragmenter settled ${((performance.now() - t1) / 1000).toFixed(1)} s after the build (${drv.defragStatus().moved} extents moved)`);
  console.log('READY');
  let n = 0;
  process.on('SIGUSR2', () => {
    void (async () => {
      n++;
      for (const c of chains) await rearmChain(drv, c, n);
      console.log(`REARMED ${n}`);
    })();
  });
  const stopChains = async (): Promise<void> => {
    await srv.close();
    for (const d of devs) await d.close();
    await drv.close();
    process.exit(0);
  };
  process.on('SIGTERM', stopChains);
  process.on('SIGINT', stopChains);
  return new Promise<never>(() => undefined);
}
