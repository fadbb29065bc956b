/**
 * The five Neutron collection routes for one resource, from its table and its service: bulk
 * create (atomic), list (filters, tag filters, sort, paging, fields=), show (fields=), update with
 * `If-Match: revision_number=N`, delete. Handlers stay thin: validate, one service call, render.
 * Lists work on the service's entities (listEntities) and write one JSON text per listed row: no
 * view is rendered for a row a filter drops, and `fields=` renders only the fields asked for.
 * Imports core and api/http only.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { InvalidInput } from '../../core/errors.js';
import type { RequestContext } from '../../core/identity/context.js';
import { baseUrl } from '../http/server.js';
import { type PaginationLink, type RawQuery, allValues, parseListQuery, projectFields } from '../http/list-query/index.js';
import { type ResourceTable, entityGetter, listEntities, listSchema, projection, renderView, toDomain, validateCreateMany, validateUpdate } from '../http/resource-table/index.js';
import { ViewMemo } from './view-memo.js';

export const V2 = '/network/v2.0';

export interface CrudService<E, I> {
  createMany?(ctx: RequestContext, inputs: I[]): Promise<E[]>;
  get(ctx: RequestContext, id: string): Promise<E>;
  list(ctx: RequestContext, hints: ListHints): Promise<E[]>;
  update?(ctx: RequestContext, id: string, changes: I, ifMatch?: number): Promise<E>;
  delete?(ctx: RequestContext, id: string, ifMatch?: number): Promise<void>;
}

/** What a service may use to narrow its read (the route still applies every filter). */
export interface ListHints {
  query: RawQuery;
}

export const TAG_KEYS = ['tags', 'tags-any', 'not-tags', 'not-tags-any'];

/** Neutron's tag filters: comma-separated lists; tags = all of, tags-any = any of, not-* negated. */
export function tagFilter(raw: RawQuery): ((tags: readonly string[]) => boolean) | null {
  const get = (k: string) => allValues(raw, k).flatMap((v) => v.split(',')).filter((t) => t !== '');
  const all = get('tags');
  const any = get('tags-any');
  const notAll = get('not-tags');
  const notAny = get('not-tags-any');
  if (!all.length && !any.length && !notAll.length && !notAny.length) return null;
  return (tags) => {
    const has = (t: string) => tags.includes(t);
    if (all.length && !all.every(has)) return false;
    if (any.length && !any.some(has)) return false;
    if (notAll.length && notAll.every(has)) return false;
    if (notAny.length && notAny.some(has)) return false;
    return true;
  };
}

/** `If-Match: revision_number=3` -> 3; other ETags are not ours to check. */
export function ifMatchRevision(req: FastifyRequest): number | undefined {
  const h = req.headers['if-match'];
  if (typeof h !== 'string') return undefined;
  const m = /revision_number=(\d+)/.exec(h);
  if (!m) {
    if (h.includes('revision_number')) throw new InvalidInput(`Invalid If-Match header: ${h}`, 'HTTPBadRequest');
    return undefined;
  }
  return Number(m[1]);
}

export function fieldsOf(req: FastifyRequest): string[] | null {
  const raw = allValues(req.query as RawQuery, 'fields').flatMap((v) => v.split(',')).filter(Boolean);
  return raw.length ? raw : null;
}

/** Inputs are the table's validated attributes renamed to domain properties; the service owns their meaning. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type DomainInput = any;

export interface CrudOptions {
  /**
   * The service's list returns the same frozen entity object while the resource is unchanged (see
   * ViewMemo): views are rendered and serialized once per revision, and every list without
   * `fields=` is written from the memoized JSON texts.
   */
  memoViews?: boolean;
}

const JSON_TYPE = 'application/json; charset=utf-8';
/** Rows per written chunk of a large list body (≈ 100 KB of ports). */
const STREAM_ROWS = 128;

/**
 * Writes `{<collection>: [...], <collection>_links?: [...]}` from one JSON text per row: the same
 * bytes as serializing the body object, without holding every row's view at once. Large bodies go
 * out in chunks, so no body-sized string or buffer is built per request either.
 */
function sendList<E>(reply: FastifyReply, collection: string, items: readonly E[], rowJson: (e: E) => string, links: readonly PaginationLink[]): FastifyReply {
  const tail = links.length ? `,${JSON.stringify(`${collection}_links`)}:${JSON.stringify(links)}` : '';
  const head = `{${JSON.stringify(collection)}:[`;
  if (items.length <= STREAM_ROWS) return reply.type(JSON_TYPE).send(`${head}${items.map(rowJson).join(',')}]${tail}}`);
  function* chunks() {
    yield head;
    for (let at = 0; at < items.length; at += STREAM_ROWS) {
      yield (at ? ',' : '') + items.slice(at, at + STREAM_ROWS).map(rowJson).join(',');
    }
    yield `]${tail}}`;
  }
  return reply.type(JSON_TYPE).send(Readable.from(chunks(), { objectMode: false }));
}

export function registerCrud<E extends object>(app: FastifyInstance, table: ResourceTable<E>, service: CrudService<E, DomainInput>, path = table.collection.replace(/_/g, '-'), opts: CrudOptions = {}): void {
  const base = `${V2}/${path}`;
  const member = table.name;
  const memo = opts.memoViews ? new ViewMemo(table) : null;

  if (service.createMany) {
    const create = service.createMany.bind(service);
    app.post(base, async (req, reply) => {
      const items = validateCreateMany(table, req.body, req.ctx).map((a) => toDomain(table, a) as DomainInput);
      const created = await create(req.ctx, items);
      const body =
        req.body && typeof req.body === 'object' && table.collection in (req.body as object)
          ? { [table.collection]: created.map((e) => renderView(table, e, req.ctx)) }
          : { [member]: renderView(table, created[0]!, req.ctx) };
      return reply.status(201).send(body);
    });
  }

  app.get(base, async (req, reply) => {
    const raw = req.query as RawQuery;
    const ctx = req.ctx;
    const entities = await service.list(ctx, { query: raw });
    const query = parseListQuery(raw, listSchema(table, ctx), { reservedKeys: TAG_KEYS });
    const tags = tagFilter(raw);
    let rows = entities;
    if (tags) {
      // Before paging, as before: a marker naming a row the tag filter drops is a 404.
      const tagsOf = entityGetter(table, ctx)('tags');
      rows = entities.filter((e) => tags((tagsOf(e) as string[] | null | undefined) ?? []));
    }
    const { items, links } = listEntities(table, rows, query, raw, ctx, `${baseUrl(req)}${base}`);
    let rowJson: (e: E) => string;
    if (query.fields) {
      const project = projection(table, ctx, query.fields);
      rowJson = (e) => JSON.stringify(project(e));
    } else if (memo) {
      const m = memo;
      rowJson = (e) => m.json(e, ctx);
    } else {
      rowJson = (e) => JSON.stringify(renderView(table, e, ctx));
    }
    return sendList(reply, table.collection, items, rowJson, links);
  });

  app.get(`${base}/:id`, async (req) => {
    const { id } = req.params as { id: string };
    const view = renderView(table, await service.get(req.ctx, id), req.ctx);
    const fields = fieldsOf(req);
    return { [member]: fields ? projectFields(view, fields) : view };
  });

  if (service.update) {
    const update = service.update.bind(service);
    app.put(`${base}/:id`, async (req) => {
      const { id } = req.params as { id: string };
      const changes = toDomain(table, validateUpdate(table, req.body, req.ctx)) as DomainInput;
      return { [member]: renderView(table, await update(req.ctx, id, changes, ifMatchRevision(req)), req.ctx) };
    });
  }

  if (service.delete) {
    const del = service.delete.bind(service);
    app.delete(`${base}/:id`, async (req, reply) => {
      const { id } = req.params as { id: string };
      await del(req.ctx, id, ifMatchRevision(req));
      return reply.status(204).send();
    });
  }
}
