/**
 * Volume create's group check (3.13), apart from the group service so volume-service does not
 * import it back. Pure: imports only core.
 */
import type { RequestContext } from '../identity/context.js';
import type { VolumeGroup, VolumeType } from '../model/volume.js';
import type { ResourceTx, StoredResource } from '../ports/resource-store.js';
import { KIND, badRequest, groupNotFound, invalidInput, loadScoped } from './common.js';

/** Volume create's group check: the group exists, is usable and allows the volume's type. */
export async function checkGroupForVolume(tx: ResourceTx, ctx: RequestContext, groupId: string, type: StoredResource<VolumeType>): Promise<void> {
  const g = await loadScoped<VolumeGroup>(tx, ctx, KIND.group, groupId, groupNotFound);
  if (g.data.status !== 'available' && g.data.status !== 'in-use') throw badRequest(`Invalid group: Group ${groupId} status must be available or in-use, but current status is: ${g.data.status}.`);
  if (!g.data.volumeTypeIds.includes(type.id)) throw invalidInput(`Invalid volume_type provided: ${type.id} is not supported by group ${groupId}.`);
}

