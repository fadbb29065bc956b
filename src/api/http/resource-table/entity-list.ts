/**
 * Lists answered from entities through their resource table, without rendering a view per entity:
 * filters, sort keys, the marker and the links read only the attributes they name, through the
 * accessor renderView itself uses (`fieldValue`), and `fields=` renders only what was asked. A
 * filtered or projected list of 10,000 ports then allocates per matching row, not a 30-attribute view
 * (with its nested lists) per port and request.
 * The answer is by construction that of listCollection over the rendered views: the same
 * applyListQuery algorithm (over getters), the same attributes visible to the same caller, the same
 * projection order. entity-list.test.ts compares the two over a matrix of queries.
 * Pure: imports only this folder and ../list-query.
 */
import { type GetterFor, type ListQuery, type PaginationLink, type RawQuery, applyListQueryBy, notFoundFor, paginationLinks } from '../list-query/index.js';
import { fieldValue, type ViewObject } from './render-view.js';
import { type Field, type ResourceTable, type TableContext, listSchema, visibleFields } from './resource-table.js';

/** Getters by wire name for this caller; an attribute its view would not show reads as undefined. */
export function entityGetter<E>(table: ResourceTable<E>, ctx: TableContext): GetterFor<E> {
  const shown = new Map(visibleFields(table, ctx).map((f) => [f.wireName, f]));
  return (key) => {
    const f = shown.get(key);
    if (!f) return () => undefined;
    // The two cases of fieldValue, split once per key: sorting calls a getter O(n log n) times.
    const get = f.get;
    if (get) {
      return (e) => {
        const v = get(e, ctx);
        return v === undefined ? null : v;
      };
    }
    const source = f.source;
    return (e) => {
      const v = (e as Record<string, unknown>)[source];
      return v === undefined ? null : v;
    };
  };
}

/**
 * The `fields=` projection of an entity's view, rendering only the named attributes: in the order
 * they were asked for (as projectFields keeps them), names the caller cannot see or the table does
 * not know are left out.
 */
export function projection<E>(table: ResourceTable<E>, ctx: TableContext, fields: readonly string[]): (entity: E) => ViewObject {
  const shown = new Map(visibleFields(table, ctx).map((f) => [f.wireName, f]));
  const wanted = [...new Set(fields)].map((name) => shown.get(name)).filter((f): f is Field<E> => f !== undefined);
  return (entity) => {
    const out: ViewObject = {};
    for (const f of wanted) out[f.wireName] = fieldValue(f, entity, ctx);
    return out;
  };
}

export interface EntityPage<E> {
  /** The page, in display order. */
  items: E[];
  links: PaginationLink[];
}

/** Index of the entity with this id in entities sorted by id; -1 when absent. */
function binarySearch<E>(sorted: readonly E[], idOf: (e: E) => string, id: string): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = idOf(sorted[mid]!);
    if (v === id) return mid;
    if (v < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/**
 * Filters, sorts and pages `entities` for `query` (parsed with this caller's listSchema) and builds
 * the links. Throws the resource's NotFound for a marker naming none of `entities`.
 */
export function listEntities<E>(table: ResourceTable<E>, entities: readonly E[], query: ListQuery, raw: RawQuery, ctx: TableContext, baseUrl: string): EntityPage<E> {
  const get = entityGetter(table, ctx);
  const idGet = get(table.idKey);
  const schema = listSchema(table, ctx);
  const sortedById = query.filters.length === 0 && query.sort.length === 1 && query.sort[0]!.key === table.idKey && query.sort[0]!.dir === 'asc';
  let items: E[];
  if (sortedById && query.offset === 0 && entities.every((e) => typeof idGet(e) === 'string')) {
    // The default order (what `openstack port list` asks for): compare the ids as plain strings and
    // find the marker by binary search. The same order and page as applyListQueryBy's, cheaper.
    const idOf = idGet as (e: E) => string;
    const sorted = entities.slice().sort((a, b) => {
      const x = idOf(a);
      const y = idOf(b);
      return x < y ? -1 : x > y ? 1 : 0;
    });
    items = sorted;
    if (query.limit !== null) {
      const at = query.marker === null ? -1 : binarySearch(sorted, idOf, query.marker);
      if (query.marker !== null && at < 0) throw notFoundFor(schema, query.marker);
      if (query.pageReverse) {
        const end = at < 0 ? sorted.length : at;
        items = sorted.slice(Math.max(0, end - query.limit), end);
      } else {
        items = sorted.slice(at + 1, at + 1 + query.limit);
      }
    }
  } else {
    items = applyListQueryBy(entities, query, schema, get).items;
  }
  return { items, links: paginationLinks(items, query, raw, { baseUrl, idKey: table.idKey, idOf: idGet }) };
}
