import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Conflict, InUse, InvalidInput } from '../../errors.js';
import { normalizeProtocol, protocolNumber } from './protocol.js';
import { type SecurityGroupRuleInput, normalizeSecurityGroupRule } from './security-group-rule.js';
import { assertNoDuplicatesInRequest, assertNotDuplicateRule, findDuplicateRule } from './rule-duplicate.js';
import { initialSecurityGroupRules, validateSecurityGroupCreate } from './security-group.js';

const base = { securityGroupId: 'sg-1', direction: 'ingress' } as const;
const norm = (r: Partial<SecurityGroupRuleInput>) => normalizeSecurityGroupRule({ ...base, ...r });
const errOf = (type: string, msg?: string | RegExp) => (e: unknown) =>
  e instanceof InvalidInput && e.type === type && (msg === undefined || (typeof msg === 'string' ? e.message === msg : msg.test(e.message)));

test('protocols by name or number', () => {
  assert.equal(normalizeProtocol('TCP'), 'tcp');
  assert.equal(normalizeProtocol(6), '6');
  assert.equal(normalizeProtocol('17'), '17');
  assert.equal(normalizeProtocol('any'), null);
  assert.equal(normalizeProtocol(null), null);
  assert.equal(protocolNumber('icmpv6'), 58);
  assert.equal(protocolNumber('6'), 6);
  assert.throws(() => normalizeProtocol('bogus'), errOf('SecurityGroupRuleInvalidProtocol', /^Security group rule protocol bogus not supported\. Only protocol values \[None, 'any', 'ah'.*integer representations \[0 to 255\] are supported\.$/));
  assert.throws(() => normalizeProtocol(256), errOf('SecurityGroupRuleInvalidProtocol'));
  assert.throws(() => normalizeProtocol(-1), errOf('SecurityGroupRuleInvalidProtocol'));
});

test('defaults and canonical forms', () => {
  assert.deepEqual(norm({ protocol: 'tcp', portRangeMin: 22, portRangeMax: '22', remoteIpPrefix: '10.0.0.5/24' }), {
    securityGroupId: 'sg-1',
    direction: 'ingress',
    ethertype: 'IPv4',
    protocol: 'tcp',
    portRangeMin: 22,
    portRangeMax: 22,
    remoteIpPrefix: '10.0.0.0/24',
    remoteGroupId: null,
    remoteAddressGroupId: null,
    description: '',
  });
  assert.equal(norm({ ethertype: 'ipv6' }).ethertype, 'IPv6');
  assert.equal(norm({ ethertype: 'IPv6', protocol: 'icmp' }).protocol, 'ipv6-icmp');
  const all = norm({ protocol: 'udp', portRangeMin: 1, portRangeMax: 65535 });
  assert.deepEqual([all.portRangeMin, all.portRangeMax], [null, null], 'the full range collapses to no range');
  assert.equal(norm({ remoteIpPrefix: '10.0.0.7' }).remoteIpPrefix, '10.0.0.7/32');
});

test('port ranges for port protocols', () => {
  assert.throws(() => norm({ protocol: 'tcp', portRangeMin: 80, portRangeMax: 22 }), errOf('SecurityGroupInvalidPortRange', 'For TCP/UDP protocols, port_range_min must be <= port_range_max'));
  assert.throws(() => norm({ protocol: 'tcp', portRangeMin: 80 }), errOf('SecurityGroupInvalidPortRange'));
  assert.throws(() => norm({ protocol: 'tcp', portRangeMin: 0, portRangeMax: 10 }), errOf('SecurityGroupInvalidPortValue', 'Invalid value for port 0'));
  assert.throws(() => norm({ protocol: 'tcp', portRangeMin: 1, portRangeMax: 65536 }), errOf('SecurityGroupInvalidPortValue', 'Invalid value for port 65536'));
  assert.throws(() => norm({ protocol: 'tcp', portRangeMin: 'http', portRangeMax: 80 }), errOf('SecurityGroupInvalidPortValue'));
  assert.throws(() => norm({ portRangeMin: 22, portRangeMax: 22 }), errOf('SecurityGroupProtocolRequiredWithPorts', 'Must also specify protocol if port range is given.'));
  assert.throws(() => norm({ protocol: 'gre', portRangeMin: 22, portRangeMax: 22 }), errOf('SecurityGroupInvalidProtocolForPortRange', /Invalid protocol gre for port range/));
  assert.equal(norm({ protocol: '132', portRangeMin: 5000, portRangeMax: 5001 }).portRangeMax, 5001, 'sctp by number');
});

test('ICMP type and code', () => {
  const echo = norm({ protocol: 'icmp', portRangeMin: 8, portRangeMax: 0 });
  assert.deepEqual([echo.portRangeMin, echo.portRangeMax], [8, 0]);
  assert.equal(norm({ protocol: 'icmp', portRangeMin: 8 }).portRangeMax, null, 'type without code is any code');
  assert.throws(() => norm({ protocol: 'icmp', portRangeMin: 256 }), errOf('SecurityGroupInvalidIcmpValue', 'Invalid value for ICMP type (port_range_min) 256. It must be 0 to 255.'));
  assert.throws(() => norm({ protocol: 'icmp', portRangeMin: 8, portRangeMax: 300 }), errOf('SecurityGroupInvalidIcmpValue', /ICMP code \(port_range_max\) 300/));
  assert.throws(() => norm({ protocol: 'icmp', portRangeMax: 0 }), errOf('SecurityGroupMissingIcmpType', 'ICMP code (port-range-max) 0 is provided but ICMP type (port-range-min) is missing.'));
});

test('ethertype against prefix and protocol', () => {
  assert.throws(() => norm({ ethertype: 'IPv6', remoteIpPrefix: '10.0.0.0/8' }), errOf('SecurityGroupRuleParameterConflict', 'Conflicting value ethertype IPv6 for CIDR 10.0.0.0/8'));
  assert.throws(() => norm({ remoteIpPrefix: '2001:db8::/32' }), errOf('SecurityGroupRuleParameterConflict'));
  assert.throws(() => norm({ protocol: 'ipv6-icmp' }), errOf('SecurityGroupEthertypeConflictWithProtocol', 'Invalid ethertype IPv4 for protocol ipv6-icmp.'));
  assert.throws(() => norm({ ethertype: 'IPv5' }), errOf('SecurityGroupRuleInvalidEtherType'));
  assert.throws(() => norm({ remoteIpPrefix: 'nope' }), errOf('InvalidCIDR', 'Invalid CIDR nope given as IP prefix.'));
  assert.throws(() => norm({ direction: 'sideways' as never }), errOf('HTTPBadRequest', "Invalid input for direction. Reason: 'sideways' is not in ['ingress', 'egress']."));
});

test('remote group XOR remote prefix', () => {
  assert.throws(
    () => norm({ remoteGroupId: 'sg-2', remoteIpPrefix: '10.0.0.0/8' }),
    errOf('SecurityGroupRemoteGroupAndRemoteIpPrefix', 'Only remote_ip_prefix or remote_group_id or remote_address_group_id may be provided.'),
  );
  assert.equal(norm({ remoteGroupId: 'sg-2' }).remoteGroupId, 'sg-2');
});

test('duplicates: same meaning, different spelling, is a 409 naming the existing rule', () => {
  const existing = [{ ...norm({ protocol: 'tcp', portRangeMin: 22, portRangeMax: 22, remoteIpPrefix: '0.0.0.0/0' }), id: 'rule-1' }];
  const same = norm({ protocol: '6', portRangeMin: '22', portRangeMax: 22, description: 'ssh' });
  assert.equal(findDuplicateRule(same, existing)?.id, 'rule-1');
  assert.throws(
    () => assertNotDuplicateRule(same, existing),
    (e: unknown) => e instanceof Conflict && e.status === 409 && e.type === 'SecurityGroupRuleExists' && e.message === 'Security group rule already exists. Rule id is rule-1.',
  );
  assert.equal(findDuplicateRule(norm({ protocol: 'tcp', portRangeMin: 22, portRangeMax: 23 }), existing), null);
  assert.equal(findDuplicateRule({ ...same, direction: 'egress' }, existing), null);
  assert.equal(findDuplicateRule({ ...same, securityGroupId: 'sg-9' }, existing), null);
  const v6 = [{ ...norm({ ethertype: 'IPv6', protocol: 'icmpv6' }), id: 'r6' }];
  assert.equal(findDuplicateRule(norm({ ethertype: 'IPv6', protocol: 'icmp' }), v6)?.id, 'r6');
  assert.throws(() => assertNoDuplicatesInRequest([same, same]), (e: unknown) => e instanceof Conflict && e.type === 'DuplicateSecurityGroupRuleInPost');
});

test('groups: name, stateful, and the rules a new group starts with', () => {
  assert.deepEqual(validateSecurityGroupCreate({ name: 'web' }), { name: 'web', description: '', stateful: true });
  assert.equal(validateSecurityGroupCreate({ name: 'web', stateful: 'False' }).stateful, false);
  assert.throws(() => validateSecurityGroupCreate({ name: 'Default' }), (e: unknown) => e instanceof InUse && e.type === 'SecurityGroupDefaultAlreadyExists');
  assert.equal(validateSecurityGroupCreate({ name: 'default' }, { allowDefaultName: true }).name, 'default');
  assert.throws(() => validateSecurityGroupCreate({ name: 'x', stateful: 'maybe' }), InvalidInput);
  const plain = initialSecurityGroupRules('sg-1', { isDefaultGroup: false });
  assert.deepEqual(plain.map((r) => `${r.direction}/${r.ethertype}/${r.remoteGroupId}`), ['egress/IPv4/null', 'egress/IPv6/null']);
  const dflt = initialSecurityGroupRules('sg-1', { isDefaultGroup: true });
  assert.deepEqual(dflt.map((r) => `${r.direction}/${r.ethertype}/${r.remoteGroupId}`), [
    'egress/IPv4/null',
    'egress/IPv6/null',
    'ingress/IPv4/sg-1',
    'ingress/IPv6/sg-1',
  ]);
  assert.ok(dflt.every((r) => r.protocol === null && r.remoteIpPrefix === null));
});
