/**
 * Nova's side of Cinder's attachment flow, in-process: create the attachment with our connector
 * (which publishes the NBD export and returns connection_info), then complete it; detaching deletes
 * the attachment. Part of the composition root.
 */
import type { VolumeAttacher } from '../core/compute/compute-deps.js';
import type { AttachmentService } from '../core/volume/attachment-service.js';
import type { VolumeService } from '../core/volume/volume-service.js';

export function cinderVolumeAttacher(attachments: AttachmentService, volumes: VolumeService, hostId: string): VolumeAttacher {
  return {
    async attach(ctx, volumeId, serverId, mountpoint) {
      const connector = { host: hostId, platform: 'x86_64', os_type: 'linux', multipath: false, mountpoint };
      const created = await attachments.create(ctx, { volumeId, instanceUuid: serverId, connector, mode: 'rw' });
      try {
        await attachments.complete(ctx, created.row.id);
      } catch (e) {
        await attachments.delete(ctx, created.row.id).catch(() => undefined);
        throw e;
      }
      return { attachmentId: created.row.id, connectionInfo: (created.connectionInfo as unknown as Record<string, unknown>) ?? null };
    },
    async detach(ctx, _volumeId, attachmentId) {
      await attachments.delete(ctx, attachmentId);
    },
    async assertVisible(ctx, volumeId) {
      await volumes.get(ctx, volumeId);
    },
    servedSize: (attachmentId) => attachments.servedSize(attachmentId),
  };
}
