/**
 * The store contract: one behaviour suite that every SQL engine must pass (SQLite and PostgreSQL).
 * Call it from a test file with a factory that opens a fresh, migrated database.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Conflict } from '../../../core/errors.js';
import type { Project, User } from '../../../core/model/identity.js';
import { openDatabase } from '../database.js';
import { SqlIdentityStore } from '../identity-store.js';
import { SqlChangeFeed } from '../change-feed.js';
import type { TestDatabaseFactory } from '../test-databases.js';

const project = (id: string, name: string, domainId = 'default'): Project => ({
  id,
  name,
  domainId,
  description: '',
  enabled: true,
  isDomain: false,
  parentId: domainId,
  tags: ['a'],
});
const user = (id: string, name: string): User => ({
  id,
  name,
  domainId: 'default',
  enabled: true,
  email: null,
  description: null,
  defaultProjectId: null,
  passwordHash: 'h',
  passwordChangedAt: null,
});

export function storeContract(factory: TestDatabaseFactory): void {
  describe(`store contract on ${factory.name}`, { skip: factory.skip }, () => {
    async function withStore(fn: (s: SqlIdentityStore, feed: SqlChangeFeed, url: string) => Promise<void>) {
      const tdb = await factory.create();
      const sdb = await openDatabase(tdb.url);
      try {
        await fn(new SqlIdentityStore(sdb.db), new SqlChangeFeed(sdb.db), tdb.url);
      } finally {
        await sdb.close();
        await tdb.drop();
      }
    }

    test('projects round-trip, names are unique per domain, delete cascades assignments', () =>
      withStore(async (s) => {
        await s.insertProject(project('p1', 'alpha'));
        assert.deepEqual(await s.getProject('p1'), project('p1', 'alpha'));
        assert.equal((await s.findProjectByName('default', 'alpha'))?.id, 'p1');
        await assert.rejects(s.insertProject(project('p2', 'alpha')), Conflict);
        await s.insertProject(project('p3', 'alpha', 'other'));
        await s.updateProject({ ...project('p1', 'beta'), enabled: false });
        assert.equal((await s.getProject('p1'))?.enabled, false);
        await s.grant({ userId: 'u1', roleId: 'r1', projectId: 'p1', domainId: null });
        assert.equal(await s.deleteProject('p1'), true);
        assert.equal(await s.deleteProject('p1'), false);
        assert.deepEqual(await s.listAssignments({ userId: 'u1' }), []);
        assert.deepEqual((await s.listProjects()).map((p) => p.id), ['p3']);
      }));

    test('users keep their password hash; deleting a user removes its assignments', () =>
      withStore(async (s) => {
        await s.insertUser(user('u1', 'alice'));
        assert.equal((await s.findUserByName('default', 'alice'))?.passwordHash, 'h');
        await assert.rejects(s.insertUser(user('u2', 'alice')), Conflict);
        await s.grant({ userId: 'u1', roleId: 'r1', projectId: 'p1', domainId: null });
        await s.grant({ userId: 'u1', roleId: 'r1', projectId: null, domainId: 'default' });
        assert.equal((await s.listAssignments({ userId: 'u1' })).length, 2);
        assert.equal(await s.deleteUser('u1'), true);
        assert.equal((await s.listAssignments({})).length, 0);
      }));

    test('grants are idempotent and filters select by user, roles, project and domain', () =>
      withStore(async (s) => {
        const a = { userId: 'u1', roleId: 'member', projectId: 'p1', domainId: null };
        await s.grant(a);
        await s.grant(a);
        await s.grant({ userId: 'u2', roleId: 'reader', projectId: 'p1', domainId: null });
        await s.grant({ userId: 'u1', roleId: 'admin', projectId: null, domainId: 'default' });
        assert.equal((await s.listAssignments({})).length, 3);
        assert.deepEqual((await s.listAssignments({ projectId: 'p1' })).map((x) => x.userId), ['u1', 'u2']);
        assert.deepEqual(await s.listAssignments({ domainId: 'default' }), [
          { userId: 'u1', roleId: 'admin', projectId: null, domainId: 'default' },
        ]);
        assert.equal((await s.listAssignments({ roleIds: ['reader', 'admin'] })).length, 2);
        assert.deepEqual(await s.listAssignments({ roleIds: [] }), []);
        assert.equal(await s.revoke(a), true);
        assert.equal(await s.revoke(a), false);
      }));

    test('global and domain roles with the same name coexist; a duplicate global role conflicts', () =>
      withStore(async (s) => {
        await s.insertRole({ id: 'r1', name: 'observer', domainId: null, description: '' });
        await s.insertRole({ id: 'r2', name: 'observer', domainId: 'd1', description: '' });
        await assert.rejects(s.insertRole({ id: 'r3', name: 'observer', domainId: null, description: '' }), Conflict);
        assert.equal((await s.findRoleByName('observer', null))?.id, 'r1');
        assert.equal((await s.findRoleByName('observer', 'd1'))?.id, 'r2');
      }));

    test('catalog: deleting a service removes its endpoints', () =>
      withStore(async (s) => {
        await s.insertService({ id: 's1', type: 'network', name: 'neutron', description: '', enabled: true });
        await s.insertEndpoint({ id: 'e1', serviceId: 's1', interface: 'public', url: 'http://x', regionId: 'RegionOne', enabled: true });
        await s.updateEndpoint({ id: 'e1', serviceId: 's1', interface: 'public', url: 'http://y', regionId: 'RegionOne', enabled: true });
        assert.equal((await s.getEndpoint('e1'))?.url, 'http://y');
        assert.equal(await s.deleteService('s1'), true);
        assert.deepEqual(await s.listEndpoints(), []);
      }));

    test('token revocations by audit id and by user', () =>
      withStore(async (s) => {
        assert.equal(await s.isAuditIdRevoked('aud1'), false);
        await s.revokeAuditId('aud1', Date.now() + 1000);
        await s.revokeAuditId('aud1', Date.now() + 1000);
        assert.equal(await s.isAuditIdRevoked('aud1'), true);
        assert.equal(await s.userTokensRevokedBefore('u1'), undefined);
        await s.revokeUserTokensBefore('u1', 1000);
        await s.revokeUserTokensBefore('u1', 2000);
        assert.equal(await s.userTokensRevokedBefore('u1'), 2000);
      }));

    test('concurrent changes each get their own generation, in order, with no gap', () =>
      withStore(async (_s, feed) => {
        assert.equal(await feed.currentGeneration(), 0);
        const gens = await Promise.all(Array.from({ length: 40 }, (_, i) => feed.recordChange('port', `p${i}`, 'create')));
        assert.deepEqual([...gens].sort((a, b) => a - b), Array.from({ length: 40 }, (_, i) => i + 1));
        assert.equal(await feed.currentGeneration(), 40);
        const since = await feed.changesSince(35);
        assert.deepEqual(since.map((c) => c.generation), [36, 37, 38, 39, 40]);
        assert.equal(since[0]?.kind, 'port');
      }));

    test('state survives closing and reopening; migrations are applied once', async () => {
      const tdb = await factory.create();
      try {
        const first = await openDatabase(tdb.url);
        await new SqlIdentityStore(first.db).insertProject(project('p1', 'kept'));
        await new SqlChangeFeed(first.db).recordChange('project', 'p1', 'create');
        await first.close();
        const second = await openDatabase(tdb.url);
        assert.equal((await new SqlIdentityStore(second.db).getProject('p1'))?.name, 'kept');
        assert.equal(await new SqlChangeFeed(second.db).currentGeneration(), 1);
        await second.close();
      } finally {
        await tdb.drop();
      }
    });
  });
}
