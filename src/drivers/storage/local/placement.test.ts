import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { checkStore } from './check-store.js';
import { planRead } from './extent-resolve.js';
import { FreeSlots } from './free-slots.js';
import { loadTree } from './local-store.js';
import { LocalVolumeDriver } from './local-volume-driver.js';

const MiB = 2 ** 20;

describe('FreeSlots', () => {
  it('hands out the lowest slot, a given slot, and wholly free aligned 1 MiB blocks', () => {
    const f = new FreeSlots();
    assert.equal(f.takeLowest(), 0);
    assert.equal(f.findFreeBlock(), 0);
    for (let s = 5; s <= 40; s++) f.add(s);
    assert.equal(f.count, 36);
    assert.throws(() => f.add(7), /already free/);
    // Blocks are slots 1-16, 17-32, 33-48: only 17-32 is wholly free.
    assert.equal(f.findFreeBlock(), 17);
    assert.ok(f.take(20));
    assert.ok(!f.take(20), 'a slot is taken once');
    assert.equal(f.findFreeBlock(), 0, 'a block with one slot taken is not wholly free');
    assert.equal(f.takeLowest(), 5);
    assert.equal(f.takeLowest(), 6);
    f.add(2);
    assert.equal(f.takeLowest(), 2, 'a slot freed below the hint is found');
    f.add(20);
    assert.equal(f.findFreeBlock(), 17, 'a block is whole again once its slot comes back');
    for (let s = 1000; s < 1032; s++) f.add(s); // grows the bitmap
    assert.ok(f.has(1031) && !f.has(1032) && !f.has(999));
    assert.equal(f.count, 36 - 2 + 32);
    assert.ok(f.take(17));
    assert.equal(f.findFreeBlock(), 1009, 'the next wholly free block: slots 1009-1024');
  });

  it('prefers slots and blocks that were written (no hole) over lower ones that never were', () => {
    const f = new FreeSlots();
    for (let s = 1; s <= 64; s++) f.add(s); // blocks 1-16, 17-32, 33-48, 49-64: holes
    for (let s = 33; s <= 48; s++) f.markWritten(s);
    f.markWritten(60);
    assert.ok(f.isWritten(40) && !f.isWritten(1) && !f.isWritten(61));
    assert.equal(f.findFreeBlock(), 33, 'the wholly written block, though 1-16 is lower');
    assert.ok(f.take(33));
    assert.equal(f.findFreeBlock(), 1, 'no wholly free written block is left: the lowest wholly free one');
    assert.equal(f.takeLowest(), 34, 'the lowest written free slot first');
    for (let s = 35; s <= 48; s++) assert.equal(f.takeLowest(), s);
    assert.equal(f.takeLowest(), 60, 'then the last written one, above lower holes');
    assert.equal(f.takeLowest(), 1, 'then holes, lowest first');
    f.add(60); // freed again: it was written, so it comes first again
    assert.equal(f.takeLowest(), 60);
    f.markWritten(2000); // a slot beyond the bitmap grows it
    f.add(2000);
    assert.equal(f.takeLowest(), 2000);
    assert.equal(f.takeLowest(), 2);
  });
});

describe('local store: placement of copied extents', () => {
  it('keeps each 1 MiB of a volume rewritten in random 4 KiB pieces after a snapshot in one run', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ps-place-'));
    try {
      const d = await LocalVolumeDriver.open(root);
      const size = 8 * MiB;
      await d.create('v', size);
      const dev = await d.open('v', 'rw');
      const expected = Buffer.alloc(size);
      for (let i = 0; i < size; i++) expected[i] = (i * 31 + (i >> 13)) & 0xff;
      for (let off = 0; off < size; off += 65536) await dev.write(off, expected.subarray(off, off + 65536));
      await d.snapshot('v', 's1');
      // One 4 KiB write into every extent, in a shuffled order: each copies its extent on write.
      const order = Array.from({ length: size / 65536 }, (_, i) => i);
      let seed = 12345;
      for (let i = order.length - 1; i > 0; i--) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        const k = seed % (i + 1);
        [order[i], order[k]] = [order[k]!, order[i]!];
      }
      for (const e of order) {
        const at = e * 65536 + 8192;
        const piece = Buffer.alloc(4096, e & 0xff);
        await dev.write(at, piece);
        piece.copy(expected, at);
      }
      const got = Buffer.from(await dev.read(0, size));
      assert.ok(got.equals(expected), 'the volume reads back what was written');
      await dev.close();
      await d.close();

      const { tree } = loadTree(root);
      for (const id of ['v', 's1']) {
        const node = tree.get(id)!;
        for (let off = 0; off < size; off += MiB) {
          const runs = planRead(tree, node, off, Buffer.alloc(MiB), () => undefined);
          assert.equal(runs, 1, `${id}: 1 MiB at ${off} reads as ${runs} runs`);
        }
      }
      assert.deepEqual(checkStore(root).problems, []);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
