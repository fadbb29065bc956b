/**
 * ResourceStore contract: documents, revisions as compare-and-swap, claims that never double-allocate
 * under concurrency, and all-or-nothing transactions. Runs against SQLite and PostgreSQL.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Conflict, NotFound, PreconditionFailed } from '../../../core/errors.js';
import type { ResourceStore } from '../../../core/ports/resource-store.js';
import { openDatabase } from '../database.js';
import { SqlResourceStore } from '../resource-store.js';
import type { TestDatabaseFactory } from '../test-databases.js';

export function resourceStoreContract(factory: TestDatabaseFactory): void {
  describe(`resource store contract on ${factory.name}`, { skip: factory.skip }, () => {
    async function withStore(fn: (s: ResourceStore) => Promise<void>) {
      const tdb = await factory.create();
      const sdb = await openDatabase(tdb.url);
      try {
        await fn(new SqlResourceStore(sdb.db, sdb.dialect));
      } finally {
        await sdb.close();
        await tdb.drop();
      }
    }

    test('documents round-trip with project and parent scoping; ids are unique per kind', () =>
      withStore(async (s) => {
        const a = await s.insert('network', { id: 'n1', projectId: 'p1', data: { name: 'a', tags: ['x'] } });
        assert.equal(a.revision, 1);
        await s.insert('network', { id: 'n2', projectId: 'p2', data: { name: 'b' } });
        await s.insert('port', { id: 'n1', projectId: 'p1', parentId: 'n1', data: { mac: 'fa:16:3e:00:00:01' } });
        await assert.rejects(s.insert('network', { id: 'n1', projectId: 'p1', data: {} }), Conflict);
        assert.deepEqual((await s.get('network', 'n1'))?.data, { name: 'a', tags: ['x'] });
        assert.deepEqual((await s.list('network', { projectId: 'p1' })).map((r) => r.id), ['n1']);
        assert.deepEqual((await s.list('port', { parentId: 'n1' })).map((r) => r.id), ['n1']);
        assert.deepEqual((await s.list('network', { ids: ['n2', 'zz'] })).map((r) => r.id), ['n2']);
        assert.deepEqual(await s.list('network', { ids: [] }), []);
        assert.equal(await s.count('network'), 2);
        assert.equal(await s.count('network', { projectId: 'p2' }), 1);
        assert.equal(await s.delete('network', 'n2'), true);
        assert.equal(await s.delete('network', 'n2'), false);
      }));

    test('updates bump the revision; a stale expected revision is refused', () =>
      withStore(async (s) => {
        await s.insert('router', { id: 'r1', projectId: 'p', data: { name: 'a' } });
        const u = await s.update('router', 'r1', { name: 'b' });
        assert.equal(u.revision, 2);
        await assert.rejects(s.update('router', 'r1', { name: 'c' }, { expectRevision: 1 }), PreconditionFailed);
        assert.equal((await s.update('router', 'r1', { name: 'c' }, { expectRevision: 2 })).revision, 3);
        await assert.rejects(s.update('router', 'nope', {}), NotFound);
        // A move to another project keeps the id, the creation time and the revision sequence.
        const moved = await s.update('router', 'r1', { name: 'c' }, { projectId: 'q' });
        assert.deepEqual([moved.projectId, moved.revision], ['q', 4]);
        assert.deepEqual((await s.list('router', { projectId: 'q' })).map((r) => r.id), ['r1']);
        assert.deepEqual(await s.list('router', { projectId: 'p' }), []);
        await s.update('router', 'r1', { name: 'c' }, { projectId: 'p' });
        // Concurrent read-modify-write in transactions loses no update.
        await Promise.all(
          Array.from({ length: 20 }, () =>
            s.transaction(async (tx) => {
              const cur = await tx.getForUpdate<{ name: string; n?: number }>('router', 'r1');
              await tx.update('router', 'r1', { ...cur!.data, n: (cur!.data.n ?? 0) + 1 });
            }),
          ),
        );
        const end = await s.get<{ n: number }>('router', 'r1');
        assert.equal(end?.data.n, 20);
        assert.equal(end?.revision, 25);
      }));

    test('300 concurrent allocations from 250 addresses: none given twice, the rest refused', () =>
      withStore(async (s) => {
        const pool = Array.from({ length: 250 }, (_, i) => `10.0.0.${i + 2}`);
        const allocate = (owner: string) =>
          s.transaction(async (tx) => {
            for (let attempt = 0; attempt < 400; attempt++) {
              const taken = new Set((await tx.listClaims('ip:s1')).map((c) => c.key));
              const free = pool.find((a) => !taken.has(a));
              if (!free) return null;
              if (await tx.claim('ip:s1', free, owner)) return free;
            }
            throw new Error('no progress');
          });
        const got = await Promise.all(Array.from({ length: 300 }, (_, i) => allocate(`port-${i}`)));
        const given = got.filter((x): x is string => x !== null);
        assert.equal(given.length, 250);
        assert.equal(new Set(given).size, 250);
        assert.equal(got.filter((x) => x === null).length, 50);
        const first = got.findIndex((x) => x !== null);
        await s.releaseOwner('ip:', `port-${first}`);
        assert.equal((await s.listClaims('ip:s1')).length, 249);
        const i = got.findIndex((x, j) => j > 0 && x !== null);
        assert.deepEqual(await s.claimsOf('ip:', `port-${i}`), [{ namespace: 'ip:s1', key: got[i] }]);
        assert.deepEqual(await s.claimsOf('mac:', `port-${i}`), []);
      }));

    /** Two stores on one database, as two API processes sharing PostgreSQL (or one SQLite file). */
    async function withTwoStores(fn: (a: SqlResourceStore, b: SqlResourceStore) => Promise<void>) {
      const tdb = await factory.create();
      const da = await openDatabase(tdb.url);
      const dbb = await openDatabase(tdb.url);
      try {
        await fn(new SqlResourceStore(da.db, da.dialect), new SqlResourceStore(dbb.db, dbb.dialect));
      } finally {
        await da.close();
        await dbb.close();
        await tdb.drop();
      }
    }

    const docs = (rows: Array<{ id: string; revision: number; data: unknown }>) => rows.map((r) => [r.id, r.revision, r.data]);

    test('cached lists: a write in this process or another is seen at once; a deleted row is gone', () =>
      withTwoStores(async (a, b) => {
        await a.insert('port', { id: 'p1', projectId: 'x', parentId: 'n1', data: { name: 'one' } });
        await a.insert('port', { id: 'p2', projectId: 'y', parentId: 'n2', data: { name: 'two' } });
        assert.deepEqual(docs(await a.list('port')), [['p1', 1, { name: 'one' }], ['p2', 1, { name: 'two' }]]);
        assert.equal(a.cachedDocuments, 2);
        const again = await a.list('port');
        assert.equal(again[0], (await a.list('port'))[0], 'an unchanged row is the same object');
        await a.update('port', 'p1', { name: 'uno' });
        assert.deepEqual(docs(await a.list('port', { projectId: 'x' })), [['p1', 2, { name: 'uno' }]]);
        await b.update('port', 'p2', { name: 'dos' });
        assert.deepEqual(docs(await a.list('port')), [['p1', 2, { name: 'uno' }], ['p2', 2, { name: 'dos' }]]);
        assert.deepEqual(docs(await a.list('port', { parentId: 'n2' })), [['p2', 2, { name: 'dos' }]]);
        assert.deepEqual(docs(await a.list('port', { ids: ['p2', 'zz'] })), [['p2', 2, { name: 'dos' }]]);
        await b.delete('port', 'p1');
        assert.deepEqual(docs(await a.list('port')), [['p2', 2, { name: 'dos' }]]);
      }));

    test('cached lists: a rolled-back transaction leaves no trace in the cache; documents are read-only', () =>
      withStore(async (s) => {
        await s.insert('network', { id: 'n1', projectId: 'p', data: { name: 'a', tags: ['t'] } });
        const before = await s.list<{ name: string; tags: string[] }>('network');
        await assert.rejects(
          s.transaction(async (tx) => {
            await tx.update('network', 'n1', { name: 'b', tags: [] });
            assert.deepEqual((await tx.list('network')).map((r) => r.data), [{ name: 'b', tags: [] }]);
            throw new Error('boom');
          }),
          /boom/,
        );
        assert.deepEqual((await s.list('network')).map((r) => [r.revision, r.data]), [[1, { name: 'a', tags: ['t'] }]]);
        assert.throws(() => {
          (before[0]!.data.tags as string[]).push('x');
        }, TypeError);
        // Kinds outside the cache are plain reads: fresh, mutable objects.
        await s.insert('volume', { id: 'v1', projectId: 'p', data: { size: 1 } });
        const v = (await s.list<{ size: number }>('volume'))[0]!;
        v.data.size = 2;
        assert.deepEqual((await s.list('volume'))[0]!.data, { size: 1 });
      }));

    test('a transaction that throws leaves nothing behind: no document, no claim, no generation', () =>
      withStore(async (s) => {
        await assert.rejects(
          s.transaction(async (tx) => {
            await tx.insert('port', { id: 'p1', projectId: 'p', data: {} });
            assert.equal(await tx.claim('mac:n1', 'fa:16:3e:00:00:01', 'p1'), true);
            await tx.recordChange('port', 'p1', 'create');
            throw new Error('boom');
          }),
          /boom/,
        );
        assert.equal(await s.get('port', 'p1'), undefined);
        assert.deepEqual(await s.listClaims('mac:n1'), []);
        const gen = await s.transaction((tx) => tx.recordChange('port', 'p2', 'create'));
        assert.equal(gen, 1);
        assert.equal(await s.claim('mac:n1', 'k', 'a'), true);
        assert.equal(await s.claim('mac:n1', 'k', 'b'), false);
        await s.release('mac:n1', 'k');
        assert.equal(await s.claim('mac:n1', 'k', 'b'), true);
      }));
  });
}
