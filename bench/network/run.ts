/**
 * Networking benchmark: port create latency (sequential and 16 concurrent), listing 10,000 ports,
 * and the server's RSS holding them. Runs PocketStack in this process on a temp HOME (SQLite).
 * Usage: node --import tsx bench/network/run.ts [--ports 10000]
 */
import { startInProcess } from '../../tests/support/server.js';
import { issueToken } from '../../tests/support/http.js';
import { neutron } from '../../tests/support/network.js';

const total = Number(process.argv[process.argv.indexOf('--ports') + 1]) || 10000;
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const ms = (x: number) => `${x.toFixed(2)} ms`;

const ps = await startInProcess({ logLevel: 'warn' });
const n = neutron(ps.url, (await issueToken(ps.url, 'admin', 'admin-secret', 'admin')).token);
const net = (await n.post('/networks', { network: { name: 'bench' } })).body.network;
await n.put(`/quotas/${net.project_id}`, { quota: { port: -1 } });
await n.post('/subnets', { subnet: { network_id: net.id, cidr: '10.128.0.0/16', ip_version: 4, enable_dhcp: false } });
const create = async () => {
  const t0 = performance.now();
  const r = await n.post('/ports', { port: { network_id: net.id } });
  if (r.status !== 201) throw new Error(r.text);
  return performance.now() - t0;
};

const seq: number[] = [];
for (let i = 0; i < 500; i++) seq.push(await create());
const conc: number[] = [];
for (let i = 0; i < 500 / 16; i++) conc.push(...(await Promise.all(Array.from({ length: 16 }, create))));
let made = seq.length + conc.length;
process.stderr.write(`filling to ${total} ports`);
while (made < total) {
  await Promise.all(Array.from({ length: Math.min(16, total - made) }, create));
  made += 16;
  if (made % 1000 < 16) process.stderr.write('.');
}
process.stderr.write('\n');
const list: number[] = [];
let count = 0;
for (let i = 0; i < 10; i++) {
  const t0 = performance.now();
  const r = await n.get('/ports');
  list.push(performance.now() - t0);
  count = r.body.ports.length;
}
global.gc?.();
const rss = process.memoryUsage().rss / 1024 / 1024;
console.log(`port create, sequential (500):   p50 ${ms(pct(seq, 50))}  p99 ${ms(pct(seq, 99))}`);
console.log(`port create, 16 concurrent (496): p50 ${ms(pct(conc, 50))}  p99 ${ms(pct(conc, 99))}`);
console.log(`list ${count} ports (10 runs):     p50 ${ms(pct(list, 50))}  max ${ms(Math.max(...list))}`);
console.log(`server RSS with ${count} ports (client in the same process): ${rss.toFixed(0)} MB`);
await ps.cleanup();
