/**
 * Group types (3.11), generic volume groups (3.13, create-from-src 3.14, reset 3.20) and group
 * snapshots (3.14, reset 3.19). Below its microversion a route answers 404, as Cinder does.
 * Thin: parse, one service call, render.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { InvalidInput, NotFound } from '../../core/errors.js';
import type { GroupSnapshot, GroupType, VolumeGroup } from '../../core/model/volume.js';
import type { StoredResource } from '../../core/ports/resource-store.js';
import { cinderTime } from '../../core/volume/common.js';
import { parseBool } from '../../core/volume/volume-service.js';
import { atLeast, volumeMicroversions as mv } from '../http/microversion/index.js';
import type { VolumeApiDeps } from './deps.js';
import { bodyObject, bothPaths, envelope, params, query, queryFlag, queryValue, versionOf } from './request.js';

const needVersion = (req: FastifyRequest, v: string) => {
  if (!atLeast(versionOf(req), v)) throw new NotFound('The resource could not be found.', 'HTTPNotFound');
};

export function registerGroupRoutes(app: FastifyInstance, d: VolumeApiDeps): void {
  // ---- group types
  const gtView = (t: StoredResource<GroupType>) => ({ id: t.id, name: t.data.name, description: t.data.description, is_public: t.data.isPublic, group_specs: t.data.groupSpecs });
  const optBool = (v: unknown, f: string) => (v === undefined || v === null ? undefined : parseBool(v, f));
  for (const path of bothPaths('/group_types')) {
    app.get(path, async (req) => {
      needVersion(req, mv.GROUP_TYPE);
      const q = query(req);
      const pub = queryValue(q, 'is_public');
      const isPublic = pub === undefined || pub.toLowerCase() === 'none' ? null : parseBool(pub, 'is_public');
      const sort = queryValue(q, 'sort') ?? queryValue(q, 'sort_dir') ?? '';
      return { group_types: (await d.groupTypes.list(req.ctx, isPublic, /desc$/i.test(sort))).map(gtView) };
    });
    app.post(path, async (req, reply) => {
      needVersion(req, mv.GROUP_TYPE);
      const o = envelope(req.body, 'group_type');
      const t = await d.groupTypes.create(req.ctx, { name: o['name'], description: o['description'], isPublic: optBool(o['is_public'], 'is_public'), groupSpecs: o['group_specs'] });
      reply.status(202);
      return { group_type: gtView(t) };
    });
  }
  for (const path of bothPaths('/group_types/:id')) {
    app.get(path, async (req) => {
      needVersion(req, mv.GROUP_TYPE);
      return { group_type: gtView(await d.groupTypes.get(req.ctx, params(req).id as string)) };
    });
    app.put(path, async (req) => {
      needVersion(req, mv.GROUP_TYPE);
      const o = envelope(req.body, 'group_type');
      const t = await d.groupTypes.update(req.ctx, params(req).id as string, { name: o['name'], description: o['description'], isPublic: optBool(o['is_public'], 'is_public') });
      return { group_type: gtView(t) };
    });
    app.delete(path, async (req, reply) => {
      needVersion(req, mv.GROUP_TYPE);
      await d.groupTypes.delete(req.ctx, params(req).id as string);
      return reply.status(202).send();
    });
  }
  for (const path of bothPaths('/group_types/:id/group_specs')) {
    app.get(path, async (req) => {
      needVersion(req, mv.GROUP_TYPE);
      return { group_specs: (await d.groupTypes.get(req.ctx, params(req).id as string)).data.groupSpecs };
    });
    app.post(path, async (req, reply) => {
      needVersion(req, mv.GROUP_TYPE);
      const specs = await d.groupTypes.setSpecs(req.ctx, params(req).id as string, envelope(req.body, 'group_specs'));
      reply.status(202);
      return { group_specs: specs };
    });
  }
  for (const path of bothPaths('/group_types/:id/group_specs/:key')) {
    app.get(path, async (req) => {
      needVersion(req, mv.GROUP_TYPE);
      const { id, key } = params(req) as { id: string; key: string };
      return { [key]: await d.groupTypes.getSpec(req.ctx, id, key) };
    });
    app.put(path, async (req) => {
      needVersion(req, mv.GROUP_TYPE);
      const { id, key } = params(req) as { id: string; key: string };
      const body = bodyObject(req.body);
      if (Object.keys(body).length !== 1) throw new InvalidInput('Request body contains too many items.', 'HTTPBadRequest');
      if (!(key in body)) throw new InvalidInput('Request body and URI mismatch', 'HTTPBadRequest');
      return d.groupTypes.setSpecs(req.ctx, id, body);
    });
    app.delete(path, async (req, reply) => {
      needVersion(req, mv.GROUP_TYPE);
      const { id, key } = params(req) as { id: string; key: string };
      await d.groupTypes.deleteSpec(req.ctx, id, key);
      return reply.status(202).send();
    });
  }

  // ---- groups
  const groupView = async (req: FastifyRequest, g: StoredResource<VolumeGroup>) => {
    const out: Record<string, unknown> = {
      id: g.id, name: g.data.name, description: g.data.description, status: g.data.status, availability_zone: g.data.availabilityZone,
      created_at: cinderTime(g.createdAt), group_type: g.data.groupTypeId, volume_types: g.data.volumeTypeIds,
      group_snapshot_id: g.data.groupSnapshotId, source_group_id: g.data.sourceGroupId,
    };
    const v = versionOf(req);
    if (atLeast(v, mv.GROUP_VOLUME_LIST) && queryFlag(query(req), 'list_volume')) out['volumes'] = await d.groups.memberIds(g.id, g.projectId);
    if (atLeast(v, mv.GROUP_REPLICATION)) out['replication_status'] = 'disabled';
    if (atLeast(v, mv.GROUP_GROUPSNAPSHOT_PROJECT_ID)) out['project_id'] = g.projectId;
    return out;
  };
  for (const path of bothPaths('/groups')) {
    app.get(path, async (req) => {
      needVersion(req, mv.GROUP_VOLUME);
      return { groups: (await d.groups.list(req.ctx, queryFlag(query(req), 'all_tenants'))).map((g) => ({ id: g.id, name: g.data.name })) };
    });
    app.post(path, async (req, reply) => {
      needVersion(req, mv.GROUP_VOLUME);
      const o = envelope(req.body, 'group');
      const g = await d.groups.create(req.ctx, { name: o['name'], description: o['description'], groupType: o['group_type'], volumeTypes: o['volume_types'], availabilityZone: o['availability_zone'] });
      reply.status(202);
      return { group: { id: g.id, name: g.data.name } };
    });
  }
  for (const path of bothPaths('/groups/detail')) {
    app.get(path, async (req) => {
      needVersion(req, mv.GROUP_VOLUME);
      const rows = await d.groups.list(req.ctx, queryFlag(query(req), 'all_tenants'));
      return { groups: await Promise.all(rows.map((g) => groupView(req, g))) };
    });
  }
  for (const path of bothPaths('/groups/action')) {
    app.post(path, async (req, reply) => {
      needVersion(req, mv.GROUP_SNAPSHOTS);
      const o = envelope(req.body, 'create-from-src');
      const g = await d.groups.createFromSource(req.ctx, { name: o['name'], description: o['description'], sourceGroupId: o['source_group_id'], groupSnapshotId: o['group_snapshot_id'] });
      reply.status(202);
      return { group: { id: g.id, name: g.data.name } };
    });
  }
  for (const path of bothPaths('/groups/:id')) {
    app.get(path, async (req) => {
      needVersion(req, mv.GROUP_VOLUME);
      return { group: await groupView(req, await d.groups.get(req.ctx, params(req).id as string)) };
    });
    app.put(path, async (req, reply) => {
      needVersion(req, mv.GROUP_VOLUME);
      const o = envelope(req.body, 'group');
      await d.groups.update(req.ctx, params(req).id as string, { name: o['name'], description: o['description'], addVolumes: o['add_volumes'], removeVolumes: o['remove_volumes'] });
      return reply.status(202).send();
    });
  }
  for (const path of bothPaths('/groups/:id/action')) {
    app.post(path, async (req, reply) => {
      needVersion(req, mv.GROUP_VOLUME);
      const body = bodyObject(req.body);
      const id = params(req).id as string;
      if ('delete' in body) {
        const a = body['delete'];
        await d.groups.delete(req.ctx, id, a && typeof a === 'object' ? (a as Record<string, unknown>)['delete-volumes'] : undefined);
      } else if ('reset_status' in body) {
        needVersion(req, mv.GROUP_VOLUME_RESET_STATUS);
        await d.groups.resetStatus(req.ctx, id, (body['reset_status'] as Record<string, unknown> | null)?.['status']);
      } else {
        throw new InvalidInput(`There is no such action: ${Object.keys(body).join(',')}`, 'HTTPBadRequest');
      }
      return reply.status(202).send();
    });
  }

  // ---- group snapshots
  const gsView = (g: StoredResource<GroupSnapshot>, v: string) => ({
    id: g.id, name: g.data.name, description: g.data.description, status: g.data.status, group_id: g.data.groupId, group_type_id: g.data.groupTypeId,
    created_at: cinderTime(g.createdAt), ...(atLeast(v, mv.GROUP_GROUPSNAPSHOT_PROJECT_ID) ? { project_id: g.projectId } : {}),
  });
  for (const path of bothPaths('/group_snapshots')) {
    app.get(path, async (req) => {
      needVersion(req, mv.GROUP_SNAPSHOTS);
      return { group_snapshots: (await d.groups.listSnapshots(req.ctx, queryFlag(query(req), 'all_tenants'))).map((g) => ({ id: g.id, name: g.data.name })) };
    });
    app.post(path, async (req, reply) => {
      needVersion(req, mv.GROUP_SNAPSHOTS);
      const o = envelope(req.body, 'group_snapshot');
      const g = await d.groups.createSnapshot(req.ctx, { groupId: o['group_id'], name: o['name'], description: o['description'] });
      reply.status(202);
      return { group_snapshot: { id: g.id, name: g.data.name, group_type_id: g.data.groupTypeId } };
    });
  }
  for (const path of bothPaths('/group_snapshots/detail')) {
    app.get(path, async (req) => {
      needVersion(req, mv.GROUP_SNAPSHOTS);
      return { group_snapshots: (await d.groups.listSnapshots(req.ctx, queryFlag(query(req), 'all_tenants'))).map((g) => gsView(g, versionOf(req))) };
    });
  }
  for (const path of bothPaths('/group_snapshots/:id')) {
    app.get(path, async (req) => {
      needVersion(req, mv.GROUP_SNAPSHOTS);
      return { group_snapshot: gsView(await d.groups.getSnapshot(req.ctx, params(req).id as string), versionOf(req)) };
    });
    app.delete(path, async (req, reply) => {
      needVersion(req, mv.GROUP_SNAPSHOTS);
      await d.groups.deleteSnapshot(req.ctx, params(req).id as string);
      return reply.status(202).send();
    });
  }
  for (const path of bothPaths('/group_snapshots/:id/action')) {
    app.post(path, async (req, reply) => {
      needVersion(req, mv.GROUP_SNAPSHOT_RESET_STATUS);
      const body = bodyObject(req.body);
      if (!('reset_status' in body)) throw new InvalidInput(`There is no such action: ${Object.keys(body).join(',')}`, 'HTTPBadRequest');
      await d.groups.resetSnapshotStatus(req.ctx, params(req).id as string, (body['reset_status'] as Record<string, unknown> | null)?.['status']);
      return reply.status(202).send();
    });
  }
}
