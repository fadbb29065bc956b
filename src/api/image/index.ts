/**
 * The image API under /image (Glance v2 subset): version document, images CRUD, JSON-patch update,
 * file upload (application/octet-stream) and download, deactivate/reactivate. Thin: parse, one service call, render.
 * Imports core services and api/http only.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { InvalidInput } from '../../core/errors.js';
import type { ImageService } from '../../core/image/image-service.js';
import type { Image } from '../../core/model/image.js';
import type { StoredResource } from '../../core/ports/resource-store.js';
import { baseUrl } from '../http/server.js';

const JSON_PATCH = 'application/openstack-images-v2.1-json-patch';

export function imageView(r: StoredResource<Image>): Record<string, unknown> {
  const i = r.data;
  return {
    ...i.properties,
    id: r.id,
    name: i.name,
    status: i.status,
    visibility: i.visibility,
    protected: i.protected,
    os_hidden: false,
    checksum: i.checksum,
    os_hash_algo: i.osHashAlgo,
    os_hash_value: i.osHashValue,
    size: i.size,
    virtual_size: i.virtualSize,
    min_disk: i.minDisk,
    min_ram: i.minRam,
    disk_format: i.diskFormat,
    container_format: i.containerFormat,
    owner: r.projectId,
    tags: i.tags,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
    self: `/v2/images/${r.id}`,
    file: `/v2/images/${r.id}/file`,
    schema: '/v2/schemas/image',
  };
}

const id = (req: FastifyRequest) => (req.params as { id: string }).id;

export function registerImageApi(app: FastifyInstance, images: ImageService): void {
  app.addContentTypeParser(JSON_PATCH, { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, JSON.parse(body as string));
    } catch {
      done(Object.assign(new Error('Malformed request body: the body is not valid JSON.'), { statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY' }), undefined);
    }
  });

  const versions = (req: FastifyRequest) => ({
    versions: ['2.9', '2.8', '2.7', '2.6', '2.5', '2.4', '2.3', '2.2', '2.1', '2.0'].map((v, i) => ({
      id: `v${v}`, status: i === 0 ? 'CURRENT' : 'SUPPORTED', links: [{ rel: 'self', href: `${baseUrl(req)}/image/v2/` }],
    })),
  });
  app.get('/image', { config: { public: true } }, async (req, reply) => {
    reply.status(300);
    return versions(req);
  });
  app.get('/image/versions', { config: { public: true } }, async (req) => versions(req));

  app.get('/image/v2/images', async (req) => {
    const q = req.query as Record<string, string | undefined>;
    let rows = await images.list(req.ctx);
    for (const key of ['name', 'status', 'visibility', 'disk_format', 'container_format', 'owner'] as const) {
      const want = q[key];
      if (want === undefined) continue;
      rows = rows.filter((r) => String(imageView(r)[key]) === want);
    }
    return { images: rows.map(imageView), first: '/v2/images', schema: '/v2/schemas/images' };
  });
  app.post('/image/v2/images', async (req, reply) => {
    const body = req.body;
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new InvalidInput('Request body must be a JSON object.', 'HTTPBadRequest');
    const r = await images.create(req.ctx, body as Record<string, unknown>);
    reply.status(201).header('location', `${baseUrl(req)}/image/v2/images/${r.id}`);
    return imageView(r);
  });
  app.get('/image/v2/images/:id', async (req) => imageView(await images.get(req.ctx, id(req))));
  app.patch('/image/v2/images/:id', async (req) => imageView(await images.update(req.ctx, id(req), req.body)));
  app.delete('/image/v2/images/:id', async (req, reply) => {
    await images.delete(req.ctx, id(req));
    return reply.status(204).send();
  });
  app.put('/image/v2/images/:id/file', async (req, reply) => {
    const body = req.body;
    if (!Buffer.isBuffer(body)) throw new InvalidInput('Upload the image data as application/octet-stream.', 'HTTPBadRequest');
    await images.upload(req.ctx, id(req), body);
    return reply.status(204).send();
  });
  app.get('/image/v2/images/:id/file', async (req, reply) => {
    const bytes = await images.download(req.ctx, id(req));
    if (!bytes) return reply.status(204).send();
    return reply.type('application/octet-stream').send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  });
  for (const verb of ['deactivate', 'reactivate'] as const) {
    app.post(`/image/v2/images/:id/actions/${verb}`, async (req, reply) => {
      await images.setActive(req.ctx, id(req), verb === 'reactivate');
      return reply.status(204).send();
    });
  }
  app.get('/image/v2/schemas/image', async () => ({ name: 'image', properties: {}, additionalProperties: { type: 'string' } }));
}
