/**
 * Child process for the kill -9 test (not a test itself): writes numbered 4 KiB blocks to a volume
 * of the store in argv[2], flushes every few writes, takes and drops snapshots, and prints
 * `ACK <n>` only after a flush covering write n resolved, and defragments between snapshots. The
 * parent kills it at a random moment.
 * Block n goes to slot n % SLOTS and carries n in its first 8 bytes, the rest derived from n.
 */
import { LocalVolumeDriver } from './local-volume-driver.js';

export const SLOTS = 512;
export const BLOCK = 4096;

export function blockFor(n: number): Buffer {
  const b = Buffer.allocUnsafe(BLOCK);
  b.writeBigUInt64LE(BigInt(n), 0);
  for (let i = 8; i < BLOCK; i++) b[i] = (n * 13 + i) & 0xff;
  return b;
}

async function main(): Promise<void> {
  const root = process.argv[2]!;
  const start = Number(process.argv[3] ?? 0);
  const d = await LocalVolumeDriver.open(root, { checkpointJournalBytes: 256 * 1024, defrag: { idleMs: 0 } });
  await d.create('vol', SLOTS * BLOCK * 4);
  let dev = await d.open('vol', 'rw');
  process.stdout.write('READY\n');
  const snaps: string[] = [];
  for (let n = start; ; n++) {
    // Stagger blocks over several extents so snapshots force copy-on-write of partial extents.
    const pos = (n % SLOTS) * BLOCK * 4;
    const inFlight = [dev.write(pos, blockFor(n))];
    if (n % 7 === 0) inFlight.push(dev.write(pos + BLOCK, blockFor(n)));
    await Promise.all(inFlight);
    if (n % 8 === 7) {
      await dev.flush();
      process.stdout.write(`ACK ${n}\n`);
    }
    if (n % 64 === 63) {
      await dev.close();
      const id = `snap-${n}`;
      await d.snapshot('vol', id);
      snaps.push(id);
      if (snaps.length > 3) await d.deleteSnapshot(snaps.shift()!);
      if (n % 128 === 127) await d.revert('vol', id); // a no-op on content, but exercises the record
      dev = await d.open('vol', 'rw');
    }
    if (n % 64 === 31) {
      // Copy-on-write since the last snapshot scattered groups: move them back (moves and their record).
      process.stdout.write(`MOVED ${await d.defragment()}\n`);
    }
  }
}

if (process.argv[2]) main().catch((e) => {
  console.error(e);
  process.exit(1);
});
