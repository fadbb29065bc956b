/**
 * External events other services send a server, as Nova's os-server-external-events receives them;
 * here in-process. `volume-extended` comes from Cinder once an attached volume grew: the compute side
 * records the `extend_volume` action and checks, as a host's rescan would, that the connection the
 * server holds now serves the new size; its `compute_extend_volume` event says whether it does.
 * Pure core.
 */
import { InvalidState } from '../errors.js';
import { COMPUTE_KIND, type ServerData } from '../model/compute.js';
import type { ComputeDeps } from './compute-deps.js';
import type { InstanceActionLog } from './instance-actions.js';

export interface VolumeExtendedEvent {
  serverId: string;
  volumeId: string;
  /** The volume's size after the extend. */
  newSizeBytes: number;
  /**
   * Whom the action is recorded for: Nova records the caller of its events API (Cinder's service
   * user); PocketStack's Cinder has no user of its own, so it passes the user who asked for the extend.
   */
  userId: string | null;
  projectId: string | null;
}

/** What happened to one event: its action's request id and result, or why no action was recorded. */
export type EventOutcome =
  | { status: 'completed'; requestId: string; result: 'Success' | 'Error'; message: string | null }
  | { status: 'instance_not_found' };

export class ServerEvents {
  constructor(
    private readonly deps: ComputeDeps,
    private readonly actions: InstanceActionLog,
  ) {}

  async volumeExtended(e: VolumeExtendedEvent): Promise<EventOutcome> {
    const server = await this.deps.store.get<ServerData>(COMPUTE_KIND.server, e.serverId);
    // Nova answers an event for an unknown instance with 404 and records nothing.
    if (!server) return { status: 'instance_not_found' };
    // Each delivery is its own request to the compute API, as Cinder's call to Nova is.
    const requestId = `req-${this.deps.uuid()}`;
    try {
      await this.actions.around(server, { requestId, userId: e.userId, projectId: e.projectId }, 'extend_volume', () => this.rescan(server.id, e));
      return { status: 'completed', requestId, result: 'Success', message: null };
    } catch (err) {
      return { status: 'completed', requestId, result: 'Error', message: err instanceof Error ? err.message : String(err) };
    }
  }

  /** Finds the server's connection to the volume and checks the size a new connection sees. */
  private async rescan(serverId: string, e: VolumeExtendedEvent): Promise<void> {
    const row = await this.deps.store.get<ServerData>(COMPUTE_KIND.server, serverId);
    const att = row?.data.volumeAttachments.find((a) => a.volumeId === e.volumeId);
    if (!att) throw new InvalidState(`Volume ${e.volumeId} is not attached to instance ${serverId}.`, 'VolumeBDMNotFound');
    if (!this.deps.volumes) throw new InvalidState('Block storage is not available in this deployment.', 'VolumeServiceUnavailable');
    const served = await this.deps.volumes.servedSize(att.attachmentId);
    if (served === null) throw new InvalidState(`No export serves attachment ${att.attachmentId} of volume ${e.volumeId}.`, 'VolumeNotConnected');
    if (served < e.newSizeBytes) {
      throw new InvalidState(`The connection to volume ${e.volumeId} serves ${served} bytes, not the extended ${e.newSizeBytes}.`, 'ExtendVolumeNotSeen');
    }
  }
}
