import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIp, parseIp } from './address.js';
import {
  broadcastAddress,
  cidrContains,
  cidrContainsCidr,
  cidrSize,
  cidrsOverlap,
  describeCidrProblem,
  firstHost,
  formatCidr,
  formatNetmask,
  lastAddress,
  lastHost,
  normalizeCidr,
  parseCidr,
  parseCidrLoose,
  prefixLengthFromNetmask,
} from './cidr.js';
import { InvalidInput } from '../../errors.js';

test('strict cidr parse accepts canonical prefixes', () => {
  const c = parseCidr('10.0.0.0/24');
  assert.equal(c.version, 4);
  assert.equal(c.prefixLength, 24);
  assert.equal(formatCidr(c), '10.0.0.0/24');
  assert.equal(formatCidr(parseCidr('2001:db8::/64')), '2001:db8::/64');
  assert.equal(formatCidr(parseCidr('0.0.0.0/0')), '0.0.0.0/0');
});

test('host bits set: Neutron wording with the recommended prefix', () => {
  assert.equal(
    describeCidrProblem('10.0.0.1/24'),
    "'10.0.0.1/24' isn't a recognized IP subnet cidr, '10.0.0.0/24' is recommended",
  );
  assert.throws(
    () => parseCidr('10.0.0.1/24'),
    (e: unknown) =>
      e instanceof InvalidInput &&
      e.type === 'InvalidCIDR' &&
      e.message === "'10.0.0.1/24' isn't a recognized IP subnet cidr, '10.0.0.0/24' is recommended",
  );
  // Missing length and non-canonical v6 spellings are refused the same way.
  assert.equal(describeCidrProblem('10.0.0.0'), "'10.0.0.0' isn't a recognized IP subnet cidr, '10.0.0.0/32' is recommended");
  assert.equal(
    describeCidrProblem('2001:DB8:0::/64'),
    "'2001:DB8:0::/64' isn't a recognized IP subnet cidr, '2001:db8::/64' is recommended",
  );
});

test('garbage is not a valid IP subnet', () => {
  for (const bad of ['10.0.0.0/33', '10.0.0.0/-1', '10.0.0.0/', 'x/24', '::/129', '10.0.0.0/24 ', '10.0.0.0/024x']) {
    assert.equal(describeCidrProblem(bad), `'${bad}' is not a valid IP subnet`, bad);
  }
});

test('loose parse normalizes like remote_ip_prefix', () => {
  assert.equal(normalizeCidr('10.0.0.1/24'), '10.0.0.0/24');
  assert.equal(normalizeCidr('10.0.0.1'), '10.0.0.1/32');
  assert.equal(normalizeCidr('2001:db8::1/64'), '2001:db8::/64');
  assert.throws(() => parseCidrLoose('bogus'), (e: unknown) => e instanceof InvalidInput && e.message === 'Invalid CIDR bogus given as IP prefix.');
});

test('special addresses of a v4 prefix', () => {
  const c = parseCidr('192.168.0.0/24');
  assert.equal(formatIp(firstHost(c)), '192.168.0.1');
  assert.equal(formatIp(lastHost(c)), '192.168.0.254');
  assert.equal(formatIp(broadcastAddress(c)!), '192.168.0.255');
  assert.equal(formatNetmask(c), '255.255.255.0');
  assert.equal(cidrSize(c), 256n);
  const p2p = parseCidr('10.0.0.0/31');
  assert.equal(broadcastAddress(p2p), null);
  assert.equal(formatIp(firstHost(p2p)), '10.0.0.0');
  assert.equal(formatIp(lastHost(p2p)), '10.0.0.1');
  const host = parseCidr('10.0.0.7/32');
  assert.equal(formatIp(firstHost(host)), '10.0.0.7');
  assert.equal(formatIp(lastHost(host)), '10.0.0.7');
});

test('special addresses of a v6 prefix: no broadcast', () => {
  const c = parseCidr('2001:db8::/64');
  assert.equal(broadcastAddress(c), null);
  assert.equal(formatIp(firstHost(c)), '2001:db8::1');
  assert.equal(formatIp(lastHost(c)), '2001:db8::ffff:ffff:ffff:ffff');
  assert.equal(formatIp(lastAddress(c)), '2001:db8::ffff:ffff:ffff:ffff');
  assert.equal(formatNetmask(c), 'ffff:ffff:ffff:ffff::');
  assert.equal(cidrSize(c), 1n << 64n);
});

test('netmask to prefix length', () => {
  assert.equal(prefixLengthFromNetmask('255.255.255.0'), 24);
  assert.equal(prefixLengthFromNetmask('255.255.0.255'), null);
  assert.equal(prefixLengthFromNetmask('ffff:ffff:ffff:ffff::'), 64);
});

test('contains and overlaps', () => {
  const a = parseCidr('10.0.0.0/16');
  const b = parseCidr('10.0.5.0/24');
  const c = parseCidr('10.1.0.0/24');
  assert.ok(cidrContains(a, parseIp('10.0.200.1')));
  assert.ok(!cidrContains(a, parseIp('10.1.0.1')));
  assert.ok(!cidrContains(a, parseIp('::1')), 'different family never contained');
  assert.ok(cidrContainsCidr(a, b));
  assert.ok(!cidrContainsCidr(b, a));
  assert.ok(cidrsOverlap(a, b) && cidrsOverlap(b, a));
  assert.ok(!cidrsOverlap(a, c));
  assert.ok(!cidrsOverlap(parseCidr('0.0.0.0/0'), parseCidr('::/0')));
});
