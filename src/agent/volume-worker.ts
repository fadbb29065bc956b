/**
 * The volume worker: claims leased operations from the core's queue, runs the driver call each one
 * describes, and reports the outcome (the core moves the resource to available / error). A few jobs
 * at a time (`concurrency`), never two on the same resource. On start it re-publishes the exports attachments
 * had before a restart and adopts the jobs a dead owner left. Layer: agent; imports core/model and
 * core/ports only.
 */
import type { VolumeJob } from '../core/model/volume.js';
import type { VolumeDriver } from '../core/ports/volume-driver.js';
import type { ClaimedJob, ImageBytes, JobOutcome, VolumeJobQueue } from '../core/ports/volume-jobs.js';
import type { BackupEngine } from './volume-backup.js';
import type { NbdVolumeExporter } from './volume-exporter.js';

export interface WorkerLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface VolumeWorkerOptions {
  queue: VolumeJobQueue;
  driver: VolumeDriver;
  exporter: NbdVolumeExporter<unknown>;
  images: ImageBytes;
  /** The backup data path; without it backup jobs fail (no backup repository configured). */
  backups?: BackupEngine;
  /** This process's lease owner id. */
  owner: string;
  /** True for owners known to be gone (an earlier process on the same HOME). */
  isDead(owner: string): boolean;
  logger: WorkerLogger;
  leaseMs?: number;
  pollMs?: number;
  /** Jobs run at once (default 1); jobs on the same resource never overlap. */
  concurrency?: number;
}

/** Every resource id a job names (volumes, snapshots, backups and their data, images). */
export function jobKeys(job: VolumeJob): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(job)) {
    if (k === 'type' || k === 'unschedulable') continue;
    const values: unknown[] = Array.isArray(v) ? v : v && typeof v === 'object' ? Object.values(v) : [v];
    for (const x of values) if (typeof x === 'string') out.push(x);
  }
  return out;
}

const COPY_CHUNK = 4 * 1024 * 1024;

export class VolumeWorker {
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private pending = false;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly concurrency: number;
  /** Running jobs by operation id, with the resource ids each one touches. */
  private readonly active = new Map<string, string[]>();

  constructor(private readonly o: VolumeWorkerOptions) {
    this.leaseMs = o.leaseMs ?? 15000;
    this.pollMs = o.pollMs ?? 1000;
    this.concurrency = Math.max(1, o.concurrency ?? 1);
  }

  async start(): Promise<void> {
    for (const e of await this.o.queue.activeExports()) {
      try {
        await this.o.exporter.publish(e.exportName, e.volumeId, { readOnly: e.readOnly, qos: e.qos, transport: e.transport });
      } catch (err) {
        this.o.logger.warn({ err, export: e.exportName }, 'could not re-publish an export');
      }
    }
    this.running = true;
    this.loop = this.run();
  }

  /** Called after a commit that enqueued a job: no need to wait for the next poll. */
  wake(): void {
    this.pending = true;
    this.wakeUp?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wakeUp?.();
    await this.loop;
  }

  /**
   * Claims jobs while fewer than `concurrency` run, passing over jobs that name a resource (volume,
   * snapshot, backup, image) a running job names, so two jobs on one resource never overlap. Each job
   * keeps its own lease; a finished job wakes the loop.
   */
  private async run(): Promise<void> {
    while (this.running) {
      this.pending = false;
      let claimed: ClaimedJob | undefined;
      if (this.active.size < this.concurrency) {
        const busy = new Set<string>();
        for (const keys of this.active.values()) for (const k of keys) busy.add(k);
        try {
          claimed = await this.o.queue.claim(this.o.owner, this.leaseMs, this.o.isDead, (job) => !jobKeys(job).some((k) => busy.has(k)));
        } catch (err) {
          this.o.logger.error({ err }, 'volume worker could not claim a job');
        }
      }
      if (claimed) {
        const c = claimed;
        this.active.set(c.id, jobKeys(c.job));
        void this.execute(c).finally(() => {
          this.active.delete(c.id);
          this.wake();
        });
        continue;
      }
      if (this.pending || !this.running) continue;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, this.pollMs);
        this.wakeUp = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wakeUp = null;
    }
    while (this.active.size > 0) await new Promise((r) => setTimeout(r, 20));
  }

  private async execute(c: ClaimedJob): Promise<void> {
    const renew = setInterval(() => void this.o.queue.renew(c.id, this.o.owner, this.leaseMs).catch(() => undefined), this.leaseMs / 3);
    let outcome: JobOutcome;
    try {
      outcome = (await this.perform(c.job)) ?? { ok: true };
    } catch (err) {
      const e = err as { message?: string; retryable?: boolean; code?: string };
      this.o.logger.warn({ err, job: c.job, attempt: c.attempts, requestId: c.requestId }, 'volume job failed');
      outcome = { ok: false, message: e.message ?? String(err), retryable: e.retryable === true };
    } finally {
      clearInterval(renew);
    }
    try {
      await this.o.queue.finish(c.id, this.o.owner, outcome);
    } catch (err) {
      // The lease expires and the job runs again; every step is idempotent.
      this.o.logger.error({ err, job: c.job }, 'could not record a volume job outcome');
    }
  }

  private async perform(job: VolumeJob): Promise<JobOutcome | void> {
    const { driver, exporter } = this.o;
    if ((job.type === 'create' || job.type === 'clone' || job.type === 'create_from_image') && job.unschedulable) {
      throw Object.assign(new Error(job.unschedulable), { retryable: false });
    }
    switch (job.type) {
      case 'create':
        return driver.create(job.volumeId, job.sizeBytes);
      case 'clone':
        return driver.clone(job.sourceId, job.volumeId, job.sizeBytes);
      case 'create_from_image':
        return this.createFromImage(job.volumeId, job.imageId, job.sizeBytes);
      case 'delete':
        await exporter.unpublishVolume(job.volumeId);
        for (const s of job.snapshotIds) await driver.deleteSnapshot(s);
        return driver.delete(job.volumeId);
      case 'extend':
        await driver.extend(job.volumeId, job.sizeBytes);
        return exporter.refresh(job.volumeId);
      case 'snapshot':
        return driver.snapshot(job.volumeId, job.snapshotId);
      case 'delete_snapshot':
        return driver.deleteSnapshot(job.snapshotId);
      case 'revert':
        return driver.revert(job.volumeId, job.snapshotId);
      case 'backup':
        return { ok: true, backup: await this.backupEngine().backup(job) };
      case 'restore_backup':
        return this.backupEngine().restore(job);
      case 'delete_backup':
        return this.backupEngine().remove(job);
      case 'import_backup':
        return this.backupEngine().verify(job);
      case 'upload_image': {
        const dev = await driver.open(job.volumeId, 'ro');
        try {
          const image = await this.o.images.writeRaw(job.imageId, dev.size, (offset, length) => dev.read(offset, length), job.diskFormat);
          return { ok: true, image };
        } finally {
          await dev.close();
        }
      }
    }
  }

  private backupEngine(): BackupEngine {
    if (!this.o.backups) throw Object.assign(new Error('no backup repository is configured'), { retryable: false });
    return this.o.backups;
  }

  private async createFromImage(volumeId: string, imageId: string, sizeBytes: number): Promise<void> {
    await this.o.driver.create(volumeId, sizeBytes);
    const src = await this.o.images.readRaw(imageId);
    const dev = await this.o.driver.open(volumeId, 'rw');
    try {
      const end = Math.min(src.size, dev.size);
      for (let off = 0; off < end; off += COPY_CHUNK) {
        const chunk = await src.read(off, Math.min(COPY_CHUNK, end - off));
        // Zero chunks stay holes: a thin volume from a mostly empty image stays thin.
        if (chunk.some((b) => b !== 0)) await dev.write(off, chunk);
      }
      await dev.flush();
    } finally {
      await dev.close();
      await src.close();
    }
  }
}
