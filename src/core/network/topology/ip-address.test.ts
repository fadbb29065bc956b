import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalIp, formatIp, inCidr, mustParseIp, nthAddress, parseCidr, parseIp } from './ip-address.js';

test('IPv4 and IPv6 parse, format and compare', () => {
  assert.equal(formatIp(4, mustParseIp('10.0.0.255').value), '10.0.0.255');
  assert.equal(canonicalIp('2001:0db8:0000:0000:0000:0000:0000:0001'), '2001:db8::1');
  assert.equal(canonicalIp('2001:db8:0:1:0:0:0:1'), '2001:db8:0:1::1');
  assert.equal(canonicalIp('::ffff:10.0.0.1'), '::ffff:10.0.0.1');
  for (const bad of ['10.0.0', '10.0.0.256', '1::2::3', 'fe80::g', '']) assert.equal(parseIp(bad), null, bad);
});

test('prefixes: containment, host bits, nth address', () => {
  assert.ok(inCidr('10.0.0.0/28', '10.0.0.15'));
  assert.ok(!inCidr('10.0.0.0/28', '10.0.0.16'));
  assert.ok(inCidr('0.0.0.0/0', '8.8.8.8'));
  assert.ok(!inCidr('0.0.0.0/0', '2001:db8::1'), 'families never match');
  assert.ok(inCidr('2001:db8:1::/64', '2001:db8:1::ffff'));
  assert.equal(parseCidr('10.0.0.77/24')!.network, mustParseIp('10.0.0.0').value);
  assert.equal(nthAddress('2001:db8:1::/64', 1), '2001:db8:1::1');
  assert.equal(parseCidr('10.0.0.0/33'), null);
});
