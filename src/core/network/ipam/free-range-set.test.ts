import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FreeRangeSet } from './free-range-set.js';

const R = (first: number, last: number) => ({ version: 4 as const, first: BigInt(first), last: BigInt(last) });
const shape = (s: FreeRangeSet) => s.toRanges().map((r) => `${r.first}-${r.last}`);

test('fromPools subtracts allocations, ignoring those outside the pools', () => {
  const s = FreeRangeSet.fromPools(4, [R(10, 20), R(30, 40)], [10n, 15n, 20n, 35n, 99n, 15n]);
  assert.deepEqual(shape(s), ['11-14', '16-19', '30-34', '36-40']);
  assert.equal(s.size(), 4n + 4n + 5n + 5n);
});

test('take and add split and coalesce', () => {
  const s = new FreeRangeSet(4, [R(1, 10)]);
  assert.ok(s.take(5n));
  assert.ok(!s.take(5n), 'already taken');
  assert.deepEqual(shape(s), ['1-4', '6-10']);
  assert.ok(s.take(1n) && s.take(10n));
  assert.deepEqual(shape(s), ['2-4', '6-9']);
  assert.ok(s.add(5n));
  assert.deepEqual(shape(s), ['2-9'], 'adding the hole joins both sides');
  assert.ok(!s.add(5n), 'already free');
  assert.ok(s.add(11n) && s.add(20n));
  assert.deepEqual(shape(s), ['2-9', '11-11', '20-20']);
  assert.ok(s.add(10n));
  assert.deepEqual(shape(s), ['2-11', '20-20']);
});

test('lookups: has, lowest, nextAtOrAfter, nth', () => {
  const s = new FreeRangeSet(4, [R(5, 7), R(20, 21)]);
  assert.ok(s.has(6n) && !s.has(8n));
  assert.equal(s.lowest(), 5n);
  assert.equal(s.nextAtOrAfter(8n), 20n);
  assert.equal(s.nextAtOrAfter(6n), 6n);
  assert.equal(s.nextAtOrAfter(22n), null);
  assert.equal(s.nth(0n), 5n);
  assert.equal(s.nth(3n), 20n);
  assert.equal(s.nth(5n), null);
  assert.equal(new FreeRangeSet(4).lowest(), null);
});
