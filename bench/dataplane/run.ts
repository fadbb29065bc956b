// Dataplane benchmark: full plan, one-port incremental update, sim apply and trace latency on a
// generated 10,000-port topology. Run: node --import tsx bench/dataplane/run.ts [--json]
// Bench code: may import anything under src/ and node:*.
import { performance } from 'node:perf_hooks';
import { Planner } from '../../src/core/network/plan/planner.js';
import { topologyFromSketch } from '../../src/core/network/topology/sketch.js';
import type { Port } from '../../src/core/network/topology/topology.js';
import type { TraceProbe } from '../../src/core/ports/dataplane-driver.js';
import { SimDataplaneDriver } from '../../src/drivers/dataplane/sim/sim-dataplane-driver.js';
import { DEFAULT_SHAPE, benchSketch } from './generate.js';

const json = process.argv.includes('--json');
const log = (s: string) => {
  if (!json) console.log(s);
};
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const ms = (x: number) => `${x.toFixed(3)} ms`;

// Deterministic pseudo-random numbers so every run traces the same flows.
let seed = 42;
const rand = (n: number) => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed % n;
};

const topology = topologyFromSketch(benchSketch());
const workloads = topology.ports.filter((p) => p.deviceOwner === 'compute:nova');
log(`topology: ${topology.ports.length} ports (${workloads.length} instances), ${topology.networks.length} networks, ${topology.routers.length} routers, ${topology.floatingIps.length} floating IPs, ${topology.securityGroups.length} groups`);

// 1. Full plan (compile every unit) and assembly of every host's spec.
const fullRuns: number[] = [];
const assembleRuns: number[] = [];
let planner = new Planner();
for (let i = 0; i < 5; i++) {
  planner = new Planner();
  const t0 = performance.now();
  planner.load(topology);
  const t1 = performance.now();
  planner.hostSpecs();
  const t2 = performance.now();
  fullRuns.push(t1 - t0);
  assembleRuns.push(t2 - t1);
}
const fullPlan = pct(fullRuns, 50) + pct(assembleRuns, 50);
log(`full plan: compile ${ms(pct(fullRuns, 50))} + assemble ${planner.hosts().length} host specs ${ms(pct(assembleRuns, 50))} = ${ms(fullPlan)} (median of 5; goal < 2000 ms)`);

// 2. One-port incremental update: change a port's fixed IP, then reassemble the changed hosts.
const updates: number[] = [];
const updatesWithAssembly: number[] = [];
const recompiledCounts: number[] = [];
let gen = 2;
for (let i = 0; i < 300; i++) {
  const p = workloads[rand(workloads.length)]!;
  const ip = p.fixedIps[0]!;
  const octets = ip.ipAddress.split('.');
  const moved: Port = { ...p, fixedIps: [{ subnetId: ip.subnetId, ipAddress: `${octets[0]}.${octets[1]}.${octets[2]}.${200 + (i % 50)}` }] };
  const t0 = performance.now();
  const r = planner.update({ generation: gen++, upsert: { ports: [moved] } });
  const t1 = performance.now();
  for (const h of r.changedHosts) planner.hostSpec(h);
  const t2 = performance.now();
  planner.update({ generation: gen++, upsert: { ports: [p] } });
  updates.push(t1 - t0);
  updatesWithAssembly.push(t2 - t0);
  recompiledCounts.push(r.recompiled.length);
}
log(`one-port update: p50 ${ms(pct(updates, 50))}, p99 ${ms(pct(updates, 99))}; with changed hosts reassembled p50 ${ms(pct(updatesWithAssembly, 50))}, p99 ${ms(pct(updatesWithAssembly, 99))}; units recompiled p50 ${pct(recompiledCounts, 50)} of ${Object.values(planner.unitCounts()).reduce((a, b) => a + b, 0)} (goal < 10 ms)`);

// 3. Sim apply of every host spec (the fabric is rebuilt lazily on the first trace).
const driver = new SimDataplaneDriver();
await driver.start();
const a0 = performance.now();
for (const s of planner.hostSpecs()) driver.applySync(s);
const a1 = performance.now();
driver.traceSync({ from: { portId: workloads[0]!.id }, to: { portId: workloads[1]!.id }, protocol: 'icmp' });
const a2 = performance.now();
log(`sim apply of ${planner.hosts().length} host specs ${ms(a1 - a0)}, fabric build on first trace ${ms(a2 - a1)}`);

// 4. Trace latency: same network, across a router, from outside to a floating IP, denied flows.
const byNetwork = new Map<string, Port[]>();
for (const p of workloads) {
  const list = byNetwork.get(p.networkId) ?? [];
  list.push(p);
  byNetwork.set(p.networkId, list);
}
const nets = [...byNetwork.keys()];
const probes: TraceProbe[] = [];
for (let i = 0; i < 4000; i++) {
  const kind = i % 4;
  const net = nets[rand(nets.length)]!;
  const here = byNetwork.get(net)!;
  const a = here[rand(here.length)]!;
  if (kind === 0) {
    const b = here[(here.indexOf(a) + 1 + rand(here.length - 1)) % here.length]!;
    probes.push({ from: { portId: a.id }, to: { portId: b.id }, protocol: 'tcp', port: 22 });
  }
  else if (kind === 1) {
    // Another network of the same project behind the same router (networks 0-4 share r0).
    const sibling = net.replace(/net(\d+)$/, (_, n) => `net${(Number(n) + 1) % 5 + (Number(n) >= 5 ? 5 : 0)}`);
    const there = byNetwork.get(sibling) ?? here;
    probes.push({ from: { portId: a.id }, to: { portId: there[rand(there.length)]!.id }, protocol: 'tcp', port: 5432 });
  } else if (kind === 2) {
    const f = topology.floatingIps[rand(topology.floatingIps.length)]!;
    probes.push({ from: { outside: 'ext' }, to: { ip: f.floatingIpAddress }, protocol: 'tcp', port: 80 });
  } else probes.push({ from: { portId: a.id }, to: { ip: '8.8.8.8' }, protocol: 'icmp' });
}
const traceTimes: number[] = [];
const verdicts = new Map<string, number>();
for (const p of probes) {
  const t0 = performance.now();
  const r = driver.traceSync(p);
  traceTimes.push(performance.now() - t0);
  verdicts.set(r.verdict, (verdicts.get(r.verdict) ?? 0) + 1);
}
log(`trace: p50 ${ms(pct(traceTimes, 50))}, p99 ${ms(pct(traceTimes, 99))} over ${probes.length} probes (goal p50 < 1 ms); verdicts ${JSON.stringify(Object.fromEntries(verdicts))}`);

if (json) {
  console.log(
    JSON.stringify({
      shape: DEFAULT_SHAPE,
      ports: topology.ports.length,
      fullPlanMs: fullPlan,
      fullCompileMs: pct(fullRuns, 50),
      assembleMs: pct(assembleRuns, 50),
      updateP50Ms: pct(updates, 50),
      updateWithAssemblyP50Ms: pct(updatesWithAssembly, 50),
      applyMs: a1 - a0,
      fabricBuildMs: a2 - a1,
      traceP50Ms: pct(traceTimes, 50),
      traceP99Ms: pct(traceTimes, 99),
    }),
  );
}
