import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VolumeJob } from '../core/model/volume.js';
import type { VolumeDriver } from '../core/ports/volume-driver.js';
import { enqueue } from '../core/volume/operation-queue.js';
import { VolumeOperationService } from '../core/volume/operation-service.js';
import { KIND } from '../core/volume/common.js';
import { randomIds } from '../drivers/crypto/hmac-token-codec.js';
import { LocalVolumeDriver } from '../drivers/storage/local/local-volume-driver.js';
import { openDatabase } from '../store/sql/database.js';
import { SqlResourceStore } from '../store/sql/resource-store.js';
import { NbdVolumeExporter } from './volume-exporter.js';
import { VolumeWorker, jobKeys } from './volume-worker.js';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** The real local driver, each call held 80 ms, recording how many run at once overall and per id. */
function observed(driver: VolumeDriver) {
  let now = 0;
  const perId = new Map<string, number>();
  const stats = { maxTotal: 0, maxPerId: 0 };
  const hold = async <T>(ids: string[], fn: () => Promise<T>): Promise<T> => {
    now++;
    for (const id of ids) perId.set(id, (perId.get(id) ?? 0) + 1);
    stats.maxTotal = Math.max(stats.maxTotal, now);
    stats.maxPerId = Math.max(stats.maxPerId, ...ids.map((id) => perId.get(id) ?? 0));
    try {
      await new Promise((r) => setTimeout(r, 80));
      return await fn();
    } finally {
      now--;
      for (const id of ids) perId.set(id, (perId.get(id) ?? 1) - 1);
    }
  };
  const wrapped = Object.create(driver) as VolumeDriver;
  wrapped.create = (id, size) => hold([id], () => driver.create(id, size));
  wrapped.snapshot = (vol, snap) => hold([vol, snap], () => driver.snapshot(vol, snap));
  return { driver: wrapped, stats };
}

test('jobKeys names every resource a job touches', () => {
  const job: VolumeJob = { type: 'backup', backupId: 'b', sourceVolumeId: 'v', snapshotId: null, parent: { dataId: 'p', baseRef: 'backup-p' } };
  assert.deepEqual(jobKeys(job).sort(), ['b', 'backup-p', 'p', 'v']);
  assert.deepEqual(jobKeys({ type: 'delete', volumeId: 'v', snapshotIds: ['s1', 's2'] }).sort(), ['s1', 's2', 'v']);
});

test('a bounded number of jobs run at once, never two on the same volume, and all finish', async () => {
  const home = mkdtempSync(join(tmpdir(), 'ps-worker-'));
  const sdb = await openDatabase(join(home, 'state.db'));
  const store = new SqlResourceStore(sdb.db, sdb.dialect);
  const local = await LocalVolumeDriver.open(join(home, 'volumes'));
  const { driver, stats } = observed(local);
  const queue = new VolumeOperationService(store, { now: () => Date.now() }, randomIds);
  try {
    await store.transaction(async (tx) => {
      for (const v of ['a', 'b', 'c', 'd', 'e']) await enqueue(tx, randomIds, 'p', 'req', { type: 'create', volumeId: v, sizeBytes: 1 << 20 });
    });
    const worker = new VolumeWorker({ queue, driver, exporter: new NbdVolumeExporter(() => null), images: undefined as never, owner: 'me', isDead: () => false, logger: quiet, concurrency: 3, pollMs: 20 });
    await worker.start();
    const waitEmpty = async () => {
      for (let i = 0; i < 200 && (await store.count(KIND.operation)) > 0; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(await store.count(KIND.operation), 0);
    };
    await waitEmpty();
    // snapshots of one volume queue behind each other; a snapshot of another volume runs beside them
    await store.transaction(async (tx) => {
      for (const s of ['s1', 's2', 's3']) await enqueue(tx, randomIds, 'p', 'req', { type: 'snapshot', volumeId: 'a', snapshotId: s });
      await enqueue(tx, randomIds, 'p', 'req', { type: 'snapshot', volumeId: 'b', snapshotId: 's4' });
    });
    worker.wake();
    await waitEmpty();
    await worker.stop();
    assert.equal(stats.maxTotal, 3, 'three at once, not more');
    assert.equal(stats.maxPerId, 1, 'never two jobs on one volume');
    assert.equal((await local.stats()).snapshots, 4);
  } finally {
    await local.close();
    await sdb.close();
    rmSync(home, { recursive: true, force: true });
  }
});
