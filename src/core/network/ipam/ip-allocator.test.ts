import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Conflict, InvalidInput } from '../../errors.js';
import { SubnetIpAllocator, type IpamSubnet } from './ip-allocator.js';

const v4: IpamSubnet = {
  id: 'sub-1',
  networkId: 'net-1',
  cidr: '10.0.0.0/24',
  gatewayIp: '10.0.0.1',
  allocationPools: [{ start: '10.0.0.2', end: '10.0.0.254' }],
};
const conflictOf = (type: string) => (e: unknown) => e instanceof Conflict && e.type === type;
const badOf = (type: string) => (e: unknown) => e instanceof InvalidInput && e.type === type;

test('allocates lowest free first and never twice', () => {
  const a = SubnetIpAllocator.create(v4, ['10.0.0.2', '10.0.0.4']);
  assert.equal(a.allocateNext(), '10.0.0.3');
  assert.equal(a.allocateNext(), '10.0.0.5');
  assert.equal(a.availableCount(), 253n - 4n);
  a.release('10.0.0.3');
  assert.equal(a.allocateNext(), '10.0.0.3', 'lowest strategy reuses released addresses');
});

test('a /24 is exhausted after 253 allocations with IpAddressGenerationFailure', () => {
  const a = SubnetIpAllocator.create(v4, []);
  const seen = new Set<string>();
  for (let i = 0; i < 253; i++) seen.add(a.allocateNext());
  assert.equal(seen.size, 253);
  assert.ok(!seen.has('10.0.0.1') && !seen.has('10.0.0.0') && !seen.has('10.0.0.255'));
  assert.throws(
    () => a.allocateNext(),
    (e: unknown) => conflictOf('IpAddressGenerationFailure')(e) && (e as Conflict).status === 409 && (e as Conflict).message === 'No more IP addresses available on network net-1.',
  );
});

test('cursor strategy moves forward and wraps', () => {
  const a = SubnetIpAllocator.create(v4, []);
  assert.equal(a.allocateNext({ kind: 'after', cursor: '10.0.0.10' }), '10.0.0.11');
  assert.equal(a.allocateNext({ kind: 'after', cursor: '10.0.0.254' }), '10.0.0.2', 'wraps to the lowest');
  assert.equal(a.allocateNext({ kind: 'after', cursor: null }), '10.0.0.3');
});

test('random strategy stays inside the window and the pool', () => {
  const a = SubnetIpAllocator.create(v4, []);
  assert.equal(a.allocateNext({ kind: 'random', random: () => 0.999, window: 10 }), '10.0.0.11');
  assert.equal(a.allocateNext({ kind: 'random', random: () => 0, window: 10 }), '10.0.0.2');
  const got = new Set<string>();
  for (let i = 0; i < 251; i++) got.add(a.allocateNext({ kind: 'random', random: Math.random }));
  assert.equal(got.size, 251);
  assert.throws(() => a.allocateNext({ kind: 'random', random: Math.random }), conflictOf('IpAddressGenerationFailure'));
});

test('explicit addresses: anywhere in the cidr, but not reserved, not taken', () => {
  const a = SubnetIpAllocator.create(v4, ['10.0.0.7']);
  assert.equal(a.allocateSpecific('10.0.0.9'), '10.0.0.9');
  assert.equal(a.allocateSpecific('10.0.0.1', { deviceOwner: 'network:router_interface' }), '10.0.0.1', 'the gateway, outside the pool');
  assert.throws(() => a.allocateSpecific('10.0.0.1'), conflictOf('IpAddressAlreadyAllocated'));
  assert.throws(
    () => a.allocateSpecific('10.0.0.7'),
    (e: unknown) => conflictOf('IpAddressAlreadyAllocated')(e) && (e as Error).message === 'IP address 10.0.0.7 already allocated in subnet sub-1',
  );
  assert.throws(() => a.allocateSpecific('10.0.1.7'), (e: unknown) => badOf('InvalidIpForSubnet')(e) && (e as Error).message === 'IP address 10.0.1.7 is not a valid IP for the specified subnet.');
  assert.throws(() => a.allocateSpecific('10.0.0.0'), badOf('InvalidIpForSubnet'));
  assert.throws(() => a.allocateSpecific('10.0.0.255'), badOf('InvalidIpForSubnet'));
  assert.throws(() => a.allocateSpecific('fd00::1'), badOf('InvalidIpForSubnet'));
  assert.throws(() => a.allocateSpecific('garbage'), badOf('HTTPBadRequest'));
  // A pool address taken explicitly is skipped by automatic allocation.
  assert.equal(a.allocateSpecific('10.0.0.2'), '10.0.0.2');
  assert.equal(a.allocateNext(), '10.0.0.3');
  assert.ok(a.isAllocated('10.0.0.1') && a.isAllocated('10.0.0.2') && !a.isAllocated('10.0.0.4'));
  a.release('10.0.0.1');
  assert.ok(!a.isAllocated('10.0.0.1'));
  a.release('10.0.0.1'); // idempotent
});

test('v6: pool reaches the last address; the anycast address is for routers only', () => {
  const s: IpamSubnet = {
    id: 'sub-6',
    networkId: 'net-1',
    cidr: '2001:db8::/120',
    gatewayIp: '2001:db8::1',
    allocationPools: [{ start: '2001:db8::2', end: '2001:db8::ff' }],
    ipv6AddressMode: 'dhcpv6-stateful',
  };
  const a = SubnetIpAllocator.create(s, []);
  assert.equal(a.allocateNext(), '2001:db8::2');
  assert.equal(a.allocateSpecific('2001:db8::ff'), '2001:db8::ff');
  assert.throws(() => a.allocateSpecific('2001:db8::', { deviceOwner: 'compute:nova' }), badOf('InvalidIpForSubnet'));
  assert.equal(a.allocateSpecific('2001:db8::', { deviceOwner: 'network:router_interface' }), '2001:db8::');
});

test('SLAAC subnets derive EUI-64 addresses and refuse explicit ones for non-routers', () => {
  const s: IpamSubnet = {
    id: 'sub-slaac',
    networkId: 'net-1',
    cidr: '2001:db8:1::/64',
    gatewayIp: '2001:db8:1::1',
    allocationPools: [{ start: '2001:db8:1::2', end: '2001:db8:1::ffff:ffff:ffff:ffff' }],
    ipv6RaMode: 'slaac',
    ipv6AddressMode: 'slaac',
  };
  const a = SubnetIpAllocator.create(s, []);
  assert.ok(a.isAutoAddress);
  assert.equal(a.allocateAutoAddress('fa:16:3e:11:22:33'), '2001:db8:1:0:f816:3eff:fe11:2233');
  assert.throws(() => a.allocateAutoAddress('FA:16:3E:11:22:33'), conflictOf('IpAddressAlreadyAllocated'));
  assert.throws(() => a.allocateSpecific('2001:db8:1::10'), badOf('AllocationOnAutoAddressSubnet'));
  assert.equal(a.allocateSpecific('2001:db8:1::1', { deviceOwner: 'network:router_interface' }), '2001:db8:1::1');
});

test('free-range persistence round-trips', () => {
  const a = SubnetIpAllocator.create(v4, ['10.0.0.2', '10.0.0.3', '10.0.0.100', '10.0.0.1']);
  assert.deepEqual(a.freeRanges(), [
    { start: '10.0.0.4', end: '10.0.0.99' },
    { start: '10.0.0.101', end: '10.0.0.254' },
  ]);
  const b = SubnetIpAllocator.fromFreeRanges(v4, a.freeRanges(), ['10.0.0.1']);
  assert.equal(b.allocateNext(), '10.0.0.4');
  assert.ok(b.isAllocated('10.0.0.1') && b.isAllocated('10.0.0.100'));
  assert.throws(() => b.allocateSpecific('10.0.0.1', { deviceOwner: 'network:router_interface' }), conflictOf('IpAddressAlreadyAllocated'));
});

test('a /16 with 60k allocations: build once, then each allocation is cheap', () => {
  const s: IpamSubnet = {
    id: 'big',
    networkId: 'net-big',
    cidr: '10.1.0.0/16',
    gatewayIp: '10.1.0.1',
    allocationPools: [{ start: '10.1.0.2', end: '10.1.255.254' }],
  };
  const allocated: string[] = [];
  // Every address but each 10th one, so the free set is fragmented into ~6000 ranges.
  for (let i = 2; i < 66000 && allocated.length < 60000; i++) {
    if (i % 10 !== 0) allocated.push(`10.1.${i >> 8}.${i & 255}`);
  }
  const t0 = performance.now();
  const a = SubnetIpAllocator.create(s, allocated);
  const built = performance.now() - t0;
  const t1 = performance.now();
  const got = new Set<string>();
  for (let i = 0; i < 2000; i++) got.add(a.allocateNext({ kind: 'lowest' }));
  for (let i = 0; i < 500; i++) got.add(a.allocateNext({ kind: 'random', random: Math.random }));
  const perAlloc = (performance.now() - t1) / 2500;
  assert.equal(got.size, 2500);
  const taken = new Set(allocated);
  for (const ip of got) assert.ok(!taken.has(ip), `${ip} was already allocated`);
  assert.ok(built < 1500, `build took ${built.toFixed(0)} ms`);
  assert.ok(perAlloc < 1, `allocation took ${perAlloc.toFixed(3)} ms each`);
});
