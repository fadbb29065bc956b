import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCidr } from './cidr.js';
import { formatCidr } from './cidr.js';
import {
  cidrToRange,
  formatRange,
  intersectRanges,
  mergeRanges,
  parseRange,
  rangeSize,
  rangeToCidrs,
  rangesOverlap,
  subtractRanges,
  tryParseRange,
} from './range.js';

const r = (a: string, b: string) => parseRange(a, b);
const fmt = (xs: { version: 4 | 6; first: bigint; last: bigint }[]) => xs.map(formatRange);

test('parse and format ranges', () => {
  assert.equal(formatRange(r('10.0.0.2', '10.0.0.254')), '10.0.0.2-10.0.0.254');
  assert.equal(rangeSize(r('10.0.0.2', '10.0.0.254')), 253n);
  assert.equal(tryParseRange('10.0.0.9', '10.0.0.2'), null, 'start after end');
  assert.equal(tryParseRange('10.0.0.1', '::1'), null, 'mixed families');
});

test('overlap, merge, subtract, intersect', () => {
  assert.ok(rangesOverlap(r('10.0.0.1', '10.0.0.5'), r('10.0.0.5', '10.0.0.9')));
  assert.ok(!rangesOverlap(r('10.0.0.1', '10.0.0.4'), r('10.0.0.5', '10.0.0.9')));
  assert.deepEqual(fmt(mergeRanges([r('10.0.0.5', '10.0.0.9'), r('10.0.0.1', '10.0.0.4'), r('10.0.0.20', '10.0.0.30')])), [
    '10.0.0.1-10.0.0.9',
    '10.0.0.20-10.0.0.30',
  ]);
  assert.deepEqual(
    fmt(subtractRanges([r('10.0.0.1', '10.0.0.254')], [r('10.0.0.1', '10.0.0.1'), r('10.0.0.10', '10.0.0.20'), r('10.0.0.254', '10.0.0.255')])),
    ['10.0.0.2-10.0.0.9', '10.0.0.21-10.0.0.253'],
  );
  assert.deepEqual(fmt(subtractRanges([r('10.0.0.1', '10.0.0.5')], [r('10.0.0.0', '10.0.0.9')])), []);
  assert.deepEqual(
    fmt(subtractRanges([r('10.0.0.1', '10.0.0.5'), r('10.0.0.10', '10.0.0.15')], [r('10.0.0.4', '10.0.0.11')])),
    ['10.0.0.1-10.0.0.3', '10.0.0.12-10.0.0.15'],
  );
  assert.deepEqual(fmt(intersectRanges([r('10.0.0.1', '10.0.0.10')], [r('10.0.0.5', '10.0.0.20')])), ['10.0.0.5-10.0.0.10']);
});

test('cidr <-> range', () => {
  assert.equal(formatRange(cidrToRange(parseCidr('10.0.0.0/30'))), '10.0.0.0-10.0.0.3');
  assert.deepEqual(rangeToCidrs(r('10.0.0.1', '10.0.0.6')).map(formatCidr), ['10.0.0.1/32', '10.0.0.2/31', '10.0.0.4/31', '10.0.0.6/32']);
  assert.deepEqual(rangeToCidrs(r('0.0.0.0', '255.255.255.255')).map(formatCidr), ['0.0.0.0/0']);
});
