/**
 * Networking API over HTTP on SQLite and PostgreSQL: networks, subnets, ports and IPAM (including
 * 300 concurrent port creates on one /24), project scoping and policy, Neutron's error bodies.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDatabaseFactories, type TestDatabase } from '../../src/store/sql/test-databases.js';
import { startInProcess } from '../support/server.js';
import { call, issueToken } from '../support/http.js';
import { neutron, type Neutron } from '../support/network.js';

for (const factory of testDatabaseFactories()) {
  describe(`networking core on ${factory.name}`, { skip: factory.skip }, () => {
    let ps: Awaited<ReturnType<typeof startInProcess>>;
    let tdb: TestDatabase;
    let n: Neutron;
    let demo: string;
    let reader: string;

    before(async () => {
      tdb = await factory.create();
      ps = await startInProcess({ db: factory.name === 'sqlite' ? 'sqlite' : tdb.url });
      const admin = (await issueToken(ps.url, 'admin', 'admin-secret', 'admin')).token;
      n = neutron(ps.url, admin);
      demo = (await issueToken(ps.url, 'demo', ps.demoPassword, 'demo')).token;
      // A reader in project demo.
      const id = `${ps.url}/identity/v3`;
      const proj = (await call('GET', `${id}/projects?name=demo`, { token: admin })).body.projects[0].id;
      const user = await call('POST', `${id}/users`, { token: admin, body: { user: { name: 'rita', password: 'rita-pw', default_project_id: proj } } });
      const role = (await call('GET', `${id}/roles?name=reader`, { token: admin })).body.roles[0].id;
      await call('PUT', `${id}/projects/${proj}/users/${user.body.user.id}/roles/${role}`, { token: admin });
      reader = (await issueToken(ps.url, 'rita', 'rita-pw', 'demo')).token;
    });
    after(async () => {
      await ps.cleanup();
      await tdb.drop();
    });

    test('version documents and the extension list', async () => {
      const v = await call('GET', `${ps.url}/network`);
      assert.equal(v.status, 200);
      assert.equal(v.body.versions[0].id, 'v2.0');
      const ext = await n.get('/extensions');
      const aliases = ext.body.extensions.map((e: { alias: string }) => e.alias);
      for (const a of ['router', 'external-net', 'security-group', 'port-security', 'quotas', 'standard-attr-tag', 'provider', 'extraroute-atomic']) {
        assert.ok(aliases.includes(a), a);
      }
    });

    test('network and subnet defaults; DHCP port; provider fields only for admins', async () => {
      const net = await n.post('/networks', { network: { name: 'n-defaults' } }, demo);
      assert.equal(net.status, 201);
      const nw = net.body.network;
      assert.equal(nw.mtu, 1450);
      assert.equal(nw.status, 'ACTIVE');
      assert.equal(nw.shared, false);
      assert.equal(nw.revision_number, 1);
      assert.equal(nw.tenant_id, nw.project_id);
      assert.equal('provider:network_type' in nw, false);
      const asAdmin = await n.get(`/networks/${nw.id}`);
      assert.equal(asAdmin.body.network['provider:network_type'], 'vxlan');
      assert.ok(asAdmin.body.network['provider:segmentation_id'] >= 1);

      const sub = await n.post('/subnets', { subnet: { network_id: nw.id, cidr: '10.1.0.0/24', ip_version: 4 } }, demo);
      assert.equal(sub.status, 201);
      assert.equal(sub.body.subnet.gateway_ip, '10.1.0.1');
      assert.deepEqual(sub.body.subnet.allocation_pools, [{ start: '10.1.0.2', end: '10.1.0.254' }]);
      const ports = await n.get(`/ports?network_id=${nw.id}`, demo);
      assert.equal(ports.body.ports.length, 1);
      assert.equal(ports.body.ports[0].device_owner, 'network:dhcp');
      assert.deepEqual(ports.body.ports[0].fixed_ips, [{ subnet_id: sub.body.subnet.id, ip_address: '10.1.0.2' }]);

      const v6 = await n.post('/subnets', { subnet: { network_id: nw.id, cidr: '2001:db8:1::/64', ip_version: 6, ipv6_ra_mode: 'slaac', ipv6_address_mode: 'slaac' } }, demo);
      assert.equal(v6.status, 201);
      assert.equal(v6.body.subnet.gateway_ip, '2001:db8:1::1');
      const got = await n.get(`/networks/${nw.id}`, demo);
      assert.equal(got.body.network.subnets.length, 2);
    });

    test('bad input is a 400 with Neutron type names, never a 500', async () => {
      const cases: Array<[string, unknown, string]> = [
        ['/networks', { network: { name: 'x', bogus: 1 } }, 'HTTPBadRequest'],
        ['/networks', { network: { admin_state_up: 'maybe' } }, 'InvalidInput'],
        ['/networks', {}, 'HTTPBadRequest'],
        ['/subnets', { subnet: { network_id: 'nope', cidr: '10.0.0.0/24', ip_version: 4 } }, 'HTTPBadRequest'],
        ['/ports', { port: { network_id: '00000000-0000-0000-0000-000000000000', fixed_ips: 'x' } }, 'HTTPBadRequest'],
      ];
      for (const [path, body, type] of cases) {
        const r = await n.post(path, body);
        assert.equal(r.status, 400, `${path} ${JSON.stringify(body)} -> ${r.text}`);
        assert.equal(r.body.NeutronError.type, type, r.text);
      }
      const net = (await n.post('/networks', { network: { name: 'n-bad' } })).body.network;
      const badCidr = await n.post('/subnets', { subnet: { network_id: net.id, cidr: '10.0.0.1/24', ip_version: 4 } });
      assert.equal(badCidr.status, 400);
      await n.post('/subnets', { subnet: { network_id: net.id, cidr: '10.2.0.0/24', ip_version: 4 } });
      const overlap = await n.post('/subnets', { subnet: { network_id: net.id, cidr: '10.2.0.128/25', ip_version: 4 } });
      assert.equal(overlap.status, 400);
      assert.match(overlap.body.NeutronError.message, /overlaps with another subnet/);
      const missing = await n.post('/ports', { port: { network_id: '00000000-0000-0000-0000-000000000000' } });
      assert.equal(missing.status, 404);
      assert.equal(missing.body.NeutronError.type, 'NetworkNotFound');
    });

    test('ports: MACs, fixed IPs auto / by subnet / by address, update adds and removes, delete frees', async () => {
      const net = (await n.post('/networks', { network: { name: 'n-ports' } })).body.network;
      const sub = (await n.post('/subnets', { subnet: { network_id: net.id, cidr: '10.3.0.0/28', ip_version: 4, enable_dhcp: false } })).body.subnet;
      const a = (await n.post('/ports', { port: { network_id: net.id } })).body.port;
      assert.match(a.mac_address, /^fa:16:3e(:[0-9a-f]{2}){3}$/);
      assert.equal(a.status, 'DOWN');
      assert.deepEqual(a.fixed_ips, [{ subnet_id: sub.id, ip_address: '10.3.0.2' }]);
      assert.equal(a.security_groups.length, 1);
      const b = await n.post('/ports', { port: { network_id: net.id, fixed_ips: [{ ip_address: '10.3.0.9' }] } });
      assert.equal(b.body.port.fixed_ips[0].ip_address, '10.3.0.9');
      const dup = await n.post('/ports', { port: { network_id: net.id, fixed_ips: [{ ip_address: '10.3.0.9' }] } });
      assert.equal(dup.status, 409);
      assert.equal(dup.body.NeutronError.type, 'IpAddressAlreadyAllocated');
      const outside = await n.post('/ports', { port: { network_id: net.id, fixed_ips: [{ ip_address: '10.9.0.9' }] } });
      assert.equal(outside.status, 400);
      const macDup = await n.post('/ports', { port: { network_id: net.id, mac_address: a.mac_address } });
      assert.equal(macDup.status, 409);
      assert.equal(macDup.body.NeutronError.type, 'MacAddressInUse');
      const upd = await n.put(`/ports/${a.id}`, { port: { fixed_ips: [{ ip_address: '10.3.0.2' }, { subnet_id: sub.id }] } });
      assert.equal(upd.status, 200);
      assert.deepEqual(upd.body.port.fixed_ips.map((f: { ip_address: string }) => f.ip_address), ['10.3.0.2', '10.3.0.3']);
      assert.equal(upd.body.port.revision_number, 2);
      const shrink = await n.put(`/ports/${a.id}`, { port: { fixed_ips: [{ ip_address: '10.3.0.3' }] } });
      assert.deepEqual(shrink.body.port.fixed_ips, [{ subnet_id: sub.id, ip_address: '10.3.0.3' }]);
      assert.equal((await n.del(`/ports/${b.body.port.id}`)).status, 204);
      const again = await n.post('/ports', { port: { network_id: net.id, fixed_ips: [{ ip_address: '10.3.0.9' }] } });
      assert.equal(again.status, 201, 'a deleted port gives its address back');
      const noSecurity = await n.post('/ports', { port: { network_id: net.id, port_security_enabled: false, allowed_address_pairs: [{ ip_address: '10.3.0.100' }] } });
      assert.equal(noSecurity.status, 409);
      assert.equal(noSecurity.body.NeutronError.type, 'AddressPairAndPortSecurityRequired');
      const inUse = await n.del(`/networks/${net.id}`);
      assert.equal(inUse.status, 409);
      assert.equal(inUse.body.NeutronError.type, 'NetworkInUse');
      const subInUse = await n.del(`/subnets/${sub.id}`);
      assert.equal(subInUse.body.NeutronError.type, 'SubnetInUse');
    });

    test('project scoping: other projects are 404, shared and external are visible, readers cannot write', async () => {
      const priv = (await n.post('/networks', { network: { name: 'admin-private' } })).body.network;
      const shared = (await n.post('/networks', { network: { name: 'admin-shared', shared: true } })).body.network;
      const r = await n.get(`/networks/${priv.id}`, demo);
      assert.equal(r.status, 404);
      assert.equal(r.body.NeutronError.type, 'NetworkNotFound');
      assert.equal((await n.get(`/networks/${shared.id}`, demo)).status, 200);
      const names = (await n.get('/networks', demo)).body.networks.map((x: { name: string }) => x.name);
      assert.ok(names.includes('admin-shared') && !names.includes('admin-private'));
      const upd = await n.put(`/networks/${shared.id}`, { network: { name: 'mine' } }, demo);
      assert.equal(upd.status, 403);
      assert.equal((await n.del(`/networks/${priv.id}`, demo)).status, 404);
      const forbidden = await n.post('/networks', { network: { name: 'x', shared: true } }, demo);
      assert.equal(forbidden.status, 403);
      const readerWrite = await n.post('/networks', { network: { name: 'reader-net' } }, reader);
      assert.equal(readerWrite.status, 403);
      assert.equal(readerWrite.body.NeutronError.type, 'PolicyNotAuthorized');
      assert.equal((await n.get('/networks', reader)).status, 200);
      const provider = await n.post('/networks', { network: { 'provider:network_type': 'vlan' } }, demo);
      assert.equal(provider.status, 403);
    });

    test('provider segments: validation, in use, released on delete', async () => {
      const noId = await n.post('/networks', { network: { 'provider:network_type': 'vlan', 'provider:physical_network': 'public' } });
      assert.equal(noId.status, 400);
      const bad = await n.post('/networks', { network: { 'provider:network_type': 'vxlan', 'provider:segmentation_id': 99999999 } });
      assert.equal(bad.status, 400);
      const v = await n.post('/networks', { network: { 'provider:network_type': 'vlan', 'provider:physical_network': 'public', 'provider:segmentation_id': 42 } });
      assert.equal(v.status, 201);
      assert.equal(v.body.network.mtu, 1500);
      const clash = await n.post('/networks', { network: { 'provider:network_type': 'vlan', 'provider:physical_network': 'public', 'provider:segmentation_id': 42 } });
      assert.equal(clash.status, 409);
      assert.equal(clash.body.NeutronError.type, 'VlanIdInUse');
      assert.equal((await n.del(`/networks/${v.body.network.id}`)).status, 204);
      const reuse = await n.post('/networks', { network: { 'provider:network_type': 'vlan', 'provider:physical_network': 'public', 'provider:segmentation_id': 42 } });
      assert.equal(reuse.status, 201);
    });

    test('IPAM under concurrency: 300 creates on a /24 never share an address; the rest are 409', async () => {
      const net = (await n.post('/networks', { network: { name: 'n-race' } })).body.network;
      await n.put(`/quotas/${net.project_id}`, { quota: { port: -1 } });
      await n.post('/subnets', { subnet: { network_id: net.id, cidr: '10.50.0.0/24', ip_version: 4, enable_dhcp: false } });
      const replies = await Promise.all(Array.from({ length: 300 }, () => n.post('/ports', { port: { network_id: net.id } })));
      const ok = replies.filter((r) => r.status === 201);
      const failed = replies.filter((r) => r.status !== 201);
      assert.equal(ok.length, 253);
      assert.ok(failed.every((r) => r.status === 409 && r.body.NeutronError.type === 'IpAddressGenerationFailure'), failed[0]?.text);
      const ips = new Set(ok.map((r) => r.body.port.fixed_ips[0].ip_address));
      assert.equal(ips.size, 253);
      await Promise.all(ok.slice(0, 10).map((r) => n.del(`/ports/${r.body.port.id}`)));
      const refill = await Promise.all(Array.from({ length: 11 }, () => n.post('/ports', { port: { network_id: net.id } })));
      assert.equal(refill.filter((r) => r.status === 201).length, 10);
    });
  });
}
