/**
 * The `pocketstack-trace` extension: POST /network/v2.0/traces explains one flow hop by hop, POST
 * /network/v2.0/traces/matrix traces every pair of a network's or a project's servers. Both answer
 * JSON (the verdict, every hop, the reply path) plus the same text `pocketstack trace` prints.
 * Thin: parse, one service call, render. Imports core and api/http only.
 */
import type { FastifyInstance } from 'fastify';
import { InvalidInput } from '../../core/errors.js';
import type { TraceProtocol } from '../../core/ports/dataplane-driver.js';
import type { TraceService } from '../../core/network/trace/trace-service.js';
import { V2 } from './crud.js';

type Dict = Record<string, unknown>;
const isDict = (v: unknown): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v);

function inner(body: unknown, key: string): Dict {
  const b = isDict(body) ? body[key] : undefined;
  if (!isDict(b)) throw new InvalidInput(`Unable to find '${key}' in request body`, 'HTTPBadRequest');
  return b;
}

function flow(b: Dict): { protocol: TraceProtocol; port?: number } {
  const protocol = (b['protocol'] ?? 'icmp') as TraceProtocol;
  const port = b['port'] === undefined || b['port'] === null ? undefined : Number(b['port']);
  return { protocol, ...(port !== undefined ? { port } : {}) };
}

export function registerTraceRoutes(app: FastifyInstance, traces: TraceService): void {
  app.post(`${V2}/traces`, async (req, reply) => {
    const b = inner(req.body, 'trace');
    const ipVersion = b['ip_version'] === 4 || b['ip_version'] === 6 ? b['ip_version'] : undefined;
    const size = b['size_bytes'] === undefined ? undefined : Number(b['size_bytes']);
    const a = await traces.trace(req.ctx, {
      from: String(b['from'] ?? ''),
      to: String(b['to'] ?? b['from'] ?? ''),
      ...flow(b),
      ...(ipVersion ? { ipVersion } : {}),
      ...(size ? { sizeBytes: size } : {}),
    });
    reply.status(201);
    return { trace: { from: a.resolved.from, to: a.resolved.to, verdict: a.result.verdict, summary: a.result.summary, result: a.result, text: a.text } };
  });

  app.post(`${V2}/traces/matrix`, async (req, reply) => {
    const b = inner(req.body, 'matrix');
    const scope = { ...(typeof b['network_id'] === 'string' ? { networkId: b['network_id'] } : {}), ...(typeof b['project_id'] === 'string' ? { projectId: b['project_id'] } : {}) };
    const a = await traces.matrix(req.ctx, scope, flow(b));
    reply.status(201);
    return {
      matrix: {
        ports: a.matrix.ports,
        labels: a.matrix.ports.map((p) => a.labels[p] ?? p),
        flow: a.matrix.flow,
        cells: a.matrix.cells,
        reasons: a.matrix.reasons,
        text: a.text,
      },
    };
  });
}
