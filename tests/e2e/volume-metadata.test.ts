/**
 * The metadata sub-resources volumes and snapshots share (`/{coll}/{id}/metadata` and
 * `/{coll}/{id}/metadata/{key}`), over HTTP on SQLite and (when configured) PostgreSQL: merge, replace,
 * per-key show/set/delete, both URL forms (with and without the project id), Cinder's error bodies
 * and project isolation.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDatabaseFactories, type TestDatabase } from '../../src/store/sql/test-databases.js';
import { startInProcess } from '../support/server.js';
import { call, issueToken, type Reply } from '../support/http.js';

const HEADERS = { 'OpenStack-API-Version': 'volume 3.67' };

for (const factory of testDatabaseFactories()) {
  describe(`volume and snapshot metadata on ${factory.name}`, { skip: factory.skip }, () => {
    let ps: Awaited<ReturnType<typeof startInProcess>>;
    let tdb: TestDatabase;
    let admin: string;
    let demo: string;
    let demoProject: string;
    let v3: string;
    let volumeId: string;
    let snapshotId: string;

    const req = (method: string, path: string, token: string, body?: unknown): Promise<Reply> =>
      call(method, `${v3}${path}`, { token, body, headers: HEADERS });

    async function waitAvailable(path: string, key: string): Promise<void> {
      for (let i = 0; i < 200; i++) {
        const r = await req('GET', path, demo);
        if (r.status === 200 && r.body[key].status === 'available') return;
        await new Promise((res) => setTimeout(res, 50));
      }
      throw new Error(`${path} never became available`);
    }

    before(async () => {
      tdb = await factory.create();
      ps = await startInProcess({ db: factory.name === 'sqlite' ? 'sqlite' : tdb.url });
      admin = (await issueToken(ps.url, 'admin', 'admin-secret', 'admin')).token;
      const d = await issueToken(ps.url, 'demo', ps.demoPassword, 'demo');
      demo = d.token;
      demoProject = d.body.token.project.id;
      v3 = `${ps.url}/volume/v3`;
      const v = await req('POST', '/volumes', demo, { volume: { size: 1, metadata: { tier: 'gold' } } });
      assert.equal(v.status, 202, v.text);
      volumeId = v.body.volume.id;
      await waitAvailable(`/volumes/${volumeId}`, 'volume');
      const s = await req('POST', '/snapshots', demo, { snapshot: { volume_id: volumeId, metadata: { kind: 'daily' } } });
      assert.equal(s.status, 202, s.text);
      snapshotId = s.body.snapshot.id;
      await waitAvailable(`/snapshots/${snapshotId}`, 'snapshot');
    });
    after(async () => {
      await ps.cleanup();
      await tdb.drop();
    });

    const owners = [
      { coll: 'volumes', label: 'Volume', id: () => volumeId, initial: { tier: 'gold' } },
      { coll: 'snapshots', label: 'Snapshot', id: () => snapshotId, initial: { kind: 'daily' } },
    ];

    for (const o of owners) {
      test(`${o.coll}: POST merges, PUT replaces, GET shows, and the resource's own view agrees`, async () => {
        const path = `/${o.coll}/${o.id()}/metadata`;
        assert.deepEqual((await req('GET', path, demo)).body, { metadata: o.initial });

        const merged = await req('POST', path, demo, { metadata: { a: '1', b: '2' } });
        assert.equal(merged.status, 200, merged.text);
        assert.deepEqual(merged.body.metadata, { ...o.initial, a: '1', b: '2' });

        const replaced = await req('PUT', path, demo, { metadata: { only: 'this' } });
        assert.equal(replaced.status, 200, replaced.text);
        assert.deepEqual(replaced.body.metadata, { only: 'this' });

        const shown = await req('GET', `/${o.coll}/${o.id()}`, demo);
        const key = o.coll === 'volumes' ? 'volume' : 'snapshot';
        assert.deepEqual(shown.body[key].metadata, { only: 'this' });
      });

      test(`${o.coll}: one key is shown, set and deleted through /metadata/{key}, with the project id in the URL too`, async () => {
        const withProject = `/${demoProject}/${o.coll}/${o.id()}/metadata`;
        const set = await req('PUT', `${withProject}/color`, demo, { meta: { color: 'blue' } });
        assert.equal(set.status, 200, set.text);
        assert.deepEqual(set.body, { meta: { color: 'blue' } });

        const one = await req('GET', `/${o.coll}/${o.id()}/metadata/color`, demo);
        assert.equal(one.status, 200, one.text);
        assert.deepEqual(one.body, { meta: { color: 'blue' } });

        const del = await req('DELETE', `${withProject}/color`, demo);
        assert.equal(del.status, 200, del.text);
        const gone = await req('GET', `/${o.coll}/${o.id()}/metadata/color`, demo);
        assert.equal(gone.status, 404);
        assert.equal(gone.body.itemNotFound.code, 404);
        assert.match(gone.body.itemNotFound.message, /color/);
        assert.ok(!('color' in (await req('GET', `/${o.coll}/${o.id()}/metadata`, demo)).body.metadata));
      });

      test(`${o.coll}: a body that does not match the key, or holds two keys, is 400 and changes nothing`, async () => {
        const path = `/${o.coll}/${o.id()}/metadata`;
        const before = (await req('GET', path, demo)).body.metadata;

        const mismatch = await req('PUT', `${path}/color`, demo, { meta: { shade: 'red' } });
        assert.equal(mismatch.status, 400, mismatch.text);
        assert.equal(mismatch.body.badRequest.code, 400);

        const two = await req('PUT', `${path}/color`, demo, { meta: { color: 'red', shade: 'dark' } });
        assert.equal(two.status, 400, two.text);

        const notObject = await req('POST', path, demo, { metadata: ['a'] });
        assert.equal(notObject.status, 400, notObject.text);

        const tooLong = await req('POST', path, demo, { metadata: { ['k'.repeat(256)]: 'v' } });
        assert.equal(tooLong.status, 400, tooLong.text);

        assert.deepEqual((await req('GET', path, demo)).body.metadata, before);
      });

      test(`${o.coll}: another project neither sees nor changes the metadata (404); admin does`, async () => {
        const path = `/${o.coll}/${o.id()}/metadata`;
        const altProject = await call('POST', `${ps.url}/identity/v3/projects`, { token: admin, body: { project: { name: `other-${o.coll}`, domain_id: 'default' } } });
        assert.equal(altProject.status, 201, altProject.text);
        const user = await call('POST', `${ps.url}/identity/v3/users`, {
          token: admin,
          body: { user: { name: `other-user-${o.coll}`, password: 'other-secret', default_project_id: altProject.body.project.id } },
        });
        assert.equal(user.status, 201, user.text);
        const roles = await call('GET', `${ps.url}/identity/v3/roles?name=member`, { token: admin });
        const grant = await call('PUT', `${ps.url}/identity/v3/projects/${altProject.body.project.id}/users/${user.body.user.id}/roles/${roles.body.roles[0].id}`, { token: admin });
        assert.equal(grant.status, 204, grant.text);
        const other = (await issueToken(ps.url, `other-user-${o.coll}`, 'other-secret', `other-${o.coll}`)).token;

        const seen = await req('GET', path, other);
        assert.equal(seen.status, 404, seen.text);
        const write = await req('POST', path, other, { metadata: { stolen: 'yes' } });
        assert.equal(write.status, 404, write.text);
        const del = await req('DELETE', `${path}/only`, other);
        assert.equal(del.status, 404, del.text);
        assert.ok(!('stolen' in (await req('GET', path, demo)).body.metadata));

        const byAdmin = await req('POST', path, admin, { metadata: { audited: 'true' } });
        assert.equal(byAdmin.status, 200, byAdmin.text);
        assert.equal((await req('GET', path, demo)).body.metadata.audited, 'true');
      });
    }

    test('metadata of a resource that does not exist is 404', async () => {
      const missing = '00000000-0000-4000-8000-000000000000';
      assert.equal((await req('GET', `/volumes/${missing}/metadata`, demo)).status, 404);
      assert.equal((await req('PUT', `/snapshots/${missing}/metadata/x`, demo, { meta: { x: '1' } })).status, 404);
    });
  });
}
