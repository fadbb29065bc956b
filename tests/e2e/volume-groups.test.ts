/**
 * Generic volume groups over HTTP on SQLite and (when configured) PostgreSQL: group types and their
 * specs (3.11), groups with member volumes (3.13), group snapshots and groups created from a group or
 * a group snapshot (3.14), resets (3.19/3.20), and the microversion gates.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDatabaseFactories, type TestDatabase } from '../../src/store/sql/test-databases.js';
import { startInProcess } from '../support/server.js';
import { call, issueToken, type Reply } from '../support/http.js';

const MV = (v: string) => ({ 'OpenStack-API-Version': `volume ${v}` });

for (const factory of testDatabaseFactories()) {
  describe(`volume groups on ${factory.name}`, { skip: factory.skip }, () => {
    let ps: Awaited<ReturnType<typeof startInProcess>>;
    let tdb: TestDatabase;
    let admin: string;
    let demo: string;
    let v3: string;

    const req = (method: string, path: string, token: string, body?: unknown, version = '3.67'): Promise<Reply> =>
      call(method, `${v3}${path}`, { token, body, headers: MV(version) });

    async function waitFor(path: string, key: string, want: string | null): Promise<void> {
      for (let i = 0; i < 300; i++) {
        const r = await req('GET', path, admin);
        if (want === null ? r.status === 404 : r.status === 200 && r.body[key].status === want) return;
        await new Promise((res) => setTimeout(res, 25));
      }
      throw new Error(`${path} never reached ${String(want)}`);
    }

    before(async () => {
      tdb = await factory.create();
      ps = await startInProcess({ db: factory.name === 'sqlite' ? 'sqlite' : tdb.url });
      admin = (await issueToken(ps.url, 'admin', 'admin-secret', 'admin')).token;
      demo = (await issueToken(ps.url, 'demo', ps.demoPassword, 'demo')).token;
      v3 = `${ps.url}/volume/v3`;
    });
    after(async () => {
      await ps.cleanup();
      await tdb.drop();
    });

    test('group types: create, specs, list by is_public and sort, update, delete; gated at 3.11', async () => {
      assert.equal((await req('GET', '/group_types', admin, undefined, '3.10')).status, 404);
      const a = await req('POST', '/group_types', admin, { group_type: { name: 'a-gt', description: 'd', is_public: true, group_specs: { k: 'v' } } });
      assert.equal(a.status, 202, a.text);
      const b = await req('POST', '/group_types', admin, { group_type: { name: 'b-gt', is_public: false } });
      assert.equal((await req('POST', '/group_types', admin, { group_type: { name: 'a-gt' } })).status, 409);
      assert.equal((await req('POST', '/group_types', demo, { group_type: { name: 'x' } })).status, 403);
      const asc = (await req('GET', '/group_types?sort=name:asc&is_public=None', admin)).body.group_types.map((t: { name: string }) => t.name);
      assert.ok(asc.indexOf('a-gt') < asc.indexOf('b-gt'));
      const desc = (await req('GET', '/group_types?sort=name:desc&is_public=None', admin)).body.group_types.map((t: { name: string }) => t.name);
      assert.ok(desc.indexOf('b-gt') < desc.indexOf('a-gt'));
      const priv = (await req('GET', '/group_types?is_public=False', admin)).body.group_types.map((t: { name: string }) => t.name);
      assert.deepEqual(priv, ['b-gt']);
      const id = a.body.group_type.id;
      const set = await req('POST', `/group_types/${id}/group_specs`, admin, { group_specs: { k2: 'v2' } });
      assert.deepEqual(set.body.group_specs, { k2: 'v2' });
      assert.deepEqual((await req('GET', `/group_types/${id}/group_specs`, admin)).body.group_specs, { k: 'v', k2: 'v2' });
      assert.deepEqual((await req('PUT', `/group_types/${id}/group_specs/k2`, admin, { k2: 'v3' })).body, { k2: 'v3' });
      assert.deepEqual((await req('GET', `/group_types/${id}/group_specs/k2`, admin)).body, { k2: 'v3' });
      assert.equal((await req('DELETE', `/group_types/${id}/group_specs/k2`, admin)).status, 202);
      assert.equal((await req('GET', `/group_types/${id}/group_specs/k2`, admin)).status, 404);
      const up = await req('PUT', `/group_types/${id}`, admin, { group_type: { name: 'a2-gt', description: 'new' } });
      assert.equal(up.status, 200);
      assert.equal(up.body.group_type.name, 'a2-gt');
      assert.equal((await req('DELETE', `/group_types/${b.body.group_type.id}`, admin)).status, 202);
      assert.equal((await req('GET', `/group_types/${b.body.group_type.id}`, admin)).status, 404);
    });

    test('groups: members by create and update, snapshot, clone from group and from snapshot, delete with volumes', async () => {
      const vt = (await req('POST', '/types', admin, { volume_type: { name: 'grp-vt' } })).body.volume_type.id;
      const gt = (await req('POST', '/group_types', admin, { group_type: { name: 'grp-gt' } })).body.group_type.id;
      assert.equal((await req('POST', '/groups', demo, { group: { group_type: gt, volume_types: [vt] } }, '3.12')).status, 404);
      const g = await req('POST', '/groups', demo, { group: { name: 'g1', group_type: gt, volume_types: [vt] } });
      assert.equal(g.status, 202, g.text);
      const gid = g.body.group.id;
      await waitFor(`/groups/${gid}`, 'group', 'available');
      const wrongType = await req('POST', '/volumes', demo, { volume: { size: 1, group_id: gid } });
      assert.equal(wrongType.status, 400, 'the default type is not one of the group');
      const ids: string[] = [];
      for (let i = 0; i < 2; i++) {
        const v = await req('POST', '/volumes', demo, { volume: { size: 1, volume_type: vt, group_id: gid } });
        assert.equal(v.body.volume.group_id, gid);
        ids.push(v.body.volume.id);
      }
      for (const id of ids) await waitFor(`/volumes/${id}`, 'volume', 'available');
      assert.equal((await req('PUT', `/groups/${gid}`, demo, { group: { name: 'g1b', remove_volumes: ids[1] } })).status, 202);
      const members = async (group: string) => ((await req('GET', '/volumes/detail', demo)).body.volumes as Array<Record<string, unknown>>).filter((v) => v['group_id'] === group).map((v) => v['id']);
      assert.deepEqual(await members(gid), [ids[0]]);
      assert.equal((await req('GET', `/groups/${gid}`, demo)).body.group.name, 'g1b');
      assert.equal((await req('PUT', `/groups/${gid}`, demo, { group: { add_volumes: ids[1] } })).status, 202);
      assert.equal((await members(gid)).length, 2);
      assert.equal((await req('PUT', `/groups/${gid}`, demo, {})).status, 400);

      const gs = await req('POST', '/group_snapshots', demo, { group_snapshot: { group_id: gid, name: 'gs1' } });
      assert.equal(gs.status, 202, gs.text);
      const gsid = gs.body.group_snapshot.id;
      await waitFor(`/group_snapshots/${gsid}`, 'group_snapshot', 'available');
      const snaps = ((await req('GET', '/snapshots/detail', demo)).body.snapshots as Array<Record<string, unknown>>).filter((s) => s['group_snapshot_id'] === gsid);
      assert.equal(snaps.length, 2);
      assert.ok(snaps.every((s) => s['status'] === 'available'));
      assert.equal((await req('POST', `/groups/${gid}/action`, demo, { delete: { 'delete-volumes': true } })).status, 400, 'a group with group snapshots stays');

      const fromSnap = await req('POST', '/groups/action', demo, { 'create-from-src': { group_snapshot_id: gsid, name: 'g2' } });
      assert.equal(fromSnap.status, 202, fromSnap.text);
      const fromGroup = await req('POST', '/groups/action', demo, { 'create-from-src': { source_group_id: gid, name: 'g3' } });
      assert.equal(fromGroup.status, 202, fromGroup.text);
      for (const g2 of [fromSnap.body.group.id, fromGroup.body.group.id]) {
        const vols = await members(g2);
        assert.equal(vols.length, 2);
        for (const v of vols) await waitFor(`/volumes/${v}`, 'volume', 'available');
        await waitFor(`/groups/${g2}`, 'group', 'available');
        assert.equal((await req('POST', `/groups/${g2}/action`, demo, { delete: { 'delete-volumes': true } })).status, 202);
        for (const v of vols) await waitFor(`/volumes/${v}`, 'volume', null);
        assert.equal((await req('GET', `/groups/${g2}`, demo)).status, 404);
      }

      assert.equal((await req('POST', `/group_snapshots/${gsid}/action`, admin, { reset_status: { status: 'error' } })).status, 202);
      assert.equal((await req('GET', `/group_snapshots/${gsid}`, demo)).body.group_snapshot.status, 'error');
      assert.equal((await req('POST', `/group_snapshots/${gsid}/action`, demo, { reset_status: { status: 'available' } })).status, 403);
      assert.equal((await req('DELETE', `/group_snapshots/${gsid}`, demo)).status, 202);
      await waitFor(`/group_snapshots/${gsid}`, 'group_snapshot', null);
      for (const s of snaps) assert.equal((await req('GET', `/snapshots/${s['id']}`, demo)).status, 404);

      assert.equal((await req('POST', `/groups/${gid}/action`, admin, { reset_status: { status: 'error' } }, '3.19')).status, 404);
      assert.equal((await req('POST', `/groups/${gid}/action`, admin, { reset_status: { status: 'error' } })).status, 202);
      assert.equal((await req('GET', `/groups/${gid}`, demo)).body.group.status, 'error');
      assert.equal((await req('POST', `/groups/${gid}/action`, demo, { delete: { 'delete-volumes': false } })).status, 400, 'members need delete-volumes');
      assert.equal((await req('POST', `/groups/${gid}/action`, demo, { delete: { 'delete-volumes': true } })).status, 202);
      for (const id of ids) await waitFor(`/volumes/${id}`, 'volume', null);
      assert.deepEqual((await req('GET', '/groups/detail', demo)).body.groups, []);
      assert.equal((await req('DELETE', `/group_types/${gt}`, admin)).status, 202, 'unused again');
    });
  });
}
