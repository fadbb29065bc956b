import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  canonicalIp,
  compareIp,
  formatIp,
  ipVersionOf,
  isIpAddress,
  offsetIp,
  parseIp,
  tryParseIp,
} from './address.js';
import { InvalidInput } from '../../errors.js';

test('parses and formats IPv4 dotted quads', () => {
  const ip = parseIp('192.168.1.10');
  assert.equal(ip.version, 4);
  assert.equal(ip.value, 0xc0a8010an);
  assert.equal(formatIp(ip), '192.168.1.10');
  assert.equal(formatIp(parseIp('0.0.0.0')), '0.0.0.0');
  assert.equal(formatIp(parseIp('255.255.255.255')), '255.255.255.255');
});

test('rejects malformed or ambiguous IPv4 spellings', () => {
  for (const bad of ['1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', '1.2.3.-1', '1..2.3', ' 1.2.3.4', '1.2.3.4 ', 'a.b.c.d', '']) {
    assert.equal(tryParseIp(bad), null, bad);
  }
  assert.throws(() => parseIp('10.0.0.256'), (e: unknown) => e instanceof InvalidInput && /not a valid IP address/.test(e.message));
});

test('parses IPv6 in every legal shape', () => {
  assert.equal(parseIp('::').value, 0n);
  assert.equal(parseIp('::1').value, 1n);
  assert.equal(parseIp('2001:db8::1').value, (0x20010db8n << 96n) | 1n);
  assert.equal(parseIp('2001:DB8:0:0:0:0:0:1').value, parseIp('2001:db8::1').value);
  assert.equal(parseIp('::ffff:10.0.0.1').value, (0xffffn << 32n) | 0x0a000001n);
  assert.equal(parseIp('fe80::').value, 0xfe80n << 112n);
  assert.equal(parseIp('1:2:3:4:5:6:7::').value, parseIp('1:2:3:4:5:6:7:0').value);
});

test('rejects malformed IPv6', () => {
  for (const bad of ['1::2::3', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '12345::', 'g::1', '::1%eth0', '1:2:3:4:5:6:7:8::', '1.2.3.4::', ':1:2:3:4:5:6:7', '1:2:3:4:5:6:7:']) {
    assert.equal(tryParseIp(bad), null, bad);
  }
});

test('formats IPv6 canonically per RFC 5952', () => {
  const cases: Array<[string, string]> = [
    ['2001:0DB8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // first of two equal runs
    ['2001:db8:0:1:0:0:0:1', '2001:db8:0:1::1'], // longest run wins, lone zero stays
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // a single zero group is not compressed
    ['0:0:0:0:0:0:0:0', '::'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['1:0:0:0:0:0:0:0', '1::'],
    ['::ffff:0a00:0001', '::ffff:10.0.0.1'],
    ['fe80:0:0:0:0200:5eff:fe00:5301', 'fe80::200:5eff:fe00:5301'],
  ];
  for (const [input, want] of cases) assert.equal(canonicalIp(input), want, input);
});

test('family detection and predicates', () => {
  assert.equal(ipVersionOf('10.0.0.1'), 4);
  assert.equal(ipVersionOf('fd00::1'), 6);
  assert.equal(ipVersionOf('nope'), null);
  assert.equal(isIpAddress('10.0.0.1', 6), false);
  assert.equal(isIpAddress('10.0.0.1', 4), true);
});

test('compare and offset', () => {
  assert.ok(compareIp(parseIp('10.0.0.1'), parseIp('10.0.0.2')) < 0);
  assert.ok(compareIp(parseIp('10.0.0.1'), parseIp('::1')) < 0, 'v4 sorts before v6');
  assert.equal(formatIp(offsetIp(parseIp('10.0.0.255'), 1n)), '10.0.1.0');
  assert.throws(() => offsetIp(parseIp('255.255.255.255'), 1n), RangeError);
});
