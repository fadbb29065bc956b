import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { runVolumeDriverContract } from '../contract/volume-driver-contract.js';
import { failNth, withFaults } from '../contract/with-faults.js';
import { checkStore } from './check-store.js';
import { BLOCK, SLOTS, blockFor } from './crash-child.js';
import { LocalVolumeDriver } from './local-volume-driver.js';

const MiB = 2 ** 20;
const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'ps-local-'));

runVolumeDriverContract('local', async () => {
  const root = tmp();
  let driver = await LocalVolumeDriver.open(root);
  return {
    get driver() {
      return driver;
    },
    async reopen() {
      await driver.close();
      driver = await LocalVolumeDriver.open(root);
      return driver;
    },
    async cleanup() {
      await driver.close();
      const report = checkStore(root);
      assert.deepEqual(report.problems, []);
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
});

// The same behaviours with every I/O through the thread pool (the path large I/O and I/O that meets
// a locked extent take), so both data paths stay covered whatever the default threshold is.
runVolumeDriverContract('local, thread-pool I/O only', async () => {
  const root = tmp();
  const driver = await LocalVolumeDriver.open(root, { syncIoMaxBytes: 0 });
  return {
    driver,
    async cleanup() {
      await driver.close();
      assert.deepEqual(checkStore(root).problems, []);
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
});

describe('local store: zero blocks in blockStatus', () => {
  it('reports zeroes written into allocated extents as zero until data overwrites them', async () => {
    const root = tmp();
    try {
      const d = await LocalVolumeDriver.open(root);
      await d.create('v', 4 * MiB);
      const dev = await d.open('v', 'rw');
      await dev.write(0, Buffer.alloc(2 * MiB, 9));
      await dev.writeZeroes(4096, 3 * 65536, { noHole: true }); // 4 KiB into extent 0 .. 4 KiB into extent 3
      await dev.writeZeroes(MiB + 1000, MiB); // unmaps whole extents, zeroes the partial head
      assert.deepEqual(await dev.blockStatus(0, 4 * 65536), [
        { offset: 0, length: 4096, state: 'allocated' },
        { offset: 4096, length: 3 * 65536, state: 'zero' },
        { offset: 4096 + 3 * 65536, length: 65536 - 4096, state: 'allocated' },
      ]);
      const head = await dev.blockStatus(MiB, 65536); // 1000 bytes of data, then zeroes from 4096
      assert.deepEqual(head, [
        { offset: MiB, length: 4096, state: 'allocated' },
        { offset: MiB + 4096, length: 65536 - 4096, state: 'zero' },
      ]);
      assert.equal((await dev.blockStatus(MiB + 65536, 65536))[0]!.state, 'hole');
      await dev.write(65536 + 8192, Buffer.alloc(100, 1)); // data into a zero block clears it
      assert.deepEqual((await dev.blockStatus(65536, 65536)).map((e) => [e.length, e.state]), [
        [8192, 'zero'],
        [4096, 'allocated'],
        [65536 - 12288, 'zero'],
      ]);
      assert.deepEqual((await dev.read(4096, 3 * 65536)).filter((b) => b !== 0).length, 100);
      // allocationMap / changedBlocks keep extent granularity: zero blocks are still allocated there
      assert.equal((await d.allocationMap('v')).some((e) => e.state === 'zero'), false);
      await dev.close();
      await d.close();
      const d2 = await LocalVolumeDriver.open(root); // memory only: after a restart, just allocated
      const r = await d2.open('v', 'ro');
      assert.deepEqual(await r.blockStatus(0, 65536), [{ offset: 0, length: 65536, state: 'allocated' }]);
      await r.close();
      await d2.close();
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('local store: scattered reads', () => {
  it('reads a volume whose extents copy-on-write scattered over the data file, on every path', async () => {
    const root = tmp();
    try {
      const d = await LocalVolumeDriver.open(root);
      const size = 4 * MiB;
      await d.create('v', size);
      const dev = await d.open('v', 'rw');
      const expected = Buffer.alloc(size);
      for (let i = 0; i < size; i++) expected[i] = (i * 7 + (i >> 16)) & 0xff;
      await dev.write(0, expected);
      // Three snapshots, each followed by 4 KiB writes into every third extent, in reverse order:
      // the copied extents land in descending slots, so no two neighbours stay contiguous.
      for (let s = 0; s < 3; s++) {
        await d.snapshot('v', `s${s}`);
        for (let e = size / 65536 - 1 - s; e >= 0; e -= 3) {
          const at = e * 65536 + 4096 * s;
          const piece = Buffer.alloc(4096, 0x40 + s);
          await dev.write(at, piece);
          piece.copy(expected, at);
        }
      }
      await dev.trim(3 * MiB, MiB); // a hole in the middle of the last read below
      expected.fill(0, 3 * MiB);
      // 1 and 2 MiB of scattered runs, odd offsets: one at a time, then all at once (up to 1 MiB is
      // read inline, 2 MiB by the scatter reader).
      const reads = [[0, MiB], [MiB, 2 * MiB], [12345, MiB - 999], [2 * MiB + 4096, 2 * MiB - 4096]] as const;
      for (const [off, len] of reads) {
        const got = Buffer.from(await dev.read(off, len));
        assert.ok(got.equals(expected.subarray(off, off + len)), `read ${off}+${len}`);
      }
      const together = await Promise.all(reads.map(([off, len]) => dev.read(off, len)));
      reads.forEach(([off, len], i) => assert.ok(Buffer.from(together[i]!).equals(expected.subarray(off, off + len)), `concurrent read ${off}+${len}`));
      const snap = await d.open('s0', 'ro');
      const first = Buffer.from(await snap.read(0, MiB));
      for (let i = 0; i < MiB; i += 4099) assert.equal(first[i], (i * 7 + (i >> 16)) & 0xff);
      await snap.close();
      await dev.close();
      await d.close();
      // Lent reads (the NBD export's): the same bytes in reused slabs, filled inline (default) and by
      // the scatter reader (syncIoMaxBytes 0). 40 at once is more than the pool holds (the rest read
      // into new buffers); each is checked before any slab goes back, then all go back and the next
      // wave must not see the previous one's bytes.
      for (const syncIoMaxBytes of [undefined, 0]) {
        const d2 = await LocalVolumeDriver.open(root, syncIoMaxBytes === undefined ? {} : { syncIoMaxBytes });
        const dev2 = await d2.open('v', 'ro');
        assert.ok(dev2.readLent, 'the local device lends');
        for (let wave = 0; wave < 3; wave++) {
          const lent = await Promise.all(Array.from({ length: 40 }, (_, k) => {
            const [off, len] = k % 2 ? [(k * 65536 + wave * 4096) % (3 * MiB), MiB] : [MiB + k * 512, 200_000];
            return dev2.readLent!(off, len).then((l) => ({ l, off, len }));
          }));
          for (const { l, off, len } of lent) assert.ok(Buffer.from(l.data).equals(expected.subarray(off, off + len)), `lent ${off}+${len}`);
          for (const { l } of lent) {
            l.release();
            l.release(); // a second release of one loan does nothing
          }
        }
        await assert.rejects(dev2.readLent!(size - 4096, MiB), /outside/);
        await dev2.close();
        await d2.close();
      }
      assert.deepEqual(checkStore(root).problems, []);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('local store: persistence and checking', () => {
  it('replays the journal after an unclean stop, keeping flushed writes and dropping a torn tail', async () => {
    const root = tmp();
    try {
      const d = await LocalVolumeDriver.open(root);
      await d.create('v', 8 * MiB);
      const dev = await d.open('v', 'rw');
      await dev.write(0, Buffer.alloc(MiB, 5));
      await dev.flush();
      await dev.write(2 * MiB, Buffer.alloc(MiB, 6)); // never flushed: may be lost, must not corrupt
      d.abandon();
      fs.appendFileSync(path.join(root, 'journal'), Buffer.from([40, 0, 0, 0, 1, 2, 3, 4, 9, 9])); // torn append
      assert.deepEqual(checkStore(root).problems, []);
      const d2 = await LocalVolumeDriver.open(root);
      const r = await d2.open('v', 'ro');
      assert.deepEqual(await r.read(0, MiB), Buffer.alloc(MiB, 5));
      const unflushed = await r.read(2 * MiB, MiB);
      assert.ok(unflushed.every((b) => b === 0) || unflushed.every((b) => b === 6), 'unflushed range is old or new, never mixed');
      await r.close();
      assert.equal((await d2.check()).ok, true);
      await d2.close();
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('checkStore reports a corrupt checkpoint and refcount damage', async () => {
    const root = tmp();
    try {
      const d = await LocalVolumeDriver.open(root);
      await d.create('v', 4 * MiB);
      const dev = await d.open('v', 'rw');
      await dev.write(0, Buffer.alloc(MiB, 1));
      await dev.close();
      await d.close(); // checkpoint written
      assert.equal(checkStore(root).ok, true);
      const cp = path.join(root, 'checkpoint');
      const good = fs.readFileSync(cp);
      const bad = Buffer.from(good);
      bad[bad.length - 100] ^= 0xff;
      fs.writeFileSync(cp, bad);
      const r = checkStore(root);
      assert.equal(r.ok, false);
      assert.match(r.problems.join(), /CRC/);
      await assert.rejects(LocalVolumeDriver.open(root), /CRC/);
      fs.writeFileSync(cp, good);
      const d2 = await LocalVolumeDriver.open(root);
      assert.equal((await d2.check()).ok, true);
      await d2.close();
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('refuses a second open of the same store', async () => {
    const root = tmp();
    try {
      const d = await LocalVolumeDriver.open(root);
      await assert.rejects(LocalVolumeDriver.open(root), (e: { code?: string }) => e.code === 'in_use');
      await d.close();
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('checkpoints when the journal grows, and the result reloads identically', async () => {
    const root = tmp();
    try {
      const d = await LocalVolumeDriver.open(root, { checkpointJournalBytes: 4096 });
      await d.create('v', 64 * MiB);
      const dev = await d.open('v', 'rw');
      for (let i = 0; i < 200; i++) {
        await dev.write(i * 65536 * 3, Buffer.alloc(4096, i & 0xff));
        if (i % 10 === 9) await dev.flush();
      }
      await dev.flush();
      await new Promise((r) => setTimeout(r, 50));
      assert.ok(fs.statSync(path.join(root, 'journal')).size < 64 * 1024, 'journal was reset by a checkpoint');
      d.abandon();
      const d2 = await LocalVolumeDriver.open(root);
      const r = await d2.open('v', 'ro');
      for (let i = 0; i < 200; i += 37) assert.equal((await r.read(i * 65536 * 3, 4096))[100], i & 0xff);
      await r.close();
      await d2.close();
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('withFaults: a failed operation leaves the inner store consistent and usable', async () => {
    const root = tmp();
    try {
      const inner = await LocalVolumeDriver.open(root);
      const d = withFaults(inner, { ...failNth('write', 3), tornWrites: true });
      await d.create('v', 4 * MiB);
      const dev = await d.open('v', 'rw');
      await dev.write(0, Buffer.alloc(8192, 1));
      await dev.write(8192, Buffer.alloc(8192, 2));
      await assert.rejects(dev.write(16384, Buffer.alloc(8192, 3)), (e: { code?: string }) => e.code === 'io');
      await dev.write(16384, Buffer.alloc(8192, 4));
      await dev.flush();
      assert.equal(d.injected, 1);
      assert.deepEqual(await dev.read(16384, 8192), Buffer.alloc(8192, 4));
      await dev.close();
      const snapFail = withFaults(inner, failNth('snapshot', 1));
      await assert.rejects(snapFail.snapshot('v', 's'));
      assert.equal((await inner.stats()).snapshots, 0);
      assert.equal((await inner.check()).ok, true);
      await inner.close();
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('local store: kill -9', () => {
  let moved = 0; // extents the children's defragmenter moved (MOVED lines)
  async function runChildAndKill(root: string, start: number, killAfterMs: number): Promise<number> {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'crash-child.ts'), root, String(start)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let lastAck = -1;
    let buf = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (b: Buffer) => {
      buf += b.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const l of lines) {
        if (l === 'READY') timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
        else if (l.startsWith('ACK ')) lastAck = Number(l.slice(4));
        else if (l.startsWith('MOVED ')) moved += Number(l.slice(6));
      }
    });
    const code = await new Promise<string | null>((r) => child.on('exit', (_c, sig) => r(sig)));
    clearTimeout(timer);
    assert.equal(code, 'SIGKILL', 'the child ran until killed');
    return lastAck;
  }

  it('keeps every acknowledged flushed write and a consistent store, over three crashes', { timeout: 40_000 }, async () => {
    const root = tmp();
    try {
      let start = 0;
      const lastAckedAt = new Map<number, number>(); // slot -> highest acked n
      for (const ms of [600, 350, 900]) {
        const acked = await runChildAndKill(root, start, ms);
        assert.ok(acked >= start, `child acknowledged writes (round from ${start}, acked ${acked})`);
        for (let n = start; n <= acked; n++) lastAckedAt.set(n % SLOTS, n);
        const report = checkStore(root);
        assert.deepEqual(report.problems, [], 'store consistent after kill -9');
        const d = await LocalVolumeDriver.open(root);
        const dev = await d.open('vol', 'ro');
        for (const [slot, n] of lastAckedAt) {
          const got = Buffer.from(await dev.read(slot * BLOCK * 4, BLOCK));
          const found = Number(got.readBigUInt64LE(0));
          assert.ok(found >= n && found % SLOTS === slot, `slot ${slot}: acked write ${n}, found ${found}`);
          assert.deepEqual(got, blockFor(found), `slot ${slot} holds an intact block`);
        }
        await dev.close();
        assert.equal((await d.check()).ok, true);
        await d.close();
        start = acked + 1 + 1000; // later rounds write newer numbers
      }
      assert.ok(moved > 0, 'the children moved extents (defragmenter) between their snapshots');
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
