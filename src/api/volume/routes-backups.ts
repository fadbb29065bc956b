/**
 * Backups: create, list/detail, show, update (3.9), delete, restore, admin actions (reset status,
 * force delete) and export/import of records. Thin: parse, one service call, render.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { InvalidInput, NotFound } from '../../core/errors.js';
import type { Backup } from '../../core/model/backup.js';
import type { StoredResource } from '../../core/ports/resource-store.js';
import { atLeast, volumeMicroversions as mv } from '../http/microversion/index.js';
import type { VolumeApiDeps } from './deps.js';
import { BACKUP_SCHEMA, listBody } from './list.js';
import { apiBase, bodyObject, bookmarkBase, bothPaths, envelope, params, query, queryFlag, queryValue, versionOf } from './request.js';
import { backupSummary, backupView, type ViewContext } from './views.js';

/** What export_record names as the backup service (Tempest checks the `cinder.backup.drivers` prefix). */
const BACKUP_SERVICE = 'cinder.backup.drivers.pocketstack_local';

export function registerBackupRoutes(app: FastifyInstance, d: VolumeApiDeps): void {
  const vc = (req: FastifyRequest): ViewContext => ({ base: apiBase(req), bookmarkBase: bookmarkBase(req), version: versionOf(req), isAdmin: req.ctx.isAdmin, typeNames: new Map(), attachments: new Map() });
  const detail = async (req: FastifyRequest, r: StoredResource<Backup>) => {
    const dependents = await d.backups.parentsWithDependents([r]);
    return { backup: backupView(vc(req), r, dependents.has(r.id)) };
  };
  const list = async (req: FastifyRequest, withDetail: boolean) => {
    const q = query(req);
    const rows = await d.backups.list(req.ctx, { allTenants: queryFlag(q, 'all_tenants'), projectId: queryValue(q, 'project_id') });
    const dependents = await d.backups.parentsWithDependents(rows);
    const c = vc(req);
    const views = rows.map((r) => ({ ...backupView(c, r, dependents.has(r.id)), project_id: r.projectId }));
    const body = listBody(req, views, BACKUP_SCHEMA, `${apiBase(req)}/backups${withDetail ? '/detail' : ''}`, withDetail ? undefined : (v) => ({ id: v['id'], links: v['links'], name: v['name'] }));
    if (withDetail) for (const v of body['backups'] as Record<string, unknown>[]) delete v['project_id'];
    return body;
  };

  for (const path of bothPaths('/backups')) {
    app.get(path, async (req) => list(req, false));
    app.post(path, async (req, reply) => {
      const o = envelope(req.body, 'backup');
      const v = versionOf(req);
      const row = await d.backups.create(req.ctx, {
        volumeId: o['volume_id'], name: o['name'] ?? o['display_name'], description: o['description'] ?? o['display_description'], container: o['container'],
        incremental: o['incremental'], force: o['force'], snapshotId: o['snapshot_id'],
        metadata: atLeast(v, mv.BACKUP_METADATA) ? o['metadata'] : undefined,
        availabilityZone: atLeast(v, mv.BACKUP_AZ) ? o['availability_zone'] : undefined,
      });
      reply.status(202);
      return { backup: backupSummary(vc(req), row) };
    });
  }
  for (const path of bothPaths('/backups/detail')) app.get(path, async (req) => list(req, true));
  for (const path of bothPaths('/backups/import_record')) {
    app.post(path, async (req, reply) => {
      const o = envelope(req.body, 'backup-record');
      if (typeof o['backup_service'] !== 'string' || typeof o['backup_url'] !== 'string') {
        throw new InvalidInput("Invalid input received: Incorrect request body format: 'backup_service' and 'backup_url' are required.", 'InvalidInput');
      }
      if (o['backup_service'] !== BACKUP_SERVICE) throw new InvalidInput(`Invalid input received: Backup service ${o['backup_service']} is not supported.`, 'InvalidInput');
      let record: unknown;
      try {
        record = JSON.parse(Buffer.from(o['backup_url'], 'base64').toString('utf8'));
      } catch {
        throw new InvalidInput('Invalid input received: Can\'t parse backup record.', 'InvalidInput');
      }
      const row = await d.backups.importRecord(req.ctx, record);
      reply.status(201);
      return { backup: backupSummary(vc(req), row) };
    });
  }
  for (const path of bothPaths('/backups/:id')) {
    app.get(path, async (req) => detail(req, await d.backups.get(req.ctx, params(req).id as string)));
    app.put(path, async (req) => {
      if (!atLeast(versionOf(req), mv.BACKUP_UPDATE)) throw new NotFound('The resource could not be found.', 'HTTPNotFound');
      const o = envelope(req.body, 'backup');
      const row = await d.backups.update(req.ctx, params(req).id as string, {
        name: o['name'], description: o['description'], metadata: atLeast(versionOf(req), mv.BACKUP_METADATA) ? o['metadata'] : undefined,
      });
      return { backup: backupSummary(vc(req), row) };
    });
    app.delete(path, async (req, reply) => {
      await d.backups.delete(req.ctx, params(req).id as string);
      return reply.status(202).send();
    });
  }
  for (const path of bothPaths('/backups/:id/restore')) {
    app.post(path, async (req, reply) => {
      const o = envelope(req.body, 'restore');
      const r = await d.backups.restore(req.ctx, params(req).id as string, { volumeId: o['volume_id'], name: o['name'] });
      reply.status(202);
      return { restore: { backup_id: r.backupId, volume_id: r.volumeId, volume_name: r.volumeName } };
    });
  }
  for (const path of bothPaths('/backups/:id/export_record')) {
    app.get(path, async (req) => {
      const record = await d.backups.exportRecord(req.ctx, params(req).id as string);
      return { 'backup-record': { backup_service: BACKUP_SERVICE, backup_url: Buffer.from(JSON.stringify(record)).toString('base64') } };
    });
  }
  for (const path of bothPaths('/backups/:id/action')) {
    app.post(path, async (req, reply) => {
      const body = bodyObject(req.body);
      const id = params(req).id as string;
      if ('os-reset_status' in body) {
        const a = body['os-reset_status'] as Record<string, unknown> | null;
        await d.backups.resetStatus(req.ctx, id, a?.['status']);
      } else if ('os-force_delete' in body) {
        await d.backups.delete(req.ctx, id, true);
      } else {
        throw new InvalidInput(`There is no such action: ${Object.keys(body).join(',')}`, 'HTTPBadRequest');
      }
      return reply.status(202).send();
    });
  }
}
