/**
 * Block storage (Cinder v3) over HTTP on SQLite and (when configured) PostgreSQL: version documents,
 * microversions, the volume lifecycle with its asynchronous states, snapshots, revert, clone, extend,
 * attachments with NBD connection_info, types, QoS, quotas, messages, policy and project isolation.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDatabaseFactories, type TestDatabase } from '../../src/store/sql/test-databases.js';
import { startInProcess } from '../support/server.js';
import { call, issueToken, type Reply } from '../support/http.js';

const MV = (v: string) => ({ 'OpenStack-API-Version': `volume ${v}` });

for (const factory of testDatabaseFactories()) {
  describe(`volume API on ${factory.name}`, { skip: factory.skip }, () => {
    let ps: Awaited<ReturnType<typeof startInProcess>>;
    let tdb: TestDatabase;
    let admin: string;
    let demo: string;
    let base: string;
    let v3: string;

    const req = (method: string, path: string, token: string, body?: unknown, version = '3.67'): Promise<Reply> =>
      call(method, `${v3}${path}`, { token, body, headers: MV(version) });

    async function waitStatus(path: string, key: string, want: string | null, token = admin): Promise<Record<string, unknown>> {
      for (let i = 0; i < 200; i++) {
        const r = await req('GET', path, token);
        if (want === null && r.status === 404) return {};
        if (r.status === 200 && r.body[key].status === want) return r.body[key];
        await new Promise((res) => setTimeout(res, 50));
      }
      throw new Error(`${path} never reached ${want}`);
    }

    async function newVolume(token: string, body: Record<string, unknown> = {}): Promise<string> {
      const r = await req('POST', '/volumes', token, { volume: { size: 1, ...body } });
      assert.equal(r.status, 202, r.text);
      assert.equal(r.body.volume.status, 'creating');
      await waitStatus(`/volumes/${r.body.volume.id}`, 'volume', 'available', token);
      return r.body.volume.id;
    }

    before(async () => {
      tdb = await factory.create();
      ps = await startInProcess({ db: factory.name === 'sqlite' ? 'sqlite' : tdb.url });
      base = ps.url;
      admin = (await issueToken(base, 'admin', 'admin-secret', 'admin')).token;
      demo = (await issueToken(base, 'demo', ps.demoPassword, 'demo')).token;
      v3 = `${base}/volume/v3`;
    });
    after(async () => {
      await ps.cleanup();
      await tdb.drop();
    });

    test('version documents, microversion headers and Cinder error bodies', async () => {
      const root = await call('GET', `${base}/volume/`);
      assert.equal(root.status, 300);
      assert.equal(root.body.versions[0].id, 'v3.0');
      assert.equal(root.body.versions[0].min_version, '3.0');
      const shown = await call('GET', `${base}/volume/v3`);
      assert.equal(shown.status, 200);
      assert.match(shown.body.versions[0].links[1].href, /\/volume\/v3\/$/);
      const r = await req('GET', '/volumes', admin, undefined, '3.44');
      assert.equal(r.headers.get('openstack-api-version'), 'volume 3.44');
      const tooNew = await req('GET', '/volumes', admin, undefined, '3.99');
      assert.equal(tooNew.status, 406);
      const missing = await req('GET', '/volumes/00000000-0000-0000-0000-000000000000', admin);
      assert.equal(missing.status, 404);
      assert.equal(missing.body.itemNotFound.code, 404);
      assert.match(missing.body.itemNotFound.message, /could not be found/);
      const bad = await req('POST', '/volumes', admin, { volume: { size: -1 } });
      assert.equal(bad.status, 400);
      assert.ok(bad.body.badRequest.message);
    });

    test('lifecycle: create with metadata, list with filters and paging, update, delete', async () => {
      const id = await newVolume(admin, { name: 'life', metadata: { tier: 'gold' } });
      const other = await newVolume(admin, { name: 'other' });
      const withProject = await call('GET', `${v3}/${'x'.repeat(4)}/volumes/${id}`, { token: admin });
      assert.equal(withProject.body.volume.id, id, 'the project segment in the URL is accepted');
      const byName = await req('GET', '/volumes/detail?name=life', admin);
      assert.deepEqual(byName.body.volumes.map((v: { id: string }) => v.id), [id]);
      const byMeta = await req('GET', `/volumes/detail?metadata=${encodeURIComponent('{"tier":"gold"}')}`, admin);
      assert.deepEqual(byMeta.body.volumes.map((v: { id: string }) => v.id), [id]);
      const page = await req('GET', '/volumes?limit=1&sort=name:asc', admin);
      assert.equal(page.body.volumes.length, 1);
      assert.equal(page.body.volumes[0].name, 'life');
      assert.ok(page.body.volumes_links[0].href.includes('marker='));
      const summary = await req('GET', '/volumes/summary', admin);
      assert.ok(summary.body['volume-summary'].total_count >= 2);
      const upd = await req('PUT', `/volumes/${id}`, admin, { volume: { name: 'renamed', description: 'd' } });
      assert.equal(upd.body.volume.name, 'renamed');
      assert.equal((await req('POST', `/volumes/${id}/metadata`, admin, { metadata: { a: 'b' } })).body.metadata.a, 'b');
      assert.equal((await req('DELETE', `/volumes/${id}`, admin)).status, 202);
      await waitStatus(`/volumes/${id}`, 'volume', null);
      await req('DELETE', `/volumes/${other}`, admin);
    });

    test('another project sees 404; a reader may read but not write', async () => {
      const id = await newVolume(admin, { name: 'private' });
      assert.equal((await req('GET', `/volumes/${id}`, demo)).status, 404);
      assert.equal((await req('DELETE', `/volumes/${id}`, demo)).status, 404);
      const list = await req('GET', '/volumes', demo);
      assert.ok(!list.body.volumes.some((v: { id: string }) => v.id === id));
      const all = await req('GET', '/volumes?all_tenants=1', admin);
      assert.ok(all.body.volumes.some((v: { id: string }) => v.id === id));
      // demo creates its own; admin-only actions are refused
      const mine = await newVolume(demo);
      const reset = await req('POST', `/volumes/${mine}/action`, demo, { 'os-reset_status': { status: 'error' } });
      assert.equal(reset.status, 403);
      assert.ok(reset.body.forbidden);
      await req('DELETE', `/volumes/${mine}`, demo);
      await req('DELETE', `/volumes/${id}`, admin);
    });

    test('snapshots, revert to the latest only, clone from a snapshot, cascade delete', async () => {
      const vol = await newVolume(admin);
      const s1 = await req('POST', '/snapshots', admin, { snapshot: { volume_id: vol, name: 's1' } });
      assert.equal(s1.status, 202);
      await waitStatus(`/snapshots/${s1.body.snapshot.id}`, 'snapshot', 'available');
      const s2 = await req('POST', '/snapshots', admin, { snapshot: { volume_id: vol, name: 's2' } });
      await waitStatus(`/snapshots/${s2.body.snapshot.id}`, 'snapshot', 'available');
      const old = await req('POST', `/volumes/${vol}/action`, admin, { revert: { snapshot_id: s1.body.snapshot.id } });
      assert.equal(old.status, 400, 'only the latest snapshot');
      const tooOld = await req('POST', `/volumes/${vol}/action`, admin, { revert: { snapshot_id: s2.body.snapshot.id } }, '3.39');
      assert.equal(tooOld.status, 404, 'revert needs 3.40');
      assert.equal((await req('POST', `/volumes/${vol}/action`, admin, { revert: { snapshot_id: s2.body.snapshot.id } })).status, 202);
      await waitStatus(`/volumes/${vol}`, 'volume', 'available');
      const clone = await newVolume(admin, { snapshot_id: s1.body.snapshot.id, size: 2 });
      const shown = await req('GET', `/volumes/${clone}`, admin);
      assert.equal(shown.body.volume.snapshot_id, s1.body.snapshot.id);
      assert.equal(shown.body.volume.size, 2);
      const refused = await req('DELETE', `/volumes/${vol}`, admin);
      assert.equal(refused.status, 400, 'snapshots block a plain delete');
      assert.equal((await req('DELETE', `/volumes/${vol}?cascade=true`, admin)).status, 202);
      await waitStatus(`/volumes/${vol}`, 'volume', null);
      assert.equal((await req('GET', `/snapshots/${s1.body.snapshot.id}`, admin)).status, 404);
      await req('DELETE', `/volumes/${clone}`, admin);
    });

    test('extend, and its validation', async () => {
      const vol = await newVolume(admin);
      assert.equal((await req('POST', `/volumes/${vol}/action`, admin, { 'os-extend': { new_size: 1 } })).status, 400);
      assert.equal((await req('POST', `/volumes/${vol}/action`, admin, { 'os-extend': { new_size: 3 } })).status, 202);
      const v = await waitStatus(`/volumes/${vol}`, 'volume', 'available');
      assert.equal(v.size, 3);
      await req('DELETE', `/volumes/${vol}`, admin);
    });

    test('attachments: reserve, connect (NBD connection_info), complete, delete', async () => {
      const vol = await newVolume(admin);
      const a = await req('POST', '/attachments', admin, { attachment: { volume_uuid: vol, instance_uuid: 'a2b3c4d5-0000-4000-8000-000000000001' } });
      assert.equal(a.status, 200, a.text);
      assert.equal(a.body.attachment.status, 'reserved');
      assert.equal((await req('GET', `/volumes/${vol}`, admin)).body.volume.status, 'reserved');
      const u = await req('PUT', `/attachments/${a.body.attachment.id}`, admin, { attachment: { connector: { host: 'h1' } } });
      const ci = u.body.attachment.connection_info;
      assert.equal(ci.driver_volume_type, 'nbd');
      assert.match(ci.data.uri, /^nbd\+unix:\/\/\/att-[0-9a-f]+\?socket=.*nbd\.sock$/);
      assert.equal(ci.data.read_only, false);
      const tcp = await req('POST', '/attachments', admin, { attachment: { volume_uuid: vol, instance_uuid: 'x', connector: { host: 'h2', transport: 'tcp' } } });
      assert.equal(tcp.status, 400, 'a second attachment of a non-multiattach volume is refused');
      assert.equal((await req('POST', `/attachments/${a.body.attachment.id}/action`, admin, { 'os-complete': null })).status, 204);
      const shown = (await req('GET', `/volumes/${vol}`, admin)).body.volume;
      assert.equal(shown.status, 'in-use');
      assert.equal(shown.attachments[0].attachment_id, a.body.attachment.id);
      assert.equal((await req('DELETE', `/volumes/${vol}`, admin)).status, 400, 'attached volumes are not deleted');
      assert.equal((await req('DELETE', `/attachments/${a.body.attachment.id}`, admin)).status, 200);
      assert.equal((await req('GET', `/volumes/${vol}`, admin)).body.volume.status, 'available');
      await req('DELETE', `/volumes/${vol}`, admin);
    });

    test('legacy attach actions: reserve, initialize_connection, attach, begin/roll detaching, detach', async () => {
      const vol = await newVolume(admin);
      const act = (body: unknown) => req('POST', `/volumes/${vol}/action`, admin, body);
      assert.equal((await act({ 'os-reserve': null })).status, 202);
      assert.equal((await act({ 'os-reserve': null })).status, 400, 'reserving twice');
      const init = await act({ 'os-initialize_connection': { connector: { host: 'h', transport: 'tcp' } } });
      assert.equal(init.status, 200);
      assert.match(init.body.connection_info.data.uri, /^nbd:\/\/127\.0\.0\.1:\d+\/att-/);
      assert.equal((await act({ 'os-attach': { instance_uuid: 'i-1', mountpoint: '/dev/vdb' } })).status, 202);
      assert.equal((await req('GET', `/volumes/${vol}`, admin)).body.volume.status, 'in-use');
      assert.equal((await act({ 'os-begin_detaching': null })).status, 202);
      assert.equal((await act({ 'os-roll_detaching': null })).status, 202);
      assert.equal((await req('GET', `/volumes/${vol}`, admin)).body.volume.status, 'in-use');
      assert.equal((await act({ 'os-detach': {} })).status, 202);
      assert.equal((await req('GET', `/volumes/${vol}`, admin)).body.volume.status, 'available');
      assert.equal((await act({ 'os-no_such': {} })).status, 400);
      await req('DELETE', `/volumes/${vol}`, admin);
    });

    test('types, extra specs, access, QoS association, default type (3.62)', async () => {
      const t = await req('POST', '/types', admin, { volume_type: { name: 'fast', extra_specs: { a: '1' }, 'os-volume-type-access:is_public': false } });
      assert.equal(t.status, 200, t.text);
      const tid = t.body.volume_type.id;
      assert.equal((await req('POST', '/types', admin, { volume_type: { name: 'fast' } })).status, 409);
      assert.equal((await req('GET', `/types/${tid}`, demo)).status, 404, 'private type hidden from others');
      const demoProject = (await call('GET', `${base}/identity/v3/auth/tokens`, { token: admin, headers: { 'x-subject-token': demo } })).body.token.project.id;
      assert.equal((await req('POST', `/types/${tid}/action`, admin, { addProjectAccess: { project: demoProject } })).status, 202);
      assert.equal((await req('GET', `/types/${tid}`, demo)).status, 200);
      const q = await req('POST', '/qos-specs', admin, { qos_specs: { name: 'slow', consumer: 'front-end', total_iops_sec: '100' } });
      assert.equal(q.status, 200, q.text);
      assert.equal((await req('GET', `/qos-specs/${q.body.qos_specs.id}/associate?vol_type_id=${tid}`, admin)).status, 202);
      const assoc = await req('GET', `/qos-specs/${q.body.qos_specs.id}/associations`, admin);
      assert.equal(assoc.body.qos_associations[0].id, tid);
      assert.equal((await req('DELETE', `/qos-specs/${q.body.qos_specs.id}`, admin)).status, 400, 'in use without force');
      const d = await req('PUT', `/default-types/${demoProject}`, admin, { default_type: { volume_type: 'fast' } });
      assert.equal(d.body.default_type.volume_type_id, tid);
      const vol = await newVolume(demo);
      assert.equal((await req('GET', `/volumes/${vol}`, demo)).body.volume.volume_type, 'fast');
      assert.equal((await req('DELETE', `/types/${tid}`, admin)).status, 400, 'type in use');
      await req('DELETE', `/volumes/${vol}`, demo);
      await waitStatus(`/volumes/${vol}`, 'volume', null);
      assert.equal((await req('DELETE', `/default-types/${demoProject}`, admin)).status, 204);
      assert.equal((await req('DELETE', `/qos-specs/${q.body.qos_specs.id}?force=true`, admin)).status, 202);
      assert.equal((await req('DELETE', `/types/${tid}`, admin)).status, 202);
    });

    test('quotas: limits are enforced with 413 overLimit; limits and usage are reported', async () => {
      const demoProject = (await call('GET', `${base}/identity/v3/auth/tokens`, { token: admin, headers: { 'x-subject-token': demo } })).body.token.project.id;
      assert.equal((await req('PUT', `/os-quota-sets/${demoProject}`, admin, { quota_set: { volumes: 1 } })).status, 200);
      const one = await newVolume(demo);
      const over = await req('POST', '/volumes', demo, { volume: { size: 1 } });
      assert.equal(over.status, 413);
      assert.match(over.body.overLimit.message, /volumes/);
      const usage = await req('GET', `/os-quota-sets/${demoProject}?usage=true`, admin);
      assert.equal(usage.body.quota_set.volumes.in_use, 1);
      const limits = await req('GET', '/limits', demo);
      assert.equal(limits.body.limits.absolute.maxTotalVolumes, 1);
      assert.equal((await req('PUT', `/os-quota-sets/${demoProject}`, admin, { quota_set: { bogus: 1 } })).status, 400);
      await req('DELETE', `/os-quota-sets/${demoProject}`, admin);
      await req('DELETE', `/volumes/${one}`, demo);
    });

    test('availability zones, services, messages listing', async () => {
      assert.equal((await req('GET', '/os-availability-zone', demo)).body.availabilityZoneInfo[0].zoneName, 'nova');
      const services = await req('GET', '/os-services', admin);
      assert.deepEqual(services.body.services.map((s: { binary: string }) => s.binary).sort(), ['cinder-backup', 'cinder-scheduler', 'cinder-volume']);
      assert.equal((await req('GET', '/os-services', demo)).status, 403);
      assert.equal((await req('GET', '/messages', demo)).status, 200);
      assert.equal((await req('GET', '/messages', demo, undefined, '3.0')).status, 404);
    });
  });
}
