import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidInput } from '../../../core/errors.js';
import * as v from './validator.js';

test('string: type and max length, in neutron-lib words', () => {
  assert.equal(v.string(5)('abc'), null);
  assert.equal(v.string(2)('abc'), "'abc' exceeds maximum length of 2");
  assert.equal(v.string()(12), "'12' is not a valid string");
  assert.equal(v.string()(null), "'None' is not a valid string");
});

test('uuid: hyphenated or plain hex, any case', () => {
  assert.equal(v.uuid('3d42a0d4-a980-4613-ae76-a2cddecff054'), null);
  assert.equal(v.uuid('3D42A0D4A9804613AE76A2CDDECFF054'), null);
  assert.equal(v.uuid('3d42a0d4-a980-4613-ae76'), "'3d42a0d4-a980-4613-ae76' is not a valid UUID");
  assert.equal(v.uuid(7), "'7' is not a valid UUID");
});

test('toBoolean accepts true/false/"True"/"false"/"1"/"0" and rejects the rest', () => {
  for (const t of [true, 'true', 'True', 'TRUE', '1', 1]) assert.equal(v.toBoolean(t), true, String(t));
  for (const f of [false, 'false', 'False', '0', 0]) assert.equal(v.toBoolean(f), false, String(f));
  assert.throws(
    () => v.toBoolean('yes'),
    (e: unknown) =>
      e instanceof InvalidInput && e.message === "Invalid input for operation: 'yes' cannot be converted to boolean.",
  );
  assert.equal(v.boolean('True'), null);
  assert.equal(v.boolean('nah'), "'nah' is not a valid boolean value");
});

test('integers: conversion, non-negative, range', () => {
  assert.equal(v.toInt('42'), 42);
  assert.equal(v.toInt(7), 7);
  assert.throws(() => v.toInt('4.2'), /'4.2' is not an integer/);
  assert.throws(() => v.toInt(true), /'True' is not an integer/);
  assert.equal(v.toIntOrNull(null), null);
  assert.equal(v.nonNegative(0), null);
  assert.equal(v.nonNegative(-1), "'-1' should be non-negative");
  assert.equal(v.range(68, 9000)(67), "'67' is too small - must be at least '68'");
  assert.equal(v.range(68, 9000)(9001), "'9001' is too large - must be no larger than '9000'");
  assert.equal(v.range(68)(1500), null);
});

test('enum, dict, list of X', () => {
  assert.equal(v.oneOf(['ingress', 'egress'])('egress'), null);
  assert.equal(v.oneOf(['ingress', 'egress'])('up'), "'up' is not in ['ingress', 'egress']");
  assert.equal(v.dict({ a: 1 }), null);
  assert.equal(v.dict([]), "'[]' is not a dictionary");
  assert.equal(v.listOf(v.uuid)(['3d42a0d4-a980-4613-ae76-a2cddecff054']), null);
  assert.equal(v.listOf(v.uuid)(['x']), "'x' is not a valid UUID");
  assert.equal(v.listOf()('x'), "'x' is not a list");
  assert.equal(v.listOf(v.string(), { unique: true })(['a', 'a']), "Duplicate items in the list: 'a, a'");
  assert.deepEqual(v.toList('a'), ['a']);
  assert.deepEqual(v.toList(null), []);
});

test('ip address, cidr (canonical, via core/network/ip), mac address', () => {
  assert.equal(v.ipAddress('10.0.0.1'), null);
  assert.equal(v.ipAddress('fe80::1'), null);
  assert.equal(v.ipAddress('10.0.0.256'), "'10.0.0.256' is not a valid IP address");
  assert.equal(v.cidr('10.0.0.0/24'), null);
  assert.equal(v.cidr('10.0.0.1/24'), "'10.0.0.1/24' isn't a recognized IP subnet cidr, '10.0.0.0/24' is recommended");
  assert.equal(v.cidr('nope'), "'nope' is not a valid IP subnet");
  assert.equal(v.macAddress('fa:16:3e:00:11:22'), null);
  assert.equal(v.macAddress('fa:16:3e:00:11'), "'fa:16:3e:00:11' is not a valid MAC address");
});

test('orNull, fromPredicate and assertValid', () => {
  assert.equal(v.orNull(v.uuid)(null), null);
  assert.equal(v.orNull(v.uuid)('x'), "'x' is not a valid UUID");
  const even = v.fromPredicate((x) => typeof x === 'number' && x % 2 === 0, (x) => `'${String(x)}' is odd`);
  assert.equal(even(3), "'3' is odd");
  assert.throws(
    () => v.assertValid('mtu', 3, even),
    (e: unknown) => e instanceof InvalidInput && e.message === "Invalid input for mtu. Reason: '3' is odd.",
  );
});
