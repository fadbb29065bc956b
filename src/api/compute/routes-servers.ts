/**
 * Server collection routes: create, list (brief and detail), show, rename, delete. Thin: read the
 * Nova request body, one service call, render the 2.1 view. Imports core and api/http only.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { InvalidInput } from '../../core/errors.js';
import type { BlockDeviceRequest, Server, ServerCreate } from '../../core/compute/server-service.js';
import type { NetworkRequest } from '../../core/compute/server-ports.js';
import { baseUrl } from '../http/server.js';
import type { ComputeApiDeps } from './deps.js';
import { COMPUTE_V21, serverDetail, serverRef } from './views.js';

const bad = (m: string) => new InvalidInput(m, 'ValidationError');
type Dict = Record<string, unknown>;
const isDict = (v: unknown): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v);

export function envelope(body: unknown, key: string): Dict {
  const inner = isDict(body) ? body[key] : undefined;
  if (!isDict(inner)) throw bad(`Invalid input for field/attribute ${key}. Value: ${JSON.stringify(body)}. '${key}' is a required property`);
  return inner;
}

/** An id or a link to one (`http://…/flavors/2`): Nova takes both for flavorRef and imageRef. */
const refId = (v: unknown) => (typeof v === 'string' ? v.replace(/\/+$/, '').split('/').pop() ?? '' : String(v ?? ''));

export function stringMap(v: unknown, field: string): Record<string, string> {
  if (v === undefined) return {};
  if (!isDict(v)) throw bad(`Invalid input for field/attribute ${field}. Value must be an object.`);
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== 'string' || k.length === 0 || k.length > 255 || x.length > 255) throw bad(`Invalid input for field/attribute ${field}: keys and values must be strings of 1-255 characters.`);
    out[k] = x;
  }
  return out;
}

function networks(v: unknown): NetworkRequest[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) throw bad("Invalid input for field/attribute networks. Value must be a list (use 'auto' or 'none' only from microversion 2.37).");
  return v.map((n) => {
    if (!isDict(n)) throw bad('Invalid input for field/attribute networks.');
    const r: NetworkRequest = {};
    if (typeof n['port'] === 'string' && n['port']) r.portId = n['port'];
    else if (typeof n['uuid'] === 'string' && n['uuid']) r.networkId = n['uuid'];
    else throw bad('Bad networks format: network uuid is not in proper format.');
    if (typeof n['fixed_ip'] === 'string') r.fixedIp = n['fixed_ip'];
    return r;
  });
}

function blockDevices(body: Dict): BlockDeviceRequest[] {
  const out: BlockDeviceRequest[] = [];
  const v2 = body['block_device_mapping_v2'];
  if (Array.isArray(v2)) {
    for (const b of v2) {
      if (!isDict(b)) throw bad('Invalid input for field/attribute block_device_mapping_v2.');
      out.push({
        sourceType: (b['source_type'] as BlockDeviceRequest['sourceType']) ?? 'volume',
        destinationType: (b['destination_type'] as BlockDeviceRequest['destinationType']) ?? 'volume',
        uuid: typeof b['uuid'] === 'string' ? b['uuid'] : null,
        bootIndex: b['boot_index'] === undefined || b['boot_index'] === null ? null : Number(b['boot_index']),
        deleteOnTermination: b['delete_on_termination'] === true || b['delete_on_termination'] === 'true',
      });
    }
  }
  const legacy = body['block_device_mapping'];
  if (Array.isArray(legacy)) {
    legacy.forEach((b, i) => {
      if (isDict(b) && typeof b['volume_id'] === 'string') {
        out.push({ sourceType: 'volume', destinationType: 'volume', uuid: b['volume_id'], bootIndex: i === 0 ? 0 : null, deleteOnTermination: b['delete_on_termination'] === true });
      }
    });
  }
  return out;
}

export function parseCreate(body: unknown): ServerCreate {
  const s = envelope(body, 'server');
  if (s['flavorRef'] === undefined) throw bad("Invalid input for field/attribute server. 'flavorRef' is a required property");
  const groups = s['security_groups'];
  const out: ServerCreate = {
    name: s['name'] as string,
    flavorId: refId(s['flavorRef']),
    metadata: stringMap(s['metadata'], 'metadata'),
    blockDevices: blockDevices(s),
    keyName: typeof s['key_name'] === 'string' ? s['key_name'] : null,
  };
  const image = refId(s['imageRef']);
  if (image) out.imageId = image;
  const nets = networks(s['networks']);
  if (nets) out.networks = nets;
  if (Array.isArray(groups)) out.securityGroups = groups.map((g) => (isDict(g) ? String(g['name']) : String(g)));
  if (typeof s['availability_zone'] === 'string') out.availabilityZone = s['availability_zone'];
  const min = Number(s['min_count'] ?? 1);
  const max = Number(s['max_count'] ?? min);
  if (min !== 1 || max !== 1) throw bad('PocketStack creates one server per request (min_count = max_count = 1).');
  return out;
}

export async function renderServer(deps: ComputeApiDeps, req: FastifyRequest, s: Server) {
  const [addresses, securityGroups] = await Promise.all([deps.servers.ports.addresses(s), deps.servers.ports.securityGroupNames(s)]);
  return serverDetail(baseUrl(req), req.ctx, s, { addresses, securityGroups });
}

type Query = Record<string, string | undefined>;

/** The list filters Nova's users reach for: name (a regex), status, all_tenants, project_id; limit/marker. */
function filterList(rows: Server[], q: Query): Server[] {
  let out = rows;
  if (q['name']) {
    let re: RegExp;
    try {
      re = new RegExp(q['name']);
    } catch {
      throw bad(`Invalid regular expression for name: ${q['name']}`);
    }
    out = out.filter((s) => re.test(s.data.name));
  }
  if (q['status']) out = out.filter((s) => s.data.status === q['status']!.toUpperCase());
  if (q['marker']) {
    const i = out.findIndex((s) => s.id === q['marker']);
    if (i < 0) throw new InvalidInput(`marker [${q['marker']}] not found`, 'MarkerNotFound');
    out = out.slice(i + 1);
  }
  if (q['limit'] !== undefined) out = out.slice(0, Math.max(0, Number(q['limit']) || 0));
  return out;
}

export function registerServerRoutes(app: FastifyInstance, deps: ComputeApiDeps): void {
  const list = async (req: FastifyRequest) => {
    const q = req.query as Query;
    const allTenants = q['all_tenants'] !== undefined && q['all_tenants'] !== '0' && q['all_tenants'] !== 'false';
    const rows = await deps.servers.list(req.ctx, { allTenants, ...(q['project_id'] || q['tenant_id'] ? { projectId: q['project_id'] ?? q['tenant_id'] } : {}) });
    return filterList(rows, q);
  };
  app.get(`${COMPUTE_V21}/servers`, async (req) => ({ servers: (await list(req)).map((s) => serverRef(baseUrl(req), s)) }));
  app.get(`${COMPUTE_V21}/servers/detail`, async (req) => ({ servers: await Promise.all((await list(req)).map((s) => renderServer(deps, req, s))) }));

  app.post(`${COMPUTE_V21}/servers`, async (req, reply) => {
    const s = await deps.servers.create(req.ctx, parseCreate(req.body));
    reply.status(202);
    const groups = await deps.servers.ports.securityGroupNames(s);
    return { server: { id: s.id, links: serverRef(baseUrl(req), s).links, 'OS-DCF:diskConfig': 'MANUAL', security_groups: groups.map((name) => ({ name })) } };
  });

  app.get(`${COMPUTE_V21}/servers/:id`, async (req) => ({ server: await renderServer(deps, req, await deps.servers.get(req.ctx, (req.params as { id: string }).id)) }));

  app.put(`${COMPUTE_V21}/servers/:id`, async (req) => {
    const s = envelope(req.body, 'server');
    const changes: { name?: string } = {};
    if (s['name'] !== undefined) changes.name = s['name'] as string;
    return { server: await renderServer(deps, req, await deps.servers.update(req.ctx, (req.params as { id: string }).id, changes)) };
  });

  app.delete(`${COMPUTE_V21}/servers/:id`, async (req, reply) => {
    await deps.servers.delete(req.ctx, (req.params as { id: string }).id);
    reply.status(204);
    return null;
  });
}
