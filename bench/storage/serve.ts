/**
 * Benchmark helper: creates a LocalVolumeDriver store with a volume of SIZE bytes filled with random
 * data (empty regions would be a fast path), optionally with a chain of CHAIN_DEPTH snapshots taken
 * between partial rewrites, and serves it over NBD on a unix socket until SIGTERM.
 *   node --import tsx bench/storage/serve.ts STORE_DIR SOCKET SIZE [CHAIN_DEPTH]
 * Prints READY when listening. Env SYNC_IO_MAX sets the store's syncIoMaxBytes (default: the store's);
 * NO_FILL=1 leaves a plain volume empty (run.sh then fills it through NBD, exactly as it fills the
 * qemu-nbd peer: how data was first written decides the kernel's page-cache folio size, and with it
 * the cost of later 4 KiB overwrites, so both sides must be filled the same way).
 *
 * SIGUSR2 re-arms a chain (depth > 0): one more snapshot, a rewrite of the next tenth, then the oldest
 * snapshot is deleted, so the depth stays the same and ~90 % of the volume is again shared with the
 * newest snapshot, as right after start. Every benchmark round thus starts from the same state
 * (random writes would otherwise have un-shared the volume in the first round). Prints REARMED <n>.
 */
import { randomFillSync } from 'node:crypto';
import { LocalVolumeDriver } from '../../src/drivers/storage/local/local-volume-driver.js';
import { NbdServer } from '../../src/export/nbd/nbd-server.js';

const [root, socket, sizeArg, depthArg] = process.argv.slice(2);
if (!root || !socket || !sizeArg) {
  console.error('usage: serve.ts STORE_DIR SOCKET SIZE [CHAIN_DEPTH]');
  process.exit(2);
}
const syncIo = process.env.SYNC_IO_MAX === undefined ? {} : { syncIoMaxBytes: Number(process.env.SYNC_IO_MAX) };
const driver = await LocalVolumeDriver.open(root, syncIo);
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
