/**
 * Quotas, limits, availability zones, services, messages, extensions, pools, hosts and backend
 * capabilities. Thin: parse, one service call, render.
 */
import type { FastifyInstance } from 'fastify';
import { NotFound } from '../../core/errors.js';
import { cinderTime } from '../../core/volume/common.js';
import { atLeast, volumeMicroversions as mv } from '../http/microversion/index.js';
import type { VolumeApiDeps } from './deps.js';
import { apiBase, bodyObject, bothPaths, envelope, params, query, queryFlag, queryValue, versionOf } from './request.js';
import { messageView } from './views.js';

const EXTENSIONS = [
  ['AvailabilityZones', 'os-availability-zone'], ['Qos_specs_manage', 'qos-specs'], ['Quotas', 'os-quota-sets'], ['Quota_classes', 'os-quota-class-sets'],
  ['Services', 'os-services'], ['TypesManage', 'os-types-manage'], ['TypesExtraSpecs', 'os-types-extra-specs'], ['VolumeTypeAccess', 'os-volume-type-access'],
  ['VolumeActions', 'os-volume-actions'], ['VolumeHostAttribute', 'os-vol-host-attr'], ['VolumeTenantAttribute', 'os-vol-tenant-attr'],
  ['VolumeMigStatusAttribute', 'os-vol-mig-status-attr'], ['VolumeImageMetadata', 'os-vol-image-meta'], ['ExtendedSnapshotAttributes', 'os-extended-snapshot-attributes'],
  ['AdminActions', 'os-admin-actions'], ['SchedulerStats', 'scheduler-stats'], ['Hosts', 'os-hosts'], ['Capabilities', 'capabilities'], ['UsedLimits', 'os-used-limits'],
  ['Backups', 'backups'], ['VolumeBackupAttribute', 'os-backup-project-attr'],
];

export function registerMiscRoutes(app: FastifyInstance, d: VolumeApiDeps): void {
  // ---- quotas
  for (const path of bothPaths('/os-quota-sets/:target')) {
    app.get(path, async (req) => {
      const target = params(req).target as string;
      return { quota_set: { id: target, ...(await d.quotas.show(req.ctx, target, queryFlag(query(req), 'usage'))) } };
    });
    app.put(path, async (req) => ({ quota_set: await d.quotas.update(req.ctx, params(req).target as string, envelope(req.body, 'quota_set')) }));
    app.delete(path, async (req, reply) => {
      await d.quotas.reset(req.ctx, params(req).target as string);
      return reply.status(200).send();
    });
  }
  for (const path of bothPaths('/os-quota-sets/:target/defaults')) {
    app.get(path, async (req) => {
      const target = params(req).target as string;
      return { quota_set: { id: target, ...(await d.quotas.showDefaults(req.ctx, target)) } };
    });
  }
  for (const path of bothPaths('/os-quota-class-sets/:name')) {
    app.get(path, async (req) => ({ quota_class_set: { id: params(req).name, ...(await d.quotas.showClass(req.ctx, params(req).name as string)) } }));
    app.put(path, async (req) => ({ quota_class_set: await d.quotas.updateClass(req.ctx, params(req).name as string, envelope(req.body, 'quota_class_set')) }));
  }

  // ---- limits
  for (const path of bothPaths('/limits')) {
    app.get(path, async (req) => {
      const asked = queryValue(query(req), 'project_id');
      const project = asked && req.ctx.isAdmin && atLeast(versionOf(req), mv.LIMITS_ADMIN_FILTER) ? asked : (req.ctx.projectId ?? '');
      return { limits: { rate: [], absolute: await d.info.absoluteLimits(req.ctx, project) } };
    });
  }

  // ---- availability zones, services, extensions
  for (const path of bothPaths('/os-availability-zone')) app.get(path, async () => ({ availabilityZoneInfo: d.info.availabilityZones() }));
  for (const path of bothPaths('/os-services')) {
    app.get(path, async (req) => {
      const q = query(req);
      const withBackend = atLeast(versionOf(req), mv.BACKEND_STATE_REPORT);
      return {
        services: d.info.services(req.ctx, { host: queryValue(q, 'host'), binary: queryValue(q, 'binary') }).map((s) => ({
          binary: s.binary, host: s.host, zone: s.zone, status: s.status, state: s.state, updated_at: cinderTime(s.updatedAt), disabled_reason: s.disabledReason,
          frozen: false, replication_status: s.binary === 'cinder-volume' ? 'disabled' : undefined, active_backend_id: undefined,
          ...(atLeast(versionOf(req), mv.CLUSTER_SUPPORT) ? { cluster: null } : {}),
          ...(withBackend && s.binary === 'cinder-volume' ? { backend_state: 'up' } : {}),
        })),
      };
    });
  }
  for (const path of bothPaths('/os-services/:action')) {
    app.put(path, async (req) => {
      const s = d.info.setStatus(req.ctx, params(req).action as string, bodyObject(req.body));
      return { host: s.host, binary: s.binary, status: s.status, disabled: s.status === 'disabled', ...(s.disabledReason ? { disabled_reason: s.disabledReason } : {}) };
    });
  }
  for (const path of bothPaths('/extensions')) {
    app.get(path, async () => ({
      extensions: EXTENSIONS.map(([name, alias]) => ({ name, alias, description: `${name} support.`, links: [], updated: '2024-01-01T00:00:00+00:00', namespace: '' })),
    }));
  }

  // ---- scheduler pools, hosts, capabilities
  for (const path of bothPaths('/scheduler-stats/get_pools')) {
    app.get(path, async (req) => ({ pools: await d.info.pools(req.ctx, queryFlag(query(req), 'detail')) }));
  }
  for (const path of bothPaths('/os-hosts')) app.get(path, async (req) => ({ hosts: await d.info.hosts(req.ctx) }));
  for (const path of bothPaths('/os-hosts/:host')) app.get(path, async (req) => ({ host: await d.info.hostDetail(req.ctx, params(req).host as string) }));
  for (const path of bothPaths('/capabilities/:host')) app.get(path, async (req) => d.info.capabilities(req.ctx, params(req).host as string));

  // ---- messages (3.3)
  const needMessages = (v: string) => {
    if (!atLeast(v, mv.MESSAGES)) throw new NotFound('The resource could not be found.', 'HTTPNotFound');
  };
  for (const path of bothPaths('/messages')) {
    app.get(path, async (req) => {
      needMessages(versionOf(req));
      return { messages: (await d.messages.list(req.ctx)).map((m) => messageView(apiBase(req), m)) };
    });
  }
  for (const path of bothPaths('/messages/:id')) {
    app.get(path, async (req) => {
      needMessages(versionOf(req));
      return { message: messageView(apiBase(req), await d.messages.get(req.ctx, params(req).id as string)) };
    });
    app.delete(path, async (req, reply) => {
      needMessages(versionOf(req));
      await d.messages.delete(req.ctx, params(req).id as string);
      return reply.status(204).send();
    });
  }
}
