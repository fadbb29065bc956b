/**
 * Volumes: CRUD, list/detail/summary, metadata and the action endpoint (one entry per action name).
 * Thin: parse, one service call, render.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { InvalidInput, NotFound } from '../../core/errors.js';
import type { Attachment, Volume } from '../../core/model/volume.js';
import type { StoredResource } from '../../core/ports/resource-store.js';
import { atLeast, volumeMicroversions as mv } from '../http/microversion/index.js';
import type { VolumeApiDeps } from './deps.js';
import { registerMetadataRoutes } from './routes-metadata.js';
import { VOLUME_SCHEMA, listBody } from './list.js';
import { apiBase, bodyObject, bookmarkBase, bothPaths, envelope, params, query, queryFlag, queryValue, versionOf } from './request.js';
import { volumeSummary, volumeView, type ViewContext } from './views.js';

type Action = (req: FastifyRequest, id: string, arg: unknown) => Promise<unknown>;

export async function viewContext(req: FastifyRequest, d: VolumeApiDeps): Promise<ViewContext> {
  const types = await d.types.list(req.ctx);
  const atts = await d.attachments.list(req.ctx, req.ctx.isAdmin);
  const byVolume = new Map<string, StoredResource<Attachment>[]>();
  for (const a of atts) byVolume.set(a.data.volumeId, [...(byVolume.get(a.data.volumeId) ?? []), a]);
  return { base: apiBase(req), bookmarkBase: bookmarkBase(req), version: versionOf(req), isAdmin: req.ctx.isAdmin, typeNames: new Map(types.map((t) => [t.id, t.data.name])), attachments: byVolume };
}

export function registerVolumeRoutes(app: FastifyInstance, d: VolumeApiDeps): void {
  const show = async (req: FastifyRequest, row: StoredResource<Volume>, extended = true) => ({ volume: volumeView(await viewContext(req, d), row, extended) });

  const list = async (req: FastifyRequest, detail: boolean) => {
    // `GET /volumes/` is a show with an empty id (Cinder answers 404), not the list the router's
    // trailing-slash folding would give.
    if (!detail && (req.url.split('?')[0] ?? '').endsWith('/')) throw new NotFound('Volume  could not be found.', 'VolumeNotFound');
    const q = query(req);
    const rows = await d.volumes.list(req.ctx, { allTenants: queryFlag(q, 'all_tenants'), projectId: queryValue(q, 'project_id') });
    const vc = await viewContext(req, d);
    const views = rows.map((r) => ({ ...volumeView(vc, r), project_id: r.projectId }));
    const body = listBody(req, views, VOLUME_SCHEMA, `${apiBase(req)}/volumes${detail ? '/detail' : ''}`, detail ? undefined : (v) => ({ id: v['id'], name: v['name'], links: v['links'] }));
    if (detail) for (const v of body['volumes'] as Record<string, unknown>[]) delete v['project_id'];
    return body;
  };

  for (const path of bothPaths('/volumes')) {
    app.get(path, async (req) => list(req, false));
    app.post(path, async (req, reply) => {
      const o = envelope(req.body, 'volume');
      const row = await d.volumes.create(req.ctx, {
        size: o['size'], name: o['name'] ?? o['display_name'], description: o['description'] ?? o['display_description'], metadata: o['metadata'],
        volumeType: o['volume_type'], availabilityZone: o['availability_zone'], snapshotId: o['snapshot_id'], sourceVolId: o['source_volid'],
        imageRef: o['imageRef'] ?? o['image_id'], multiattach: o['multiattach'],
        backupId: atLeast(versionOf(req), mv.VOLUME_CREATE_FROM_BACKUP) ? o['backup_id'] : undefined,
        groupId: atLeast(versionOf(req), mv.GROUP_VOLUME) ? o['group_id'] : undefined,
      });
      reply.status(202);
      return show(req, row, false);
    });
  }
  for (const path of bothPaths('/volumes/detail')) app.get(path, async (req) => list(req, true));
  for (const path of bothPaths('/volumes/summary')) {
    app.get(path, async (req) => {
      if (!atLeast(versionOf(req), mv.VOLUME_SUMMARY)) throw new NotFound('The resource could not be found.', 'HTTPNotFound');
      const rows = await d.volumes.list(req.ctx, { allTenants: queryFlag(query(req), 'all_tenants') });
      const summary: Record<string, unknown> = { total_size: rows.reduce((s, r) => s + r.data.size, 0), total_count: rows.length };
      if (atLeast(versionOf(req), mv.VOLUME_SUMMARY_METADATA)) {
        const meta: Record<string, string[]> = {};
        for (const r of rows) for (const [k, v] of Object.entries(r.data.metadata)) if (!(meta[k] ??= []).includes(v)) meta[k].push(v);
        summary['metadata'] = meta;
      }
      return { 'volume-summary': summary };
    });
  }
  for (const path of bothPaths('/volumes/:id')) {
    app.get(path, async (req) => show(req, await d.volumes.get(req.ctx, params(req).id as string)));
    app.put(path, async (req) => {
      const o = envelope(req.body, 'volume');
      const input = { name: o['name'] ?? o['display_name'], description: o['description'] ?? o['display_description'], metadata: o['metadata'] };
      if (input.name === undefined && input.description === undefined && input.metadata === undefined) {
        throw new InvalidInput("Invalid input for field/attribute volume. Value: {}. {} does not have enough properties", 'HTTPBadRequest');
      }
      return show(req, await d.volumes.update(req.ctx, params(req).id as string, input), false);
    });
    app.delete(path, async (req, reply) => {
      const q = query(req);
      const force = queryFlag(q, 'force');
      if (force && !atLeast(versionOf(req), mv.VOLUME_DELETE_FORCE)) throw new InvalidInput('Invalid input received: force is not supported before 3.23.', 'InvalidInput');
      await d.volumes.delete(req.ctx, params(req).id as string, { cascade: queryFlag(q, 'cascade'), force });
      return reply.status(202).send();
    });
  }

  // ---- metadata
  registerMetadataRoutes(app, 'volumes', 'Volume', d.volumes);

  // ---- actions
  const obj = (a: unknown): Record<string, unknown> => (a && typeof a === 'object' && !Array.isArray(a) ? (a as Record<string, unknown>) : {});
  const actions: Record<string, Action> = {
    'os-extend': (req, id, a) => d.actions.extend(req.ctx, id, obj(a)['new_size'], atLeast(versionOf(req), mv.VOLUME_EXTEND_INUSE)),
    'os-reset_status': (req, id, a) => d.actions.resetStatus(req.ctx, id, obj(a)),
    'os-set_bootable': (req, id, a) => d.actions.setBootable(req.ctx, id, obj(a)['bootable']),
    'os-update_readonly_flag': (req, id, a) => d.actions.setReadonly(req.ctx, id, obj(a)['readonly']),
    'os-reserve': (req, id) => d.actions.reserve(req.ctx, id),
    'os-unreserve': (req, id) => d.actions.unreserve(req.ctx, id),
    'os-begin_detaching': (req, id) => d.actions.beginDetaching(req.ctx, id),
    'os-roll_detaching': (req, id) => d.actions.rollDetaching(req.ctx, id),
    'os-attach': (req, id, a) => d.attachments.attach(req.ctx, id, { instanceUuid: obj(a)['instance_uuid'], hostName: obj(a)['host_name'], mountpoint: obj(a)['mountpoint'], mode: obj(a)['mode'] }),
    'os-detach': (req, id, a) => d.attachments.detach(req.ctx, id, obj(a)['attachment_id']),
    'os-force_detach': (req, id, a) => d.attachments.forceDetach(req.ctx, id, obj(a)['attachment_id']),
    'os-initialize_connection': async (req, id, a) => ({ connection_info: await d.attachments.initializeConnection(req.ctx, id, obj(a)['connector']) }),
    'os-terminate_connection': (req, id, a) => d.attachments.terminateConnection(req.ctx, id, obj(a)['connector']),
    'os-force_delete': (req, id) => d.volumes.delete(req.ctx, id, { force: true, cascade: true }),
    'os-retype': (req, id, a) => d.actions.retype(req.ctx, id, obj(a)['new_type']),
    'os-set_image_metadata': async (req, id, a) => ({ metadata: await d.actions.setImageMetadata(req.ctx, id, a) }),
    'os-unset_image_metadata': (req, id, a) => d.actions.unsetImageMetadata(req.ctx, id, obj(a)['key']),
    'os-show_image_metadata': async (req, id) => ({ metadata: await d.actions.showImageMetadata(req.ctx, id) }),
    revert: (req, id, a) => {
      if (!atLeast(versionOf(req), mv.VOLUME_REVERT)) throw new NotFound('The resource could not be found.', 'HTTPNotFound');
      return d.actions.revert(req.ctx, id, obj(a)['snapshot_id']);
    },
    'os-volume_upload_image': async (req, id, a) => {
      const o = obj(a);
      const { volume, image } = await d.actions.uploadImage(req.ctx, id, {
        imageName: o['image_name'], diskFormat: o['disk_format'], containerFormat: o['container_format'], force: o['force'], visibility: o['visibility'], protected: o['protected'],
      });
      const vc = await viewContext(req, d);
      return {
        'os-volume_upload_image': {
          id: volume.id, updated_at: volumeView(vc, volume)['updated_at'], status: 'uploading', display_description: volume.data.description, size: volume.data.size,
          volume_type: vc.typeNames.get(volume.data.volumeTypeId) ?? null, image_id: image.id, container_format: image.data.containerFormat, disk_format: image.data.diskFormat,
          image_name: image.data.name, ...(atLeast(versionOf(req), mv.UPLOAD_IMAGE_PARAMS) ? { visibility: image.data.visibility, protected: image.data.protected } : {}),
        },
      };
    },
  };
  /** Actions answering 200 with a body; the rest answer 202 without one (200 for the listed ones). */
  const WITH_BODY = new Set(['os-initialize_connection', 'os-volume_upload_image', 'os-set_image_metadata', 'os-show_image_metadata']);
  const OK_NO_BODY = new Set(['os-set_bootable', 'os-unset_image_metadata']);
  for (const path of bothPaths('/volumes/:id/action')) {
    app.post(path, async (req, reply) => {
      const body = bodyObject(req.body);
      const names = Object.keys(body);
      if (names.length !== 1) throw new InvalidInput('There is no such action: ' + names.join(','), 'HTTPBadRequest');
      const name = names[0] as string;
      const fn = actions[name];
      if (!fn) throw new InvalidInput(`There is no such action: ${name}`, 'HTTPBadRequest');
      const out = await fn(req, params(req).id as string, body[name]);
      // Cinder accepts an upload (202) and answers it with the image it will fill.
      if (WITH_BODY.has(name)) return reply.status(name === 'os-volume_upload_image' ? 202 : 200).send(out);
      return reply.status(OK_NO_BODY.has(name) ? 200 : 202).send();
    });
  }
}
