import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { extentMap, planRead } from './extent-resolve.js';
import { EXTENT_SIZE, ExtentTree, LEAF_BYTES, slotOffset } from './extent-tree.js';

const E = EXTENT_SIZE;

function plan(tree: ExtentTree, id: string, offset: number, length: number): { runs: number[][]; buf: Buffer } {
  const buf = Buffer.alloc(length, 0xff);
  const runs: number[][] = [];
  const n = planRead(tree, tree.get(id)!, offset, buf, (b, len, pos) => runs.push([b, len, pos]));
  assert.equal(n, runs.length);
  return { runs, buf };
}

describe('extent resolution', () => {
  it('coalesces neighbouring slots into one run and zero-fills holes', () => {
    const tree = new ExtentTree();
    const v = tree.create('v', 'volume', LEAF_BYTES * 2, null);
    tree.setEntry(v, 0, 1);
    tree.setEntry(v, 1, 2);
    tree.setEntry(v, 3, 7);
    const { runs, buf } = plan(tree, 'v', 100, 4 * E - 100);
    assert.deepEqual(runs, [
      [0, 2 * E - 100, slotOffset(1) + 100],
      [3 * E - 100, E, slotOffset(7)],
    ]);
    assert.ok(buf.subarray(2 * E - 100, 3 * E - 100).every((b) => b === 0), 'the hole reads as zeroes');
  });

  it('resolves a snapshot-shared extent the same way at any depth: one run per slot', () => {
    const tree = new ExtentTree();
    const v = tree.create('v', 'volume', LEAF_BYTES, null);
    for (let i = 0; i < 16; i++) tree.setEntry(v, i, i + 1);
    for (let d = 0; d < 10; d++) {
      tree.create(`s${d}`, 'snapshot', v.size, 'v', v.leaves);
      tree.setEntry(v, d, 100 + d); // the volume's extent d moves: copy-on-write
    }
    const { runs } = plan(tree, 'v', 0, 16 * E);
    // extents 0..9 each in their own slot (100..109 are neighbours too), 10..15 in slots 11..16
    assert.deepEqual(runs, [
      [0, 10 * E, slotOffset(100)],
      [10 * E, 6 * E, slotOffset(11)],
    ]);
    assert.deepEqual(plan(tree, 's0', 0, 16 * E).runs, [[0, 16 * E, slotOffset(1)]]);
  });

  it('maps holes, allocated extents and missing leaves', () => {
    const tree = new ExtentTree();
    const v = tree.create('v', 'volume', LEAF_BYTES * 2, null);
    tree.setEntry(v, 1, 5);
    assert.deepEqual(extentMap(tree, v, undefined, 0, LEAF_BYTES * 2), [
      { offset: 0, length: E, state: 'hole' },
      { offset: E, length: E, state: 'allocated' },
      { offset: 2 * E, length: LEAF_BYTES * 2 - 2 * E, state: 'hole' },
    ]);
  });
});
