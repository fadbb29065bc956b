import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ScatterReader, threadsFromEnv } from './scatter-reader.js';

describe('ScatterReader', () => {
  it('fills a buffer from scattered runs in one job, zero past EOF, and survives bad requests', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ps-scatter-'));
    const file = path.join(dir, 'data');
    const content = Buffer.alloc(256 * 1024);
    for (let i = 0; i < content.length; i++) content[i] = (i * 13 + (i >> 12)) & 0xff;
    fs.writeFileSync(file, content);
    const fd = fs.openSync(file, 'r');
    const reader = new ScatterReader();
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

  it('fails reads still in flight when closed, instead of leaving them pending', async () => {
    const reader = new ScatterReader();
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
