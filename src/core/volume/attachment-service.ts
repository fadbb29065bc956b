/**
 * Attachments: the new attach API (3.27: create/update/complete/delete; mode 3.54) and the legacy
 * actions Nova used before it (os-initialize_connection, os-attach, os-detach, os-terminate_connection).
 * Both end in the same rows. Giving a connector publishes an NBD export (after the transaction
 * commits) whose location is the attachment's connection_info; the volume type's front-end QoS goes
 * with it. Pure: imports only core.
 */
import type { RequestContext } from '../identity/context.js';
import type { Attachment, AttachMode, ConnectionInfo, Connector, Volume, VolumeStatus } from '../model/volume.js';
import type { Clock } from '../ports/clock.js';
import type { IdGenerator } from '../ports/crypto.js';
import type { ResourceStore, ResourceTx, StoredResource } from '../ports/resource-store.js';
import type { VolumeExporter } from '../ports/volume-export.js';
import { Unavailable } from '../errors.js';
import { KIND, attachmentNotFound, authorizeVolume, badRequest, invalidVolume, isoNow, loadScoped, volumeNotFound } from './common.js';
import { qosOfType } from './operation-service.js';

export interface AttachmentView {
  row: StoredResource<Attachment>;
  connectionInfo: ConnectionInfo | null;
}

const ATTACHABLE: readonly VolumeStatus[] = ['available', 'reserved', 'attaching', 'in-use', 'detaching'];

/** The volume's status and attach_status implied by its remaining attachments. */
export function statusFromAttachments(atts: readonly Attachment[]): { status: VolumeStatus; attachStatus: Volume['attachStatus'] } {
  if (atts.some((a) => a.status === 'attached' || a.status === 'detaching')) return { status: 'in-use', attachStatus: 'attached' };
  if (atts.some((a) => a.status === 'attaching')) return { status: 'attaching', attachStatus: 'attaching' };
  if (atts.some((a) => a.status === 'reserved')) return { status: 'reserved', attachStatus: 'reserved' };
  return { status: 'available', attachStatus: 'detached' };
}

function parseConnector(c: unknown): Connector {
  if (c === null || typeof c !== 'object' || Array.isArray(c)) throw badRequest('Invalid input received: connector must be a dictionary.');
  return c as Connector;
}

function parseMode(m: unknown): AttachMode | undefined {
  if (m === undefined || m === null) return undefined;
  if (m !== 'rw' && m !== 'ro') throw badRequest(`Invalid input received: Invalid attaching mode '${String(m)}' for volume.`);
  return m;
}

const transportOf = (c: Connector | null): 'unix' | 'tcp' => (c && (c['transport'] === 'tcp' || c['nbd_transport'] === 'tcp') ? 'tcp' : 'unix');

export class AttachmentService {
  constructor(
    private readonly store: ResourceStore,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
    private readonly exporter: VolumeExporter,
  ) {}

  connectionInfo(a: Attachment, volume: Volume | undefined): ConnectionInfo | null {
    if (!a.exportName) return null;
    const loc = this.exporter.locate(a.exportName, transportOf(a.connector));
    const readOnly = a.attachMode === 'ro' || (volume?.readonly ?? false);
    return {
      driver_volume_type: 'nbd',
      data: {
        uri: loc.uri, export_name: a.exportName, read_only: readOnly, access_mode: readOnly ? 'ro' : 'rw',
        ...(loc.socket ? { socket: loc.socket } : {}), ...(loc.host ? { host: loc.host, port: loc.port } : {}),
        qos_specs: null,
      },
    };
  }

  async view(row: StoredResource<Attachment>): Promise<AttachmentView> {
    const vol = await this.store.get<Volume>(KIND.volume, row.data.volumeId);
    return { row, connectionInfo: this.connectionInfo(row.data, vol?.data) };
  }

  async get(ctx: RequestContext, id: string): Promise<AttachmentView> {
    const row = await loadScoped<Attachment>(this.store, ctx, KIND.attachment, id, attachmentNotFound);
    authorizeVolume(ctx, 'attachment:get', row.projectId);
    return this.view(row);
  }

  /**
   * The size a new connection to the attachment's export sees now; null when the attachment is gone
   * or not exported. For the compute side's rescan after an extend (no policy: not a user call).
   */
  async servedSize(attachmentId: string): Promise<number | null> {
    const row = await this.store.get<Attachment>(KIND.attachment, attachmentId);
    return row?.data.exportName ? this.exporter.exportedSize(row.data.exportName) : null;
  }

  async list(ctx: RequestContext, allTenants: boolean): Promise<StoredResource<Attachment>[]> {
    authorizeVolume(ctx, 'volume:get_all');
    if (ctx.isAdmin && allTenants) return this.store.list<Attachment>(KIND.attachment);
    return this.store.list<Attachment>(KIND.attachment, { projectId: ctx.projectId ?? '' });
  }

  /** POST /attachments: reserves the volume; with a connector also connects (publishes the export). */
  async create(ctx: RequestContext, input: { volumeId: unknown; instanceUuid?: unknown; connector?: unknown; mode?: unknown }): Promise<AttachmentView> {
    if (typeof input.volumeId !== 'string') throw badRequest("Invalid input for field/attribute volume_uuid. 'volume_uuid' is a required property");
    const volumeId = input.volumeId;
    const instance = input.instanceUuid === undefined || input.instanceUuid === null ? null : String(input.instanceUuid);
    const connector = input.connector === undefined || input.connector === null ? null : parseConnector(input.connector);
    const mode = parseMode(input.mode);
    const row = await this.store.transaction(async (tx) => {
      const vol = await loadScoped<Volume>(tx, ctx, KIND.volume, volumeId, volumeNotFound);
      authorizeVolume(ctx, 'attachment:write', vol.projectId);
      return this.insertAttachment(tx, vol, { instance, hostName: (connector?.host as string | undefined) ?? null, mountpoint: null, connector, mode, status: connector ? 'attaching' : 'reserved' });
    });
    await this.publishIfConnected(row);
    return this.view(row);
  }

  /** PUT /attachments/{id}: gives the connector, publishes the export, returns connection_info. */
  async update(ctx: RequestContext, id: string, connectorIn: unknown): Promise<AttachmentView> {
    const connector = parseConnector(connectorIn);
    const row = await this.store.transaction(async (tx) => {
      const a = await loadScoped<Attachment>(tx, ctx, KIND.attachment, id, attachmentNotFound);
      authorizeVolume(ctx, 'attachment:write', a.projectId);
      const exportName = a.data.exportName ?? `att-${this.ids.hex()}`;
      const updated = await tx.update<Attachment>(KIND.attachment, id, {
        ...a.data, connector, exportName, hostName: (connector.host as string | undefined) ?? a.data.hostName,
        status: a.data.status === 'attached' ? 'attached' : 'attaching',
      }, { expectRevision: a.revision });
      await this.settleVolume(tx, a.data.volumeId);
      return updated;
    });
    await this.publishIfConnected(row);
    return this.view(row);
  }

  /** os-complete (3.44): the consumer is connected; the volume is in-use. */
  async complete(ctx: RequestContext, id: string): Promise<void> {
    await this.store.transaction(async (tx) => {
      const a = await loadScoped<Attachment>(tx, ctx, KIND.attachment, id, attachmentNotFound);
      authorizeVolume(ctx, 'attachment:write', a.projectId);
      await tx.update<Attachment>(KIND.attachment, id, { ...a.data, status: 'attached', attachedAt: isoNow(this.clock.now()) }, { expectRevision: a.revision });
      await this.settleVolume(tx, a.data.volumeId);
    });
  }

  /** DELETE /attachments/{id}: unpublishes and removes it; the volume goes back to what the rest imply. */
  async delete(ctx: RequestContext, id: string): Promise<void> {
    const exportName = await this.store.transaction(async (tx) => {
      const a = await loadScoped<Attachment>(tx, ctx, KIND.attachment, id, attachmentNotFound);
      authorizeVolume(ctx, 'attachment:write', a.projectId);
      await tx.delete(KIND.attachment, id);
      await this.settleVolume(tx, a.data.volumeId);
      return a.data.exportName;
    });
    if (exportName) await this.exporter.unpublish(exportName);
  }

  // ---- legacy actions
  async initializeConnection(ctx: RequestContext, volumeId: string, connectorIn: unknown): Promise<ConnectionInfo> {
    if (connectorIn === undefined) throw badRequest('Invalid input received: Must specify a connector.');
    const connector = parseConnector(connectorIn);
    const row = await this.store.transaction(async (tx) => {
      const vol = await loadScoped<Volume>(tx, ctx, KIND.volume, volumeId, volumeNotFound);
      authorizeVolume(ctx, 'volume:action', vol.projectId);
      const atts = await tx.list<Attachment>(KIND.attachment, { parentId: volumeId });
      const host = (connector.host as string | undefined) ?? null;
      const mine = atts.find((a) => a.data.status !== 'detached' && (a.data.hostName === host || (a.data.status === 'reserved' && !a.data.connector)));
      if (mine) {
        return tx.update<Attachment>(KIND.attachment, mine.id, { ...mine.data, connector, hostName: host, exportName: mine.data.exportName ?? `att-${this.ids.hex()}` });
      }
      return this.insertAttachment(tx, vol, { instance: null, hostName: host, mountpoint: null, connector, mode: undefined, status: 'attaching', keepVolumeStatus: true });
    });
    await this.publishIfConnected(row);
    const vol = await this.store.get<Volume>(KIND.volume, volumeId);
    return this.connectionInfo(row.data, vol?.data) as ConnectionInfo;
  }

  async terminateConnection(ctx: RequestContext, volumeId: string, connectorIn: unknown): Promise<void> {
    const connector = connectorIn === undefined || connectorIn === null ? {} : parseConnector(connectorIn);
    const names = await this.store.transaction(async (tx) => {
      const vol = await loadScoped<Volume>(tx, ctx, KIND.volume, volumeId, volumeNotFound);
      authorizeVolume(ctx, 'volume:action', vol.projectId);
      const out: string[] = [];
      for (const a of await tx.list<Attachment>(KIND.attachment, { parentId: volumeId })) {
        if (!a.data.exportName || (connector.host !== undefined && a.data.hostName !== connector.host)) continue;
        out.push(a.data.exportName);
        await tx.update<Attachment>(KIND.attachment, a.id, { ...a.data, exportName: null });
      }
      return out;
    });
    for (const n of names) await this.exporter.unpublish(n);
  }

  async attach(ctx: RequestContext, volumeId: string, input: { instanceUuid?: unknown; hostName?: unknown; mountpoint?: unknown; mode?: unknown }): Promise<void> {
    const instance = input.instanceUuid === undefined || input.instanceUuid === null ? null : String(input.instanceUuid);
    const hostName = input.hostName === undefined || input.hostName === null ? null : String(input.hostName);
    if (!instance && !hostName) throw badRequest('Invalid request to attach volume to an invalid target');
    const mode = parseMode(input.mode ?? 'rw');
    await this.store.transaction(async (tx) => {
      const vol = await loadScoped<Volume>(tx, ctx, KIND.volume, volumeId, volumeNotFound);
      authorizeVolume(ctx, 'volume:action', vol.projectId);
      if (vol.data.readonly && mode === 'rw') throw invalidVolume('Invalid attaching mode: a read-only volume must be attached in ro mode.');
      const atts = await tx.list<Attachment>(KIND.attachment, { parentId: volumeId });
      const pending = atts.find((a) => (a.data.status === 'reserved' || a.data.status === 'attaching') && (!a.data.instanceUuid || a.data.instanceUuid === instance));
      const now = isoNow(this.clock.now());
      const mountpoint = input.mountpoint === undefined || input.mountpoint === null ? null : String(input.mountpoint);
      if (pending) {
        await tx.update<Attachment>(KIND.attachment, pending.id, { ...pending.data, status: 'attached', instanceUuid: instance, hostName: hostName ?? pending.data.hostName, mountpoint, attachMode: mode ?? 'rw', attachedAt: now });
      } else {
        const a = await this.insertAttachment(tx, vol, { instance, hostName, mountpoint, connector: null, mode, status: 'attached' });
        await tx.update<Attachment>(KIND.attachment, a.id, { ...a.data, attachedAt: now });
      }
      await this.settleVolume(tx, volumeId);
    });
  }

  async detach(ctx: RequestContext, volumeId: string, attachmentId: unknown): Promise<void> {
    const names = await this.store.transaction(async (tx) => {
      const vol = await loadScoped<Volume>(tx, ctx, KIND.volume, volumeId, volumeNotFound);
      authorizeVolume(ctx, 'volume:action', vol.projectId);
      const { victims } = await this.detachVictims(tx, volumeId, attachmentId);
      // Cinder answers a detach of a volume without attachments by settling it to available (202);
      // outside the attach-related statuses (creating, error, ...) there is nothing to settle.
      if (victims.length === 0 && !ATTACHABLE.includes(vol.data.status)) throw invalidVolume(`Volume ${volumeId} is not attached (status ${vol.data.status}).`);
      for (const a of victims) await tx.delete(KIND.attachment, a.id);
      await this.settleVolume(tx, volumeId);
      return victims.map((a) => a.data.exportName).filter((n): n is string => !!n);
    });
    for (const n of names) await this.exporter.unpublish(n);
  }

  /**
   * os-force_detach (admin): ends an attachment in any volume status, for an operator cleaning up
   * after a consumer that is gone or a volume reset to error. The volume's status then follows the
   * attachments left (available when none), whatever it was.
   */
  async forceDetach(ctx: RequestContext, volumeId: string, attachmentId: unknown): Promise<void> {
    if (attachmentId !== undefined && attachmentId !== null && typeof attachmentId !== 'string') throw badRequest('Invalid input received: attachment_id must be a string.');
    const names = await this.store.transaction(async (tx) => {
      const vol = await loadScoped<Volume>(tx, ctx, KIND.volume, volumeId, volumeNotFound);
      authorizeVolume(ctx, 'volume:force_detach', vol.projectId);
      const { live, victims } = await this.detachVictims(tx, volumeId, attachmentId);
      if (victims.length === 0) throw invalidVolume(`Volume ${volumeId} has no attachment to detach.`);
      for (const a of victims) await tx.delete(KIND.attachment, a.id);
      const left = live.filter((a) => !victims.includes(a)).map((a) => a.data);
      const current = (await tx.getForUpdate<Volume>(KIND.volume, volumeId))!;
      await tx.update<Volume>(KIND.volume, volumeId, { ...current.data, ...statusFromAttachments(left) });
      return victims.map((a) => a.data.exportName).filter((n): n is string => !!n);
    });
    for (const n of names) await this.exporter.unpublish(n);
  }

  /** The attachments a detach ends: the one named, or the only one; several without a name is 400. */
  private async detachVictims(tx: ResourceTx, volumeId: string, attachmentId: unknown): Promise<{ live: StoredResource<Attachment>[]; victims: StoredResource<Attachment>[] }> {
    const live = (await tx.list<Attachment>(KIND.attachment, { parentId: volumeId })).filter((a) => a.data.status !== 'detached');
    if (attachmentId !== undefined && attachmentId !== null) {
      const victims = live.filter((a) => a.id === attachmentId);
      if (victims.length === 0) throw attachmentNotFound(String(attachmentId));
      return { live, victims };
    }
    if (live.length > 1) throw invalidVolume('Volume has more than one attachment; specify attachment_id.');
    return { live, victims: live };
  }

  /** Sets the volume's status from its attachments, when it is in an attach-related status. */
  private async settleVolume(tx: ResourceTx, volumeId: string): Promise<void> {
    const vol = await tx.getForUpdate<Volume>(KIND.volume, volumeId);
    if (!vol || !ATTACHABLE.includes(vol.data.status)) return;
    const atts = await tx.list<Attachment>(KIND.attachment, { parentId: volumeId });
    const next = statusFromAttachments(atts.map((a) => a.data));
    if (next.status !== vol.data.status || next.attachStatus !== vol.data.attachStatus) {
      await tx.update<Volume>(KIND.volume, volumeId, { ...vol.data, ...next });
    }
  }

  private async insertAttachment(
    tx: ResourceTx,
    vol: StoredResource<Volume>,
    a: { instance: string | null; hostName: string | null; mountpoint: string | null; connector: Connector | null; mode: AttachMode | undefined; status: Attachment['status']; keepVolumeStatus?: boolean },
  ): Promise<StoredResource<Attachment>> {
    if (!ATTACHABLE.includes(vol.data.status)) {
      throw invalidVolume(`Volume ${vol.id} status must be available or in-use or reserved to attach, but current status is: ${vol.data.status}.`);
    }
    const live = (await tx.list<Attachment>(KIND.attachment, { parentId: vol.id })).filter((x) => x.data.status !== 'detached');
    if (live.length > 0 && !vol.data.multiattach && !a.keepVolumeStatus) {
      throw invalidVolume(`Volume ${vol.id} status must be available or downloading to reserve, but the current status is ${vol.data.status}.`);
    }
    if (vol.data.readonly && a.mode === 'rw') throw invalidVolume('Invalid attaching mode: a read-only volume must be attached in ro mode.');
    const row = await tx.insert<Attachment>(KIND.attachment, {
      id: this.ids.uuid(),
      projectId: vol.projectId,
      parentId: vol.id,
      data: {
        volumeId: vol.id, status: a.status, instanceUuid: a.instance, hostName: a.hostName, mountpoint: a.mountpoint,
        attachMode: a.mode ?? (vol.data.readonly ? 'ro' : 'rw'), connector: a.connector,
        exportName: a.connector ? `att-${this.ids.hex()}` : null, attachedAt: null, detachedAt: null,
      },
    });
    if (!a.keepVolumeStatus) await this.settleVolume(tx, vol.id);
    return row;
  }

  private async publishIfConnected(row: StoredResource<Attachment>): Promise<void> {
    const a = row.data;
    if (!a.exportName) return;
    const vol = await this.store.get<Volume>(KIND.volume, a.volumeId);
    if (!vol) return;
    try {
      await this.exporter.publish(a.exportName, a.volumeId, {
        readOnly: a.attachMode === 'ro' || vol.data.readonly,
        qos: await qosOfType(this.store, vol.data.volumeTypeId),
        transport: transportOf(a.connector),
      });
    } catch (e) {
      throw new Unavailable(`The volume could not be exported: ${(e as Error).message}`, 'VolumeBackendAPIException');
    }
  }
}
