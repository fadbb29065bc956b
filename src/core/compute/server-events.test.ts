/**
 * Cinder's volume-extended event on the compute side, against the real store (SQLite): the
 * extend_volume action's compute_extend_volume event is Success only when the attachment's export
 * serves the new size; a volume not attached, an attachment not exported or an export still at the
 * old size end in Error with the reason; an unknown server records nothing.
 */
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { COMPUTE_KIND, type InstanceActionData, type ServerData } from '../model/compute.js';
import { openDatabase, type SqlDatabase } from '../../store/sql/database.js';
import { SqlResourceStore } from '../../store/sql/resource-store.js';
import { testDatabaseFactories, type TestDatabase } from '../../store/sql/test-databases.js';
import type { ComputeDeps, VolumeAttacher } from './compute-deps.js';
import { InstanceActionLog } from './instance-actions.js';
import { ServerEvents } from './server-events.js';

const GiB = 1024 ** 3;

function serverWith(attachments: ServerData['volumeAttachments']): ServerData {
  return {
    name: 'vm', userId: 'u', flavorId: '1', imageId: 'i', status: 'ACTIVE', powerState: 1, taskState: null, metadata: {}, portIds: [], ownedPortIds: [],
    volumeAttachments: attachments, keyName: null, availabilityZone: 'nova', hostId: 'local', launchedAt: null, fault: null, boots: 1,
  };
}

describe('ServerEvents.volumeExtended', () => {
  let tdb: TestDatabase;
  let sdb: SqlDatabase;
  let store: SqlResourceStore;
  /** What the fake attacher reports per attachment id. */
  const served = new Map<string, number | null>();
  let events: ServerEvents;

  before(async () => {
    tdb = await testDatabaseFactories()[0]!.create();
    sdb = await openDatabase(tdb.url);
    store = new SqlResourceStore(sdb.db, sdb.dialect);
    const volumes: VolumeAttacher = {
      attach: async () => assert.fail('not used'),
      detach: async () => assert.fail('not used'),
      assertVisible: async () => undefined,
      servedSize: async (id) => served.get(id) ?? null,
    };
    const deps: ComputeDeps = { store, uuid: randomUUID, now: () => new Date().toISOString(), network: {} as ComputeDeps['network'], hostId: 'local', volumes };
    events = new ServerEvents(deps, new InstanceActionLog(deps));
  });
  after(async () => {
    await sdb.close();
    await tdb.drop();
  });

  async function server(volumeId: string, attachmentId: string | null): Promise<string> {
    const id = randomUUID();
    const atts = attachmentId ? [{ volumeId, attachmentId, device: '/dev/vdb', connectionInfo: null, deleteOnTermination: false }] : [];
    await store.insert<ServerData>(COMPUTE_KIND.server, { id, projectId: 'p1', data: serverWith(atts) });
    return id;
  }

  const actionsOf = async (serverId: string) => (await store.list<InstanceActionData>(COMPUTE_KIND.instanceAction, { parentId: serverId })).map((r) => r.data);
  const extended = (serverId: string, volumeId: string) => events.volumeExtended({ serverId, volumeId, newSizeBytes: 2 * GiB, userId: 'u-1', projectId: 'p1' });

  it('Success once the export serves the new size: one extend_volume action with a finished event', async () => {
    served.set('att-ok', 2 * GiB);
    const id = await server('vol-ok', 'att-ok');
    const out = await extended(id, 'vol-ok');
    assert.equal(out.status, 'completed');
    assert.equal(out.status === 'completed' && out.result, 'Success');
    const [a, ...rest] = await actionsOf(id);
    assert.equal(rest.length, 0);
    assert.equal(a!.action, 'extend_volume');
    assert.equal(a!.requestId, out.status === 'completed' ? out.requestId : '');
    assert.match(a!.requestId, /^req-[0-9a-f-]{36}$/);
    assert.equal(a!.userId, 'u-1');
    assert.equal(a!.message, null);
    assert.equal(a!.events.length, 1);
    const e = a!.events[0]!;
    assert.equal(e.event, 'compute_extend_volume');
    assert.equal(e.result, 'Success');
    assert.ok(e.finishTime && e.finishTime >= e.startTime);
    assert.equal(e.traceback, null);
  });

  it('Error when the export still serves the old size, when nothing serves it, or when the volume is not attached', async () => {
    served.set('att-old', 1 * GiB);
    const cases: Array<[string, string | null, RegExp]> = [
      ['vol-old', 'att-old', /ExtendVolumeNotSeen: .*serves 1073741824 bytes, not the extended 2147483648/],
      ['vol-gone', 'att-unexported', /VolumeNotConnected: No export serves attachment att-unexported/],
      ['vol-detached', null, /VolumeBDMNotFound: Volume vol-detached is not attached/],
    ];
    for (const [volumeId, attachmentId, why] of cases) {
      const id = await server(volumeId, attachmentId);
      const out = await extended(id, volumeId);
      assert.equal(out.status === 'completed' && out.result, 'Error', volumeId);
      const [a] = await actionsOf(id);
      assert.equal(a!.message, 'Error', volumeId);
      assert.equal(a!.events[0]!.result, 'Error');
      assert.ok(a!.events[0]!.finishTime);
      assert.match(a!.events[0]!.traceback ?? '', why);
    }
  });

  it('an unknown server records nothing (Nova answers that event 404)', async () => {
    const id = randomUUID();
    assert.deepEqual(await extended(id, 'vol-x'), { status: 'instance_not_found' });
    assert.deepEqual(await actionsOf(id), []);
  });
});
