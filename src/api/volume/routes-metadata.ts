/**
 * The metadata sub-resources volumes and snapshots share: `/{coll}/{id}/metadata` (show, merge,
 * replace) and `/{coll}/{id}/metadata/{key}` (show, set, delete). Thin: one service call each.
 */
import type { FastifyInstance } from 'fastify';
import { InvalidInput, NotFound } from '../../core/errors.js';
import type { RequestContext } from '../../core/identity/context.js';
import { bothPaths, envelope, params } from './request.js';

export interface MetadataOwner {
  get(ctx: RequestContext, id: string): Promise<{ data: { metadata: Record<string, string> } }>;
  setMetadata(ctx: RequestContext, id: string, metadata: unknown, replace: boolean): Promise<Record<string, string>>;
  deleteMetadataKey(ctx: RequestContext, id: string, key: string): Promise<void>;
}

/** `label` names the resource in errors ("Volume", "Snapshot"): `<label>MetadataNotFound`. */
export function registerMetadataRoutes(app: FastifyInstance, collection: string, label: string, owner: MetadataOwner): void {
  for (const path of bothPaths(`/${collection}/:id/metadata`)) {
    app.get(path, async (req) => ({ metadata: (await owner.get(req.ctx, params(req).id as string)).data.metadata }));
    app.post(path, async (req) => ({ metadata: await owner.setMetadata(req.ctx, params(req).id as string, envelope(req.body, 'metadata'), false) }));
    app.put(path, async (req) => ({ metadata: await owner.setMetadata(req.ctx, params(req).id as string, envelope(req.body, 'metadata'), true) }));
  }
  for (const path of bothPaths(`/${collection}/:id/metadata/:key`)) {
    app.get(path, async (req) => {
      const { id, key } = params(req) as { id: string; key: string };
      const meta = (await owner.get(req.ctx, id)).data.metadata;
      if (!(key in meta)) throw new NotFound(`${label} ${id} has no metadata with key ${key}.`, `${label}MetadataNotFound`);
      return { meta: { [key]: meta[key] } };
    });
    app.put(path, async (req) => {
      const { id, key } = params(req) as { id: string; key: string };
      const meta = envelope(req.body, 'meta');
      if (Object.keys(meta).length !== 1) throw new InvalidInput('Request body contains too many items.', 'HTTPBadRequest');
      if (!(key in meta)) throw new InvalidInput('Request body and URI mismatch', 'HTTPBadRequest');
      await owner.setMetadata(req.ctx, id, meta, false);
      return { meta };
    });
    app.delete(path, async (req, reply) => {
      const { id, key } = params(req) as { id: string; key: string };
      await owner.deleteMetadataKey(req.ctx, id, key);
      return reply.status(200).send();
    });
  }
}
