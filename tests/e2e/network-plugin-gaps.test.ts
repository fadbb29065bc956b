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
  });
}
