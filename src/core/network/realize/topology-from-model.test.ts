/**
 * The store-to-topology mapping: what reaches the planner from Neutron's documents and the compute
 * servers, and what is deliberately left out.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { StoredResource } from '../../ports/resource-store.js';
import { type DesiredState, TopologyMemo, topologyFromModel } from './topology-from-model.js';
import { diffTopology } from './topology-diff.js';

const row = <T>(id: string, data: T, projectId = 'p1'): StoredResource<T> => ({ id, projectId, parentId: null, revision: 1, createdAt: '', updatedAt: '', data });

function port(id: string, over: Record<string, unknown> = {}) {
  return row(id, {
    networkId: 'n1', name: id, description: '', adminStateUp: true, macAddress: 'fa:16:3e:00:00:01',
    fixedIps: [{ subnetId: 's1', ipAddress: '10.0.0.5' }], deviceId: 'srv1', deviceOwner: 'compute:nova', status: 'DOWN',
    securityGroups: ['sg1'], portSecurityEnabled: true, allowedAddressPairs: [{ ipAddress: '10.0.0.100', macAddress: 'fa:16:3e:00:00:01' }],
    extraDhcpOpts: [], bindingHostId: 'local', bindingVnicType: 'normal', bindingVifType: 'ovs', bindingVifDetails: {}, bindingProfile: {},
    dnsName: '', propagateUplinkStatus: false, tags: [], ...over,
  });
}

function state(): DesiredState {
  return {
    generation: 7,
    networks: [row('n1', { name: 'net', description: '', adminStateUp: true, shared: false, external: false, mtu: 1450, status: 'ACTIVE', portSecurityEnabled: true,
      segment: { networkType: 'vxlan', physicalNetwork: null, segmentationId: 1001 }, availabilityZoneHints: [], dnsDomain: '', isDefault: false, tags: [] })],
    subnets: [row('s1', { networkId: 'n1', name: '', description: '', cidr: '10.0.0.0/24', ipVersion: 4 as const, gatewayIp: '10.0.0.1', allocationPools: [],
      dnsNameservers: ['9.9.9.9'], hostRoutes: [], enableDhcp: true, ipv6RaMode: null, ipv6AddressMode: null, subnetpoolId: null, serviceTypes: [], dnsPublishFixedIp: false, tags: [] })],
    ports: [port('vm1'), port('fip-port', { deviceOwner: 'network:floatingip', bindingHostId: '' }), port('loose', { deviceOwner: '', deviceId: '', bindingHostId: '' })],
    routers: [],
    floatingIps: [],
    securityGroups: [row('sg1', { name: 'default', description: '', stateful: true, isDefault: true, tags: [] })],
    securityGroupRules: [
      row('r2', { securityGroupId: 'sg1', direction: 'ingress' as const, ethertype: 'IPv4' as const, protocol: 'tcp', portRangeMin: 22, portRangeMax: 22,
        remoteIpPrefix: '0.0.0.0/0', remoteGroupId: null, remoteAddressGroupId: null, description: '' }),
      row('r1', { securityGroupId: 'sg1', direction: 'egress' as const, ethertype: 'IPv4' as const, protocol: null, portRangeMin: null, portRangeMax: null,
        remoteIpPrefix: null, remoteGroupId: null, remoteAddressGroupId: null, description: '' }),
    ],
    servers: [
      row('srv1', { name: 'web', userId: 'u', flavorId: '1', imageId: '', status: 'ACTIVE' as const, powerState: 1 as const, taskState: null,
        metadata: { 'pocketstack:listen': 'tcp/80, tcp/22', 'pocketstack:ping': 'false' }, portIds: ['vm1'], ownedPortIds: ['vm1'], volumeAttachments: [],
        keyName: null, availabilityZone: 'nova', hostId: 'local', launchedAt: null, fault: null, boots: 1 }),
    ],
  };
}

describe('topologyFromModel', () => {
  it('maps a bound compute port, its groups with their rules, and the server as a workload', () => {
    const t = topologyFromModel(state());
    assert.equal(t.generation, 7);
    assert.deepEqual(t.networks[0]!.segments, [{ id: 'n1', networkType: 'vxlan', segmentationId: 1001, physicalNetwork: null }]);
    const vm = t.ports.find((p) => p.id === 'vm1')!;
    assert.equal(vm.hostId, 'local');
    assert.deepEqual(vm.allowedAddressPairs, [{ ipAddress: '10.0.0.100', macAddress: 'fa:16:3e:00:00:01' }]);
    assert.deepEqual(t.securityGroups[0]!.rules.map((r) => r.id), ['r1', 'r2']);
    assert.deepEqual(t.instances, [{ id: 'srv1', projectId: 'p1', hostId: 'local', portIds: ['vm1'], listeners: [{ protocol: 'tcp', port: 80 }, { protocol: 'tcp', port: 22 }], answersPing: false, extraAddresses: [] }]);
  });

  it('leaves out floating IP holder ports and leaves unbound ports without a host', () => {
    const t = topologyFromModel(state());
    assert.equal(t.ports.some((p) => p.id === 'fip-port'), false);
    assert.equal(t.ports.find((p) => p.id === 'loose')!.hostId, null);
  });

  it('a stopped server keeps its ports but answers nothing; bad metadata silences it instead of failing', () => {
    const s = state();
    s.servers[0] = { ...s.servers[0]!, data: { ...s.servers[0]!.data, status: 'SHUTOFF' } };
    assert.deepEqual(topologyFromModel(s).instances[0]!.listeners, []);
    s.servers[0] = { ...s.servers[0]!, data: { ...s.servers[0]!.data, status: 'ACTIVE', metadata: { 'pocketstack:listen': 'tcp/http' } } };
    const inst = topologyFromModel(s).instances[0]!;
    assert.deepEqual([inst.listeners, inst.answersPing], [[], false]);
  });
});

describe('diffTopology', () => {
  it('upserts only what changed for the planner and removes what is gone', () => {
    const a = topologyFromModel(state());
    const s = state();
    s.generation = 8;
    s.ports = [port('vm1', { name: 'renamed-but-same-l2', status: 'ACTIVE' }), port('loose', { deviceOwner: '', deviceId: '', bindingHostId: 'local' })];
    const { change, empty } = diffTopology(a, topologyFromModel(s));
    assert.equal(empty, false);
    // The name is part of the topology's port, so it is an upsert; status is not, so it does not matter.
    assert.deepEqual(change.upsert?.ports?.map((p) => p.id).sort(), ['loose', 'vm1']);
    assert.deepEqual(change.remove, {});
    s.ports = [port('vm1', { status: 'ACTIVE' }), port('loose', { deviceOwner: '', deviceId: '', bindingHostId: '' })];
    assert.equal(diffTopology(a, topologyFromModel(s)).empty, true, 'a status write is not desired state');
    s.ports = [port('vm1')];
    assert.deepEqual(diffTopology(a, topologyFromModel(s)).change.remove, { ports: ['loose'] });
  });
});

describe('TopologyMemo', () => {
  /** Every row frozen, as the store's document cache hands them out. */
  function frozenState(): DesiredState {
    const s = state();
    for (const rows of [s.networks, s.subnets, s.ports, s.servers]) for (const r of rows) Object.freeze(r);
    return s;
  }

  it('maps a frozen row once: the same entity, frozen, pass after pass, equal to a fresh mapping', () => {
    const memo = new TopologyMemo();
    const s = frozenState();
    const a = topologyFromModel(s, memo);
    const b = topologyFromModel({ ...s, generation: 8 }, memo);
    assert.deepEqual(a, topologyFromModel(s));
    for (const c of ['networks', 'subnets', 'ports', 'instances'] as const) {
      assert.ok(a[c].every((e, i) => e === b[c][i]), c);
    }
    assert.ok(Object.isFrozen(a.ports[0]) && Object.isFrozen(a.ports[0]!.fixedIps[0]));
    assert.throws(() => (a.ports[0]!.fixedIps as unknown[]).push({}));
    // A group depends on its rules' rows too: never reused.
    assert.notEqual(a.securityGroups[0], b.securityGroups[0]);
  });

  it('a new row object (the next revision) is mapped afresh; an unfrozen row is never memoized', () => {
    const memo = new TopologyMemo();
    const s = frozenState();
    const a = topologyFromModel(s, memo);
    s.ports = [Object.freeze(port('vm1', { name: 'renamed' })), ...s.ports.slice(1)];
    const b = topologyFromModel(s, memo);
    assert.equal(b.ports.find((p) => p.id === 'vm1')!.name, 'renamed');
    assert.equal(b.ports.find((p) => p.id === 'loose'), a.ports.find((p) => p.id === 'loose'));
    const loose = port('loose', { deviceOwner: '', deviceId: '', bindingHostId: '' });
    s.ports = [s.ports[0]!, loose];
    const c = topologyFromModel(s, memo);
    loose.data.bindingHostId = 'local';
    assert.equal(topologyFromModel(s, memo).ports.find((p) => p.id === 'loose')!.hostId, 'local');
    assert.equal(c.ports.find((p) => p.id === 'loose')!.hostId, null);
  });

  it('diffTopology neither serializes nor upserts entities that are the same object on both sides', () => {
    let serialized = 0;
    // Each port counts its serializations; JSON.stringify calls toJSON.
    const counted = (t: ReturnType<typeof topologyFromModel>) => ({ ...t, ports: t.ports.map((p) => ({ ...p, toJSON: () => (serialized++, { ...p }) })) });
    const prev = counted(topologyFromModel(frozenState()));
    assert.equal(diffTopology(prev, { ...prev, generation: 9, ports: [...prev.ports] }).empty, true);
    assert.equal(serialized, 0, 'the same objects: nothing serialized');
    // Equal content in other objects (a fresh mapping of the same rows) is compared by content.
    const next = counted(topologyFromModel(frozenState()));
    assert.equal(diffTopology(prev, next).empty, true);
    assert.equal(serialized, 2 * prev.ports.length);
  });
});
