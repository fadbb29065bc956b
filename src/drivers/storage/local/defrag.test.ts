import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { prng } from '../contract/seeded-random.js';
import { checkStore } from './check-store.js';
import { NEW_BLOCK, groupPlaced, planGroup } from './defrag-plan.js';
import { EXTENT_SIZE, ExtentTree } from './extent-tree.js';
import { BLOCK_SLOTS } from './free-slots.js';
import { encodeMove, decodeRecords } from './journal.js';
import { loadTree } from './local-store.js';
import { LocalVolumeDriver, type LocalVolumeDriverOptions } from './local-volume-driver.js';

const MiB = 2 ** 20;
const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'ps-defrag-'));
const OFF: LocalVolumeDriverOptions = { defrag: { idleMs: 0 } };

function piece(rand: () => number, n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i += 4) b.writeUInt32LE((rand() * 2 ** 32) >>> 0, i);
  return b;
}

/** Volume `v` written whole, then `depth` times: snapshot, rewrite a tenth in random 4-64 KiB pieces. */
async function buildChain(d: LocalVolumeDriver, size: number, depth: number, rand: () => number): Promise<void> {
  await d.create('v', size);
  const dev = await d.open('v', 'rw');
  for (let off = 0; off < size; off += 64 * 1024) await dev.write(off, piece(rand, 64 * 1024));
  await dev.close();
  for (let k = 0; k < depth; k++) {
    await d.snapshot('v', `s${k}`);
    const w = await d.open('v', 'rw');
    for (let left = size / 10; left > 0; ) {
      const n = 4096 * (1 + Math.floor(rand() * 16));
      await w.write(4096 * Math.floor(rand() * (size / 4096 - 16)), piece(rand, n));
      left -= n;
    }
    await w.close();
  }
}

/** sha256 of every node's bytes, by id. */
async function contents(d: LocalVolumeDriver, ids: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const id of ids) {
    const dev = await d.open(id, 'ro');
    out.set(id, createHash('sha256').update(await dev.read(0, dev.size)).digest('hex'));
    await dev.close();
  }
  return out;
}

/** Groups of volume `id` (in the closed store at `root`) whose extents are not all at their places in one block. */
function scatteredGroups(root: string, id: string): number {
  const tree = loadTree(root).tree;
  const node = tree.get(id)!;
  let n = 0;
  for (let first = 0; first * EXTENT_SIZE < node.size; first += BLOCK_SLOTS) {
    if (!groupPlaced(tree, node, first)) n++;
  }
  return n;
}

describe('defragmenter: planning a group', () => {
  const tree = new ExtentTree();
  const node = tree.create('v', 'volume', 2 * MiB, null);
  const set = (slots: number[], from = 0): void => slots.forEach((s, j) => tree.setEntry(node, from + j, s));

  it('leaves a group alone when it is placed, nearly empty or all holes', () => {
    assert.equal(planGroup(tree, node, 0, { isFree: () => true }), 0, 'all holes');
    set([17]);
    assert.equal(planGroup(tree, node, 0, { isFree: () => true }), 0, 'one extent');
    set([1, 2, 0, 4, 5]); // slots 1-16 are block 1; extent 2 is a hole
    assert.equal(planGroup(tree, node, 0, { isFree: () => true }), 0, 'at their places, holes between');
    set([33 + 0, 34, 35], BLOCK_SLOTS); // group 2 at its places in block 33
    assert.equal(planGroup(tree, node, BLOCK_SLOTS, { isFree: () => true }), 0);
  });

  it('moves into the block holding most of the group when the places it needs are free, else a new block', () => {
    set([1, 2, 0, 4, 5]);
    tree.setEntry(node, 3, 200); // extents 3 and 4 copied on write elsewhere, not at their places
    tree.setEntry(node, 4, 201);
    const freeAt = (...free: number[]) => (s: number) => free.includes(s);
    assert.equal(planGroup(tree, node, 0, { isFree: freeAt(4, 5) }), 1, 'block 1 holds 2 at their places; 4 and 5 are free');
    assert.equal(planGroup(tree, node, 0, { isFree: freeAt(4) }), NEW_BLOCK, 'place 5 is taken by someone else');
    tree.setEntry(node, 0, 49); // place 0 of block 49
    tree.setEntry(node, 1, 98); // place 1 of block 97: a tie of one each
    assert.equal(planGroup(tree, node, 0, { isFree: () => true }), 49, 'the first best block wins a tie');
  });

  it('clears a place that holds an older version of the same extent when that copies less', () => {
    set([65, 66, 67, 68, 69, 70], BLOCK_SLOTS * 1); // group 1 at its places in block 65...
    tree.setEntry(node, BLOCK_SLOTS + 2, 300); // ...but for extent 18, copied on write elsewhere
    const none = () => false;
    assert.equal(planGroup(tree, node, BLOCK_SLOTS, { isFree: none }), NEW_BLOCK, 'place 67 is taken and may not be cleared');
    const oldVersion = (idx: number, slot: number) => idx === BLOCK_SLOTS + 2 && slot === 67;
    assert.equal(planGroup(tree, node, BLOCK_SLOTS, { isFree: none, canEvict: oldVersion }), 65, 'one eviction and one move beat six moves');
    const notMine = (idx: number, slot: number) => idx !== BLOCK_SLOTS + 2 && slot === 67;
    assert.equal(planGroup(tree, node, BLOCK_SLOTS, { isFree: none, canEvict: notMine }), NEW_BLOCK, 'only an older version of that extent');
    // The five placed extents are shared with another volume (they may not move); extent 18's is ours.
    const onlyOurs = (_idx: number, slot: number) => slot === 300;
    assert.equal(
      planGroup(tree, node, BLOCK_SLOTS, { isFree: none, canEvict: oldVersion, canMove: onlyOurs }),
      65,
      'the one extent that moves is its own',
    );
    assert.equal(planGroup(tree, node, BLOCK_SLOTS, { isFree: none, canMove: onlyOurs }), 0, 'no new block for shared slots');
    assert.equal(
      planGroup(tree, node, BLOCK_SLOTS, { isFree: () => true, canMove: (idx) => idx !== BLOCK_SLOTS + 2 }),
      0,
      'left alone when the extent out of place may not move',
    );
  });
});

describe('defragmenter: moving extents', () => {
  it('places every group of a 10-deep chain, keeping every byte of the volume and its snapshots, across a restart', async () => {
    const root = tmp();
    try {
      const size = 24 * MiB;
      const ids = ['v', ...Array.from({ length: 10 }, (_, k) => `s${k}`)];
      let d = await LocalVolumeDriver.open(root, OFF);
      await buildChain(d, size, 10, prng(7));
      const before = await contents(d, ids);
      const allocated = (await d.stats()).allocatedBytes;
      await d.close();
      const scattered = scatteredGroups(root, 'v');
      assert.ok(scattered >= 20, `the chain scattered most of its 24 groups (${scattered})`);

      d = await LocalVolumeDriver.open(root, OFF);
      const moved = await d.defragment();
      assert.ok(moved > scattered, `moved ${moved} extents`);
      assert.equal(await d.defragment(), 0, 'a second run finds nothing to do');
      assert.deepEqual(await contents(d, ids), before, 'every node reads the same bytes');
      assert.equal((await d.stats()).allocatedBytes, allocated, 'moves use no extra space');
      assert.deepEqual((await d.check()).problems, []);
      d.abandon(); // like kill -9: no checkpoint, the moves must come back from the journal
      assert.deepEqual(checkStore(root).problems, []);
      assert.equal(scatteredGroups(root, 'v'), 0, 'after replay every group of the volume is placed');

      d = await LocalVolumeDriver.open(root, OFF);
      assert.deepEqual(await contents(d, ids), before, 'the same bytes after replaying the journal');
      // The chain goes on after moves: copy-on-write, deletes and reverts see the moved slots.
      // One extent copied on write after a snapshot: the group takes it back into its block by
      // moving the snapshot's old copy out of the way (two extents copied, not the group's 16).
      await d.snapshot('v', 'late');
      const dev = await d.open('v', 'rw');
      await dev.write(3 * MiB + 4096, Buffer.alloc(8192, 0xab));
      await dev.close();
      assert.equal(await d.defragment(), 2, 'one eviction, one move');
      await d.deleteSnapshot('late');
      await d.deleteSnapshot('s4');
      await d.revert('v', 's9');
      ids.splice(ids.indexOf('s4'), 1);
      before.delete('s4');
      before.set('v', before.get('s9')!);
      assert.deepEqual(await contents(d, ids), before);
      await d.close();
      assert.deepEqual(checkStore(root).problems, []);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('moves no slot another volume maps: a clone and its origin that differ inside a group settle, for good', async () => {
    const root = tmp();
    try {
      const ids = ['v', 's', 'c'];
      let d = await LocalVolumeDriver.open(root, OFF);
      await d.create('v', 2 * MiB);
      const dev = await d.open('v', 'rw');
      await dev.write(0, piece(prng(5), 2 * MiB));
      await dev.close();
      await d.snapshot('v', 's');
      await d.clone('s', 'c');
      for (const [id, byte] of [['v', 1], ['c', 2]] as const) {
        const w = await d.open(id, 'rw'); // each copies extent 3 on write, to a block of its own
        await w.write(3 * EXTENT_SIZE + 4096, Buffer.alloc(4096, byte));
        await w.close();
      }
      const before = await contents(d, ids);
      assert.equal(await d.defragment(), 2, 'one of them takes its block back: eviction and move');
      assert.equal(await d.defragment(), 0, 'settled');
      assert.deepEqual(await contents(d, ids), before);
      await d.close();
      // Both cannot be in one block: the other keeps its own copy apart rather than move shared slots.
      assert.deepEqual([scatteredGroups(root, 'v'), scatteredGroups(root, 'c')].sort(), [0, 1]);
      d = await LocalVolumeDriver.open(root, OFF); // reopening looks at every group of both again
      assert.equal(await d.defragment(), 0, 'and moves nothing: no back and forth');
      assert.deepEqual(await contents(d, ids), before);
      await d.close();
      assert.deepEqual(checkStore(root).problems, []);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('works in the background between writes without losing any of them', { timeout: 60_000 }, async () => {
    const root = tmp();
    try {
      const size = 8 * MiB;
      const reported: number[] = [];
      const d = await LocalVolumeDriver.open(root, { defrag: { idleMs: 1, onCaughtUp: (r) => reported.push(r.moved) } });
      await d.create('v', size);
      const model = Buffer.alloc(size);
      const rand = prng(3);
      const snaps = new Map<string, Buffer>();
      let dev = await d.open('v', 'rw');
      const movedAtStart = d.defragStatus().moved;
      for (let round = 0; round < 12; round++) {
        for (let batch = 0; batch < 20; batch++) {
          const writes: Promise<void>[] = [];
          for (let k = 0; k < 4; k++) {
            // 4 KiB to 256 KiB: small ones complete on the loop, large ones through the thread pool.
            // One per quarter of the volume: writes in flight together never overlap.
            const n = 4096 * (1 + Math.floor(rand() * (rand() < 0.2 ? 64 : 16)));
            const at = k * (size / 4) + 4096 * Math.floor(rand() * ((size / 4 - n) / 4096));
            const data = piece(rand, n);
            data.copy(model, at);
            writes.push(dev.write(at, data));
          }
          await Promise.all(writes);
          await new Promise((r) => setTimeout(r, Math.floor(rand() * 4)));
        }
        await dev.close();
        await d.snapshot('v', `s${round}`);
        snaps.set(`s${round}`, Buffer.from(model));
        if (snaps.size > 3) {
          const oldest = snaps.keys().next().value!;
          await d.deleteSnapshot(oldest);
          snaps.delete(oldest);
        }
        dev = await d.open('v', 'rw');
      }
      await dev.close();
      const movedWhileWriting = d.defragStatus().moved - movedAtStart;
      assert.ok(movedWhileWriting > 0, 'the defragmenter ran in the gaps between writes');
      // Idle now: it catches up on its own, and reports every run it finished.
      for (let waited = 0; !d.defragStatus().settled && waited < 30_000; waited += 50) {
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(d.defragStatus().settled, 'the background work settles');
      const sum = reported.reduce((a, b) => a + b, 0);
      assert.equal(sum, d.defragStatus().moved - movedAtStart, 'every background run was reported');
      assert.equal(await d.defragment(), 0, 'nothing was left to move');
      const check = async (id: string, want: Buffer): Promise<void> => {
        const r = await d.open(id, 'ro');
        assert.ok(Buffer.from(await r.read(0, size)).equals(want), `${id} reads what was written`);
        await r.close();
      };
      await check('v', model);
      for (const [id, want] of snaps) await check(id, want);
      assert.deepEqual((await d.check()).problems, []);
      await d.close();
      assert.deepEqual(checkStore(root).problems, []);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('defragmenter: journal record', () => {
  it('round-trips a move record and treats a damaged one as a torn tail', () => {
    const rec = encodeMove({ moves: [5, 100, 21, 6, 7, 22] });
    const { entries, validEnd } = decodeRecords(rec, 0);
    assert.deepEqual(entries, [{ move: { moves: [5, 100, 21, 6, 7, 22] } }]);
    assert.equal(validEnd, rec.length);
    const torn = rec.subarray(0, rec.length - 3);
    assert.deepEqual(decodeRecords(torn, 0).entries, []);
  });
});
