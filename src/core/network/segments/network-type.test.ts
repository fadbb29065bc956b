import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encapsulationOverhead, networkMtu } from './network-type.js';

test('MTU per network type on a 1500 v4 underlay', () => {
  assert.equal(networkMtu('vxlan'), 1450);
  assert.equal(networkMtu('gre'), 1458);
  assert.equal(networkMtu('geneve'), 1442);
  assert.equal(networkMtu('vlan', 'physnet1'), 1500);
  assert.equal(networkMtu('flat', 'public'), 1500);
  assert.equal(networkMtu('local'), 1500);
  assert.deepEqual(['vxlan', 'gre', 'geneve', 'vlan'].map((t) => encapsulationOverhead(t as never)), [50, 42, 58, 0]);
});

test('MTU options: v6 underlay, jumbo frames, Neutron geneve default, per-physnet MTU', () => {
  assert.equal(networkMtu('vxlan', null, { overlayIpVersion: 6 }), 1430);
  assert.equal(networkMtu('vxlan', null, { underlayMtu: 9000 }), 8950);
  assert.equal(networkMtu('geneve', null, { geneveMaxHeaderSize: 30 }), 1450);
  assert.equal(networkMtu('vlan', 'physnet1', { physicalNetworkMtus: { physnet1: 1400 } }), 1400);
  assert.equal(networkMtu('vlan', 'other', { physicalNetworkMtus: { physnet1: 1400 } }), 1500);
});
