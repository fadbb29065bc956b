/**
 * Nova's os-volume_attachments driving Cinder's attachment flow in-process: the volume goes in-use,
 * the server keeps the NBD connection_info, a real NBD client (nbdinfo) opens the export, and
 * detaching frees the volume and its export.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { startInProcess } from '../support/server.js';
import { call, issueToken } from '../support/http.js';
import { neutron } from '../support/network.js';
import { bootServer, nova, waitActive, type Nova } from '../support/compute.js';

const NBDINFO = '/usr/bin/nbdinfo';
/** Asynchronous on purpose: the NBD server runs in this process, so a blocking spawn would deadlock it. */
const nbdinfo = (...args: string[]) =>
  promisify(execFile)(NBDINFO, args, { timeout: 20000 }).then(
    (r) => ({ ok: true, out: r.stdout }),
    (e: Error) => ({ ok: false, out: e.message }),
  );
const nbdMissing = (): string | undefined => {
  if (spawnSync(NBDINFO, ['--version']).status === 0) return undefined;
  if (process.env.CI === 'true') throw new Error('CI=true but nbdinfo is missing: .ci/run must install libnbd-bin');
  return 'nbdinfo (libnbd-bin) is not installed';
};

describe('server volume attachments', () => {
  let ps: Awaited<ReturnType<typeof startInProcess>>;
  let c: Nova;
  let token: string;
  let project: string;
  let net: string;

  before(async () => {
    ps = await startInProcess();
    const demo = await issueToken(ps.url, 'demo', ps.demoPassword, 'demo');
    token = demo.token;
    project = demo.body.token.project.id;
    c = nova(ps.url, token);
    const n = neutron(ps.url, token);
    net = (await n.post('/networks', { network: { name: 'n' } })).body.network.id;
    await n.post('/subnets', { subnet: { network_id: net, cidr: '10.7.0.0/24', ip_version: 4 } });
  });
  after(async () => ps.cleanup());

  const volume = (path: string, method = 'GET', body?: unknown) =>
    call(method, `${ps.url}/volume/v3/${project}${path}`, { token, body, headers: { 'OpenStack-API-Version': 'volume 3.44' } });

  async function waitVolume(id: string, status: string) {
    for (let i = 0; i < 200; i++) {
      const v = await volume(`/volumes/${id}`);
      if (v.body.volume.status === status) return v.body.volume;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`volume ${id} never became ${status}`);
  }

  test('attach, use over NBD, detach', { skip: nbdMissing() }, async () => {
    const server = await bootServer(c, { name: 'db', networks: [{ uuid: net }] });
    await waitActive(c, server);
    const created = await volume('/volumes', 'POST', { volume: { size: 1, name: 'data' } });
    assert.equal(created.status, 202, created.text);
    const vid = created.body.volume.id;
    await waitVolume(vid, 'available');

    const att = await c.post(`/servers/${server}/os-volume_attachments`, { volumeAttachment: { volumeId: vid } });
    assert.equal(att.status, 200, att.text);
    assert.equal(att.body.volumeAttachment.device, '/dev/vdb');
    const v = await waitVolume(vid, 'in-use');
    assert.equal(v.attachments[0].server_id, server);

    const listed = await c.get(`/servers/${server}/os-volume_attachments`);
    assert.deepEqual(listed.body.volumeAttachments.map((a: { volumeId: string }) => a.volumeId), [vid]);
    const again = await c.post(`/servers/${server}/os-volume_attachments`, { volumeAttachment: { volumeId: vid } });
    assert.equal(again.status, 409);

    // The connection_info Cinder handed to the server points at a live NBD export of the right size.
    const attachments = await volume(`/attachments/${v.attachments[0].attachment_id}`);
    const info = attachments.body.attachment.connection_info;
    assert.equal(info.driver_volume_type, 'nbd');
    const size = await nbdinfo('--size', info.data.uri);
    assert.ok(size.ok, size.out);
    assert.equal(size.out.trim(), String(1024 ** 3));

    assert.equal((await c.del(`/servers/${server}/os-volume_attachments/${vid}`)).status, 202);
    await waitVolume(vid, 'available');
    assert.equal((await nbdinfo('--size', info.data.uri)).ok, false, 'the export is gone after detach');
    assert.equal((await c.get(`/servers/${server}/os-volume_attachments`)).body.volumeAttachments.length, 0);
  });

  test('attaching a volume the caller cannot see is 404; a missing server is 404', async () => {
    const server = await bootServer(c, { name: 'x', networks: [{ uuid: net }] });
    await waitActive(c, server);
    const r = await c.post(`/servers/${server}/os-volume_attachments`, { volumeAttachment: { volumeId: '00000000-0000-0000-0000-000000000000' } });
    assert.equal(r.status, 404, r.text);
    const s = await c.post('/servers/00000000-0000-0000-0000-000000000000/os-volume_attachments', { volumeAttachment: { volumeId: '00000000-0000-0000-0000-000000000000' } });
    assert.equal(s.status, 404);
  });
});
