import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { LocalVolumeDriver } from '../drivers/storage/local/local-volume-driver.js';

const repo = path.resolve(import.meta.dirname, '../..');

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env = { ...process.env };
    delete env.POCKETSTACK_HOME;
    execFile(process.execPath, ['--import', 'tsx', 'src/cli/run.ts', ...args], { cwd: repo, env }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

async function makeStore(home: string): Promise<string> {
  const root = path.join(home, 'volumes');
  const d = await LocalVolumeDriver.open(root);
  await d.create('vol-a', 4 * 2 ** 20);
  await d.create('vol-b', 4 * 2 ** 20);
  const dev = await d.open('vol-a', 'rw');
  await dev.write(0, Buffer.alloc(3 * 65536, 7));
  await dev.close();
  await d.snapshot('vol-a', 'snap-1');
  await d.close();
  return root;
}

describe('pocketstack storage check', () => {
  const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'ps-check-'));

  it('prints a summary and exits 0 for a consistent store, taking over a dead owner\'s lock', async () => {
    const home = tmp();
    try {
      const root = await makeStore(home);
      fs.writeFileSync(path.join(root, 'LOCK'), '999999999'); // a process that does not exist
      const r = await cli('storage', 'check', '--home', home);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /volumes: +2\n/);
      assert.match(r.stdout, /snapshots: +1\n/);
      assert.match(r.stdout, /extents: +3 in use/);
      assert.match(r.stdout, /Consistent: no problems found/);
      assert.equal(fs.existsSync(path.join(root, 'LOCK')), false, 'the lock is released afterwards');
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  it('exits 1 and lists the problems of a damaged store', async () => {
    const home = tmp();
    try {
      const root = await makeStore(home);
      const cp = path.join(root, 'checkpoint');
      const bad = fs.readFileSync(cp);
      bad[bad.length - 100]! ^= 0xff;
      fs.writeFileSync(cp, bad);
      const r = await cli('storage', 'check', '--home', home);
      assert.equal(r.code, 1);
      assert.match(r.stdout, /NOT consistent: 1 problem:\n {2}- metadata: checkpoint: CRC mismatch/);
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  it('refuses politely (exit 1) while a server holds the store', async () => {
    const home = tmp();
    try {
      const root = await makeStore(home);
      const running = await LocalVolumeDriver.open(root); // this test process plays the server
      try {
        const r = await cli('storage', 'check', '--home', home);
        assert.equal(r.code, 1);
        assert.match(r.stderr, new RegExp(`in use by a running server \\(process ${process.pid}\\)`));
        assert.match(r.stderr, /Stop that server first/);
        assert.equal(r.stdout, '');
      } finally {
        await running.close();
      }
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  it('exits 2 with a clear message when there is no store, or on a usage error', async () => {
    const home = tmp();
    try {
      const r = await cli('storage', 'check', '--home', home);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /no volume store at .*volumes/);
      assert.equal(fs.existsSync(path.join(home, 'volumes')), false, 'the check created nothing');
      const bad = await cli('storage', 'check', '--nope');
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /usage: pocketstack storage check/);
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});
