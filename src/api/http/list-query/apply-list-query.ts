/**
 * Applying a ListQuery to an in-memory array of views: filter, stable sort (the id is always the last
 * key, so the order is total), marker, offset, limit and page_reverse. This is the emulated path;
 * a store that pages natively must honour the same contract (see `ListQuery.sort`).
 * `applyListQueryBy` is the same algorithm over rows of any shape, reading each key through a getter
 * (a resource table's field accessors read entities without rendering their views), so both paths
 * share one implementation of the semantics.
 *
 * The marker is looked up among all rows the caller passes (not only those matching the filters), as
 * the services fetch the marker object by id and page by its sort values; a marker naming no row is
 * the resource's NotFound (404), as in Neutron and Cinder.
 * Pure: imports only core and this folder.
 */
import type { FilterValue, ListAttribute, ListSchema } from './list-schema.js';
import { notFoundFor } from './list-schema.js';
import type { ListQuery, SortKey } from './list-query.js';

export type View = Readonly<Record<string, unknown>>;

export interface ListResult<T> {
  /** The page, in display order. */
  items: T[];
  /** Rows matching the filters, before paging (Cinder `count`). */
  total: number;
}

/** Reads the wire attribute `key` of a row; called once per key, the getter then once per row. */
export type GetterFor<R> = (key: string) => (row: R) => unknown;

type Comparator<R> = (a: R, b: R) => number;

/** Orders values of one key: missing/null first, then numbers, booleans, strings by code unit. */
function compareValues(x: unknown, y: unknown): number {
  if (x === y) return 0;
  const xNull = x === null || x === undefined;
  const yNull = y === null || y === undefined;
  if (xNull || yNull) return xNull ? (yNull ? 0 : -1) : 1;
  if (typeof x === 'number' && typeof y === 'number') return x < y ? -1 : x > y ? 1 : 0;
  if (typeof x === 'boolean' && typeof y === 'boolean') return x ? 1 : -1;
  const xs = typeof x === 'string' ? x : JSON.stringify(x);
  const ys = typeof y === 'string' ? y : JSON.stringify(y);
  return xs < ys ? -1 : xs > ys ? 1 : 0;
}

const viewGetter: GetterFor<View> = (key) => (row) => row[key];

export function comparatorFor(sort: readonly SortKey[]): Comparator<View>;
export function comparatorFor<R>(sort: readonly SortKey[], getter: GetterFor<R>): Comparator<R>;
export function comparatorFor<R>(sort: readonly SortKey[], getter: GetterFor<R> = viewGetter as GetterFor<R>): Comparator<R> {
  const gets = sort.map((s) => getter(s.key));
  const signs = sort.map((s) => (s.dir === 'asc' ? 1 : -1));
  const n = gets.length;
  return (a, b) => {
    for (let i = 0; i < n; i++) {
      const get = gets[i]!;
      const c = compareValues(get(a), get(b));
      if (c !== 0) return c * signs[i]!;
    }
    return 0;
  };
}

/** Default filter semantics: equality with any wanted value; a list attribute matches by membership. */
function defaultMatcher(attr: ListAttribute, wanted: readonly FilterValue[]): (v: unknown) => boolean {
  if (attr.type === 'list') {
    const set = new Set(wanted.map(String));
    return (v) => Array.isArray(v) && v.some((e) => set.has(String(e)));
  }
  if (attr.type === 'string' || attr.type === 'dict' || attr.type === 'any') {
    const set = new Set(wanted.map(String));
    return (v) => v !== null && v !== undefined && set.has(typeof v === 'string' ? v : String(v));
  }
  const set = new Set<unknown>(wanted);
  return (v) => set.has(v);
}

/** One predicate for all filters: AND across keys, OR within a key. */
export function rowPredicate(query: ListQuery, schema: ListSchema): (row: View) => boolean;
export function rowPredicate<R>(query: ListQuery, schema: ListSchema, getter: GetterFor<R>): (row: R) => boolean;
export function rowPredicate<R>(query: ListQuery, schema: ListSchema, getter: GetterFor<R> = viewGetter as GetterFor<R>): (row: R) => boolean {
  const tests: Array<[(row: R) => unknown, (v: unknown) => boolean]> = [];
  for (const f of query.filters) {
    const attr = schema.attributes[f.key];
    if (!attr) continue;
    const custom = attr.match;
    tests.push([getter(f.key), custom ? (v) => custom(v, f.values) : defaultMatcher(attr, f.values)]);
  }
  if (tests.length === 0) return () => true;
  return (row) => {
    for (const [get, test] of tests) if (!test(get(row))) return false;
    return true;
  };
}

/** First index in sorted `rows` whose row is not before `pivot` (strict=false) or after it (strict). */
function lowerBound<R>(rows: readonly R[], pivot: R, cmp: Comparator<R>, strict: boolean): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = cmp(rows[mid]!, pivot);
    if (c < 0 || (strict && c === 0)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Filters, sorts and pages `rows` (views keyed by wire name). Does not mutate `rows`. Throws the
 * resource's NotFound when the marker names no row.
 */
export function applyListQuery<T extends View>(rows: readonly T[], query: ListQuery, schema: ListSchema): ListResult<T> {
  return applyListQueryBy(rows, query, schema, viewGetter as GetterFor<T>);
}

/** applyListQuery over rows of any shape whose wire attributes `getter` reads. */
export function applyListQueryBy<R>(rows: readonly R[], query: ListQuery, schema: ListSchema, getter: GetterFor<R>): ListResult<R> {
  const idOf = getter(schema.idKey ?? 'id');
  const matched = query.filters.length ? rows.filter(rowPredicate(query, schema, getter)) : rows.slice();
  const cmp = comparatorFor(query.sort, getter);
  matched.sort(cmp);
  const total = matched.length;
  if (query.limit === null) return { items: matched, total };

  let markerRow: R | undefined;
  if (query.marker !== null) {
    const marker = query.marker;
    markerRow = rows.find((r) => String(idOf(r)) === marker);
    if (!markerRow) throw notFoundFor(schema, marker);
  }
  const limit = query.limit;
  if (query.pageReverse) {
    const end = markerRow ? lowerBound(matched, markerRow, cmp, false) : matched.length;
    return { items: matched.slice(Math.max(0, end - limit), end), total };
  }
  const start = (markerRow ? lowerBound(matched, markerRow, cmp, true) : 0) + query.offset;
  return { items: matched.slice(start, start + limit), total };
}
