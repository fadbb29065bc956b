import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Conflict, InvalidInput } from '../../errors.js';
import { allocatePrefix, validateSubnetPool } from './subnet-pool.js';

test('pool validation: defaults, merge, bounds, families', () => {
  const p = validateSubnetPool({ prefixes: ['10.0.0.0/9', '10.128.0.0/9'], defaultPrefixLength: 24, minPrefixLength: 16, maxPrefixLength: 28 });
  assert.deepEqual(p.prefixes, ['10.0.0.0/8'], 'adjacent prefixes are compacted');
  assert.equal(p.ipVersion, 4);
  const d = validateSubnetPool({ prefixes: ['fd00::/48'] });
  assert.equal(validateSubnetPool({ prefixes: ['10.1.0.0/16'] }).minPrefixLength, 8, 'the default min may be shorter than the prefixes');
  assert.deepEqual([d.minPrefixLength, d.defaultPrefixLength, d.maxPrefixLength], [64, 64, 128]);
  assert.throws(() => validateSubnetPool({ prefixes: [] }), (e: unknown) => e instanceof InvalidInput && e.type === 'EmptySubnetPoolPrefixList');
  assert.throws(() => validateSubnetPool({ prefixes: ['10.0.0.0/8', 'fd00::/48'] }), (e: unknown) => e instanceof InvalidInput && e.type === 'PrefixVersionMismatch');
  assert.throws(
    () => validateSubnetPool({ prefixes: ['10.0.0.0/8'], minPrefixLength: 24, maxPrefixLength: 16 }),
    (e: unknown) => e instanceof InvalidInput && e.type === 'IllegalSubnetPoolPrefixBounds' && e.message === 'Illegal prefix bounds: min_prefixlen=24, max_prefixlen=16.',
  );
  assert.throws(() => validateSubnetPool({ prefixes: ['10.0.0.0/8'], defaultPrefixLength: 4 }), (e: unknown) => e instanceof InvalidInput && e.type === 'IllegalSubnetPoolPrefixBounds');
});

test('allocates the first free aligned prefix', () => {
  const pool = validateSubnetPool({ prefixes: ['10.0.0.0/16'], defaultPrefixLength: 24, minPrefixLength: 16, maxPrefixLength: 28 });
  assert.equal(allocatePrefix(pool, []), '10.0.0.0/24');
  assert.equal(allocatePrefix(pool, ['10.0.0.0/24']), '10.0.1.0/24');
  assert.equal(allocatePrefix(pool, ['10.0.0.0/26']), '10.0.1.0/24', 'a partial block is skipped');
  assert.equal(allocatePrefix(pool, ['10.0.0.0/26'], { prefixLength: 26 }), '10.0.0.64/26', 'smaller blocks fill the gap');
  assert.equal(allocatePrefix(pool, ['10.0.0.0/24', '10.0.2.0/24']), '10.0.1.0/24');
  assert.equal(allocatePrefix(pool, ['192.168.0.0/24']), '10.0.0.0/24', 'foreign allocations are ignored');
});

test('prefix length bounds and exhaustion', () => {
  const pool = validateSubnetPool({ prefixes: ['10.0.0.0/23'], defaultPrefixLength: 24, minPrefixLength: 23, maxPrefixLength: 28 });
  assert.throws(
    () => allocatePrefix(pool, [], { prefixLength: 22 }),
    (e: unknown) => e instanceof InvalidInput && e.type === 'MinPrefixSubnetAllocationError' && e.message === 'Unable to allocate subnet with prefix length 22, minimum allowed prefix is 23.',
  );
  assert.throws(() => allocatePrefix(pool, [], { prefixLength: 29 }), (e: unknown) => e instanceof InvalidInput && e.type === 'MaxPrefixSubnetAllocationError');
  assert.throws(
    () => allocatePrefix(pool, ['10.0.0.0/24', '10.0.1.0/24']),
    (e: unknown) => e instanceof Conflict && e.type === 'SubnetAllocationError' && /Insufficient prefix space to allocate subnet size \/24/.test(e.message),
  );
});

test('a specific cidr must be free and inside the pool', () => {
  const pool = validateSubnetPool({ prefixes: ['10.0.0.0/16'], defaultPrefixLength: 24, minPrefixLength: 16, maxPrefixLength: 28 });
  assert.equal(allocatePrefix(pool, ['10.0.0.0/24'], { cidr: '10.0.7.0/24' }), '10.0.7.0/24');
  assert.throws(() => allocatePrefix(pool, ['10.0.0.0/24'], { cidr: '10.0.0.0/25' }), (e: unknown) => e instanceof Conflict && e.type === 'SubnetAllocationError');
  assert.throws(() => allocatePrefix(pool, [], { cidr: '10.1.0.0/24' }), (e: unknown) => e instanceof Conflict);
});

test('v6 pools', () => {
  const pool = validateSubnetPool({ prefixes: ['fd00:1::/48'], defaultPrefixLength: 64 });
  assert.equal(allocatePrefix(pool, ['fd00:1::/64']), 'fd00:1:0:1::/64');
});
