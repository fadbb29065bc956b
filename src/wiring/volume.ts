/**
 * Block storage module: the Cinder v3 API, the local copy-on-write store under HOME/volumes, the NBD
 * server (HOME/nbd.sock and a loopback TCP port chosen by the OS) and the volume worker that runs
 * leased operations. Part of the composition root: may import every layer.
 */
import { join } from 'node:path';
import { NbdVolumeExporter } from '../agent/volume-exporter.js';
import { VolumeWorker } from '../agent/volume-worker.js';
import { BackupEngine } from '../agent/volume-backup.js';
import { LocalBackupRepository } from '../drivers/backup/local/local-backup-repository.js';
import { BackupService } from '../core/volume/backup-service.js';
import { baseRefOf, chunkOffsets, diffEntries, loadChain, resolveChain } from '../core/volume/backup-chain.js';
import { registerVolumeApi } from '../api/volume/index.js';
import { AttachmentService } from '../core/volume/attachment-service.js';
import { TypeEncryptionService } from '../core/volume/encryption-service.js';
import { VolumeTransferService } from '../core/volume/transfer-service.js';
import { GroupService } from '../core/volume/group-service.js';
import { GroupTypeService } from '../core/volume/group-type-service.js';
import { BlockStorageInfo } from '../core/volume/info-service.js';
import { MessageService } from '../core/volume/message-service.js';
import { VolumeOperationService } from '../core/volume/operation-service.js';
import { QosService } from '../core/volume/qos-service.js';
import { QuotaService } from '../core/volume/quota-service.js';
import { SnapshotService } from '../core/volume/snapshot-service.js';
import { VolumeTypeService } from '../core/volume/type-service.js';
import { VolumeActions } from '../core/volume/volume-actions.js';
import { VolumeService, type VolumeServiceDeps } from '../core/volume/volume-service.js';
import { LocalImageStore } from '../drivers/image/local-image-store.js';
import { LocalVolumeDriver } from '../drivers/storage/local/local-volume-driver.js';
import { NbdServer } from '../export/nbd/nbd-server.js';
import { qosFromCinderSpecs } from '../export/nbd/qos.js';
import type { ModuleFactory } from './module.js';
import { cinderVolumeAttacher } from './volume-attacher.js';
import { DEFAULT_HOST_ID } from '../core/network/topology/topology.js';

/** Lease length of a running operation; renewed every third of it while the driver works. */
const LEASE_MS = Number(process.env.POCKETSTACK_VOLUME_LEASE_MS ?? 15000);
/** Volume jobs run at once (never two on the same resource); a long backup no longer holds up the rest. */
const JOBS = Number(process.env.POCKETSTACK_VOLUME_JOBS ?? 3);

export const volumeModule: ModuleFactory = ({ app, resources, ids, clock, logger, home, projectExists, shared }) => {
  const log = logger.child({ module: 'volume' });
  const exporter = new NbdVolumeExporter((specs) => qosFromCinderSpecs(specs));
  const images = new LocalImageStore(join(home, 'images'));
  let worker: VolumeWorker | null = null;
  let driver: LocalVolumeDriver | null = null;
  let nbd: NbdServer | null = null;

  const types = new VolumeTypeService(resources, ids);
  const quotas = new QuotaService(resources, projectExists);
  const deps: VolumeServiceDeps = { store: resources, ids, clock, types, quotas, kick: () => worker?.wake() };
  // Cinder's volume-extended event to Nova, in-process; the compute module may mount later or not at all.
  const operations = new VolumeOperationService(resources, clock, ids, {
    async volumeExtended(n) {
      for (const serverId of n.serverIds) {
        try {
          const events = shared.serverEvents;
          if (!events) return;
          const out = await events.volumeExtended({ serverId, volumeId: n.volumeId, newSizeBytes: n.newSizeBytes, userId: n.userId, projectId: n.projectId });
          // requestId is the extend's; the outcome names the compute action's own request id.
          log.info({ requestId: n.requestId, serverId, volumeId: n.volumeId, event: 'volume-extended', outcome: out }, 'volume-extended event delivered to compute');
        } catch (err) {
          log.warn({ err, requestId: n.requestId, serverId, volumeId: n.volumeId }, 'could not deliver the volume-extended event to compute');
        }
      }
    },
  });
  const volumes = new VolumeService(deps);
  const attachments = new AttachmentService(resources, ids, clock, exporter);
  shared.volumeAttacher = cinderVolumeAttacher(attachments, volumes, DEFAULT_HOST_ID);
  registerVolumeApi(app, {
    volumes,
    actions: new VolumeActions(deps, true),
    attachments,
    snapshots: new SnapshotService(deps),
    types,
    qos: new QosService(resources, ids),
    quotas,
    messages: new MessageService(resources, clock),
    transfers: new VolumeTransferService(deps),
    encryption: new TypeEncryptionService(resources, ids),
    backups: new BackupService(deps),
    groups: new GroupService(deps, volumes),
    groupTypes: new GroupTypeService(resources, ids),
    info: new BlockStorageInfo(resources, clock, quotas, async () => (driver ? driver.stats() : null)),
  });

  // Another owner with our HOME prefix is an earlier process on this store: the store's LOCK says it
  // is gone (we hold the lock now), so its leases are adopted at once instead of after expiry.
  const ownerPrefix = `${home}#`;
  const owner = `${ownerPrefix}${ids.uuid()}`;

  return {
    name: 'volume',
    catalog: (base) => [
      { type: 'volumev3', name: 'cinderv3', description: 'Block Storage (Cinder v3)', url: `${base}/volume/v3/$(project_id)s` },
      { type: 'block-storage', name: 'cinder', description: 'Block Storage (Cinder v3)', url: `${base}/volume/v3/$(project_id)s` },
    ],
    async start() {
      await types.ensureDefault();
      driver = await LocalVolumeDriver.open(join(home, 'volumes'));
      nbd = new NbdServer();
      const socket = join(home, 'nbd.sock');
      await nbd.listen({ path: socket });
      const tcp = await nbd.listen({ host: '127.0.0.1', port: 0 });
      exporter.attach(driver, nbd, { socket, tcp: { host: tcp.host ?? '127.0.0.1', port: tcp.port ?? 0 } });
      // Backups live apart from the volume store, in HOME/backups (docs/backups.md).
      const repository = await LocalBackupRepository.open(join(home, 'backups'));
      const backups = new BackupEngine(driver, repository, { chunkOffsets, loadChain, resolveChain, diffEntries, baseRefOf }, () => new Date(clock.now()).toISOString());
      worker = new VolumeWorker({
        queue: operations,
        driver,
        exporter,
        images,
        backups,
        owner,
        isDead: (o) => o.startsWith(ownerPrefix) && o !== owner,
        logger: log,
        leaseMs: LEASE_MS,
        concurrency: JOBS,
      });
      await worker.start();
    },
    async stop() {
      await worker?.stop();
      await exporter.closeAll();
      await nbd?.close();
      await driver?.close();
    },
  };
};
