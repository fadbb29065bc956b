/**
 * Writing a leased operation row (the volume worker's queue, operation-service.ts): call inside the
 * transaction that moves a resource into the transitional status the job will end. Pure: imports only core.
 */
import type { Operation, VolumeJob } from '../model/volume.js';
import type { IdGenerator } from '../ports/crypto.js';
import type { ResourceTx } from '../ports/resource-store.js';
import { KIND } from './common.js';

export async function enqueue(tx: ResourceTx, ids: IdGenerator, projectId: string, requestId: string, job: VolumeJob): Promise<string> {
  const id = ids.uuid();
  await tx.insert<Operation>(KIND.operation, { id, projectId, data: { job, requestId, projectId, lease: null, attempts: 0 } });
  return id;
}
