/**
 * Acceptance: Debian's real `openstack` CLI creates servers on a network against `pocketstack up`
 * (a child process, SQLite), the network agent makes them and their ports ACTIVE, and
 * `pocketstack trace` explains the flows between them. Skipped with a reason when the CLI is
 * missing, unless CI=true.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, startChild, type ChildServer } from '../support/server.js';
import { openstack, openstackMissing } from '../support/openstack-cli.js';

const missing = openstackMissing();

function pocketstackTrace(env: Record<string, string>, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/run.ts'), 'trace', ...args], { cwd: ROOT, env: { ...process.env, ...env }, timeout: 60000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('openstack CLI: servers and pocketstack trace', { skip: missing }, () => {
  let server: ChildServer;
  let home: string;
  let env: Record<string, string>;
  const os = (args: string[], json = true) => openstack(env, [...args, ...(json ? ['-f', 'json'] : [])], json);

  before(async () => {
    home = mkdtempSync(join(tmpdir(), 'ps-cli-compute-'));
    server = await startChild(['--home', home, '--port', '0'], { POCKETSTACK_ADMIN_PASSWORD: 'cli-admin-pw' });
    env = { OS_CLIENT_CONFIG_FILE: join(home, 'clouds.yaml'), OS_CLOUD: 'pocketstack-demo' };
    await os(['network', 'create', 'appnet']);
    await os(['subnet', 'create', '--network', 'appnet', '--subnet-range', '10.20.0.0/24', 'appsub']);
    const file = join(home, 'tiny.raw');
    writeFileSync(file, Buffer.alloc(4096));
    await os(['image', 'create', '--disk-format', 'raw', '--container-format', 'bare', '--file', file, 'tiny']);
  });
  after(async () => {
    assert.equal(await server.stop('SIGTERM'), 0, 'pocketstack exits 0 on SIGTERM');
    rmSync(home, { recursive: true, force: true });
  });

  test('flavors are built in', async () => {
    const names = (await os(['flavor', 'list'])).map((f: { Name: string }) => f.Name);
    assert.ok(names.includes('m1.tiny') && names.includes('m1.small') && names.includes('m1.medium'));
  });

  test('server create on a network goes ACTIVE, its port ACTIVE and owned by the server', async () => {
    const web = await os(['server', 'create', '--flavor', 'm1.tiny', '--image', 'tiny', '--network', 'appnet', '--property', 'pocketstack:listen=tcp/22,tcp/80', '--wait', 'web']);
    assert.equal(web.status, 'ACTIVE');
    await os(['server', 'create', '--flavor', 'm1.tiny', '--image', 'tiny', '--network', 'appnet', '--wait', 'client']);
    const list = await os(['server', 'list']);
    assert.deepEqual(list.map((s: { Name: string; Status: string }) => `${s.Name}:${s.Status}`).sort(), ['client:ACTIVE', 'web:ACTIVE']);
    const ports = await os(['port', 'list', '--device-id', web.id, '--long']);
    assert.equal(ports.length, 1);
    assert.equal(ports[0].Status, 'ACTIVE');
    assert.equal(ports[0]['Device Owner'], 'compute:nova');
    const log = await os(['console', 'log', 'show', 'web'], false);
    assert.match(log, /lease of 10\.20\.0\.\d+ obtained/);
    assert.match(log, /listening on tcp\/80/);
  });

  test('pocketstack trace explains delivered and refused flows, as text and JSON', async () => {
    const ok = await pocketstackTrace(env, ['--from', 'client', '--to', 'web', '--proto', 'tcp', '--port', '80']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /: DELIVERED/);
    assert.match(ok.stdout, /workload .* tcp\/80 is listening/);
    const closed = await pocketstackTrace(env, ['--from', 'client', '--to', 'web', '--proto', 'tcp', '--port', '443', '--json']);
    assert.equal(closed.code, 1, 'not delivered: exit 1');
    const j = JSON.parse(closed.stdout);
    assert.equal(j.verdict, 'no_listener');
    assert.ok(j.result.hops.length > 3);
    const matrix = await pocketstackTrace(env, ['--matrix', '--network', 'appnet', '--proto', 'tcp', '--port', '22']);
    assert.equal(matrix.code, 0, matrix.stderr);
    assert.match(matrix.stdout, /client .*ok/);
    const bad = await pocketstackTrace(env, ['--from', 'nobody', '--to', 'web']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /No server, port or address matches 'nobody'/);
  });

  test('server add floating ip, traced from outside; server add and remove volume', async () => {
    const admin = { ...env, OS_CLOUD: 'pocketstack' };
    await openstack(admin, ['network', 'create', '--external', 'public', '-f', 'json']);
    await openstack(admin, ['subnet', 'create', '--network', 'public', '--subnet-range', '203.0.113.0/24', '--no-dhcp', 'public-v4', '-f', 'json']);
    await os(['router', 'create', 'r1']);
    await os(['router', 'set', '--external-gateway', 'public', 'r1'], false);
    await os(['router', 'add', 'subnet', 'r1', 'appsub'], false);
    const fip = await os(['floating', 'ip', 'create', 'public']);
    await os(['server', 'add', 'floating', 'ip', 'web', fip.floating_ip_address], false);
    const shown = await os(['server', 'show', 'web']);
    assert.ok(JSON.stringify(shown.addresses).includes(fip.floating_ip_address), 'the floating IP shows in the addresses');
    await os(['security', 'group', 'rule', 'create', '--protocol', 'tcp', '--dst-port', '80', 'default'], false);
    const t = await pocketstackTrace(env, ['--from', 'outside:public', '--to', fip.floating_ip_address, '--proto', 'tcp', '--port', '80', '--json']);
    assert.equal(t.code, 0, `${t.stdout} ${t.stderr}`);
    assert.equal(JSON.parse(t.stdout).verdict, 'delivered');
    await os(['server', 'remove', 'floating', 'ip', 'web', fip.floating_ip_address], false);
    assert.equal((await os(['floating', 'ip', 'show', fip.id])).port_id, null);

    const vol = await os(['volume', 'create', '--size', '1', 'data']);
    for (let i = 0; i < 100 && (await os(['volume', 'show', vol.id])).status !== 'available'; i++) await new Promise((r) => setTimeout(r, 100));
    await os(['server', 'add', 'volume', 'web', 'data'], false);
    const attached = await os(['volume', 'show', 'data']);
    assert.equal(attached.status, 'in-use');
    assert.equal(attached.attachments[0].server_id, (await os(['server', 'show', 'web'])).id);
    await os(['server', 'remove', 'volume', 'web', 'data'], false);
    for (let i = 0; i < 100 && (await os(['volume', 'show', vol.id])).status !== 'available'; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal((await os(['volume', 'show', 'data'])).status, 'available');
  });

  test('stop, start, add and remove a network interface, delete', async () => {
    await os(['server', 'stop', 'web'], false);
    assert.equal((await os(['server', 'show', 'web'])).status, 'SHUTOFF');
    await os(['server', 'start', 'web'], false);
    // `server event list/show` read Nova's instance actions: the newest first, events for admins.
    const events = await os(['server', 'event', 'list', 'web']);
    assert.deepEqual(events.slice(0, 4).map((e: { Action: string }) => e.Action), ['start', 'stop', 'detach_volume', 'attach_volume']);
    assert.equal(events.at(-1).Action, 'create');
    const webId = (await os(['server', 'show', 'web'])).id;
    const stop = await openstack({ ...env, OS_CLOUD: 'pocketstack' }, ['server', 'event', 'show', webId, events[1]['Request ID'], '-f', 'json']);
    assert.equal(stop.action, 'stop');
    assert.deepEqual(stop.events.map((e: { event: string; result: string }) => [e.event, e.result]), [['compute_stop_instance', 'Success']]);
    await os(['server', 'add', 'network', 'client', 'appnet'], false);
    assert.equal(Object.values((await os(['server', 'show', 'client'])).addresses as Record<string, string[]>)[0]!.length, 2);
    await os(['server', 'delete', '--wait', 'client'], false);
    assert.deepEqual((await os(['server', 'list'])).map((s: { Name: string }) => s.Name), ['web']);
    assert.equal((await os(['port', 'list', '--network', 'appnet', '--device-owner', 'compute:nova'])).length, 1, "the deleted server's ports went with it");
  });
});
