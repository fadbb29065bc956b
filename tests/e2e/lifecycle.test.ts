/**
 * `pocketstack up` as users run it: the ready line, a second start on the same HOME keeps all state and
 * the generated admin password, SIGINT/SIGTERM finish in-flight requests and exit 0, bad flags explain.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, startChild } from '../support/server.js';
import { call, issueToken } from '../support/http.js';

test('state and the generated admin password survive a restart on the same HOME; SIGINT exits 0', async () => {
  const home = mkdtempSync(join(tmpdir(), 'ps-life-'));
  const env = { POCKETSTACK_ADMIN_PASSWORD: '' };
  try {
    const first = await startChild(['--home', home, '--port', '0'], env);
    const secrets = JSON.parse(readFileSync(join(home, 'secrets.json'), 'utf8'));
    assert.ok(secrets.adminPassword.length >= 16);
    assert.equal(statSync(join(home, 'secrets.json')).mode & 0o077, 0, 'secrets are private to the owner');
    const admin = await issueToken(first.url, 'admin', secrets.adminPassword, 'admin');
    const p = await call('POST', `${first.url}/identity/v3/projects`, { token: admin.token, body: { project: { name: 'kept' } } });
    assert.equal(p.status, 201);
    // A request in flight when SIGINT arrives still gets its answer.
    const inflight = call('GET', `${first.url}/identity/v3/projects`, { token: admin.token });
    const code = first.stop('SIGINT');
    assert.equal((await inflight).status, 200);
    assert.equal(await code, 0);

    const second = await startChild(['--home', home, '--port', '0'], env);
    const again = JSON.parse(readFileSync(join(home, 'secrets.json'), 'utf8'));
    assert.equal(again.adminPassword, secrets.adminPassword);
    const admin2 = await issueToken(second.url, 'admin', secrets.adminPassword, 'admin');
    const list = await call('GET', `${second.url}/identity/v3/projects?name=kept`, { token: admin2.token });
    assert.deepEqual(list.body.projects.map((x: { id: string }) => x.id), [p.body.project.id]);
    // The catalog follows the new port.
    const identity = admin2.body.token.catalog.find((s: { type: string }) => s.type === 'identity');
    assert.equal(identity.endpoints[0].url, `${second.url}/identity`);
    assert.equal(await second.stop('SIGTERM'), 0);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('an admin password set in the environment replaces the kept one at the next start', async () => {
  const home = mkdtempSync(join(tmpdir(), 'ps-life-'));
  try {
    const a = await startChild(['--home', home], { POCKETSTACK_ADMIN_PASSWORD: 'first-pw' });
    await a.stop();
    const b = await startChild(['--home', home], { POCKETSTACK_ADMIN_PASSWORD: 'second-pw' });
    await issueToken(b.url, 'admin', 'second-pw', 'admin');
    await assert.rejects(issueToken(b.url, 'admin', 'first-pw', 'admin'), /401/);
    await b.stop();
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('bad flags are refused with a message that says what to do, exit code 2', () => {
  const run = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/run.ts'), ...args], { cwd: ROOT, encoding: 'utf8' });
  const port = run('up', '--port', 'abc');
  assert.equal(port.status, 2);
  assert.match(port.stderr, /--port must be a number from 0 to 65535/);
  const db = run('up', '--db', 'mysql://x');
  assert.equal(db.status, 2);
  assert.match(db.stderr, /--db must be "sqlite" or a postgres:\/\/ URL/);
  const unknown = run('up', '--frobnicate');
  assert.equal(unknown.status, 2);
  const verb = run('launch');
  assert.equal(verb.status, 2);
  assert.match(verb.stderr, /unknown command "launch"/);
});
