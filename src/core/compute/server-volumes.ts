/**
 * os-volume_attachments: a server's Cinder volumes. Attaching drives Cinder's new attachment flow
 * through the VolumeAttacher (reserve, attachment with our connector, complete) and keeps the
 * connection_info it returns (the NBD export the simulated instance would open); detaching deletes
 * the attachment. Cinder calls happen outside our transactions; the server row is updated after.
 * Each attach and detach that passed the checks is an instance action (attach_volume, detach_volume).
 * Pure core.
 */
import { Conflict, InvalidInput, NotFound } from '../errors.js';
import type { RequestContext } from '../identity/context.js';
import { COMPUTE_KIND, type ServerData, type ServerVolumeAttachment } from '../model/compute.js';
import type { StoredResource } from '../ports/resource-store.js';
import { type ComputeDeps, authorizeCompute } from './compute-deps.js';
import { type InstanceActionLog, actorOf } from './instance-actions.js';

/** The next free virtio name after the ones in use: /dev/vdb, /dev/vdc, … */
export function nextDevice(used: readonly string[]): string {
  for (let c = 'b'.charCodeAt(0); c <= 'z'.charCodeAt(0); c++) {
    const dev = `/dev/vd${String.fromCharCode(c)}`;
    if (!used.includes(dev)) return dev;
  }
  throw new Conflict('No free device name left on this server.', 'NoFreeDevice');
}

export class ServerVolumes {
  constructor(
    private readonly deps: ComputeDeps,
    private readonly actions: InstanceActionLog,
  ) {}

  private attacher() {
    if (!this.deps.volumes) throw new InvalidInput('Block storage is not available in this deployment.', 'VolumeServiceUnavailable');
    return this.deps.volumes;
  }

  list(ctx: RequestContext, server: StoredResource<ServerData>): ServerVolumeAttachment[] {
    authorizeCompute(ctx, 'servers:volumes', server.projectId);
    return server.data.volumeAttachments;
  }

  async attach(ctx: RequestContext, server: StoredResource<ServerData>, volumeId: string, device?: string): Promise<ServerVolumeAttachment> {
    authorizeCompute(ctx, 'servers:volumes', server.projectId);
    if (!['ACTIVE', 'SHUTOFF'].includes(server.data.status)) {
      throw new Conflict(`Cannot 'attach_volume' instance ${server.id} while it is in vm_state ${server.data.status.toLowerCase()}`, 'InstanceInvalidState');
    }
    if (server.data.volumeAttachments.some((a) => a.volumeId === volumeId)) {
      throw new Conflict(`Volume ${volumeId} is already attached to server ${server.id}.`, 'VolumeAttached');
    }
    const attacher = this.attacher();
    await attacher.assertVisible(ctx, volumeId);
    const dev = device || nextDevice(server.data.volumeAttachments.map((a) => a.device));
    return this.actions.around(server, actorOf(ctx), 'attach_volume', async () => {
      const { attachmentId, connectionInfo } = await attacher.attach(ctx, volumeId, server.id, dev);
      const att: ServerVolumeAttachment = { volumeId, attachmentId, device: dev, connectionInfo, deleteOnTermination: false };
      try {
        await this.deps.store.transaction(async (tx) => {
          const row = await tx.getForUpdate<ServerData>(COMPUTE_KIND.server, server.id);
          if (!row) throw new NotFound(`Instance ${server.id} could not be found.`, 'InstanceNotFound');
          await tx.update(COMPUTE_KIND.server, server.id, { ...row.data, volumeAttachments: [...row.data.volumeAttachments, att] });
        });
      } catch (e) {
        // The server went away meanwhile: do not leave the volume in-use for nobody.
        await attacher.detach(ctx, volumeId, attachmentId).catch(() => undefined);
        throw e;
      }
      return att;
    });
  }

  async detach(ctx: RequestContext, server: StoredResource<ServerData>, volumeId: string): Promise<void> {
    authorizeCompute(ctx, 'servers:volumes', server.projectId);
    const att = server.data.volumeAttachments.find((a) => a.volumeId === volumeId);
    if (!att) throw new NotFound(`Volume ${volumeId} is not attached to server ${server.id}.`, 'VolumeAttachmentNotFound');
    const attacher = this.attacher();
    await this.actions.around(server, actorOf(ctx), 'detach_volume', async () => {
      await attacher.detach(ctx, volumeId, att.attachmentId);
      await this.deps.store.transaction(async (tx) => {
        const row = await tx.getForUpdate<ServerData>(COMPUTE_KIND.server, server.id);
        if (!row) return;
        await tx.update(COMPUTE_KIND.server, server.id, { ...row.data, volumeAttachments: row.data.volumeAttachments.filter((a) => a.volumeId !== volumeId) });
      });
    });
  }
}
