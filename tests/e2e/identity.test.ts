/**
 * Keystone v3 over HTTP, on SQLite and (when configured) PostgreSQL: tokens, scoping, CRUD, grants,
 * policy, and the OpenStack conventions every API shares (request ids, error shapes).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDatabaseFactories, type TestDatabase } from '../../src/store/sql/test-databases.js';
import { startInProcess } from '../support/server.js';
import { call, issueToken } from '../support/http.js';

for (const factory of testDatabaseFactories()) {
  describe(`identity API on ${factory.name}`, { skip: factory.skip }, () => {
    let ps: Awaited<ReturnType<typeof startInProcess>>;
    let tdb: TestDatabase;
    let admin: string;
    let base: string;

    before(async () => {
      tdb = await factory.create();
      ps = await startInProcess({ db: factory.name === 'sqlite' ? 'sqlite' : tdb.url });
      base = ps.url;
      admin = (await issueToken(base, 'admin', 'admin-secret', 'admin')).token;
    });
    after(async () => {
      await ps.cleanup();
      await tdb.drop();
    });

    test('version documents are public and point at v3', async () => {
      const root = await call('GET', `${base}/identity`);
      assert.equal(root.status, 300);
      assert.equal(root.body.versions.values[0].id, 'v3.14');
      const v3 = await call('GET', `${base}/identity/v3`);
      assert.equal(v3.status, 200);
      assert.equal(v3.body.version.status, 'stable');
      assert.match(v3.body.version.links[0].href, /\/identity\/v3\/$/);
    });

    test('a project-scoped token carries user, project, roles (implied too), catalog and expiry', async () => {
      const { token, body } = await issueToken(base, 'admin', 'admin-secret', 'admin');
      assert.ok(token.length > 20);
      const t = body.token;
      assert.deepEqual(t.methods, ['password']);
      assert.equal(t.user.name, 'admin');
      assert.equal(t.project.name, 'admin');
      assert.deepEqual(t.roles.map((r: { name: string }) => r.name).sort(), ['admin', 'member', 'reader']);
      const identity = t.catalog.find((s: { type: string }) => s.type === 'identity');
      assert.equal(identity.endpoints.length, 3);
      assert.ok(identity.endpoints.every((e: { url: string }) => e.url === `${base}/identity`));
      const ttl = Date.parse(t.expires_at) - Date.parse(t.issued_at);
      assert.ok(Math.abs(ttl - 3600_000) < 1000, `ttl ${ttl}`);
      assert.equal(t.audit_ids.length, 1);
    });

    test('wrong password, unknown user and garbage tokens are 401 in Keystone shape, with a request id', async () => {
      const r = await call('POST', `${base}/identity/v3/auth/tokens`, {
        body: { auth: { identity: { methods: ['password'], password: { user: { name: 'admin', domain: { id: 'default' }, password: 'nope' } } } } },
      });
      assert.equal(r.status, 401);
      assert.equal(r.body.error.code, 401);
      assert.equal(r.body.error.title, 'Unauthorized');
      assert.match(r.headers.get('x-openstack-request-id') ?? '', /^req-[0-9a-f-]{36}$/);
      const g = await call('GET', `${base}/identity/v3/projects`, { token: 'v1.garbage.sig' });
      assert.equal(g.status, 401);
      const none = await call('GET', `${base}/identity/v3/projects`);
      assert.equal(none.status, 401);
    });

    test('unscoped and domain-scoped tokens; token-method rescoping keeps the expiry', async () => {
      const unscoped = await issueToken(base, 'admin', 'admin-secret', null);
      // The admin user has a default project, so no scope means the default project (as Keystone does).
      assert.equal(unscoped.body.token.project.name, 'admin');
      const dom = await call('POST', `${base}/identity/v3/auth/tokens`, {
        body: {
          auth: {
            identity: { methods: ['password'], password: { user: { name: 'admin', domain: { id: 'default' }, password: 'admin-secret' } } },
            scope: { domain: { id: 'default' } },
          },
        },
      });
      assert.equal(dom.status, 201);
      assert.equal(dom.body.token.domain.id, 'default');
      assert.equal(dom.body.token.project, undefined);
      const re = await call('POST', `${base}/identity/v3/auth/tokens`, {
        body: { auth: { identity: { methods: ['token'], token: { id: dom.headers.get('x-subject-token') } }, scope: { project: { name: 'demo', domain: { id: 'default' } } } } },
      });
      // admin holds no role on demo: rescoping there is refused.
      assert.equal(re.status, 401);
      const re2 = await call('POST', `${base}/identity/v3/auth/tokens`, {
        body: { auth: { identity: { methods: ['token'], token: { id: dom.headers.get('x-subject-token') } }, scope: { project: { name: 'admin', domain: { id: 'default' } } } } },
      });
      assert.equal(re2.status, 201);
      assert.equal(re2.body.token.expires_at, dom.body.token.expires_at);
      assert.equal(re2.body.token.audit_ids[1], dom.body.token.audit_ids[0]);
    });

    test('validate, HEAD and revoke a token; a revoked token is refused everywhere', async () => {
      const { token } = await issueToken(base, 'admin', 'admin-secret', 'admin');
      const v = await call('GET', `${base}/identity/v3/auth/tokens`, { token: admin, headers: { 'x-subject-token': token } });
      assert.equal(v.status, 200);
      assert.equal(v.headers.get('x-subject-token'), token);
      const h = await call('HEAD', `${base}/identity/v3/auth/tokens`, { token: admin, headers: { 'x-subject-token': token } });
      assert.equal(h.status, 200);
      const d = await call('DELETE', `${base}/identity/v3/auth/tokens`, { token: admin, headers: { 'x-subject-token': token } });
      assert.equal(d.status, 204);
      const again = await call('GET', `${base}/identity/v3/auth/tokens`, { token: admin, headers: { 'x-subject-token': token } });
      assert.equal(again.status, 404);
      assert.equal((await call('GET', `${base}/identity/v3/projects`, { token })).status, 401);
    });

    test('projects, users, roles and grants: create, find by name, assign, list assignments, delete', async () => {
      const p = await call('POST', `${base}/identity/v3/projects`, { token: admin, body: { project: { name: 'team-a', description: 'A' } } });
      assert.equal(p.status, 201);
      assert.equal(p.body.project.domain_id, 'default');
      const dup = await call('POST', `${base}/identity/v3/projects`, { token: admin, body: { project: { name: 'team-a' } } });
      assert.equal(dup.status, 409);
      assert.equal(dup.body.error.title, 'Conflict');
      const u = await call('POST', `${base}/identity/v3/users`, { token: admin, body: { user: { name: 'alice', password: 'pw-alice', default_project_id: p.body.project.id } } });
      assert.equal(u.status, 201);
      assert.equal(u.body.user.password, undefined);
      assert.ok(!u.text.includes('pw-alice'));
      const byName = await call('GET', `${base}/identity/v3/users?name=alice`, { token: admin });
      assert.deepEqual(byName.body.users.map((x: { id: string }) => x.id), [u.body.user.id]);
      const role = await call('GET', `${base}/identity/v3/roles?name=member`, { token: admin });
      const memberId = role.body.roles[0].id;
      const path = `${base}/identity/v3/projects/${p.body.project.id}/users/${u.body.user.id}/roles/${memberId}`;
      assert.equal((await call('HEAD', path, { token: admin })).status, 404);
      assert.equal((await call('PUT', path, { token: admin })).status, 204);
      assert.equal((await call('HEAD', path, { token: admin })).status, 204);
      const ra = await call('GET', `${base}/identity/v3/role_assignments?scope.project.id=${p.body.project.id}&include_names=true`, { token: admin });
      assert.equal(ra.status, 200);
      assert.equal(ra.body.role_assignments.length, 1);
      assert.equal(ra.body.role_assignments[0].user.name, 'alice');
      assert.equal(ra.body.role_assignments[0].role.name, 'member');
      assert.equal(ra.body.role_assignments[0].scope.project.name, 'team-a');
      // alice can now log in to team-a with her default project.
      const alice = await issueToken(base, 'alice', 'pw-alice', null);
      assert.equal(alice.body.token.project.name, 'team-a');
      // Revoking the role ends alice's project-scoped token at once.
      assert.equal((await call('DELETE', path, { token: admin })).status, 204);
      assert.equal((await call('GET', `${base}/identity/v3/auth/projects`, { token: alice.token })).status, 401);
      assert.equal((await call('DELETE', `${base}/identity/v3/users/${u.body.user.id}`, { token: admin })).status, 204);
      assert.equal((await call('GET', `${base}/identity/v3/users/${u.body.user.id}`, { token: admin })).status, 404);
      assert.equal((await call('DELETE', `${base}/identity/v3/projects/${p.body.project.id}`, { token: admin })).status, 204);
    });

    test('a demo member cannot create users nor see the admin project (403), but sees its own', async () => {
      const demo = await issueToken(base, 'demo', ps.demoPassword, 'demo');
      const cu = await call('POST', `${base}/identity/v3/users`, { token: demo.token, body: { user: { name: 'mallory' } } });
      assert.equal(cu.status, 403);
      assert.equal(cu.body.error.code, 403);
      assert.match(cu.body.error.message, /identity:create_user/);
      const projects = await call('GET', `${base}/identity/v3/projects?name=admin`, { token: admin });
      const adminProject = projects.body.projects[0].id;
      assert.equal((await call('GET', `${base}/identity/v3/projects/${adminProject}`, { token: demo.token })).status, 403);
      const own = await call('GET', `${base}/identity/v3/projects/${demo.body.token.project.id}`, { token: demo.token });
      assert.equal(own.status, 200);
      const mine = await call('GET', `${base}/identity/v3/auth/projects`, { token: demo.token });
      assert.deepEqual(mine.body.projects.map((x: { name: string }) => x.name), ['demo']);
    });

    test('malformed JSON, missing envelopes, wrong types and unknown routes are 4xx in the right shape', async () => {
      const bad = await call('POST', `${base}/identity/v3/projects`, { token: admin, raw: '{"project": ' });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error.code, 400);
      const env = await call('POST', `${base}/identity/v3/projects`, { token: admin, body: { name: 'x' } });
      assert.equal(env.status, 400);
      const typ = await call('POST', `${base}/identity/v3/projects`, { token: admin, body: { project: { name: 'x', enabled: 'yes' } } });
      assert.equal(typ.status, 400);
      const ct = await call('POST', `${base}/identity/v3/projects`, { token: admin, raw: 'name=x', headers: { 'content-type': 'text/plain' } });
      assert.equal(ct.status, 415);
      const big = await call('POST', `${base}/identity/v3/projects`, { token: admin, raw: JSON.stringify({ project: { name: 'x', description: 'y'.repeat(2 * 1024 * 1024) } }) });
      assert.equal(big.status, 413);
      const nf = await call('GET', `${base}/identity/v3/nothing-here`, { token: admin });
      assert.equal(nf.status, 404);
      assert.equal(nf.body.error.code, 404);
      assert.ok(nf.headers.get('x-openstack-request-id'));
    });

    test('catalog: services, endpoints and regions', async () => {
      const s = await call('POST', `${base}/identity/v3/services`, { token: admin, body: { service: { type: 'object-store', name: 'swift' } } });
      assert.equal(s.status, 201);
      const e = await call('POST', `${base}/identity/v3/endpoints`, {
        token: admin,
        body: { endpoint: { service_id: s.body.service.id, interface: 'public', url: 'http://127.0.0.1:1/v1/$(project_id)s', region_id: 'RegionOne' } },
      });
      assert.equal(e.status, 201);
      const badIface = await call('POST', `${base}/identity/v3/endpoints`, { token: admin, body: { endpoint: { service_id: s.body.service.id, interface: 'secret', url: 'http://x' } } });
      assert.equal(badIface.status, 400);
      const cat = await call('GET', `${base}/identity/v3/auth/catalog`, { token: admin });
      const swift = cat.body.catalog.find((x: { type: string }) => x.type === 'object-store');
      assert.match(swift.endpoints[0].url, /\/v1\/[0-9a-f]{32}$/);
      assert.equal((await call('DELETE', `${base}/identity/v3/services/${s.body.service.id}`, { token: admin })).status, 204);
      const regions = await call('GET', `${base}/identity/v3/regions`, { token: admin });
      assert.deepEqual(regions.body.regions.map((r: { id: string }) => r.id), ['RegionOne']);
    });

    test('health and metrics are served', async () => {
      assert.equal((await call('GET', `${base}/healthz`)).body.status, 'ok');
      const m = await call('GET', `${base}/metrics`);
      assert.match(m.text, /pocketstack_http_requests_total\{method="POST",route="\/identity\/v3\/auth\/tokens",status="201"\}/);
    });
  });
}
