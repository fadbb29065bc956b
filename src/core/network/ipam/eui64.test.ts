import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidInput } from '../../errors.js';
import { eui64Address, eui64InterfaceId } from './eui64.js';

test('EUI-64 flips the U/L bit and inserts ff:fe', () => {
  assert.equal(eui64InterfaceId('00:16:3e:33:44:55'), 0x02163efffe334455n);
  assert.equal(eui64Address('2001:db8::/64', 'fa:16:3e:00:00:01'), '2001:db8::f816:3eff:fe00:1');
  assert.equal(eui64Address('fe80::/64', '00:00:5e:00:53:01'), 'fe80::200:5eff:fe00:5301');
});

test('EUI-64 needs a v6 prefix of at most /64', () => {
  assert.throws(() => eui64Address('10.0.0.0/24', 'fa:16:3e:00:00:01'), InvalidInput);
  assert.throws(() => eui64Address('2001:db8::/80', 'fa:16:3e:00:00:01'), InvalidInput);
  assert.throws(() => eui64Address('2001:db8::/64', 'bad'), InvalidInput);
});
