/**
 * Does the network agent slow the API? Times sequential `POST /v2.0/ports` (bound to the host, so
 * the agent must realize each one) with the compute module (agent + sim driver) mounted and without
 * it, on SQLite in a temp HOME. Run: node --import tsx bench/dataplane/port-create-latency.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig, startPocketStack } from '../../src/main.js';
import { MODULES } from '../../src/wiring/modules.js';
import { computeModule } from '../../src/wiring/compute.js';

const N = Number(process.env.N ?? 300);

async function run(withAgent: boolean): Promise<number[]> {
  const i = MODULES.indexOf(computeModule);
  if (!withAgent && i >= 0) MODULES.splice(i, 1);
  if (withAgent && i < 0) MODULES.push(computeModule);
  const home = mkdtempSync(join(tmpdir(), 'ps-bench-'));
  const ps = await startPocketStack(defaultConfig({ home, port: 0, adminPassword: 'pw', logTo: join(home, 'log') }));
  const auth = await fetch(`${ps.url}/identity/v3/auth/tokens`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ auth: { identity: { methods: ['password'], password: { user: { name: 'admin', domain: { name: 'Default' }, password: 'pw' } } }, scope: { project: { name: 'admin', domain: { name: 'Default' } } } } }),
  });
  const token = auth.headers.get('x-subject-token')!;
  const post = (p: string, body: unknown) => fetch(`${ps.url}/network/v2.0${p}`, { method: 'POST', headers: { 'x-auth-token': token, 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json() as Promise<any>); // eslint-disable-line @typescript-eslint/no-explicit-any
  const net = (await post('/networks', { network: { name: 'b' } })).network.id;
  await post('/subnets', { subnet: { network_id: net, cidr: '10.0.0.0/20', ip_version: 4 } });
  const times: number[] = [];
  for (let k = 0; k < N; k++) {
    const t = performance.now();
    await post('/ports', { port: { network_id: net, 'binding:host_id': 'local', device_owner: 'compute:nova', device_id: `d${k}` } });
    times.push(performance.now() - t);
  }
  await ps.close();
  rmSync(home, { recursive: true, force: true });
  return times.sort((a, b) => a - b);
}

const pct = (t: number[], p: number) => t[Math.min(t.length - 1, Math.floor((t.length * p) / 100))]!.toFixed(2);
for (const withAgent of [false, true, false, true]) {
  const t = await run(withAgent);
  console.log(`${withAgent ? 'agent on ' : 'agent off'}  port create p50 ${pct(t, 50)} ms  p99 ${pct(t, 99)} ms  (n=${t.length})`);
}
