/**
 * Volume transfers (`/os-volume-transfer`, and `/volume-transfers` from 3.55) and volume type
 * encryption specs (`/types/{id}/encryption`). Thin: parse, one service call, render.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { NotFound } from '../../core/errors.js';
import type { TypeEncryption, VolumeTransfer } from '../../core/model/volume.js';
import type { StoredResource } from '../../core/ports/resource-store.js';
import { cinderTime } from '../../core/volume/common.js';
import { atLeast, volumeMicroversions as mv } from '../http/microversion/index.js';
import type { VolumeApiDeps } from './deps.js';
import { TRANSFER_SCHEMA, listBody } from './list.js';
import { apiBase, bodyObject, bookmarkBase, bothPaths, envelope, params, query, queryFlag, versionOf } from './request.js';

const TRANSFER_NO_SNAPSHOTS = mv.TRANSFER_WITH_SNAPSHOTS;
const TRANSFER_PROJECTS = mv.TRANSFER_WITH_HISTORY;

export function registerTransferRoutes(app: FastifyInstance, d: VolumeApiDeps): void {
  const links = (req: FastifyRequest, id: string) => [
    { rel: 'self', href: `${apiBase(req)}/os-volume-transfer/${id}` },
    { rel: 'bookmark', href: `${bookmarkBase(req)}/os-volume-transfer/${id}` },
  ];
  const view = (req: FastifyRequest, r: StoredResource<VolumeTransfer>, detail: boolean): Record<string, unknown> => {
    const out: Record<string, unknown> = { id: r.id, name: r.data.name, volume_id: r.data.volumeId, links: links(req, r.id) };
    if (!detail) return out;
    out['created_at'] = cinderTime(r.createdAt);
    const v = versionOf(req);
    if (atLeast(v, TRANSFER_NO_SNAPSHOTS)) out['no_snapshots'] = r.data.noSnapshots;
    if (atLeast(v, TRANSFER_PROJECTS)) {
      out['source_project_id'] = r.data.sourceProjectId;
      out['destination_project_id'] = r.data.destinationProjectId;
      out['accepted'] = r.data.accepted;
    }
    return out;
  };

  /** Before 3.59 the list is the whole collection; from it, Cinder's sort/limit/marker apply. */
  const listTransfers = async (req: FastifyRequest, prefix: string, detail: boolean) => {
    const rows = await d.transfers.list(req.ctx, queryFlag(query(req), 'all_tenants'));
    if (!atLeast(versionOf(req), mv.SUPPORT_TRANSFER_PAGINATION)) return { transfers: rows.map((t) => view(req, t, detail)) };
    const full = rows.map((t) => ({ ...view(req, t, true) }));
    const body = listBody(req, full, TRANSFER_SCHEMA, `${apiBase(req)}${prefix}${detail ? '/detail' : ''}`, detail ? undefined : (v) => ({ id: v['id'], name: v['name'], volume_id: v['volume_id'], links: v['links'] }));
    return body;
  };

  for (const [prefix, since] of [['/os-volume-transfer', '3.0'], ['/volume-transfers', TRANSFER_NO_SNAPSHOTS]] as const) {
    const need = (req: FastifyRequest) => {
      if (!atLeast(versionOf(req), since)) throw new NotFound('The resource could not be found.', 'HTTPNotFound');
    };
    for (const path of bothPaths(prefix)) {
      app.get(path, async (req) => {
        need(req);
        return listTransfers(req, prefix, false);
      });
      app.post(path, async (req, reply) => {
        need(req);
        const o = envelope(req.body, 'transfer');
        const noSnapshots = atLeast(versionOf(req), TRANSFER_NO_SNAPSHOTS) ? o['no_snapshots'] : undefined;
        const t = await d.transfers.create(req.ctx, { volumeId: o['volume_id'], name: o['name'], noSnapshots });
        reply.status(202);
        return { transfer: { ...view(req, t, true), auth_key: t.data.authKey } };
      });
    }
    for (const path of bothPaths(`${prefix}/detail`)) {
      app.get(path, async (req) => {
        need(req);
        return listTransfers(req, prefix, true);
      });
    }
    for (const path of bothPaths(`${prefix}/:id`)) {
      app.get(path, async (req) => {
        need(req);
        return { transfer: view(req, await d.transfers.get(req.ctx, params(req).id as string), true) };
      });
      app.delete(path, async (req, reply) => {
        need(req);
        await d.transfers.delete(req.ctx, params(req).id as string);
        return reply.status(202).send();
      });
    }
    for (const path of bothPaths(`${prefix}/:id/accept`)) {
      app.post(path, async (req, reply) => {
        need(req);
        const o = envelope(req.body, 'accept');
        const t = await d.transfers.accept(req.ctx, params(req).id as string, o['auth_key']);
        reply.status(202);
        return { transfer: view(req, t, false) };
      });
    }
  }

  // ---- volume type encryption
  const encView = (r: StoredResource<TypeEncryption>) => ({
    volume_type_id: r.id, encryption_id: r.data.encryptionId, provider: r.data.provider, cipher: r.data.cipher, key_size: r.data.keySize,
    control_location: r.data.controlLocation, deleted: false, created_at: cinderTime(r.createdAt), updated_at: cinderTime(r.updatedAt), deleted_at: null,
  });
  const encInput = (o: Record<string, unknown>) => ({ provider: o['provider'], cipher: o['cipher'], keySize: o['key_size'], controlLocation: o['control_location'] });
  for (const path of bothPaths('/types/:id/encryption')) {
    app.get(path, async (req) => {
      const e = await d.encryption.get(req.ctx, params(req).id as string);
      return e ? encView(e) : {};
    });
    app.post(path, async (req) => {
      const e = await d.encryption.create(req.ctx, params(req).id as string, encInput(envelope(req.body, 'encryption')));
      const { deleted: _d, created_at: _c, updated_at: _u, deleted_at: _x, ...created } = encView(e);
      return { encryption: created };
    });
  }
  for (const path of bothPaths('/types/:id/encryption/:key')) {
    app.get(path, async (req) => {
      const { id, key } = params(req) as { id: string; key: string };
      const e = await d.encryption.get(req.ctx, id);
      const v = e ? (encView(e) as Record<string, unknown>)[key] : undefined;
      if (v === undefined || key === 'deleted' || key.endsWith('_at')) throw new NotFound(`Volume type encryption for type ${id} does not have the key ${key}.`, 'VolumeTypeEncryptionNotFound');
      return { [key]: v === null ? null : String(v) };
    });
    // The path's last segment is Cinder's encryption id; the type has one spec, so it is not consulted.
    app.put(path, async (req) => {
      const o = envelope(req.body, 'encryption');
      await d.encryption.update(req.ctx, params(req).id as string, encInput(o));
      return { encryption: Object.fromEntries(Object.entries(o).filter(([k]) => ['provider', 'cipher', 'key_size', 'control_location'].includes(k))) };
    });
    app.delete(path, async (req, reply) => {
      bodyObject(req.body ?? {});
      await d.encryption.delete(req.ctx, params(req).id as string);
      return reply.status(202).send();
    });
  }
}
