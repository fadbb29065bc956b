/**
 * os-instance-actions (microversion 2.1): what was done to a server, newest first, and one action
 * by its request id with its events when policy shows them (admins). Another project's server is 404,
 * as every server route. Imports core and api/http only.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ComputeApiDeps } from './deps.js';
import { COMPUTE_V21, instanceActionView } from './views.js';

const params = (req: FastifyRequest) => req.params as { id: string; requestId: string };

export function registerInstanceActionRoutes(app: FastifyInstance, { servers }: ComputeApiDeps): void {
  app.get(`${COMPUTE_V21}/servers/:id/os-instance-actions`, async (req) => {
    const s = await servers.get(req.ctx, params(req).id);
    return { instanceActions: (await servers.actions.list(req.ctx, s)).map((a) => instanceActionView(a, false)) };
  });
  app.get(`${COMPUTE_V21}/servers/:id/os-instance-actions/:requestId`, async (req) => {
    const s = await servers.get(req.ctx, params(req).id);
    const { action, withEvents } = await servers.actions.show(req.ctx, s, params(req).requestId);
    return { instanceAction: instanceActionView(action, withEvents) };
  });
}
