/**
 * Pagination links and the list response body, in the shapes clients parse:
 * - Neutron `<collection>_links`: `next` unless a short forward page, `previous` unless a short
 *   reverse page; both carry the client's query with `marker` replaced, `previous` adds
 *   page_reverse=True and `next` drops it. Only when a limit is in force.
 * - Cinder `<collection>_links`: only `next`, when the page is full.
 * The key is omitted when there are no links. Also `fields=` projection (Neutron keeps exactly the
 * named attributes and ignores unknown names).
 * Pure: imports only this folder.
 */
import type { View } from './apply-list-query.js';
import type { ListQuery } from './list-query.js';
import type { RawQuery } from './query-value.js';

export interface PaginationLink {
  href: string;
  rel: 'next' | 'previous';
}

export interface LinkOptions<T = View> {
  /** Absolute URL of the collection without a query, e.g. `http://h:p/network/v2.0/networks`. */
  baseUrl: string;
  /** Key of the id in a view. Default `id`. */
  idKey?: string;
  /** Reads a row's id when the rows are not views (entities listed through a resource table). */
  idOf?: (row: T) => unknown;
}

type Pair = [string, string];

function toPairs(raw: RawQuery): Pair[] {
  const pairs: Pair[] = [];
  for (const [k, v] of Object.entries(raw)) {
    if (v === undefined) continue;
    if (typeof v === 'string') pairs.push([k, v]);
    else for (const x of v) pairs.push([k, x]);
  }
  return pairs;
}

/** Python MultiDict `d[key] = value`: drop every `key`, append one at the end. */
function setLast(pairs: Pair[], key: string, value: string | null): Pair[] {
  const out = pairs.filter(([k]) => k !== key);
  if (value !== null) out.push([key, value]);
  return out;
}

function href(baseUrl: string, pairs: Pair[]): string {
  return `${baseUrl}?${new URLSearchParams(pairs).toString()}`;
}

/** Links for a page produced by applyListQuery from `query` (parsed from `raw`). */
export function paginationLinks<T = View>(
  items: readonly T[],
  query: ListQuery,
  raw: RawQuery,
  opts: LinkOptions<T>,
): PaginationLink[] {
  const limit = query.limit;
  if (!limit) return [];
  const idKey = opts.idKey ?? 'id';
  const idOf = opts.idOf ?? ((row: T) => (row as View)[idKey]);
  const pairs = toPairs(raw);
  const first = items.length ? String(idOf(items[0]!)) : null;
  const last = items.length ? String(idOf(items[items.length - 1]!)) : null;
  const short = items.length < limit;

  if (query.dialect === 'cinder') {
    if (items.length === 0 || short) return [];
    return [{ rel: 'next', href: href(opts.baseUrl, setLast(pairs, 'marker', last)) }];
  }

  const links: PaginationLink[] = [];
  if (!(short && !query.pageReverse)) {
    const next = setLast(setLast(pairs, 'marker', last), 'page_reverse', null);
    links.push({ rel: 'next', href: href(opts.baseUrl, next) });
  }
  if (!(short && query.pageReverse)) {
    const previous = setLast(setLast(pairs, 'marker', first), 'page_reverse', 'True');
    links.push({ rel: 'previous', href: href(opts.baseUrl, previous) });
  }
  return links;
}

/** Keeps only the named attributes (unknown names are ignored); `null` keeps everything. */
export function projectFields<T extends View>(view: T, fields: readonly string[] | null): Partial<T> {
  if (fields === null) return view;
  const out: Record<string, unknown> = {};
  for (const f of fields) if (Object.prototype.hasOwnProperty.call(view, f)) out[f] = view[f];
  return out as Partial<T>;
}

/** `{ <collection>: items, <collection>_links?: links, count? }` */
export function collectionBody(
  collection: string,
  items: readonly unknown[],
  links: readonly PaginationLink[],
  count?: number,
): Record<string, unknown> {
  const body: Record<string, unknown> = { [collection]: items };
  if (links.length) body[`${collection}_links`] = links;
  if (count !== undefined) body['count'] = count;
  return body;
}
