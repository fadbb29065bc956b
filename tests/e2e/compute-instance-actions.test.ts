/**
 * Nova's instance actions and the attached extend, over HTTP on SQLite and (when configured)
 * PostgreSQL: every request that changes a server is an action under its own request id, its events
 * only for admins; another project's server is 404. Extending an in-use volume through Cinder (3.42)
 * grows the bytes behind the server's NBD export (a fresh connection sees the new size and the new
 * region holds data) and Cinder's volume-extended event gives the server an extend_volume action
 * whose compute_extend_volume event ends in Success. A failed attach is an action in Error.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { testDatabaseFactories, type TestDatabase } from '../../src/store/sql/test-databases.js';
import { startInProcess } from '../support/server.js';
import { call, issueToken, type Reply } from '../support/http.js';
import { neutron } from '../support/network.js';
import { bootServer, nova, waitActive, type Nova } from '../support/compute.js';

const GiB = 1024 ** 3;
/** Nova's naive UTC time with microseconds. */
const ACTION_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/;

function toolsMissing(): string | undefined {
  if (spawnSync('nbdinfo', ['--version']).status === 0 && spawnSync('qemu-io', ['--version']).status === 0) return undefined;
  if (process.env.CI === 'true') throw new Error('CI=true but nbdinfo/qemu-io are missing (libnbd-bin, qemu-utils)');
  return 'nbdinfo (libnbd-bin) or qemu-io (qemu-utils) is not installed';
}

/** Asynchronous on purpose: the NBD server runs in this process, so a blocking spawn would deadlock it. */
function tool(cmd: string, args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 60000 }, (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` }));
  });
}

const requestId = (r: Reply) => r.headers.get('x-openstack-request-id') as string;

for (const factory of testDatabaseFactories()) {
  describe(`instance actions on ${factory.name}`, { skip: factory.skip }, () => {
    let ps: Awaited<ReturnType<typeof startInProcess>>;
    let tdb: TestDatabase;
    let demo: Nova;
    let admin: Nova;
    let other: Nova;
    let demoToken: string;
    let demoUser: string;
    let demoProject: string;
    let net: string;

    before(async () => {
      tdb = await factory.create();
      ps = await startInProcess({ db: factory.name === 'sqlite' ? 'sqlite' : tdb.url });
      const d = await issueToken(ps.url, 'demo', ps.demoPassword, 'demo');
      demoToken = d.token;
      demoUser = d.body.token.user.id;
      demoProject = d.body.token.project.id;
      demo = nova(ps.url, demoToken);
      const adminToken = (await issueToken(ps.url, 'admin', 'admin-secret', 'admin')).token;
      admin = nova(ps.url, adminToken);
      // A member of another project: sees none of demo's servers.
      const id = `${ps.url}/identity/v3`;
      const p = await call('POST', `${id}/projects`, { token: adminToken, body: { project: { name: 'other' } } });
      const u = await call('POST', `${id}/users`, { token: adminToken, body: { user: { name: 'eve', password: 'pw-eve', default_project_id: p.body.project.id } } });
      const role = (await call('GET', `${id}/roles?name=member`, { token: adminToken })).body.roles[0].id;
      assert.equal((await call('PUT', `${id}/projects/${p.body.project.id}/users/${u.body.user.id}/roles/${role}`, { token: adminToken })).status, 204);
      other = nova(ps.url, (await issueToken(ps.url, 'eve', 'pw-eve', 'other')).token);
      const n = neutron(ps.url, demoToken);
      net = (await n.post('/networks', { network: { name: 'n' } })).body.network.id;
      await n.post('/subnets', { subnet: { network_id: net, cidr: '10.9.0.0/24', ip_version: 4 } });
    });
    after(async () => {
      await ps.cleanup();
      await tdb.drop();
    });

    const cinder = (path: string, method = 'GET', body?: unknown, version = '3.42') =>
      call(method, `${ps.url}/volume/v3/${demoProject}${path}`, { token: demoToken, body, headers: { 'OpenStack-API-Version': `volume ${version}` } });

    async function waitVolume(id: string, status: string, size?: number): Promise<Record<string, any>> { // eslint-disable-line @typescript-eslint/no-explicit-any
      let last = '';
      for (let i = 0; i < 400; i++) {
        const v = (await cinder(`/volumes/${id}`)).body.volume;
        last = `${v.status}/${v.size}`;
        if (v.status === status && (size === undefined || v.size === size)) return v;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error(`volume ${id} never became ${status} (last ${last})`);
    }

    async function newVolume(): Promise<string> {
      const r = await cinder('/volumes', 'POST', { volume: { size: 1 } });
      assert.equal(r.status, 202, r.text);
      await waitVolume(r.body.volume.id, 'available');
      return r.body.volume.id;
    }

    async function newServer(name: string): Promise<{ id: string; createRequest: string }> {
      const r = await demo.post('/servers', { server: { name, flavorRef: '1', imageRef: await imageOf(), networks: [{ uuid: net }] } });
      assert.equal(r.status, 202, r.text);
      assert.equal('adminPass' in r.body.server, false, 'no guest OS to set a password in');
      await waitActive(demo, r.body.server.id);
      return { id: r.body.server.id, createRequest: requestId(r) };
    }
    let image: string | undefined;
    const imageOf = async () => {
      if (!image) {
        const probe = await bootServer(demo, { name: 'probe', networks: [{ uuid: net }] });
        image = (await demo.get(`/servers/${probe}`)).body.server.image.id;
        assert.equal((await demo.del(`/servers/${probe}`)).status, 204);
      }
      return image!;
    };

    const actions = async (c: Nova, server: string) => {
      const r = await c.get(`/servers/${server}/os-instance-actions`);
      assert.equal(r.status, 200, r.text);
      return r.body.instanceActions as Array<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
    };

    test('every request that changes a server is an action under its request id; events are for admins', async () => {
      const { id, createRequest } = await newServer('vm');
      const [created, ...none] = await actions(demo, id);
      assert.equal(none.length, 0);
      assert.deepEqual(Object.keys(created!).sort(), ['action', 'instance_uuid', 'message', 'project_id', 'request_id', 'start_time', 'user_id']);
      assert.deepEqual([created!.action, created!.instance_uuid, created!.request_id, created!.user_id, created!.project_id, created!.message], ['create', id, createRequest, demoUser, demoProject, null]);
      assert.match(created!.start_time, ACTION_TIME);

      const own = await demo.get(`/servers/${id}/os-instance-actions/${createRequest}`);
      assert.equal(own.status, 200);
      assert.equal('events' in own.body.instanceAction, false, 'a member does not see events (os-instance-actions:events is admin-only)');
      const full = (await admin.get(`/servers/${id}/os-instance-actions/${createRequest}`)).body.instanceAction;
      assert.equal(full.events.length, 1);
      const build = full.events[0];
      assert.deepEqual([build.event, build.result, build.traceback], ['compute__do_build_and_run_instance', 'Success', null]);
      assert.match(build.finish_time, ACTION_TIME, 'the build ended when the server went ACTIVE');
      assert.ok(build.finish_time >= build.start_time);

      const requests: string[] = [];
      const act = async (body: unknown, want = 202) => {
        const r = await demo.post(`/servers/${id}/action`, body);
        assert.equal(r.status, want, r.text);
        assert.equal(r.text, '', 'Nova answers these with no body');
        return requestId(r);
      };
      requests.push(await act({ 'os-stop': null }));
      requests.push(await act({ 'os-start': null }));
      requests.push(await act({ reboot: { type: 'SOFT' } }));
      assert.equal((await demo.post(`/servers/${id}/action`, { 'os-start': null })).status, 409, 'already running: refused, so no action');
      const added = await demo.post(`/servers/${id}/os-interface`, { interfaceAttachment: { net_id: net } });
      assert.equal(added.status, 200, added.text);
      requests.push(requestId(added));
      const removed = await demo.del(`/servers/${id}/os-interface/${added.body.interfaceAttachment.port_id}`);
      assert.equal(removed.status, 202);
      requests.push(requestId(removed));

      const listed = await actions(demo, id);
      assert.deepEqual(listed.map((a) => a.action), ['detach_interface', 'attach_interface', 'reboot', 'start', 'stop', 'create'], 'newest first');
      assert.deepEqual(listed.map((a) => a.request_id), [...requests].reverse().concat(createRequest));
      const stop = (await admin.get(`/servers/${id}/os-instance-actions/${requests[0]}`)).body.instanceAction;
      assert.deepEqual(stop.events.map((e: { event: string; result: string }) => [e.event, e.result]), [['compute_stop_instance', 'Success']]);
      const detach = (await admin.get(`/servers/${id}/os-instance-actions/${requests[4]}`)).body.instanceAction;
      assert.deepEqual(detach.events.map((e: { event: string; result: string }) => [e.event, e.result]), [['compute_detach_interface', 'Success']]);

      const unknown = await demo.get(`/servers/${id}/os-instance-actions/req-00000000-0000-0000-0000-000000000000`);
      assert.equal(unknown.status, 404);
      assert.equal(unknown.body.itemNotFound.code, 404);
      assert.equal((await other.get(`/servers/${id}/os-instance-actions`)).status, 404, "another project's server does not exist for it");
      assert.equal((await other.get(`/servers/${id}/os-instance-actions/${createRequest}`)).status, 404);

      assert.equal((await demo.del(`/servers/${id}`)).status, 204);
      assert.equal((await demo.get(`/servers/${id}/os-instance-actions`)).status, 404, 'the actions went with the server');
      assert.equal((await admin.get(`/servers/${id}/os-instance-actions`)).status, 404);
    });

    test('attached extend: Cinder size, the export serves the new bytes, extend_volume ends in Success', { skip: toolsMissing() }, async () => {
      const { id: server } = await newServer('db');
      const vol = await newVolume();
      const attach = await demo.post(`/servers/${server}/os-volume_attachments`, { volumeAttachment: { volumeId: vol } });
      assert.equal(attach.status, 200, attach.text);
      const inUse = await waitVolume(vol, 'in-use');
      const uri = (await cinder(`/attachments/${inUse.attachments[0].attachment_id}`)).body.attachment.connection_info.data.uri as string;
      assert.equal((await tool('nbdinfo', ['--size', uri])).out.trim(), String(GiB));

      const old = await cinder(`/volumes/${vol}/action`, 'POST', { 'os-extend': { new_size: 2 } }, '3.41');
      assert.equal(old.status, 400, 'before 3.42 an in-use volume cannot be extended');
      const ext = await cinder(`/volumes/${vol}/action`, 'POST', { 'os-extend': { new_size: 2 } });
      assert.equal(ext.status, 202, ext.text);
      const grown = await waitVolume(vol, 'in-use', 2);
      assert.equal(grown.attachments[0].server_id, server);

      // A fresh NBD connection to the same export sees the new size, and the new region holds bytes.
      const size = await tool('nbdinfo', ['--size', uri]);
      assert.equal(size.out.trim(), String(2 * GiB), size.out);
      const io = await tool('qemu-io', ['-f', 'raw', '-c', 'write -P 0x5c 1536M 1M', '-c', 'flush', uri]);
      assert.equal(io.code, 0, io.out);
      const back = await tool('qemu-io', ['-f', 'raw', '-c', 'read -P 0x5c 1536M 1M', '-c', 'read -P 0 1M 1M', uri]);
      assert.equal(back.code, 0, back.out);
      assert.doesNotMatch(back.out, /Pattern verification failed/, back.out);

      // Cinder's volume-extended event, delivered after the extend committed.
      let extendAction: Record<string, any> | undefined; // eslint-disable-line @typescript-eslint/no-explicit-any
      for (let i = 0; i < 200 && !extendAction; i++) {
        extendAction = (await actions(demo, server)).find((a) => a.action === 'extend_volume');
        if (!extendAction) await new Promise((r) => setTimeout(r, 25));
      }
      assert.ok(extendAction, 'the server has an extend_volume action');
      assert.match(extendAction.request_id, /^req-[0-9a-f-]{36}$/);
      assert.notEqual(extendAction.request_id, requestId(ext), "the event is its own compute request, as Cinder's call to Nova is");
      assert.deepEqual([extendAction.user_id, extendAction.project_id, extendAction.message], [demoUser, demoProject, null]);
      const shown = (await admin.get(`/servers/${server}/os-instance-actions/${extendAction.request_id}`)).body.instanceAction;
      assert.equal(shown.events.length, 1);
      const [event] = shown.events;
      assert.deepEqual([event.event, event.result, event.traceback], ['compute_extend_volume', 'Success', null]);
      assert.match(event.finish_time, ACTION_TIME);
      const asMember = await demo.get(`/servers/${server}/os-instance-actions/${extendAction.request_id}`);
      assert.equal('events' in asMember.body.instanceAction, false);
      assert.equal((await other.get(`/servers/${server}/os-instance-actions/${extendAction.request_id}`)).status, 404);

      // Attaching the in-use volume to a second server fails in Cinder: an action in Error.
      const { id: second } = await newServer('db2');
      const twice = await demo.post(`/servers/${second}/os-volume_attachments`, { volumeAttachment: { volumeId: vol } });
      assert.equal(twice.status, 400, twice.text);
      const [failed] = await actions(demo, second);
      assert.deepEqual([failed!.action, failed!.message, failed!.request_id], ['attach_volume', 'Error', requestId(twice)]);
      const failedEvent = (await admin.get(`/servers/${second}/os-instance-actions/${requestId(twice)}`)).body.instanceAction.events[0];
      assert.deepEqual([failedEvent.event, failedEvent.result], ['compute_attach_volume', 'Error']);
      assert.match(failedEvent.traceback, /status must be available/);
      assert.match(failedEvent.finish_time, ACTION_TIME);

      const detach = await demo.del(`/servers/${server}/os-volume_attachments/${vol}`);
      assert.equal(detach.status, 202);
      assert.equal(detach.text, '');
      await waitVolume(vol, 'available', 2);
      assert.deepEqual((await actions(demo, server)).map((a) => a.action), ['detach_volume', 'extend_volume', 'attach_volume', 'create']);
      assert.equal((await tool('nbdinfo', ['--size', uri])).code === 0, false, 'the export is gone after detach');
    });
  });
}
