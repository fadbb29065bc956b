/**
 * Cinder and Glance behaviours Tempest's volume suites reach once compute and images are on:
 * volume image metadata actions, a volume type named by the image (cinder_img_volume_type), upload
 * to an image accepted with 202, Glance's deactivate/reactivate, the admin's os-force_detach of a
 * volume reset to error, and os-detach of a volume with nothing attached. SQLite and (when
 * configured) PostgreSQL.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDatabaseFactories, type TestDatabase } from '../../src/store/sql/test-databases.js';
import { startInProcess } from '../support/server.js';
import { call, issueToken, type Reply } from '../support/http.js';

for (const factory of testDatabaseFactories()) {
  describe(`volume and image gaps on ${factory.name}`, { skip: factory.skip }, () => {
    let ps: Awaited<ReturnType<typeof startInProcess>>;
    let tdb: TestDatabase;
    let admin: string;
    let demo: string;
    let demoProject: string;

    const cinder = (method: string, path: string, token: string, body?: unknown, version = '3.0'): Promise<Reply> =>
      call(method, `${ps.url}/volume/v3/${demoProject}${path}`, { token, body, headers: { 'OpenStack-API-Version': `volume ${version}` } });
    const glance = (method: string, path: string, token: string, body?: unknown): Promise<Reply> => call(method, `${ps.url}/image/v2${path}`, { token, body });
    const action = (id: string, body: unknown, token = demo) => cinder('POST', `/volumes/${id}/action`, token, body);

    async function waitVolume(id: string, want: string): Promise<Record<string, any>> { // eslint-disable-line @typescript-eslint/no-explicit-any
      let last = '';
      for (let i = 0; i < 400; i++) {
        const r = await cinder('GET', `/volumes/${id}`, demo);
        last = r.body?.volume?.status;
        if (last === want) return r.body.volume;
        await new Promise((res) => setTimeout(res, 25));
      }
      throw new Error(`volume ${id} never reached ${want} (last ${last})`);
    }

    async function newVolume(body: Record<string, unknown> = {}): Promise<string> {
      const r = await cinder('POST', '/volumes', demo, { volume: { size: 1, ...body } });
      assert.equal(r.status, 202, r.text);
      await waitVolume(r.body.volume.id, 'available');
      return r.body.volume.id;
    }

    /** An active raw image of the demo project with `props` as Glance properties. */
    async function newImage(props: Record<string, unknown> = {}): Promise<string> {
      const img = await glance('POST', '/images', demo, { name: 'img', disk_format: 'raw', container_format: 'bare', ...props });
      assert.equal(img.status, 201, img.text);
      const up = await fetch(`${ps.url}/image/v2/images/${img.body.id}/file`, { method: 'PUT', headers: { 'x-auth-token': demo, 'content-type': 'application/octet-stream' }, body: new Uint8Array(4096).fill(7) });
      assert.equal(up.status, 204);
      return img.body.id;
    }

    before(async () => {
      tdb = await factory.create();
      ps = await startInProcess({ db: factory.name === 'sqlite' ? 'sqlite' : tdb.url });
      admin = (await issueToken(ps.url, 'admin', 'admin-secret', 'admin')).token;
      const d = await issueToken(ps.url, 'demo', ps.demoPassword, 'demo');
      demo = d.token;
      demoProject = d.body.token.project.id;
    });
    after(async () => {
      await ps.cleanup();
      await tdb.drop();
    });

    test('image metadata: the image props come along; set merges, unset removes (404 for a missing key), show lists', async () => {
      const image = await newImage({ os_distro: 'debian' });
      const r = await cinder('POST', '/volumes', demo, { volume: { size: 1, imageRef: image } });
      assert.equal(r.status, 202, r.text);
      const vol = await waitVolume(r.body.volume.id, 'available');
      assert.equal(vol.volume_image_metadata.image_id, image);
      assert.equal(vol.volume_image_metadata.os_distro, 'debian', "the image's properties are copied, as Cinder does");

      const set = await action(vol.id, { 'os-set_image_metadata': { metadata: { kernel_id: 'k1', ramdisk_id: 'r1' } } });
      assert.equal(set.status, 200, set.text);
      assert.deepEqual([set.body.metadata.kernel_id, set.body.metadata.ramdisk_id, set.body.metadata.image_id], ['k1', 'r1', image]);
      const unset = await action(vol.id, { 'os-unset_image_metadata': { key: 'ramdisk_id' } });
      assert.equal(unset.status, 200, unset.text);
      assert.equal(unset.text, '');
      const shown = await action(vol.id, { 'os-show_image_metadata': {} });
      assert.equal(shown.status, 200);
      assert.equal(shown.body.metadata.kernel_id, 'k1');
      assert.equal('ramdisk_id' in shown.body.metadata, false);
      assert.equal((await cinder('GET', `/volumes/${vol.id}`, demo)).body.volume.volume_image_metadata.kernel_id, 'k1');

      assert.equal((await action(vol.id, { 'os-unset_image_metadata': { key: 'ramdisk_id' } })).status, 404);
      assert.equal((await action(vol.id, { 'os-unset_image_metadata': {} })).status, 400);
      assert.equal((await action(vol.id, { 'os-set_image_metadata': { metadata: { k: 5 } } })).status, 400);
      assert.equal((await action(vol.id, { 'os-set_image_metadata': {} })).status, 400);
      const unknown = await action('00000000-0000-0000-0000-000000000000', { 'os-show_image_metadata': {} });
      assert.equal(unknown.status, 404);
    });

    test('cinder_img_volume_type picks the type when the request names none; an unknown name falls back to the default', async () => {
      const t = await cinder('POST', '/types', admin, { volume_type: { name: 'from-image', 'os-volume-type-access:is_public': true } });
      assert.equal(t.status, 200, t.text);
      const typed = await newImage({ cinder_img_volume_type: 'from-image' });
      const a = await cinder('POST', '/volumes', demo, { volume: { size: 1, imageRef: typed } });
      assert.equal((await waitVolume(a.body.volume.id, 'available')).volume_type, 'from-image');
      const b = await cinder('POST', '/volumes', demo, { volume: { size: 1, imageRef: typed, volume_type: '__DEFAULT__' } });
      assert.equal((await waitVolume(b.body.volume.id, 'available')).volume_type, '__DEFAULT__', 'the request wins');
      const dangling = await newImage({ cinder_img_volume_type: 'no-such-type' });
      const c = await cinder('POST', '/volumes', demo, { volume: { size: 1, imageRef: dangling } });
      assert.equal(c.status, 202, c.text);
      assert.equal((await waitVolume(c.body.volume.id, 'available')).volume_type, '__DEFAULT__');
    });

    test('upload to an image answers 202 with the image it fills', async () => {
      const vol = await newVolume();
      const r = await action(vol, { 'os-volume_upload_image': { image_name: 'from-volume', disk_format: 'raw' } });
      assert.equal(r.status, 202, r.text);
      const imageId = r.body['os-volume_upload_image'].image_id;
      // The worker reads the whole GiB (zeros included) to hash it: allow it a while on a busy machine.
      for (const deadline = Date.now() + 120000; Date.now() < deadline; ) {
        if ((await glance('GET', `/images/${imageId}`, demo)).body.status === 'active') break;
        await new Promise((res) => setTimeout(res, 100));
      }
      assert.equal((await glance('GET', `/images/${imageId}`, demo)).body.size, 1024 ** 3);
      await waitVolume(vol, 'available');
    });

    test('Glance deactivate/reactivate: no volume, server or member download from a deactivated image', async () => {
      const image = await newImage();
      assert.equal((await glance('POST', `/images/${image}/actions/deactivate`, demo)).status, 204);
      assert.equal((await glance('POST', `/images/${image}/actions/deactivate`, demo)).status, 204, 'idempotent');
      assert.equal((await glance('GET', `/images/${image}`, demo)).body.status, 'deactivated');
      const vol = await cinder('POST', '/volumes', demo, { volume: { size: 1, imageRef: image } });
      assert.equal(vol.status, 400, vol.text);
      const server = await call('POST', `${ps.url}/compute/v2.1/servers`, { token: demo, body: { server: { name: 's', flavorRef: '1', imageRef: image } } });
      assert.equal(server.status, 400, server.text);
      assert.match(server.body.badRequest.message, /not active/);
      assert.equal((await glance('GET', `/images/${image}/file`, demo)).status, 403);
      assert.equal((await glance('GET', `/images/${image}/file`, admin)).status, 200, 'admins may still read it');
      assert.equal((await glance('POST', `/images/${image}/actions/reactivate`, demo)).status, 204);
      assert.equal((await glance('GET', `/images/${image}`, demo)).body.status, 'active');
      const queued = (await glance('POST', '/images', demo, { name: 'q', disk_format: 'raw', container_format: 'bare' })).body.id;
      assert.equal((await glance('POST', `/images/${queued}/actions/deactivate`, demo)).status, 403, 'only an active image can be deactivated');
      assert.equal((await glance('POST', '/images/00000000-0000-0000-0000-000000000000/actions/reactivate', demo)).status, 404);
    });

    test('os-force_detach (admin) ends an attachment of a volume reset to error; os-detach of a detached volume is a 202 no-op', async () => {
      const vol = await newVolume();
      const attach = await action(vol, { 'os-attach': { instance_uuid: '6f0c1d2e-0000-4000-8000-0000000000f1', mountpoint: '/dev/vdb' } });
      assert.equal(attach.status, 202, attach.text);
      const inUse = await waitVolume(vol, 'in-use');
      const attachmentId = inUse.attachments[0].attachment_id;
      assert.equal((await action(vol, { 'os-reset_status': { status: 'error' } }, admin)).status, 202);
      await waitVolume(vol, 'error');

      assert.equal((await action(vol, { 'os-force_detach': { attachment_id: attachmentId } })).status, 403, 'admin only');
      assert.equal((await action(vol, { 'os-force_detach': { attachment_id: '00000000-0000-0000-0000-000000000000' } }, admin)).status, 404);
      assert.equal((await action(vol, { 'os-force_detach': { attachment_id: 5 } }, admin)).status, 400);
      const forced = await action(vol, { 'os-force_detach': { attachment_id: attachmentId, connector: null } }, admin);
      assert.equal(forced.status, 202, forced.text);
      const after = await waitVolume(vol, 'available');
      assert.deepEqual(after.attachments, []);
      assert.equal((await action(vol, { 'os-force_detach': {} }, admin)).status, 400, 'nothing left to detach');

      const again = await action(vol, { 'os-detach': {} });
      assert.equal(again.status, 202, again.text);
      assert.equal((await cinder('GET', `/volumes/${vol}`, demo)).body.volume.status, 'available');
      assert.equal((await cinder('DELETE', `/volumes/${vol}`, demo)).status, 202);
    });
  });
}
