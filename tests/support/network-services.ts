/**
 * Test fixture for the networking use cases without HTTP: the services of core/network/service over
 * the SQL resource store, on every engine testDatabaseFactories() names (SQLite always, PostgreSQL
 * when POCKETSTACK_TEST_PG is set), with request contexts for an admin and project members.
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { RequestContext } from '../../src/core/identity/context.js';
import { defaultTypeDriverConfig } from '../../src/core/network/segments/index.js';
import { NEUTRON_DEFAULT_QUOTAS, createNetworkServices, type NetworkServices } from '../../src/core/network/service/index.js';
import { openDatabase, type SqlDatabase } from '../../src/store/sql/database.js';
import { SqlResourceStore } from '../../src/store/sql/resource-store.js';
import { testDatabaseFactories, type TestDatabaseFactory } from '../../src/store/sql/test-databases.js';

export interface NetworkFixture {
  services: NetworkServices;
  store: SqlResourceStore;
  close(): Promise<void>;
}

export function engines(): TestDatabaseFactory[] {
  return testDatabaseFactories();
}

export async function openNetworkFixture(engine: TestDatabaseFactory): Promise<NetworkFixture> {
  const tdb = await engine.create();
  let sdb: SqlDatabase | undefined;
  try {
    sdb = await openDatabase(tdb.url);
    const store = new SqlResourceStore(sdb.db, sdb.dialect);
    const services = createNetworkServices({
      store,
      uuid: randomUUID,
      random: () => randomInt(0, 2 ** 32) / 2 ** 32,
      config: {
        typeDrivers: defaultTypeDriverConfig(),
        baseMac: 'fa:16:3e:00:00:00',
        underlayMtu: 1500,
        defaultQuotas: { ...NEUTRON_DEFAULT_QUOTAS },
        availabilityZone: 'nova',
        maxDnsNameservers: 5,
        maxHostRoutes: 20,
      },
    });
    const db = sdb;
    return {
      services,
      store,
      async close() {
        await db.close();
        await tdb.drop();
      },
    };
  } catch (e) {
    await sdb?.close();
    await tdb.drop();
    throw e;
  }
}

export function adminContext(projectId = 'p-admin'): RequestContext {
  return {
    requestId: 'req-test', userId: 'u-admin', userName: 'admin', userDomainId: 'default', projectId, projectName: projectId,
    projectDomainId: 'default', domainId: null, roles: ['admin', 'member', 'reader'], isAdmin: true,
  };
}

export function memberContext(projectId: string): RequestContext {
  return {
    requestId: 'req-test', userId: `u-${projectId}`, userName: `user-${projectId}`, userDomainId: 'default', projectId, projectName: projectId,
    projectDomainId: 'default', domainId: null, roles: ['member', 'reader'], isAdmin: false,
  };
}
