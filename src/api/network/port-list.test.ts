/**
 * The port list's fast path (memoized JSON texts, id order, paging by marker) answers exactly what
 * the generic path answers: the same query with an explicit `sort_key=id&sort_dir=asc` takes the
 * generic path (filter, sort, page over rendered views), so the two are compared item by item, for
 * an admin and a project member, on every engine; and a write is seen by the next list.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDatabaseFactories, type TestDatabase } from '../../store/sql/test-databases.js';
import { startInProcess } from '../../../tests/support/server.js';
import { issueToken } from '../../../tests/support/http.js';
import { neutron, type Neutron } from '../../../tests/support/network.js';

const GENERIC = 'sort_key=id&sort_dir=asc';
const markerOf = (href: string) => new URL(href).searchParams.get('marker');
const reverseOf = (href: string) => new URL(href).searchParams.get('page_reverse');

for (const factory of testDatabaseFactories()) {
  describe(`port list fast path on ${factory.name}`, { skip: factory.skip }, () => {
    let ps: Awaited<ReturnType<typeof startInProcess>>;
    let tdb: TestDatabase;
    let n: Neutron;
    let demo: string;

    before(async () => {
      tdb = await factory.create();
      ps = await startInProcess({ db: factory.name === 'sqlite' ? 'sqlite' : tdb.url });
      n = neutron(ps.url, (await issueToken(ps.url, 'admin', 'admin-secret', 'admin')).token);
      demo = (await issueToken(ps.url, 'demo', ps.demoPassword, 'demo')).token;
      for (const [token, count] of [[undefined, 17], [demo, 6]] as const) {
        const net = (await n.post('/networks', { network: { name: 'l' } }, token)).body.network;
        await n.post('/subnets', { subnet: { network_id: net.id, cidr: '10.9.0.0/24', ip_version: 4 } }, token);
        const r = await n.post('/ports', { ports: Array.from({ length: count }, (_, i) => ({ network_id: net.id, name: `p${i}` })) }, token);
        assert.equal(r.status, 201, r.text);
      }
      // The data plane flips new ports' status in the background: wait until lists stop changing, so
      // two reads in a row compare the same revisions.
      let last = '';
      for (let i = 0; i < 100; i++) {
        const now = (await n.get(`/ports?${GENERIC}`)).text;
        if (now === last) break;
        last = now;
        await new Promise((r) => setTimeout(r, 200));
      }
    });
    after(async () => {
      await ps?.cleanup();
      await tdb?.drop();
    });

    async function both(query: string, token?: string) {
      const fast = await n.get(`/ports${query ? `?${query}` : ''}`, token);
      const generic = await n.get(`/ports?${query ? `${query}&` : ''}${GENERIC}`, token);
      assert.equal(fast.status, generic.status, fast.text);
      if (fast.status === 200) assert.deepEqual(fast.body.ports, generic.body.ports);
      return { fast, generic };
    }

    test('unpaged lists match, for an admin (binding attributes) and a member (own ports only)', async () => {
      const { fast } = await both('');
      assert.ok(fast.body.ports.length >= 23 + 2, 'both projects\' ports and the DHCP ports');
      assert.ok('binding:host_id' in fast.body.ports[0]);
      assert.equal(fast.body.ports_links, undefined);
      const mine = (await both('', demo)).fast.body.ports;
      assert.equal(mine.length, 7, 'six ports and the DHCP port of its network');
      assert.ok(!('binding:host_id' in mine[0]));
    });

    test('pages forward and backward by marker match, links included', async () => {
      const all = (await n.get('/ports')).body.ports.map((p: { id: string }) => p.id);
      const seen: string[] = [];
      let query = 'limit=7';
      for (;;) {
        const { fast, generic } = await both(query);
        seen.push(...fast.body.ports.map((p: { id: string }) => p.id));
        const rels = (r: typeof fast) => (r.body.ports_links ?? []).map((l: { rel: string; href: string }) => [l.rel, markerOf(l.href), reverseOf(l.href)]);
        assert.deepEqual(rels(fast), rels(generic));
        const next = fast.body.ports_links?.find((l: { rel: string }) => l.rel === 'next');
        if (!next) break;
        query = `limit=7&marker=${markerOf(next.href)}`;
      }
      assert.deepEqual(seen, all);
      const back = await both(`limit=5&marker=${all[12]}&page_reverse=True`);
      assert.deepEqual(back.fast.body.ports.map((p: { id: string }) => p.id), all.slice(7, 12));
      assert.deepEqual((await both(`limit=5&page_reverse=True`)).fast.body.ports.map((p: { id: string }) => p.id), all.slice(-5));
      await both('limit=4&marker=3', demo);
    });

    test('a marker naming no port is the port\'s 404; an update is listed at once', async () => {
      const { fast } = await both('limit=2&marker=00000000-0000-0000-0000-000000000000');
      assert.equal(fast.status, 404);
      assert.equal(fast.body.NeutronError.type, 'PortNotFound');
      const some = (await n.get('/ports', demo)).body.ports.find((p: { name: string }) => p.name === 'p1');
      const u = await n.put(`/ports/${some.id}`, { port: { name: 'renamed' } }, demo);
      assert.equal(u.status, 200, u.text);
      const listed = (await both('', demo)).fast.body.ports.find((p: { id: string }) => p.id === some.id);
      assert.equal(listed.name, 'renamed');
      assert.equal(listed.revision_number, some.revision_number + 1);
      await n.del(`/ports/${some.id}`, demo);
      assert.ok(!(await both('', demo)).fast.body.ports.some((p: { id: string }) => p.id === some.id));
    });
  });
}
