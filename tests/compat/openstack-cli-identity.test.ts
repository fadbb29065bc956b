/**
 * Acceptance: Debian's real `openstack` CLI against `pocketstack up` (a child process), on SQLite and
 * PostgreSQL. Skipped with a reason when the CLI is missing, unless CI=true.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { testDatabaseFactories, type TestDatabase } from '../../src/store/sql/test-databases.js';
import { startChild, type ChildServer } from '../support/server.js';
import { openstack, openstackMissing } from '../support/openstack-cli.js';

const missing = openstackMissing();

for (const factory of testDatabaseFactories()) {
  describe(`openstack CLI: identity on ${factory.name}`, { skip: factory.skip ?? missing }, () => {
    let server: ChildServer;
    let tdb: TestDatabase;
    let home: string;
    let env: Record<string, string>;

    before(async () => {
      tdb = await factory.create();
      home = mkdtempSync(join(tmpdir(), 'ps-cli-'));
      server = await startChild(['--home', home, '--port', '0', '--db', factory.name === 'sqlite' ? 'sqlite' : tdb.url], {
        POCKETSTACK_ADMIN_PASSWORD: 'cli-admin-pw',
      });
      env = { OS_CLIENT_CONFIG_FILE: join(home, 'clouds.yaml'), OS_CLOUD: 'pocketstack' };
    });
    after(async () => {
      assert.equal(await server.stop('SIGTERM'), 0, 'pocketstack exits 0 on SIGTERM');
      rmSync(home, { recursive: true, force: true });
      await tdb.drop();
    });

    test('clouds.yaml names both clouds and the admin password from the environment', () => {
      const clouds = parse(readFileSync(join(home, 'clouds.yaml'), 'utf8')).clouds;
      assert.equal(clouds.pocketstack.auth.password, 'cli-admin-pw');
      assert.equal(clouds.pocketstack.auth.project_name, 'admin');
      assert.equal(clouds['pocketstack-demo'].auth.username, 'demo');
      assert.equal(clouds.pocketstack.auth.auth_url, `${server.url}/identity/v3`);
    });

    test('token issue, catalog list', async () => {
      const tok = await openstack(env, ['token', 'issue', '-f', 'json']);
      assert.ok(tok.id.length > 20);
      assert.equal(typeof tok.expires, 'string');
      const cat = await openstack(env, ['catalog', 'list', '-f', 'json']);
      const identity = cat.find((s: { Type: string }) => s.Type === 'identity');
      assert.ok(identity, 'identity service in the catalog');
    });

    test('project, user and role create; role add; role assignment list', async () => {
      const p = await openstack(env, ['project', 'create', '--description', 'made by the CLI', 'cli-proj', '-f', 'json']);
      assert.equal(p.name, 'cli-proj');
      const u = await openstack(env, ['user', 'create', '--password', 'pw-bob', '--project', 'cli-proj', 'bob', '-f', 'json']);
      assert.equal(u.name, 'bob');
      const r = await openstack(env, ['role', 'create', 'auditor', '-f', 'json']);
      assert.equal(r.name, 'auditor');
      await openstack(env, ['role', 'add', '--project', 'cli-proj', '--user', 'bob', 'member'], false);
      await openstack(env, ['role', 'add', '--project', 'cli-proj', '--user', 'bob', 'auditor'], false);
      const ra = await openstack(env, ['role', 'assignment', 'list', '--project', 'cli-proj', '--names', '-f', 'json']);
      assert.deepEqual(ra.map((x: { Role: string }) => x.Role).sort(), ['auditor', 'member']);
      assert.ok(ra.every((x: { User: string }) => x.User === 'bob@Default'));
      const list = await openstack(env, ['project', 'list', '-f', 'json']);
      assert.ok(list.some((x: { Name: string }) => x.Name === 'cli-proj'));
    });

    test('token revoke: the revoked token no longer works', async () => {
      const tok = await openstack(env, ['token', 'issue', '-f', 'json']);
      await openstack(env, ['token', 'revoke', tok.id], false);
      const res = await fetch(`${server.url}/identity/v3/auth/projects`, { headers: { 'x-auth-token': tok.id } });
      assert.equal(res.status, 401);
    });

    test('the demo member is refused an admin action with a 403', async () => {
      const demoEnv = { ...env, OS_CLOUD: 'pocketstack-demo' };
      const tok = await openstack(demoEnv, ['token', 'issue', '-f', 'json']);
      assert.ok(tok.project_id);
      await assert.rejects(openstack(demoEnv, ['user', 'create', '--password', 'x', 'mallory', '-f', 'json']), (e: Error) => {
        assert.match(e.message, /HTTP 403|not authorized/i);
        return true;
      });
    });
  });
}
