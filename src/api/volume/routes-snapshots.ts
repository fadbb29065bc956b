/** Snapshots: CRUD, list/detail, metadata and admin actions. Thin: parse, one service call, render. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { InvalidInput } from '../../core/errors.js';
import type { Snapshot } from '../../core/model/volume.js';
import type { StoredResource } from '../../core/ports/resource-store.js';
import { atLeast, volumeMicroversions as mv } from '../http/microversion/index.js';
import type { VolumeApiDeps } from './deps.js';
import { registerMetadataRoutes } from './routes-metadata.js';
import { SNAPSHOT_SCHEMA, listBody } from './list.js';
import { apiBase, bodyObject, bookmarkBase, bothPaths, envelope, params, query, queryFlag, queryValue, versionOf } from './request.js';
import { snapshotView, type ViewContext } from './views.js';

export function registerSnapshotRoutes(app: FastifyInstance, d: VolumeApiDeps): void {
  const vc = (req: FastifyRequest): ViewContext => ({ base: apiBase(req), bookmarkBase: bookmarkBase(req), version: versionOf(req), isAdmin: req.ctx.isAdmin, typeNames: new Map(), attachments: new Map() });
  const show = (req: FastifyRequest, r: StoredResource<Snapshot>, extended = true) => ({ snapshot: snapshotView(vc(req), r, extended) });
  const list = async (req: FastifyRequest, detail: boolean) => {
    const q = query(req);
    const rows = await d.snapshots.list(req.ctx, { allTenants: queryFlag(q, 'all_tenants'), projectId: queryValue(q, 'project_id') });
    const c = vc(req);
    const views = rows.map((r) => ({ ...snapshotView(c, r, detail), project_id: r.projectId }));
    const body = listBody(req, views, SNAPSHOT_SCHEMA, `${apiBase(req)}/snapshots${detail ? '/detail' : ''}`);
    for (const v of body['snapshots'] as Record<string, unknown>[]) delete v['project_id'];
    return body;
  };

  for (const path of bothPaths('/snapshots')) {
    app.get(path, async (req) => list(req, false));
    app.post(path, async (req, reply) => {
      const o = envelope(req.body, 'snapshot');
      const row = await d.snapshots.create(
        req.ctx,
        { volumeId: o['volume_id'], name: o['name'] ?? o['display_name'], description: o['description'] ?? o['display_description'], force: o['force'], metadata: o['metadata'] },
        atLeast(versionOf(req), mv.SNAPSHOT_IN_USE),
      );
      reply.status(202);
      return show(req, row, false);
    });
  }
  for (const path of bothPaths('/snapshots/detail')) app.get(path, async (req) => list(req, true));
  for (const path of bothPaths('/snapshots/:id')) {
    app.get(path, async (req) => show(req, await d.snapshots.get(req.ctx, params(req).id as string)));
    app.put(path, async (req) => {
      const o = envelope(req.body, 'snapshot');
      return show(req, await d.snapshots.update(req.ctx, params(req).id as string, { name: o['name'] ?? o['display_name'], description: o['description'] ?? o['display_description'] }), false);
    });
    app.delete(path, async (req, reply) => {
      await d.snapshots.delete(req.ctx, params(req).id as string);
      return reply.status(202).send();
    });
  }
  registerMetadataRoutes(app, 'snapshots', 'Snapshot', d.snapshots);
  for (const path of bothPaths('/snapshots/:id/action')) {
    app.post(path, async (req, reply) => {
      const body = bodyObject(req.body);
      const id = params(req).id as string;
      if ('os-reset_status' in body) {
        const a = body['os-reset_status'] as Record<string, unknown> | null;
        await d.snapshots.resetStatus(req.ctx, id, a?.['status']);
      } else if ('os-force_delete' in body) {
        await d.snapshots.delete(req.ctx, id, true);
      } else if ('os-update_snapshot_status' in body) {
        const a = body['os-update_snapshot_status'] as Record<string, unknown> | null;
        await d.snapshots.updateStatus(req.ctx, id, a?.['status'], a?.['progress']);
      } else {
        throw new InvalidInput(`There is no such action: ${Object.keys(body).join(',')}`, 'HTTPBadRequest');
      }
      return reply.status(202).send();
    });
  }
}
