/**
 * Networking behaviour neutron-tempest-plugin's API tests check beyond tempest.api.network, over
 * HTTP on SQLite and PostgreSQL (docs/compat.md, Networking).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDatabaseFactories, type TestDatabase } from '../../src/store/sql/test-databases.js';
import { startInProcess } from '../support/server.js';
import { issueToken } from '../support/http.js';
import { createPublicNetwork, neutron, type Neutron } from '../support/network.js';

for (const factory of testDatabaseFactories()) {
  describe(`networking: neutron-tempest-plugin gaps on ${factory.name}`, { skip: factory.skip }, () => {
    let ps: Awaited<ReturnType<typeof startInProcess>>;
    let tdb: TestDatabase;
    let n: Neutron;
    let admin: string;
    let demo: string;
    let publicNet: { networkId: string; subnetId: string };

    before(async () => {
      tdb = await factory.create();
      ps = await startInProcess({ db: factory.name === 'sqlite' ? 'sqlite' : tdb.url });
      admin = (await issueToken(ps.url, 'admin', 'admin-secret', 'admin')).token;
      n = neutron(ps.url, admin);
      demo = (await issueToken(ps.url, 'demo', ps.demoPassword, 'demo')).token;
      publicNet = await createPublicNetwork(n);
    });
    after(async () => {
      await ps.cleanup();
      await tdb.drop();
    });

    test('a body without Content-Type is read as JSON, as Neutron does', async () => {
      const net = (await n.post('/networks', { network: { name: 'no-ctype' } }, demo)).body.network;
      const res = await fetch(`${n.base}/networks/${net.id}`, {
        method: 'PUT',
        headers: { 'x-auth-token': demo },
        body: new TextEncoder().encode(JSON.stringify({ network: { name: 'renamed' } })),
      });
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { network: { name: string } }).network.name, 'renamed');
      const bad = await fetch(`${n.base}/networks/${net.id}`, { method: 'PUT', headers: { 'x-auth-token': demo }, body: new TextEncoder().encode('{') });
      assert.equal(bad.status, 400);
    });
    test('parents: a subnet bumps its network revision, a rule its group revision', async () => {
      const net = (await n.post('/networks', { network: { name: 'rev' } }, demo)).body.network;
      const sub = (await n.post('/subnets', { subnet: { network_id: net.id, cidr: '10.31.0.0/24', ip_version: 4 } }, demo)).body.subnet;
      const afterCreate = (await n.get(`/networks/${net.id}`, demo)).body.network.revision_number;
      assert.ok(afterCreate > net.revision_number);
      assert.equal((await n.del(`/subnets/${sub.id}`, demo)).status, 204);
      assert.ok((await n.get(`/networks/${net.id}`, demo)).body.network.revision_number > afterCreate);
      const sg = (await n.post('/security-groups', { security_group: { name: 'rev-sg' } }, demo)).body.security_group;
      const rule = (await n.post('/security-group-rules', { security_group_rule: { security_group_id: sg.id, direction: 'ingress', protocol: 'tcp', port_range_min: 60, port_range_max: 70 } }, demo)).body.security_group_rule;
      const withRule = (await n.get(`/security-groups/${sg.id}`, demo)).body.security_group.revision_number;
      assert.ok(withRule > sg.revision_number);
      assert.equal((await n.del(`/security-group-rules/${rule.id}`, demo)).status, 204);
      assert.ok((await n.get(`/security-groups/${sg.id}`, demo)).body.security_group.revision_number > withRule);
    });

    test('security groups: bulk items wrapped in their member name, IPv6-only protocol numbers, duplicates on a port', async () => {
      const bulk = await n.post('/security-groups', { security_groups: [{ security_group: { name: 'b1' } }, { name: 'b2' }] }, demo);
      assert.equal(bulk.status, 201);
      assert.deepEqual(bulk.body.security_groups.map((g: { name: string }) => g.name), ['b1', 'b2']);
      const sg = bulk.body.security_groups[0];
      for (const protocol of [58, '41', 43, 44, 59, 60]) {
        const r = await n.post('/security-group-rules', { security_group_rule: { security_group_id: sg.id, direction: 'ingress', ethertype: 'IPv4', protocol } }, demo);
        assert.equal(r.status, 400, `protocol ${protocol} with IPv4`);
        assert.equal(r.body.NeutronError.type, 'SecurityGroupEthertypeConflictWithProtocol');
      }
      const v6 = await n.post('/security-group-rules', { security_group_rule: { security_group_id: sg.id, direction: 'ingress', ethertype: 'IPv6', protocol: 58 } }, demo);
      assert.equal(v6.status, 201);
      const net = (await n.post('/networks', { network: { name: 'sg-dup' } }, demo)).body.network;
      const port = (await n.post('/ports', { port: { network_id: net.id } }, demo)).body.port;
      const twice = await n.put(`/ports/${port.id}`, { port: { security_groups: [sg.id, sg.id] } }, demo);
      assert.equal(twice.status, 400);
    });

    test('quotas: limits above the database integer are 400; a group needs room for its egress rules; an admin list makes the filtered project default group', async () => {
      const project = (await n.get('/security-groups', demo)).body.security_groups[0].project_id as string;
      const big = await n.put(`/quotas/${project}`, { quota: { security_group: 2147483648 } });
      assert.equal(big.status, 400);
      assert.equal((await n.put(`/quotas/${project}`, { quota: { security_group: 2147483647 } })).status, 200);
      assert.equal((await n.put(`/quotas/${project}`, { quota: { security_group_rule: 0 } })).status, 200);
      const none = await n.post('/security-groups', { security_group: { name: 'no-rules-room' } }, demo);
      assert.equal(none.status, 409);
      assert.equal(none.body.NeutronError.type, 'OverQuota');
      assert.equal((await n.del(`/quotas/${project}`)).status, 204);

      const other = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
      const listed = (await n.get(`/security-groups?tenant_id=${other}`)).body.security_groups;
      assert.deepEqual(listed.map((g: { name: string; project_id: string }) => [g.name, g.project_id]), [['default', other]]);
    });

    test('routers and floating IPs: interface ids must be UUIDs; an empty floating IP update disassociates', async () => {
      const net = (await n.post('/networks', { network: { name: 'fip-net' } }, demo)).body.network;
      const sub = (await n.post('/subnets', { subnet: { network_id: net.id, cidr: '10.32.0.0/24', ip_version: 4 } }, demo)).body.subnet;
      const router = (await n.post('/routers', { router: { name: 'r', external_gateway_info: { network_id: publicNet.networkId } } }, demo)).body.router;
      const bad = await n.put(`/routers/${router.id}/add_router_interface`, { port_id: 'tempest-port-1' }, demo);
      assert.equal(bad.status, 400);
      assert.equal(bad.body.NeutronError.type, 'BadRequest');
      assert.equal((await n.put(`/routers/${router.id}/add_router_interface`, { subnet_id: sub.id }, demo)).status, 200);
      const port = (await n.post('/ports', { port: { network_id: net.id } }, demo)).body.port;
      const fip = (await n.post('/floatingips', { floatingip: { floating_network_id: publicNet.networkId, port_id: port.id } }, demo)).body.floatingip;
      assert.equal(fip.port_id, port.id);
      const blank = await n.put(`/floatingips/${fip.id}`, { floatingip: {} }, demo);
      assert.equal(blank.status, 200);
      assert.equal(blank.body.floatingip.port_id, null);
      assert.equal(blank.body.floatingip.fixed_ip_address, null);
    });

    test('subnet pools show their prefix lengths as strings, as Neutron does', async () => {
      const pool = (await n.post('/subnetpools', { subnetpool: { name: 'p', prefixes: ['10.200.0.0/16'], min_prefixlen: '29' } }, demo)).body.subnetpool;
      assert.equal(pool.min_prefixlen, '29');
      assert.equal(pool.default_prefixlen, '29');
      assert.equal(pool.max_prefixlen, '32');
      const updated = (await n.put(`/subnetpools/${pool.id}`, { subnetpool: { min_prefixlen: 28, max_prefixlen: '30' } }, demo)).body.subnetpool;
      assert.deepEqual([updated.min_prefixlen, updated.max_prefixlen], ['28', '30']);
    });
    test('agents: the running network agent is listed to admins, alive by its heartbeat; only its description changes', async () => {
      const list = await n.get('/agents');
      assert.equal(list.status, 200);
      assert.equal(list.body.agents.length, 1);
      const agent = list.body.agents[0];
      assert.equal(agent.agent_type, 'PocketStack network agent');
      assert.equal(agent.binary, 'pocketstack-network-agent');
      assert.equal(agent.alive, true);
      assert.equal(agent.admin_state_up, true);
      assert.match(agent.heartbeat_timestamp, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      assert.deepEqual((await n.get('/agents', demo)).body.agents, []);
      assert.deepEqual((await n.get('/agents?agent_type=DHCP%20agent')).body.agents, []);
      assert.equal((await n.get(`/agents/${agent.id}`)).body.agent.id, agent.id);
      assert.equal((await n.get(`/agents/${agent.id}`, demo)).status, 404);
      assert.equal((await n.put(`/agents/${agent.id}`, { agent: { admin_state_up: true } })).status, 200);
      const off = await n.put(`/agents/${agent.id}`, { agent: { admin_state_up: false } });
      assert.equal(off.status, 400);
      assert.ok(off.body.NeutronError);
      assert.equal((await n.put(`/agents/${agent.id}`, { agent: { description: 'the only one' } })).body.agent.description, 'the only one');
      assert.equal((await n.get('/agents')).body.agents[0].description, 'the only one');
      assert.equal((await n.put(`/agents/${agent.id}`, { agent: { description: 7 } })).status, 400);
      assert.equal((await n.del(`/agents/${agent.id}`)).status, 409);
      const missing = await n.del('/agents/6b1f9d2e-0000-4000-8000-000000000000');
      assert.equal(missing.status, 404);
      assert.equal(missing.body.NeutronError.type, 'AgentNotFound');
    });
  });
}
