import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Planner, planTopology } from './planner.js';
import { topologyFromSketch, type TopologySketch } from '../topology/sketch.js';
import type { Port, Topology } from '../topology/topology.js';
import type { HostSpec } from './spec.js';
import { oneNetworkSketch, routedSketch } from './golden/sketches.js';
import { oneNetworkGolden } from './golden/one-network.golden.js';
import { routedGolden } from './golden/routed.golden.js';

test('golden: one network, default and custom groups, an address pair', () => {
  assert.deepEqual(planTopology(topologyFromSketch(oneNetworkSketch)), oneNetworkGolden);
});

test('golden: router with gateway, floating IP, extra routes, IPv6, two hosts', () => {
  assert.deepEqual(planTopology(topologyFromSketch(routedSketch)), routedGolden);
});

test('planning is deterministic regardless of input order', () => {
  const t = topologyFromSketch(routedSketch);
  const shuffled: Topology = { ...t, ports: [...t.ports].reverse(), subnets: [...t.subnets].reverse(), securityGroups: [...t.securityGroups].reverse() };
  assert.deepEqual(planTopology(shuffled), planTopology(t));
});

/** A project with `n` VMs on one network in the default group, plus a second, unrelated network. */
function bigSketch(n: number): TopologySketch {
  return {
    generation: 1,
    networks: [
      { id: 'net1', subnets: [{ id: 'sub1', cidr: '10.0.0.0/16' }] },
      { id: 'net2', project: 'p2', subnets: [{ id: 'sub2', cidr: '10.1.0.0/16' }] },
    ],
    securityGroups: [{ id: 'db', rules: [{ id: 'pg', dir: 'ingress', proto: 'tcp', ports: 5432, remoteGroup: 'app' }] }, { id: 'app', rules: [] }],
    vms: [
      ...Array.from({ length: n }, (_, i) => ({ id: `vm${i}`, network: 'net1', ips: [`10.0.${Math.floor(i / 200) + 1}.${(i % 200) + 10}`], host: `host-${i % 3}` })),
      { id: 'app1', network: 'net1', ips: ['10.0.99.1'], securityGroups: ['app'] },
      { id: 'db1', network: 'net1', ips: ['10.0.99.2'], securityGroups: ['db'] },
      { id: 'other', network: 'net2', ips: ['10.1.0.5'], project: 'p2', host: 'host-9' },
    ],
  };
}

const strip = (specs: HostSpec[]) => JSON.parse(JSON.stringify(specs, (k, v) => (k === 'generation' ? undefined : v)));

test('changing one port recompiles only the units it touches', () => {
  const t = topologyFromSketch(bigSketch(300));
  const planner = new Planner();
  const full = planner.load(t);
  assert.ok(full.recompiled.length > 300, `full load compiles everything (${full.recompiled.length})`);

  const app1 = t.ports.find((p) => p.id === 'app1')!;
  const moved: Port = { ...app1, fixedIps: [{ subnetId: 'sub1', ipAddress: '10.0.99.77' }] };
  const r = planner.update({ generation: 2, upsert: { ports: [moved] } });
  // The port itself, its network's DHCP hosts, and the one group whose rule names the port's group.
  assert.deepEqual(r.recompiled, ['acl:db', 'dhcp:net1', 'port:app1']);
  const dbAcl = planner.hostSpecs().flatMap((h) => h.acls).find((a) => a.groupId === 'db')!;
  assert.deepEqual(dbAcl.rules[0]!.remoteAddresses, ['10.0.99.77']);
  assert.equal(dbAcl.generation, 2);

  // A port in the default group touches the default group's ACL (it references itself), nothing else.
  const vm7 = t.ports.find((p) => p.id === 'vm7')!;
  const r2 = planner.update({ generation: 3, upsert: { ports: [{ ...vm7, adminStateUp: false }] } });
  assert.deepEqual(r2.recompiled, ['acl:default-p1', 'dhcp:net1', 'port:vm7']);
  assert.ok(!r2.changedHosts.includes('host-9'), 'the unrelated network\'s host is not touched');
});

test('incremental updates end where a full plan of the final topology does', () => {
  const t = topologyFromSketch(bigSketch(40));
  const planner = new Planner();
  planner.load(t);
  const ports = new Map(t.ports.map((p) => [p.id, p]));
  const vm3 = { ...ports.get('vm3')!, hostId: 'host-7' };
  const vm4 = { ...ports.get('vm4')!, securityGroupIds: ['app'] };
  planner.update({ generation: 2, upsert: { ports: [vm3] } });
  planner.update({ generation: 3, upsert: { ports: [vm4] } });
  planner.update({ generation: 4, remove: { ports: ['vm5'], instances: ['inst-vm5'] } });
  const finalTopology: Topology = {
    ...t,
    generation: 4,
    ports: t.ports.filter((p) => p.id !== 'vm5').map((p) => (p.id === 'vm3' ? vm3 : p.id === 'vm4' ? vm4 : p)),
    instances: t.instances.filter((i) => i.id !== 'inst-vm5'),
  };
  assert.deepEqual(strip(planner.hostSpecs()), strip(planTopology(finalTopology)));
  const seg = planner.hostSpec('host-7').segments.find((s) => s.networkId === 'net1')!;
  assert.ok(seg.hosts.includes('host-7'), 'moving a port to a new host adds it to the tunnel mesh');
});

test('the generation flows into every spec; untouched units keep theirs', () => {
  const t = topologyFromSketch(bigSketch(10));
  const planner = new Planner();
  planner.load(t);
  const before = planner.hostSpec('host-1');
  const vm1 = t.ports.find((p) => p.id === 'vm1')!;
  const r = planner.update({ generation: 42, upsert: { ports: [{ ...vm1, allowedAddressPairs: [{ ipAddress: '10.0.50.0/24', macAddress: null }] }] } });
  // The pair joins the default group's member set, so every host holding that ACL changes (and the
  // network host for DHCP), but not host-9, whose port is in another project's group.
  assert.deepEqual(r.changedHosts, ['host-0', 'host-1', 'host-2', 'local']);
  const after = planner.hostSpec('host-1');
  assert.equal(after.generation, 42);
  assert.equal(after.ports.find((p) => p.portId === 'vm1')!.generation, 42);
  assert.equal(after.ports.find((p) => p.portId === 'vm4')!.generation, 1);
  assert.notEqual(before, after);
  // A host nothing touched still reports the new generation, without being rebuilt.
  const other = planner.hostSpec('host-9');
  assert.equal(other.generation, 42);
  assert.equal(other.ports[0]!.generation, 1);
});

test('floating IPs follow the router that joins the port subnet to the floating network', () => {
  const t = topologyFromSketch(routedSketch);
  const planner = new Planner();
  planner.load(t);
  const fip = t.floatingIps[0]!;
  const r = planner.update({ generation: 10, upsert: { floatingIps: [{ ...fip, portId: null, fixedIpAddress: null }] } });
  assert.deepEqual(r.recompiled, ['router:r1']);
  assert.deepEqual(planner.hostSpec('local').routers[0]!.floatingIps, []);
  planner.update({ generation: 11, upsert: { floatingIps: [fip] } });
  assert.equal(planner.hostSpec('local').routers[0]!.floatingIps[0]!.fixedIpAddress, '10.0.0.5');
});

test('port security off drops groups and pairs from the port spec and from group membership', () => {
  const t = topologyFromSketch({
    networks: [{ id: 'n', subnets: [{ id: 's', cidr: '10.0.0.0/24' }] }],
    vms: [
      { id: 'a', network: 'n', ips: ['10.0.0.5'] },
      { id: 'b', network: 'n', ips: ['10.0.0.6'], portSecurity: false, pairs: [{ ip: '10.0.0.9' }] },
    ],
  });
  const [host] = planTopology(t);
  const b = host!.ports.find((p) => p.portId === 'b')!;
  assert.deepEqual([b.securityGroupIds, b.allowedAddressPairs], [[], []]);
  const acl = host!.acls.find((a) => a.groupId === 'default-p1')!;
  assert.deepEqual(acl.rules.find((r) => r.ruleId === 'default-p1-in4')!.remoteAddresses, ['10.0.0.5']);
});

test('MTU: overlay overhead caps the configured MTU', () => {
  const t = topologyFromSketch({
    networks: [
      { id: 'vx', subnets: [{ id: 's1', cidr: '10.0.0.0/24' }] },
      { id: 'vx9000', mtu: 9000, subnets: [{ id: 's2', cidr: '10.0.1.0/24' }] },
      { id: 'vl', type: 'vlan', segmentationId: 10, subnets: [{ id: 's3', cidr: '10.0.2.0/24' }] },
    ],
    vms: [
      { id: 'a', network: 'vx', ips: ['10.0.0.5'] },
      { id: 'b', network: 'vx9000', ips: ['10.0.1.5'] },
      { id: 'c', network: 'vl', ips: ['10.0.2.5'] },
    ],
  });
  const planner = new Planner({ underlayMtu: 1500 });
  planner.load(t);
  const mtus = Object.fromEntries(planner.hostSpec('local').segments.map((s) => [s.networkId, s.mtu]));
  assert.deepEqual(mtus, { vx: 1450, vx9000: 1450, vl: 1500 });
  const jumbo = new Planner({ underlayMtu: 9050 });
  jumbo.load(t);
  assert.equal(jumbo.hostSpec('local').segments.find((s) => s.networkId === 'vx9000')!.mtu, 9000);
});

test('router, floating IP, group and subnet changes also converge to the full plan', () => {
  const t = topologyFromSketch(routedSketch);
  const planner = new Planner();
  planner.load(t);
  const r1 = t.routers[0]!;
  const sg = t.securityGroups.find((g) => g.id === 'default-p1')!;
  const sub = t.subnets.find((s) => s.id === 'sub1')!;
  const newRouter = { ...r1, routes: [], externalGateway: { ...r1.externalGateway!, enableSnat: false } };
  const newGroup = { ...sg, rules: sg.rules.filter((r) => r.direction === 'egress') };
  const newSubnet = { ...sub, dnsNameservers: ['9.9.9.9'] };
  planner.update({ generation: 10, upsert: { routers: [newRouter] } });
  planner.update({ generation: 11, upsert: { securityGroups: [newGroup], subnets: [newSubnet] } });
  planner.update({ generation: 12, remove: { floatingIps: ['fip1'] } });
  const final: Topology = {
    ...t,
    generation: 12,
    routers: [newRouter],
    securityGroups: t.securityGroups.map((g) => (g.id === sg.id ? newGroup : g)),
    subnets: t.subnets.map((s) => (s.id === sub.id ? newSubnet : s)),
    floatingIps: [],
  };
  assert.deepEqual(strip(planner.hostSpecs()), strip(planTopology(final)));
  const router = planner.hostSpec('local').routers[0]!;
  assert.deepEqual([router.gateway!.enableSnat, router.floatingIps, router.unresolvedRoutes], [false, [], []]);
  assert.deepEqual(planner.hostSpec('local').dhcp[0]!.subnets.find((s) => s.subnetId === 'sub1')!.dnsNameservers, ['9.9.9.9']);
});
