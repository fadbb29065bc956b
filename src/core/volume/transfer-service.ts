/**
 * Volume transfers: the owner offers an available volume (it waits in `awaiting-transfer`), another
 * project accepts with the auth key and becomes the owner (with the volume's snapshots unless
 * `no_snapshots`, 3.55), and quotas follow because usage is counted from the rows' projects. Deleting
 * the offer gives the volume back. Pure: imports only core.
 */
import { NotFound } from '../errors.js';
import type { RequestContext } from '../identity/context.js';
import type { Snapshot, Volume, VolumeTransfer, VolumeType } from '../model/volume.js';
import type { ResourceTx, StoredResource } from '../ports/resource-store.js';
import { KIND, authorizeVolume, badRequest, invalidVolume, loadScoped, volumeNotFound } from './common.js';
import { optionalText, parseBool, type VolumeServiceDeps } from './volume-service.js';

export const transferNotFound = (id: string) => new NotFound(`Transfer ${id} could not be found.`, 'TransferNotFound');

export interface CreateTransferInput {
  volumeId?: unknown;
  name?: unknown;
  noSnapshots?: unknown;
}

export class VolumeTransferService {
  constructor(private readonly d: VolumeServiceDeps) {}

  async create(ctx: RequestContext, input: CreateTransferInput): Promise<StoredResource<VolumeTransfer>> {
    if (typeof input.volumeId !== 'string' || input.volumeId === '') throw badRequest("Invalid input for field/attribute volume_id. 'volume_id' is a required property");
    const volumeId = input.volumeId;
    const name = optionalText(input.name, 'name') ?? null;
    const noSnapshots = input.noSnapshots === undefined || input.noSnapshots === null ? false : parseBool(input.noSnapshots, 'no_snapshots');
    return this.d.store.transaction(async (tx) => {
      const vol = await loadScoped<Volume>(tx, ctx, KIND.volume, volumeId, volumeNotFound);
      authorizeVolume(ctx, 'transfer:create', vol.projectId);
      const cur = await tx.getForUpdate<Volume>(KIND.volume, volumeId);
      if (!cur || cur.data.status !== 'available') throw invalidVolume(`status must be available, but is ${cur?.data.status ?? 'gone'}.`);
      if (!noSnapshots) {
        const snaps = await tx.list<Snapshot>(KIND.snapshot, { parentId: volumeId });
        if (snaps.some((s) => s.data.status !== 'available')) throw invalidVolume('snapshot status must be available.');
      }
      await tx.update<Volume>(KIND.volume, volumeId, { ...cur.data, status: 'awaiting-transfer' }, { expectRevision: cur.revision });
      await tx.recordChange(KIND.volume, volumeId, 'update');
      // 16 characters of a random id: Cinder's auth keys are as long.
      const authKey = this.d.ids.hex().slice(0, 16);
      return tx.insert<VolumeTransfer>(KIND.transfer, {
        id: this.d.ids.uuid(),
        projectId: vol.projectId,
        parentId: volumeId,
        data: { volumeId, name, authKey, sourceProjectId: vol.projectId, destinationProjectId: null, accepted: false, noSnapshots },
      });
    });
  }

  async get(ctx: RequestContext, id: string): Promise<StoredResource<VolumeTransfer>> {
    const row = await loadScoped<VolumeTransfer>(this.d.store, ctx, KIND.transfer, id, transferNotFound);
    authorizeVolume(ctx, 'transfer:get', row.projectId);
    return row;
  }

  async list(ctx: RequestContext, allTenants: boolean): Promise<StoredResource<VolumeTransfer>[]> {
    authorizeVolume(ctx, 'transfer:get');
    if (ctx.isAdmin && allTenants) return this.d.store.list<VolumeTransfer>(KIND.transfer);
    return this.d.store.list<VolumeTransfer>(KIND.transfer, { projectId: ctx.projectId ?? '' });
  }

  /** Withdraws the offer: the volume is available to its owner again. */
  async delete(ctx: RequestContext, id: string): Promise<void> {
    await this.d.store.transaction(async (tx) => {
      const row = await loadScoped<VolumeTransfer>(tx, ctx, KIND.transfer, id, transferNotFound);
      authorizeVolume(ctx, 'transfer:delete', row.projectId);
      const vol = await tx.getForUpdate<Volume>(KIND.volume, row.data.volumeId);
      if (vol && vol.data.status === 'awaiting-transfer') {
        await tx.update<Volume>(KIND.volume, vol.id, { ...vol.data, status: 'available' });
        await tx.recordChange(KIND.volume, vol.id, 'update');
      }
      await tx.delete(KIND.transfer, id);
    });
  }

  /**
   * Moves the volume (and its snapshots unless `noSnapshots`) to the caller's project, after the
   * receiving project's quota check; the transfer row is consumed. A wrong key is Cinder's 400.
   */
  async accept(ctx: RequestContext, id: string, authKey: unknown): Promise<StoredResource<VolumeTransfer>> {
    if (typeof authKey !== 'string' || authKey === '') throw badRequest("Invalid input for field/attribute auth_key. 'auth_key' is a required property");
    const dest = ctx.projectId;
    if (!dest) throw badRequest('A project-scoped token is required to accept a transfer.');
    authorizeVolume(ctx, 'transfer:accept', dest);
    return this.d.store.transaction(async (tx) => {
      const row = await tx.getForUpdate<VolumeTransfer>(KIND.transfer, id);
      if (!row) throw transferNotFound(id);
      if (row.data.authKey !== authKey) throw badRequest(`Invalid auth key: Attempt to transfer ${id} with invalid auth key.`);
      const vol = await tx.getForUpdate<Volume>(KIND.volume, row.data.volumeId);
      if (!vol) throw volumeNotFound(row.data.volumeId);
      if (vol.data.status !== 'awaiting-transfer') throw invalidVolume(`status must be awaiting-transfer, but is ${vol.data.status}.`);
      const snaps = row.data.noSnapshots ? [] : await tx.list<Snapshot>(KIND.snapshot, { parentId: vol.id });
      const type = await tx.get<VolumeType>(KIND.type, vol.data.volumeTypeId);
      const gigabytes = vol.data.size + snaps.reduce((n, s) => n + s.data.size, 0);
      await this.d.quotas.check(tx, dest, { volumes: 1, gigabytes, snapshots: snaps.length, typeName: type?.data.name });
      await moveRow(tx, KIND.volume, vol, dest, { ...vol.data, status: 'available', userId: ctx.userId });
      for (const s of snaps) await moveRow(tx, KIND.snapshot, s, dest, { ...s.data, userId: ctx.userId });
      await tx.recordChange(KIND.volume, vol.id, 'update');
      await tx.delete(KIND.transfer, id);
      return { ...row, data: { ...row.data, accepted: true, destinationProjectId: dest } };
    });
  }
}

/** Hands a row to another project in place: same id, creation time and growing revision. */
async function moveRow<T>(tx: ResourceTx, kind: string, row: StoredResource<T>, projectId: string, data: T): Promise<void> {
  await tx.update<T>(kind, row.id, data, { expectRevision: row.revision, projectId });
}
