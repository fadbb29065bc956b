/**
 * The compute API's contract beyond the happy path: version documents, Nova's error shapes,
 * validation of the workload metadata, project isolation, os-interface and the console log.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startInProcess } from '../support/server.js';
import { call, issueToken } from '../support/http.js';
import { neutron } from '../support/network.js';
import { bootServer, imageFor, nova, waitActive, type Nova } from '../support/compute.js';

describe('compute API', () => {
  let ps: Awaited<ReturnType<typeof startInProcess>>;
  let c: Nova;
  let admin: Nova;
  let net: string;

  before(async () => {
    ps = await startInProcess();
    const demo = (await issueToken(ps.url, 'demo', ps.demoPassword, 'demo')).token;
    c = nova(ps.url, demo);
    admin = nova(ps.url, (await issueToken(ps.url, 'admin', 'admin-secret', 'admin')).token);
    const n = neutron(ps.url, demo);
    net = (await n.post('/networks', { network: { name: 'n' } })).body.network.id;
    await n.post('/subnets', { subnet: { network_id: net, cidr: '10.5.0.0/24', ip_version: 4 } });
  });
  after(async () => ps.cleanup());

  test('version documents advertise 2.1 and the catalog names nova', async () => {
    const v = await call('GET', `${ps.url}/compute/v2.1`);
    assert.deepEqual([v.status, v.body.version.version, v.body.version.min_version], [200, '2.1', '2.1']);
    const flavors = await c.get('/flavors');
    assert.equal(flavors.headers.get('openstack-api-version'), 'compute 2.1');
    const r = await call('GET', `${c.base}/flavors`, { token: c.token, headers: { 'OpenStack-API-Version': 'compute 2.90' } });
    assert.equal(r.status, 406);
  });

  test('errors use Nova shapes: unknown flavor and server are itemNotFound, bad input badRequest', async () => {
    const f = await c.get('/flavors/nope');
    assert.equal(f.status, 404);
    assert.equal(f.body.itemNotFound.code, 404);
    assert.equal((await c.get('/servers/00000000-0000-0000-0000-000000000000')).status, 404);
    const noImage = await c.post('/servers', { server: { name: 'x', flavorRef: '1', networks: [{ uuid: net }] } });
    assert.equal(noImage.status, 400);
    assert.ok(noImage.body.badRequest.message);
    const badListen = await c.post('/servers', { server: { name: 'x', flavorRef: '1', imageRef: await imageFor(c), networks: [{ uuid: net }], metadata: { 'pocketstack:listen': 'tcp/http' } } });
    assert.equal(badListen.status, 400);
    assert.match(badListen.body.badRequest.message, /pocketstack:listen/);
  });

  test('another project cannot see a server; os-interface and the console log describe it', async () => {
    const id = await bootServer(c, { name: 'vm', networks: [{ uuid: net }], metadata: { 'pocketstack:listen': 'udp/53' } });
    await waitActive(c, id);
    assert.equal((await admin.get(`/servers/${id}`)).status, 200, 'admin sees every project');
    const other = await admin.get('/servers');
    assert.equal(other.body.servers.some((s: { id: string }) => s.id === id), false, 'without all_tenants admin lists its own project');
    const ifaces = (await c.get(`/servers/${id}/os-interface`)).body.interfaceAttachments;
    assert.equal(ifaces.length, 1);
    assert.equal(ifaces[0].port_state, 'ACTIVE');
    const added = await c.post(`/servers/${id}/os-interface`, { interfaceAttachment: { net_id: net } });
    assert.equal(added.status, 200, added.text);
    assert.equal((await c.del(`/servers/${id}/os-interface/${added.body.interfaceAttachment.port_id}`)).status, 202);
    assert.equal((await c.get(`/servers/${id}/os-interface`)).body.interfaceAttachments.length, 1);
    const log = await c.post(`/servers/${id}/action`, { 'os-getConsoleOutput': { length: 50 } });
    assert.match(log.body.output, /lease of 10\.5\.0\.\d+ obtained/);
    assert.match(log.body.output, /listening on udp\/53/);
    assert.equal((await c.post(`/servers/${id}/action`, { 'os-start': null })).status, 409, 'already running');
    assert.equal((await c.del(`/servers/${id}`)).status, 204);
    assert.equal((await c.get(`/servers/${id}`)).status, 404);
  });
});
