/**
 * The queue's side of Cinder's volume-extended event, against the real store (SQLite): a finished
 * extend of an attached volume tells the compute side once, after the commit, naming the attached
 * instances and who asked; a failed extend, an extend of a volume without attached instances, and a
 * job finished a second time tell nothing.
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { GiB, type Attachment, type Operation, type Volume } from '../model/volume.js';
import { randomIds } from '../../drivers/crypto/hmac-token-codec.js';
import { openDatabase, type SqlDatabase } from '../../store/sql/database.js';
import { SqlResourceStore } from '../../store/sql/resource-store.js';
import { testDatabaseFactories, type TestDatabase } from '../../store/sql/test-databases.js';
import { KIND } from './common.js';
import type { VolumeExtendedNotice } from './instance-notifier.js';
import { enqueue } from './operation-queue.js';
import { VolumeOperationService } from './operation-service.js';

const volume = (status: Volume['status']): Volume => ({
  name: 'v', description: null, status, size: 1, availabilityZone: 'nova', bootable: false, readonly: false, multiattach: false, volumeTypeId: 't',
  snapshotId: null, sourceVolId: null, imageId: null, userId: 'u-1', metadata: {}, imageMetadata: {}, migrationStatus: null, attachStatus: 'attached',
});

const attachment = (volumeId: string, status: Attachment['status'], instanceUuid: string | null): Attachment => ({
  volumeId, status, instanceUuid, hostName: 'local', mountpoint: '/dev/vdb', attachMode: 'rw', connector: { host: 'local' }, exportName: null, attachedAt: null, detachedAt: null,
});

describe('VolumeOperationService: volume-extended notices', () => {
  let tdb: TestDatabase;
  let sdb: SqlDatabase;
  let store: SqlResourceStore;
  const sent: VolumeExtendedNotice[] = [];
  let committedWhenSent: boolean[] = [];
  let queue: VolumeOperationService;

  before(async () => {
    tdb = await testDatabaseFactories()[0]!.create();
    sdb = await openDatabase(tdb.url);
    store = new SqlResourceStore(sdb.db, sdb.dialect);
    // Counts the transactions still open (until their commit returned) when a notice goes out.
    let open = 0;
    const spied = Object.create(store) as SqlResourceStore;
    spied.transaction = async (fn) => {
      open++;
      try {
        return await store.transaction(fn);
      } finally {
        open--;
      }
    };
    queue = new VolumeOperationService(spied, { now: () => Date.now() }, randomIds, {
      async volumeExtended(n) {
        sent.push(n);
        const v = await store.get<Volume>(KIND.volume, n.volumeId);
        committedWhenSent.push(open === 0 && v?.data.status === 'in-use' && v.data.size === n.newSizeBytes / GiB);
      },
    });
  });
  after(async () => {
    await sdb.close();
    await tdb.drop();
  });

  /** A volume in `extending` with the given attachments and its extend job, claimed by `owner`. */
  async function extending(id: string, toStatus: Volume['status'], atts: Attachment[]): Promise<string> {
    await store.transaction(async (tx) => {
      await tx.insert<Volume>(KIND.volume, { id, projectId: 'p1', data: volume('extending') });
      for (const [i, a] of atts.entries()) await tx.insert<Attachment>(KIND.attachment, { id: `${id}-a${i}`, projectId: 'p1', parentId: id, data: a });
      await enqueue(tx, randomIds, 'p1', `req-${id}`, { type: 'extend', volumeId: id, sizeBytes: 2 * GiB, toStatus }, 'u-1');
    });
    const claimed = await queue.claim('me', 60000, () => false, (job) => 'volumeId' in job && job.volumeId === id);
    assert.ok(claimed);
    return claimed.id;
  }

  it('an attached volume: one notice naming its attached instances (not the detached ones), after the commit', async () => {
    sent.length = 0;
    committedWhenSent = [];
    const op = await extending('v1', 'in-use', [attachment('v1', 'attached', 'srv-1'), attachment('v1', 'attached', 'srv-2'), attachment('v1', 'detached', 'srv-3'), attachment('v1', 'attached', null)]);
    await queue.finish(op, 'me', { ok: true });
    assert.equal(sent.length, 1);
    assert.deepEqual({ ...sent[0], serverIds: [...sent[0]!.serverIds].sort() }, { volumeId: 'v1', newSizeBytes: 2 * GiB, serverIds: ['srv-1', 'srv-2'], userId: 'u-1', projectId: 'p1', requestId: 'req-v1' });
    assert.deepEqual(committedWhenSent, [true]);
    assert.equal((await store.get<Volume>(KIND.volume, 'v1'))!.data.status, 'in-use');
    // Finishing the same job again (a lease adopted after a crash) finds no row and tells nothing more.
    await queue.finish(op, 'me', { ok: true });
    assert.equal(sent.length, 1);
    assert.equal(await store.get<Operation>(KIND.operation, op), undefined);
  });

  it('a failed extend and a volume without attached instances tell nothing', async () => {
    sent.length = 0;
    const failed = await extending('v2', 'in-use', [attachment('v2', 'attached', 'srv-1')]);
    await queue.finish(failed, 'me', { ok: false, message: 'disk full', retryable: false });
    assert.equal((await store.get<Volume>(KIND.volume, 'v2'))!.data.status, 'error_extending');
    const plain = await extending('v3', 'available', []);
    await queue.finish(plain, 'me', { ok: true });
    assert.equal((await store.get<Volume>(KIND.volume, 'v3'))!.data.size, 2);
    assert.deepEqual(sent, []);
  });
});
