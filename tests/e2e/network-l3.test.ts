/**
 * Networking API over HTTP on SQLite and PostgreSQL: security groups, routers and floating IPs,
 * quotas, tags and tag filters, If-Match revisions, paging and sorting, atomic bulk create.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDatabaseFactories, type TestDatabase } from '../../src/store/sql/test-databases.js';
import { startInProcess } from '../support/server.js';
import { issueToken } from '../support/http.js';
import { createPublicNetwork, neutron, type Neutron } from '../support/network.js';

for (const factory of testDatabaseFactories()) {
  describe(`networking L3, groups and conventions on ${factory.name}`, { skip: factory.skip }, () => {
    let ps: Awaited<ReturnType<typeof startInProcess>>;
    let tdb: TestDatabase;
    let n: Neutron;
    let demo: string;
    let publicNet: { networkId: string; subnetId: string };

    before(async () => {
      tdb = await factory.create();
      ps = await startInProcess({ db: factory.name === 'sqlite' ? 'sqlite' : tdb.url });
      n = neutron(ps.url, (await issueToken(ps.url, 'admin', 'admin-secret', 'admin')).token);
      demo = (await issueToken(ps.url, 'demo', ps.demoPassword, 'demo')).token;
      publicNet = await createPublicNetwork(n);
    });
    after(async () => {
      await ps.cleanup();
      await tdb.drop();
    });

    test('security groups: default group on first use, rule validation, duplicates, in-use delete', async () => {
      const list = await n.get('/security-groups', demo);
      const dflt = list.body.security_groups.find((g: { name: string }) => g.name === 'default');
      assert.equal(dflt.security_group_rules.length, 4);
      const sg = (await n.post('/security-groups', { security_group: { name: 'web' } }, demo)).body.security_group;
      assert.equal(sg.security_group_rules.length, 2, 'egress IPv4 and IPv6');
      const rule = { security_group_id: sg.id, direction: 'ingress', protocol: 'tcp', port_range_min: 22, port_range_max: 22, remote_ip_prefix: '10.0.0.0/8' };
      assert.equal((await n.post('/security-group-rules', { security_group_rule: rule }, demo)).status, 201);
      const dup = await n.post('/security-group-rules', { security_group_rule: { ...rule, protocol: '6' } }, demo);
      assert.equal(dup.status, 409);
      assert.equal(dup.body.NeutronError.type, 'SecurityGroupRuleExists');
      const family = await n.post('/security-group-rules', { security_group_rule: { ...rule, ethertype: 'IPv6' } }, demo);
      assert.equal(family.status, 400);
      const both = await n.post('/security-group-rules', { security_group_rule: { ...rule, remote_group_id: sg.id } }, demo);
      assert.equal(both.status, 400);
      const range = await n.post('/security-group-rules', { security_group_rule: { ...rule, port_range_min: 30, port_range_max: 20 } }, demo);
      assert.equal(range.status, 400);
      const defaultName = await n.post('/security-groups', { security_group: { name: 'default' } }, demo);
      assert.equal(defaultName.status, 409);
      const net = (await n.post('/networks', { network: { name: 'sg-net' } }, demo)).body.network;
      await n.post('/subnets', { subnet: { network_id: net.id, cidr: '10.8.0.0/24', ip_version: 4 } }, demo);
      const port = (await n.post('/ports', { port: { network_id: net.id, security_groups: [sg.id] } }, demo)).body.port;
      assert.deepEqual(port.security_groups, [sg.id]);
      const inUse = await n.del(`/security-groups/${sg.id}`, demo);
      assert.equal(inUse.status, 409);
      assert.equal(inUse.body.NeutronError.type, 'SecurityGroupInUse');
      const other = await n.get(`/security-groups/${sg.id}`);
      assert.equal(other.status, 200, 'admin sees it');
    });

    test('routers and floating IPs: gateway, interfaces, overlap, in use, association rules', async () => {
      const net = (await n.post('/networks', { network: { name: 'l3-net' } }, demo)).body.network;
      const sub = (await n.post('/subnets', { subnet: { network_id: net.id, cidr: '10.9.0.0/24', ip_version: 4 } }, demo)).body.subnet;
      const net2 = (await n.post('/networks', { network: { name: 'l3-net2' } }, demo)).body.network;
      const sub2 = (await n.post('/subnets', { subnet: { network_id: net2.id, cidr: '10.9.0.128/25', ip_version: 4 } }, demo)).body.subnet;
      const port = (await n.post('/ports', { port: { network_id: net.id } }, demo)).body.port;
      const router = (await n.post('/routers', { router: { name: 'r', external_gateway_info: { network_id: publicNet.networkId } } }, demo)).body.router;
      assert.equal(router.external_gateway_info.enable_snat, true);
      assert.equal(router.external_gateway_info.external_fixed_ips[0].subnet_id, publicNet.subnetId);
      const snat = await n.put(`/routers/${router.id}`, { router: { external_gateway_info: { network_id: publicNet.networkId, enable_snat: false } } }, demo);
      assert.equal(snat.status, 403, 'enable_snat is for admins');

      const fip = (await n.post('/floatingips', { floatingip: { floating_network_id: publicNet.networkId } }, demo)).body.floatingip;
      assert.equal(fip.port_id, null);
      const unreachable = await n.put(`/floatingips/${fip.id}`, { floatingip: { port_id: port.id } }, demo);
      assert.equal(unreachable.status, 404);
      assert.equal(unreachable.body.NeutronError.type, 'ExternalGatewayForFloatingIPNotFound');

      const iface = await n.put(`/routers/${router.id}/add_router_interface`, { subnet_id: sub.id }, demo);
      assert.equal(iface.status, 200);
      assert.equal(iface.body.subnet_id, sub.id);
      const ifPort = (await n.get(`/ports/${iface.body.port_id}`, demo)).body.port;
      assert.equal(ifPort.device_owner, 'network:router_interface');
      assert.equal(ifPort.fixed_ips[0].ip_address, '10.9.0.1');
      const overlap = await n.put(`/routers/${router.id}/add_router_interface`, { subnet_id: sub2.id }, demo);
      assert.equal(overlap.status, 400);

      const assoc = await n.put(`/floatingips/${fip.id}`, { floatingip: { port_id: port.id } }, demo);
      assert.equal(assoc.status, 200);
      assert.equal(assoc.body.floatingip.router_id, router.id);
      assert.equal(assoc.body.floatingip.fixed_ip_address, port.fixed_ips[0].ip_address);

      const badHop = await n.put(`/routers/${router.id}`, { router: { routes: [{ destination: '172.16.0.0/16', nexthop: '10.99.0.5' }] } }, demo);
      assert.equal(badHop.status, 400);
      assert.equal(badHop.body.NeutronError.type, 'InvalidRoutes');
      const added = await n.put(`/routers/${router.id}/add_extraroutes`, { router: { routes: [{ destination: '172.16.0.0/16', nexthop: '10.9.0.5' }] } }, demo);
      assert.deepEqual(added.body.router.routes, [{ destination: '172.16.0.0/16', nexthop: '10.9.0.5' }]);

      assert.equal((await n.del(`/routers/${router.id}`, demo)).body.NeutronError.type, 'RouterInUse');
      assert.equal((await n.del(`/ports/${iface.body.port_id}`, demo)).status, 409);
      assert.equal((await n.del(`/subnets/${sub.id}`, demo)).body.NeutronError.type, 'SubnetInUse');
      const byRoute = await n.put(`/routers/${router.id}/remove_router_interface`, { subnet_id: sub.id }, demo);
      assert.equal(byRoute.status, 409);
      await n.put(`/routers/${router.id}/remove_extraroutes`, { router: { routes: [{ destination: '172.16.0.0/16', nexthop: '10.9.0.5' }] } }, demo);
      const byFip = await n.put(`/routers/${router.id}/remove_router_interface`, { subnet_id: sub.id }, demo);
      assert.equal(byFip.body.NeutronError.type, 'RouterInterfaceInUseByFloatingIP');
      await n.put(`/floatingips/${fip.id}`, { floatingip: { port_id: null } }, demo);
      assert.equal((await n.put(`/routers/${router.id}/remove_router_interface`, { subnet_id: sub.id }, demo)).status, 200);
      assert.equal((await n.del(`/floatingips/${fip.id}`, demo)).status, 204);
      assert.equal((await n.del(`/routers/${router.id}`, demo)).status, 204);
      assert.equal((await n.del(`/networks/${net.id}`, demo)).status, 409, 'the plain port is still there');
    });

    test('quotas: defaults, details, OverQuota, reset', async () => {
      const project = (await n.get('/networks', demo)).body.networks.find((x: { project_id: string; name: string }) => x.name === 'l3-net')?.project_id
        ?? (await n.post('/networks', { network: { name: 'q0' } }, demo)).body.network.project_id;
      const q = await n.get(`/quotas/${project}`, demo);
      assert.equal(q.body.quota.port, 500);
      assert.equal(q.body.quota.router, 10);
      const used = (await n.get(`/quotas/${project}/details`, demo)).body.quota.network.used;
      assert.equal((await n.put(`/quotas/${project}`, { quota: { network: used } }, demo)).status, 403, 'members cannot set quotas');
      assert.equal((await n.put(`/quotas/${project}`, { quota: { network: used } })).body.quota.network, used);
      const over = await n.post('/networks', { network: { name: 'too-many' } }, demo);
      assert.equal(over.status, 409);
      assert.equal(over.body.NeutronError.type, 'OverQuota');
      assert.equal((await n.del(`/quotas/${project}`)).status, 204);
      assert.equal((await n.post('/networks', { network: { name: 'fits' } }, demo)).status, 201);
    });

    test('tags, tag filters, If-Match, paging, sorting, fields, atomic bulk create', async () => {
      const bulk = await n.post('/networks', { networks: [{ name: 'b1' }, { name: 'b2' }, { name: 'b3' }] });
      assert.equal(bulk.status, 201);
      const [b1, b2, b3] = bulk.body.networks;
      const failed = await n.post('/networks', { networks: [{ name: 'b4' }, { name: 'b5', shared: 'maybe' }] });
      assert.equal(failed.status, 400);
      assert.equal((await n.get('/networks?name=b4')).body.networks.length, 0, 'nothing of a failed bulk request remains');
      assert.equal((await n.put(`/networks/${b1.id}/tags`, { tags: ['red', 'blue'] })).status, 200);
      assert.equal((await n.put(`/networks/${b2.id}/tags/red`, undefined)).status, 201);
      assert.equal((await n.get(`/networks/${b2.id}/tags/red`)).status, 204);
      assert.equal((await n.get(`/networks/${b3.id}/tags/red`)).status, 404);
      const names = async (q: string) => (await n.get(`/networks?${q}`)).body.networks.map((x: { name: string }) => x.name).filter((x: string) => /^b\d$/.test(x)).sort();
      assert.deepEqual(await names('tags=red,blue'), ['b1']);
      assert.deepEqual(await names('tags-any=red'), ['b1', 'b2']);
      assert.deepEqual(await names('not-tags=red,blue'), ['b2', 'b3']);
      assert.deepEqual(await names('not-tags-any=red'), ['b3']);

      const cur = (await n.get(`/networks/${b3.id}`)).body.network.revision_number;
      const stale = await n.put(`/networks/${b3.id}`, { network: { name: 'b3' } }, undefined, { 'if-match': `revision_number=${cur + 5}` });
      assert.equal(stale.status, 412);
      const fresh = await n.put(`/networks/${b3.id}`, { network: { description: 'ok' } }, undefined, { 'if-match': `revision_number=${cur}` });
      assert.equal(fresh.status, 200);
      assert.equal(fresh.body.network.revision_number, cur + 1);

      const page1 = await n.get('/networks?limit=2&sort_key=name&sort_dir=asc&fields=id&fields=name');
      assert.equal(page1.body.networks.length, 2);
      assert.deepEqual(Object.keys(page1.body.networks[0]).sort(), ['id', 'name']);
      assert.ok(page1.body.networks_links.some((l: { rel: string }) => l.rel === 'next'));
      const badSort = await n.get('/networks?sort_key=nope&sort_dir=asc');
      assert.equal(badSort.status, 400);
    });
  });
}
