import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ScatterReader, threadsFromEnv } from './scatter-reader.js';
import { SlabPool } from './slab-pool.js';

describe('SlabPool', () => {
  it('lends at most max slabs, reuses given ones and ignores a give of a slab not lent', () => {
    const pool = new SlabPool(2);
    const a = pool.take();
    const b = pool.take();
    assert.deepEqual([a, b, pool.take()], [0, 1, -1], 'the third take finds none');
    assert.equal(pool.out, 2);
    pool.give(a);
    pool.give(a); // not lent any more: ignored, so it cannot be handed out twice
    assert.equal(pool.out, 1);
    assert.equal(pool.take(), a);
    assert.equal(pool.take(), -1);
    assert.equal(pool.view(b, 100).length, 100);
    assert.ok(pool.view(b, 100).buffer instanceof SharedArrayBuffer);
  });
});

describe('ScatterReader', () => {
  it('fills a buffer from scattered runs in one job, zero past EOF, and survives bad requests', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ps-scatter-'));
    const file = path.join(dir, 'data');
    const content = Buffer.alloc(256 * 1024);
    for (let i = 0; i < content.length; i++) content[i] = (i * 13 + (i >> 12)) & 0xff;
    fs.writeFileSync(file, content);
    const fd = fs.openSync(file, 'r');
    const reader = new ScatterReader(new SlabPool());
    try {
      // Runs in descending file order, one of them crossing EOF; the gap at 100..200 stays as given.
      const buf = Buffer.allocUnsafeSlow(400);
      buf.fill(7, 100, 200);
      const runs = [0, 100, 200_000, 200, 100, 5_000, 300, 100, content.length - 40];
      const got = await reader.read(fd, buf, runs);
      assert.equal(buf.length, 0, 'the caller buffer moved to the worker (detached)');
      assert.ok(got.subarray(0, 100).equals(content.subarray(200_000, 200_100)));
      assert.ok(got.subarray(100, 200).equals(Buffer.alloc(100, 7)));
      assert.ok(got.subarray(200, 300).equals(content.subarray(5_000, 5_100)));
      assert.ok(got.subarray(300, 340).equals(content.subarray(content.length - 40)));
      assert.ok(got.subarray(340, 400).equals(Buffer.alloc(60)), 'past EOF reads as zeroes');

      // Many reads in flight complete with their own bytes.
      const many = await Promise.all(Array.from({ length: 32 }, (_, k) => {
        const b = Buffer.allocUnsafeSlow(8192); // spread over both workers (two by default)
        return reader.read(fd, b, [0, 4096, k * 4096, 4096, 4096, (k + 1) * 4096]);
      }));
      many.forEach((b, k) => assert.ok(b.equals(content.subarray(k * 4096, (k + 2) * 4096)), `read ${k}`));

      // A buffer that does not own its memory is refused; a bad descriptor rejects, and the reader
      // goes on serving.
      assert.throws(() => reader.read(fd, Buffer.alloc(10).subarray(1), [0, 4, 0]), /owns its memory/);
      await assert.rejects(reader.read(987654, Buffer.allocUnsafeSlow(16), [0, 16, 0]), /EBADF/);
      const after = await reader.read(fd, Buffer.allocUnsafeSlow(16), [0, 16, 64]);
      assert.ok(after.equals(content.subarray(64, 80)));
    } finally {
      await reader.close();
      fs.closeSync(fd);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fills slabs of the pool in place, each worker receiving a slab once, and reuses them', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ps-scatter-'));
    const file = path.join(dir, 'data');
    const content = Buffer.alloc(512 * 1024);
    for (let i = 0; i < content.length; i++) content[i] = (i * 7 + (i >> 10)) & 0xff;
    fs.writeFileSync(file, content);
    const fd = fs.openSync(file, 'r');
    const pool = new SlabPool(3);
    const reader = new ScatterReader(pool, 2);
    try {
      // 24 reads through 3 slabs: a slab goes back after its read is checked, and the next read of
      // the same slab must see its own bytes, not the previous read's.
      for (let round = 0; round < 8; round++) {
        const loans = [0, 1, 2].map((k) => {
          const slab = pool.take();
          assert.ok(slab >= 0, 'a slab is free');
          const view = pool.view(slab, 3 * 4096);
          view.fill(0xee, 4096, 8192); // a hole the caller zeroed (here: marked) stays untouched
          const first = ((round * 3 + k) * 4096) % (content.length - 8192);
          return { slab, first, io: reader.readSlab(fd, slab, view, [0, 4096, first, 8192, 4096, first + 4096]) };
        });
        for (const l of loans) {
          const got = await l.io;
          assert.ok(got.subarray(0, 4096).equals(content.subarray(l.first, l.first + 4096)), `round ${round}`);
          assert.ok(got.subarray(4096, 8192).equals(Buffer.alloc(4096, 0xee)));
          assert.ok(got.subarray(8192).equals(content.subarray(l.first + 4096, l.first + 8192)));
          pool.give(l.slab);
        }
      }
      assert.equal(pool.slabs.length, 3, 'no slab beyond the pool bound was made');
      assert.equal(pool.out, 0);
      await assert.rejects(reader.readSlab(987654, 0, pool.view(0, 16), [0, 16, 0]), /EBADF/);
    } finally {
      await reader.close();
      fs.closeSync(fd);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails reads still in flight when closed, instead of leaving them pending', async () => {
    const reader = new ScatterReader(new SlabPool());
    const fd = fs.openSync('/dev/zero', 'r');
    try {
      const reads = Array.from({ length: 8 }, () => reader.read(fd, Buffer.allocUnsafeSlow(4 << 20), [0, 4 << 20, 0]));
      const outcome = Promise.allSettled(reads);
      await reader.close();
      const settled = await outcome;
      for (const s of settled) {
        if (s.status === 'rejected') assert.match(String(s.reason), /closed|stopped/);
        else assert.equal(s.value.length, 4 << 20);
      }
      assert.ok(settled.some((s) => s.status === 'rejected'), 'close came before the last read finished');
    } finally {
      fs.closeSync(fd);
    }
  });

  it('takes its thread count from POCKETSTACK_SCATTER_THREADS only when it is a sensible number', () => {
    assert.equal(threadsFromEnv(undefined), 2);
    assert.equal(threadsFromEnv('4'), 4);
    assert.equal(threadsFromEnv('1'), 1);
    for (const bad of ['', '0', '-1', '2.5', 'two', '17']) assert.equal(threadsFromEnv(bad), 2, bad);
  });
});
