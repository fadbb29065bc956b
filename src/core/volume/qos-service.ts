/**
 * QoS specs: named sets of limits associated with volume types. Front-end specs (`front-end` or
 * `both`) reach the NBD export of every attachment of a volume of that type. Admin only, as in
 * Cinder. Pure: imports only core.
 */
import { Conflict, InvalidInput, NotFound } from '../errors.js';
import type { RequestContext } from '../identity/context.js';
import type { QosConsumer, QosSpec, VolumeType } from '../model/volume.js';
import type { IdGenerator } from '../ports/crypto.js';
import type { ResourceStore, StoredResource } from '../ports/resource-store.js';
import { KIND, authorizeVolume, badRequest, qosNotFound, typeNotFound, validateMetadata } from './common.js';

const NAME_CLAIMS = 'volume_qos_name';
const CONSUMERS: readonly QosConsumer[] = ['front-end', 'back-end', 'both'];

/** Keys whose values must be non-negative integers (what the export's token buckets read). */
const NUMERIC_KEYS = new Set(['total_iops_sec', 'read_iops_sec', 'write_iops_sec', 'total_bytes_sec', 'read_bytes_sec', 'write_bytes_sec']);

function checkSpecs(specs: Record<string, string>): void {
  for (const [k, v] of Object.entries(specs)) {
    if (NUMERIC_KEYS.has(k) && !/^\d+$/.test(v)) throw badRequest(`Invalid input received: ${k} must be a non-negative integer, not '${v}'.`);
  }
}

export class QosService {
  constructor(
    private readonly store: ResourceStore,
    private readonly ids: IdGenerator,
  ) {}

  async create(ctx: RequestContext, body: Record<string, unknown>): Promise<StoredResource<QosSpec>> {
    authorizeVolume(ctx, 'qos:manage');
    const { name, consumer, ...rest } = body;
    if (typeof name !== 'string' || name.trim() === '') throw badRequest('Please specify a name for QoS specs.');
    if (name.length > 255) throw badRequest('Invalid input for field/attribute name. Value must be at most 255 characters.');
    const c = (consumer ?? 'back-end') as QosConsumer;
    if (!CONSUMERS.includes(c)) throw badRequest(`Invalid input received: consumer must be one of ${CONSUMERS.join(', ')}.`);
    const specs = validateMetadata(Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, typeof v === 'number' ? String(v) : v])), 'qos_specs');
    checkSpecs(specs);
    return this.store.transaction(async (tx) => {
      const id = this.ids.uuid();
      if (!(await tx.claim(NAME_CLAIMS, name, id))) throw new Conflict(`QoS Specs ${name} already exists.`, 'QoSSpecsExists');
      return tx.insert<QosSpec>(KIND.qos, { id, projectId: '', data: { name, consumer: c, specs } });
    });
  }

  async list(ctx: RequestContext): Promise<StoredResource<QosSpec>[]> {
    authorizeVolume(ctx, 'qos:manage');
    return this.store.list<QosSpec>(KIND.qos);
  }

  async get(ctx: RequestContext, id: string): Promise<StoredResource<QosSpec>> {
    authorizeVolume(ctx, 'qos:manage');
    const q = await this.store.get<QosSpec>(KIND.qos, id);
    if (!q) throw qosNotFound(id);
    return q;
  }

  async setKeys(ctx: RequestContext, id: string, body: Record<string, unknown>): Promise<Record<string, string>> {
    authorizeVolume(ctx, 'qos:manage');
    const { consumer, ...rest } = body;
    const specs = validateMetadata(Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, typeof v === 'number' ? String(v) : v])), 'qos_specs');
    checkSpecs(specs);
    if (consumer !== undefined && !CONSUMERS.includes(consumer as QosConsumer)) throw badRequest(`Invalid input received: consumer must be one of ${CONSUMERS.join(', ')}.`);
    return this.store.transaction(async (tx) => {
      const q = await tx.getForUpdate<QosSpec>(KIND.qos, id);
      if (!q) throw qosNotFound(id);
      await tx.update<QosSpec>(KIND.qos, id, { ...q.data, consumer: (consumer as QosConsumer | undefined) ?? q.data.consumer, specs: { ...q.data.specs, ...specs } });
      return consumer !== undefined ? { ...specs, consumer: consumer as string } : specs;
    });
  }

  async deleteKeys(ctx: RequestContext, id: string, keys: unknown): Promise<void> {
    authorizeVolume(ctx, 'qos:manage');
    if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'string')) throw badRequest('Missing required element \'keys\' in request body.');
    await this.store.transaction(async (tx) => {
      const q = await tx.getForUpdate<QosSpec>(KIND.qos, id);
      if (!q) throw qosNotFound(id);
      const specs = { ...q.data.specs };
      for (const k of keys as string[]) {
        if (!(k in specs)) throw new NotFound(`QoS spec ${k} is not found in QoS Specs ${id}.`, 'QoSSpecsKeyNotFound');
        delete specs[k];
      }
      await tx.update<QosSpec>(KIND.qos, id, { ...q.data, specs });
    });
  }

  async delete(ctx: RequestContext, id: string, force: boolean): Promise<void> {
    authorizeVolume(ctx, 'qos:manage');
    await this.store.transaction(async (tx) => {
      const q = await tx.getForUpdate<QosSpec>(KIND.qos, id);
      if (!q) throw qosNotFound(id);
      const types = (await tx.list<VolumeType>(KIND.type)).filter((t) => t.data.qosSpecsId === id);
      if (types.length > 0 && !force) throw new InvalidInput(`QoS Specs ${id} is still associated with entities.`, 'QoSSpecsInUse');
      for (const t of types) await tx.update<VolumeType>(KIND.type, t.id, { ...t.data, qosSpecsId: null });
      await tx.release(NAME_CLAIMS, q.data.name);
      await tx.delete(KIND.qos, id);
    });
  }

  async associations(ctx: RequestContext, id: string): Promise<StoredResource<VolumeType>[]> {
    await this.get(ctx, id);
    return (await this.store.list<VolumeType>(KIND.type)).filter((t) => t.data.qosSpecsId === id);
  }

  async associate(ctx: RequestContext, id: string, typeId: string | undefined): Promise<void> {
    authorizeVolume(ctx, 'qos:manage');
    if (!typeId) throw badRequest('Missing required parameter vol_type_id.');
    await this.store.transaction(async (tx) => {
      if (!(await tx.get<QosSpec>(KIND.qos, id))) throw qosNotFound(id);
      const t = await tx.getForUpdate<VolumeType>(KIND.type, typeId);
      if (!t) throw typeNotFound(typeId);
      if (t.data.qosSpecsId && t.data.qosSpecsId !== id) {
        throw new InvalidInput(`Type ${typeId} is already associated with another qos specs: ${t.data.qosSpecsId}`, 'InvalidVolumeType');
      }
      await tx.update<VolumeType>(KIND.type, typeId, { ...t.data, qosSpecsId: id });
    });
  }

  async disassociate(ctx: RequestContext, id: string, typeId: string | undefined): Promise<void> {
    authorizeVolume(ctx, 'qos:manage');
    if (!typeId) throw badRequest('Missing required parameter vol_type_id.');
    await this.store.transaction(async (tx) => {
      if (!(await tx.get<QosSpec>(KIND.qos, id))) throw qosNotFound(id);
      const t = await tx.getForUpdate<VolumeType>(KIND.type, typeId);
      if (!t) throw typeNotFound(typeId);
      if (t.data.qosSpecsId === id) await tx.update<VolumeType>(KIND.type, typeId, { ...t.data, qosSpecsId: null });
    });
  }

  async disassociateAll(ctx: RequestContext, id: string): Promise<void> {
    authorizeVolume(ctx, 'qos:manage');
    await this.store.transaction(async (tx) => {
      if (!(await tx.get<QosSpec>(KIND.qos, id))) throw qosNotFound(id);
      for (const t of await tx.list<VolumeType>(KIND.type)) {
        if (t.data.qosSpecsId === id) await tx.update<VolumeType>(KIND.type, t.id, { ...t.data, qosSpecsId: null });
      }
    });
  }
}
