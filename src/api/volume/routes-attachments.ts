/** Attachments (3.27+; complete 3.44, mode 3.54). Thin: parse, one service call, render. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { InvalidInput, NotFound } from '../../core/errors.js';
import { atLeast, volumeMicroversions as mv } from '../http/microversion/index.js';
import type { VolumeApiDeps } from './deps.js';
import { ATTACHMENT_SCHEMA, listBody } from './list.js';
import { apiBase, bodyObject, bothPaths, envelope, params, query, queryFlag, versionOf } from './request.js';
import { attachmentSummary, attachmentView } from './views.js';

function requireVersion(req: FastifyRequest, min: string): void {
  if (!atLeast(versionOf(req), min)) throw new NotFound('The resource could not be found.', 'HTTPNotFound');
}

export function registerAttachmentRoutes(app: FastifyInstance, d: VolumeApiDeps): void {
  const list = async (req: FastifyRequest, detail: boolean) => {
    requireVersion(req, mv.NEW_ATTACH);
    const rows = await d.attachments.list(req.ctx, queryFlag(query(req), 'all_tenants'));
    const views = await Promise.all(rows.map(async (r) => {
      const v = await d.attachments.view(r);
      return { ...attachmentView(r, v.connectionInfo), created_at: r.createdAt };
    }));
    const body = listBody(req, views, ATTACHMENT_SCHEMA, `${apiBase(req)}/attachments${detail ? '/detail' : ''}`, detail ? undefined : (v) => ({ id: v['id'], status: v['status'], instance: v['instance'], volume_id: v['volume_id'] }));
    if (detail) for (const v of body['attachments'] as Record<string, unknown>[]) delete v['created_at'];
    return body;
  };
  for (const path of bothPaths('/attachments')) {
    app.get(path, async (req) => list(req, false));
    app.post(path, async (req) => {
      requireVersion(req, mv.NEW_ATTACH);
      const o = envelope(req.body, 'attachment');
      const mode = o['mode'];
      if (mode !== undefined && !atLeast(versionOf(req), mv.ATTACHMENT_CREATE_MODE_ARG)) throw new InvalidInput('Invalid input received: mode requires microversion 3.54.', 'InvalidInput');
      const v = await d.attachments.create(req.ctx, { volumeId: o['volume_uuid'], instanceUuid: o['instance_uuid'], connector: o['connector'], mode });
      return { attachment: attachmentView(v.row, v.connectionInfo) };
    });
  }
  for (const path of bothPaths('/attachments/detail')) app.get(path, async (req) => list(req, true));
  for (const path of bothPaths('/attachments/:id')) {
    app.get(path, async (req) => {
      requireVersion(req, mv.NEW_ATTACH);
      const v = await d.attachments.get(req.ctx, params(req).id as string);
      return { attachment: attachmentView(v.row, v.connectionInfo) };
    });
    app.put(path, async (req) => {
      requireVersion(req, mv.NEW_ATTACH);
      const o = envelope(req.body, 'attachment');
      if (o['connector'] === undefined) throw new InvalidInput("Invalid input for field/attribute connector. 'connector' is a required property", 'HTTPBadRequest');
      const v = await d.attachments.update(req.ctx, params(req).id as string, o['connector']);
      return { attachment: attachmentView(v.row, v.connectionInfo) };
    });
    app.delete(path, async (req) => {
      requireVersion(req, mv.NEW_ATTACH);
      await d.attachments.delete(req.ctx, params(req).id as string);
      return { attachments: [] };
    });
  }
  for (const path of bothPaths('/attachments/:id/action')) {
    app.post(path, async (req, reply) => {
      requireVersion(req, mv.NEW_ATTACH_COMPLETION);
      const body = bodyObject(req.body);
      if (!('os-complete' in body)) throw new InvalidInput(`There is no such action: ${Object.keys(body).join(',')}`, 'HTTPBadRequest');
      await d.attachments.complete(req.ctx, params(req).id as string);
      return reply.status(204).send();
    });
  }
}
