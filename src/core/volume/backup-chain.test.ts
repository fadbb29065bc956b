import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Backup } from '../model/backup.js';
import type { BackupManifest } from '../ports/backup-repository.js';
import type { StoredResource } from '../ports/resource-store.js';
import { chunkOffsets, diffEntries, hasDependents, latestBackup, loadChain, ownsData, resolveChain } from './backup-chain.js';
import { BACKUP_MOVES, SNAPSHOT_BACKUP, VOLUME_MOVES, canMove } from './states.js';

const M = 1024 * 1024;
const manifest = (dataId: string, parent: string | null, entries: Array<[number, string | null]>, sizeBytes = 8 * M): BackupManifest => ({
  dataId, parent, sizeBytes, chunkSize: M, createdAt: '2026-01-01T00:00:00Z', entries: entries.map(([offset, chunk]) => ({ offset, chunk })),
});

function row(id: string, over: Partial<Backup> & { projectId?: string; createdAt?: string }): StoredResource<Backup> {
  const { projectId = 'p', createdAt = '2026-01-01T00:00:00.000Z', ...data } = over;
  return {
    id, projectId, parentId: null, revision: 1, createdAt, updatedAt: createdAt,
    data: {
      name: null, description: null, status: 'available', volumeId: 'v', snapshotId: null, size: 1, objectCount: 0, container: null, availabilityZone: 'nova',
      parentId: null, isIncremental: false, failReason: null, dataTimestamp: createdAt, userId: null, metadata: {}, volumeMetadata: {}, bootable: false, dataId: id, baseRef: null, ...data,
    },
  };
}

test('chunkOffsets: aligned, deduplicated, cut at the size', () => {
  assert.deepEqual(chunkOffsets([{ offset: 0, length: 64 * 1024 }], M, 8 * M), [0]);
  assert.deepEqual(chunkOffsets([{ offset: M - 1, length: 2 }, { offset: M + 5, length: 10 }], M, 8 * M), [0, M]);
  assert.deepEqual(chunkOffsets([{ offset: 7 * M, length: 4 * M }], M, 8 * M), [7 * M]);
  assert.deepEqual(chunkOffsets([], M, 8 * M), []);
});

test('loadChain walks parents oldest first and refuses missing links, loops and mixed chunk sizes', async () => {
  const store = new Map<string, BackupManifest>([
    ['a', manifest('a', null, [[0, 'x']])],
    ['b', manifest('b', 'a', [[M, 'y']])],
    ['c', manifest('c', 'b', [[0, null]])],
  ]);
  const read = async (id: string) => store.get(id);
  assert.deepEqual((await loadChain('c', read)).map((m) => m.dataId), ['a', 'b', 'c']);
  await assert.rejects(loadChain('zz', read), /no data/);
  store.set('d', manifest('d', 'gone', []));
  await assert.rejects(loadChain('d', read), /needs backup data gone/);
  store.set('l1', manifest('l1', 'l2', []));
  store.set('l2', manifest('l2', 'l1', []));
  await assert.rejects(loadChain('l1', read), /loops/);
  store.set('e', { ...manifest('e', 'a', []), chunkSize: 2 * M });
  await assert.rejects(loadChain('e', read), /chunk sizes/);
});

test('resolveChain overlays incrementals: later chunks win, null entries zero a chunk', () => {
  const image = resolveChain([manifest('a', null, [[0, 'x'], [M, 'y'], [2 * M, 'z']]), manifest('b', 'a', [[M, 'y2'], [2 * M, null]]), manifest('c', 'b', [[3 * M, 'w']])]);
  assert.deepEqual([...image].sort(), [[0, 'x'], [M, 'y2'], [3 * M, 'w']]);
});

test('diffEntries keeps what differs from the parent, with zeroes for chunks that went away', () => {
  const parent = new Map([[0, 'x'], [M, 'y'], [2 * M, 'z']]);
  const current = new Map<number, string | null>([[0, 'x'], [M, 'y2'], [3 * M, 'w'], [4 * M, null]]);
  assert.deepEqual(diffEntries(parent, current), [{ offset: M, chunk: 'y2' }, { offset: 2 * M, chunk: null }, { offset: 3 * M, chunk: 'w' }]);
  assert.deepEqual(diffEntries(parent, new Map(parent)), []);
});

test('latestBackup: newest available backup of the volume in the project; dependents; data ownership', () => {
  const rows = [
    row('old', { dataTimestamp: '2026-01-01T00:00:00.000Z' }),
    row('new', { dataTimestamp: '2026-01-02T00:00:00.000Z' }),
    row('failed', { dataTimestamp: '2026-01-03T00:00:00.000Z', status: 'error' }),
    row('other-vol', { dataTimestamp: '2026-01-04T00:00:00.000Z', volumeId: 'w' }),
    row('other-project', { dataTimestamp: '2026-01-05T00:00:00.000Z', projectId: 'q' }),
    row('tie', { dataTimestamp: '2026-01-02T00:00:00.000Z', createdAt: '2026-01-02T00:00:01.000Z' }),
  ];
  assert.equal(latestBackup(rows, 'v', 'p')?.id, 'tie');
  assert.equal(latestBackup(rows, 'v', 'q')?.id, 'other-project');
  assert.equal(latestBackup(rows, 'x', 'p'), undefined);
  const chain = [row('full', {}), row('inc', { parentId: 'full', isIncremental: true })];
  assert.equal(hasDependents(chain, 'full'), true);
  assert.equal(hasDependents(chain, 'inc'), false);
  const copies = [row('orig', { dataId: 'orig' }), row('copy', { dataId: 'orig' })];
  assert.equal(ownsData(copies, 'copy', 'orig'), false, 'the original still uses the bytes');
  assert.equal(ownsData([copies[0] as StoredResource<Backup>, row('copy', { dataId: 'orig', status: 'deleting' })], 'orig', 'orig'), true, 'a copy being deleted does not keep them');
});

test('state moves: who may be backed up, restored, deleted', () => {
  assert.ok(canMove(VOLUME_MOVES.backupInUse, 'in-use'));
  assert.ok(!canMove(VOLUME_MOVES.backupInUse, 'extending'));
  assert.ok(!canMove(VOLUME_MOVES.restoreBackup, 'in-use'));
  assert.ok(canMove(SNAPSHOT_BACKUP, 'available'));
  assert.ok(!canMove(SNAPSHOT_BACKUP, 'backing-up'), 'one backup of a snapshot at a time');
  assert.ok(canMove(BACKUP_MOVES.delete, 'error'));
  assert.ok(!canMove(BACKUP_MOVES.delete, 'restoring'));
  assert.ok(canMove(BACKUP_MOVES.forceDelete, 'creating'));
  assert.ok(!canMove(BACKUP_MOVES.restore, 'restoring'), 'one restore endpoint call at a time');
  assert.ok(canMove(BACKUP_MOVES.createFrom, 'restoring'), 'volumes may be created from a backup being restored');
});
