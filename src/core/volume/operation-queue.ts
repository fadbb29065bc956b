/**
 * Writing a leased operation row (the volume worker's queue, operation-service.ts): call inside the
 * transaction that moves a resource into the transitional status the job will end. Pure: imports only core.
 */
import type { Operation, VolumeJob } from '../model/volume.js';
import type { IdGenerator } from '../ports/crypto.js';
import type { ResourceTx } from '../ports/resource-store.js';
import { KIND } from './common.js';

/** `userId`: who asked, for jobs whose outcome is told to another service in that user's name (extend). */
export async function enqueue(tx: ResourceTx, ids: IdGenerator, projectId: string, requestId: string, job: VolumeJob, userId?: string | null): Promise<string> {
  const id = ids.uuid();
  await tx.insert<Operation>(KIND.operation, { id, projectId, data: { job, requestId, projectId, ...(userId ? { userId } : {}), lease: null, attempts: 0 } });
  return id;
}
