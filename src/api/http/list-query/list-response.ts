/**
 * The whole list pipeline in one call for a thin route handler: parse the query, filter/sort/page
 * the views, project `fields=`, and build the body with its links (and Cinder's `count` when asked).
 * Pure: imports only this folder.
 */
import { type View, applyListQuery } from './apply-list-query.js';
import { type ListQuery, type ListQueryOptions, parseListQuery } from './list-query.js';
import type { ListSchema } from './list-schema.js';
import { collectionBody, paginationLinks, projectFields } from './pagination-link.js';
import type { RawQuery } from './query-value.js';

export interface ListCollectionOptions extends ListQueryOptions {
  /** Absolute collection URL without a query; the links' base. */
  baseUrl: string;
}

export interface ListCollection {
  body: Record<string, unknown>;
  query: ListQuery;
}

export function listCollection(
  views: readonly View[],
  raw: RawQuery,
  schema: ListSchema,
  opts: ListCollectionOptions,
): ListCollection {
  const query = parseListQuery(raw, schema, opts);
  const { items, total } = applyListQuery(views, query, schema);
  const links = paginationLinks(items, query, raw, { baseUrl: opts.baseUrl, idKey: schema.idKey });
  const projected = query.fields ? items.map((v) => projectFields(v, query.fields)) : items;
  return { body: collectionBody(schema.collection, projected, links, query.withCount ? total : undefined), query };
}
