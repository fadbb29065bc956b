/**
 * Cinder behaviours Tempest checks that the main volume suite does not: transfers between projects
 * (with quota usage following the volume), type encryption specs, a type no backend can serve
 * (the create fails asynchronously with a user message) and `GET /volumes/` with an empty id.
 * SQLite and (when configured) PostgreSQL.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDatabaseFactories, type TestDatabase } from '../../src/store/sql/test-databases.js';
import { startInProcess } from '../support/server.js';
import { call, issueToken, type Reply } from '../support/http.js';

const MV = (v: string) => ({ 'OpenStack-API-Version': `volume ${v}` });

for (const factory of testDatabaseFactories()) {
  describe(`volume Tempest gaps on ${factory.name}`, { skip: factory.skip }, () => {
    let ps: Awaited<ReturnType<typeof startInProcess>>;
    let tdb: TestDatabase;
    let admin: string;
    let demo: string;
    let demoProject: string;
    let adminProject: string;
    let v3: string;

    const req = (method: string, path: string, token: string, body?: unknown, version = '3.67'): Promise<Reply> =>
      call(method, `${v3}${path}`, { token, body, headers: MV(version) });

    async function waitStatus(id: string, want: string, token = admin): Promise<Record<string, unknown>> {
      for (let i = 0; i < 200; i++) {
        const r = await req('GET', `/volumes/${id}`, token);
        if (r.status === 200 && r.body.volume.status === want) return r.body.volume;
        await new Promise((res) => setTimeout(res, 25));
      }
      throw new Error(`volume ${id} never reached ${want}`);
    }

    async function newVolume(token: string, body: Record<string, unknown> = {}, want = 'available'): Promise<string> {
      const r = await req('POST', '/volumes', token, { volume: { size: 1, ...body } });
      assert.equal(r.status, 202, r.text);
      await waitStatus(r.body.volume.id, want, token);
      return r.body.volume.id;
    }

    const usage = async (project: string) => (await req('GET', `/os-quota-sets/${project}?usage=True`, admin)).body.quota_set;

    before(async () => {
      tdb = await factory.create();
      ps = await startInProcess({ db: factory.name === 'sqlite' ? 'sqlite' : tdb.url });
      const a = await issueToken(ps.url, 'admin', 'admin-secret', 'admin');
      const d = await issueToken(ps.url, 'demo', ps.demoPassword, 'demo');
      admin = a.token;
      demo = d.token;
      adminProject = a.body.token.project.id;
      demoProject = d.body.token.project.id;
      v3 = `${ps.url}/volume/v3`;
    });
    after(async () => {
      await ps.cleanup();
      await tdb.drop();
    });

    test('the advertised maximum is 3.67: 3.68 (reimage) and later are refused, latest negotiates 3.67', async () => {
      const doc = await call('GET', `${v3}`);
      assert.equal(doc.body.versions[0].version, '3.67');
      assert.equal((await req('GET', '/volumes', demo, undefined, '3.68')).status, 406);
      const latest = await req('GET', '/volumes', demo, undefined, 'latest');
      assert.equal(latest.headers.get('openstack-api-version'), 'volume 3.67');
    });

    test('transfers page and sort from 3.59', async () => {
      const made: string[] = [];
      for (const name of ['t-b', 't-a', 't-c']) {
        const id = await newVolume(demo);
        made.push((await req('POST', '/volume-transfers', demo, { transfer: { volume_id: id, name } })).body.transfer.id);
      }
      const page = await req('GET', '/volume-transfers/detail?sort_key=name&sort_dir=asc&limit=2', demo, undefined, '3.59');
      assert.equal(page.status, 200, page.text);
      assert.deepEqual(page.body.transfers.map((t: { name: string }) => t.name), ['t-a', 't-b']);
      assert.ok(page.body.transfers_links, 'a next link');
      const all = await req('GET', '/volume-transfers?sort_key=name&sort_dir=asc&limit=2', demo, undefined, '3.58');
      assert.equal(all.body.transfers.length, 3, 'no paging before 3.59');
      for (const t of made) assert.equal((await req('DELETE', `/volume-transfers/${t}`, demo)).status, 202);
    });

    test('GET /volumes/ with an empty id is a 404, not the list', async () => {
      await newVolume(demo);
      const r = await req('GET', '/volumes/', demo);
      assert.equal(r.status, 404);
      assert.ok(r.body.itemNotFound);
      assert.equal((await req('GET', '/volumes', demo)).status, 200);
    });

    test('a type whose capabilities no backend has: create answers 202, then error and a user message', async () => {
      const t = await req('POST', '/types', admin, { volume_type: { name: 'nowhere', extra_specs: { storage_protocol: 'fibre', vendor_name: 'Nobody' } } });
      assert.equal(t.status, 200, t.text);
      const fits = await req('POST', '/types', admin, { volume_type: { name: 'fits', extra_specs: { storage_protocol: 'nbd', vendor_name: 'Open Source', volume_backend_name: 'local' } } });
      await newVolume(admin, { volume_type: fits.body.volume_type.id });
      const id = await newVolume(admin, { volume_type: t.body.volume_type.id }, 'error');
      const msgs = (await req('GET', '/messages', admin)).body.messages as Array<Record<string, unknown>>;
      const m = msgs.find((x) => x['resource_uuid'] === id);
      assert.ok(m, 'a user message names the volume');
      assert.equal(m['event_id'], 'VOLUME_VOLUME_001_003');
      assert.match(String(m['user_message']), /schedule allocate volume/);
      // The failed volume is not stuck: it can be deleted.
      assert.equal((await req('DELETE', `/volumes/${id}`, admin)).status, 202);
    });

    test('type encryption: create, show, show a key, update, delete; missing type is 404', async () => {
      const t = await req('POST', '/types', admin, { volume_type: { name: 'enc' } });
      const id = t.body.volume_type.id;
      assert.deepEqual((await req('GET', `/types/${id}/encryption`, admin)).body, {});
      const c = await req('POST', `/types/${id}/encryption`, admin, { encryption: { provider: 'LuksEncryptor', key_size: 256, cipher: 'aes-xts-plain64', control_location: 'front-end' } });
      assert.equal(c.status, 200, c.text);
      assert.equal(c.body.encryption.volume_type_id, id);
      assert.equal(c.body.encryption.key_size, 256);
      const again = await req('POST', `/types/${id}/encryption`, admin, { encryption: { provider: 'x' } });
      assert.equal(again.status, 400);
      const u = await req('PUT', `/types/${id}/encryption/provider`, admin, { encryption: { provider: 'Other', key_size: 128, control_location: 'back-end' } });
      assert.equal(u.status, 200, u.text);
      const shown = (await req('GET', `/types/${id}/encryption`, admin)).body;
      assert.equal(shown.provider, 'Other');
      assert.equal(shown.key_size, 128);
      assert.equal(shown.cipher, 'aes-xts-plain64');
      assert.equal(shown.control_location, 'back-end');
      assert.deepEqual((await req('GET', `/types/${id}/encryption/cipher`, admin)).body, { cipher: 'aes-xts-plain64' });
      assert.equal((await req('POST', '/volumes', admin, { volume: { size: 1, volume_type: id } })).status, 400, 'no volume of an encrypted type');
      assert.equal((await req('GET', `/types/${id}/encryption`, demo)).status, 403);
      assert.equal((await req('DELETE', `/types/${id}/encryption/provider`, admin)).status, 202);
      assert.deepEqual((await req('GET', `/types/${id}/encryption`, admin)).body, {});
      const missing = await req('POST', '/types/00000000-0000-0000-0000-000000000000/encryption', admin, { encryption: { provider: 'LuksEncryptor' } });
      assert.equal(missing.status, 404);
    });

    for (const [path, version] of [['/os-volume-transfer', '3.0'], ['/volume-transfers', '3.57']] as const) {
      test(`transfer ${path} at ${version}: offer, list, wrong key, accept moves volume and quota usage`, async () => {
        const id = await newVolume(demo);
        const before = { demo: await usage(demoProject), admin: await usage(adminProject) };
        const c = await req('POST', path, demo, { transfer: { volume_id: id, name: 'gift' } }, version);
        assert.equal(c.status, 202, c.text);
        const t = c.body.transfer;
        assert.equal(t.volume_id, id);
        assert.equal(typeof t.auth_key, 'string');
        assert.equal('accepted' in t, version === '3.57');
        await waitStatus(id, 'awaiting-transfer', demo);
        assert.equal((await req('DELETE', `/volumes/${id}`, demo)).status, 400, 'an offered volume cannot be deleted');
        const listed = (await req('GET', `${path}/detail`, demo, undefined, version)).body.transfers as Array<Record<string, unknown>>;
        assert.ok(listed.some((x) => x['id'] === t.id && x['volume_id'] === id));
        assert.equal((await req('GET', `${path}/${t.id}`, demo, undefined, version)).body.transfer.volume_id, id);
        const wrong = await req('POST', `${path}/${t.id}/accept`, admin, { accept: { auth_key: 'nope' } }, version);
        assert.equal(wrong.status, 400);
        const ok = await req('POST', `${path}/${t.id}/accept`, admin, { accept: { auth_key: t.auth_key } }, version);
        assert.equal(ok.status, 202, ok.text);
        const v = await waitStatus(id, 'available', admin);
        assert.equal(v['os-vol-tenant-attr:tenant_id'], adminProject);
        assert.equal((await req('GET', `/volumes/${id}`, demo)).status, 404, 'the old owner no longer sees it');
        assert.equal((await req('GET', `${path}/${t.id}`, demo, undefined, version)).status, 404, 'the transfer is consumed');
        const afterU = { demo: await usage(demoProject), admin: await usage(adminProject) };
        assert.equal(before.demo.volumes.in_use - afterU.demo.volumes.in_use, 1);
        assert.equal(afterU.admin.gigabytes.in_use - before.admin.gigabytes.in_use, 1);
        assert.equal((await req('DELETE', `/volumes/${id}`, admin)).status, 202);
      });
    }

    test('os-update_snapshot_status: the owner moves creating to error with progress; other moves are 400', async () => {
      const vol = await newVolume(demo);
      const sn = await req('POST', '/snapshots', demo, { snapshot: { volume_id: vol } });
      const sid = sn.body.snapshot.id;
      for (let i = 0; i < 200 && (await req('GET', `/snapshots/${sid}`, demo)).body.snapshot.status !== 'available'; i++) await new Promise((r) => setTimeout(r, 25));
      const fromAvailable = await req('POST', `/snapshots/${sid}/action`, demo, { 'os-update_snapshot_status': { status: 'error' } });
      assert.equal(fromAvailable.status, 400);
      assert.equal((await req('POST', `/snapshots/${sid}/action`, admin, { 'os-reset_status': { status: 'creating' } })).status, 202);
      const ok = await req('POST', `/snapshots/${sid}/action`, demo, { 'os-update_snapshot_status': { status: 'error', progress: '80%' } });
      assert.equal(ok.status, 202, ok.text);
      const shown = (await req('GET', `/snapshots/${sid}`, admin)).body.snapshot;
      assert.equal(shown.status, 'error');
      assert.equal(shown['os-extended-snapshot-attributes:progress'], '80%');
      assert.equal((await req('POST', `/snapshots/${sid}/action`, demo, { 'os-update_snapshot_status': { status: 'available' } })).status, 400);
      assert.equal((await req('DELETE', `/snapshots/${sid}`, demo)).status, 202);
    });

    test('legacy os-reserve marks the volume attaching and os-unreserve makes it available again', async () => {
      const id = await newVolume(demo);
      const act = (body: unknown) => req('POST', `/volumes/${id}/action`, demo, body);
      assert.equal((await act({ 'os-reserve': null })).status, 202);
      assert.equal((await req('GET', `/volumes/${id}`, demo)).body.volume.status, 'attaching');
      assert.equal((await act({ 'os-reserve': null })).status, 400);
      assert.equal((await act({ 'os-unreserve': null })).status, 202);
      assert.equal((await req('GET', `/volumes/${id}`, demo)).body.volume.status, 'available');
      assert.equal((await req('DELETE', `/volumes/${id}`, demo)).status, 202, 'nothing left reserved');
    });

    test('the readonly flag shows in metadata as True, then False once cleared', async () => {
      const id = await newVolume(demo);
      assert.equal('readonly' in (await req('GET', `/volumes/${id}`, demo)).body.volume.metadata, false);
      for (const [flag, shown] of [[true, 'True'], [false, 'False']] as const) {
        assert.equal((await req('POST', `/volumes/${id}/action`, demo, { 'os-update_readonly_flag': { readonly: flag } })).status, 202);
        assert.equal((await req('GET', `/volumes/${id}`, demo)).body.volume.metadata.readonly, shown);
      }
    });

    test('snapshots sort by the v1 key display_name', async () => {
      const vol = await newVolume(demo);
      for (const name of ['snap-b', 'snap-a']) await req('POST', '/snapshots', demo, { snapshot: { volume_id: vol, name } });
      for (const [dir, want] of [['asc', ['snap-a', 'snap-b']], ['desc', ['snap-b', 'snap-a']]] as const) {
        const r = await req('GET', `/snapshots/detail?sort_key=display_name&sort_dir=${dir}`, demo);
        assert.equal(r.status, 200, r.text);
        const names = (r.body.snapshots as Array<{ name: string }>).map((s) => s.name).filter((n) => n?.startsWith('snap-'));
        assert.deepEqual(names, want);
      }
    });

    test('withdrawing a transfer gives the volume back; volume-transfers needs 3.55', async () => {
      const id = await newVolume(demo);
      const c = await req('POST', '/os-volume-transfer', demo, { transfer: { volume_id: id } });
      await waitStatus(id, 'awaiting-transfer', demo);
      assert.equal((await req('POST', '/os-volume-transfer', demo, { transfer: { volume_id: id } })).status, 400, 'one offer at a time');
      assert.equal((await req('DELETE', `/os-volume-transfer/${c.body.transfer.id}`, demo)).status, 202);
      await waitStatus(id, 'available', demo);
      assert.equal((await req('GET', '/volume-transfers', demo, undefined, '3.54')).status, 404);
      assert.equal((await req('POST', '/os-volume-transfer', demo, { transfer: {} })).status, 400);
    });
  });
}
