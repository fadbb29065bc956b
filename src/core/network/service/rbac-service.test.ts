import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KIND, type NetworkData } from '../../model/network.js';
import { adminContext, engines, memberContext, openNetworkFixture } from '../../../../tests/support/network-services.js';

for (const engine of engines()) {
  describe(`RBAC service on ${engine.name}`, { skip: engine.skip }, () => {
    test('state from before the wildcard policies gets them at start, once; visibility follows', async () => {
      const f = await openNetworkFixture(engine);
      try {
        const admin = adminContext();
        const [ext, shared] = await f.services.networks.createMany(admin, [{ name: 'ext', external: true }, { name: 'sh', shared: true }]);
        // Simulate old state: the flags without their policies.
        for (const p of await f.services.rbac.list(admin)) await f.store.transaction((tx) => tx.delete(KIND.rbacPolicy, p.id));
        const demo = memberContext('p-demo');
        assert.deepEqual((await f.services.networks.list(demo)).map((n) => n.name), ['sh']);
        await f.services.rbac.adoptLegacyFlags();
        await f.services.rbac.adoptLegacyFlags();
        const policies = (await f.services.rbac.list(admin)).map((p) => [p.objectId, p.action, p.targetTenant]).sort();
        assert.deepEqual(policies, [[ext!.id, 'access_as_external', '*'], [shared!.id, 'access_as_shared', '*']].sort());
        assert.deepEqual((await f.services.networks.list(demo)).map((n) => n.name).sort(), ['ext', 'sh']);
        const row = await f.store.get<NetworkData>(KIND.network, ext!.id);
        assert.equal(row?.data.external, true);
      } finally {
        await f.close();
      }
    });
  });
}
