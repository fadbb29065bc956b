/**
 * Volume type encryption specs (`/types/{id}/encryption`): recorded per type, admin only. PocketStack
 * does not encrypt volumes, so creating a volume of an encrypted type is refused (volume-service)
 * rather than silently writing clear data. Pure: imports only core.
 */
import { NotFound } from '../errors.js';
import type { RequestContext } from '../identity/context.js';
import type { TypeEncryption, Volume, VolumeType } from '../model/volume.js';
import type { IdGenerator } from '../ports/crypto.js';
import type { ResourceStore, StoredResource } from '../ports/resource-store.js';
import { KIND, authorizeVolume, badRequest, typeNotFound } from './common.js';

export interface EncryptionInput {
  provider?: unknown;
  cipher?: unknown;
  keySize?: unknown;
  controlLocation?: unknown;
}

function parse(input: EncryptionInput, base: TypeEncryption | null): Omit<TypeEncryption, 'encryptionId'> {
  const provider = input.provider === undefined ? base?.provider : input.provider;
  if (typeof provider !== 'string' || provider.trim() === '' || provider.length > 255) throw badRequest("Invalid input for field/attribute provider. 'provider' is a required property");
  const cipher = input.cipher === undefined ? (base?.cipher ?? null) : input.cipher;
  if (cipher !== null && (typeof cipher !== 'string' || cipher.length > 255)) throw badRequest('Invalid input for field/attribute cipher.');
  const keySize = input.keySize === undefined ? (base?.keySize ?? null) : input.keySize;
  if (keySize !== null && (typeof keySize !== 'number' || !Number.isInteger(keySize) || keySize < 0)) throw badRequest('Invalid input for field/attribute key_size.');
  const controlLocation = input.controlLocation === undefined ? (base?.controlLocation ?? 'front-end') : input.controlLocation;
  if (controlLocation !== 'front-end' && controlLocation !== 'back-end') throw badRequest("Invalid input for field/attribute control_location. Value must be 'front-end' or 'back-end'.");
  return { provider, cipher, keySize, controlLocation };
}

export class TypeEncryptionService {
  constructor(
    private readonly store: ResourceStore,
    private readonly ids: IdGenerator,
  ) {}

  /** The type's encryption, or null when it has none (Cinder answers `{}`). */
  async get(ctx: RequestContext, typeId: string): Promise<StoredResource<TypeEncryption> | null> {
    authorizeVolume(ctx, 'encryption:manage');
    if (!(await this.store.get<VolumeType>(KIND.type, typeId))) throw typeNotFound(typeId);
    return (await this.store.get<TypeEncryption>(KIND.encryption, typeId)) ?? null;
  }

  async create(ctx: RequestContext, typeId: string, input: EncryptionInput): Promise<StoredResource<TypeEncryption>> {
    authorizeVolume(ctx, 'encryption:manage');
    return this.store.transaction(async (tx) => {
      if (!(await tx.getForUpdate<VolumeType>(KIND.type, typeId))) throw typeNotFound(typeId);
      if (await tx.get(KIND.encryption, typeId)) throw badRequest(`Volume type encryption for type ${typeId} already exists.`);
      if ((await tx.list<Volume>(KIND.volume)).some((v) => v.data.volumeTypeId === typeId)) throw badRequest(`Cannot create encryption specs. Volume type ${typeId} is in use.`);
      return tx.insert<TypeEncryption>(KIND.encryption, { id: typeId, projectId: '', parentId: typeId, data: { encryptionId: this.ids.uuid(), ...parse(input, null) } });
    });
  }

  async update(ctx: RequestContext, typeId: string, input: EncryptionInput): Promise<StoredResource<TypeEncryption>> {
    authorizeVolume(ctx, 'encryption:manage');
    return this.store.transaction(async (tx) => {
      if (!(await tx.get<VolumeType>(KIND.type, typeId))) throw typeNotFound(typeId);
      const cur = await tx.getForUpdate<TypeEncryption>(KIND.encryption, typeId);
      if (!cur) throw new NotFound(`Volume type encryption for type ${typeId} does not exist.`, 'VolumeTypeEncryptionNotFound');
      if ((await tx.list<Volume>(KIND.volume)).some((v) => v.data.volumeTypeId === typeId)) throw badRequest(`Cannot update encryption specs. Volume type ${typeId} is in use.`);
      return tx.update<TypeEncryption>(KIND.encryption, typeId, { encryptionId: cur.data.encryptionId, ...parse(input, cur.data) });
    });
  }

  async delete(ctx: RequestContext, typeId: string): Promise<void> {
    authorizeVolume(ctx, 'encryption:manage');
    await this.store.transaction(async (tx) => {
      if (!(await tx.get<VolumeType>(KIND.type, typeId))) throw typeNotFound(typeId);
      if (!(await tx.get(KIND.encryption, typeId))) throw new NotFound(`Volume type encryption for type ${typeId} does not exist.`, 'VolumeTypeEncryptionNotFound');
      if ((await tx.list<Volume>(KIND.volume)).some((v) => v.data.volumeTypeId === typeId)) throw badRequest(`Cannot delete encryption specs. Volume type ${typeId} is in use.`);
      await tx.delete(KIND.encryption, typeId);
    });
  }
}
