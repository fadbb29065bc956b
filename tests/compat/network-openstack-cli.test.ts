/**
 * Acceptance: Debian's `openstack` CLI and openstacksdk drive the Networking API of `pocketstack up`
 * (a child process), on SQLite and PostgreSQL: networks, subnets, pools, ports, security groups,
 * routers, floating IPs, RBAC, quotas, tags, and the errors the CLI reports. Skipped with a reason
 * when the tools are missing, unless CI=true.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testDatabaseFactories, type TestDatabase } from '../../src/store/sql/test-databases.js';
import { ROOT, startChild, type ChildServer } from '../support/server.js';
import { openstack, openstackMissing } from '../support/openstack-cli.js';

const missing = openstackMissing();

function sdk(env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('/usr/bin/python3', [join(ROOT, 'tests/compat/network-sdk.py')], { env: { PATH: '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', ...env }, timeout: 120000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`openstacksdk script failed: ${stderr || err.message}\n${stdout}`)) : resolve(stdout),
    );
  });
}

for (const factory of testDatabaseFactories()) {
  describe(`openstack CLI and openstacksdk: networking on ${factory.name}`, { skip: factory.skip ?? missing }, () => {
    let server: ChildServer;
    let tdb: TestDatabase;
    let home: string;
    let env: Record<string, string>;
    const os = (...args: string[]) => openstack(env, [...args, '-f', 'json']);

    before(async () => {
      tdb = await factory.create();
      home = mkdtempSync(join(tmpdir(), 'ps-netcli-'));
      server = await startChild(['--home', home, '--port', '0', '--db', factory.name === 'sqlite' ? 'sqlite' : tdb.url], { POCKETSTACK_ADMIN_PASSWORD: 'cli-admin-pw' });
      env = { OS_CLIENT_CONFIG_FILE: join(home, 'clouds.yaml'), OS_CLOUD: 'pocketstack' };
    });
    after(async () => {
      await server.stop('SIGTERM');
      rmSync(home, { recursive: true, force: true });
      await tdb.drop();
    });

    test('network, subnet, port, security group, router, floating ip', async () => {
      const pub = await os('network', 'create', '--external', '--provider-network-type', 'flat', '--provider-physical-network', 'public', 'public');
      assert.equal(pub['router:external'], true);
      await os('subnet', 'create', '--network', 'public', '--subnet-range', '203.0.113.0/24', '--no-dhcp', 'public-subnet');
      const net = await os('network', 'create', '--tag', 'blue', 'net1');
      assert.equal(net.mtu, 1450);
      const sub = await os('subnet', 'create', '--network', 'net1', '--subnet-range', '10.0.0.0/24', '--dns-nameserver', '1.1.1.1', 'sub1');
      assert.equal(sub.gateway_ip, '10.0.0.1');
      assert.deepEqual(sub.allocation_pools, [{ start: '10.0.0.2', end: '10.0.0.254' }]);
      const sg = await os('security', 'group', 'create', 'web');
      const rule = await os('security', 'group', 'rule', 'create', '--protocol', 'tcp', '--dst-port', '80', '--ingress', 'web');
      assert.equal(rule.port_range_min, 80);
      await assert.rejects(openstack(env, ['security', 'group', 'rule', 'create', '--protocol', 'tcp', '--dst-port', '80', '--ingress', 'web']), /already exists/);
      const port = await os('port', 'create', '--network', 'net1', '--fixed-ip', 'subnet=sub1,ip-address=10.0.0.50', '--security-group', 'web', 'p1');
      assert.match(JSON.stringify(port.fixed_ips), /10\.0\.0\.50/);
      assert.equal(port.status, 'DOWN');
      await assert.rejects(openstack(env, ['port', 'create', '--network', 'net1', '--fixed-ip', 'ip-address=10.0.0.50', 'p2']), /already allocated/);
      await assert.rejects(openstack(env, ['security', 'group', 'delete', 'web']), /in use/);
      await os('router', 'create', 'r1');
      await openstack(env, ['router', 'set', '--external-gateway', 'public', 'r1'], false);
      const fip0 = await os('floating', 'ip', 'create', 'public');
      await assert.rejects(openstack(env, ['floating', 'ip', 'set', '--port', 'p1', fip0.floating_ip_address], false), /not reachable/);
      await openstack(env, ['router', 'add', 'subnet', 'r1', 'sub1'], false);
      await openstack(env, ['floating', 'ip', 'set', '--port', 'p1', fip0.floating_ip_address], false);
      const fip = await os('floating', 'ip', 'show', fip0.floating_ip_address);
      assert.equal(fip.fixed_ip_address, '10.0.0.50');
      const router = await os('router', 'show', 'r1');
      assert.equal(fip.router_id, router.id);
      await assert.rejects(openstack(env, ['router', 'delete', 'r1'], false), /still has ports|in use/i);
      await assert.rejects(openstack(env, ['subnet', 'delete', 'sub1'], false), /in use|allocation/i);
      const tagged = await os('network', 'list', '--tags', 'blue');
      assert.deepEqual(tagged.map((x: { Name: string }) => x.Name), ['net1']);
      assert.ok(sg.id);
    });

    test('subnet pool prefixes, RBAC, extensions', async () => {
      await os('subnet', 'pool', 'create', '--pool-prefix', '10.200.0.0/16', '--default-prefix-length', '26', 'pool1');
      await os('network', 'create', 'pooled');
      const a = await os('subnet', 'create', '--network', 'pooled', '--subnet-pool', 'pool1', 'pa');
      const b = await os('subnet', 'create', '--network', 'pooled', '--subnet-pool', 'pool1', '--prefix-length', '28', 'pb');
      assert.equal(a.cidr, '10.200.0.0/26');
      assert.equal(b.cidr, '10.200.0.64/28');
      const shared = await os('network', 'create', 'to-share');
      const demoProject = (await os('project', 'show', 'demo')).id;
      const rbac = await os('network', 'rbac', 'create', '--type', 'network', '--action', 'access_as_shared', '--target-project', demoProject, shared.id);
      assert.equal(rbac.action, 'access_as_shared');
      const demoNets = await openstack({ ...env, OS_CLOUD: 'pocketstack-demo' }, ['network', 'list', '-f', 'json']);
      assert.ok(demoNets.some((x: { ID: string }) => x.ID === shared.id));
      const ext = await os('extension', 'list', '--network');
      assert.ok(ext.some((e: { Alias: string }) => e.Alias === 'router'));
    });

    test('openstacksdk script', async () => {
      const out = await sdk(env);
      assert.match(out, /sdk ok/);
    });
  });
}
