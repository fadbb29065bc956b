/**
 * Server sub-resources and actions: POST /action (os-start, os-stop, reboot, os-getConsoleOutput),
 * metadata, os-interface and os-volume_attachments. Thin: parse, one service call, render.
 * Imports core and api/http only.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { InvalidInput, NotFound } from '../../core/errors.js';
import type { ComputeApiDeps } from './deps.js';
import { envelope, stringMap } from './routes-servers.js';
import { COMPUTE_V21, interfaceView, volumeAttachmentView } from './views.js';

const id = (req: FastifyRequest) => (req.params as { id: string }).id;
const bad = (m: string) => new InvalidInput(m, 'ValidationError');

export function registerServerExtraRoutes(app: FastifyInstance, deps: ComputeApiDeps): void {
  const S = `${COMPUTE_V21}/servers/:id`;
  const { servers } = deps;

  app.post(`${S}/action`, async (req, reply) => {
    const body = req.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body) || Object.keys(body).length !== 1) throw bad('An action body names exactly one action.');
    const [action, arg] = Object.entries(body as Record<string, unknown>)[0]!;
    // Nova's 202s have no body: the power actions end with an empty send().
    reply.status(202);
    switch (action) {
      case 'os-start':
        await servers.power(req.ctx, id(req), 'start');
        return reply.send();
      case 'os-stop':
        await servers.power(req.ctx, id(req), 'stop');
        return reply.send();
      case 'reboot': {
        const type = (arg as { type?: unknown } | null)?.type;
        if (type !== 'SOFT' && type !== 'HARD') throw bad("Invalid input for field/attribute type. Value must be 'SOFT' or 'HARD'.");
        await servers.power(req.ctx, id(req), 'reboot', type === 'HARD');
        return reply.send();
      }
      case 'os-getConsoleOutput': {
        const raw = (arg as { length?: unknown } | null)?.length;
        const length = raw === undefined || raw === null ? undefined : Number(raw);
        if (length !== undefined && (!Number.isInteger(length) || length < -1)) throw bad('Invalid input for field/attribute length.');
        reply.status(200);
        return { output: await servers.consoleOutput(req.ctx, id(req), length === -1 ? undefined : length) };
      }
      default:
        throw bad(`There is no such action: ${action}`);
    }
  });

  // ---- metadata
  app.get(`${S}/metadata`, async (req) => ({ metadata: (await servers.get(req.ctx, id(req))).data.metadata }));
  app.post(`${S}/metadata`, async (req) => ({
    metadata: (await servers.update(req.ctx, id(req), { metadata: stringMap((req.body as { metadata?: unknown } | null)?.metadata, 'metadata') })).data.metadata,
  }));
  app.put(`${S}/metadata`, async (req) => ({
    metadata: (await servers.update(req.ctx, id(req), { metadata: stringMap((req.body as { metadata?: unknown } | null)?.metadata, 'metadata'), replaceMetadata: true })).data.metadata,
  }));
  app.get(`${S}/metadata/:key`, async (req) => {
    const { key } = req.params as { key: string };
    const md = (await servers.get(req.ctx, id(req))).data.metadata;
    if (!(key in md)) throw new NotFound('Metadata item was not found', 'MetadataItemNotFound');
    return { meta: { [key]: md[key] } };
  });
  app.put(`${S}/metadata/:key`, async (req) => {
    const { key } = req.params as { key: string };
    const meta = stringMap((req.body as { meta?: unknown } | null)?.meta, 'meta');
    if (Object.keys(meta).length !== 1 || !(key in meta)) throw bad('Request body and URI mismatch');
    await servers.update(req.ctx, id(req), { metadata: meta });
    return { meta };
  });
  app.delete(`${S}/metadata/:key`, async (req, reply) => {
    await servers.deleteMetadataKey(req.ctx, id(req), (req.params as { key: string }).key);
    reply.status(204);
    return null;
  });

  // ---- os-interface
  app.get(`${S}/os-interface`, async (req) => {
    const s = await servers.get(req.ctx, id(req));
    return { interfaceAttachments: (await servers.ports.listInterfaces(req.ctx, s)).map(interfaceView) };
  });
  app.get(`${S}/os-interface/:portId`, async (req) => {
    const s = await servers.get(req.ctx, id(req));
    const { portId } = req.params as { portId: string };
    const i = (await servers.ports.listInterfaces(req.ctx, s)).find((x) => x.portId === portId);
    if (!i) throw new NotFound(`Port ${portId} is not attached`, 'PortNotFound');
    return { interfaceAttachment: interfaceView(i) };
  });
  app.post(`${S}/os-interface`, async (req) => {
    const b = envelope(req.body, 'interfaceAttachment');
    const s = await servers.get(req.ctx, id(req));
    const fixed = Array.isArray(b['fixed_ips']) ? (b['fixed_ips'][0] as { ip_address?: string } | undefined)?.ip_address : undefined;
    const request = typeof b['port_id'] === 'string' && b['port_id'] ? { portId: b['port_id'] } : typeof b['net_id'] === 'string' && b['net_id'] ? { networkId: b['net_id'], ...(fixed ? { fixedIp: fixed } : {}) } : null;
    if (!request) throw bad('Must input network_id or port_id');
    return { interfaceAttachment: interfaceView(await servers.ports.attachInterface(req.ctx, s, request)) };
  });
  app.delete(`${S}/os-interface/:portId`, async (req, reply) => {
    const s = await servers.get(req.ctx, id(req));
    await servers.ports.detachInterface(req.ctx, s, (req.params as { portId: string }).portId);
    // Nova's 202s have no body (Fastify would otherwise write `null`).
    return reply.status(202).send();
  });

  // ---- os-volume_attachments
  app.get(`${S}/os-volume_attachments`, async (req) => {
    const s = await servers.get(req.ctx, id(req));
    return { volumeAttachments: servers.volumes.list(req.ctx, s).map((a) => volumeAttachmentView(s.id, a)) };
  });
  app.get(`${S}/os-volume_attachments/:volumeId`, async (req) => {
    const s = await servers.get(req.ctx, id(req));
    const { volumeId } = req.params as { volumeId: string };
    const a = servers.volumes.list(req.ctx, s).find((x) => x.volumeId === volumeId);
    if (!a) throw new NotFound(`Volume ${volumeId} is not attached to server ${s.id}.`, 'VolumeAttachmentNotFound');
    return { volumeAttachment: volumeAttachmentView(s.id, a) };
  });
  app.post(`${S}/os-volume_attachments`, async (req) => {
    const b = envelope(req.body, 'volumeAttachment');
    if (typeof b['volumeId'] !== 'string' || !b['volumeId']) throw bad("Invalid input for field/attribute volumeAttachment. 'volumeId' is a required property");
    const s = await servers.get(req.ctx, id(req));
    const a = await servers.volumes.attach(req.ctx, s, b['volumeId'], typeof b['device'] === 'string' ? b['device'] : undefined);
    return { volumeAttachment: volumeAttachmentView(s.id, a) };
  });
  app.delete(`${S}/os-volume_attachments/:volumeId`, async (req, reply) => {
    const s = await servers.get(req.ctx, id(req));
    await servers.volumes.detach(req.ctx, s, (req.params as { volumeId: string }).volumeId);
    // Nova's 202s have no body (Fastify would otherwise write `null`).
    return reply.status(202).send();
  });

}
