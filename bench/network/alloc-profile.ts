/**
 * Debug aid: where the bytes allocated by a burst of port creates (and then by unpaged lists) come
 * from, garbage included. An in-process server (the client's own allocations show under undici and
 * this file), V8's sampling heap profiler with objects collected by minor and major GCs kept, then
 * the top self and inclusive allocators by source position.
 * Usage: node --import tsx bench/network/alloc-profile.ts [--ports 3000] [--bulk 0|250] [--lists 5]
 */
import { Session } from 'node:inspector/promises';
import { parseArgs } from 'node:util';
import { startInProcess } from '../../tests/support/server.js';
import { issueToken } from '../../tests/support/http.js';
import { neutron } from '../../tests/support/network.js';

const { values } = parseArgs({ options: { ports: { type: 'string', default: '3000' }, bulk: { type: 'string', default: '0' }, lists: { type: 'string', default: '5' }, top: { type: 'string', default: '30' } } });

interface Node { callFrame: { functionName: string; url: string; lineNumber: number }; selfSize: number; children: Node[] }

function report(label: string, head: Node): void {
  const self = new Map<string, number>();
  const incl = new Map<string, number>();
  const name = (n: Node) => `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.replace(/^.*\/work\/main\//, '').replace(/^file:\/\//, '')}:${n.callFrame.lineNumber + 1}`;
  const walk = (n: Node, stack: Set<string>): number => {
    const k = name(n);
    let total = n.selfSize;
    self.set(k, (self.get(k) ?? 0) + n.selfSize);
    const had = stack.has(k);
    stack.add(k);
    for (const c of n.children) total += walk(c, stack);
    if (!had) {
      stack.delete(k);
      incl.set(k, (incl.get(k) ?? 0) + total);
    }
    return total;
  };
  const all = walk(head, new Set());
  const top = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top)).map(([k, v]) => `  ${(v / 1e6).toFixed(1).padStart(7)} MB  ${k}`).join('\n');
  console.log(`== ${label}: ${(all / 1e6).toFixed(0)} MB sampled\n-- self\n${top(self)}\n-- inclusive\n${top(incl)}`);
}

const ps = await startInProcess({ logLevel: 'warn' });
const n = neutron(ps.url, (await issueToken(ps.url, 'admin', 'admin-secret', 'admin')).token);
const net = (await n.post('/networks', { network: { name: 'bench' } })).body.network;
await n.put(`/quotas/${net.project_id}`, { quota: { port: -1 } });
await n.post('/subnets', { subnet: { network_id: net.id, cidr: '10.128.0.0/16', ip_version: 4, enable_dhcp: false } });
const session = new Session();
session.connect();
const sample = { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true };
await session.post('HeapProfiler.startSampling', sample);
const bulk = Number(values.bulk);
for (let made = 0; made < Number(values.ports); made += Math.max(1, bulk)) {
  if (bulk > 0) await n.post('/ports', { ports: Array.from({ length: bulk }, () => ({ network_id: net.id })) });
  else await n.post('/ports', { port: { network_id: net.id } });
}
report(`creates (${values.ports}, bulk ${bulk})`, ((await session.post('HeapProfiler.stopSampling')) as { profile: { head: Node } }).profile.head);
await session.post('HeapProfiler.startSampling', sample);
for (let i = 0; i < Number(values.lists); i++) await n.get('/ports');
report(`lists (${values.lists})`, ((await session.post('HeapProfiler.stopSampling')) as { profile: { head: Node } }).profile.head);
session.disconnect();
await ps.cleanup();
