/**
 * The Cinder v3 API under /volume: version documents, microversion negotiation for every /volume/v3
 * request (the negotiated version goes on the request context and in the reply headers, errors
 * included), and the resource routes. Imports core services and api/http only.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  formatVersion,
  microversionResponseHeaders,
  negotiateMicroversion,
  type MicroversionPolicy,
} from '../http/microversion/index.js';
import { volumeMicroversions as mv } from '../http/microversion/index.js';
import { baseUrl } from '../http/server.js';
import type { VolumeApiDeps } from './deps.js';
import { registerAttachmentRoutes } from './routes-attachments.js';
import { registerBackupRoutes } from './routes-backups.js';
import { registerMiscRoutes } from './routes-misc.js';
import { registerSnapshotRoutes } from './routes-snapshots.js';
import { registerGroupRoutes } from './routes-groups.js';
import { registerTransferRoutes } from './routes-transfers.js';
import { registerTypeRoutes } from './routes-types.js';
import { registerVolumeRoutes } from './routes-volumes.js';

/**
 * What PocketStack serves: 3.0 up to 3.67 (mv.VOLUME_API_MAX). Cinder Zed goes to 3.70, but 3.68
 * adds os-reimage and 3.69/3.70 change shared_targets and encrypted transfers, none of which we
 * implement, so advertising them would be dishonest. Features that need a service we do not run
 * (clusters, manage-existing) answer their routes with 404, as a Cinder without that service does;
 * see docs/compat.md. Backups are served (docs/backups.md).
 */
export const VOLUME_API: MicroversionPolicy = mv.VOLUME_MICROVERSIONS;

function versionEntry(req: FastifyRequest) {
  return {
    id: 'v3.0',
    status: 'CURRENT',
    version: VOLUME_API.max,
    min_version: VOLUME_API.min,
    updated: '2023-09-01T00:00:00Z',
    links: [
      { rel: 'describedby', type: 'text/html', href: 'https://docs.openstack.org/' },
      { rel: 'self', href: `${baseUrl(req)}/volume/v3/` },
    ],
    'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.volume+json;version=3' }],
  };
}

export function registerVolumeApi(app: FastifyInstance, deps: VolumeApiDeps): void {
  app.addHook('onRequest', async (req, reply) => {
    if (!req.url.startsWith('/volume/v3')) return;
    const v = negotiateMicroversion(req.headers, VOLUME_API);
    req.ctx.microversion = formatVersion(v);
    reply.headers(microversionResponseHeaders(v, VOLUME_API));
  });

  app.get('/volume', { config: { public: true } }, async (req, reply) => {
    reply.status(300);
    return { versions: [versionEntry(req)] };
  });
  app.get('/volume/v3', { config: { public: true } }, async (req) => ({ versions: [versionEntry(req)] }));

  registerVolumeRoutes(app, deps);
  registerSnapshotRoutes(app, deps);
  registerAttachmentRoutes(app, deps);
  registerTypeRoutes(app, deps);
  registerMiscRoutes(app, deps);
  registerTransferRoutes(app, deps);
  registerGroupRoutes(app, deps);
  registerBackupRoutes(app, deps);
}
