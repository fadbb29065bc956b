#!/usr/bin/env node
// Startup and token benchmark (standalone; needs a built tree: `npm run build`).
//  - time from process start to the ready line: a fresh HOME (first start hashes two passwords) and a
//    warm restart on the same HOME, RUNS times each;
//  - `POST /v3/auth/tokens` latency p50/p99 over TOKENS sequential requests.
// Usage: node bench/startup/run.mjs [--runs 10] [--tokens 200] [--db sqlite|postgres://…]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '10' }, tokens: { type: 'string', default: '200' }, db: { type: 'string', default: 'sqlite' } } });
const RUNS = Number(values.runs);
const TOKENS = Number(values.tokens);
const bin = new URL('../../bin/pocketstack.mjs', import.meta.url).pathname;

function start(home) {
  const t0 = process.hrtime.bigint();
  const proc = spawn(process.execPath, [bin, 'up', '--home', home, '--port', '0', '--db', values.db], {
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

const fresh = [];
const warm = [];
let last;
for (let i = 0; i < RUNS; i++) {
  const home = mkdtempSync(join(tmpdir(), 'ps-bench-'));
  const a = await start(home);
  fresh.push(a.ms);
  await stop(a.proc);
  const b = await start(home);
  warm.push(b.ms);
  if (i < RUNS - 1) { await stop(b.proc); rmSync(home, { recursive: true, force: true }); } else last = { ...b, home };
}
console.log(`node ${process.version}, db ${values.db}, ${RUNS} runs`);
console.log(`ready line, fresh HOME:  ${fmt(fresh)}`);
console.log(`ready line, warm restart: ${fmt(warm)}`);

const body = JSON.stringify({ auth: { identity: { methods: ['password'], password: { user: { name: 'admin', domain: { id: 'default' }, password: 'bench-admin' } } }, scope: { project: { name: 'admin', domain: { id: 'default' } } } } });
const lat = [];
for (let i = 0; i < TOKENS; i++) {
  const t0 = process.hrtime.bigint();
  const r = await fetch(`${last.url}/identity/v3/auth/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  await r.arrayBuffer();
  if (r.status !== 201) throw new Error(`token issue: ${r.status}`);
  lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
console.log(`token issue (${TOKENS} sequential): ${fmt(lat)}`);
await stop(last.proc);
rmSync(last.home, { recursive: true, force: true });
