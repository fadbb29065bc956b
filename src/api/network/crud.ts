/**
 * The five Neutron collection routes for one resource, from its table and its service: bulk
 * create (atomic), list (filters, tag filters, sort, paging, fields=), show (fields=), update with
 * `If-Match: revision_number=N`, delete. Handlers stay thin: validate, one service call, render.
 * Imports core and api/http only.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { InvalidInput } from '../../core/errors.js';
import type { RequestContext } from '../../core/identity/context.js';
import { baseUrl } from '../http/server.js';
import { type RawQuery, type View, allValues, listCollection, notFoundFor, paginationLinks, parseListQuery, projectFields } from '../http/list-query/index.js';
import { type ResourceTable, listSchema, renderView, toDomain, validateCreateMany, validateUpdate } from '../http/resource-table/index.js';
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

const TAG_KEYS = ['tags', 'tags-any', 'not-tags', 'not-tags-any'];

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

/** Index of the row with this id in rows sorted by id; -1 when absent. */
function binarySearchId(views: ReadonlyArray<{ id: string }>, id: string): number {
  let lo = 0;
  let hi = views.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = views[mid]!.id;
    if (v === id) return mid;
    if (v < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
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
   * ViewMemo): views are rendered and serialized once per revision, and an unfiltered, unsorted,
   * unprojected list is written from the memoized JSON texts.
   */
  memoViews?: boolean;
}

const JSON_TYPE = 'application/json; charset=utf-8';
/** Rows per written chunk of a large list body (≈ 100 KB of ports). */
const STREAM_ROWS = 128;

const byId = (a: { id: string }, b: { id: string }) => {
  const x = a.id;
  const y = b.id;
  return x < y ? -1 : x > y ? 1 : 0;
};

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
    const entities = await service.list(req.ctx, { query: raw });
    const schema = listSchema(table, req.ctx);
    const tags = tagFilter(raw);
    const listOpts = { baseUrl: `${baseUrl(req)}${base}`, reservedKeys: TAG_KEYS };
    if (memo) {
      const query = parseListQuery(raw, schema, listOpts);
      if (!tags && query.filters.length === 0 && query.requestedSort.length === 0 && query.fields === null && (table.idKey ?? 'id') === 'id') {
        // The default order is the id alone (a view's id is its entity's): sort and page the entities,
        // then write their memoized texts, building no objects per row.
        const sorted = (entities as Array<E & { id: string }>).slice().sort(byId);
        let page = sorted;
        if (query.limit !== null) {
          const at = query.marker === null ? -1 : binarySearchId(sorted, query.marker);
          if (query.marker !== null && at < 0) throw notFoundFor(schema, query.marker);
          if (query.pageReverse) {
            const end = at < 0 ? sorted.length : at;
            page = sorted.slice(Math.max(0, end - query.limit), end);
          } else {
            page = sorted.slice(at + 1, at + 1 + query.limit);
          }
        }
        const links = paginationLinks(page, query, raw, { baseUrl: listOpts.baseUrl, idKey: table.idKey });
        const tail = links.length ? `,${JSON.stringify(`${table.collection}_links`)}:${JSON.stringify(links)}` : '';
        const head = `{${JSON.stringify(table.collection)}:[`;
        const ctx = req.ctx;
        const m = memo;
        if (page.length <= STREAM_ROWS) return reply.type(JSON_TYPE).send(`${head}${page.map((e) => m.json(e, ctx)).join(',')}]${tail}}`);
        // Large bodies go out in chunks: no body-sized string or buffer per request.
        function* chunks() {
          yield head;
          for (let at = 0; at < page.length; at += STREAM_ROWS) {
            yield (at ? ',' : '') + page.slice(at, at + STREAM_ROWS).map((e) => m.json(e, ctx)).join(',');
          }
          yield `]${tail}}`;
        }
        return reply.type(JSON_TYPE).send(Readable.from(chunks(), { objectMode: false }));
      }
    }
    let views = entities.map((e) => renderView(table, e, req.ctx));
    if (tags) views = views.filter((v) => tags((v['tags'] as string[]) ?? []));
    const { body } = listCollection(views, raw, schema, listOpts);
    return body;
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
