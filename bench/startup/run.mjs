#!/usr/bin/env node
// Startup and token benchmark (standalone; needs a built tree: `npm run build`).
//  - time from process start to the ready line: a fresh HOME (first start hashes two passwords) and a
//    warm restart on the same HOME, RUNS times each;
//  - `POST /v3/auth/tokens` latency p50/p99 over TOKENS sequential requests.
// Usage: node bench/startup/run.mjs [--runs 10] [--tokens 200] [--db sqlite|postgres://…] [--via command|node]
//                                   [--bin PATH …]
// `--via command` (default) runs bin/pocketstack.mjs as a command, as `npm start` and users do (its shell
// line execs Node with the start-up flags); `--via node` runs `node bin/pocketstack.mjs` without them.
// `--bin` (repeatable) names other launchers, e.g. of a worktree built at another commit: their runs are
// interleaved with each other, so that a machine whose speed drifts affects each alike.
// Before measuring, each launcher runs once for two seconds: a built tree is assumed to have run once,
// which writes its V8 code cache (bin/pocketstack.mjs).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '10' },
    tokens: { type: 'string', default: '200' },
    db: { type: 'string', default: 'sqlite' },
    via: { type: 'string', default: 'command' },
    bin: { type: 'string', multiple: true },
  },
});
const RUNS = Number(values.runs);
const TOKENS = Number(values.tokens);
const bins = values.bin ?? [new URL('../../bin/pocketstack.mjs', import.meta.url).pathname];

function start(bin, home) {
  const t0 = process.hrtime.bigint();
  const [cmd, ...pre] = values.via === 'node' ? [process.execPath, bin] : [bin];
  const proc = spawn(cmd, [...pre, 'up', '--home', home, '--port', '0', '--db', values.db], {
    env: { ...process.env, POCKETSTACK_ADMIN_PASSWORD: 'bench-admin' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    proc.on('exit', (c) => reject(new Error(`exited ${c}`)));
    proc.stdout.on('data', (d) => {
      out += d;
      const m = /ready at (\S+)\n/.exec(out);
      if (m) {
        proc.removeAllListeners('exit');
        resolve({ ms: Number(process.hrtime.bigint() - t0) / 1e6, url: m[1], proc });
      }
    });
  });
}
const stop = (proc) => new Promise((r) => { proc.once('exit', r); proc.kill('SIGTERM'); });
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]; };
const fmt = (xs) => `p50 ${pct(xs, 50).toFixed(1)} ms, p99 ${pct(xs, 99).toFixed(1)} ms, min ${Math.min(...xs).toFixed(1)} ms`;

for (const bin of bins) {
  const home = mkdtempSync(join(tmpdir(), 'ps-bench-'));
  const a = await start(bin, home);
  await new Promise((r) => setTimeout(r, 2000));
  await stop(a.proc);
  rmSync(home, { recursive: true, force: true });
}

const fresh = bins.map(() => []);
const warm = bins.map(() => []);
let last;
for (let i = 0; i < RUNS; i++) {
  for (const [k, bin] of bins.entries()) {
    const home = mkdtempSync(join(tmpdir(), 'ps-bench-'));
    const a = await start(bin, home);
    fresh[k].push(a.ms);
    await stop(a.proc);
    const b = await start(bin, home);
    warm[k].push(b.ms);
    if (i < RUNS - 1 || k > 0) { await stop(b.proc); rmSync(home, { recursive: true, force: true }); } else last = { ...b, home };
  }
}
console.log(`node ${process.version}, db ${values.db}, via ${values.via}, ${RUNS} runs; load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
for (const [k, bin] of bins.entries()) {
  if (bins.length > 1) console.log(bin);
  console.log(`ready line, fresh HOME:  ${fmt(fresh[k])}`);
  console.log(`ready line, warm restart: ${fmt(warm[k])}`);
}

const body = JSON.stringify({ auth: { identity: { methods: ['password'], password: { user: { name: 'admin', domain: { id: 'default' }, password: 'bench-admin' } } }, scope: { project: { name: 'admin', domain: { id: 'default' } } } } });
const lat = [];
for (let i = 0; i < TOKENS; i++) {
  const t0 = process.hrtime.bigint();
  const r = await fetch(`${last.url}/identity/v3/auth/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  await r.arrayBuffer();
  if (r.status !== 201) throw new Error(`token issue: ${r.status}`);
  lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
console.log(`token issue (${TOKENS} sequential, ${bins[0]}): ${fmt(lat)}`);
await stop(last.proc);
rmSync(last.home, { recursive: true, force: true });
