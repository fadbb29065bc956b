/**
 * Volume types (extra specs, access, default types 3.62) and QoS specs. Thin: parse, one service
 * call, render.
 */
import type { FastifyInstance } from 'fastify';
import { InvalidInput, NotFound } from '../../core/errors.js';
import { parseBool } from '../../core/volume/volume-service.js';
import { atLeast, volumeMicroversions as mv } from '../http/microversion/index.js';
import type { VolumeApiDeps } from './deps.js';
import { apiBase, bodyObject, bothPaths, envelope, params, query, queryValue, versionOf } from './request.js';
import { qosLinks, qosView, typeView } from './views.js';

const optBool = (v: unknown, field: string) => (v === undefined || v === null ? undefined : parseBool(v, field));

export function registerTypeRoutes(app: FastifyInstance, d: VolumeApiDeps): void {
  for (const path of bothPaths('/types')) {
    app.get(path, async (req) => {
      const isPublicText = queryValue(query(req), 'is_public');
      const isPublic = isPublicText === undefined || isPublicText.toLowerCase() === 'none' ? null : parseBool(isPublicText, 'is_public');
      return { volume_types: (await d.types.list(req.ctx, isPublic)).map((t) => typeView(t, req.ctx.isAdmin)) };
    });
    app.post(path, async (req) => {
      const o = envelope(req.body, 'volume_type');
      const specs = o['extra_specs'];
      const t = await d.types.create(req.ctx, {
        name: o['name'] as string | undefined,
        description: (o['description'] as string | null | undefined) ?? null,
        isPublic: optBool(o['os-volume-type-access:is_public'] ?? o['is_public'], 'is_public'),
        extraSpecs: specs === undefined ? undefined : (specs as Record<string, string>),
      });
      return { volume_type: typeView(t, req.ctx.isAdmin) };
    });
  }
  for (const path of bothPaths('/types/:id')) {
    app.get(path, async (req) => ({ volume_type: typeView(await d.types.get(req.ctx, params(req).id as string), req.ctx.isAdmin) }));
    app.put(path, async (req) => {
      const o = envelope(req.body, 'volume_type');
      const t = await d.types.update(req.ctx, params(req).id as string, {
        name: o['name'] as string | undefined,
        description: o['description'] as string | null | undefined,
        isPublic: optBool(o['is_public'] ?? o['os-volume-type-access:is_public'], 'is_public'),
      });
      // Cinder's update answer carries no access extension attribute.
      const { 'os-volume-type-access:is_public': _omit, ...view } = typeView(t, req.ctx.isAdmin);
      return { volume_type: view };
    });
    app.delete(path, async (req, reply) => {
      await d.types.delete(req.ctx, params(req).id as string);
      return reply.status(202).send();
    });
  }
  for (const path of bothPaths('/types/:id/extra_specs')) {
    app.get(path, async (req) => ({ extra_specs: await d.types.getExtraSpecs(req.ctx, params(req).id as string) }));
    app.post(path, async (req) => ({ extra_specs: await d.types.setExtraSpecs(req.ctx, params(req).id as string, envelope(req.body, 'extra_specs') as Record<string, string>) }));
  }
  for (const path of bothPaths('/types/:id/extra_specs/:key')) {
    app.get(path, async (req) => {
      const { id, key } = params(req) as { id: string; key: string };
      return { [key]: await d.types.getExtraSpec(req.ctx, id, key) };
    });
    app.put(path, async (req) => {
      const { id, key } = params(req) as { id: string; key: string };
      const body = bodyObject(req.body);
      if (Object.keys(body).length !== 1) throw new InvalidInput('Request body contains too many items.', 'HTTPBadRequest');
      if (!(key in body)) throw new InvalidInput('Request body and URI mismatch', 'HTTPBadRequest');
      return d.types.setExtraSpecs(req.ctx, id, body as Record<string, string>);
    });
    app.delete(path, async (req, reply) => {
      const { id, key } = params(req) as { id: string; key: string };
      await d.types.deleteExtraSpec(req.ctx, id, key);
      return reply.status(202).send();
    });
  }
  for (const path of bothPaths('/types/:id/os-volume-type-access')) {
    app.get(path, async (req) => {
      const id = params(req).id as string;
      return { volume_type_access: (await d.types.listAccess(req.ctx, id)).map((p) => ({ volume_type_id: id, project_id: p })) };
    });
  }
  for (const path of bothPaths('/types/:id/action')) {
    app.post(path, async (req, reply) => {
      const body = bodyObject(req.body);
      const id = params(req).id as string;
      const add = body['addProjectAccess'] as Record<string, unknown> | undefined;
      const remove = body['removeProjectAccess'] as Record<string, unknown> | undefined;
      const project = (add ?? remove)?.['project'];
      if ((!add && !remove) || typeof project !== 'string') throw new InvalidInput('Access list not available for public volume types.', 'HTTPBadRequest');
      await d.types.changeAccess(req.ctx, id, project, !!add);
      return reply.status(202).send();
    });
  }

  // ---- default types (3.62)
  const needDefaults = (v: string) => {
    if (!atLeast(v, mv.DEFAULT_TYPE_OVERRIDES)) throw new NotFound('The resource could not be found.', 'HTTPNotFound');
  };
  const defaultView = (r: { id: string; data: { volumeTypeId: string } }) => ({ project_id: r.id, volume_type_id: r.data.volumeTypeId });
  for (const path of bothPaths('/default-types')) {
    app.get(path, async (req) => {
      needDefaults(versionOf(req));
      return { default_types: (await d.types.listDefaults(req.ctx)).map(defaultView) };
    });
  }
  for (const path of bothPaths('/default-types/:target')) {
    app.put(path, async (req) => {
      needDefaults(versionOf(req));
      const o = envelope(req.body, 'default_type');
      if (typeof o['volume_type'] !== 'string') throw new InvalidInput("Invalid input for field/attribute volume_type. 'volume_type' is a required property", 'HTTPBadRequest');
      return { default_type: defaultView(await d.types.setDefault(req.ctx, params(req).target as string, o['volume_type'])) };
    });
    app.get(path, async (req) => {
      needDefaults(versionOf(req));
      return { default_type: defaultView(await d.types.getDefault(req.ctx, params(req).target as string)) };
    });
    app.delete(path, async (req, reply) => {
      needDefaults(versionOf(req));
      await d.types.unsetDefault(req.ctx, params(req).target as string);
      return reply.status(204).send();
    });
  }

  // ---- QoS specs
  for (const path of bothPaths('/qos-specs')) {
    app.get(path, async (req) => ({ qos_specs: (await d.qos.list(req.ctx)).map((q) => qosView(apiBase(req), q)) }));
    app.post(path, async (req) => {
      const q = await d.qos.create(req.ctx, envelope(req.body, 'qos_specs'));
      return { qos_specs: { id: q.id, name: q.data.name, consumer: q.data.consumer, specs: q.data.specs }, links: qosLinks(apiBase(req), q.id) };
    });
  }
  for (const path of bothPaths('/qos-specs/:id')) {
    app.get(path, async (req) => {
      const q = await d.qos.get(req.ctx, params(req).id as string);
      return { qos_specs: { id: q.id, name: q.data.name, consumer: q.data.consumer, specs: q.data.specs }, links: qosLinks(apiBase(req), q.id) };
    });
    app.put(path, async (req) => ({ qos_specs: await d.qos.setKeys(req.ctx, params(req).id as string, envelope(req.body, 'qos_specs')) }));
    app.delete(path, async (req, reply) => {
      const force = queryValue(query(req), 'force');
      await d.qos.delete(req.ctx, params(req).id as string, force !== undefined && parseBool(force, 'force'));
      return reply.status(202).send();
    });
  }
  for (const path of bothPaths('/qos-specs/:id/delete_keys')) {
    app.put(path, async (req, reply) => {
      await d.qos.deleteKeys(req.ctx, params(req).id as string, bodyObject(req.body)['keys']);
      return reply.status(202).send();
    });
  }
  for (const path of bothPaths('/qos-specs/:id/associations')) {
    app.get(path, async (req) => ({
      qos_associations: (await d.qos.associations(req.ctx, params(req).id as string)).map((t) => ({ association_type: 'volume_type', name: t.data.name, id: t.id })),
    }));
  }
  for (const path of bothPaths('/qos-specs/:id/associate')) {
    app.get(path, async (req, reply) => {
      await d.qos.associate(req.ctx, params(req).id as string, queryValue(query(req), 'vol_type_id'));
      return reply.status(202).send();
    });
  }
  for (const path of bothPaths('/qos-specs/:id/disassociate')) {
    app.get(path, async (req, reply) => {
      await d.qos.disassociate(req.ctx, params(req).id as string, queryValue(query(req), 'vol_type_id'));
      return reply.status(202).send();
    });
  }
  for (const path of bothPaths('/qos-specs/:id/disassociate_all')) {
    app.get(path, async (req, reply) => {
      await d.qos.disassociateAll(req.ctx, params(req).id as string);
      return reply.status(202).send();
    });
  }
}
