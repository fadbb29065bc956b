import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCidr } from '../ip/index.js';
import { InUse, InvalidInput } from '../../errors.js';
import { resolveGatewayIp, defaultGatewayIp } from './gateway.js';
import { validateHostRoutes } from './host-route.js';
import { validateDnsNameservers } from './dns-nameserver.js';
import { isAutoAddressMode, validateIpv6Modes } from './ipv6-mode.js';
import { resolveSubnetCreate, resolveSubnetUpdate } from './subnet.js';

const rules = { networkId: 'net-1', existingSubnets: [] };
const badInput = (msg: string | RegExp) => (e: unknown) =>
  e instanceof InvalidInput && (typeof msg === 'string' ? e.message === msg : msg.test(e.message));

test('create applies Neutron defaults', () => {
  const s = resolveSubnetCreate({ cidr: '10.0.0.0/24' }, rules);
  assert.deepEqual(s, {
    cidr: '10.0.0.0/24',
    ipVersion: 4,
    gatewayIp: '10.0.0.1',
    allocationPools: [{ start: '10.0.0.2', end: '10.0.0.254' }],
    hostRoutes: [],
    dnsNameservers: [],
    enableDhcp: true,
    ipv6RaMode: null,
    ipv6AddressMode: null,
  });
  const noGw = resolveSubnetCreate({ cidr: '10.0.0.0/24', gatewayIp: null }, rules);
  assert.equal(noGw.gatewayIp, null);
  assert.deepEqual(noGw.allocationPools, [{ start: '10.0.0.1', end: '10.0.0.254' }]);
});

test('create with a host-bits cidr reports what Neutron reports', () => {
  assert.throws(
    () => resolveSubnetCreate({ cidr: '10.0.0.1/24' }, rules),
    (e: unknown) =>
      e instanceof InvalidInput &&
      e.type === 'HTTPBadRequest' &&
      e.message === "Invalid input for cidr. Reason: '10.0.0.1/24' isn't a recognized IP subnet cidr, '10.0.0.0/24' is recommended.",
  );
});

test('ip_version must match the cidr', () => {
  assert.throws(() => resolveSubnetCreate({ cidr: '10.0.0.0/24', ipVersion: 6 }, rules), badInput("Invalid input for operation: cidr '10.0.0.0/24' does not match the ip_version '6'."));
});

test('gateway rules', () => {
  const c = parseCidr('10.0.0.0/24');
  assert.equal(defaultGatewayIp(c), '10.0.0.1');
  assert.equal(defaultGatewayIp(parseCidr('10.0.0.1/32')), null);
  assert.equal(resolveGatewayIp(c, '10.0.0.254'), '10.0.0.254');
  assert.equal(resolveGatewayIp(c, undefined), '10.0.0.1');
  assert.equal(resolveGatewayIp(c, null), null);
  assert.throws(() => resolveGatewayIp(c, '10.0.0.0'), badInput('Invalid input for operation: Gateway is not valid on subnet.'));
  assert.throws(() => resolveGatewayIp(c, '10.0.0.255'), badInput(/Gateway is not valid on subnet/));
  assert.throws(() => resolveGatewayIp(c, '10.0.1.1'), badInput(/Gateway is not valid on subnet/));
  assert.equal(resolveGatewayIp(c, '10.0.1.1', { allowOutsideCidr: true }), '10.0.1.1');
  assert.throws(() => resolveGatewayIp(c, 'fd00::1'), badInput("Invalid input for operation: gateway_ip 'fd00::1' does not match the ip_version '4'."));
  assert.throws(() => resolveGatewayIp(c, 'x'), badInput("Invalid input for gateway_ip. Reason: 'x' is not a valid IP address."));
  // v6: the last address is fine (no broadcast), the network address is not.
  const v6 = parseCidr('2001:db8::/64');
  assert.equal(resolveGatewayIp(v6, '2001:db8::ffff:ffff:ffff:ffff'), '2001:db8::ffff:ffff:ffff:ffff');
  assert.throws(() => resolveGatewayIp(v6, '2001:db8::'), badInput(/Gateway is not valid/));
});

test('explicit pools that contain the default gateway conflict', () => {
  assert.throws(
    () => resolveSubnetCreate({ cidr: '10.0.0.0/24', allocationPools: [{ start: '10.0.0.1', end: '10.0.0.100' }] }, rules),
    (e: unknown) => e instanceof InUse && e.type === 'GatewayConflictWithAllocationPools',
  );
});

test('DHCP needs room and a unicast, non-loopback prefix', () => {
  assert.throws(() => resolveSubnetCreate({ cidr: '10.0.0.0/31' }, rules), badInput(/incompatible with DHCP/));
  assert.equal(resolveSubnetCreate({ cidr: '10.0.0.0/31', enableDhcp: false }, rules).allocationPools.length, 0);
  assert.throws(() => resolveSubnetCreate({ cidr: '224.0.0.0/24' }, rules), badInput(/Multicast IP subnet/));
  assert.throws(() => resolveSubnetCreate({ cidr: '127.0.0.0/24' }, rules), badInput(/Loopback IP subnet/));
});

test('overlap with another subnet of the network', () => {
  const r = { networkId: 'net-1', existingSubnets: [{ id: 's1', cidr: '10.0.0.0/16' }] };
  assert.throws(
    () => resolveSubnetCreate({ cidr: '10.0.5.0/24' }, r),
    badInput('Invalid input for operation: Requested subnet with cidr: 10.0.5.0/24 for network: net-1 overlaps with another subnet.'),
  );
  assert.equal(resolveSubnetCreate({ cidr: '10.1.0.0/24' }, r).cidr, '10.1.0.0/24');
  assert.equal(resolveSubnetCreate({ cidr: 'fd00::/64' }, r).ipVersion, 6);
});

test('IPv6 mode rules', () => {
  const v6 = parseCidr('2001:db8::/64');
  assert.deepEqual(validateIpv6Modes({ cidr: v6, enableDhcp: true, ipv6RaMode: 'slaac', ipv6AddressMode: 'slaac' }), {
    ipv6RaMode: 'slaac',
    ipv6AddressMode: 'slaac',
  });
  // Either alone is fine.
  assert.equal(validateIpv6Modes({ cidr: v6, enableDhcp: true, ipv6AddressMode: 'dhcpv6-stateful' }).ipv6RaMode, null);
  assert.throws(
    () => validateIpv6Modes({ cidr: v6, enableDhcp: true, ipv6RaMode: 'slaac', ipv6AddressMode: 'dhcpv6-stateful' }),
    badInput(
      "Invalid input for operation: ipv6_ra_mode set to 'slaac' with ipv6_address_mode set to 'dhcpv6-stateful' is not valid. If both attributes are set, they must be the same value.",
    ),
  );
  assert.throws(
    () => validateIpv6Modes({ cidr: parseCidr('10.0.0.0/24'), enableDhcp: true, ipv6RaMode: 'slaac' }),
    badInput('Invalid input for operation: ipv6_ra_mode is not valid when ip_version is 4.'),
  );
  assert.throws(
    () => validateIpv6Modes({ cidr: parseCidr('10.0.0.0/24'), enableDhcp: true, ipv6AddressMode: 'slaac' }),
    badInput(/ipv6_address_mode is not valid when ip_version is 4/),
  );
  assert.throws(() => validateIpv6Modes({ cidr: v6, enableDhcp: false, ipv6RaMode: 'slaac' }), badInput(/cannot be set when enable_dhcp is set to False/));
  assert.throws(() => validateIpv6Modes({ cidr: parseCidr('2001:db8::/80'), enableDhcp: true, ipv6AddressMode: 'slaac' }), badInput(/requires the prefix to be \/64/));
  // Stateful DHCPv6 needs no EUI-64, so any prefix length goes.
  assert.doesNotThrow(() => validateIpv6Modes({ cidr: parseCidr('2001:db8::/80'), enableDhcp: true, ipv6AddressMode: 'dhcpv6-stateful' }));
  assert.throws(() => validateIpv6Modes({ cidr: v6, enableDhcp: true, ipv6RaMode: 'bogus' }), badInput(/is not in \['dhcpv6-stateful', 'dhcpv6-stateless', 'slaac'\]/));
  assert.ok(isAutoAddressMode({ ipv6AddressMode: 'dhcpv6-stateless' }));
  assert.ok(isAutoAddressMode({ ipv6RaMode: 'slaac' }));
  assert.ok(!isAutoAddressMode({ ipv6AddressMode: 'dhcpv6-stateful' }));
});

test('host routes', () => {
  assert.deepEqual(validateHostRoutes([{ destination: '10.1.0.0/16', nexthop: '10.0.0.254' }], 4), [
    { destination: '10.1.0.0/16', nexthop: '10.0.0.254' },
  ]);
  assert.throws(() => validateHostRoutes([{ destination: '10.1.0.1/16', nexthop: '10.0.0.254' }], 4), badInput(/isn't a recognized IP subnet cidr/));
  assert.throws(() => validateHostRoutes([{ destination: '10.1.0.0/16', nexthop: 'fd00::1' }], 4), badInput(/nexthop 'fd00::1' does not match the ip_version '4'/));
  assert.throws(
    () => validateHostRoutes([{ destination: '10.1.0.0/16', nexthop: '10.0.0.1' }, { destination: '10.1.0.0/16', nexthop: '10.0.0.1' }], 4),
    badInput(/Duplicate hostroute/),
  );
  const many = Array.from({ length: 21 }, (_, i) => ({ destination: `10.${i}.0.0/16`, nexthop: '10.0.0.1' }));
  assert.throws(() => validateHostRoutes(many, 4, { subnetId: 's1' }), (e: unknown) => e instanceof InvalidInput && e.type === 'HostRoutesExhausted');
  assert.throws(() => validateHostRoutes([{ destination: '10.1.0.0/16' } as never], 4), badInput(/Invalid data format for hostroute/));
});

test('dns nameservers keep order, refuse duplicates, wrong family and too many', () => {
  assert.deepEqual(validateDnsNameservers(['8.8.8.8', '1.1.1.1'], 4), ['8.8.8.8', '1.1.1.1']);
  assert.throws(() => validateDnsNameservers(['8.8.8.8', '8.8.8.8'], 4), badInput("Invalid input for dns_nameservers. Reason: Duplicate nameserver '8.8.8.8'."));
  assert.throws(() => validateDnsNameservers(['2001:4860:4860::8888'], 4), badInput(/does not match the ip_version '4'/));
  assert.throws(() => validateDnsNameservers(['dns.example'], 4), badInput(/is not a valid nameserver/));
  assert.throws(
    () => validateDnsNameservers(['1.1.1.1', '1.1.1.2', '1.1.1.3', '1.1.1.4', '1.1.1.5', '1.1.1.6'], 4),
    (e: unknown) => e instanceof InvalidInput && e.type === 'DNSNameServersExhausted',
  );
});

test('update: gateway moves must stay out of pools; pools are revalidated', () => {
  const s = resolveSubnetCreate({ cidr: '10.0.0.0/24' }, rules);
  assert.throws(() => resolveSubnetUpdate(s, { gatewayIp: '10.0.0.50' }), (e: unknown) => e instanceof InUse && e.type === 'GatewayConflictWithAllocationPools');
  const moved = resolveSubnetUpdate(s, { gatewayIp: '10.0.0.254', allocationPools: [{ start: '10.0.0.1', end: '10.0.0.200' }] });
  assert.equal(moved.gatewayIp, '10.0.0.254');
  assert.deepEqual(moved.allocationPools, [{ start: '10.0.0.1', end: '10.0.0.200' }]);
  assert.equal(resolveSubnetUpdate(s, { gatewayIp: null }).gatewayIp, null);
  const v6 = resolveSubnetCreate({ cidr: '2001:db8::/64', ipv6AddressMode: 'slaac', ipv6RaMode: 'slaac' }, rules);
  assert.throws(() => resolveSubnetUpdate(v6, { enableDhcp: false }), badInput(/cannot be set when enable_dhcp/));
  assert.deepEqual(resolveSubnetUpdate(s, { dnsNameservers: ['9.9.9.9'] }).dnsNameservers, ['9.9.9.9']);
});
