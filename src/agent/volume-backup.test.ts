import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalVolumeDriver } from '../drivers/storage/local/local-volume-driver.js';
import { LocalBackupRepository } from '../drivers/backup/local/local-backup-repository.js';
import { baseRefOf, chunkOffsets, diffEntries, loadChain, resolveChain } from '../core/volume/backup-chain.js';
import { BackupEngine } from './volume-backup.js';

const M = 1024 * 1024;
const fill = (byte: number, n: number) => new Uint8Array(n).fill(byte);

async function setup() {
  const home = mkdtempSync(join(tmpdir(), 'ps-backup-engine-'));
  const driver = await LocalVolumeDriver.open(join(home, 'volumes'));
  const repo = await LocalBackupRepository.open(join(home, 'backups'));
  const engine = new BackupEngine(driver, repo, { chunkOffsets, loadChain, resolveChain, diffEntries, baseRefOf }, () => new Date().toISOString());
  const write = async (id: string, offset: number, data: Uint8Array) => {
    const dev = await driver.open(id, 'rw');
    await dev.write(offset, data);
    await dev.flush();
    await dev.close();
  };
  const read = async (id: string, offset: number, n: number) => {
    const dev = await driver.open(id, 'ro');
    try {
      return await dev.read(offset, n);
    } finally {
      await dev.close();
    }
  };
  return { home, driver, repo, engine, write, read, done: async () => { await driver.close(); rmSync(home, { recursive: true, force: true }); } };
}

test('full, incremental by changedBlocks and incremental by content, restored byte for byte', async () => {
  const t = await setup();
  try {
    await t.driver.create('vol', 64 * M);
    await t.write('vol', 0, fill(1, 2 * M));
    await t.write('vol', 40 * M, fill(2, 64 * 1024));
    const full = await t.engine.backup({ type: 'backup', backupId: 'b1', sourceVolumeId: 'vol', snapshotId: null, parent: null });
    assert.equal(full.objectCount, 3, 'three non-zero chunks (the two MiB of 0x01 are stored once)');
    assert.equal(full.baseRef, 'backup-b1');

    await t.write('vol', M, fill(3, 4096));
    await t.write('vol', 40 * M, fill(0, 64 * 1024));
    const incr = await t.engine.backup({ type: 'backup', backupId: 'b2', sourceVolumeId: 'vol', snapshotId: null, parent: { dataId: 'b1', baseRef: full.baseRef } });
    assert.equal(incr.objectCount, 1);
    const m2 = await t.repo.readManifest('b2');
    assert.deepEqual(m2?.entries.map((e) => [e.offset, e.chunk === null]), [[M, false], [40 * M, true]], 'only the changed chunks, the zeroed one as null');

    // the parent's driver snapshot is gone: the next incremental compares content instead
    await t.driver.deleteSnapshot('backup-b1');
    await t.write('vol', 10 * M, fill(4, 4096));
    const byContent = await t.engine.backup({ type: 'backup', backupId: 'b3', sourceVolumeId: 'vol', snapshotId: null, parent: { dataId: 'b2', baseRef: 'backup-b1' } });
    assert.equal(byContent.objectCount, 1);
    assert.deepEqual((await t.repo.readManifest('b3'))?.entries.map((e) => e.offset), [10 * M]);

    for (const [backup, expect] of [['b1', [1, 1, 2, 0]], ['b2', [1, 3, 0, 0]], ['b3', [1, 3, 0, 4]]] as const) {
      await t.engine.restore({ type: 'restore_backup', backupId: backup, dataId: backup, targetVolumeId: `r-${backup}`, createSizeBytes: 64 * M });
      const got = [(await t.read(`r-${backup}`, 0, 1))[0], (await t.read(`r-${backup}`, M, 1))[0], (await t.read(`r-${backup}`, 40 * M, 1))[0], (await t.read(`r-${backup}`, 10 * M, 1))[0]];
      assert.deepEqual(got, expect, `restore of ${backup}`);
    }
    // restoring over an existing volume zeroes what the backup does not have
    await t.write('r-b3', 50 * M, fill(9, 4096));
    await t.engine.restore({ type: 'restore_backup', backupId: 'b1', dataId: 'b1', targetVolumeId: 'r-b3', createSizeBytes: null });
    assert.equal((await t.read('r-b3', 50 * M, 1))[0], 0);
    assert.equal((await t.read('r-b3', 40 * M, 1))[0], 2);
    // running a job twice is the same as once (adoption after a crash)
    await t.engine.backup({ type: 'backup', backupId: 'b1', sourceVolumeId: 'vol', snapshotId: null, parent: null });
    await t.engine.remove({ type: 'delete_backup', backupId: 'b3', dataId: 'b3', baseRef: 'backup-b3' });
    await t.engine.remove({ type: 'delete_backup', backupId: 'b3', dataId: 'b3', baseRef: 'backup-b3' });
    assert.equal(await t.repo.readManifest('b3'), undefined);
  } finally {
    await t.done();
  }
});

test('a corrupt chunk fails the restore before the target is written', async () => {
  const t = await setup();
  try {
    await t.driver.create('vol', 8 * M);
    await t.write('vol', 0, fill(5, M));
    await t.engine.backup({ type: 'backup', backupId: 'b', sourceVolumeId: 'vol', snapshotId: null, parent: null });
    await t.driver.create('target', 8 * M);
    await t.write('target', 0, fill(6, 4096));
    const chunks = join(t.home, 'backups', 'chunks');
    for (const d of readdirSync(chunks)) for (const f of readdirSync(join(chunks, d))) writeFileSync(join(chunks, d, f), 'garbage');
    await assert.rejects(t.engine.restore({ type: 'restore_backup', backupId: 'b', dataId: 'b', targetVolumeId: 'target', createSizeBytes: null }), /corrupt/);
    assert.equal((await t.read('target', 0, 1))[0], 6, 'untouched');
  } finally {
    await t.done();
  }
});
