/**
 * Port: the queue of long block storage operations, as the volume worker (src/agent) sees it. The
 * core implements it over leased operation rows (core/volume/operation-service.ts); the worker only
 * claims a job, runs the driver call it describes, and reports the outcome. Pure types.
 *
 * Contract: `claim` hands a job to one owner at a time (a compare-and-swap on the row) and adopts
 * jobs whose lease expired or whose owner `isDead` says is gone; a claimed job must be finished or its
 * lease renewed before `leaseMs` passes. `finish` moves the resource to its final state and removes
 * the row in one transaction; finishing a job twice is harmless.
 */
import type { VolumeJob } from '../model/volume.js';

export interface ClaimedJob {
  id: string;
  job: VolumeJob;
  attempts: number;
  requestId: string;
}

export type JobOutcome =
  | {
      ok: true;
      image?: { size: number; checksum: string; sha512: string };
      /** What a backup job stored: chunks, the driver snapshot it keeps for the next incremental, bytes added. */
      backup?: { objectCount: number; baseRef: string | null; storedBytes: number };
    }
  | { ok: false; message: string; retryable: boolean };

export interface ActiveExport {
  exportName: string;
  volumeId: string;
  readOnly: boolean;
  qos: Record<string, string>;
  transport: 'unix' | 'tcp';
}

export interface VolumeJobQueue {
  /** `accept` lets a worker running several jobs pass over the ones that touch what it is busy with. */
  claim(owner: string, leaseMs: number, isDead: (owner: string) => boolean, accept?: (job: VolumeJob) => boolean): Promise<ClaimedJob | undefined>;
  renew(id: string, owner: string, leaseMs: number): Promise<boolean>;
  finish(id: string, owner: string, outcome: JobOutcome): Promise<void>;
  /** Attachments that should be exported now (re-published after a restart). */
  activeExports(): Promise<ActiveExport[]>;
}

/** Port: image bytes for create-from-image and upload-to-image (HOME/images). */
export interface ImageBytes {
  /** Raw bytes of the image converted to a raw disk (qcow2 is converted); rejects when missing. */
  readRaw(imageId: string): Promise<{ size: number; read(offset: number, length: number): Promise<Uint8Array>; close(): Promise<void> }>;
  /** Stores `size` bytes produced by `read` as the image's file; returns the checksum (md5 hex) and size. */
  writeRaw(
    imageId: string,
    size: number,
    read: (offset: number, length: number) => Promise<Uint8Array>,
    diskFormat: 'raw' | 'qcow2',
  ): Promise<{ size: number; checksum: string; sha512: string }>;
}
