import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCidr } from '../ip/index.js';
import { Conflict, DomainError, InUse, InvalidInput } from '../../errors.js';
import { defaultAllocationPools, poolsSize, validateAllocationPools } from './allocation-pool.js';

const isErr = (type: string, cls: abstract new (...a: never[]) => DomainError, msg?: string) => (e: unknown) =>
  e instanceof cls && e.type === type && (msg === undefined || e.message === msg);

test('v4 default pool excludes network, broadcast and gateway', () => {
  assert.deepEqual(defaultAllocationPools(parseCidr('10.0.0.0/24'), '10.0.0.1'), [{ start: '10.0.0.2', end: '10.0.0.254' }]);
  assert.deepEqual(defaultAllocationPools(parseCidr('10.0.0.0/24'), null), [{ start: '10.0.0.1', end: '10.0.0.254' }]);
  // A gateway in the middle splits the pool in two.
  assert.deepEqual(defaultAllocationPools(parseCidr('10.0.0.0/24'), '10.0.0.100'), [
    { start: '10.0.0.1', end: '10.0.0.99' },
    { start: '10.0.0.101', end: '10.0.0.254' },
  ]);
  assert.deepEqual(defaultAllocationPools(parseCidr('10.0.0.0/30'), '10.0.0.1'), [{ start: '10.0.0.2', end: '10.0.0.2' }]);
});

test('v6 default pool excludes only the subnet-router anycast address and the gateway', () => {
  assert.deepEqual(defaultAllocationPools(parseCidr('2001:db8::/64'), '2001:db8::1'), [
    { start: '2001:db8::2', end: '2001:db8::ffff:ffff:ffff:ffff' },
  ]);
});

test('tiny prefixes: /31 has no pool, /32 is its own pool', () => {
  assert.deepEqual(defaultAllocationPools(parseCidr('10.0.0.0/31'), null), []);
  assert.deepEqual(defaultAllocationPools(parseCidr('10.0.0.5/32'), null), [{ start: '10.0.0.5', end: '10.0.0.5' }]);
});

test('requested pools are canonicalized and sorted', () => {
  const cidr = parseCidr('2001:db8::/64');
  assert.deepEqual(
    validateAllocationPools(cidr, [
      { start: '2001:DB8::100', end: '2001:db8::1ff' },
      { start: '2001:db8:0::10', end: '2001:db8::20' },
    ], '2001:db8::1'),
    [
      { start: '2001:db8::10', end: '2001:db8::20' },
      { start: '2001:db8::100', end: '2001:db8::1ff' },
    ],
  );
});

test('pool errors use Neutron types and wording', () => {
  const cidr = parseCidr('10.0.0.0/24');
  assert.throws(
    () => validateAllocationPools(cidr, [{ start: '10.0.0.9', end: '10.0.0.2' }], '10.0.0.1'),
    isErr('InvalidAllocationPool', InvalidInput, "The allocation pool {'start': '10.0.0.9', 'end': '10.0.0.2'} is not valid."),
  );
  assert.throws(
    () => validateAllocationPools(cidr, [{ start: '10.0.0.2', end: '10.0.1.5' }], '10.0.0.1'),
    isErr('OutOfBoundsAllocationPool', InvalidInput, 'The allocation pool 10.0.0.2-10.0.1.5 spans beyond the subnet cidr 10.0.0.0/24.'),
  );
  // The broadcast and network addresses are outside the usable part.
  assert.throws(() => validateAllocationPools(cidr, [{ start: '10.0.0.2', end: '10.0.0.255' }], null), isErr('OutOfBoundsAllocationPool', InvalidInput));
  assert.throws(() => validateAllocationPools(cidr, [{ start: '10.0.0.0', end: '10.0.0.5' }], null), isErr('OutOfBoundsAllocationPool', InvalidInput));
  assert.throws(
    () => validateAllocationPools(cidr, [{ start: '10.0.0.2', end: '10.0.0.50' }, { start: '10.0.0.50', end: '10.0.0.60' }], '10.0.0.1'),
    isErr('OverlappingAllocationPools', Conflict, 'Found overlapping allocation pools: 10.0.0.2-10.0.0.50 10.0.0.50-10.0.0.60 for subnet 10.0.0.0/24.'),
  );
  assert.throws(
    () => validateAllocationPools(cidr, [{ start: '10.0.0.1', end: '10.0.0.50' }], '10.0.0.1'),
    isErr('GatewayConflictWithAllocationPools', InUse, 'Gateway ip 10.0.0.1 conflicts with allocation pool 10.0.0.1-10.0.0.50.'),
  );
  assert.throws(() => validateAllocationPools(cidr, [{ start: '2001:db8::2', end: '2001:db8::5' }], null), isErr('InvalidAllocationPool', InvalidInput));
  assert.throws(() => validateAllocationPools(cidr, [{ start: 'nope', end: '10.0.0.5' }], null), isErr('HTTPBadRequest', InvalidInput));
});

test('v6 pools may reach the last address; v4 pools may not', () => {
  const v6 = parseCidr('2001:db8::/120');
  assert.deepEqual(validateAllocationPools(v6, [{ start: '2001:db8::2', end: '2001:db8::ff' }], '2001:db8::1'), [
    { start: '2001:db8::2', end: '2001:db8::ff' },
  ]);
  assert.throws(() => validateAllocationPools(v6, [{ start: '2001:db8::', end: '2001:db8::ff' }], null), isErr('OutOfBoundsAllocationPool', InvalidInput));
});

test('pool size', () => {
  assert.equal(poolsSize([{ start: '10.0.0.2', end: '10.0.0.254' }, { start: '10.0.1.1', end: '10.0.1.1' }], 4), 254n);
});
