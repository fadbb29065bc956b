/**
 * A minimal image service (Glance v2 subset): create, upload, download, list, show, update, delete,
 * deactivate and reactivate, raw and qcow2 disk formats. It exists so that clients which insist on an image endpoint work, and
 * so that volumes can be created from images and uploaded to them. Bytes go through the ImageFiles
 * port (after the row is committed, never inside a transaction). Pure: imports only core.
 */
import { Conflict, Forbidden, InvalidInput, NotFound } from '../errors.js';
import type { RequestContext } from '../identity/context.js';
import { anyOf, rules } from '../identity/policy.js';
import { IMAGE_KIND, type DiskFormat, type Image, type ImageVisibility } from '../model/image.js';
import type { IdGenerator } from '../ports/crypto.js';
import type { ImageFiles } from '../ports/image-files.js';
import type { ResourceStore, StoredResource } from '../ports/resource-store.js';

const DISK_FORMATS: readonly DiskFormat[] = ['raw', 'qcow2'];
const VISIBILITIES: readonly ImageVisibility[] = ['public', 'private', 'shared', 'community'];
const CORE_KEYS = new Set(['id', 'name', 'disk_format', 'container_format', 'visibility', 'protected', 'min_disk', 'min_ram', 'tags', 'os_hidden']);
const READ_ONLY_KEYS = new Set(['status', 'size', 'virtual_size', 'checksum', 'os_hash_algo', 'os_hash_value', 'owner', 'created_at', 'updated_at', 'self', 'file', 'schema', 'direct_url', 'locations']);

const member = anyOf(rules.admin, rules.projectMember);
const reader = anyOf(rules.admin, rules.projectReader);
const badRequest = (m: string) => new InvalidInput(m, 'HTTPBadRequest');
const imageNotFound = (id: string) => new NotFound(`No image found with ID ${id}`, 'ImageNotFound');

function nonNegInt(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw badRequest(`Invalid value for ${field}: must be a non-negative integer.`);
  return v;
}

/** Applies Glance's create/PATCH fields to an image document. */
function applyFields(img: Image, fields: Record<string, unknown>): Image {
  const out: Image = { ...img, properties: { ...img.properties }, tags: [...img.tags] };
  for (const [k, v] of Object.entries(fields)) {
    if (READ_ONLY_KEYS.has(k)) throw new Forbidden(`Attribute '${k}' is read-only.`, 'Forbidden');
    switch (k) {
      case 'id':
        break;
      case 'name':
        if (v !== null && (typeof v !== 'string' || v.length > 255)) throw badRequest('Invalid value for name.');
        out.name = v as string | null;
        break;
      case 'disk_format':
        if (v !== null && !DISK_FORMATS.includes(v as DiskFormat)) throw badRequest(`Invalid value '${String(v)}' for disk_format: only raw and qcow2 are supported.`);
        out.diskFormat = v as DiskFormat | null;
        break;
      case 'container_format':
        if (v !== null && typeof v !== 'string') throw badRequest('Invalid value for container_format.');
        out.containerFormat = v as string | null;
        break;
      case 'visibility':
        if (!VISIBILITIES.includes(v as ImageVisibility)) throw badRequest(`Invalid value '${String(v)}' for visibility.`);
        out.visibility = v as ImageVisibility;
        break;
      case 'protected':
        if (typeof v !== 'boolean') throw badRequest('Invalid value for protected: must be a boolean.');
        out.protected = v;
        break;
      case 'min_disk':
        out.minDisk = nonNegInt(v, k);
        break;
      case 'min_ram':
        out.minRam = nonNegInt(v, k);
        break;
      case 'tags':
        if (!Array.isArray(v) || v.some((t) => typeof t !== 'string')) throw badRequest('Invalid value for tags.');
        out.tags = [...new Set(v as string[])];
        break;
      case 'os_hidden':
        break;
      default:
        if (v === null) delete out.properties[k];
        else out.properties[k] = typeof v === 'string' ? v : JSON.stringify(v);
    }
  }
  return out;
}

export interface JsonPatchOp {
  op: string;
  path: string;
  value?: unknown;
}

export class ImageService {
  constructor(
    private readonly store: ResourceStore,
    private readonly ids: IdGenerator,
    private readonly files: ImageFiles,
  ) {}

  private visible(ctx: RequestContext, r: StoredResource<Image>): boolean {
    return ctx.isAdmin || r.projectId === ctx.projectId || r.data.visibility === 'public' || r.data.visibility === 'community';
  }

  private async load(ctx: RequestContext, id: string): Promise<StoredResource<Image>> {
    const r = await this.store.get<Image>(IMAGE_KIND, id);
    if (!r || !this.visible(ctx, r)) throw imageNotFound(id);
    return r;
  }

  private authorize(ctx: RequestContext, write: boolean, projectId: string | null): void {
    const rule = write ? member : reader;
    if (!rule(ctx, { projectId })) throw new Forbidden('You are not authorized to complete this action.', 'Forbidden');
  }

  async create(ctx: RequestContext, body: Record<string, unknown>): Promise<StoredResource<Image>> {
    this.authorize(ctx, true, ctx.projectId);
    if (!ctx.projectId) throw badRequest('A project-scoped token is required.');
    if (body['visibility'] === 'public' && !ctx.isAdmin) throw new Forbidden('You are not authorized to publicize images.', 'Forbidden');
    const id = typeof body['id'] === 'string' ? body['id'] : this.ids.uuid();
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) throw badRequest(`Invalid id ${id}: must be a UUID.`);
    const blank: Image = {
      name: null, status: 'queued', diskFormat: null, containerFormat: null, visibility: 'shared', protected: false, minDisk: 0, minRam: 0,
      size: null, virtualSize: null, checksum: null, osHashAlgo: null, osHashValue: null, tags: [], properties: {},
    };
    const data = applyFields(blank, body);
    if (await this.store.get<Image>(IMAGE_KIND, id)) throw new Conflict(`Image with identifier ${id} already exists!`, 'Duplicate');
    return this.store.insert<Image>(IMAGE_KIND, { id, projectId: ctx.projectId, data });
  }

  async list(ctx: RequestContext): Promise<StoredResource<Image>[]> {
    this.authorize(ctx, false, ctx.projectId);
    return (await this.store.list<Image>(IMAGE_KIND)).filter((r) => this.visible(ctx, r));
  }

  async get(ctx: RequestContext, id: string): Promise<StoredResource<Image>> {
    const r = await this.load(ctx, id);
    this.authorize(ctx, false, r.data.visibility === 'public' ? ctx.projectId : r.projectId);
    return r;
  }

  /** JSON-patch update (application/openstack-images-v2.1-json-patch). */
  async update(ctx: RequestContext, id: string, ops: unknown): Promise<StoredResource<Image>> {
    if (!Array.isArray(ops)) throw badRequest('Request body must be a JSON array of operation objects.');
    const r = await this.load(ctx, id);
    this.authorize(ctx, true, r.projectId);
    const fields: Record<string, unknown> = {};
    for (const o of ops as JsonPatchOp[]) {
      const key = typeof o?.path === 'string' ? o.path.replace(/^\//, '') : '';
      if (!key || key.includes('/')) throw badRequest(`Invalid JSON pointer: ${String(o?.path)}`);
      if (o.op === 'add' || o.op === 'replace') fields[key] = o.value;
      else if (o.op === 'remove') {
        if (CORE_KEYS.has(key)) throw new Forbidden(`Attribute '${key}' may not be removed.`, 'Forbidden');
        if (!(key in r.data.properties)) throw new Conflict(`Property ${key} does not exist.`, 'Conflict');
        fields[key] = null;
      } else throw badRequest(`Invalid operation: ${String(o?.op)}`);
    }
    return this.store.update<Image>(IMAGE_KIND, id, applyFields(r.data, fields), { expectRevision: r.revision });
  }

  async delete(ctx: RequestContext, id: string): Promise<void> {
    const r = await this.load(ctx, id);
    this.authorize(ctx, true, r.projectId);
    if (r.data.protected) throw new Forbidden(`Image ${id} is protected and cannot be deleted.`, 'Forbidden');
    await this.store.delete(IMAGE_KIND, id);
    await this.files.delete(id);
  }

  /** PUT file: queued → saving (CAS, so two uploads cannot both start) → active with checksums. */
  async upload(ctx: RequestContext, id: string, bytes: Uint8Array): Promise<void> {
    const r = await this.load(ctx, id);
    this.authorize(ctx, true, r.projectId);
    if (r.data.status !== 'queued') throw new Conflict(`Image status transition from ${r.data.status} to saving is not allowed`, 'Conflict');
    if (!r.data.diskFormat || !r.data.containerFormat) throw badRequest('Properties disk_format, container_format must be set prior to saving data.');
    const saving = await this.store.update<Image>(IMAGE_KIND, id, { ...r.data, status: 'saving' }, { expectRevision: r.revision });
    try {
      const f = await this.files.put(id, bytes);
      await this.store.update<Image>(IMAGE_KIND, id, { ...saving.data, status: 'active', size: f.size, virtualSize: f.virtualSize, checksum: f.checksum, osHashAlgo: 'sha512', osHashValue: f.sha512 });
    } catch (e) {
      await this.store.update<Image>(IMAGE_KIND, id, { ...saving.data, status: 'queued' });
      throw e;
    }
  }

  /**
   * Glance's deactivate/reactivate: an owner (or admin) takes an active image out of use (no new
   * servers or volumes from it, no downloads but by admins) and puts it back. Either is idempotent;
   * any other status is 403, as in Glance.
   */
  async setActive(ctx: RequestContext, id: string, active: boolean): Promise<void> {
    const r = await this.load(ctx, id);
    this.authorize(ctx, true, r.projectId);
    const verb = active ? 'reactivate' : 'deactivate';
    if (r.data.status !== 'active' && r.data.status !== 'deactivated') throw new Forbidden(`Not allowed to ${verb} image in status '${r.data.status}'`, 'Forbidden');
    const want = active ? 'active' : 'deactivated';
    if (r.data.status !== want) await this.store.update<Image>(IMAGE_KIND, id, { ...r.data, status: want }, { expectRevision: r.revision });
  }

  async download(ctx: RequestContext, id: string): Promise<Uint8Array | null> {
    const r = await this.get(ctx, id);
    if (r.data.status === 'deactivated' && !ctx.isAdmin) throw new Forbidden('The requested image has been deactivated. Image data download is forbidden.', 'Forbidden');
    if (r.data.status !== 'active' && r.data.status !== 'deactivated') return null;
    const bytes = await this.files.get(id);
    if (!bytes) throw imageNotFound(id);
    return bytes;
  }
}
