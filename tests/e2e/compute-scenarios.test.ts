/**
 * Scenario acceptance through the API, on SQLite and (when configured) PostgreSQL: a topology built
 * with Neutron and Nova calls (two networks behind a router with a gateway on an external network,
 * security groups, servers with listeners, a floating IP, a second project reusing the CIDR), then
 * traces through POST /network/v2.0/traces whose verdicts and hops must match the scenario table's
 * expectations for the same situations.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDatabaseFactories, type TestDatabase } from '../../src/store/sql/test-databases.js';
import { startInProcess } from '../support/server.js';
import { call, issueToken } from '../support/http.js';
import { createPublicNetwork, neutron, type Neutron } from '../support/network.js';
import { bootServer, nova, waitActive, type Nova } from '../support/compute.js';

for (const factory of testDatabaseFactories()) {
  describe(`data plane scenarios through the API on ${factory.name}`, { skip: factory.skip }, () => {
    let ps: Awaited<ReturnType<typeof startInProcess>>;
    let tdb: TestDatabase;
    let n: Neutron;
    let c: Nova;
    let admin: string;
    const ids: Record<string, string> = {};
    const ports: Record<string, { id: string; ip: string }> = {};

    const trace = async (from: string, to: string, protocol: string, port?: number, token?: string) => {
      const r = await call('POST', `${n.base}/traces`, { token: token ?? ids['demoToken'], body: { trace: { from, to, protocol, ...(port ? { port } : {}) } } });
      assert.equal(r.status, 201, r.text);
      return r.body.trace as { verdict: string; text: string; result: { hops: { step: string; node: string; ok: boolean; detail: string; ruleId?: string; nat?: { kind: string } }[] } };
    };

    before(async () => {
      tdb = await factory.create();
      ps = await startInProcess({ db: factory.name === 'sqlite' ? 'sqlite' : tdb.url });
      admin = (await issueToken(ps.url, 'admin', 'admin-secret', 'admin')).token;
      const demo = (await issueToken(ps.url, 'demo', ps.demoPassword, 'demo')).token;
      ids['demoToken'] = demo;
      n = neutron(ps.url, demo);
      c = nova(ps.url, demo);
      const pub = await createPublicNetwork(neutron(ps.url, admin));
      ids['ext'] = pub.networkId;

      const mk = async (path: string, body: unknown, token = demo) => {
        const r = await n.post(path, body, token);
        assert.equal(r.status, 201, `${path}: ${r.text}`);
        return r.body;
      };
      const net1 = (await mk('/networks', { network: { name: 'front' } })).network.id;
      const sub1 = (await mk('/subnets', { subnet: { network_id: net1, cidr: '10.0.0.0/24', ip_version: 4 } })).subnet.id;
      const net2 = (await mk('/networks', { network: { name: 'back' } })).network.id;
      const sub2 = (await mk('/subnets', { subnet: { network_id: net2, cidr: '10.0.1.0/24', ip_version: 4 } })).subnet.id;
      const router = (await mk('/routers', { router: { name: 'r1', external_gateway_info: { network_id: pub.networkId } } })).router.id;
      for (const s of [sub1, sub2]) assert.equal((await n.put(`/routers/${router}/add_router_interface`, { subnet_id: s })).status, 200);
      const web = (await mk('/security-groups', { security_group: { name: 'web' } })).security_group.id;
      await mk('/security-group-rules', { security_group_rule: { security_group_id: web, direction: 'ingress', protocol: 'tcp', port_range_min: 80, port_range_max: 80, remote_ip_prefix: '0.0.0.0/0' } });
      const db = (await mk('/security-groups', { security_group: { name: 'db' } })).security_group.id;
      await mk('/security-group-rules', { security_group_rule: { security_group_id: db, direction: 'ingress', protocol: 'tcp', port_range_min: 5432, port_range_max: 5432, remote_group_id: web } });
      ids['net1'] = net1;

      const boot = async (name: string, network: string, groups: string[], listen: string, token = demo) => {
        const s = await bootServer(nova(ps.url, token), { name, networks: [{ uuid: network }], security_groups: groups.map((g) => ({ name: g })), metadata: { 'pocketstack:listen': listen } });
        ids[name] = s;
        const iface = (await nova(ps.url, token).get(`/servers/${s}/os-interface`)).body.interfaceAttachments[0];
        ports[name] = { id: iface.port_id, ip: iface.fixed_ips[0].ip_address };
      };
      await boot('web', net1, ['default', 'web'], 'tcp/80,tcp/22');
      await boot('app', net1, ['default'], 'tcp/8080');
      await boot('db', net2, ['db'], 'tcp/5432');
      const fip = (await mk('/floatingips', { floatingip: { floating_network_id: pub.networkId, port_id: ports['web']!.id } })).floatingip;
      ids['fip'] = fip.floating_ip_address;

      // Another project with the same CIDR: isolated by its own segment.
      const an = neutron(ps.url, admin);
      const onet = (await an.post('/networks', { network: { name: 'other' } })).body.network.id;
      await an.post('/subnets', { subnet: { network_id: onet, cidr: '10.0.0.0/24', ip_version: 4 } });
      const oport = (await an.post('/ports', { port: { network_id: onet, fixed_ips: [{ ip_address: '10.0.0.200' }] } })).body.port.id;
      ids['otherPort'] = oport;
      await bootServer(nova(ps.url, admin), { name: 'other', networks: [{ port: oport }] });
      for (const name of ['web', 'app', 'db']) await waitActive(c, ids[name]!);
    });
    after(async () => {
      await ps.cleanup();
      await tdb.drop();
    });

    test('servers are ACTIVE and their ports ACTIVE, bound to the host, owned by compute:nova', async () => {
      for (const name of ['web', 'app', 'db']) {
        const s = (await c.get(`/servers/${ids[name]}`)).body.server;
        assert.equal(s.status, 'ACTIVE');
        const p = (await n.get(`/ports/${ports[name]!.id}`, admin)).body.port; // binding:host_id is an operator field
        assert.deepEqual([p.status, p['binding:host_id'], p.device_owner, p.device_id], ['ACTIVE', 'local', 'compute:nova', ids[name]]);
      }
      const web = (await c.get(`/servers/${ids['web']}`)).body.server;
      assert.deepEqual(web.addresses.front.map((a: { 'OS-EXT-IPS:type': string }) => a['OS-EXT-IPS:type']), ['fixed', 'floating']);
    });

    test('same network: members of the default group reach each other; the listener decides', async () => {
      const ping = await trace('app', 'web', 'icmp');
      assert.equal(ping.verdict, 'delivered', ping.text);
      assert.deepEqual(ping.result.hops.map((h) => h.step).filter((s) => s === 'router'), [], 'no router on one network');
      assert.equal((await trace('app', 'web', 'tcp', 22)).verdict, 'delivered');
      const closed = await trace('app', 'web', 'tcp', 443);
      assert.equal(closed.verdict, 'no_listener', closed.text);
    });

    test('across the router, ingress by remote group: web may reach db on 5432, app may not', async () => {
      const ok = await trace('web', 'db', 'tcp', 5432);
      assert.equal(ok.verdict, 'delivered', ok.text);
      const steps = ok.result.hops.map((h) => h.step);
      assert.ok(steps.includes('router') && steps.includes('route'), ok.text);
      assert.ok(ok.result.hops.some((h) => h.step === 'ingress_acl' && h.ok && h.ruleId), 'a db rule allowed it');
      const denied = await trace('app', 'db', 'tcp', 5432);
      assert.equal(denied.verdict, 'dropped', denied.text);
      const last = denied.result.hops.at(-1)!;
      assert.deepEqual([last.step, last.node, last.ok], ['ingress_acl', ports['db']!.id, false]);
    });

    test('the default group denies everyone else: db cannot reach app', async () => {
      const r = await trace('db', 'app', 'tcp', 8080);
      assert.equal(r.verdict, 'dropped', r.text);
      assert.match(r.result.hops.at(-1)!.detail, /default drop/);
    });

    test('floating IP from outside: DNAT to web, allowed on 80 and refused on 22', async () => {
      const ok = await trace('outside:public', ids['fip']!, 'tcp', 80);
      assert.equal(ok.verdict, 'delivered', ok.text);
      assert.ok(ok.result.hops.some((h) => h.step === 'nat' && h.nat?.kind === 'dnat'), ok.text);
      const ssh = await trace('outside:public', ids['fip']!, 'tcp', 22);
      assert.equal(ssh.verdict, 'dropped', ssh.text);
      assert.equal(ssh.result.hops.at(-1)!.step, 'ingress_acl');
    });

    test('two projects with the same CIDR are isolated; a stopped server answers nothing', async () => {
      const r = await trace(ids['otherPort']!, ports['web']!.ip, 'icmp', undefined, admin);
      assert.equal(r.verdict, 'no_arp_reply', r.text);
      const forbidden = await call('POST', `${n.base}/traces`, { token: ids['demoToken'], body: { trace: { from: 'app', to: ids['otherPort'], protocol: 'icmp' } } });
      assert.equal(forbidden.status, 404, 'another project\'s port is not visible to trace');

      assert.equal((await c.post(`/servers/${ids['web']}/action`, { 'os-stop': null })).status, 202);
      assert.equal((await trace('app', 'web', 'tcp', 80)).verdict, 'no_listener');
      assert.equal((await c.post(`/servers/${ids['web']}/action`, { 'os-start': null })).status, 202);
      assert.equal((await trace('app', 'web', 'tcp', 80)).verdict, 'delivered');
    });

    test('the matrix of a network shows who reaches whom', async () => {
      const r = await call('POST', `${n.base}/traces/matrix`, { token: ids['demoToken'], body: { matrix: { network_id: ids['net1'], protocol: 'tcp', port: 80 } } });
      assert.equal(r.status, 201, r.text);
      const m = r.body.matrix;
      assert.deepEqual(m.labels, ['app', 'web']);
      assert.deepEqual(m.cells, [[null, 'delivered'], ['no_listener', null]]);
      assert.match(m.text, /app/);
    });

    test('trace is listed as an extension', async () => {
      const ext = await n.get('/extensions');
      assert.ok(ext.body.extensions.some((e: { alias: string }) => e.alias === 'pocketstack-trace'));
    });
  });
}
