/**
 * The collection lists (entities through the resource table, memoized port texts) answer, byte for
 * byte, what the former generic path answered: the caller's full views, the tag filter, then
 * listCollection (filter, sort, page, links, `fields=`). That path is rebuilt here as the oracle over
 * the caller's unfiltered list, whose every view is first checked against the show route (which
 * renders a view directly). A matrix of filters x sorts x pages (x fields) for ports, networks
 * (shared and external ones) and security groups, for an admin and a project member, on every
 * engine; then paging walks, the marker's 404 and freshness after writes.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDatabaseFactories, type TestDatabase } from '../../store/sql/test-databases.js';
import { startInProcess } from '../../../tests/support/server.js';
import { issueToken, type Reply } from '../../../tests/support/http.js';
import { createPublicNetwork, neutron, type Neutron } from '../../../tests/support/network.js';
import { listCollection, type RawQuery } from '../http/list-query/index.js';
import { listSchema, type ResourceTable } from '../http/resource-table/index.js';
import type { DomainError } from '../../core/errors.js';
import { TAG_KEYS, tagFilter } from './crud.js';
import { networkTable } from './tables/network-table.js';
import { portTable } from './tables/port-table.js';
import { securityGroupTable } from './tables/security-group-table.js';

type ViewRow = Record<string, unknown> & { id: string };

/** A query string as the HTTP layer hands it to the route: repeated keys become arrays. */
function rawOf(qs: string): RawQuery {
  const raw: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(qs)) {
    const had = raw[k];
    raw[k] = had === undefined ? v : Array.isArray(had) ? [...had, v] : [had, v];
  }
  return raw;
}

/**
 * The former generic path over the caller's views: status and exact body text. The port service
 * reads only the ports of the networks a `network_id` filter names (so a marker elsewhere is a 404),
 * and the route then saw only those.
 */
function generic(table: ResourceTable, views: readonly ViewRow[], qs: string, isAdmin: boolean, baseUrl: string): { status: number; text: string } {
  const raw = rawOf(qs);
  const tags = tagFilter(raw);
  const networks = table === portTable ? new URLSearchParams(qs).getAll('network_id') : [];
  let rows = networks.length ? views.filter((v) => networks.includes(v['network_id'] as string)) : views;
  if (tags) rows = rows.filter((v) => tags((v['tags'] as string[]) ?? []));
  try {
    const { body } = listCollection(rows, raw, listSchema(table, { isAdmin }), { baseUrl, reservedKeys: TAG_KEYS });
    return { status: 200, text: JSON.stringify(body) };
  } catch (e) {
    const err = e as DomainError;
    return { status: err.status, text: `${err.type}: ${err.message}` };
  }
}

const cross = (...lists: string[][]): string[] => lists.reduce((acc, l) => acc.flatMap((a) => l.map((b) => [a, b].filter(Boolean).join('&'))), ['']);

for (const factory of testDatabaseFactories()) {
  describe(`collection lists on ${factory.name}`, { skip: factory.skip }, () => {
    let ps: Awaited<ReturnType<typeof startInProcess>>;
    let tdb: TestDatabase;
    let n: Neutron;
    let demo: string;
    let demoProject: string;
    const nets: Record<string, string> = {};

    before(async () => {
      tdb = await factory.create();
      ps = await startInProcess({ db: factory.name === 'sqlite' ? 'sqlite' : tdb.url });
      n = neutron(ps.url, (await issueToken(ps.url, 'admin', 'admin-secret', 'admin')).token);
      const d = await issueToken(ps.url, 'demo', ps.demoPassword, 'demo');
      demo = d.token;
      demoProject = d.body.token.project.id;
      nets['public'] = (await createPublicNetwork(n)).networkId;
      const ok = (r: Reply) => (assert.ok(r.status < 300, r.text), r.body);
      const makeNet = async (name: string, cidr: string, extra: object, token?: string) => {
        const net = ok(await n.post('/networks', { network: { name, ...extra } }, token)).network;
        ok(await n.post('/subnets', { subnet: { network_id: net.id, cidr, ip_version: 4 } }, token));
        return net.id as string;
      };
      nets['admin'] = await makeNet('a-net', '10.9.0.0/24', {});
      nets['shared'] = await makeNet('s-net', '10.8.0.0/24', { shared: true });
      nets['demo'] = await makeNet('d-net', '10.7.0.0/24', {}, demo);
      // Ties on names and owners, unset and admin-only attributes, tags, several networks.
      const adminPorts = ok(await n.post('/ports', {
        ports: Array.from({ length: 17 }, (_, i) => ({
          network_id: i < 14 ? nets['admin'] : nets['shared'],
          name: `p${i % 5}`,
          device_owner: i % 3 === 0 ? 'compute:nova' : '',
          admin_state_up: i % 4 !== 0,
          ...(i % 2 ? { 'binding:host_id': 'h1' } : {}),
        })),
      })).ports;
      const demoPorts = ok(await n.post('/ports', { ports: Array.from({ length: 6 }, (_, i) => ({ network_id: i < 4 ? nets['demo'] : nets['shared'], name: `p${i % 3}`, device_owner: i === 0 ? 'compute:nova' : '' })) }, demo)).ports;
      for (const [i, p] of [...adminPorts, ...demoPorts].entries()) {
        if (i % 3 === 1) ok(await n.put(`/ports/${p.id}/tags`, { tags: i % 2 ? ['t1'] : ['t1', 't2'] }));
      }
      await n.post('/security-groups', { security_group: { name: 'web' } }, demo);
      // The data plane flips new ports' status in the background: wait until lists stop changing, so
      // the oracle and the answers read the same revisions.
      let last = '';
      for (let i = 0; i < 100; i++) {
        const now = (await n.get('/ports')).text;
        if (now === last) break;
        last = now;
        await new Promise((r) => setTimeout(r, 200));
      }
    });
    after(async () => {
      await ps?.cleanup();
      await tdb?.drop();
    });

    /** The caller's unfiltered list, each view checked against the show route. */
    async function viewsOf(collection: string, member: string, token?: string): Promise<ViewRow[]> {
      const r = await n.get(`/${collection}`, token);
      assert.equal(r.status, 200, r.text);
      const views = r.body[collection.replace(/-/g, '_')] as ViewRow[];
      for (const v of views) assert.equal(JSON.stringify(v), JSON.stringify((await n.get(`/${collection}/${v.id}`, token)).body[member]));
      return views;
    }

    async function compare(table: ResourceTable, collection: string, queries: string[], token: string | undefined, isAdmin: boolean) {
      const views = await viewsOf(collection, table.name, token);
      let nonEmpty = 0;
      for (const qs of queries) {
        const want = generic(table, views, qs, isAdmin, `${n.base}/${collection}`);
        const got = await n.get(`/${collection}?${qs}`, token);
        const text = got.status === 200 ? got.text : `${got.body.NeutronError.type}: ${got.body.NeutronError.message}`;
        assert.equal(got.status, want.status, `${collection}?${qs}: ${got.text}`);
        assert.equal(text, want.text, `${collection}?${qs}`);
        if (got.status === 200 && got.body[table.collection].length > 0) nonEmpty++;
      }
      assert.ok(nonEmpty > queries.length / 3, `${nonEmpty} of ${queries.length} answers list something`);
      return views;
    }

    for (const who of ['admin', 'member'] as const) {
      test(`ports, as an ${who}: filters x sorts x pages, with and without fields=`, async () => {
        const token = who === 'admin' ? undefined : demo;
        const views = (await n.get('/ports', token)).body.ports as ViewRow[];
        const ids = views.map((p) => p.id).sort();
        const filters = ['', 'name=p1', 'name=p1&name=p3', 'device_owner=compute:nova', 'device_owner=none', 'admin_state_up=False', `network_id=${nets['shared']}`, `network_id=${nets['admin']}&network_id=${nets['demo']}`, 'fixed_ips=ip_address%3D10.8.0.3', 'binding:host_id=h1', 'tags=t1', 'tags-any=t2,zz', 'not-tags=t1&name=p0', `project_id=${demoProject}`, 'status=DOWN&status=ACTIVE'];
        const sorts = ['', 'sort_key=name&sort_dir=asc', 'sort_key=name&sort_dir=desc&sort_key=device_owner&sort_dir=asc', 'sort_key=id&sort_dir=desc', 'sort_key=binding:host_id&sort_dir=asc'];
        const pages = ['', 'limit=5', 'limit=5&page_reverse=True', `limit=4&marker=${ids[ids.length >> 1]}`, `limit=3&marker=${ids[2]}&page_reverse=True`];
        const fields = ['', 'fields=id', 'fields=name,id&fields=binding:host_id', 'fields=tags&fields=fixed_ips&fields=nope'];
        const queries = cross(filters, sorts, pages).map((q, i) => [q, fields[i % fields.length]].filter(Boolean).join('&'));
        const seen = await compare(portTable, 'ports', [...queries, 'limit=2&marker=00000000-0000-0000-0000-000000000000', 'sort_key=name'], token, who === 'admin');
        if (who === 'member') {
          // Another project's ports never appear; its port as a marker is a 404 like an unknown id.
          assert.ok(seen.every((p) => p['project_id'] === demoProject || p['network_id'] === nets['demo']));
          const foreign = (await n.get('/ports')).body.ports.find((p: ViewRow) => p['project_id'] !== demoProject).id;
          await compare(portTable, 'ports', ['', 'fields=id', `limit=2&marker=${foreign}`], token, false);
          assert.equal((await n.get(`/ports?limit=2&marker=${foreign}`, token)).status, 404);
        } else {
          assert.ok(seen.some((p) => p['project_id'] === demoProject) && 'binding:host_id' in seen[0]!);
        }
      });

      test(`networks (shared, external) and security groups, as an ${who}`, async () => {
        const token = who === 'admin' ? undefined : demo;
        const views = await compare(networkTable, 'networks', cross(['', 'shared=True', 'router:external=True', 'shared=False&router:external=False', 'name=s-net&name=public', 'provider:network_type=flat'], ['', 'sort_key=name&sort_dir=desc', 'sort_key=shared&sort_dir=asc'], ['', 'limit=2', 'fields=id,shared&fields=router:external']), token, who === 'admin');
        assert.deepEqual(views.map((v) => v['name']).sort(), who === 'admin' ? ['a-net', 'd-net', 'public', 's-net'] : ['d-net', 'public', 's-net']);
        await compare(securityGroupTable, 'security-groups', cross(['', 'name=default', 'name=web'], ['', 'sort_key=name&sort_dir=asc'], ['', 'limit=1', 'fields=security_group_rules,id']), token, who === 'admin');
      });
    }

    test('pages walked forward by their links see every port once; reverse pages end at the marker', async () => {
      const all = (await n.get('/ports')).body.ports.map((p: ViewRow) => p.id);
      const seen: string[] = [];
      let query = 'limit=7';
      for (;;) {
        const r = await n.get(`/ports?${query}`);
        seen.push(...r.body.ports.map((p: ViewRow) => p.id));
        const next = r.body.ports_links?.find((l: { rel: string }) => l.rel === 'next');
        if (!next) break;
        query = new URL(next.href).search.slice(1);
      }
      assert.deepEqual(seen, all);
      assert.deepEqual((await n.get(`/ports?limit=5&marker=${all[12]}&page_reverse=True`)).body.ports.map((p: ViewRow) => p.id), all.slice(7, 12));
      assert.deepEqual((await n.get('/ports?limit=5&page_reverse=True')).body.ports.map((p: ViewRow) => p.id), all.slice(-5));
    });

    test('a marker naming no port is the port\'s 404; an update and a delete are listed at once', async () => {
      const r = await n.get('/ports?limit=2&marker=00000000-0000-0000-0000-000000000000');
      assert.equal(r.status, 404);
      assert.equal(r.body.NeutronError.type, 'PortNotFound');
      const some = (await n.get('/ports?name=p1', demo)).body.ports[0];
      const u = await n.put(`/ports/${some.id}`, { port: { name: 'renamed' } }, demo);
      assert.equal(u.status, 200, u.text);
      for (const qs of ['', 'name=renamed', 'fields=id,name,revision_number&sort_key=name&sort_dir=desc']) {
        const listed = (await n.get(`/ports?${qs}`, demo)).body.ports.find((p: ViewRow) => p.id === some.id);
        assert.equal(listed.name, 'renamed', qs);
        assert.equal(listed.revision_number, some.revision_number + 1, qs);
      }
      assert.equal((await n.get('/ports?name=p1&fields=id', demo)).body.ports.some((p: ViewRow) => p.id === some.id), false);
      await n.del(`/ports/${some.id}`, demo);
      for (const qs of ['', 'name=renamed', 'fields=id']) assert.ok(!(await n.get(`/ports?${qs}`, demo)).body.ports.some((p: ViewRow) => p.id === some.id), qs);
    });

    test('a body written in several 128-row chunks is the pages joined, multi-byte names included', async () => {
      const r = await n.post('/ports', { ports: Array.from({ length: 240 }, (_, i) => ({ network_id: i % 3 ? nets['admin'] : nets['shared'], name: i % 2 ? `端口-é-${i}` : `p-${i}` })) });
      assert.equal(r.status, 201, r.text);
      for (const qs of ['', 'fields=id,name', 'sort_key=name&sort_dir=desc&fields=name&fields=id']) {
        const whole = await n.get(`/ports${qs ? `?${qs}` : ''}`);
        assert.equal(whole.status, 200);
        assert.ok(whole.body.ports.length > 2 * 128, `${whole.body.ports.length} rows`);
        const paged: ViewRow[] = [];
        let next: string | undefined = `/ports?${qs ? `${qs}&` : ''}limit=100`;
        while (next) {
          const page = await n.get(next);
          paged.push(...page.body.ports);
          const link = page.body.ports_links?.find((l: { rel: string }) => l.rel === 'next');
          next = link && page.body.ports.length ? `/ports${new URL(link.href).search}` : undefined;
        }
        assert.equal(whole.text, JSON.stringify({ ports: paged }), qs);
      }
    });
  });
}
