/**
 * The network agent against the real networking services and store (SQLite): ports turn ACTIVE once
 * realized, unbound ones stay DOWN, servers leave BUILD, traces see the workload, a restarted agent
 * converges from the store, and writes it does not care about recompile nothing.
 */
import { strict as assert } from 'node:assert';
import { randomInt, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { markServersActive } from '../../core/compute/server-status.js';
import type { RequestContext } from '../../core/identity/context.js';
import { COMPUTE_KIND, type ServerData } from '../../core/model/compute.js';
import { defaultTypeDriverConfig } from '../../core/network/segments/index.js';
import { NEUTRON_DEFAULT_QUOTAS, createNetworkServices, type NetworkServices } from '../../core/network/service/index.js';
import { writePortStatuses } from '../../core/network/service/port-status.js';
import { SimDataplaneDriver } from '../../drivers/dataplane/sim/sim-dataplane-driver.js';
import { SqlChangeFeed } from '../../store/sql/change-feed.js';
import { openDatabase, type SqlDatabase } from '../../store/sql/database.js';
import { SqlResourceStore } from '../../store/sql/resource-store.js';
import { testDatabaseFactories, type TestDatabase } from '../../store/sql/test-databases.js';
import { NetworkAgent } from './network-agent.js';

const admin: RequestContext = {
  requestId: 'req-test', userId: 'u-admin', userName: 'admin', userDomainId: 'default', projectId: 'p-admin', projectName: 'admin',
  projectDomainId: 'default', domainId: null, roles: ['admin', 'member', 'reader'], isAdmin: true,
};

function server(portIds: string[], metadata: Record<string, string> = {}): ServerData {
  return {
    name: 'vm', userId: 'u', flavorId: '1', imageId: '', status: 'BUILD', powerState: 0, taskState: 'spawning', metadata, portIds, ownedPortIds: [],
    volumeAttachments: [], keyName: null, availabilityZone: 'nova', hostId: 'local', launchedAt: null, fault: null, boots: 1,
  };
}

describe('NetworkAgent', () => {
  let tdb: TestDatabase;
  let sdb: SqlDatabase;
  let store: SqlResourceStore;
  let net: NetworkServices;
  let feed: SqlChangeFeed;
  const agents: NetworkAgent[] = [];

  before(async () => {
    tdb = await testDatabaseFactories()[0]!.create();
    sdb = await openDatabase(tdb.url);
    store = new SqlResourceStore(sdb.db, sdb.dialect);
    feed = new SqlChangeFeed(sdb.db);
    net = createNetworkServices({
      store, uuid: randomUUID, random: () => randomInt(0, 2 ** 32) / 2 ** 32,
      config: { typeDrivers: defaultTypeDriverConfig(), baseMac: 'fa:16:3e:00:00:00', underlayMtu: 1500, defaultQuotas: { ...NEUTRON_DEFAULT_QUOTAS }, availabilityZone: 'nova', maxDnsNameservers: 5, maxHostRoutes: 20 },
    });
  });
  after(async () => {
    for (const a of agents) await a.stop();
    await sdb.close();
    await tdb.drop();
  });

  function agent(driver = new SimDataplaneDriver()) {
    const a = new NetworkAgent({
      store, feed, driver, pollMs: 3_600_000,
      writePortStatuses: (s) => writePortStatuses(store, s),
      markServersActive: (ids) => markServersActive(store, ids, new Date().toISOString()),
    });
    agents.push(a);
    return { a, driver };
  }

  async function serverOn(networkId: string, metadata: Record<string, string>) {
    const [p] = await net.ports.createMany(admin, [{ networkId, bindingHostId: 'local', deviceOwner: 'compute:nova' }]);
    const id = randomUUID();
    await store.transaction(async (tx) => {
      await tx.insert(COMPUTE_KIND.server, { id, projectId: 'p-admin', data: server([p!.id], metadata) });
      await tx.update('port', p!.id, { ...(await tx.get<Record<string, unknown>>('port', p!.id))!.data, deviceId: id });
      await tx.recordChange(COMPUTE_KIND.server, id, 'create');
    });
    return { serverId: id, port: p! };
  }

  it('realizes bound ports (ACTIVE), leaves unbound ones DOWN, and moves servers from BUILD to ACTIVE', async () => {
    const { a, driver } = agent();
    await a.start();
    const [n] = await net.networks.createMany(admin, [{ name: 'n1' }]);
    await net.subnets.createMany(admin, [{ networkId: n!.id, cidr: '10.1.0.0/24', ipVersion: 4 }]);
    const web = await serverOn(n!.id, { 'pocketstack:listen': 'tcp/80' });
    const client = await serverOn(n!.id, {});
    const [loose] = await net.ports.createMany(admin, [{ networkId: n!.id }]);
    await a.sync();

    assert.equal((await net.ports.get(admin, web.port.id)).status, 'ACTIVE');
    assert.equal((await net.ports.get(admin, loose!.id)).status, 'DOWN', 'an unbound port is not realized anywhere');
    const dhcp = (await net.ports.list(admin, [n!.id])).find((p) => p.deviceOwner === 'network:dhcp')!;
    assert.equal(dhcp.status, 'ACTIVE');
    assert.equal((await store.get<ServerData>(COMPUTE_KIND.server, web.serverId))!.data.status, 'ACTIVE');

    // The default group lets members of the group in: the listener decides.
    const http = await driver.trace({ from: { portId: client.port.id }, to: { portId: web.port.id }, protocol: 'tcp', port: 80 });
    assert.equal(http.verdict, 'delivered', http.summary);
    const ssh = await driver.trace({ from: { portId: client.port.id }, to: { portId: web.port.id }, protocol: 'tcp', port: 22 });
    assert.equal(ssh.verdict, 'no_listener');
  });

  it('follows later changes by delta: an admin-down port goes DOWN, a rename recompiles nothing', async () => {
    const { a, driver } = agent();
    await a.start();
    const [n] = await net.networks.createMany(admin, [{ name: 'n2' }]);
    await net.subnets.createMany(admin, [{ networkId: n!.id, cidr: '10.2.0.0/24', ipVersion: 4 }]);
    const vm = await serverOn(n!.id, {});
    await a.sync();
    assert.equal((await net.ports.get(admin, vm.port.id)).status, 'ACTIVE');

    await net.ports.update(admin, vm.port.id, { adminStateUp: false });
    await a.sync();
    assert.equal((await net.ports.get(admin, vm.port.id)).status, 'DOWN');

    const applies = (await driver.observe()).counters['applies'];
    await net.networks.update(admin, n!.id, { description: 'only words' });
    await a.sync();
    assert.equal((await driver.observe()).counters['applies'], applies, 'no spec changed, so nothing was applied');
  });

  it('a new agent over the same store (a restart) converges and resumes at the current generation', async () => {
    const first = agent();
    await first.a.start();
    const [n] = await net.networks.createMany(admin, [{ name: 'n3' }]);
    await net.subnets.createMany(admin, [{ networkId: n!.id, cidr: '10.3.0.0/24', ipVersion: 4 }]);
    await first.a.sync();
    await first.a.stop();
    // Written while no agent runs: the port must not stay DOWN forever.
    const vm = await serverOn(n!.id, { 'pocketstack:listen': 'udp/53' });
    assert.equal((await net.ports.get(admin, vm.port.id)).status, 'DOWN');

    const second = agent();
    await second.a.start();
    assert.equal(second.a.status().realizedGeneration, await feed.currentGeneration());
    assert.equal((await net.ports.get(admin, vm.port.id)).status, 'ACTIVE');
    const saved = await store.get<{ realizedGeneration: number }>('agent_state', 'network');
    assert.equal(saved!.data.realizedGeneration, await feed.currentGeneration());
  });
});
