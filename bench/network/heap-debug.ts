/**
 * Debug aid for the list caches' memory: an in-process server (client included, so RSS here is not
 * the server's; use run.ts for that), 10,000 ports by bulk create, then process.memoryUsage() after
 * forced GCs before and after five unpaged lists; with a path argument, heap snapshots
 * `<path>.before` / `<path>.after` for DevTools.
 * Usage: node --expose-gc --import tsx bench/network/heap-debug.ts [/tmp/heap]
 */
import { startInProcess } from '../../tests/support/server.js';
import { issueToken } from '../../tests/support/http.js';
import { neutron } from '../../tests/support/network.js';
import v8 from 'node:v8';
const mu = (l: string) => { global.gc!(); global.gc!(); const m = process.memoryUsage(); console.log(l, 'rss', (m.rss/1e6).toFixed(0), 'heapUsed', (m.heapUsed/1e6).toFixed(0), 'heapTotal', (m.heapTotal/1e6).toFixed(0), 'ext', (m.external/1e6).toFixed(0), 'ab', (m.arrayBuffers/1e6).toFixed(0)); };
mu('start');
const ps = await startInProcess({ logLevel: 'warn' });
mu('up');
const n = neutron(ps.url, (await issueToken(ps.url, 'admin', 'admin-secret', 'admin')).token);
const net = (await n.post('/networks', { network: { name: 'bench' } })).body.network;
await n.put(`/quotas/${net.project_id}`, { quota: { port: -1 } });
await n.post('/subnets', { subnet: { network_id: net.id, cidr: '10.128.0.0/16', ip_version: 4, enable_dhcp: false } });
for (let i = 0; i < 40; i++) await n.post('/ports', { ports: Array.from({ length: 250 }, () => ({ network_id: net.id })) });
await new Promise((r) => setTimeout(r, 2000));
mu('10k ports');
if (process.argv[2]) v8.writeHeapSnapshot(`${process.argv[2]}.before`);
for (let i = 0; i < 5; i++) await n.get('/ports');
mu('after lists');
if (process.argv[2]) v8.writeHeapSnapshot(`${process.argv[2]}.after`);
await ps.cleanup();
