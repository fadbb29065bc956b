/**
 * Benchmark helper: creates a LocalVolumeDriver store with a volume of SIZE bytes filled with random
 * data (empty regions would be a fast path), optionally with a chain of CHAIN_DEPTH snapshots taken
 * between partial rewrites, and serves it over NBD on a unix socket until SIGTERM.
 *   node --import tsx bench/storage/serve.ts STORE_DIR SOCKET SIZE [CHAIN_DEPTH]
 * Prints READY when listening.
 */
import { randomFillSync } from 'node:crypto';
import { LocalVolumeDriver } from '../../src/drivers/storage/local/local-volume-driver.js';
import { NbdServer } from '../../src/export/nbd/nbd-server.js';

const [root, socket, sizeArg, depthArg] = process.argv.slice(2);
if (!root || !socket || !sizeArg) {
  console.error('usage: serve.ts STORE_DIR SOCKET SIZE [CHAIN_DEPTH]');
  process.exit(2);
}
const driver = await LocalVolumeDriver.open(root);
const size = Number(sizeArg);
const depth = Number(depthArg ?? 0);
await driver.create('bench', size);
const device = await driver.open('bench', 'rw');
const chunk = randomFillSync(Buffer.alloc(4 * 2 ** 20));
for (let off = 0; off < size; off += chunk.length) await device.write(off, chunk.subarray(0, Math.min(chunk.length, size - off)));
for (let i = 0; i < depth; i++) {
  await device.flush();
  await driver.snapshot('bench', `chain-${i}`);
  // rewrite a different tenth of the volume after each snapshot, so the chain has real history
  const part = Math.floor(size / 10 / chunk.length) * chunk.length;
  for (let off = (i % 10) * part; off < ((i % 10) + 1) * part; off += chunk.length) await device.write(off, chunk);
}
await device.flush();
const server = new NbdServer();
server.addExport('bench', device);
await server.listen({ path: socket });
console.log('READY');
const stop = async (): Promise<void> => {
  await server.close();
  await device.close();
  await driver.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
