/**
 * The backup data path the volume worker runs: copy a volume's (or snapshot's) chunks into the backup
 * repository, rebuild a volume from a chain of backups, remove a backup's bytes. Every step is
 * idempotent, so a job adopted after a crash simply runs again. Layer: agent; imports core/model,
 * core/ports and the pure chain functions of the core it is allowed (core/volume/backup-chain is pure
 * and is passed in through `chain` to keep the dependency rule).
 */
import type { BackupManifest, BackupRepository, ManifestEntry } from '../core/ports/backup-repository.js';
import type { Extent } from '../core/ports/block-device.js';
import type { VolumeDriver } from '../core/ports/volume-driver.js';
import type { VolumeJob } from '../core/model/volume.js';

/** The pure chain functions (core/volume/backup-chain.ts), handed in by the composition root. */
export interface ChainLogic {
  chunkOffsets(ranges: readonly { offset: number; length: number }[], chunkSize: number, sizeBytes: number): number[];
  loadChain(dataId: string, read: (dataId: string) => Promise<BackupManifest | undefined>): Promise<BackupManifest[]>;
  resolveChain(chain: readonly BackupManifest[]): Map<number, string>;
  diffEntries(parent: ReadonlyMap<number, string>, current: ReadonlyMap<number, string | null>): ManifestEntry[];
  baseRefOf(backupId: string): string;
}

export interface BackupResult {
  objectCount: number;
  baseRef: string | null;
  storedBytes: number;
}

const allocated = (extents: readonly Extent[]) => extents.filter((e) => e.state !== 'hole');
const isZero = (b: Uint8Array) => b.every((x) => x === 0);
const isNotFound = (e: unknown) => (e as { code?: string }).code === 'not_found';

export class BackupEngine {
  constructor(
    private readonly driver: VolumeDriver,
    private readonly repo: BackupRepository,
    private readonly chain: ChainLogic,
    private readonly now: () => string,
  ) {}

  /**
   * Full: every chunk the allocation map says holds data. Incremental with the parent's driver
   * snapshot still there: the chunks `changedBlocks` names. Incremental without it (the parent came
   * from a user snapshot, or was imported): every allocated chunk, hashed and compared with the parent.
   */
  async backup(job: Extract<VolumeJob, { type: 'backup' }>): Promise<BackupResult> {
    const { driver, repo, chain } = this;
    const baseRef = job.snapshotId ? null : chain.baseRefOf(job.backupId);
    if (baseRef) await driver.snapshot(job.sourceVolumeId, baseRef);
    const source = job.snapshotId ?? (baseRef as string);
    const cs = repo.chunkSize;
    const dev = await driver.open(source, 'ro');
    try {
      const size = dev.size;
      let offsets: number[];
      let parentImage: Map<number, string> | null = null;
      let changed = false;
      if (job.parent?.baseRef) {
        try {
          offsets = chain.chunkOffsets(await driver.changedBlocks(job.parent.baseRef, source), cs, size);
          changed = true;
        } catch (e) {
          if (!isNotFound(e)) throw e;
          offsets = [];
        }
      } else {
        offsets = [];
      }
      if (!changed) {
        offsets = chain.chunkOffsets(allocated(await driver.allocationMap(source)), cs, size);
        if (job.parent) parentImage = chain.resolveChain(await chain.loadChain(job.parent.dataId, (id) => repo.readManifest(id)));
      }
      return await repo.session(async (s) => {
        const current = new Map<number, string | null>();
        let storedBytes = 0;
        for (const offset of offsets) {
          const data = await dev.read(offset, Math.min(cs, size - offset));
          if (isZero(data)) {
            current.set(offset, null);
            continue;
          }
          const put = await s.putChunk(data);
          storedBytes += put.storedBytes;
          current.set(offset, put.id);
        }
        let entries: ManifestEntry[];
        if (parentImage) entries = chain.diffEntries(parentImage, current);
        else if (job.parent) entries = [...current].map(([offset, chunk]) => ({ offset, chunk })); // changed ranges, zeroes included
        else entries = [...current].filter(([, chunk]) => chunk !== null).map(([offset, chunk]) => ({ offset, chunk }));
        await s.writeManifest({ dataId: job.backupId, parent: job.parent?.dataId ?? null, sizeBytes: size, chunkSize: cs, entries, createdAt: this.now() });
        return { objectCount: entries.filter((e) => e.chunk !== null).length, baseRef, storedBytes };
      });
    } finally {
      await dev.close();
    }
  }

  /**
   * Rebuilds the backup's image on the target: reads and verifies every chunk of the chain first (a
   * corrupt or missing chunk fails the restore before the target is touched), then zeroes the
   * backup's span of the target and writes the chunks, and flushes.
   */
  async restore(job: Extract<VolumeJob, { type: 'restore_backup' }>): Promise<void> {
    const { driver, repo, chain } = this;
    const manifests = await chain.loadChain(job.dataId, (id) => repo.readManifest(id));
    const image = chain.resolveChain(manifests);
    const size = (manifests[manifests.length - 1] as BackupManifest).sizeBytes;
    const cs = (manifests[0] as BackupManifest).chunkSize;
    for (const id of new Set(image.values())) await repo.readChunk(id);
    if (job.createSizeBytes !== null) await driver.create(job.targetVolumeId, Math.max(job.createSizeBytes, size));
    const dev = await driver.open(job.targetVolumeId, 'rw');
    try {
      if (dev.size < size) throw Object.assign(new Error(`volume ${job.targetVolumeId} is smaller than the backup (${dev.size} < ${size} bytes)`), { retryable: false });
      await dev.writeZeroes(0, size);
      for (const offset of [...image.keys()].sort((a, b) => a - b)) {
        const data = await repo.readChunk(image.get(offset) as string);
        await dev.write(offset, data.subarray(0, Math.min(cs, size - offset)));
      }
      await dev.flush();
    } finally {
      await dev.close();
    }
  }

  async remove(job: Extract<VolumeJob, { type: 'delete_backup' }>): Promise<void> {
    if (job.baseRef) await this.driver.deleteSnapshot(job.baseRef);
    if (job.dataId) {
      await this.repo.deleteManifest(job.dataId);
      await this.repo.collectGarbage();
    }
  }

  /** An imported record is usable when its whole chain is in the repository and reads back intact. */
  async verify(job: Extract<VolumeJob, { type: 'import_backup' }>): Promise<void> {
    await this.chain.loadChain(job.dataId, (id) => this.repo.readManifest(id));
  }
}
