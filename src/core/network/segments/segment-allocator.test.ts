import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InUse, InvalidInput, Unavailable } from '../../errors.js';
import { SegmentAllocator } from './segment-allocator.js';
import { type TypeDriverConfig, defaultTypeDriverConfig, validateTypeDriverConfig } from './type-driver-config.js';
import { validateProviderSegment } from './provider-segment.js';

const config = (over: Partial<TypeDriverConfig> = {}): TypeDriverConfig => ({
  tenantNetworkTypes: ['vxlan'],
  flatNetworks: ['public'],
  vlanRanges: { physnet1: [{ min: 100, max: 102 }], public: [] },
  vxlanVniRanges: [{ min: 1, max: 3 }],
  greIdRanges: [{ min: 10, max: 11 }],
  geneveVniRanges: [{ min: 1, max: 100 }],
  ...over,
});
const bad = (msg: string | RegExp) => (e: unknown) =>
  e instanceof InvalidInput && (typeof msg === 'string' ? e.message === msg : msg.test(e.message));

test('tenant segments: lowest free VNI, reuse after release, NoNetworkAvailable (503) when exhausted', () => {
  const a = new SegmentAllocator(config(), [{ networkType: 'vxlan', physicalNetwork: null, segmentationId: 2 }]);
  assert.deepEqual(a.allocateTenantSegment(), { networkType: 'vxlan', physicalNetwork: null, segmentationId: 1 });
  assert.equal(a.allocateTenantSegment().segmentationId, 3);
  assert.throws(
    () => a.allocateTenantSegment(),
    (e: unknown) =>
      e instanceof Unavailable &&
      e.status === 503 &&
      e.type === 'NoNetworkAvailable' &&
      e.message === 'Unable to create the network. No tenant network is available for allocation.',
  );
  a.release({ networkType: 'vxlan', physicalNetwork: null, segmentationId: 2 });
  assert.equal(a.allocateTenantSegment().segmentationId, 2);
});

test('tenant types are tried in order; vlan walks physnets with ranges', () => {
  const a = new SegmentAllocator(config({ tenantNetworkTypes: ['gre', 'vlan'] }));
  assert.equal(a.allocateTenantSegment().segmentationId, 10);
  assert.equal(a.allocateTenantSegment().segmentationId, 11);
  assert.deepEqual(a.allocateTenantSegment(), { networkType: 'vlan', physicalNetwork: 'physnet1', segmentationId: 100 });
  assert.throws(() => new SegmentAllocator(config({ tenantNetworkTypes: [] })).allocateTenantSegment(), (e: unknown) => e instanceof Unavailable && e.type === 'TenantNetworksDisabled');
});

test('provider segments: conflicts carry Neutron types', () => {
  const a = new SegmentAllocator(config());
  assert.deepEqual(a.reserveProviderSegment({ networkType: 'flat', physicalNetwork: 'public' }), {
    networkType: 'flat',
    physicalNetwork: 'public',
    segmentationId: null,
  });
  assert.throws(
    () => a.reserveProviderSegment({ networkType: 'flat', physicalNetwork: 'public' }),
    (e: unknown) => e instanceof InUse && e.type === 'FlatNetworkInUse' && e.message === 'Unable to create the flat network. Physical network public is in use.',
  );
  assert.equal(a.reserveProviderSegment({ networkType: 'vlan', physicalNetwork: 'public', segmentationId: 42 }).segmentationId, 42);
  assert.throws(
    () => a.reserveProviderSegment({ networkType: 'vlan', physicalNetwork: 'public', segmentationId: '42' }),
    (e: unknown) => e instanceof InUse && e.type === 'VlanIdInUse' && e.message === 'Unable to create the network. The VLAN 42 on physical network public is in use.',
  );
  // The same VLAN id on another physnet is a different segment.
  assert.equal(a.reserveProviderSegment({ networkType: 'vlan', physicalNetwork: 'physnet1', segmentationId: 42 }).segmentationId, 42);
  assert.equal(a.reserveProviderSegment({ networkType: 'vxlan', segmentationId: 5000 }).segmentationId, 5000, 'outside tenant ranges is fine');
  assert.throws(
    () => a.reserveProviderSegment({ networkType: 'vxlan', segmentationId: 5000 }),
    (e: unknown) => e instanceof InUse && e.type === 'TunnelIdInUse' && e.message === 'Unable to create the network. The tunnel ID 5000 is in use.',
  );
  // No id: taken from the tenant ranges (of the named physnet for vlan).
  assert.deepEqual(a.reserveProviderSegment({ networkType: 'vlan', physicalNetwork: 'physnet1' }), {
    networkType: 'vlan',
    physicalNetwork: 'physnet1',
    segmentationId: 100,
  });
  assert.equal(a.reserveProviderSegment({ networkType: 'geneve' }).segmentationId, 1);
  assert.deepEqual(a.reserveProviderSegment({ networkType: 'local' }), { networkType: 'local', physicalNetwork: null, segmentationId: null });
});

test('provider validation follows ML2 rules and wording', () => {
  const c = config();
  const v = (r: Parameters<typeof validateProviderSegment>[0]) => () => validateProviderSegment(r, c);
  assert.throws(v({ networkType: 'flat' }), bad('Invalid input for operation: physical_network required for flat provider network.'));
  assert.throws(v({ networkType: 'flat', physicalNetwork: 'nope' }), bad("Invalid input for operation: physical_network 'nope' unknown for flat provider network."));
  assert.throws(v({ networkType: 'flat', physicalNetwork: 'public', segmentationId: 5 }), bad(/segmentation_id prohibited for flat provider network/));
  assert.throws(v({ networkType: 'vlan', physicalNetwork: 'public', segmentationId: 4095 }), bad(/segmentation_id out of range \(1 through 4094\)/));
  assert.throws(v({ networkType: 'vlan', physicalNetwork: 'public', segmentationId: 0 }), bad(/out of range/));
  assert.throws(v({ networkType: 'vlan', segmentationId: 5 }), bad(/segmentation_id requires physical_network for VLAN provider network/));
  assert.throws(v({ networkType: 'vlan', physicalNetwork: 'unknown', segmentationId: 5 }), bad(/physical_network 'unknown' unknown for VLAN provider network/));
  assert.throws(v({ networkType: 'vlan', physicalNetwork: 'public' }), bad(/requires segmentation_id to be specified/));
  assert.throws(v({ networkType: 'vxlan', segmentationId: 2 ** 24 }), bad(/out of range \(1 through 16777215\)/));
  assert.throws(v({ networkType: 'geneve', segmentationId: 2 ** 24 }), bad(/out of range/));
  assert.equal(validateProviderSegment({ networkType: 'gre', segmentationId: 2 ** 32 - 1 }, c).segmentationId, 2 ** 32 - 1);
  assert.throws(v({ networkType: 'gre', segmentationId: 2 ** 32 }), bad(/out of range/));
  assert.throws(v({ networkType: 'vxlan', physicalNetwork: 'public' }), bad(/provider:physical_network specified for vxlan network/));
  assert.throws(v({ networkType: 'local', segmentationId: 3 }), bad(/prohibited for local provider network/));
  assert.throws(v({ networkType: 'ethernet' }), bad("Invalid input for operation: network_type value 'ethernet' not supported."));
  assert.throws(v({ networkType: 'vxlan', segmentationId: 'abc' }), (e: unknown) => e instanceof InvalidInput && e.type === 'HTTPBadRequest');
  assert.deepEqual(validateProviderSegment({ networkType: 'flat', physicalNetwork: 'anything' }, config({ flatNetworks: '*' })).physicalNetwork, 'anything');
});

test('config validation', () => {
  assert.doesNotThrow(() => validateTypeDriverConfig(defaultTypeDriverConfig()));
  assert.throws(() => validateTypeDriverConfig(config({ vxlanVniRanges: [{ min: 5, max: 1 }] })), (e: unknown) => e instanceof InvalidInput && e.type === 'NetworkTunnelRangeError');
  assert.throws(() => validateTypeDriverConfig(config({ vlanRanges: { p: [{ min: 1, max: 4095 }] } })), (e: unknown) => e instanceof InvalidInput && e.type === 'NetworkVlanRangeError');
  assert.throws(() => validateTypeDriverConfig(config({ tenantNetworkTypes: ['flat'] })), InvalidInput);
});

test('a big VNI range with many allocations stays fast', () => {
  const allocated = Array.from({ length: 5000 }, (_, i) => ({ networkType: 'vxlan' as const, physicalNetwork: null, segmentationId: i + 1 }));
  const a = new SegmentAllocator(config({ vxlanVniRanges: [{ min: 1, max: 2 ** 24 - 1 }] }), allocated);
  const t = performance.now();
  for (let i = 0; i < 100; i++) assert.equal(a.allocateTenantSegment().segmentationId, 5001 + i);
  assert.ok(performance.now() - t < 1000);
});
