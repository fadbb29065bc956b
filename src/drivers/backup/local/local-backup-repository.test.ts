import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalBackupRepository } from './local-backup-repository.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'ps-backup-repo-'));
const pattern = (seed: number, n = 4096) => Uint8Array.from({ length: n }, (_, i) => (i * seed + seed) & 0xff);

test('chunks are stored once, compressed, and read back verified; manifests round-trip', async () => {
  const dir = tmp();
  try {
    const repo = await LocalBackupRepository.open(dir, { chunkSize: 4096 });
    const zeroish = new Uint8Array(4096).fill(7);
    const { a, b, c } = await repo.session(async (s) => {
      const a = await s.putChunk(pattern(3));
      const b = await s.putChunk(pattern(3));
      const c = await s.putChunk(zeroish);
      await s.writeManifest({ dataId: 'bk1', parent: null, sizeBytes: 8192, chunkSize: 4096, entries: [{ offset: 0, chunk: a.id }, { offset: 4096, chunk: c.id }], createdAt: 'now' });
      return { a, b, c };
    });
    assert.equal(a.id, b.id);
    assert.ok(a.storedBytes > 0);
    assert.equal(b.storedBytes, 0, 'deduplicated');
    assert.ok(c.storedBytes < 100, 'a repetitive chunk is compressed');
    assert.deepEqual(await repo.readChunk(a.id), pattern(3));
    const m = await repo.readManifest('bk1');
    assert.deepEqual(m?.entries, [{ offset: 0, chunk: a.id }, { offset: 4096, chunk: c.id }]);
    assert.equal(await repo.readManifest('none'), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a damaged chunk or manifest is refused as corrupt, a missing chunk as not_found', async () => {
  const dir = tmp();
  try {
    const repo = await LocalBackupRepository.open(dir, { chunkSize: 4096 });
    const id = await repo.session(async (s) => {
      const { id } = await s.putChunk(pattern(5));
      await s.writeManifest({ dataId: 'bk', parent: null, sizeBytes: 4096, chunkSize: 4096, entries: [{ offset: 0, chunk: id }], createdAt: 'now' });
      return id;
    });
    const chunk = join(dir, 'chunks', id.slice(0, 2), id);
    const bytes = readFileSync(chunk);
    bytes[20] = (bytes[20] as number) ^ 1;
    writeFileSync(chunk, bytes);
    await assert.rejects(repo.readChunk(id), (e: { code?: string }) => e.code === 'corrupt');
    await assert.rejects(repo.readChunk('0'.repeat(64)), (e: { code?: string }) => e.code === 'not_found');
    const mpath = join(dir, 'manifests', 'bk.json');
    writeFileSync(mpath, readFileSync(mpath, 'utf8').replace('"sizeBytes":4096', '"sizeBytes":8192'));
    await assert.rejects(repo.readManifest('bk'), (e: { code?: string }) => e.code === 'corrupt');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('garbage collection removes only unnamed chunks and waits for open sessions; tmp is emptied at open', async () => {
  const dir = tmp();
  try {
    const repo = await LocalBackupRepository.open(dir, { chunkSize: 4096 });
    const keep = await repo.session(async (s) => {
      const { id } = await s.putChunk(pattern(1));
      await s.writeManifest({ dataId: 'keep', parent: null, sizeBytes: 4096, chunkSize: 4096, entries: [{ offset: 0, chunk: id }], createdAt: 'now' });
      return id;
    });
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let pendingId = '';
    const session = repo.session(async (s) => {
      pendingId = (await s.putChunk(pattern(2))).id;
      await held; // the manifest naming it is not written yet
      await s.writeManifest({ dataId: 'late', parent: null, sizeBytes: 4096, chunkSize: 4096, entries: [{ offset: 0, chunk: pendingId }], createdAt: 'now' });
    });
    await new Promise((r) => setTimeout(r, 20));
    const gc = repo.collectGarbage();
    await new Promise((r) => setTimeout(r, 20));
    release();
    await session;
    assert.equal(await gc, 0, 'the chunk of the open session survived');
    await repo.readChunk(pendingId);
    await repo.deleteManifest('late');
    assert.equal(await repo.collectGarbage(), 1);
    await repo.readChunk(keep);
    writeFileSync(join(dir, 'tmp', 'leftover'), 'x');
    await LocalBackupRepository.open(dir);
    assert.deepEqual(readdirSync(join(dir, 'tmp')), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
