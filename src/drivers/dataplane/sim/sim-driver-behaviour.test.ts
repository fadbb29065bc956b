import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimDataplaneDriver } from './sim-dataplane-driver.js';
import { Planner } from '../../../core/network/plan/planner.js';
import { reachabilityMatrix, renderMatrix } from '../../../core/network/plan/reachability.js';
import { renderTrace } from '../../../core/network/plan/trace-render.js';
import { topologyFromSketch } from '../../../core/network/topology/sketch.js';
import { canTrace } from '../../../core/ports/dataplane-driver.js';

const sketch = {
  networks: [{ id: 'net1', subnets: [{ id: 'sub1', cidr: '10.0.0.0/24' }] }],
  securityGroups: [{ id: 'web', rules: [{ id: 'http-in', dir: 'ingress' as const, proto: 'tcp', ports: 80 }] }],
  vms: [
    { id: 'a', network: 'net1', ips: ['10.0.0.5'], listen: ['tcp/80'] },
    { id: 'b', network: 'net1', ips: ['10.0.0.6'], listen: ['tcp/80'] },
    { id: 'w', network: 'net1', ips: ['10.0.0.7'], securityGroups: ['web'], listen: ['tcp/80'] },
  ],
};

async function started() {
  const d = new SimDataplaneDriver();
  await d.start();
  const planner = new Planner();
  const t = topologyFromSketch(sketch);
  planner.load(t);
  for (const s of planner.hostSpecs()) await d.apply(s);
  return { d, planner, t };
}

test('apply is idempotent, ignores stale generations, and reports port status', async () => {
  const { d, planner, t } = await started();
  const spec = planner.hostSpec('local');
  const again = await d.apply(spec);
  assert.equal(again.realizedGeneration, 1);
  assert.equal(again.ports.a, 'ACTIVE');

  const a = t.ports.find((p) => p.id === 'a')!;
  planner.update({ generation: 2, upsert: { ports: [{ ...a, adminStateUp: false }] } });
  const r2 = await d.apply(planner.hostSpec('local'));
  assert.deepEqual([r2.realizedGeneration, r2.ports.a, r2.ports.b], [2, 'DOWN', 'ACTIVE']);

  const stale = await d.apply(spec);
  assert.equal(stale.realizedGeneration, 2, 'an older spec does not roll the host back');
  assert.equal(stale.ports.a, 'DOWN');
  const obs = await d.observe();
  assert.deepEqual(obs.hosts, [{ hostId: 'local', realizedGeneration: 2 }]);
  assert.equal(obs.ports.a, 'DOWN');
  assert.equal(obs.counters.staleApplies, 1);
});

test('apply before start is refused; traces do not change later traces', async () => {
  const d = new SimDataplaneDriver();
  await assert.rejects(d.apply(new Planner().hostSpecs()[0] ?? { hostId: 'x', generation: 1, segments: [], ports: [], routers: [], dhcp: [], acls: [] }));
  const { d: live } = await started();
  assert.ok(canTrace(live));
  const probe = { from: { portId: 'b' }, to: { portId: 'w' }, protocol: 'tcp' as const, port: 80 };
  const first = await live.trace(probe);
  const second = await live.trace(probe);
  assert.deepEqual(second, first);
  // A reply-looking packet with no prior flow is not let in by conntrack.
  const unsolicited = await live.trace({ from: { portId: 'w' }, to: { portId: 'b' }, protocol: 'tcp', port: 80 });
  assert.equal(unsolicited.verdict, 'dropped');
});

test('the trace renders as readable text naming the deciding rule', async () => {
  const { d } = await started();
  const denied = renderTrace(await d.trace({ from: { portId: 'a' }, to: { portId: 'w' }, protocol: 'tcp', port: 22 }));
  assert.match(denied, /^trace tcp\/22 from port a to port w: DROPPED/);
  assert.match(denied, /✗ ingress_acl\s+w\s+default drop: no rule of groups web allows tcp\/22 from 10\.0\.0\.5/);
  const ok = renderTrace(await d.trace({ from: { portId: 'a' }, to: { portId: 'w' }, protocol: 'tcp', port: 80 }));
  assert.match(ok, /\[rule http-in\]/);
  assert.match(ok, /reply: DELIVERED/);
  const dhcp = renderTrace(await d.trace({ from: { portId: 'a' }, to: { portId: 'a' }, protocol: 'dhcp' }));
  assert.match(dhcp, /offer: 10\.0\.0\.5 in 10\.0\.0\.0\/24, router 10\.0\.0\.1/);
});

test('reachability matrix over a set of ports', async () => {
  const { d } = await started();
  const m = await reachabilityMatrix(d, ['a', 'b', 'w'], { protocol: 'tcp', port: 80 });
  assert.deepEqual(m.cells, [
    [null, 'delivered', 'delivered'],
    ['delivered', null, 'delivered'],
    // w is not in the default group, so a and b refuse it.
    ['dropped', 'dropped', null],
  ]);
  const text = renderMatrix(m);
  assert.match(text, /^tcp\/80/);
  assert.match(text.split('\n')[4]!, /^w\s+\| DROP\s+DROP\s+-/);
});

test('invalid probes are answered, not thrown', async () => {
  const { d } = await started();
  assert.equal((await d.trace({ from: { portId: 'nope' }, to: { portId: 'a' }, protocol: 'icmp' })).verdict, 'invalid_probe');
  assert.equal((await d.trace({ from: { portId: 'a' }, to: { portId: 'b' }, protocol: 'tcp' })).verdict, 'invalid_probe');
  assert.equal((await d.trace({ from: { portId: 'a' }, to: { portId: 'b' }, protocol: 'icmp', ipVersion: 6 })).verdict, 'invalid_probe');
});
