/**
 * Networking benchmark against a separate server process, as a client sees it: port create latency
 * (sequential and 16 concurrent), listing 10,000 ports (the CLI's unpaged `GET /v2.0/ports` and a
 * paged `limit=100` with a marker in the middle), and the server's RSS read from /proc/PID/status
 * every 100 ms: its peak during the burst of creates, right after the burst, after 5 s idle, after
 * the lists and after settling, with the server's heap figures (its /metrics) beside each reading.
 * The client is this process; the server is `pocketstack up` on a temp HOME.
 * Usage: node --import tsx bench/network/run.ts [--ports 10000] [--lists 30] [--db sqlite|postgres://…]
 *        [--bulk 250] (ports per bulk create after the first 996 single ones; 0 = every port singly,
 *        as `openstack port create` in a loop)
 *        [--tsx] (run the server from source instead of the built bundle; `npm run build` first otherwise)
 *        [--bin PATH] (another launcher than bin/pocketstack.mjs, e.g. a copy built elsewhere)
 * Extra server flags for profiling (passed in NODE_OPTIONS): POCKETSTACK_BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' (or
 * '--trace-gc' with POCKETSTACK_BENCH_SERVER_LOG=/tmp/server.log to keep the server's stdout).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    ports: { type: 'string', default: '10000' },
    lists: { type: 'string', default: '30' },
    db: { type: 'string', default: 'sqlite' },
    tsx: { type: 'boolean', default: false },
    bin: { type: 'string' },
    bulk: { type: 'string', default: '250' },
    /** Seconds of idleness before the second RSS reading (V8 returns free heap pages when idle). */
    settle: { type: 'string', default: '30' },
    /** Seconds of idleness after the burst before the "after idle" reading. */
    idle: { type: 'string', default: '5' },
    /** Seconds to keep the server up after the figures (inspect /proc/PID/smaps, attach --inspect). */
    hold: { type: 'string', default: '0' },
  },
});
const TOTAL = Number(values.ports);
const LISTS = Math.max(20, Number(values.lists));
const root = new URL('../../', import.meta.url).pathname;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const fmt = (xs: number[]) => `p50 ${pct(xs, 50).toFixed(1)} ms  p99 ${pct(xs, 99).toFixed(1)} ms  (n=${xs.length})`;

function startServer(home: string): Promise<{ url: string; proc: ChildProcess }> {
  const extra = process.env['POCKETSTACK_BENCH_NODE_ARGS'] ?? '';
  const args = ['up', '--home', home, '--port', '0', '--db', values.db!];
  // The built CLI runs as a command, as users run it: its shell line sets Node's start-up flags.
  const [cmd, argv] = values.tsx ? [process.execPath, ['--import', 'tsx', join(root, 'src/cli/run.ts'), ...args]] : [values.bin ?? join(root, 'bin/pocketstack.mjs'), args];
  const proc = spawn(cmd, argv, {
    env: { ...process.env, POCKETSTACK_ADMIN_PASSWORD: 'bench-admin', ...(extra ? { NODE_OPTIONS: `${process.env['NODE_OPTIONS'] ?? ''} ${extra}`.trim() } : {}) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    proc.on('exit', (c) => reject(new Error(`server exited ${c}`)));
    proc.stdout!.on('data', (d) => {
      out += d;
      const m = /ready at (\S+)\n/.exec(out);
      if (m) {
        proc.removeAllListeners('exit');
        const log = process.env['POCKETSTACK_BENCH_SERVER_LOG'];
        if (log) proc.stdout!.pipe(createWriteStream(log));
        else proc.stdout!.resume();
        resolve({ url: m[1]!, proc });
      }
    });
  });
}

interface Status { rss: number; hwm: number; anon: number; file: number }
function status(pid: number): Status {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(s)?.[1] ?? 0) / 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM'), anon: kb('RssAnon'), file: kb('RssFile') };
}

/** Largest VmRSS seen by sampling every 100 ms until stopped (VmHWM also counts start-up). */
function sampleRss(pid: number): { stop(): number } {
  let peak = status(pid).rss;
  const t = setInterval(() => (peak = Math.max(peak, status(pid).rss)), 100);
  return { stop: () => (clearInterval(t), Math.max(peak, status(pid).rss)) };
}

/** The server's own heap figures from its Prometheus metrics (MB): used and total heap, external. */
async function heapOf(url: string): Promise<string> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const mb = (name: string) => {
    const m = new RegExp(`^pocketstack_${name} (\\S+)$`, 'm').exec(text);
    return m ? (Number(m[1]) / 1e6).toFixed(0) : '?';
  };
  return `heap used ${mb('nodejs_heap_size_used_bytes')} / total ${mb('nodejs_heap_size_total_bytes')} MB, external ${mb('nodejs_external_memory_bytes')} MB`;
}
const line = (s: Status) => `${s.rss.toFixed(0)} MB (RssAnon ${s.anon.toFixed(0)}, RssFile ${s.file.toFixed(0)})`;

const home = mkdtempSync(join(tmpdir(), 'ps-netbench-'));
const { url, proc } = await startServer(home);
try {
  await new Promise((r) => setTimeout(r, 1000));
  const idle = status(proc.pid!);
  const auth = { auth: { identity: { methods: ['password'], password: { user: { name: 'admin', domain: { id: 'default' }, password: 'bench-admin' } } }, scope: { project: { name: 'admin', domain: { id: 'default' } } } } };
  const tr = await fetch(`${url}/identity/v3/auth/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(auth) });
  await tr.arrayBuffer();
  const token = tr.headers.get('x-subject-token')!;
  const call = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${url}/network/v2.0${path}`, {
      method,
      headers: { 'x-auth-token': token, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await r.text();
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${text.slice(0, 300)}`);
    return { text, bytes: text.length };
  };
  const net = JSON.parse((await call('POST', '/networks', { network: { name: 'bench' } })).text).network;
  await call('PUT', `/quotas/${net.project_id}`, { quota: { port: -1 } });
  await call('POST', '/subnets', { subnet: { network_id: net.id, cidr: '10.128.0.0/16', ip_version: 4, enable_dhcp: false } });
  const create = async () => {
    const t0 = performance.now();
    await call('POST', '/ports', { port: { network_id: net.id } });
    return performance.now() - t0;
  };
  const burst = sampleRss(proc.pid!);
  const seq: number[] = [];
  for (let i = 0; i < 500; i++) seq.push(await create());
  const conc: number[] = [];
  for (let i = 0; i < 31; i++) conc.push(...(await Promise.all(Array.from({ length: 16 }, create))));
  let made = seq.length + conc.length;
  process.stderr.write(`bulk-creating to ${TOTAL} ports`);
  const bulk = Number(values.bulk);
  while (made < TOTAL) {
    const n = bulk > 0 ? Math.min(bulk, TOTAL - made) : 1;
    if (bulk > 0) await call('POST', '/ports', { ports: Array.from({ length: n }, () => ({ network_id: net.id })) });
    else await create();
    made += n;
    if (made % 2000 < n) process.stderr.write('.');
  }
  process.stderr.write('\n');
  const burstPeak = burst.stop();
  const afterCreate = status(proc.pid!);
  const heapAfterCreate = await heapOf(url);
  await new Promise((r) => setTimeout(r, Number(values.idle) * 1000));
  const afterIdle = status(proc.pid!);
  const heapAfterIdle = await heapOf(url);

  const timeList = async (path: string) => {
    const xs: number[] = [];
    let bytes = 0;
    for (let i = 0; i < LISTS; i++) {
      const t0 = performance.now();
      bytes = (await call('GET', path)).bytes;
      xs.push(performance.now() - t0);
    }
    return { xs, bytes };
  };
  const lists = sampleRss(proc.pid!);
  const firstList = performance.now();
  const count = JSON.parse((await call('GET', '/ports')).text).ports.length as number;
  const firstMs = performance.now() - firstList;
  const full = await timeList('/ports');
  const fullPeak = lists.stop();
  const rest = sampleRss(proc.pid!);
  const page = await timeList('/ports?limit=100');
  const ids = (JSON.parse((await call('GET', '/ports?fields=id')).text).ports as Array<{ id: string }>).map((p) => p.id).sort();
  const mid = await timeList(`/ports?limit=100&marker=${ids[ids.length >> 1]}`);
  const filtered = await timeList(`/ports?device_owner=none&fields=id`);
  const listPeak = Math.max(fullPeak, rest.stop());
  const after = status(proc.pid!);
  await new Promise((r) => setTimeout(r, Number(values.settle) * 1000));
  const settled = status(proc.pid!);
  const heapSettled = await heapOf(url);

  console.log(`server: ${values.tsx ? 'tsx src/cli/run.ts' : `${values.bin ?? 'bin/pocketstack.mjs'} (built)`} up, db ${values.db}, node ${process.version}; load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
  console.log(`port create, sequential (500):       ${fmt(seq)}`);
  console.log(`port create, 16 concurrent (496):    ${fmt(conc)}`);
  console.log(`list ${count} ports, first (cold):   ${firstMs.toFixed(1)} ms`);
  console.log(`list ${count} ports, no limit:       ${fmt(full.xs)}  body ${(full.bytes / 1e6).toFixed(1)} MB`);
  console.log(`list limit=100, first page:          ${fmt(page.xs)}`);
  console.log(`list limit=100, marker mid-way:      ${fmt(mid.xs)}`);
  console.log(`list filter matching none, fields=id: ${fmt(filtered.xs)}`);
  console.log(`server VmRSS idle with no ports:        ${line(idle)}`);
  console.log(`server VmRSS peak during the burst:     ${burstPeak.toFixed(0)} MB (sampled every 100 ms; VmHWM ${afterCreate.hwm.toFixed(0)} MB)`);
  console.log(`server VmRSS right after the burst:     ${line(afterCreate)}; ${heapAfterCreate}`);
  console.log(`server VmRSS after ${values.idle} s idle:            ${line(afterIdle)}; ${heapAfterIdle}`);
  console.log(`server VmRSS peak during the lists:     ${listPeak.toFixed(0)} MB (unpaged lists alone ${fullPeak.toFixed(0)} MB); right after them: ${line(after)}`);
  console.log(`server VmRSS after ${values.settle} s settling:       ${line(settled)}; ${heapSettled}`);
  if (Number(values.hold) > 0) {
    console.log(`server pid ${proc.pid}; holding ${values.hold} s`);
    await new Promise((r) => setTimeout(r, Number(values.hold) * 1000));
  }
} finally {
  await new Promise((r) => {
    proc.once('exit', r);
    proc.kill('SIGTERM');
  });
  rmSync(home, { recursive: true, force: true });
}
