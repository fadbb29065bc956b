/**
 * Networking RBAC as Neutron behaves (neutron-tempest-plugin's ExternalNetworksRBACTestJSON and
 * RBACSharedNetworksTest), plus the network-owner policy rules around shared networks: over HTTP
 * on SQLite and PostgreSQL, with three projects (admin, demo, alt).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDatabaseFactories, type TestDatabase } from '../../src/store/sql/test-databases.js';
import { startInProcess } from '../support/server.js';
import { call, issueToken } from '../support/http.js';
import { createPublicNetwork, neutron, type Neutron } from '../support/network.js';

for (const factory of testDatabaseFactories()) {
  describe(`networking RBAC on ${factory.name}`, { skip: factory.skip }, () => {
    let ps: Awaited<ReturnType<typeof startInProcess>>;
    let tdb: TestDatabase;
    let n: Neutron;
    let demo: string;
    let alt: string;
    let adminProject: string;
    let demoProject: string;
    let altProject: string;
    let publicNet: { networkId: string; subnetId: string };

    const policy = (object_id: string, action: string, target_tenant: string, token?: string) =>
      n.post('/rbac-policies', { rbac_policy: { object_type: 'network', object_id, action, target_tenant } }, token);
    const externalPolicies = async (networkId: string, target = '*') =>
      (await n.get(`/rbac-policies?object_id=${networkId}&action=access_as_external&target_tenant=${encodeURIComponent(target)}`)).body.rbac_policies;
    const adminNet = async (body: Record<string, unknown> = {}, cidr?: string) => {
      const net = (await n.post('/networks', { network: { name: 'rbac-net', ...body } })).body.network;
      if (cidr) assert.equal((await n.post('/subnets', { subnet: { network_id: net.id, cidr, ip_version: 4, enable_dhcp: false } })).status, 201);
      return net;
    };

    before(async () => {
      tdb = await factory.create();
      ps = await startInProcess({ db: factory.name === 'sqlite' ? 'sqlite' : tdb.url });
      const admin = await issueToken(ps.url, 'admin', 'admin-secret', 'admin');
      adminProject = admin.body.token.project.id;
      n = neutron(ps.url, admin.token);
      const d = await issueToken(ps.url, 'demo', ps.demoPassword, 'demo');
      demo = d.token;
      demoProject = d.body.token.project.id;
      // A third project with a member: `alt`.
      const id = `${ps.url}/identity/v3`;
      altProject = (await call('POST', `${id}/projects`, { token: admin.token, body: { project: { name: 'alt' } } })).body.project.id;
      const user = await call('POST', `${id}/users`, { token: admin.token, body: { user: { name: 'alt', password: 'alt-pw', default_project_id: altProject } } });
      const role = (await call('GET', `${id}/roles?name=member`, { token: admin.token })).body.roles[0].id;
      await call('PUT', `${id}/projects/${altProject}/users/${user.body.user.id}/roles/${role}`, { token: admin.token });
      alt = (await issueToken(ps.url, 'alt', 'alt-pw', 'alt')).token;
      publicNet = await createPublicNetwork(n);
    });
    after(async () => {
      await ps.cleanup();
      await tdb.drop();
    });

    test('router:external is a wildcard access_as_external policy, made and removed with the flag', async () => {
      const ext = await adminNet({ 'router:external': true });
      assert.equal((await externalPolicies(ext.id)).length, 1);
      assert.equal((await n.put(`/networks/${ext.id}`, { network: { 'router:external': false } })).body.network['router:external'], false);
      assert.equal((await externalPolicies(ext.id)).length, 0);
      const internal = await adminNet();
      assert.equal((await externalPolicies(internal.id)).length, 0);
      await n.put(`/networks/${internal.id}`, { network: { 'router:external': true } });
      assert.equal((await externalPolicies(internal.id)).length, 1);
      // `shared` is a wildcard access_as_shared policy the same way.
      const shared = await adminNet({ shared: true });
      const sharedPolicies = (await n.get(`/rbac-policies?object_id=${shared.id}&action=access_as_shared`)).body.rbac_policies;
      assert.deepEqual(sharedPolicies.map((p: { target_tenant: string }) => p.target_tenant), ['*']);
      assert.equal((await n.put(`/networks/${shared.id}`, { network: { shared: false } })).body.network.shared, false);
      assert.equal((await n.get(`/rbac-policies?object_id=${shared.id}&action=access_as_shared`)).body.rbac_policies.length, 0);
      // The wildcard on the default external network stays.
      await n.put(`/networks/${publicNet.networkId}`, { network: { is_default: true } });
      const [wild] = await externalPolicies(publicNet.networkId);
      const refused = await n.del(`/rbac-policies/${wild.id}`);
      assert.equal(refused.status, 409);
      assert.equal(refused.body.NeutronError.type, 'RbacPolicyInUse');
      await n.put(`/networks/${publicNet.networkId}`, { network: { is_default: false } });
    });

    test('an external policy converts the network; deleting the last one converts it back', async () => {
      const net = await adminNet();
      const p1 = (await policy(net.id, 'access_as_external', adminProject)).body.rbac_policy;
      assert.equal((await n.get(`/networks/${net.id}`)).body.network['router:external'], true);
      const p2 = (await policy(net.id, 'access_as_external', altProject)).body.rbac_policy;
      assert.equal((await n.del(`/rbac-policies/${p2.id}`)).status, 204);
      assert.equal((await n.get(`/networks/${net.id}`)).body.network['router:external'], true);
      assert.equal((await n.del(`/rbac-policies/${p1.id}`)).status, 204);
      assert.equal((await n.get(`/networks/${net.id}`)).body.network['router:external'], false);
      // A shared policy going away leaves an external network external.
      const ext = await adminNet({ 'router:external': true });
      const sp = (await policy(ext.id, 'access_as_shared', '*')).body.rbac_policy;
      assert.equal((await n.del(`/rbac-policies/${sp.id}`)).status, 204);
      assert.equal((await n.get(`/networks/${ext.id}`)).body.network['router:external'], true);
    });

    test('a targeted external policy lets that project see the network, attach a gateway and allocate floating IPs', async () => {
      const net = await adminNet({}, '198.51.100.0/24');
      await policy(net.id, 'access_as_external', adminProject);
      // External for the admin project only: alt neither sees it nor allocates from it.
      const hidden = await n.post('/floatingips', { floatingip: { floating_network_id: net.id } }, alt);
      assert.equal(hidden.status, 404);
      assert.equal(hidden.body.NeutronError.type, 'NetworkNotFound');
      assert.ok(!(await n.get('/networks', alt)).body.networks.some((x: { id: string }) => x.id === net.id));
      await policy(net.id, 'access_as_external', altProject);
      assert.ok((await n.get('/networks', alt)).body.networks.some((x: { id: string }) => x.id === net.id));
      const fip = await n.post('/floatingips', { floatingip: { floating_network_id: net.id } }, alt);
      assert.equal(fip.status, 201);
      const router = await n.post('/routers', { router: { name: 'alt-gw', external_gateway_info: { network_id: net.id } } }, alt);
      assert.equal(router.status, 201);
      // Demo has no policy: still invisible.
      assert.equal((await n.post('/routers', { router: { name: 'demo-gw', external_gateway_info: { network_id: net.id } } }, demo)).status, 404);
      assert.equal((await n.del(`/floatingips/${fip.body.floatingip.id}`, alt)).status, 204);
      assert.equal((await n.del(`/routers/${router.body.router.id}`, alt)).status, 204);
    });

    test('external policies a project relies on cannot be deleted (409); a regular project may target, not wildcard', async () => {
      const net = await adminNet({}, '198.51.101.0/24');
      const wildcard = (await policy(net.id, 'access_as_external', '*')).body.rbac_policy;
      const router = (await n.post('/routers', { router: { name: 'r', external_gateway_info: { network_id: net.id } } }, alt)).body.router;
      assert.equal((await n.del(`/rbac-policies/${wildcard.id}`)).status, 409);
      const own = (await policy(net.id, 'access_as_external', altProject)).body.rbac_policy;
      assert.equal((await n.del(`/rbac-policies/${wildcard.id}`)).status, 204);
      const inUse = await n.del(`/rbac-policies/${own.id}`);
      assert.equal(inUse.status, 409);
      assert.equal(inUse.body.NeutronError.type, 'RbacPolicyInUse');
      // Retargeting the remaining policy away from the router's project is refused too.
      assert.equal((await n.put(`/rbac-policies/${own.id}`, { rbac_policy: { target_tenant: demoProject } })).status, 409);
      assert.equal((await n.del(`/routers/${router.id}`)).status, 204);
      assert.equal((await n.del(`/rbac-policies/${own.id}`)).status, 204);
      assert.equal((await n.get(`/networks/${net.id}`)).body.network['router:external'], false);
      assert.equal((await n.post('/routers', { router: { name: 'r2', external_gateway_info: { network_id: net.id } } }, alt)).status, 404);

      // Demo on its own network: a targeted external policy is fine, a wildcard is the operator's.
      const mine = (await n.post('/networks', { network: { name: 'demo-ext' } }, demo)).body.network;
      const wild = await policy(mine.id, 'access_as_external', '*', demo);
      assert.equal(wild.status, 403);
      assert.equal(wild.body.NeutronError.type, 'PolicyNotAuthorized');
      assert.equal((await policy(mine.id, 'access_as_external', altProject, demo)).status, 201);
      assert.equal((await n.get(`/networks/${mine.id}`, demo)).body.network['router:external'], true);
      assert.equal((await n.get(`/networks/${mine.id}`, alt)).status, 200);
    });

    test('shared: a targeted grant shows as shared to its project only, in show, lists and the subnet filter', async () => {
      const net = await adminNet({}, '10.40.0.0/24');
      const sub = (await n.get(`/subnets?network_id=${net.id}`)).body.subnets[0];
      const grant = (await policy(net.id, 'access_as_shared', demoProject)).body.rbac_policy;
      assert.equal((await n.get(`/networks/${net.id}`, demo)).body.network.shared, true);
      assert.equal((await n.get(`/networks/${net.id}`)).body.network.shared, false);
      assert.equal((await n.get(`/networks/${net.id}`, alt)).status, 404);
      assert.equal((await n.get(`/subnets/${sub.id}`, alt)).status, 404);
      const ids = async (path: string, token?: string) => (await n.get(path, token)).body[path.slice(1).split('?')[0]!.replace('-', '_')].map((x: { id: string }) => x.id);
      assert.ok((await ids('/networks?shared=true', demo)).includes(net.id));
      assert.ok((await ids('/subnets?shared=true', demo)).includes(sub.id));
      assert.ok(!(await ids('/subnets?shared=false', demo)).includes(sub.id));
      assert.ok((await ids('/subnets?shared=false')).includes(sub.id));
      await policy(net.id, 'access_as_shared', '*');
      assert.ok((await ids('/subnets?shared=true')).includes(sub.id));
      assert.ok(!(await ids('/subnets?shared=false')).includes(sub.id));
      const bad = await n.get('/subnets?shared=maybe', demo);
      assert.equal(bad.status, 400);
      assert.ok(bad.body.NeutronError);
      // The targeted project cannot see the policy that grants it access; the owner can.
      assert.ok(!(await ids('/rbac-policies', demo)).includes(grant.id));
      assert.ok((await ids('/rbac-policies')).includes(grant.id));
    });

    test('shared: non-admins may not use wildcards or share networks they do not own; policies in use stay', async () => {
      const mine = (await n.post('/networks', { network: { name: 'demo-shared' } }, demo)).body.network;
      await n.post('/subnets', { subnet: { network_id: mine.id, cidr: '10.41.0.0/24', ip_version: 4 } }, demo);
      assert.equal((await policy(mine.id, 'access_as_shared', '*', demo)).status, 403);
      const toAlt = (await policy(mine.id, 'access_as_shared', altProject, demo)).body.rbac_policy;
      assert.equal((await n.put(`/rbac-policies/${toAlt.id}`, { rbac_policy: { target_tenant: '*' } }, demo)).status, 403);
      // Alt's port keeps the grant in place; the network's owner may delete that port.
      const port = (await n.post('/ports', { port: { network_id: mine.id } }, alt)).body.port;
      const held = await n.del(`/rbac-policies/${toAlt.id}`, demo);
      assert.equal(held.status, 409);
      assert.equal(held.body.NeutronError.type, 'RbacPolicyInUse');
      assert.equal((await n.del(`/ports/${port.id}`, demo)).status, 204);
      assert.equal((await n.del(`/rbac-policies/${toAlt.id}`, demo)).status, 204);

      const theirs = await adminNet();
      await policy(theirs.id, 'access_as_shared', demoProject);
      const foreign = await policy(theirs.id, 'access_as_shared', demoProject, demo);
      assert.equal(foreign.status, 400);
      assert.equal(foreign.body.NeutronError.type, 'InvalidInput');
      const invisible = await adminNet();
      assert.equal((await policy(invisible.id, 'access_as_shared', demoProject, demo)).status, 404);
      for (const [action, type] of [['access_as_owner', 'network'], ['access_as_shared', 'qos_policy']]) {
        const r = await n.post('/rbac-policies', { rbac_policy: { object_type: type, object_id: theirs.id, action, target_tenant: demoProject } });
        assert.equal(r.status, 400, `${action} ${type}`);
        assert.ok(r.body.NeutronError);
      }
    });

    test('ports on a shared network: only its owner may set address pairs or port security; floating IPs stay within a project', async () => {
      const net = await adminNet({ shared: true }, '10.42.0.0/24');
      for (const body of [{ allowed_address_pairs: [{ ip_address: '1.1.1.1' }] }, { port_security_enabled: false }, { port_security_enabled: true }]) {
        const r = await n.post('/ports', { port: { network_id: net.id, ...body } }, demo);
        assert.equal(r.status, 403, JSON.stringify(body));
        assert.equal(r.body.NeutronError.type, 'PolicyNotAuthorized');
      }
      const port = (await n.post('/ports', { port: { network_id: net.id } }, demo)).body.port;
      assert.equal((await n.put(`/ports/${port.id}`, { port: { allowed_address_pairs: [{ ip_address: '1.1.1.1' }] } }, demo)).status, 403);
      assert.equal((await n.put(`/ports/${port.id}`, { port: { name: 'ok' } }, demo)).status, 200);
      assert.equal((await n.post('/ports', { port: { network_id: net.id, port_security_enabled: false } })).status, 201);

      // A non-admin names another project: 400, before any policy.
      const own = (await n.post('/networks', { network: { name: 'demo-own' } }, demo)).body.network;
      const foreign = await n.post('/ports', { port: { network_id: own.id, project_id: altProject } }, demo);
      assert.equal(foreign.status, 400);
      assert.equal(foreign.body.NeutronError.type, 'HTTPBadRequest');

      // Demo owns the network and sees alt's port on it, but its floating IP may not use that port.
      const sub = (await n.post('/subnets', { subnet: { network_id: own.id, cidr: '10.43.0.0/24', ip_version: 4 } }, demo)).body.subnet;
      const router = (await n.post('/routers', { router: { name: 'fip-r', external_gateway_info: { network_id: publicNet.networkId } } }, demo)).body.router;
      await n.put(`/routers/${router.id}/add_router_interface`, { subnet_id: sub.id }, demo);
      const altPort = (await n.post('/ports', { port: { network_id: own.id, project_id: altProject } })).body.port;
      const fip = (await n.post('/floatingips', { floatingip: { floating_network_id: publicNet.networkId } }, demo)).body.floatingip;
      const cross = await n.put(`/floatingips/${fip.id}`, { floatingip: { port_id: altPort.id } }, demo);
      assert.equal(cross.status, 400);
      assert.equal(cross.body.NeutronError.type, 'BadRequest');
      const ownPort = (await n.post('/ports', { port: { network_id: own.id } }, demo)).body.port;
      assert.equal((await n.put(`/floatingips/${fip.id}`, { floatingip: { port_id: ownPort.id } }, demo)).status, 200);
    });

    test('IP availability counts an IPv6 /64 exactly (2^64 - 2), above a double\'s 2^53', async () => {
      const net = await adminNet();
      await n.post('/subnets', { subnet: { network_id: net.id, cidr: '2001:db8:40::/64', ip_version: 6 } });
      const one = await n.get(`/network-ip-availabilities/${net.id}`);
      assert.equal(one.status, 200);
      assert.match(one.text, /"total_ips":18446744073709551614/);
      assert.match(one.text, /"subnet_ip_availability":\[\{[^\]]*"total_ips":18446744073709551614/);
      const list = await n.get(`/network-ip-availabilities?network_id=${net.id}`);
      assert.equal(list.status, 200);
      assert.match(list.text, /"total_ips":18446744073709551614/);
      assert.equal(list.body.network_ip_availabilities.length, 1);
      assert.equal((await n.get(`/network-ip-availabilities/${net.id}`, demo)).status, 403);
    });
  });
}
