/**
 * Parsing a list request's query string into a ListQuery: paging (limit, marker, page_reverse,
 * Cinder's offset), sorting (Neutron's repeated sort_key/sort_dir pairs, Cinder's `sort=k:d,k2` and
 * its legacy pair), `fields=` and attribute filters (every other key; repeated key = OR).
 *
 * Behaviour follows the services, not a common denominator, because clients depend on the details:
 * - Neutron: limit=0 means "no paging"; without a limit, marker and page_reverse are ignored; the
 *   numbers of sort_key and sort_dir must match; empty values are dropped; unknown filters are
 *   ignored unless filter validation is on.
 * - Cinder: limit defaults to and is capped by osapi_max_limit (1000); fewer sort_dirs than keys are
 *   padded, more is an error; the default order is created_at desc; unknown sort keys are invalid.
 * Pure: imports only core and this folder.
 */
import { InvalidInput } from '../../../core/errors.js';
import type { FilterValue, ListSchema } from './list-schema.js';
import {
  type ListDialect,
  type RawQuery,
  allValues,
  cinderInvalidInput,
  convertFilterValue,
  lastValue,
  parseIntLike,
  pyRepr,
  toBooleanLenient,
} from './query-value.js';

export type SortDir = 'asc' | 'desc';

export interface SortKey {
  key: string;
  dir: SortDir;
}

export interface AttributeFilter {
  key: string;
  /** Converted per the attribute type; a row matches when it equals any of them (OR). */
  values: FilterValue[];
}

export interface ListQuery {
  dialect: ListDialect;
  /** Page size; null means no paging (Neutron without limit). */
  limit: number | null;
  /** Id of the last row the client saw; null when absent or ignored. */
  marker: string | null;
  /** Rows to skip after the marker (Cinder `offset`). */
  offset: number;
  /** Neutron: return the page before the marker instead of after it. */
  pageReverse: boolean;
  /** The sort the client asked for (validated). */
  requestedSort: SortKey[];
  /** The full order applied: requested keys plus the service's tie-breakers, ending in the id. */
  sort: SortKey[];
  /** `fields=` projection; null means every field. */
  fields: string[] | null;
  /** AND across entries, OR within one entry. */
  filters: AttributeFilter[];
  /** Cinder `with_count=true` (microversion 3.45): the handler adds `count` to the body. */
  withCount: boolean;
}

export interface ListQueryOptions {
  /** Default `neutron`. */
  dialect?: ListDialect;
  /**
   * What to do with a query key that is neither a paging/sorting key nor a filterable attribute.
   * Default `ignore` (Neutron's default; Cinder before 3.31). `reject` answers 400.
   */
  unknownFilters?: 'ignore' | 'reject';
  /** Largest page. Neutron default: unlimited (pagination_max_limit = -1); Cinder default 1000. */
  maxLimit?: number;
  /** Keys the route handles itself (all_tenants, tags, project_id scoping, ...): never filters. */
  reservedKeys?: readonly string[];
}

/** Keys that steer paging, sorting and projection; never attribute filters. */
export const CONTROL_KEYS: ReadonlySet<string> = new Set([
  'limit',
  'marker',
  'page_reverse',
  'sort_key',
  'sort_dir',
  'sort',
  'fields',
  'offset',
  'with_count',
]);

export const CINDER_DEFAULT_MAX_LIMIT = 1000;

function badRequest(message: string): InvalidInput {
  return new InvalidInput(message, 'HTTPBadRequest');
}

/** Non-empty values, as Neutron's list_args (an empty `?x=` means nothing). */
function nonEmpty(raw: RawQuery, key: string): string[] {
  return allValues(raw, key).filter((v) => v !== '');
}

function splitCommas(values: string[]): string[] {
  const out: string[] = [];
  for (const v of values) for (const part of v.split(',')) if (part.trim() !== '') out.push(part.trim());
  return out;
}

function isSortable(schema: ListSchema, key: string): boolean {
  return schema.attributes[key]?.sortable === true;
}

function parseNeutronPaging(raw: RawQuery, opts: ListQueryOptions) {
  const limitText = lastValue(raw, 'limit');
  let limit = 0;
  if (limitText !== undefined) {
    const n = parseIntLike(limitText);
    if (n === null || n < 0) {
      throw new InvalidInput(
        `Bad limit request: Limit must be an integer 0 or greater and not '${limitText}'.`,
        'BadRequest',
      );
    }
    limit = n;
  }
  const max = opts.maxLimit;
  if (max !== undefined && max > 0) limit = Math.min(max, limit) || max;
  if (!limit) return { limit: null, marker: null, pageReverse: false };
  const marker = lastValue(raw, 'marker') || null;
  const pageReverse = (lastValue(raw, 'page_reverse') ?? 'False').toLowerCase() === 'true';
  return { limit, marker, pageReverse };
}

function parseCinderPaging(raw: RawQuery, opts: ListQueryOptions) {
  const max = opts.maxLimit ?? CINDER_DEFAULT_MAX_LIMIT;
  const limitText = lastValue(raw, 'limit');
  let limit = max;
  if (limitText !== undefined) {
    const n = parseIntLike(limitText);
    if (n === null) throw badRequest('limit param must be an integer');
    if (n < 0) throw badRequest('limit param must be positive');
    limit = Math.min(n, max);
  }
  let offset = 0;
  const offsetText = lastValue(raw, 'offset');
  if (offsetText !== undefined) {
    const n = parseIntLike(offsetText);
    if (n === null) throw badRequest('offset must be an integer.');
    if (n < 0) throw badRequest('offset must be >= 0');
    offset = n;
  }
  const marker = lastValue(raw, 'marker') || null;
  return { limit, marker, offset };
}

function parseNeutronSort(raw: RawQuery, schema: ListSchema): SortKey[] {
  const keys = nonEmpty(raw, 'sort_key');
  const dirs = nonEmpty(raw, 'sort_dir');
  if (keys.length !== dirs.length) throw badRequest('The number of sort_keys and sort_dirs must be same');
  const absent = keys.filter((k) => !isSortable(schema, k));
  if (absent.length) throw badRequest(`${pyRepr(absent)} is invalid attribute for sort_keys`);
  const invalid = dirs.filter((d) => d !== 'asc' && d !== 'desc');
  if (invalid.length) {
    throw badRequest(`${pyRepr(invalid)} is invalid value for sort_dirs, valid value is 'asc' and 'desc'`);
  }
  return keys.map((key, i) => ({ key, dir: dirs[i] as SortDir }));
}

function checkCinderDirs(dirs: string[]): SortDir[] {
  for (const d of dirs) {
    if (d !== 'asc' && d !== 'desc') throw cinderInvalidInput("Unknown sort direction, must be 'desc' or 'asc'.");
  }
  return dirs as SortDir[];
}

function parseCinderSort(raw: RawQuery, schema: ListSchema): SortKey[] {
  const sortText = lastValue(raw, 'sort');
  let keys: string[];
  let dirs: SortDir[];
  if (sortText) {
    if (lastValue(raw, 'sort_key') || lastValue(raw, 'sort_dir')) {
      throw badRequest(
        "The 'sort_key' and 'sort_dir' parameters are deprecated and cannot be used with the 'sort' parameter.",
      );
    }
    keys = [];
    const given: string[] = [];
    for (const item of sortText.trim().split(',')) {
      const colon = item.indexOf(':');
      const key = (colon < 0 ? item : item.slice(0, colon)).trim();
      const dir = colon < 0 ? '' : item.slice(colon + 1).trim();
      keys.push(key);
      given.push(dir || 'desc');
    }
    dirs = checkCinderDirs(given);
  } else {
    keys = nonEmpty(raw, 'sort_key');
    const given = checkCinderDirs(nonEmpty(raw, 'sort_dir'));
    if (given.length > Math.max(keys.length, 1)) {
      throw cinderInvalidInput('Sort direction array size exceeds sort key array size.');
    }
    if (keys.length === 0) {
      // Cinder's default order, in the direction the client asked for if it named only a direction.
      keys = schema.attributes['created_at'] ? ['created_at'] : [];
    }
    const pad = given[0] ?? 'desc';
    dirs = keys.map((_, i) => given[i] ?? pad);
  }
  for (const k of keys) if (!isSortable(schema, k)) throw cinderInvalidInput('Invalid sort key');
  return keys.map((key, i) => ({ key, dir: dirs[i] }));
}

/** Requested order plus tie-breakers, so paging by marker is stable: Cinder created_at then id. */
function effectiveSort(requested: SortKey[], schema: ListSchema, dialect: ListDialect): SortKey[] {
  const idKey = schema.idKey ?? 'id';
  const sort = [...requested];
  const has = (k: string) => sort.some((s) => s.key === k);
  if (dialect === 'cinder') {
    const dir = sort[0]?.dir ?? 'desc';
    if (schema.attributes['created_at'] && !has('created_at')) sort.push({ key: 'created_at', dir });
    if (!has(idKey)) sort.push({ key: idKey, dir });
  } else if (!has(idKey)) {
    sort.push({ key: idKey, dir: 'asc' });
  }
  return sort;
}

function parseFilters(raw: RawQuery, schema: ListSchema, opts: ListQueryOptions, dialect: ListDialect) {
  const reserved = new Set(opts.reservedKeys ?? []);
  const filters: AttributeFilter[] = [];
  const unknown: string[] = [];
  for (const key of Object.keys(raw)) {
    if (CONTROL_KEYS.has(key) || reserved.has(key)) continue;
    const attr = schema.attributes[key];
    if (!attr || !attr.filterable) {
      unknown.push(key);
      continue;
    }
    const texts = nonEmpty(raw, key);
    if (texts.length === 0) continue;
    filters.push({ key, values: texts.map((t) => convertFilterValue(attr.type, t, dialect)) });
  }
  if (unknown.length && opts.unknownFilters === 'reject') {
    if (dialect === 'cinder') {
      throw cinderInvalidInput(`Invalid filters ${unknown.join(',')} are found in query options.`);
    }
    throw badRequest(`${pyRepr(unknown)} is invalid attribute for filtering`);
  }
  return filters;
}

/**
 * Parses and validates a list request's query against `schema`. Throws InvalidInput (400) with the
 * service's message for a bad limit, sort or filter value.
 */
export function parseListQuery(raw: RawQuery, schema: ListSchema, opts: ListQueryOptions = {}): ListQuery {
  const dialect = opts.dialect ?? 'neutron';
  const fieldsRaw = splitCommas(nonEmpty(raw, 'fields'));
  const fields = fieldsRaw.length ? [...new Set(fieldsRaw)] : null;
  const filters = parseFilters(raw, schema, opts, dialect);
  if (dialect === 'cinder') {
    const paging = parseCinderPaging(raw, opts);
    const requestedSort = parseCinderSort(raw, schema);
    const withCountText = lastValue(raw, 'with_count');
    return {
      dialect,
      ...paging,
      pageReverse: false,
      requestedSort,
      sort: effectiveSort(requestedSort, schema, dialect),
      fields,
      filters,
      withCount: withCountText !== undefined && toBooleanLenient(withCountText),
    };
  }
  const paging = parseNeutronPaging(raw, opts);
  const requestedSort = parseNeutronSort(raw, schema);
  return {
    dialect,
    ...paging,
    offset: 0,
    requestedSort,
    sort: effectiveSort(requestedSort, schema, dialect),
    fields,
    filters,
    withCount: false,
  };
}
