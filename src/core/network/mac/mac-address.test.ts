import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidInput, Unavailable } from '../../errors.js';
import { DEFAULT_BASE_MAC, generateMac, generateUniqueMac, isMacAddress, isMulticastMac, normalizeMac, tryNormalizeMac } from './mac-address.js';

/** Deterministic source: cycles through the given values. */
function seq(...values: number[]) {
  let i = 0;
  return () => values[i++ % values.length]!;
}

test('normalizes every common spelling to lowercase colon form', () => {
  assert.equal(normalizeMac('FA:16:3E:0A:0B:0C'), 'fa:16:3e:0a:0b:0c');
  assert.equal(normalizeMac('fa-16-3e-0a-0b-0c'), 'fa:16:3e:0a:0b:0c');
  assert.equal(normalizeMac('fa16.3e0a.0b0c'), 'fa:16:3e:0a:0b:0c');
  assert.equal(normalizeMac('fa163e0a0b0c'), 'fa:16:3e:0a:0b:0c');
  assert.equal(normalizeMac('fa:16:3e:a:b:c'), 'fa:16:3e:0a:0b:0c');
});

test('refuses malformed, all-zero and broadcast MACs in Neutron words', () => {
  for (const bad of ['fa:16:3e:0a:0b', 'fa:16:3e:0a:0b:0c:0d', 'fa:16-3e:0a:0b:0c', 'zz:16:3e:0a:0b:0c', '00:00:00:00:00:00', 'FF:FF:FF:FF:FF:FF', '']) {
    assert.equal(tryNormalizeMac(bad), null, bad);
  }
  assert.throws(
    () => normalizeMac('nope'),
    (e: unknown) => e instanceof InvalidInput && e.message === "Invalid input for mac_address. Reason: 'nope' is not a valid MAC address.",
  );
  assert.ok(isMacAddress('fa:16:3e:00:00:01'));
  assert.ok(isMulticastMac('01:00:5e:00:00:01'));
  assert.ok(!isMulticastMac('fa:16:3e:00:00:01'));
});

test('generates under the base prefix with the injected randomness', () => {
  assert.equal(generateMac(seq(0, 0.5, 0.999), DEFAULT_BASE_MAC), 'fa:16:3e:00:80:ff');
  // A non-zero fourth octet in the base is kept.
  assert.equal(generateMac(seq(0.25), 'fa:16:3e:4a:00:00'), 'fa:16:3e:4a:40:40');
  assert.match(generateMac(Math.random), /^fa:16:3e:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}$/);
  assert.throws(() => generateMac(Math.random, '01:00:5e:00:00:00'), InvalidInput);
});

test('unique generation retries, then gives up with NetworkMacAddressGenerationFailure', () => {
  const taken = new Set(['fa:16:3e:00:00:00']);
  assert.equal(generateUniqueMac(seq(0, 0, 0, 0, 0, 1 / 256), (m) => taken.has(m)), 'fa:16:3e:00:00:01');
  assert.throws(
    () => generateUniqueMac(seq(0), () => true, { networkId: 'net-1', maxAttempts: 3 }),
    (e: unknown) => e instanceof Unavailable && e.type === 'NetworkMacAddressGenerationFailure' && e.status === 503 && /net-1/.test(e.message),
  );
});
