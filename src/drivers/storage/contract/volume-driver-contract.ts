/**
 * The VolumeDriver behaviour suite: every storage driver (local now, RBD later) runs it through its
 * own test file with a factory. Layer: drivers/storage/contract; imports core/ports, node:test.
 *
 *   runVolumeDriverContract('local', async () => ({ driver, cleanup }));
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BlockDevice, Extent } from '../../../core/ports/block-device.js';
import type { VolumeDriver } from '../../../core/ports/volume-driver.js';

export interface DriverFixture {
  driver: VolumeDriver;
  /** Closes the driver and removes its state. */
  cleanup(): Promise<void>;
  /** Closes and reopens the same store (persistence checks); omit if the driver has no restart. */
  reopen?(): Promise<VolumeDriver>;
}

const MiB = 2 ** 20;
const GiB = 2 ** 30;

function pattern(len: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(len);
  for (let i = 0; i < len; i++) b[i] = (i * 31 + seed * 7 + (i >> 9)) & 0xff;
  return b;
}

async function withDevice<T>(d: VolumeDriver, id: string, mode: 'ro' | 'rw', fn: (dev: BlockDevice) => Promise<T>): Promise<T> {
  const dev = await d.open(id, mode);
  try {
    return await fn(dev);
  } finally {
    await dev.close();
  }
}

async function rejectsWith(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (e: { code?: string }) => {
    assert.equal(e.code, code);
    return true;
  });
}

function bytes(extents: Extent[], state: Extent['state']): number {
  return extents.filter((e) => e.state === state).reduce((n, e) => n + e.length, 0);
}

export function runVolumeDriverContract(name: string, factory: () => Promise<DriverFixture>): void {
  const withDriver = (fn: (f: DriverFixture) => Promise<void>) => async () => {
    const f = await factory();
    try {
      await fn(f);
    } finally {
      await f.cleanup();
    }
  };

  describe(`VolumeDriver contract: ${name}`, () => {
    it('a new volume reads as zeroes and allocates nothing', withDriver(async ({ driver: d }) => {
      await d.create('v1', 64 * MiB);
      await withDevice(d, 'v1', 'ro', async (dev) => {
        assert.equal(dev.size, 64 * MiB);
        assert.deepEqual(await dev.read(10 * MiB, 4096), Buffer.alloc(4096));
      });
      assert.equal(bytes(await d.allocationMap('v1'), 'allocated'), 0);
      assert.equal((await d.stats()).volumes, 1);
    }));

    it('create is idempotent for the same size and refuses a different one', withDriver(async ({ driver: d }) => {
      await d.create('v1', 8 * MiB);
      await d.create('v1', 8 * MiB);
      await rejectsWith(d.create('v1', 16 * MiB), 'already_exists');
      await rejectsWith(d.create('v2', 1000), 'invalid');
    }));

    it('writes read back, across extent boundaries and at odd offsets', withDriver(async ({ driver: d }) => {
      await d.create('v1', 16 * MiB);
      await withDevice(d, 'v1', 'rw', async (dev) => {
        const a = pattern(200_000, 1);
        await dev.write(65_000, a);
        await dev.write(5 * MiB, pattern(4096, 2));
        assert.deepEqual(await dev.read(65_000, a.length), a);
        assert.deepEqual(await dev.read(5 * MiB, 4096), pattern(4096, 2));
        assert.deepEqual(await dev.read(0, 65_000), Buffer.alloc(65_000)); // bytes before the write stay zero
        await rejectsWith(dev.read(16 * MiB - 10, 20), 'out_of_range');
        await rejectsWith(dev.write(16 * MiB, Buffer.alloc(1)), 'out_of_range');
      });
      const used = bytes(await d.allocationMap('v1'), 'allocated');
      assert.ok(used > 0 && used <= 1 * MiB, `thin: ${used} bytes allocated for ~200 KB written`);
    }));

    it('snapshots are point in time and read-only; clones share and diverge', withDriver(async ({ driver: d }) => {
      await d.create('v1', 32 * MiB);
      await withDevice(d, 'v1', 'rw', (dev) => dev.write(MiB, pattern(MiB, 3)));
      await d.snapshot('v1', 's1');
      await d.snapshot('v1', 's1'); // idempotent
      await withDevice(d, 'v1', 'rw', (dev) => dev.write(MiB + 4096, pattern(4096, 4)));
      await withDevice(d, 's1', 'ro', async (s) => {
        assert.deepEqual(await s.read(MiB, MiB), pattern(MiB, 3));
        await rejectsWith(s.write(0, Buffer.alloc(512)), 'read_only');
      });
      await rejectsWith(d.open('s1', 'rw'), 'read_only');
      await d.clone('s1', 'c1');
      await withDevice(d, 'c1', 'rw', async (c) => {
        assert.deepEqual(await c.read(MiB, MiB), pattern(MiB, 3));
        await c.write(MiB, pattern(4096, 5));
      });
      await withDevice(d, 'v1', 'ro', async (v) => {
        const want = pattern(MiB, 3);
        pattern(4096, 4).copy(want, 4096);
        assert.deepEqual(await v.read(MiB, MiB), want);
      });
      await withDevice(d, 's1', 'ro', async (s) => assert.deepEqual(await s.read(MiB, MiB), pattern(MiB, 3)));
      const st = await d.stats();
      assert.equal(st.snapshots, 1);
      assert.equal(st.volumes, 2);
      assert.ok(st.allocatedBytes < 2 * MiB, `clone and snapshot share extents (${st.allocatedBytes} bytes)`);
    }));

    it('changedBlocks reports exactly the written extents', withDriver(async ({ driver: d }) => {
      const es = d.capabilities.extentSize;
      await d.create('v1', GiB);
      await withDevice(d, 'v1', 'rw', (dev) => dev.write(0, pattern(3 * es, 1)));
      await d.snapshot('v1', 's1');
      await withDevice(d, 'v1', 'rw', async (dev) => {
        await dev.write(es + 10, Buffer.from('x'));
        await dev.write(700 * MiB, pattern(2 * es, 2));
      });
      await d.snapshot('v1', 's2');
      assert.deepEqual(await d.changedBlocks('s1', 's2'), [
        { offset: es, length: es, state: 'allocated' },
        { offset: 700 * MiB, length: 2 * es, state: 'allocated' },
      ]);
      assert.deepEqual(await d.changedBlocks('s2', 'v1'), []);
      assert.deepEqual(await d.changedBlocks(null, 's1'), [{ offset: 0, length: 3 * es, state: 'allocated' }]);
    }));

    it('revert restores the snapshot content and refuses while open', withDriver(async ({ driver: d }) => {
      await d.create('v1', 8 * MiB);
      await withDevice(d, 'v1', 'rw', (dev) => dev.write(0, pattern(MiB, 1)));
      await d.snapshot('v1', 's1');
      await withDevice(d, 'v1', 'rw', (dev) => dev.write(0, pattern(2 * MiB, 9)));
      const dev = await d.open('v1', 'rw');
      await rejectsWith(d.revert('v1', 's1'), 'in_use');
      await dev.close();
      await d.revert('v1', 's1');
      await d.revert('v1', 's1');
      await withDevice(d, 'v1', 'ro', async (v) => {
        assert.deepEqual(await v.read(0, MiB), pattern(MiB, 1));
        assert.deepEqual(await v.read(MiB, MiB), Buffer.alloc(MiB));
      });
      await d.create('other', 8 * MiB);
      await rejectsWith(d.revert('other', 's1'), 'invalid');
    }));

    it('delete is idempotent and frees exactly the unshared extents', withDriver(async ({ driver: d }) => {
      await d.create('v1', 16 * MiB);
      await withDevice(d, 'v1', 'rw', (dev) => dev.write(0, pattern(4 * MiB, 1)));
      await d.snapshot('v1', 's1');
      await withDevice(d, 'v1', 'rw', (dev) => dev.write(0, pattern(MiB, 2))); // 1 MiB diverges
      const before = (await d.stats()).allocatedBytes;
      assert.equal(before, 5 * MiB);
      await d.deleteSnapshot('s1');
      assert.equal((await d.stats()).allocatedBytes, 4 * MiB, 'only the overwritten 1 MiB was the snapshot\'s own');
      await d.deleteSnapshot('s1');
      const dev = await d.open('v1', 'ro');
      await rejectsWith(d.delete('v1'), 'in_use');
      await dev.close();
      await d.delete('v1');
      await d.delete('v1');
      assert.equal((await d.stats()).allocatedBytes, 0);
      await rejectsWith(d.open('v1', 'ro'), 'not_found');
    }));

    it('a volume survives deleting its origin snapshot chain, and the origin surviving its clone', withDriver(async ({ driver: d }) => {
      await d.create('v1', 4 * MiB);
      await withDevice(d, 'v1', 'rw', (dev) => dev.write(0, pattern(MiB, 1)));
      await d.snapshot('v1', 's1');
      await d.clone('s1', 'c1', 8 * MiB);
      await d.delete('v1');
      await d.deleteSnapshot('s1');
      await withDevice(d, 'c1', 'ro', async (c) => {
        assert.equal(c.size, 8 * MiB);
        assert.deepEqual(await c.read(0, MiB), pattern(MiB, 1));
        assert.deepEqual(await c.read(4 * MiB, MiB), Buffer.alloc(MiB));
      });
    }));

    it('extend grows with zeroes and never shrinks', withDriver(async ({ driver: d }) => {
      await d.create('v1', 4 * MiB);
      await withDevice(d, 'v1', 'rw', (dev) => dev.write(4 * MiB - 512, Buffer.alloc(512, 1)));
      await d.extend('v1', 12 * MiB);
      await d.extend('v1', 12 * MiB);
      await rejectsWith(d.extend('v1', 4 * MiB), 'invalid');
      await rejectsWith(d.extend('nope', 40 * MiB), 'not_found');
      await withDevice(d, 'v1', 'rw', async (dev) => {
        assert.equal(dev.size, 12 * MiB);
        assert.deepEqual(await dev.read(4 * MiB - 512, 1024), Buffer.concat([Buffer.alloc(512, 1), Buffer.alloc(512)]));
        await dev.write(11 * MiB, Buffer.alloc(4096, 2));
      });
    }));

    it('trim and writeZeroes read back as zeroes; trimmed extents are holes', withDriver(async ({ driver: d }) => {
      await d.create('v1', 4 * MiB);
      await withDevice(d, 'v1', 'rw', async (dev) => {
        await dev.write(0, pattern(2 * MiB, 1));
        await dev.writeZeroes(100, MiB);
        assert.deepEqual(await dev.read(100, MiB), Buffer.alloc(MiB));
        assert.deepEqual(await dev.read(0, 100), pattern(100, 1));
        if (dev.capabilities.canTrim) await dev.trim(MiB, MiB);
        const st = await dev.blockStatus(0, 4 * MiB);
        assert.equal(st[0]!.offset, 0);
        assert.equal(st.reduce((n, e) => n + e.length, 0), 4 * MiB);
        assert.ok(bytes(st, 'hole') >= 3 * MiB - 2 * d.capabilities.extentSize);
      });
    }));

    it('concurrent overlapping writes after a snapshot never mix in stale data', withDriver(async ({ driver: d }) => {
      await d.create('v1', 4 * MiB);
      await withDevice(d, 'v1', 'rw', (dev) => dev.write(0, Buffer.alloc(MiB, 1)));
      await d.snapshot('v1', 's1');
      await withDevice(d, 'v1', 'rw', async (dev) => {
        const writes: Promise<void>[] = [];
        for (let i = 0; i < 256; i++) writes.push(dev.write(i * 4096, Buffer.alloc(4096, 2 + (i % 200))));
        await Promise.all(writes);
        const all = await dev.read(0, MiB);
        for (let i = 0; i < 256; i++) assert.equal(all[i * 4096 + 17], 2 + (i % 200), `block ${i}`);
      });
      await withDevice(d, 's1', 'ro', async (s) => assert.deepEqual(await s.read(0, MiB), Buffer.alloc(MiB, 1)));
    }));

    it('flushed data, snapshots and clones persist across reopen', withDriver(async (f) => {
      if (!f.reopen) return;
      const d = f.driver;
      await d.create('v1', 8 * MiB);
      await withDevice(d, 'v1', 'rw', async (dev) => {
        await dev.write(0, pattern(MiB, 1));
        await dev.flush();
      });
      await d.snapshot('v1', 's1');
      await d.clone('s1', 'c1');
      const d2 = await f.reopen();
      await withDevice(d2, 's1', 'ro', async (s) => assert.deepEqual(await s.read(0, MiB), pattern(MiB, 1)));
      await withDevice(d2, 'c1', 'ro', async (s) => assert.deepEqual(await s.read(0, MiB), pattern(MiB, 1)));
      assert.equal((await d2.stats()).snapshots, 1);
    }));
  });
}
