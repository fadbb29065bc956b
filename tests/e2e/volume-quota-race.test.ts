/**
 * Quotas under concurrent creates on PostgreSQL, where transactions really run at once: N creates
 * against a quota of K must give exactly K successes (202) and N-K overLimit (413), for volumes,
 * snapshots and backups. (On SQLite writers are serialized, so the race cannot happen there; the test
 * runs on both engines anyway.)
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDatabaseFactories, type TestDatabase } from '../../src/store/sql/test-databases.js';
import { startInProcess } from '../support/server.js';
import { call, issueToken, type Reply } from '../support/http.js';

const MV = { 'OpenStack-API-Version': 'volume 3.67' };
const N = 10;
const K = 3;

for (const factory of testDatabaseFactories()) {
  describe(`volume quotas under concurrent creates on ${factory.name}`, { skip: factory.skip }, () => {
    let ps: Awaited<ReturnType<typeof startInProcess>>;
    let tdb: TestDatabase;
    let admin: string;
    let v3: string;
    let project: string;
    const req = (method: string, path: string, body?: unknown): Promise<Reply> => call(method, `${v3}${path}`, { token: admin, body, headers: MV });

    async function waitAll(path: string, key: string, ids: string[]): Promise<void> {
      for (let i = 0; i < 400; i++) {
        const rows = await Promise.all(ids.map((id) => req('GET', `${path}/${id}`)));
        if (rows.every((r) => r.body[key].status === 'available')) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`${path} never settled`);
    }

    function tally(replies: Reply[]): { ok: number; over: number; other: string[] } {
      return {
        ok: replies.filter((r) => r.status === 202).length,
        over: replies.filter((r) => r.status === 413 && r.body.overLimit).length,
        other: replies.filter((r) => r.status !== 202 && r.status !== 413).map((r) => `${r.status} ${r.text}`),
      };
    }

    before(async () => {
      tdb = await factory.create();
      ps = await startInProcess({ db: factory.name === 'sqlite' ? 'sqlite' : tdb.url });
      const t = await issueToken(ps.url, 'admin', 'admin-secret', 'admin');
      admin = t.token;
      project = t.body.token.project.id;
      v3 = `${ps.url}/volume/v3`;
    });
    after(async () => {
      await ps.cleanup();
      await tdb.drop();
    });

    test(`${N} concurrent volume creates against volumes=${K}: exactly ${K} succeed`, async () => {
      assert.equal((await req('PUT', `/os-quota-sets/${project}`, { quota_set: { volumes: K } })).status, 200);
      const replies = await Promise.all(Array.from({ length: N }, (_, i) => req('POST', '/volumes', { volume: { size: 1, name: `race-${i}` } })));
      assert.deepEqual(tally(replies), { ok: K, over: N - K, other: [] });
      const ids = replies.filter((r) => r.status === 202).map((r) => r.body.volume.id as string);
      await waitAll('/volumes', 'volume', ids);
      // the same for snapshots (of one volume) and backups (of distinct volumes)
      assert.equal((await req('PUT', `/os-quota-sets/${project}`, { quota_set: { snapshots: K, backups: K } })).status, 200);
      const snaps = await Promise.all(Array.from({ length: N }, () => req('POST', '/snapshots', { snapshot: { volume_id: ids[0] } })));
      assert.deepEqual(tally(snaps), { ok: K, over: N - K, other: [] });
      await waitAll('/snapshots', 'snapshot', snaps.filter((r) => r.status === 202).map((r) => r.body.snapshot.id));
      // backups of distinct volumes (backups of one volume would also race for the volume's status)
      assert.equal((await req('PUT', `/os-quota-sets/${project}`, { quota_set: { volumes: -1 } })).status, 200);
      const more = await Promise.all(Array.from({ length: N - K }, () => req('POST', '/volumes', { volume: { size: 1 } })));
      const all = [...ids, ...more.map((r) => r.body.volume.id as string)];
      await waitAll('/volumes', 'volume', all);
      const backups = await Promise.all(all.map((id) => req('POST', '/backups', { backup: { volume_id: id } })));
      assert.deepEqual(tally(backups), { ok: K, over: N - K, other: [] });
      await waitAll('/backups', 'backup', backups.filter((r) => r.status === 202).map((r) => r.body.backup.id));
    });
  });
}
